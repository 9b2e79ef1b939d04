from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def frozen_now():
    # A working Monday inside the seeded calendar; time moves on from there.
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=TZ), tick=True):
        yield


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.JIEFEN_SMS_BACKEND = "file"
    settings.JIEFEN_SMS_FILE = str(tmp_path / "sms.log")
    return tmp_path / "sms.log"
