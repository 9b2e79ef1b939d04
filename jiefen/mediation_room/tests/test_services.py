"""The room's services on the real database: sessions, invitations, messages and files, terms
versions and confirmations with one-time codes read from the SMS gateway."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jiefen.cases.models import CaseEvent
from jiefen.core import clock
from jiefen.core.errors import Conflict, IllegalTransition, ValidationFailed
from jiefen.mediation_room import selectors, services
from jiefen.mediation_room.models import RoomMessage, TermsConfirmation, TermsVersion, text_sha256
from jiefen.mediation_room.tests.conftest import (
    APPLICANT_PHONE,
    JPEG,
    PDF,
    RESPONDENT_PHONE,
    last_code,
    texts_to,
)

pytestmark = pytest.mark.django_db

TERMS = "一、李四于2026年6月30日前停止夜间施工。\n二、李四赔偿王小明人民币五百元。"


def join(procedure, party, phone):
    services.join_code_send(procedure=procedure, number=procedure.case.number, phone=phone)
    return services.room_join(procedure=procedure, party=party, code=last_code(phone))


def confirm(terms, party, phone, ip="10.0.0.8"):
    services.confirm_code_send(terms=terms, party=party)
    return services.terms_confirm(
        terms=terms, party=party, code=last_code(phone), ip=ip, user_agent="Mozilla/5.0 (iPhone)"
    )


def test_a_session_is_scheduled_and_the_parties_are_invited_by_sms(procedure, mediator):
    # given
    starts = clock.now() + timedelta(days=1)
    # when
    session = services.session_schedule(
        procedure=procedure,
        actor=mediator,
        starts_at=starts,
        mode="online",
        meeting_link="https://meeting.example.org/j/123",
    )
    sent = services.parties_invite(procedure=procedure, actor=mediator, link="https://jf.example/room/1/")
    again = services.parties_invite(procedure=procedure, actor=mediator, link="https://jf.example/room/1/")
    # then
    assert (session.mode, sent, again) == ("online", 2, 0)
    assert "https://jf.example/room/1/" in texts_to(APPLICANT_PHONE)[-1]
    assert procedure.case.number in texts_to(RESPONDENT_PHONE)[-1]
    kinds = list(CaseEvent.objects.filter(case=procedure.case).values_list("kind", flat=True))
    assert "room_session_scheduled" in kinds and "room_parties_invited" in kinds


def test_a_party_joins_with_the_code_sent_to_their_own_phone(procedure, parties):
    # given
    _applicant, respondent = parties
    # when
    joined = join(procedure, respondent, RESPONDENT_PHONE)
    # then
    assert joined == respondent
    assert CaseEvent.objects.filter(case=procedure.case, kind="room_party_joined").count() == 1


def test_messages_and_files_are_part_of_the_case_record(procedure, parties, mediator):
    # given
    applicant, _ = parties
    # when
    services.message_post(procedure=procedure, text="请双方提供相关证据", staff=mediator)
    msg = services.message_post(
        procedure=procedure, text="装修噪音照片", upload=services.Upload("噪音.jpg", JPEG), party=applicant
    )
    services.message_post(procedure=procedure, upload=services.Upload("合同.pdf", PDF), party=applicant)
    # then
    assert [m.author for m in selectors.messages(procedure)] == ["mediator", "party", "party"]
    assert msg.file_kind == "jpeg" and msg.file.open("rb").read() == JPEG
    events = CaseEvent.objects.filter(case=procedure.case, kind__in=("room_message", "room_file"))
    assert sorted(events.values_list("kind", flat=True)) == ["room_file", "room_file", "room_message"]


def test_every_party_confirming_makes_the_agreement_final(procedure, parties, mediator):
    # given
    applicant, respondent = parties
    terms = services.terms_propose(procedure=procedure, actor=mediator, text=TERMS)
    # when
    confirm(terms, applicant, APPLICANT_PHONE)
    terms.refresh_from_db()
    assert terms.final_at is None
    confirm(terms, respondent, RESPONDENT_PHONE, ip="2001:db8::1")
    # then
    terms.refresh_from_db()
    procedure.refresh_from_db()
    assert terms.final_at is not None and terms.sha256 == text_sha256(TERMS)
    assert procedure.data["terms_final"]["sha256"] == terms.sha256
    records = selectors.confirmations_for(procedure)
    assert [(r.party_name, r.ip, r.hash_matches) for r in records] == [
        ("王小明", "10.0.0.8", True),
        ("李四", "2001:db8::1", True),
    ]
    assert CaseEvent.objects.filter(case=procedure.case, kind="terms_final").count() == 1


def test_a_new_version_voids_the_earlier_confirmations(procedure, parties, mediator):
    # given
    applicant, respondent = parties
    v1 = services.terms_propose(procedure=procedure, actor=mediator, text=TERMS)
    confirm(v1, applicant, APPLICANT_PHONE)
    # when
    v2 = services.terms_propose(procedure=procedure, actor=mediator, text=TERMS + "\n三、双方互谅互让。")
    # then
    assert v2.number == 2
    assert TermsConfirmation.objects.get(terms=v1).voided_at is not None
    with pytest.raises(Conflict) as outdated:
        services.confirm_code_send(terms=TermsVersion.objects.get(pk=v1.pk), party=respondent)
    assert outdated.value.code == "terms_outdated"
    assert selectors.confirmed_party_ids(v2) == set()


def test_the_record_is_checkable_later(procedure, parties, mediator):
    # given
    applicant, respondent = parties
    terms = services.terms_propose(procedure=procedure, actor=mediator, text=TERMS)
    confirm(terms, applicant, APPLICANT_PHONE)
    confirm(terms, respondent, RESPONDENT_PHONE)
    # when: someone alters the stored text behind the product's back
    TermsVersion.objects.filter(pk=terms.pk).update(text=TERMS.replace("五百", "五十"))
    # then
    check = selectors.terms_check(TermsVersion.objects.get(pk=terms.pk))
    assert check["text_intact"] is False
    assert [c["matches"] for c in check["confirmations"]] == [False, False]
    assert [r.hash_matches for r in selectors.confirmations_for(procedure)] == [False, False]


def test_messages_after_the_procedure_ended_are_refused(procedure, parties, mediator):
    # given
    applicant, _ = parties
    procedure.status, procedure.ended_at = "ended", clock.now()
    procedure.save()
    # when
    with pytest.raises(IllegalTransition) as refused:
        services.message_post(procedure=procedure, text="还有问题", party=applicant)
    # then
    assert (refused.value.code, refused.value.status) == ("procedure_ended", 409)
    assert RoomMessage.objects.count() == 0


def test_a_wrong_code_is_counted_and_voids_the_code_after_five_tries(procedure, parties, mediator):
    # given
    applicant, _ = parties
    terms = services.terms_propose(procedure=procedure, actor=mediator, text=TERMS)
    services.confirm_code_send(terms=terms, party=applicant)
    right = last_code(APPLICANT_PHONE)
    wrong = "000000" if right != "000000" else "111111"
    # when
    codes = []
    for _ in range(6):
        with pytest.raises(ValidationFailed) as refused:
            services.terms_confirm(terms=terms, party=applicant, code=wrong)
        codes.append(refused.value.code)
    with pytest.raises(ValidationFailed) as late:
        services.terms_confirm(terms=terms, party=applicant, code=right)
    # then
    assert codes == ["code_wrong"] * 5 + ["code_expired"]
    assert late.value.code == "code_expired"
    assert TermsConfirmation.objects.count() == 0
