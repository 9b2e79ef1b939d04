"""Judicial confirmation with the court (issue 15 §5): the court chosen when applying, its ruling
number and date on the API, the case page and the timeline; a refusal leads to the chain's next
step (诉讼引调). And the parties' confirmations of the terms (mediation room) printed on the
agreement and in the file."""

import io

import pytest
from pypdf import PdfReader

from jiefen.cases.models import CaseEvent
from jiefen.cases.services import PartyInput
from jiefen.procedures import services
from jiefen.procedures.models import Procedure
from jiefen.procedures.services import ActInput
from jiefen.procedures.tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreed(travel, accepted_case, mediator):
    travel(at(2026, 9, 1))
    case = accepted_case()
    proc = services.procedure_start(case=case, actor=mediator, kind="people_mediation")
    services.procedure_act(
        procedure=proc, actor=mediator, action="record_agreement", data=ActInput(terms="李四赔偿王小明五百元")
    )
    return case


def act(client, auth, pk, **payload):
    return client.post(f"/api/v1/procedures/{pk}/actions", payload, content_type="application/json", **auth)


def test_the_court_is_chosen_and_its_ruling_shown_everywhere(client, travel, agreed, mediator, court, token):
    # given
    auth = token(mediator)
    jc = services.procedure_start(case=agreed, actor=mediator, kind="judicial_confirmation")
    # when
    filed = act(client, auth, jc.pk, action="file_application", court_id=court.pk)
    act(client, auth, jc.pk, action="court_accept")
    travel(at(2026, 9, 8))
    done = act(
        client, auth, jc.pk, action="confirm", ruling_no="(2026)浙0523民特12号", ruling_on="2026-09-07"
    )
    # then: the API
    assert filed.status_code == 200, filed.content
    assert filed.json()["data"]["court_name"] == court.name
    data = done.json()["data"]
    assert (data["court_id"], data["ruling_no"], data["ruling_on"]) == (
        court.pk,
        "(2026)浙0523民特12号",
        "2026-09-07",
    )
    listed = client.get(f"/api/v1/cases/{agreed.number}/procedures", **auth).json()
    assert (
        next(p for p in listed if p["kind"] == "judicial_confirmation")["data"]["ruling_no"]
        == "(2026)浙0523民特12号"
    )
    # the timeline
    events = CaseEvent.objects.filter(case=agreed, data__procedure=jc.pk).order_by("id")
    filed_ev = next(e for e in events if e.data.get("action") == "file_application")
    ruled = next(e for e in events if e.data.get("action") == "confirm")
    assert filed_ev.data["court_name"] == court.name
    assert (ruled.data["ruling_no"], ruled.data["ruling_on"]) == ("(2026)浙0523民特12号", "2026-09-07")
    # the case page
    client.force_login(mediator)
    page = client.get(f"/cases/{agreed.number}/").content.decode()
    assert f'id="court-{jc.pk}"' in page and court.name in page
    assert "(2026)浙0523民特12号" in page and "2026-09-07" in page


def test_only_a_court_of_the_case_county_can_be_chosen(client, agreed, mediator, anji, token):
    # given
    auth = token(mediator)
    jc = services.procedure_start(case=agreed, actor=mediator, kind="judicial_confirmation")
    from conftest import make_county

    elsewhere = make_county("330212", "镇海区").org("court")
    # when
    none = act(client, auth, jc.pk, action="file_application")
    bureau = act(client, auth, jc.pk, action="file_application", court_id=anji.org("petition_bureau").pk)
    other = act(client, auth, jc.pk, action="file_application", court_id=elsewhere.pk)
    tribunal = act(
        client, auth, jc.pk, action="file_application", court_id=anji.org("peoples_tribunal", anji.town).pk
    )
    # then
    assert none.status_code == 422
    assert (bureau.status_code, bureau.json()["error"]) == (422, "court_required")
    assert (other.status_code, other.json()["error"]) == (422, "court_required")
    assert tribunal.status_code == 200 and tribunal.json()["state"] == "court_accept"


def test_a_rejected_confirmation_leads_to_litigation_guided_mediation(client, agreed, mediator, court, token):
    # given: the mediator files, the court accepts, then rejects
    auth = token(mediator)
    jc = services.procedure_start(case=agreed, actor=mediator, kind="judicial_confirmation")
    act(client, auth, jc.pk, action="file_application", court_id=court.pk)
    act(client, auth, jc.pk, action="court_accept")
    # when
    resp = act(
        client, auth, jc.pk, action="reject", ruling_no="(2026)浙0523民特13号", reason="协议内容违反法律规定"
    )
    # then
    assert resp.status_code == 200, resp.content
    nxt = Procedure.objects.get(case=agreed, kind="entrusted_mediation")
    assert nxt.follows_id == jc.pk and nxt.status == "active" and nxt.state == "mediation"
    started = CaseEvent.objects.filter(case=agreed, kind="procedure_started").order_by("-id").first()
    assert started.data["kind"] == "entrusted_mediation" and started.data["procedure"] == nxt.pk
    assert nxt.steps.get().due_at is not None  # its own clock (委派调解: 30 days)


def test_a_refusal_to_accept_also_moves_on_and_reopens_for_a_dispatcher(agreed, anji, court, staff_factory):
    # given: a county dispatcher (who may reopen) runs the confirmation
    worker = staff_factory(anji.org("county_centre"), ["dispatcher", "handler"])
    jc = services.procedure_start(case=agreed, actor=worker, kind="judicial_confirmation")
    services.procedure_act(
        procedure=jc, actor=worker, action="file_application", data=ActInput(court_id=court.pk)
    )
    # when
    services.procedure_act(
        procedure=jc, actor=worker, action="court_refuse", data=ActInput(reason="不属于本院管辖")
    )
    # then
    agreed.refresh_from_db()
    assert agreed.status == "in_progress"
    assert Procedure.objects.get(case=agreed, kind="entrusted_mediation").follows_id == jc.pk


def test_the_parties_confirmations_print_on_the_agreement_and_in_the_file(
    client, travel, accepted_case, mediator, token, settings
):
    # given: terms put in the mediation room and confirmed by both parties with their codes
    from jiefen.mediation_room import services as room
    from jiefen.mediation_room.tests.conftest import APPLICANT_PHONE, RESPONDENT_PHONE, last_code
    from jiefen.notifications.gateways import MemoryGateway

    settings.JIEFEN_SMS_BACKEND = "memory"
    MemoryGateway.SENT.clear()
    travel(at(2026, 9, 1))
    case = accepted_case(
        parties=[
            PartyInput(role="applicant", name="王小明", phone=APPLICANT_PHONE),
            PartyInput(role="respondent", name="李四", phone=RESPONDENT_PHONE),
        ]
    )
    proc = services.procedure_start(case=case, actor=mediator, kind="people_mediation")
    text = "一、李四停止夜间施工。\n二、李四赔偿王小明人民币五百元。"
    terms = room.terms_propose(procedure=proc, actor=mediator, text=text)
    for role, phone, ip in (
        ("applicant", APPLICANT_PHONE, "10.0.0.8"),
        ("respondent", RESPONDENT_PHONE, "10.0.0.9"),
    ):
        party = case.parties.get(role=role)
        room.confirm_code_send(terms=terms, party=party)
        room.terms_confirm(terms=terms, party=party, code=last_code(phone), ip=ip, user_agent="test")
    services.procedure_act(
        procedure=proc, actor=mediator, action="record_agreement", data=ActInput(terms=text)
    )
    terms.refresh_from_db()
    auth = token(mediator)
    # when
    agreement = client.get(f"/api/v1/cases/{case.number}/documents/agreement.docx", **auth)
    file_pdf = client.get(f"/api/v1/cases/{case.number}/documents/file.pdf", **auth)
    # then
    import docx

    body = "\n".join(p.text for p in docx.Document(io.BytesIO(agreement.content)).paragraphs)
    assert "当事人确认记录" in body
    assert "申请人王小明于2026年9月1日10:00" in body and "10.0.0.8" in body and "10.0.0.9" in body
    assert body.count(terms.sha256) == 2 and "（与存档条款一致）" in body
    assert "上述确认的条款与本协议书所载条款一致。" in body
    pdf = (
        "".join(p.extract_text() for p in PdfReader(io.BytesIO(file_pdf.content)).pages)
        .replace(" ", "")
        .replace("\n", "")
    )
    assert "当事人确认记录" in pdf and terms.sha256 in pdf


def test_a_refusal_stands_when_the_actor_may_not_start_the_next_step(agreed, anji, court, staff_factory):
    # given: the confirmation is followed by the labour bureau, which runs no entrusted mediation
    worker = staff_factory(anji.org("human_resources"), ["handler"])
    jc = services.procedure_start(case=agreed, actor=worker, kind="judicial_confirmation")
    services.procedure_act(
        procedure=jc, actor=worker, action="file_application", data=ActInput(court_id=court.pk)
    )
    # when
    jc = services.procedure_act(
        procedure=jc, actor=worker, action="court_refuse", data=ActInput(reason="不予受理")
    )
    # then
    assert jc.outcome == "not_accepted"
    assert not Procedure.objects.filter(case=agreed, kind="entrusted_mediation").exists()
