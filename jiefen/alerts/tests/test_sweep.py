"""The sweep: idempotent, incremental (its reads follow what changed), and the command."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiefen.alerts.models import Alert, SweepState
from jiefen.alerts.services import alerts_sweep

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 6, 15, 10, 0, tzinfo=TZ)


def test_sweep_keeps_a_watermark_and_its_query_count_does_not_grow_with_history(register):
    # given
    with time_machine.travel(MONDAY, tick=False):
        for _i in range(3):
            register()
    with time_machine.travel(MONDAY + timedelta(days=4), tick=False):
        alerts_sweep()
        first = Alert.objects.count()
    with time_machine.travel(MONDAY - timedelta(days=1), tick=False):
        for _i in range(20):
            register(received_at=MONDAY - timedelta(days=1))
    # when
    with (
        time_machine.travel(MONDAY + timedelta(days=4, hours=1), tick=False),
        CaptureQueriesContext(connection) as q,
    ):
        alerts_sweep()
    # then
    assert first > 0
    assert len(q.captured_queries) < 30
    assert SweepState.objects.get().watermark == MONDAY + timedelta(days=4, hours=1)


def test_sweep_command_runs_once(register, capsys):
    with time_machine.travel(MONDAY, tick=False):
        register()
        call_command("sweep")
    assert "sweep:" in capsys.readouterr().out
