"""Documents fit for court (issue 15 §4): the right document per procedure kind with its legal
wording, A4 in .docx and PDF, the PDF with an embedded CJK font, the parties in full — each
generation a logged disclosure —, the 司法确认申请书 and the whole file (卷宗) as one PDF.

.docx files are opened with python-docx, PDFs with pypdf (text, page size, fonts)."""

import io

import docx
import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from jiefen.cases.models import CaseEvent, PiiAccessLog
from jiefen.cases.services import PartyInput
from jiefen.procedures import services
from jiefen.procedures.fonts import pdf_font
from jiefen.procedures.services import ActInput
from jiefen.procedures.tests.conftest import PHONE, VALID_ID, at

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
A4 = (595.28, 841.89)  # points
ADDRESS = "浙江省湖州市安吉县孝丰镇横溪坞村3组18号"
RESPONDENT_ID = "330523199002020021"  # a woman born 2 Feb 1990


def parties():
    return [
        PartyInput(role="applicant", name="王小明", id_number=VALID_ID, phone=PHONE, address=ADDRESS),
        PartyInput(role="respondent", name="李四", id_number=RESPONDENT_ID, phone="13900001111"),
    ]


@pytest.fixture
def agreed(travel, accepted_case, mediator):
    travel(at(2026, 9, 1))
    case = accepted_case(parties=parties())
    proc = services.procedure_start(case=case, actor=mediator, kind="people_mediation", mediators="陈调解员")
    services.procedure_act(
        procedure=proc,
        actor=mediator,
        action="record_agreement",
        data=ActInput(
            terms="李四停止夜间施工\n李四赔偿王小明人民币伍佰元", performance="2026年9月10日前一次性付清"
        ),
    )
    return case


def docx_text(body: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(body)).paragraphs)


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages).replace(" ", "")


def pdf_fonts(body: bytes) -> list[dict]:
    """Every font of every page: its name and whether its program is embedded."""
    out = []
    for page in PdfReader(io.BytesIO(body)).pages:
        resources = page["/Resources"].get_object()
        assert isinstance(resources, DictionaryObject)  # a page's resources are a dictionary
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            assert isinstance(font, DictionaryObject)  # a PDF font is a dictionary
            descendants = font.get("/DescendantFonts")
            desc = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            desc = desc.get_object() if desc is not None else {}
            embedded = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            out.append({"name": str(font["/BaseFont"]), "embedded": embedded})
    return out


def assert_a4(body: bytes) -> None:
    for page in PdfReader(io.BytesIO(body)).pages:
        box = page.mediabox
        assert (round(float(box.width), 2), round(float(box.height), 2)) == A4


def require_cjk_font() -> None:
    """jiefen ships its CJK font (procedures/fonts/): the PDFs embed it on any machine."""
    font = pdf_font()
    assert font.embedded, "the shipped CJK font could not be loaded"


def test_the_shipped_font_is_taken_without_any_system_font(settings):
    # given: no font configured; the lookup starts from the shipped file
    from jiefen.procedures import fonts

    fonts._find.cache_clear()
    settings.JIEFEN_PDF_FONT = ""
    # when
    font = fonts.pdf_font()
    # then
    assert font.embedded and font.path == str(fonts.SHIPPED)
    assert (fonts.SHIPPED.parent / "LICENSE-wqy-microhei.txt").is_file()


def test_the_people_mediation_agreement_docx_is_a4_with_the_parties_in_full(client, agreed, mediator, token):
    # when
    resp = client.get(f"/api/v1/cases/{agreed.number}/documents/agreement.docx", **token(mediator))
    # then
    assert resp.status_code == 200 and resp["Content-Type"] == DOCX
    document = docx.Document(io.BytesIO(resp.content))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    text = docx_text(resp.content)
    for expected in (
        "人民调解协议书",
        agreed.number,
        f"申请人：王小明，男，1980年1月1日出生，公民身份号码{VALID_ID}，住{ADDRESS}，联系电话{PHONE}。",
        f"被申请人：李四，女，1990年2月2日出生，公民身份号码{RESPONDENT_ID}，联系电话13900001111。",
        "楼上装修噪音",
        "《中华人民共和国人民调解法》第二十八条、第二十九条",
        "1. 李四停止夜间施工",
        "2. 李四赔偿王小明人民币伍佰元",
        "2026年9月10日前一次性付清",
        "本协议自2026年9月1日起生效",
        "具有法律约束力，当事人应当按照约定履行（第三十一条）",
        "三十日内共同向人民法院申请司法确认（第三十三条）",
        "人民调解员（签名）：陈调解员",
        "人民调解委员会（盖章）",
    ):
        assert expected in text


def test_each_generation_is_a_logged_disclosure(client, agreed, mediator, token):
    # given
    auth = token(mediator)
    applicant = agreed.parties.get(role="applicant")
    # when
    client.get(f"/api/v1/cases/{agreed.number}/documents/agreement.pdf", **auth)
    client.get(f"/api/v1/cases/{agreed.number}/documents/agreement.docx", **auth)
    # then
    rows = PiiAccessLog.objects.filter(party=applicant, via="document").order_by("at", "id")
    assert sorted({r.field for r in rows}) == ["address", "id_number", "phone"]
    assert {r.purpose for r in rows} == {"agreement.pdf v1", "agreement.docx v1"}
    assert all(r.staff == mediator for r in rows)
    assert PiiAccessLog.objects.filter(via="document").count() == 2 * (3 + 2)  # applicant 3, respondent 2
    events = CaseEvent.objects.filter(case=agreed, kind="document_generated")
    assert [e.data["document"] for e in events.order_by("id")] == ["agreement.pdf", "agreement.docx"]


def test_screens_and_the_case_api_keep_the_identity_masked(client, agreed, mediator, token):
    # when
    detail = client.get(f"/api/v1/cases/{agreed.number}", **token(mediator)).json()
    client.force_login(mediator)
    page = client.get(f"/cases/{agreed.number}/").content.decode()
    # then
    applicant = next(p for p in detail["parties"] if p["role"] == "applicant")
    assert applicant["id_number"] == "3305**********0011" and applicant["sex"] == "M"
    assert applicant["address"] == "浙江省湖州市****"
    for secret in (VALID_ID, ADDRESS, PHONE):
        assert secret not in str(detail) and secret not in page
    assert "浙江省湖州市****" in page
    assert not PiiAccessLog.objects.exists()
    # the address is revealed like an ID number: with a reason, logged
    pk = agreed.parties.get(role="applicant").pk
    shown = client.post(
        f"/api/v1/cases/{agreed.number}/parties/{pk}/reveal?field=address&reason=送达", **token(mediator)
    )
    assert shown.json()["value"] == ADDRESS
    assert PiiAccessLog.objects.get().field == "address"


def test_the_address_is_encrypted_and_sex_and_birth_come_from_the_id_number(agreed):
    # given
    from jiefen.core import pii

    applicant = agreed.parties.get(role="applicant")
    # then
    assert ADDRESS not in applicant.address_enc and pii.decrypt(applicant.address_enc) == ADDRESS
    assert applicant.address_masked == "浙江省湖州市****"
    assert (applicant.sex, applicant.birth_date.isoformat()) == ("M", "1980-01-01")
    respondent = agreed.parties.get(role="respondent")
    assert (respondent.sex, respondent.birth_date.isoformat(), respondent.address_enc) == (
        "F",
        "1990-02-02",
        "",
    )


def test_the_agreement_pdf_is_a4_and_embeds_its_cjk_font(client, agreed, mediator, token):
    require_cjk_font()
    # when
    resp = client.get(f"/api/v1/cases/{agreed.number}/documents/agreement.pdf", **token(mediator))
    # then
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert_a4(resp.content)
    text = pdf_text(resp.content)
    for expected in (
        "人民调解协议书",
        agreed.number,
        VALID_ID,
        ADDRESS,
        "李四停止夜间施工",
        "人民调解委员会（盖章）",
    ):
        assert expected in text
    fonts = pdf_fonts(resp.content)
    assert fonts and all(f["embedded"] for f in fonts)
    assert all("+" in f["name"] for f in fonts)  # subsets of the embedded font


def test_without_an_embeddable_font_the_pdf_still_renders_chinese(client, agreed, mediator, token, settings):
    # given: no configured font and none of the known ones (the lookup is per setting)
    from jiefen.procedures import fonts

    settings.JIEFEN_PDF_FONT = "/nonexistent/font.ttf"
    original = fonts.CANDIDATES, fonts._fontconfig_files
    fonts.CANDIDATES, fonts._fontconfig_files = (), lambda: []
    fonts._find.cache_clear()
    try:
        # when
        resp = client.get(f"/api/v1/cases/{agreed.number}/documents/agreement.pdf", **token(mediator))
    finally:
        fonts.CANDIDATES, fonts._fontconfig_files = original
        fonts._find.cache_clear()
    # then
    assert resp.status_code == 200
    assert "人民调解协议书" in pdf_text(resp.content)
    assert any(f["name"] == "/STSong-Light" for f in pdf_fonts(resp.content))


@pytest.mark.parametrize(
    ("kind", "org_kind", "data", "title", "wording"),
    [
        (
            "labour_mediation",
            None,
            {},
            "劳动争议调解协议书",
            [
                "《中华人民共和国劳动争议调解仲裁法》第十四条",
                "申请支付令（第十六条）",
                "依法申请仲裁（第十五条）",
            ],
        ),
        (
            "consumer_complaint",
            "market_regulation",
            {},
            "行政调解协议书",
            ["在自愿、合法的基础上达成如下协议"],
        ),
        ("entrusted_mediation", None, {}, "调解协议书", ["人民法院委派调解", "第二百零五条第一项"]),
        (
            "people_mediation",
            None,
            {"settlement": True},
            "和解协议书",
            ["见证下自愿达成如下和解协议", "第四百六十五条"],
        ),
    ],
)
def test_each_procedure_kind_gets_its_own_agreement(
    client, travel, anji, accepted_case, staff_factory, token, kind, org_kind, data, title, wording
):
    # given
    travel(at(2026, 9, 1))
    org = anji.org(org_kind) if org_kind else anji.org("village_committee", anji.village)
    worker = staff_factory(org, ["mediator", "handler"])
    case = accepted_case(
        parties=parties(),
        actor=worker,
        category={"labour_mediation": "labour", "consumer_complaint": "consumer"}.get(kind, "neighbour"),
    )
    proc = services.procedure_start(case=case, actor=worker, kind=kind)
    if kind == "consumer_complaint":
        proc = services.procedure_act(procedure=proc, actor=worker, action="accept_complaint")
    services.procedure_act(
        procedure=proc,
        actor=worker,
        action="record_agreement",
        data=ActInput(terms="甲方支付乙方一千元", **data),
    )
    # when
    text = docx_text(
        client.get(f"/api/v1/cases/{case.number}/documents/agreement.docx", **token(worker)).content
    )
    listing = client.get(f"/api/v1/cases/{case.number}/documents/", **token(worker)).json()
    # then
    assert text.splitlines()[0] == title
    for w in wording:
        assert w in text
    assert "人民调解协议书" not in text
    assert {d["name"]: d["title"] for d in listing}["agreement.pdf"] == title


def test_the_documents_list_and_the_application_to_the_court(client, agreed, mediator, court, token):
    # given: the application names the court chosen
    jc = services.procedure_start(case=agreed, actor=mediator, kind="judicial_confirmation")
    services.procedure_act(
        procedure=jc, actor=mediator, action="file_application", data=ActInput(court_id=court.pk)
    )
    auth = token(mediator)
    # when
    listing = client.get(f"/api/v1/cases/{agreed.number}/documents/", **auth)
    app_docx = client.get(f"/api/v1/cases/{agreed.number}/documents/confirmation-application.docx", **auth)
    app_pdf = client.get(f"/api/v1/cases/{agreed.number}/documents/confirmation-application.pdf", **auth)
    # then
    names = [d["name"] for d in listing.json()]
    assert names == [
        "agreement.docx",
        "agreement.pdf",
        "confirmation-application.docx",
        "confirmation-application.pdf",
        "file.pdf",
    ]
    assert all(d["url"] == f"/api/v1/cases/{agreed.number}/documents/{d['name']}" for d in listing.json())
    text = docx_text(app_docx.content)
    for expected in (
        "司法确认申请书",
        f"申请人（1）：王小明，男，1980年1月1日出生，公民身份号码{VALID_ID}",
        "申请人（2）：李四，女",
        "请求人民法院依法确认申请人于2026年9月1日经",
        "《人民调解协议书》",
        "第二百零五条、第二百零六条",
        "《最高人民法院关于人民调解协议司法确认程序的若干规定》",
        "没有恶意串通、规避法律的行为",
        "此致",
        court.name,
    ):
        assert expected in text
    assert_a4(app_pdf.content)
    assert court.name in pdf_text(app_pdf.content)


def test_the_whole_file_is_one_pdf_with_contents(client, travel, agreed, mediator, token):
    # given: a session, then closure and the return visit
    proc = agreed.procedures.get(kind="people_mediation")
    assert proc.status == "ended"
    client.force_login(mediator)
    # when
    resp = client.get(f"/api/v1/cases/{agreed.number}/documents/file.pdf", **token(mediator))
    web = client.get(f"/procedures/cases/{agreed.number}/documents/file.pdf")
    # then
    assert resp.status_code == 200 and web.status_code == 200
    reader = PdfReader(io.BytesIO(resp.content))
    assert len(reader.pages) >= 8
    assert_a4(resp.content)
    text = pdf_text(resp.content)
    for expected in (
        "调解卷宗",
        "卷内目录",
        "1.纠纷登记表",
        "2.调解申请书",
        "3.权利义务告知书",
        "4.调解笔录",
        "5.人民调解协议书（含当事人确认记录）",
        "6.回访记录",
        "7.结案报告",
        "第二十三条",
        "如实陈述纠纷事实",
        VALID_ID,
        "李四停止夜间施工",
        "—2—",
    ):
        assert expected in text, expected
    contents = reader.pages[1].extract_text().replace(" ", "")
    assert "纠纷登记表" in contents and "结案报告" in contents


def test_a_role_without_need_gets_no_document_and_nothing_is_logged(
    client, agreed, anji, staff_factory, token
):
    # given
    analyst = staff_factory(anji.org("county_centre"), ["analyst"])
    # when
    resp = client.get(f"/api/v1/cases/{agreed.number}/documents/agreement.pdf", **token(analyst))
    unknown = client.get(f"/api/v1/cases/{agreed.number}/documents/secret.pdf", **token(analyst))
    # then
    assert resp.status_code == 403 and unknown.status_code == 403
    assert not PiiAccessLog.objects.exists()


def test_editing_the_terms_makes_a_new_version_and_keeps_the_old(client, agreed, mediator, token):
    # given
    auth = token(mediator)
    # when
    resp = client.post(
        f"/api/v1/cases/{agreed.number}/agreements",
        {"terms": "李四赔偿王小明人民币捌佰元"},
        content_type="application/json",
        **auth,
    )
    # then
    assert resp.status_code == 201 and resp.json()["version"] == 2
    latest = docx_text(client.get(f"/api/v1/cases/{agreed.number}/documents/agreement.docx", **auth).content)
    first = pdf_text(
        client.get(f"/api/v1/cases/{agreed.number}/documents/agreement.pdf?version=1", **auth).content
    )
    assert "捌佰元" in latest and "第2版" in latest
    assert "伍佰元" in first and "捌佰元" not in first
    versions = client.get(f"/api/v1/cases/{agreed.number}/agreements", **auth).json()
    assert [v["version"] for v in versions] == [2, 1]


def test_a_confirmed_agreement_cannot_be_edited(agreed, mediator, court):
    jc = services.procedure_start(case=agreed, actor=mediator, kind="judicial_confirmation")
    for action, data in (
        ("file_application", ActInput(court_id=court.pk)),
        ("court_accept", ActInput()),
        ("confirm", ActInput(ruling_no="民特1号")),
    ):
        jc = services.procedure_act(procedure=jc, actor=mediator, action=action, data=data)
    with pytest.raises(Exception) as exc:
        services.agreement_revise(case=agreed, actor=mediator, terms="改")
    assert exc.value.code == "agreement_confirmed"


def test_no_agreement_no_document(client, travel, accepted_case, mediator, token):
    travel(at(2026, 9, 1))
    case = accepted_case()
    resp = client.get(f"/api/v1/cases/{case.number}/documents/agreement.pdf", **token(mediator))
    listing = client.get(f"/api/v1/cases/{case.number}/documents/", **token(mediator)).json()
    assert resp.status_code == 404
    assert [d["name"] for d in listing] == ["file.pdf"]
