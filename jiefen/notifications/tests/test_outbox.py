import json
from datetime import timedelta

import pytest
from django.db import transaction

from jiefen.cases.services import PartyInput, case_transition
from jiefen.cases.tests.factories import PartyFactory, RegistrationFactory
from jiefen.core import clock
from jiefen.core.pii import mask_phone
from jiefen.notifications import services
from jiefen.notifications.choices import MessageStatus, Template
from jiefen.notifications.gateways import GatewayError
from jiefen.notifications.models import NotificationTemplate, OutboxMessage

pytestmark = pytest.mark.django_db
PHONE = "13812345678"


def register(anji, dispatcher, channel="walk_in", phone=PHONE):
    return RegistrationFactory(
        channel=channel,
        region=anji.village.code,
        description="邻居装修噪音扰民",
        parties=[PartyFactory(phone=phone)],
        actor=dispatcher,
    )


def sent_lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_registration_writes_outbox_and_delivers_after_commit(
    anji, dispatcher, frozen_now, sms_file, django_capture_on_commit_callbacks
):
    # given / when
    with django_capture_on_commit_callbacks(execute=True):
        reg = register(anji, dispatcher)
    # then
    msg = OutboxMessage.objects.get(case=reg.case)
    assert msg.template == Template.CASE_REGISTERED
    assert msg.status == MessageStatus.SENT
    assert msg.recipient_masked == "138****5678"
    assert msg.recipient_enc and PHONE not in msg.recipient_enc
    [line] = sent_lines(sms_file)
    assert line["to"] == "138****5678" and reg.case.number in line["text"]


def test_the_messages_of_a_batch_are_queued_together_and_each_sent_once(
    anji, dispatcher, frozen_now, sms_file, django_capture_on_commit_callbacks, monkeypatch
):
    # given: three registrations in one transaction (a group of API requests, an import chunk)
    from jiefen.cases.services import RegistrationRequest, case_register_many
    from jiefen.notifications import tasks

    handed_over = []
    real = tasks.deliver_messages.delay
    monkeypatch.setattr(tasks.deliver_messages, "delay", lambda ids: handed_over.append(ids) or real(ids))
    phones = ["13812340001", "13812340002", "13812340003"]
    requests = [
        RegistrationRequest(
            channel="walk_in",
            region=anji.village.code,
            description=f"邻居装修噪音扰民（{i}）",
            parties=[PartyInput(role="applicant", name=f"申请人{i}", phone=p)],
        )
        for i, p in enumerate(phones)
    ]
    # when
    with django_capture_on_commit_callbacks(execute=True):
        regs = case_register_many(requests, actor=dispatcher)
    # then: one hand-over to the broker, every message sent once
    assert len(handed_over) == 1 and len(handed_over[0]) == 3
    msgs = OutboxMessage.objects.filter(case__in=[r.case for r in regs])
    assert [m.status for m in msgs] == [MessageStatus.SENT] * 3
    assert sorted(line["to"] for line in sent_lines(sms_file)) == sorted(mask_phone(p) for p in phones)


def test_rolled_back_change_leaves_no_message(anji, dispatcher, frozen_now):
    # given / when
    with pytest.raises(RuntimeError), transaction.atomic():
        register(anji, dispatcher)
        raise RuntimeError("boom")
    # then
    assert not OutboxMessage.objects.exists()


def test_hotline_cases_send_no_applicant_sms(anji, dispatcher, frozen_now):
    # given / when
    register(anji, dispatcher, channel="hotline_12345")
    # then
    assert not OutboxMessage.objects.exists()


def test_enqueue_twice_with_one_key_writes_one_message(anji):
    # given
    kw = dict(
        template=Template.ONE_TIME_CODE, key="otp:1", context={"code": "123456", "minutes": 10}, phone=PHONE
    )
    # when
    first, second = services.outbox_enqueue(**kw), services.outbox_enqueue(**kw)
    # then
    assert (first, second) == (True, False)
    assert OutboxMessage.objects.count() == 1


def test_a_sent_message_is_never_sent_again(sms_file):
    # given
    services.outbox_enqueue(
        template=Template.ONE_TIME_CODE, key="k", context={"code": "1", "minutes": 1}, phone=PHONE
    )
    msg = OutboxMessage.objects.get()
    # when
    outcomes = [services.outbox_deliver(message_id=msg.pk).status for _ in range(3)]
    # then
    assert outcomes == ["sent", "sent", "sent"]
    assert len(sent_lines(sms_file)) == 1


def test_one_time_codes_are_redacted_after_delivery(sms_file):
    # given
    services.outbox_enqueue(
        template=Template.ONE_TIME_CODE,
        key="k",
        context={"code": "654321", "minutes": 10},
        phone=PHONE,
        sensitive=True,
    )
    msg = OutboxMessage.objects.get()
    assert "654321" in msg.body
    # when
    services.outbox_deliver(message_id=msg.pk)
    # then
    msg.refresh_from_db()
    assert msg.body == services.REDACTED
    assert "654321" not in sms_file.read_text()  # the file backend is a log: never the code


class Failing:
    def __init__(self, permanent=False):
        self.calls, self.permanent = 0, permanent

    def send(self, *, phone, text, key, sensitive=False):
        self.calls += 1
        raise GatewayError("gateway down", permanent=self.permanent)


def test_failures_back_off_then_fail_for_good(monkeypatch, settings):
    # given
    settings.JIEFEN_NOTIFY_MAX_ATTEMPTS = 3
    settings.JIEFEN_NOTIFY_BACKOFF_SECONDS = 30
    gateway = Failing()
    monkeypatch.setattr(services, "get_gateway", lambda: gateway)
    services.outbox_enqueue(
        template=Template.ONE_TIME_CODE, key="k", context={"code": "1", "minutes": 1}, phone=PHONE
    )
    msg = OutboxMessage.objects.get()
    delays = []
    # when
    for _ in range(3):
        out = services.outbox_deliver(message_id=msg.pk)
        delays.append(out.retry_in)
        OutboxMessage.objects.filter(pk=msg.pk).update(next_attempt_at=clock.now())
    # then
    msg.refresh_from_db()
    assert delays == [30, 60, None]
    assert msg.status == MessageStatus.FAILED and msg.attempts == 3 and msg.last_error == "gateway down"
    assert gateway.calls == 3


def test_a_message_is_not_sent_before_its_time(monkeypatch):
    # given
    gateway = Failing()
    monkeypatch.setattr(services, "get_gateway", lambda: gateway)
    services.outbox_enqueue(
        template=Template.ONE_TIME_CODE,
        key="k",
        context={"code": "1", "minutes": 1},
        phone=PHONE,
        not_before=clock.now() + timedelta(hours=1),
    )
    # when
    out = services.outbox_deliver(message_id=OutboxMessage.objects.get().pk)
    # then
    assert out.status == "not_due" and gateway.calls == 0


def test_permanent_failure_stops_at_once_and_admin_can_retry(
    monkeypatch, sms_file, django_capture_on_commit_callbacks
):
    # given
    monkeypatch.setattr(services, "get_gateway", lambda: Failing(permanent=True))
    services.outbox_enqueue(
        template=Template.ONE_TIME_CODE, key="k", context={"code": "1", "minutes": 1}, phone=PHONE
    )
    msg = OutboxMessage.objects.get()
    services.outbox_deliver(message_id=msg.pk)
    msg.refresh_from_db()
    assert msg.status == MessageStatus.FAILED and msg.attempts == 1
    monkeypatch.undo()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        n = services.outbox_retry(message_ids=[msg.pk])
    # then
    msg.refresh_from_db()
    assert n == 1 and msg.status == MessageStatus.SENT


def test_failed_messages_are_listed_for_admins(admin_client, monkeypatch):
    # given
    monkeypatch.setattr(services, "get_gateway", lambda: Failing(permanent=True))
    services.outbox_enqueue(
        template=Template.ONE_TIME_CODE, key="k", context={"code": "1", "minutes": 1}, phone=PHONE
    )
    services.outbox_deliver(message_id=OutboxMessage.objects.get().pk)
    # when
    resp = admin_client.get("/admin/notifications/outboxmessage/?status__exact=failed")
    # then
    assert resp.status_code == 200
    assert "gateway down" in resp.content.decode()
    assert PHONE not in resp.content.decode()


def test_an_administrator_edits_the_wording_and_can_switch_a_template_off():
    # given: edits as the admin saves them (a save clears this process's cached templates)
    row = NotificationTemplate.objects.get(code=Template.CASE_ACCEPTED)
    services.render(Template.CASE_ACCEPTED, {"number": "X-0"})  # cached before the edit
    row.body = "受理：{number}，{unknown}"
    row.save()
    # when
    text = services.render(Template.CASE_ACCEPTED, {"number": "X-1"})
    row.is_active = False
    row.save()
    # then
    assert text == "受理：X-1，{unknown}"
    assert services.render(Template.CASE_ACCEPTED, {"number": "X-1"}) is None


def test_every_event_has_a_zh_hans_template_seeded():
    # given / when
    codes = set(NotificationTemplate.objects.values_list("code", flat=True))
    # then
    assert codes == set(Template.values)


def test_lifecycle_messages_accepted_result_and_invitation(anji, dispatcher, staff_factory, frozen_now):
    # given
    reg = register(anji, dispatcher)
    handler = staff_factory(anji.org("village_committee", anji.village), ["handler"])
    # when
    case = case_transition(case=reg.case, actor=handler, action="accept")
    case = case_transition(case=case, actor=handler, action="start")
    case = case_transition(case=case, actor=handler, action="resolve", reason="双方达成协议")
    case_transition(case=case, actor=handler, action="close")
    # then
    templates = list(OutboxMessage.objects.order_by("id").values_list("template", flat=True))
    assert templates == [
        Template.CASE_REGISTERED,
        Template.CASE_ACCEPTED,
        Template.CASE_RESULT,
        Template.RETURN_VISIT_REMINDER,
        Template.RATE_INVITATION,
    ]
    result = OutboxMessage.objects.get(template=Template.CASE_RESULT)
    assert "双方达成协议" in result.body
    reminder = OutboxMessage.objects.get(template=Template.RETURN_VISIT_REMINDER)
    assert reminder.staff == handler and reminder.channel == "inbox"
    assert reminder.next_attempt_at > clock.now() + timedelta(days=1)


def test_duty_staff_get_alerts_on_their_phone(anji, dispatcher):
    # given
    services.contact_phone_set(staff=dispatcher, phone="13900001111")
    # when
    n = services.notify_duty_staff(county=anji.county, key="alert:1", title="群体性纠纷", text="5人以上")
    # then
    msg = OutboxMessage.objects.get()
    assert n == 1 and msg.staff == dispatcher and msg.channel == "sms"
    assert msg.recipient_masked == "139****1111" and "群体性纠纷" in msg.body
