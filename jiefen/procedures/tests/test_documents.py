"""The agreement as .docx and PDF: opened with python-docx and pypdf, text checked; versions."""

import io

import docx
import pytest
from pypdf import PdfReader

from jiefen.procedures import services
from jiefen.procedures.services import ActInput
from jiefen.procedures.tests.conftest import at

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def agreed(travel, accepted_case, mediator):
    travel(at(2026, 9, 1))
    case = accepted_case()
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
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_the_agreement_docx_carries_parties_facts_terms_and_signatures(client, agreed, mediator, token):
    # when
    resp = client.get(f"/api/v1/cases/{agreed.number}/documents/agreement.docx", **token(mediator))
    # then
    assert resp.status_code == 200 and resp["Content-Type"] == DOCX
    text = docx_text(resp.content)
    for expected in (
        "人民调解协议书",
        agreed.number,
        "申请人：王小明",
        "被申请人：李四",
        "楼上装修噪音",
        "1. 李四停止夜间施工",
        "2. 李四赔偿王小明人民币伍佰元",
        "2026年9月10日前一次性付清",
        "本协议自2026年9月1日起生效",
        "人民调解员（签名）：陈调解员",
        "人民调解委员会（盖章）",
    ):
        assert expected in text
    assert "330523198001010011" not in text  # masked, never in clear
    assert "3305**********0011" in text


def test_the_agreement_pdf_renders_chinese_without_a_font_file(client, agreed, mediator, token):
    # when
    resp = client.get(f"/api/v1/cases/{agreed.number}/documents/agreement.pdf", **token(mediator))
    # then
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    text = pdf_text(resp.content).replace(" ", "")
    for expected in ("人民调解协议书", agreed.number, "王小明", "李四停止夜间施工", "人民调解委员会（盖章）"):
        assert expected in text
    assert b"STSong-Light" in resp.content


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
    assert "伍佰元" in first.replace(" ", "") and "捌佰元" not in first
    versions = client.get(f"/api/v1/cases/{agreed.number}/agreements", **auth).json()
    assert [v["version"] for v in versions] == [2, 1]


def test_a_confirmed_agreement_cannot_be_edited(agreed, mediator):
    jc = services.procedure_start(case=agreed, actor=mediator, kind="judicial_confirmation")
    for action, data in (
        ("file_application", ActInput()),
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
    assert resp.status_code == 404
