"""Link and merge: the merged case points at the survivor, timelines and channel records kept."""

import pytest

from jiefen.cases.models import CaseEvent
from jiefen.cases.services import case_transition
from jiefen.core.errors import IllegalTransition, ValidationFailed
from jiefen.directory.services import api_token_create
from jiefen.triage.models import CaseLink
from jiefen.triage.services import case_link, case_merge
from jiefen.triage.tests.helpers import register

pytestmark = pytest.mark.django_db


def test_merge_keeps_timelines_parties_and_points_to_the_survivor(client, anji, dispatcher):
    survivor = register(anji, dispatcher, applicant="王小明", phone="13812345678").case
    dup = register(
        anji, dispatcher, applicant="王小明之妻", phone="13912345678", text="同一件事，又来登记"
    ).case
    dup_events = set(CaseEvent.objects.filter(case=dup).values_list("pk", flat=True))
    # when
    merged = case_merge(case=dup, into=survivor, actor=dispatcher, reason="重复登记")
    # then
    assert merged.status == "merged" and merged.merged_into_id == survivor.pk
    assert merged.events.last().kind == "merge"
    assert "王小明之妻" in set(survivor.parties.values_list("name", flat=True))
    assert CaseLink.objects.get(case=survivor, other=dup).kind == "merged"
    token = api_token_create(staff=dispatcher)
    got = client.get(f"/api/v1/cases/{dup.number}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert got["merged_into"] == survivor.number
    surv = client.get(f"/api/v1/cases/{survivor.number}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    kinds = [e["kind"] for e in surv["events"]]
    assert "merged_in" in kinds and "merge" in kinds
    assert len(surv["events"]) >= len(dup_events) + 3
    client.force_login(dispatcher)
    page = client.get(f"/cases/{dup.number}/").content.decode()
    assert "merged-pointer" in page and survivor.number in page


def test_merge_moves_hotline_orders_to_the_survivor(anji, dispatcher):
    from django.utils import timezone

    from jiefen.channels.models import HotlineOrder

    survivor = register(anji, dispatcher).case
    dup = register(anji, dispatcher, text="12345转来同一件事").case
    HotlineOrder.objects.create(
        order_id="WO-1", case=dup, outcome="created", received_at=timezone.now(), imported_at=timezone.now()
    )
    case_merge(case=dup, into=survivor, actor=dispatcher, reason="12345重复工单")
    assert HotlineOrder.objects.get(order_id="WO-1").case_id == survivor.pk


def test_merge_is_refused_for_ended_or_same_cases(anji, dispatcher):
    a = register(anji, dispatcher).case
    b = register(anji, dispatcher).case
    with pytest.raises(ValidationFailed):
        case_merge(case=a, into=a, actor=dispatcher, reason="x")
    case_transition(case=b.number, actor=dispatcher, action="withdraw", reason="撤回")
    with pytest.raises(IllegalTransition):
        case_merge(case=a, into=b, actor=dispatcher, reason="x")
    a.refresh_from_db()
    assert a.status == "triaged" and a.merged_into_id is None


def test_merge_action_without_target_is_refused(anji, dispatcher):
    a = register(anji, dispatcher).case
    with pytest.raises(ValidationFailed) as exc:
        case_transition(case=a.number, actor=dispatcher, action="merge", reason="重复")
    assert "into" in exc.value.fields


def test_merge_from_the_case_page(client, anji, dispatcher):
    a = register(anji, dispatcher).case
    b = register(anji, dispatcher).case
    client.force_login(dispatcher)
    resp = client.post(
        f"/cases/{b.number}/actions/",
        {"action": "merge", "into": a.number, "reason": "重复", "version": b.version},
    )
    assert resp.status_code == 302
    b.refresh_from_db()
    assert b.merged_into_id == a.pk


def test_link_records_both_timelines(client, anji, dispatcher):
    a = register(anji, dispatcher).case
    b = register(anji, dispatcher, text="另一件").case
    case_link(case=b, other=a, actor=dispatcher, reason="同一户")
    case_link(case=a, other=b, actor=dispatcher)  # idempotent
    assert CaseLink.objects.count() == 1
    assert CaseEvent.objects.filter(kind="linked").count() == 2
    client.force_login(dispatcher)
    resp = client.post(f"/triage/cases/{a.number}/link/", {"number": "330523-2099-000999"})
    assert resp.status_code == 302  # unknown number: a message, not a 500
