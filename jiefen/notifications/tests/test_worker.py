"""A real Celery worker on the real Redis delivers an outbox message (PostgreSQL only).

The worker runs in a subprocess against the test database, so the test is transactional
(its writes must be committed to be seen); it needs none of the data the migrations seed
(an outbox message falls back to the built-in wording). SQLite's test database lives in memory, out of
reach of another process: there the test is skipped.
"""

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from jiefen.notifications import services
from jiefen.notifications.choices import MessageStatus, Template
from jiefen.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True)
REDIS = os.environ.get("JIEFEN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def test_a_worker_on_redis_delivers_an_outbox_message(tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process cannot reach SQLite's in-memory test database")
    if not _redis_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    # given: a message in the outbox, not handed to the in-process (eager) queue
    monkeypatch.setattr(services, "_dispatch", lambda keys: None)
    services.outbox_enqueue(
        template=Template.ONE_TIME_CODE,
        key="worker-test",
        context={"code": "246810", "minutes": 10},
        phone="13812345678",
    )
    msg = OutboxMessage.objects.get()
    queue = f"jiefen-test-{uuid.uuid4().hex[:8]}"
    sms = tmp_path / "sms.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jiefen.settings.test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": REDIS,
        "JIEFEN_CELERY_EAGER": "0",
        "JIEFEN_SMS_BACKEND": "file",
        "JIEFEN_SMS_FILE": str(sms),
        "JIEFEN_SECRET_KEY": settings.SECRET_KEY,
        "JIEFEN_PII_KEY": settings.JIEFEN_PII_KEY,
        "JIEFEN_HASH_KEY": settings.JIEFEN_HASH_KEY,
    }
    celery_bin = str(Path(sys.executable).with_name("celery"))
    worker = subprocess.Popen(
        [
            celery_bin,
            "-A",
            "jiefen",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "-l",
            "warning",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "worker.log", "w"),  # noqa: SIM115
    )
    producer = Celery("producer", broker=REDIS)
    try:
        # when
        producer.send_task("jiefen.notifications.tasks.deliver_message", args=[msg.pk], queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            msg.refresh_from_db()
            if msg.status != MessageStatus.PENDING:
                break
            time.sleep(0.5)
        # then
        assert msg.status == MessageStatus.SENT, (tmp_path / "worker.log").read_text()[-2000:]
        line = json.loads(sms.read_text().splitlines()[0])
        assert line["to"] == "138****5678" and "246810" in line["text"]
        assert line["key"] == "jiefen-worker-test"
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        producer.close()
