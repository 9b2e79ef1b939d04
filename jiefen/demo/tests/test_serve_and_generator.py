"""`jiefen serve` starts gunicorn as asked; the generator's personal data is well-formed."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
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
    assert started == [[sys.executable, "-m", "jiefen", "sweep", "--loop", "300"]]


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
