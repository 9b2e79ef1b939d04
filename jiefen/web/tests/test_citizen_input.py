"""The staff case page shows what citizens sent through the portal: files (served only inside the
viewer's jurisdiction), ratings, reopen requests and re-submissions."""

import pytest
from django.urls import reverse
from django.utils import timezone

from jiefen.cases.services import case_transition
from jiefen.portal.models import Attachment, ReopenRequest
from jiefen.portal.services import Upload, portal_rate, portal_reopen_request, portal_submit
from jiefen.procedures.models import PartyFeedback

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4
PDF = b"%PDF-1.4\n" + b"1 0 obj << >> endobj\n" * 20 + b"%%EOF\n"
XSS = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def submitted(anji, uploads=(), description="邻居装修噪音，晚上十点后还在施工"):
    return portal_submit(
        region=anji.village,
        name="王小明",
        phone="13812345678",
        description=description,
        category="neighbour",
        uploads=list(uploads),
    )


def resolved(case, anji, staff_factory):
    handler = staff_factory(anji.org("village_committee", anji.village), ["handler"])
    case = case_transition(case=case, actor=handler, action="accept")
    case = case_transition(case=case, actor=handler, action="start")
    return case_transition(case=case, actor=handler, action="resolve", reason="双方约定夜间不施工")


def page(client, case):
    return client.get(reverse("web:case_detail", args=[case.number]))


def file_url(att, number=None, **query):
    url = reverse("web:attachment_file", args=[number or att.case.number, att.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_staff_in_jurisdiction_see_the_files_and_get_their_bytes(client, anji, dispatcher):
    # given
    sub = submitted(anji, [Upload("现场照片.jpg", JPEG), Upload("借条.pdf", PDF)])
    photo, receipt = sorted(sub.attachments, key=lambda a: a.kind)
    client.force_login(dispatcher)
    # when
    html = page(client, sub.case).content.decode()
    shown = client.get(file_url(photo))
    saved = client.get(file_url(receipt, download=1))
    # then
    panel = html.split('id="citizen-attachments"', 1)[1].split("</div>", 1)[0]
    assert "现场照片.jpg" in panel and "借条.pdf" in panel
    assert f'href="{file_url(photo)}"' in panel
    assert f'href="{file_url(receipt)}?download=1"' in panel
    assert shown.status_code == 200
    assert b"".join(shown.streaming_content) == JPEG
    assert shown["Content-Type"] == "image/jpeg"
    assert shown["Content-Disposition"].startswith("inline;")
    assert "private" in shown["Cache-Control"] and "no-store" in shown["Cache-Control"]
    assert saved.status_code == 200
    assert b"".join(saved.streaming_content) == PDF
    assert saved["Content-Type"] == "application/pdf"
    assert saved["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E5%80%9F%E6%9D%A1.pdf" in saved["Content-Disposition"]
    # every opening is logged: who, which file, shown or saved
    from jiefen.portal.models import AttachmentAccess

    log = list(AttachmentAccess.objects.order_by("at", "id").values_list("staff", "attachment", "download"))
    assert log == [(dispatcher.pk, photo.pk, False), (dispatcher.pk, receipt.pk, True)]


def test_a_file_is_saved_under_the_extension_of_its_real_type(client, anji, dispatcher):
    # given: the citizen's name for it claims a PDF, its bytes are a JPEG
    att = submitted(anji, [Upload("scan.pdf", JPEG)]).attachments[0]
    client.force_login(dispatcher)
    # when
    resp = client.get(file_url(att, download=1))
    # then
    assert resp["Content-Type"] == "image/jpeg"
    assert 'filename="scan.jpg"' in resp["Content-Disposition"]


def test_staff_out_of_jurisdiction_get_not_found(client, anji, other_town_handler):
    # given
    sub = submitted(anji, [Upload("photo.jpg", JPEG)])
    client.force_login(other_town_handler)
    # when
    file_resp = client.get(file_url(sub.attachments[0]))
    page_resp = page(client, sub.case)
    # then
    assert file_resp.status_code == 404
    assert page_resp.status_code == 404
    assert JPEG not in file_resp.content


def test_a_visible_case_number_does_not_open_another_case_s_file(client, anji, other_town_handler, register):
    # given: a case the viewer sees, and a file of a case the viewer does not see
    own = register(anji.town2, description="两户人家因宅基地边界争执")
    hidden = submitted(anji, [Upload("photo.jpg", JPEG)]).attachments[0]
    client.force_login(other_town_handler)
    # when
    resp = client.get(file_url(hidden, number=own.number))
    # then
    assert page(client, own).status_code == 200
    assert resp.status_code == 404


def test_anonymous_is_sent_to_the_login_page(client, anji):
    # given
    att = submitted(anji, [Upload("photo.jpg", JPEG)]).attachments[0]
    # when
    resp = client.get(file_url(att))
    # then
    assert resp.status_code == 302
    assert resp["Location"].startswith(reverse("web:login") + "?next=")
    assert JPEG not in resp.content


def test_a_file_missing_from_storage_is_not_found(client, anji, dispatcher):
    # given
    att = submitted(anji, [Upload("photo.jpg", JPEG)]).attachments[0]
    att.file.storage.delete(att.file.name)
    client.force_login(dispatcher)
    # when
    resp = client.get(file_url(att))
    # then
    assert resp.status_code == 404


def test_the_rating_and_the_reopen_request_show_on_the_case_page(client, anji, dispatcher, staff_factory):
    # given
    case = resolved(submitted(anji).case, anji, staff_factory)
    portal_rate(case=case, stars=2, comment="处理太慢\n对方仍在夜间施工")
    portal_reopen_request(case=case, reason="对方又开始夜间施工")
    client.force_login(dispatcher)
    # when
    html = page(client, case).content.decode()
    # then
    rating = html.split('id="citizen-rating"', 1)[1].split('id="citizen-reopen-requests"', 1)[0]
    assert 'data-stars="2"' in rating
    assert "★★☆☆☆" in rating and "2/5" in rating
    assert "处理太慢<br>对方仍在夜间施工" in rating
    assert (
        timezone.localtime(PartyFeedback.objects.get(case=case, source="portal").at).strftime(
            "%Y-%m-%d %H:%M"
        )
        in rating
    )
    requests = html.split('id="citizen-reopen-requests"', 1)[1]
    assert "对方又开始夜间施工" in requests
    assert 'data-handled="0"' in requests
    assert "citizen-attachments" not in html


def test_citizen_text_is_escaped(client, anji, dispatcher, staff_factory):
    # given
    sub = submitted(anji, [Upload(f"{XSS}.jpg", JPEG)])
    case = resolved(sub.case, anji, staff_factory)
    portal_rate(case=case, stars=1, comment=f"差评{XSS}<b>bold</b>")
    ReopenRequest.objects.create(case=case, reason=f"<img src=x onerror=alert(2)>{XSS}", at=case.resolved_at)
    client.force_login(dispatcher)
    # when
    html = page(client, case).content.decode()
    # then
    section = html.split('id="citizen-input"', 1)[1].split("</section>", 1)[0]
    assert "<script>" not in section
    assert "<b>bold</b>" not in section and "<img src=x" not in section
    assert "差评&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in section
    assert "&lt;img src=x onerror=alert(2)&gt;" in section
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.jpg" in section


def test_a_resubmission_shows_under_the_case_it_was_linked_to(client, anji, dispatcher):
    # given
    first = submitted(anji)
    again = submitted(anji, [Upload("again.jpg", JPEG)], description="邻居装修噪音，晚上十点后还在施工！！")
    client.force_login(dispatcher)
    # when
    html = page(client, first.case).content.decode()
    # then
    assert again.linked and again.case == first.case
    assert "again.jpg" in html.split('id="citizen-attachments"', 1)[1]
    assert "邻居装修噪音，晚上十点后还在施工！！" in html.split('id="citizen-resubmissions"', 1)[1]


def test_nothing_sent_means_no_panel(client, anji, dispatcher, register):
    # given
    case = register(anji.village)
    client.force_login(dispatcher)
    # when
    html = page(client, case).content.decode()
    # then
    assert 'id="citizen-input"' not in html
    assert not Attachment.objects.exists()


def test_panel_titles_in_both_languages(client, anji, dispatcher, staff_factory):
    # given
    case = resolved(submitted(anji, [Upload("photo.jpg", JPEG)]).case, anji, staff_factory)
    portal_rate(case=case, stars=5)
    client.force_login(dispatcher)
    # when
    chinese = page(client, case).content.decode()
    english = client.get(
        reverse("web:case_detail", args=[case.number]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    # then
    assert "群众提交" in chinese and "群众评价" in chinese
    assert "Sent by citizens" in english and "Citizen's rating" in english
