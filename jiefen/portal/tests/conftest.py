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


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.JIEFEN_SMS_BACKEND = "file"
    settings.JIEFEN_SMS_FILE = str(tmp_path / "sms.log")
    return tmp_path / "sms.log"
