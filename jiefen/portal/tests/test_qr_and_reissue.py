"""解纷码 (issue 15 §3) and the query code reissued to a verified party (issue 17 §10).

The QR codes are checked against the library that made them: the modules drawn in the SVG are
read back and must equal the matrix of the expected address (no decoder is installed)."""

import json
import re

import pytest
import segno

from jiefen.cases.models import CaseEvent
from jiefen.directory.services import api_token_create
from jiefen.notifications.models import OutboxMessage
from jiefen.portal import qr
from jiefen.portal.tests.test_portal import PHONE, _receipt

pytestmark = pytest.mark.django_db
PORTAL = "https://jiefen.example.gov.cn/portal/"


def modules(svg: str) -> list[list[bool]]:
    """The dark modules of a segno SVG (one path of horizontal runs, scaled), as a matrix."""
    path, width, scale = (
        re.search(r' d="([^"]+)"', svg),
        re.search(r'width="(\d+)"', svg),
        re.search(r"scale\((\d+)\)", svg),
    )
    assert path is not None and width is not None and scale is not None, svg
    d = path.group(1)
    size = int(width.group(1)) // int(scale.group(1))
    grid = [[False] * size for _ in range(size)]
    x = y = 0.0
    for op, a, b in re.findall(r"([Mmhv])(-?[\d.]+)(?:\s*(-?[\d.]+))?", d):
        a = float(a)
        if op == "M":
            x, y = a, float(b)
        elif op == "m":
            x, y = x + a, y + float(b)
        elif op == "h":
            for i in range(int(round(a))):
                grid[int(y - 0.5)][int(x) + i] = True
            x += a
    return grid


def matrix(data: str) -> list[list[bool]]:
    q = segno.make(data, error="m", micro=False)
    return [[bool(v) for v in row] for row in q.matrix_iter(border=4)]


def test_the_case_qr_opens_its_portal_page_behind_the_codes(client, anji, frozen_now, settings):
    # given
    settings.JIEFEN_PORTAL_URL = PORTAL
    case, _code = _receipt(client, anji)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(staff=_staff(anji))}"}
    # when
    resp = client.get(f"/api/v1/cases/{case.number}/qr.svg", **auth)
    # then
    assert resp.status_code == 200 and resp["Content-Type"] == "image/svg+xml"
    svg = resp.content.decode()
    url = f"{PORTAL}track/?number={case.number}"
    assert qr.case_url(case.number) == url
    assert modules(svg) == matrix(url)
    assert modules(svg) != matrix(f"{PORTAL}track/?number=330523-2026-999999")
    # the page it opens asks for the query code: nothing of the case without it
    page = client.get(f"/portal/track/?number={case.number}")
    assert page.status_code == 200 and case.number in page.content.decode()
    assert client.get("/portal/case/").status_code == 302


def test_the_portal_receipt_shows_the_qr_and_the_centre(client, anji, frozen_now, settings):
    # given
    settings.JIEFEN_PORTAL_URL = PORTAL
    settings.JIEFEN_CENTRE_ADDRESS = "安吉县递铺街道昌硕东路1号"
    settings.JIEFEN_CENTRE_PHONE = "0572-5120000"
    # when
    case, _code = _receipt(client, anji)
    html = client.get("/portal/receipt/").content.decode()
    # then
    assert 'id="case-qr"' in html and "<svg" in html
    assert PORTAL in html and "昌硕东路1号" in html and "0572-5120000" in html


def test_every_sms_to_a_citizen_gives_the_portal_and_the_centre(client, anji, frozen_now, settings):
    # given
    settings.JIEFEN_PORTAL_URL = PORTAL
    settings.JIEFEN_CENTRE_ADDRESS = "安吉县递铺街道昌硕东路1号"
    settings.JIEFEN_CENTRE_PHONE = "0572-5120000"
    # when
    case, _code = _receipt(client, anji)
    # then
    msg = OutboxMessage.objects.get(case=case, template="case_registered")
    assert f"{PORTAL}track/?number={case.number}" in msg.body
    assert "地址：安吉县递铺街道昌硕东路1号" in msg.body and "电话：0572-5120000" in msg.body


def test_a_poster_opens_the_form_with_its_village_filled_in(client, anji, settings):
    # given
    settings.JIEFEN_PORTAL_URL = PORTAL
    village = anji.village
    # when
    poster = client.get(f"/portal/poster/{village.code}/")
    svg = client.get(f"/portal/poster/{village.code}.svg")
    form = client.get(f"/portal/?region={village.code}")
    # then
    url = f"{PORTAL}?region={village.code}"
    assert (
        poster.status_code == 200
        and url in poster.content.decode()
        and village.name in poster.content.decode()
    )
    assert modules(svg.content.decode()) == matrix(url)
    html = form.content.decode()
    assert re.search(rf'value="{village.code}"[^>]*selected', html)
    assert re.search(rf'value="{anji.town.code}"[^>]*selected', html)
    assert client.get("/portal/poster/999999999999/").status_code == 404


def _staff(anji):
    from jiefen.directory.models import Staff

    return Staff.objects.create_user(
        username="clerk", password="pw-123456789", organization=anji.org("county_centre"), roles=["clerk"]
    )


def test_a_reissued_query_code_replaces_the_old_one(
    client, anji, frozen_now, sms_file, django_capture_on_commit_callbacks
):
    # given: a citizen opened the case with the first code
    case, old = _receipt(client, anji)
    applicant = case.parties.get(role="applicant")
    clerk = _staff(anji)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(staff=clerk)}"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/portal/track/", {"number": case.number, "query_code": old})
    code = re.search(r"验证码(\d{6})", sms_file.read_text()).group(1)
    client.post("/portal/track/verify/", {"code": code})
    assert client.get("/portal/case/").status_code == 200
    # when
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            f"/api/v1/cases/{case.number}/query-code",
            {"party_id": applicant.pk, "verification": "窗口核验身份证原件"},
            content_type="application/json",
            **auth,
        )
    # then
    assert resp.status_code == 201, resp.content
    new = resp.json()["query_code"]
    assert new != old and resp.json()["sms"] is True
    assert client.get("/portal/case/").status_code == 302  # the session opened with the old code ended
    refused = client.post("/portal/track/", {"number": case.number, "query_code": old})
    assert refused.status_code == 422
    accepted = client.post("/portal/track/", {"number": case.number, "query_code": new})
    assert accepted.status_code == 302
    event = CaseEvent.objects.get(case=case, kind="query_code_reissued")
    assert (
        event.actor == clerk and event.reason == "窗口核验身份证原件" and event.data["party"] == applicant.pk
    )
    texts = [json.loads(line)["text"] for line in sms_file.read_text().splitlines()]
    assert any(new in t and case.number in t for t in texts)
    assert all(PHONE not in t for t in texts)


def test_a_reissue_needs_the_check_and_a_party_of_the_case(client, anji, frozen_now):
    # given
    case, old = _receipt(client, anji)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(staff=_staff(anji))}"}
    applicant = case.parties.get(role="applicant")
    # when
    unverified = client.post(
        f"/api/v1/cases/{case.number}/query-code",
        {"party_id": applicant.pk, "verification": "  "},
        content_type="application/json",
        **auth,
    )
    stranger = client.post(
        f"/api/v1/cases/{case.number}/query-code",
        {"party_id": 999999, "verification": "身份证"},
        content_type="application/json",
        **auth,
    )
    # then
    assert unverified.status_code == 422 and unverified.json()["error"] == "verification_required"
    assert stranger.status_code == 404
    assert client.post("/portal/track/", {"number": case.number, "query_code": old}).status_code == 302


def test_staff_reissue_on_the_case_page_shows_the_new_code_once(client, anji, frozen_now, settings):
    # given
    settings.JIEFEN_CENTRE_ADDRESS = "安吉县递铺街道昌硕东路1号"
    settings.JIEFEN_CENTRE_PHONE = "0572-5120000"
    case, old = _receipt(client, anji)
    clerk = _staff(anji)
    client.force_login(clerk)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert 'id="reissue-form"' in page and f"/cases/{case.number}/qr.svg" in page
    assert f"/portal/poster/{anji.village.code}/" in page
    # when
    resp = client.post(
        f"/cases/{case.number}/query-code/",
        {"party": case.parties.get(role="applicant").pk, "verification": "身份证"},
    )
    receipt = client.get(resp["Location"]).content.decode()
    again = client.get(resp["Location"]).content.decode()
    # then
    new = re.search(r'id="query-code">(\w+)<', receipt).group(1)
    assert new != old and 'id="query-code"' not in again
    assert 'id="receipt-qr"' in receipt and "昌硕东路1号" in receipt and "0572-5120000" in receipt
    assert client.get(f"/cases/{case.number}/qr.svg")["Content-Type"] == "image/svg+xml"
