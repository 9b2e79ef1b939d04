"""In the embedded default nothing but the sweep beside `jiefen serve` delivers messages that
could not go at once: retries after a gateway outage, what a crash left pending, return-visit
reminders due days later. `jiefen sweep` delivers them."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command

from jiefen.core import clock
from jiefen.notifications import services
from jiefen.notifications.choices import MessageStatus, Template
from jiefen.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db
PHONE = "13812345678"


def test_the_sweep_delivers_what_a_crash_or_an_outage_left_pending(sms_file, monkeypatch):
    # given: a message never handed over (the process died before), and one whose send failed
    monkeypatch.setattr(services, "_dispatch", lambda keys: None)
    services.outbox_enqueue(
        template=Template.CASE_ACCEPTED,
        key="crash",
        context={"number": "N1", "organization": "O", "status": "s"},
        phone=PHONE,
    )
    services.outbox_enqueue(
        template=Template.CASE_ACCEPTED,
        key="outage",
        context={"number": "N2", "organization": "O", "status": "s"},
        phone=PHONE,
    )
    OutboxMessage.objects.filter(key="outage").update(
        attempts=1, last_error="HTTP 503", next_attempt_at=clock.now() + timedelta(seconds=30)
    )
    # when: the sweep runs now, and again once the retry is due
    call_command("sweep")
    first = set(OutboxMessage.objects.filter(status=MessageStatus.SENT).values_list("key", flat=True))
    with time_machine.travel(clock.now() + timedelta(minutes=1)):
        call_command("sweep")
    # then
    assert first == {"crash"}
    assert set(OutboxMessage.objects.filter(status=MessageStatus.SENT).values_list("key", flat=True)) == {
        "crash",
        "outage",
    }


def test_the_sweep_sends_a_reminder_when_its_day_comes(sms_file, monkeypatch):
    # given: a reminder due in seven days
    monkeypatch.setattr(services, "_dispatch", lambda keys: None)
    services.outbox_enqueue(
        template=Template.CASE_ACCEPTED,
        key="later",
        context={"number": "N3", "organization": "O", "status": "s"},
        phone=PHONE,
        not_before=clock.now() + timedelta(days=7),
    )
    # when
    call_command("sweep")
    early = OutboxMessage.objects.get().status
    with time_machine.travel(clock.now() + timedelta(days=7, minutes=1)):
        call_command("sweep")
    # then
    assert early == MessageStatus.PENDING
    assert OutboxMessage.objects.get().status == MessageStatus.SENT
