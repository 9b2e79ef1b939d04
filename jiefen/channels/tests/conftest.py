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
def token(dispatcher):
    from jiefen.directory.services import api_token_create

    return api_token_create(staff=dispatcher, name="12345")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
