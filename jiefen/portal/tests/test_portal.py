import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiefen.cases.models import Case
from jiefen.cases.services import case_transition
from jiefen.notifications.models import OutboxMessage
from jiefen.portal.models import Attachment, LinkedSubmission, ReopenRequest
from jiefen.portal.tests.conftest import EXE, JPEG, PDF
from jiefen.procedures.models import PartyFeedback

pytestmark = pytest.mark.django_db
PHONE = "13812345678"


def form(anji, **kw):
    data = {
        "county": anji.county.code,
        "town": anji.town.code,
        "village": anji.village.code,
        "description": "邻居装修噪音，晚上十点后还在施工",
        "respondent": "李四",
        "request": "停止夜间施工",
        "name": "王小明",
        "phone": PHONE,
        "category": "neighbour",
    }
    data.update(kw)
    return data


def submit(client, anji, files=(), **kw):
    data = form(anji, **kw)
    if files:
        data["attachments"] = list(files)
    return client.post("/portal/", data)


def test_submit_gives_a_receipt_with_number_and_query_code(client, anji, frozen_now):
    # given
    files = [SimpleUploadedFile("photo.jpg", JPEG), SimpleUploadedFile("contract.pdf", PDF)]
    # when
    resp = submit(client, anji, files=files)
    receipt = client.get(resp["Location"])
    # then
    case = Case.objects.get()
    html = receipt.content.decode()
    assert resp.status_code == 302 and case.channel == "online" and case.village == anji.village
    assert case.number in html
    code = re.search(r'id="query-code">(\w+)<', html).group(1)
    assert len(code) == 8
    assert sorted(Attachment.objects.values_list("kind", flat=True)) == ["jpeg", "pdf"]
    assert case.parties.get(role="applicant").phone_masked == "138****5678"
    assert case.parties.get(role="respondent").name == "李四"


def test_the_form_is_mobile_first_and_in_chinese_by_default(client, anji):
    # given / when
    html = client.get("/portal/").content.decode()
    # then
    assert 'name="viewport"' in html and 'lang="zh-Hans"' in html
    assert anji.county.code in html  # the only county is preselected


def test_region_picker_options(client, anji):
    # given / when
    html = client.get("/portal/regions/", {"town": anji.town.code}).content.decode()
    # then
    assert anji.village.code in html and anji.village2.code in html and anji.other_village.code not in html


@pytest.mark.parametrize(
    ("overrides", "field_text"),
    [
        ({"county": "", "town": "", "village": ""}, "Choose where it happened"),
        ({"description": "   "}, "Describe what happened"),
        ({"phone": "12345"}, "phone"),
        ({"name": ""}, "Your name is required"),
    ],
)
def test_bad_input_is_refused_with_the_field_marked(client, anji, overrides, field_text):
    # given
    client.cookies["django_language"] = "en"
    # when
    resp = submit(client, anji, **overrides)
    # then
    assert resp.status_code == 422
    assert field_text.lower() in resp.content.decode().lower()
    assert not Case.objects.exists()


def test_an_executable_renamed_jpg_is_refused(client, anji):
    # given / when
    resp = submit(client, anji, files=[SimpleUploadedFile("photo.jpg", EXE, content_type="image/jpeg")])
    # then
    assert resp.status_code == 422 and "photo.jpg" in resp.content.decode()
    assert not Case.objects.exists() and not Attachment.objects.exists()


def test_a_file_over_10_mb_is_refused(client, anji):
    # given
    big = JPEG + b"\x00" * (10 * 1024 * 1024)
    # when
    resp = submit(client, anji, files=[SimpleUploadedFile("big.jpg", big)])
    # then
    assert resp.status_code == 422 and "10 MB" in resp.content.decode()
    assert not Case.objects.exists()


def test_a_50_mb_request_is_refused_before_it_is_read(client, anji):
    # given / when
    resp = client.post("/portal/", form(anji), CONTENT_LENGTH=str(50 * 1024 * 1024 + 1024 * 1024 * 2))
    # then
    assert resp.status_code == 413
    assert not Case.objects.exists()


def test_html_is_stored_as_text_and_shown_escaped(client, anji, frozen_now):
    # given
    script = "<script>alert('x')</script>"
    submit(client, anji, description=f"噪音{script}", name=f"王{script}"[:20])
    case = Case.objects.get()
    client.session.flush()
    # when
    page = client.get("/portal/", {"x": 1})
    # then
    assert case.description == f"噪音{script}"
    assert script not in page.content.decode()


def test_floods_from_one_address_are_rate_limited(client, anji, frozen_now):
    # given
    client.cookies["django_language"] = "en"
    for n in range(5):
        submit(client, anji, phone=f"1381234{n:04d}", description=f"第{n}件不同的事情：{'甲乙丙丁戊'[n] * 5}")
    # when
    resp = submit(client, anji, phone="13900000000")
    # then
    assert resp.status_code == 429
    assert "Too many requests" in resp.content.decode()
    assert Case.objects.count() == 5


def test_resubmitting_the_same_matter_links_to_the_existing_case(client, anji, frozen_now):
    # given
    submit(client, anji)
    case = Case.objects.get()
    # when
    resp = submit(
        client,
        anji,
        description="邻居装修噪音，晚上十点以后还在施工！！",
        files=[SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + b"0" * 50)],
    )
    html = client.get(resp["Location"]).content.decode()
    # then
    assert Case.objects.count() == 1
    assert 'id="linked"' in html and case.number in html and 'id="query-code"' not in html
    linked = LinkedSubmission.objects.get()
    assert linked.case == case and linked.score >= 0.4
    assert Attachment.objects.filter(case=case).count() == 1


def test_a_different_matter_of_the_same_person_is_a_new_case(client, anji, frozen_now):
    # given
    submit(client, anji)
    # when
    submit(client, anji, description="公司拖欠三个月工资不发")
    # then
    assert Case.objects.count() == 2


def _receipt(client, anji):
    submit(client, anji)
    html = client.get("/portal/receipt/").content.decode()
    return Case.objects.get(), re.search(r'id="query-code">(\w+)<', html).group(1)


def test_track_with_number_query_code_and_one_time_code(
    client, anji, frozen_now, sms_file, django_capture_on_commit_callbacks
):
    # given
    case, query_code = _receipt(client, anji)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/portal/track/", {"number": case.number, "query_code": query_code.lower()})
    code = re.search(r"验证码(\d{6})", json.loads(sms_file.read_text().splitlines()[-1])["text"]).group(1)
    wrong = client.post("/portal/track/verify/", {"code": "000000" if code != "000000" else "111111"})
    ok = client.post("/portal/track/verify/", {"code": code})
    page = client.get("/portal/case/")
    # then
    assert sent.status_code == 302 and sent["Location"] == "/portal/track/verify/"
    assert wrong.status_code == 422
    assert ok.status_code == 302 and ok["Location"] == "/portal/case/"
    html = page.content.decode()
    assert case.number in html and case.lead_organization.name in html
    assert "dispatcher" not in html and PHONE not in html and "李四" not in html
    otp = OutboxMessage.objects.get(template="one_time_code")
    assert code not in otp.body  # redacted after delivery


def test_wrong_query_code_says_nothing_about_the_case(client, anji, frozen_now):
    # given
    case, _code = _receipt(client, anji)
    # when
    resp = client.post("/portal/track/", {"number": case.number, "query_code": "WRONG123"})
    other = client.post("/portal/track/", {"number": "330523-2026-999999", "query_code": "WRONG123"})
    # then
    assert resp.status_code == other.status_code == 422
    assert not OutboxMessage.objects.filter(template="one_time_code").exists()


def test_the_case_page_needs_the_code(client, anji, frozen_now):
    # given
    _receipt(client, anji)
    # when
    resp = client.get("/portal/case/")
    # then
    assert resp.status_code == 302 and resp["Location"] == "/portal/track/"


def _open(client, anji, sms_file, capture):
    case, query_code = _receipt(client, anji)
    with capture(execute=True):
        client.post("/portal/track/", {"number": case.number, "query_code": query_code})
    code = re.search(r"验证码(\d{6})", sms_file.read_text()).group(1)
    client.post("/portal/track/verify/", {"code": code})
    return case


def _resolve(case, anji, staff_factory):
    handler = staff_factory(anji.org("village_committee", anji.village), ["handler"])
    case = case_transition(case=case, actor=handler, action="accept")
    case = case_transition(case=case, actor=handler, action="start")
    return case_transition(case=case, actor=handler, action="resolve", reason="双方达成协议，夜间不施工")


def test_rate_and_ask_to_reopen_once_resolved(
    client, anji, dispatcher, staff_factory, frozen_now, sms_file, django_capture_on_commit_callbacks
):
    # given
    case = _open(client, anji, sms_file, django_capture_on_commit_callbacks)
    early = client.post("/portal/case/rate/", {"stars": "5"})
    _resolve(case, anji, staff_factory)
    # when
    page = client.get("/portal/case/").content.decode()
    rated = client.post("/portal/case/rate/", {"stars": "4", "comment": "还行"})
    again = client.post("/portal/case/rate/", {"stars": "1"})
    reopen = client.post("/portal/case/reopen/", {"reason": "对方晚上仍在施工"})
    # then
    assert early.status_code == 409
    assert "双方达成协议" in page  # the result told to the applicant
    assert rated.status_code == 302 and PartyFeedback.objects.get(source="portal").score == 4
    assert again.status_code == 409 and PartyFeedback.objects.count() == 1
    assert reopen.status_code == 302
    req = ReopenRequest.objects.get()
    assert req.case == case and not req.handled
    assert OutboxMessage.objects.filter(template="reopen_requested", staff=dispatcher).exists()


def test_too_many_codes_for_one_case(client, anji, frozen_now):
    # given
    client.cookies["django_language"] = "en"
    case, query_code = _receipt(client, anji)
    for _ in range(3):
        client.post("/portal/track/", {"number": case.number, "query_code": query_code})
    # when
    resp = client.post("/portal/track/", {"number": case.number, "query_code": query_code})
    # then
    assert resp.status_code == 422 and "wait ten minutes" in resp.content.decode()


def test_portal_in_english(client, anji):
    # given
    client.cookies["django_language"] = "en"
    # when
    html = client.get("/portal/").content.decode()
    # then
    assert "Submit a dispute" in html and 'lang="en"' in html


def test_portal_speaks_chinese_by_default(client, anji):
    # given / when
    html = client.get("/portal/").content.decode()
    # then
    assert "反映矛盾纠纷" in html and "提交" in html
