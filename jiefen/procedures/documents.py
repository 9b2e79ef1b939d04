"""The mediation agreement (人民调解协议书) as .docx (python-docx) and PDF (reportlab).

The PDF uses reportlab's built-in CID font STSong-Light (Adobe-GB1), so Chinese renders with
no font file on the machine. Both documents are built from the same `agreement_sections`,
so they always say the same thing. Identity numbers and phones appear masked: revealing
them in full is a logged action of its own (docs/security.md).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from jiefen.cases.choices import PartyRole
from jiefen.procedures.models import Agreement

TITLE = "人民调解协议书"
ROLE_ZH = {PartyRole.APPLICANT: "申请人", PartyRole.RESPONDENT: "被申请人", PartyRole.THIRD_PARTY: "第三人"}


@dataclass
class Section:
    heading: str
    lines: list[str]


def agreement_sections(agreement: Agreement) -> tuple[str, list[Section], list[str]]:
    """(number line, sections, signature lines) of an agreement version."""
    case = agreement.case
    number = f"编号：{case.number}（第{agreement.version}版）"
    parties = []
    for p in case.parties.all().order_by("id"):
        bits = [f"{ROLE_ZH.get(p.role, p.role)}：{p.name}"]
        if p.id_number_masked:
            bits.append(f"身份证号码：{p.id_number_masked}")
        if p.phone_masked:
            bits.append(f"联系电话：{p.phone_masked}")
        if p.address:
            bits.append(f"住址：{p.address}")
        parties.append("，".join(bits))
    sections = [
        Section("当事人", parties),
        Section("纠纷主要事实、争议事项", agreement.facts.splitlines() or [""]),
        Section("经调解，自愿达成如下协议", _numbered(agreement.terms)),
    ]
    if agreement.performance:
        sections.append(Section("履行方式、时限", agreement.performance.splitlines()))
    sections.append(
        Section(
            "其他",
            [
                f"本协议自{_zh_date(agreement.effective_on)}起生效。",
                "本协议一式三份，双方当事人、人民调解委员会各执一份。",
                "经人民调解委员会调解达成的调解协议，具有法律约束力，当事人应当按照约定履行。"
                "双方当事人可以自调解协议生效之日起三十日内共同向人民法院申请司法确认。",
            ],
        )
    )
    signatures = [
        *[
            f"{ROLE_ZH.get(p.role, p.role)}（签名）：________________"
            for p in case.parties.all().order_by("id")
        ],
        f"人民调解员（签名）：{agreement.mediators or '________________'}",
        f"{agreement.committee}（盖章）",
        _zh_date(agreement.effective_on),
    ]
    return number, sections, signatures


def _numbered(terms: str) -> list[str]:
    lines = [line.strip() for line in terms.splitlines() if line.strip()]
    if len(lines) > 1 and not lines[0][:1].isdigit() and not lines[0].startswith("一"):
        return [f"{i}. {line}" for i, line in enumerate(lines, 1)]
    return lines or [""]


def _zh_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def agreement_docx(agreement: Agreement) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    number, sections, signatures = agreement_sections(agreement)
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    style.font.size = Pt(12)
    doc.core_properties.title = f"{TITLE} {agreement.case.number} v{agreement.version}"
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(TITLE)
    run.bold = True
    run.font.size = Pt(20)
    para = doc.add_paragraph(number)
    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for section in sections:
        heading = doc.add_paragraph()
        heading.add_run(section.heading).bold = True
        for line in section.lines:
            doc.add_paragraph(line)
    doc.add_paragraph("")
    for line in signatures:
        p = doc.add_paragraph(line)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if line == signatures[-1] else WD_ALIGN_PARAGRAPH.LEFT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def agreement_pdf(agreement: Agreement) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    body = ParagraphStyle("body", fontName=font, fontSize=12, leading=20, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, fontSize=13, leading=24, spaceBefore=6)
    title = ParagraphStyle("title", parent=body, fontSize=20, leading=30, alignment=TA_CENTER)
    right = ParagraphStyle("right", parent=body, alignment=TA_RIGHT)
    number, sections, signatures = agreement_sections(agreement)
    story = [Paragraph(TITLE, title), Paragraph(escape(number), right), Spacer(1, 4 * mm)]
    for section in sections:
        story.append(Paragraph(f"<b>{escape(section.heading)}</b>", head))
        story += [Paragraph(escape(line) or "&nbsp;", body) for line in section.lines]
    story.append(Spacer(1, 10 * mm))
    story += [Paragraph(escape(line), body) for line in signatures[:-1]]
    story.append(Paragraph(escape(signatures[-1]), right))
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=25 * mm,
        bottomMargin=25 * mm,
        title=f"{TITLE} {agreement.case.number}",
    ).build(story)
    return out.getvalue()
