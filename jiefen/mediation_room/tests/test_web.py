"""The room's pages: a party joins without an account, posts, confirms; what a stranger gets."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiefen.mediation_room import services
from jiefen.mediation_room.models import RoomMessage, TermsConfirmation
from jiefen.mediation_room.tests.conftest import APPLICANT_PHONE, JPEG, PDF, RESPONDENT_PHONE, last_code
from jiefen.web.tests.test_chinese_everywhere import assert_chinese

pytestmark = pytest.mark.django_db


def enter(client, procedure, phone):
    client.post(f"/room/{procedure.pk}/", {"number": procedure.case.number, "phone": phone})
    return client.post(f"/room/{procedure.pk}/code/", {"code": last_code(phone)})


def test_a_party_joins_on_the_phone_and_sees_the_room_in_chinese(client, procedure, parties, mediator):
    # given
    services.message_post(procedure=procedure, text="请双方陈述", staff=mediator)
    services.terms_propose(procedure=procedure, actor=mediator, text="李四停止夜间施工")
    # when
    entered = enter(client, procedure, RESPONDENT_PHONE)
    page = client.get(f"/room/{procedure.pk}/in/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    # then
    assert entered.status_code == 302 and entered["Location"] == f"/room/{procedure.pk}/in/"
    assert "请双方陈述" in page.content.decode() and "李四停止夜间施工" in page.content.decode()
    assert_chinese(page)


def test_a_phone_that_is_not_a_party_gets_no_code(client, procedure):
    # when
    resp = client.post(f"/room/{procedure.pk}/", {"number": procedure.case.number, "phone": "13700000000"})
    # then
    assert resp.status_code == 422
    assert client.get(f"/room/{procedure.pk}/code/").status_code == 302


def test_a_wrong_code_keeps_the_room_shut(client, procedure):
    # given
    client.post(f"/room/{procedure.pk}/", {"number": procedure.case.number, "phone": APPLICANT_PHONE})
    right = last_code(APPLICANT_PHONE)
    # when
    resp = client.post(f"/room/{procedure.pk}/code/", {"code": "000000" if right != "000000" else "111111"})
    # then
    assert resp.status_code == 422
    assert client.get(f"/room/{procedure.pk}/in/")["Location"] == f"/room/{procedure.pk}/"
    assert client.get(f"/room/{procedure.pk}/in/messages/").status_code == 403


def test_the_poll_returns_only_new_messages(client, procedure, parties, mediator):
    # given
    first = services.message_post(procedure=procedure, text="第一条", staff=mediator)
    services.message_post(procedure=procedure, text="第二条", staff=mediator)
    enter(client, procedure, APPLICANT_PHONE)
    # when
    resp = client.get(f"/room/{procedure.pk}/in/messages/?after={first.pk}")
    # then
    html = resp.content.decode()
    assert "第二条" in html and "第一条" not in html and 'hx-trigger="every 2s"' in html


def test_a_party_posts_evidence_and_a_mislabelled_file_is_refused(client, procedure, parties):
    # given
    enter(client, procedure, APPLICANT_PHONE)
    # when
    client.post(
        f"/room/{procedure.pk}/in/post/",
        {"text": "照片", "file": SimpleUploadedFile("噪音.jpg", JPEG, content_type="image/jpeg")},
    )
    client.post(
        f"/room/{procedure.pk}/in/post/",
        {"file": SimpleUploadedFile("合同.jpg", PDF, content_type="image/jpeg")},
    )
    page = client.get(f"/room/{procedure.pk}/in/")
    # then
    assert RoomMessage.objects.get().file_name == "噪音.jpg"
    assert "合同.jpg" in page.content.decode()  # the refusal, shown once
    msg = RoomMessage.objects.get()
    download = client.get(f"/room/{procedure.pk}/in/file/{msg.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == JPEG


def test_a_party_confirms_the_terms_on_the_page(client, procedure, parties, mediator):
    # given
    terms = services.terms_propose(procedure=procedure, actor=mediator, text="李四停止夜间施工")
    enter(client, procedure, APPLICANT_PHONE)
    # when
    client.post(f"/room/{procedure.pk}/in/terms/{terms.pk}/code/")
    client.post(
        f"/room/{procedure.pk}/in/terms/{terms.pk}/confirm/",
        {"code": last_code(APPLICANT_PHONE)},
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone; Mobile)",
        REMOTE_ADDR="203.0.113.9",
    )
    # then
    c = TermsConfirmation.objects.get()
    assert (c.party.role, c.ip, c.user_agent, c.sha256) == (
        "applicant",
        "203.0.113.9",
        "Mozilla/5.0 (iPhone; Mobile)",
        terms.sha256,
    )


def test_the_mediator_page_is_behind_the_jurisdiction(client, procedure, anji, staff_factory, mediator):
    # given
    outsider = staff_factory(anji.org("village_committee", anji.other_village), ["mediator"], username="far")
    # when
    client.force_login(outsider)
    far = client.get(f"/room/{procedure.pk}/mediator/")
    client.force_login(mediator)
    near = client.get(f"/room/{procedure.pk}/mediator/")
    # then
    assert (far.status_code, near.status_code) == (404, 200)


def test_the_mediator_schedules_invites_and_puts_terms_through_the_page(client, procedure, mediator):
    # given
    client.force_login(mediator)
    base = f"/room/{procedure.pk}/mediator"
    # when
    client.post(f"{base}/session/", {"starts_at": "2026-06-16T14:30", "mode": "phone"})
    client.post(f"{base}/invite/")
    client.post(f"{base}/post/", {"text": "请准时接听电话"})
    client.post(f"{base}/terms/", {"text": "李四停止夜间施工"})
    page = client.get(f"{base}/")
    # then
    html = page.content.decode()
    assert "请准时接听电话" in html and "李四停止夜间施工" in html and 'data-mode="phone"' in html


def test_a_staff_member_opening_a_party_file_is_logged(client, procedure, parties, mediator):
    # given
    from jiefen.mediation_room.models import RoomFileAccess

    applicant, _ = parties
    msg = services.message_post(
        procedure=procedure, upload=services.Upload("噪音.jpg", JPEG), party=applicant
    )
    client.force_login(mediator)
    # when
    resp = client.get(f"/room/{procedure.pk}/mediator/file/{msg.pk}/")
    # then
    assert resp.status_code == 200 and b"".join(resp.streaming_content) == JPEG
    assert list(RoomFileAccess.objects.values_list("staff_id", "message_id")) == [(mediator.pk, msg.pk)]


def test_the_terms_poll_answers_only_when_they_changed(client, procedure, parties, mediator):
    # given
    enter(client, procedure, APPLICANT_PHONE)
    before = client.get(f"/room/{procedure.pk}/in/terms/?state=none")
    services.terms_propose(procedure=procedure, actor=mediator, text="李四停止夜间施工")
    # when
    changed = client.get(f"/room/{procedure.pk}/in/terms/?state=none")
    same = client.get(f"/room/{procedure.pk}/in/terms/?state=1-0-0")
    # then
    assert (before.status_code, changed.status_code, same.status_code) == (204, 200, 204)
    assert "李四停止夜间施工" in changed.content.decode()
