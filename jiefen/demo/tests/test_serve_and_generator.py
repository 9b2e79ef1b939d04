"""`jiefen serve` starts gunicorn as asked; the generator's personal data is well-formed."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command

from jiefen.core import pii
from jiefen.demo.generator import id_check_digit
from jiefen.demo.management.commands.serve import pending_migrations


@pytest.mark.django_db
def test_serve_execs_gunicorn_with_workers_and_bind(monkeypatch):
    # given
    calls = []
    monkeypatch.setattr(os, "execv", lambda path, argv: calls.append(argv))
    # when
    call_command("serve", "--port", "8123", "--workers", "3", "--no-sweep", stdout=io.StringIO())
    # then
    assert calls == [
        [
            sys.executable,
            "-m",
            "gunicorn",
            "jiefen.wsgi:application",
            "--workers",
            "3",
            "--threads",
            "8",
            "--bind",
            "127.0.0.1:8123",
            "--access-logfile",
            "-",
            "--logger-class",
            "jiefen.core.logscrub.ScrubbingLogger",
            "--control-socket",
            str(settings.DATA_DIR / "gunicorn.ctl"),
        ]
    ]


@pytest.mark.django_db
def test_serve_starts_the_sweep_beside_the_server_in_the_embedded_default(monkeypatch):
    # given
    started = []
    monkeypatch.setattr(os, "execv", lambda path, argv: None)
    monkeypatch.setattr(subprocess, "Popen", lambda argv: started.append(argv))
    # when
    call_command("serve", "--port", "8124", stdout=io.StringIO())
    # then
    assert started == [
        [sys.executable, "-m", "jiefen", "sweep", "--loop", "300", "--parent-pid", str(os.getpid())]
    ]


@pytest.mark.django_db
def test_no_migrations_pending_on_a_migrated_database():
    # given a test database (migrated by the test runner)
    # when
    pending = pending_migrations()
    # then
    assert pending == []


@pytest.mark.parametrize("first17", ["33052319900307123", "33052320011231456", "11010519491231002"])
def test_check_digit_makes_a_valid_id_number(first17):
    # given a 17-digit body
    # when
    number = first17 + id_check_digit(first17)
    # then
    assert pii.id_number_error(number) is None


def test_the_sweep_beside_the_server_stops_when_the_server_ends(tmp_path):
    # given: a parent process (the server's stand-in) that starts the sweep, then is killed
    import signal
    import time

    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["JIEFEN_DATA_DIR"] = str(tmp_path)
    migrate = subprocess.run([sys.executable, "-m", "jiefen", "migrate", "-v0"], env=env, timeout=300)
    assert migrate.returncode == 0
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, subprocess, sys, time; "
            "p = subprocess.Popen([sys.executable, '-m', 'jiefen', 'sweep', '--loop', '300', "
            "'--parent-pid', str(os.getpid())]); "
            "print(p.pid, flush=True); time.sleep(600)",
        ],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    sweep_pid = int(parent.stdout.readline())
    # when: the server dies without a chance to clean up
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    # then: the sweep notices within seconds and ends
    deadline = time.monotonic() + 20
    alive = True
    while alive and time.monotonic() < deadline:
        try:
            os.kill(sweep_pid, 0)
            with open(f"/proc/{sweep_pid}/stat") as fh:
                alive = fh.read().split()[2] != "Z"
        except (ProcessLookupError, FileNotFoundError):
            alive = False
        time.sleep(0.5)
    if alive:
        os.kill(sweep_pid, signal.SIGKILL)
    assert not alive
