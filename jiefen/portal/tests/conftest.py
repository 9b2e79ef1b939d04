import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

TZ = ZoneInfo("Asia/Shanghai")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PDF = b"%PDF-1.4\n" + b"0" * 200
EXE = b"MZ\x90\x00\x03" + b"\x00" * 200


@pytest.fixture
def frozen_now():
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=TZ), tick=True):
        yield


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings, tmp_path):
    from django.core.cache import cache

    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    yield
    cache.clear()


class SentMessages:
    """What the in-memory gateway sent, read like the file backend's JSON lines (whole texts:
    the logging backends withhold one-time codes)."""

    def read_text(self) -> str:
        from jiefen.notifications.gateways import MemoryGateway

        return "".join(json.dumps(m, ensure_ascii=False) + "\n" for m in MemoryGateway.SENT)


@pytest.fixture
def sms_file(settings):
    from jiefen.notifications.gateways import MemoryGateway

    settings.JIEFEN_SMS_BACKEND = "memory"
    MemoryGateway.SENT.clear()
    yield SentMessages()
    MemoryGateway.SENT.clear()
