"""Documents fit for court, as .docx (python-docx) and PDF (reportlab), A4.

Each procedure kind gets the agreement its law names, with that law's wording:

- 人民调解协议书 — 《中华人民共和国人民调解法》第二十八条、第二十九条 (what it states, when it takes
  effect), 第三十一条 (binding), 第三十三条 (judicial confirmation within 30 days);
- 劳动争议调解协议书 — 《中华人民共和国劳动争议调解仲裁法》第十四条 (signed, then binding),
  第十五条 (arbitration if not performed), 第十六条 (payment order for wages, …);
- 行政调解协议书 — an agreement reached under an administrative body (consumer complaints, a
  police station, a bureau);
- 调解协议书 of a court-entrusted (诉前) mediation — confirmation by the entrusting court
  (《中华人民共和国民事诉讼法》第二百零五条第一项);
- 和解协议书 — the parties' own settlement, witnessed by the body;

and the 司法确认申请书 to the court (民事诉讼法 第二百零五条、第二百零六条; 《最高人民法院关于人民调解
协议司法确认程序的若干规定》). The whole mediation file (卷宗) is one PDF for archiving.

The parties appear with their full identity (name, sex, date of birth, ID number, address,
phone): a court confirms nothing less. Screens show these masked; the only place they are
printed in full is a generated document, and every generation is a disclosure logged in
PiiAccessLog (via "document", which document) and on the timeline (`document_generated`).

Both formats are built from the same blocks, so they always say the same thing. The PDF embeds
a CJK font (procedures.fonts) so that any viewer shows it as printed.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiefen.cases.choices import PartyKind, PartyRole, Status
from jiefen.cases.models import Case, CaseEvent, Party, PiiAccessLog
from jiefen.core import clock, pii
from jiefen.core.errors import NotFound, PermissionDenied
from jiefen.procedures.models import Agreement, Procedure

ROLE_ZH: dict[str, str] = {
    PartyRole.APPLICANT: "申请人",
    PartyRole.RESPONDENT: "被申请人",
    PartyRole.THIRD_PARTY: "第三人",
}
SEX_ZH = {"M": "男", "F": "女"}
# Roles that may generate documents carrying the parties' full identity (as for a reveal).
DOCUMENT_ROLES = frozenset({"clerk", "dispatcher", "handler", "mediator", "leader", "admin"})
# Organisation kinds whose mediation is administrative mediation (行政调解).
ADMINISTRATIVE_KINDS = frozenset(
    {
        "market_regulation",
        "police_station",
        "police",
        "human_resources",
        "natural_resources",
        "housing",
        "justice_bureau",
        "petition_bureau",
    }
)


# ---------------------------------------------------------------- the blocks of a document


@dataclass
class Block:
    """One paragraph: `style` is title, number, h (heading), p, right, sign, break (new page)."""

    style: str
    text: str = ""


@dataclass
class Doc:
    title: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, style: str, *texts: str) -> Doc:
        self.blocks += [Block(style, t) for t in texts]
        return self


@dataclass(frozen=True)
class AgreementKind:
    code: str
    title: str
    body_label: str  # who keeps a copy and seals
    mediator_label: str
    preamble: str
    effect: tuple[str, ...]
    copies: str


AGREEMENT_KINDS: dict[str, AgreementKind] = {
    "people": AgreementKind(
        "people",
        "人民调解协议书",
        "人民调解委员会",
        "人民调解员",
        "根据《中华人民共和国人民调解法》第二十八条、第二十九条的规定，经{body}主持调解，"
        "双方当事人在平等协商、互谅互让的基础上自愿达成如下协议：",
        (
            "本调解协议书自各方当事人签名、盖章或者按指印，人民调解员签名并加盖人民调解委员会印章之日起生效"
            "（《中华人民共和国人民调解法》第二十九条）。",
            "经人民调解委员会调解达成的调解协议，具有法律约束力，当事人应当按照约定履行（第三十一条）。",
            "双方当事人认为有必要的，可以自调解协议生效之日起三十日内共同向人民法院申请司法确认（第三十三条）。",
        ),
        "本协议书一式三份，双方当事人各执一份，人民调解委员会留存一份。",
    ),
    "labour": AgreementKind(
        "labour",
        "劳动争议调解协议书",
        "调解组织",
        "调解员",
        "根据《中华人民共和国劳动争议调解仲裁法》第十四条的规定，经{body}调解，双方当事人自愿达成如下协议：",
        (
            "本调解协议书由双方当事人签名或者盖章，经调解员签名并加盖调解组织印章后生效，对双方当事人具有约束力，"
            "当事人应当履行（《中华人民共和国劳动争议调解仲裁法》第十四条）。",
            "达成调解协议后，一方当事人在协议约定期限内不履行调解协议的，另一方当事人可以依法申请仲裁（第十五条）。",
            "因支付拖欠劳动报酬、工伤医疗费、经济补偿或者赔偿金事项达成调解协议，用人单位在协议约定期限内不履行的，"
            "劳动者可以持调解协议书依法向人民法院申请支付令（第十六条）。",
        ),
        "本协议书一式三份，双方当事人各执一份，调解组织留存一份。",
    ),
    "administrative": AgreementKind(
        "administrative",
        "行政调解协议书",
        "行政机关",
        "调解人员",
        "经{body}主持调解，双方当事人在自愿、合法的基础上达成如下协议：",
        (
            "本协议书经双方当事人签名或者盖章、调解人员签名并加盖{body}印章后生效，当事人应当按照约定履行。",
            "本协议具有民事合同性质；一方不履行的，另一方可以依法申请仲裁或者向人民法院提起诉讼，"
            "也可以依法共同向人民法院申请司法确认。",
        ),
        "本协议书一式三份，双方当事人各执一份，{body}留存一份。",
    ),
    "entrusted": AgreementKind(
        "entrusted",
        "调解协议书",
        "调解组织",
        "调解员",
        "本纠纷经人民法院委派调解（诉前调解），由{body}主持调解，双方当事人自愿达成如下协议：",
        (
            "本调解协议书经双方当事人签名或者盖章、调解员签名后生效，当事人应当按照约定履行。",
            "双方当事人可以自调解协议生效之日起三十日内，共同向委派调解的人民法院申请司法确认"
            "（《中华人民共和国民事诉讼法》第二百零五条第一项）。",
        ),
        "本协议书一式三份，双方当事人各执一份，调解组织留存一份。",
    ),
    "settlement": AgreementKind(
        "settlement",
        "和解协议书",
        "见证单位",
        "见证人",
        "双方当事人经平等协商，在{body}见证下自愿达成如下和解协议：",
        (
            "本协议书自双方当事人签名或者盖章之日起生效。依法成立的合同受法律保护，"
            "对当事人具有法律约束力（《中华人民共和国民法典》第四百六十五条），当事人应当按照约定履行。",
        ),
        "本协议书一式三份，双方当事人各执一份，{body}留存一份。",
    ),
}


def agreement_kind(agreement: Agreement) -> AgreementKind:
    """The document an agreement is: by its procedure's kind and the body that ran it."""
    proc = agreement.procedure
    if (proc.data or {}).get("settlement"):
        return AGREEMENT_KINDS["settlement"]
    if proc.kind == "labour_mediation":
        return AGREEMENT_KINDS["labour"]
    if proc.kind == "entrusted_mediation":
        return AGREEMENT_KINDS["entrusted"]
    if proc.kind == "consumer_complaint" or proc.organization.kind in ADMINISTRATIVE_KINDS:
        return AGREEMENT_KINDS["administrative"]
    return AGREEMENT_KINDS["people"]


# ---------------------------------------------------------------- parties in full


def _zh_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "____年__月__日"


def _zh_time(dt) -> str:
    local = timezone.localtime(dt)
    return f"{_zh_date(local.date())}{local:%H:%M}"


def _decrypt(token: str) -> str:
    return pii.decrypt(token) if token else ""


def identity_line(party: Party, label: str | None = None) -> str:
    """申请人：王小明，男，1980年1月1日出生，公民身份号码……，住……，联系电话……。"""
    bits = [f"{label or ROLE_ZH.get(party.role, party.role)}：{party.name}"]
    if party.kind == PartyKind.PERSON:
        if party.sex:
            bits.append(SEX_ZH.get(party.sex, ""))
        if party.birth_date:
            bits.append(f"{_zh_date(party.birth_date)}出生")
        idn = _decrypt(party.id_number_enc)
        if idn:
            bits.append(f"公民身份号码{idn}")
        address = _decrypt(party.address_enc)
        if address:
            bits.append(f"住{address}")
    else:
        idn = _decrypt(party.id_number_enc)
        if idn:
            bits.append(f"统一社会信用代码{idn}")
        address = _decrypt(party.address_enc)
        if address:
            bits.append(f"住所地{address}")
    phone = _decrypt(party.phone_enc)
    if phone:
        bits.append(f"联系电话{phone}")
    return "，".join(b for b in bits if b) + "。"


def _disclosed_fields(party: Party) -> list[str]:
    return [f for f in ("id_number", "phone", "address") if getattr(party, f"{f}_enc")]


# ---------------------------------------------------------------- confirmations (mediation room)


# Readers of the parties' confirmations of the final terms (party, time, place, hash), registered
# by the apps that record them — the online mediation room registers
# `mediation_room.selectors.confirmations_for` in its AppConfig.ready. Procedures sits below
# those apps and does not import them.
_CONFIRMATION_READERS: list = []


def confirmations_reader_register(reader) -> None:
    """`reader(procedure)` returns the confirmation records of the procedure's final terms."""
    if reader not in _CONFIRMATION_READERS:
        _CONFIRMATION_READERS.append(reader)


def confirmations(procedure: Procedure) -> list:
    """The parties' confirmations of the final terms, from every registered reader."""
    return [record for reader in _CONFIRMATION_READERS for record in reader(procedure)]


def _sha256(text: str) -> str:
    """The hash that identifies one exact text of terms: SHA-256 of its UTF-8 bytes (as the
    mediation room computes it)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _confirmation_lines(agreement: Agreement) -> list[str]:
    records = confirmations(agreement.procedure)
    if not records:
        return []
    ours = _sha256(agreement.terms)
    lines = []
    for c in records:
        place = c.ip or "—"
        match = "与存档条款一致" if c.hash_matches else "与存档条款不一致"
        lines.append(
            f"{ROLE_ZH.get(c.party_role, c.party_role)}{c.party_name}于{_zh_time(c.confirmed_at)}"
            f"以发送至其手机（{c.phone_masked}）的验证码在线确认第{c.terms_number}版协议条款；"
            f"确认地点（网络地址）：{place}；条款摘要（SHA-256）：{c.sha256}（{match}）。"
        )
    same = all(c.sha256 == ours for c in records)
    lines.append(
        "上述确认的条款与本协议书所载条款一致。"
        if same
        else "注意：本协议书所载条款与当事人在线确认的条款文本不同，以当事人签名确认的文本为准。"
    )
    return lines


# ---------------------------------------------------------------- the agreement


def _numbered(terms: str) -> list[str]:
    lines = [line.strip() for line in terms.splitlines() if line.strip()]
    if len(lines) > 1 and not lines[0][:1].isdigit() and not lines[0].startswith("一"):
        return [f"{i}. {line}" for i, line in enumerate(lines, 1)]
    return lines or [""]


def agreement_doc(agreement: Agreement, *, in_file: bool = False) -> Doc:
    """The agreement of its kind, parties in full, confirmations and signatures."""
    kind = agreement_kind(agreement)
    case = agreement.case
    body = agreement.committee
    doc = Doc(kind.title)
    doc.add("title", kind.title)
    doc.add("number", f"编号：{case.number}（第{agreement.version}版）")
    doc.add("h", "当事人基本情况")
    parties = list(case.parties.all().order_by("id"))
    doc.add("p", *[identity_line(p) for p in parties])
    doc.add("h", "纠纷的主要事实、争议事项")
    doc.add("p", *(agreement.facts.splitlines() or [""]))
    doc.add("p", kind.preamble.format(body=body))
    doc.add("h", "协议内容")
    doc.add("p", *_numbered(agreement.terms))
    if agreement.performance:
        doc.add("h", "履行方式、时限")
        doc.add("p", *agreement.performance.splitlines())
    doc.add("h", "其他事项")
    doc.add("p", f"本协议自{_zh_date(agreement.effective_on)}起生效。")
    doc.add("p", *[t.format(body=body) for t in kind.effect])
    doc.add("p", kind.copies.format(body=body))
    lines = _confirmation_lines(agreement)
    if lines:
        doc.add("h", "当事人确认记录")
        doc.add("p", *lines)
    doc.add("p", "")
    doc.add(
        "sign", *[f"{ROLE_ZH.get(p.role, p.role)}（签名、盖章或者按指印）：________________" for p in parties]
    )
    doc.add("sign", f"{kind.mediator_label}（签名）：{agreement.mediators or '________________'}")
    doc.add("sign", f"{body}（盖章）")
    doc.add("right", _zh_date(agreement.effective_on))
    return doc


# ---------------------------------------------------------------- the application to the court


def confirmation_application_doc(agreement: Agreement, court_name: str = "") -> Doc:
    """司法确认申请书: the parties apply jointly (民事诉讼法 第二百零五条), with their pledges."""
    kind = agreement_kind(agreement)
    case = agreement.case
    parties = list(case.parties.all().order_by("id"))
    doc = Doc("司法确认申请书")
    doc.add("title", "司法确认申请书")
    doc.add("number", f"案件编号：{case.number}")
    for i, p in enumerate(parties, 1):
        doc.add("p", identity_line(p, f"申请人（{i}）"))
    doc.add("h", "请求事项")
    doc.add(
        "p",
        f"请求人民法院依法确认申请人于{_zh_date(agreement.effective_on)}经{agreement.committee}主持调解达成的"
        f"《{kind.title}》（编号{case.number}，第{agreement.version}版）有效。",
    )
    doc.add("h", "事实和理由")
    doc.add("p", *(agreement.facts.splitlines() or [""]))
    doc.add(
        "p",
        f"经{agreement.committee}主持调解，申请人于{_zh_date(agreement.effective_on)}自愿达成调解协议，协议内容如下：",
    )
    doc.add("p", *_numbered(agreement.terms))
    doc.add(
        "p",
        "申请人依照《中华人民共和国民事诉讼法》第二百零五条、第二百零六条及《最高人民法院关于人民调解协议"
        "司法确认程序的若干规定》的规定，自调解协议生效之日起三十日内共同向贵院申请司法确认。",
    )
    doc.add("h", "申请人承诺")
    doc.add(
        "p",
        "一、申请人出于解决纠纷的目的自愿达成调解协议，没有恶意串通、规避法律的行为；",
        "二、调解协议的内容不违反法律、行政法规的强制性规定，不损害国家利益、社会公共利益和他人合法权益；",
        "三、申请人所提交的材料真实、合法；如因虚假陈述、恶意串通等造成他人合法权益损害，愿意承担相应的法律责任。",
    )
    doc.add("p", "此致")
    doc.add("p", court_name or "____________人民法院")
    doc.add("p", f"附：1. {kind.title}一份；2. 申请人身份证明材料{len(parties)}份。")
    doc.add("p", "")
    doc.add("sign", *[f"申请人（签名）：{p.name}________________" for p in parties])
    doc.add("right", "____年__月__日")
    return doc


# ---------------------------------------------------------------- the mediation file (卷宗)


NOTICE_RIGHTS = (
    "根据《中华人民共和国人民调解法》第二十三条，当事人在人民调解活动中享有下列权利：",
    "（一）选择或者接受人民调解员；",
    "（二）接受调解、拒绝调解或者要求终止调解；",
    "（三）要求调解公开进行或者不公开进行；",
    "（四）自主表达意愿、自愿达成调解协议。",
    "根据第二十四条，当事人在人民调解活动中履行下列义务：",
    "（一）如实陈述纠纷事实；",
    "（二）遵守调解现场秩序，尊重人民调解员；",
    "（三）尊重对方当事人行使权利。",
    "人民调解不收取任何费用（第四条）。调解不成的，当事人可以依法通过仲裁、行政、司法等途径维护自己的权利（第二十六条）。",
)


def _file_sections(case: Case) -> list[tuple[str, Doc]]:
    from jiefen.cases.choices import Category, Channel
    from jiefen.procedures.choices import ProcedureKind
    from jiefen.procedures.definitions import OUTCOMES
    from jiefen.procedures.models import MediationSession, ReturnVisit

    parties = list(case.parties.all().order_by("id"))
    reg = Doc("纠纷登记表")
    reg.add("title", "纠纷登记表")
    reg.add(
        "p",
        f"案件编号：{case.number}",
        f"受理时间：{_zh_time(case.received_at)}；登记时间：{_zh_time(case.registered_at)}",
        f"来源渠道：{Channel(case.channel).label if case.channel in Channel.values else case.channel}",
        f"纠纷类别：{Category(case.category).label if case.category in Category.values else case.category}",
        f"发生地：{case.region.name}（{case.region.code}）",
        f"承办单位：{case.lead_organization.name}",
    )
    reg.add("h", "当事人")
    reg.add("p", *[identity_line(p) for p in parties])
    reg.add("h", "纠纷简要情况")
    reg.add("p", *(case.description.splitlines() or [""]))

    app = Doc("调解申请书")
    app.add("title", "调解申请书")
    app.add("p", *[identity_line(p) for p in parties if p.role == PartyRole.APPLICANT])
    app.add("h", "请求事项")
    app.add("p", *((case.request or "请求依法调解处理。").splitlines()))
    app.add("h", "事实和理由")
    app.add("p", *(case.description.splitlines() or [""]))
    app.add("p", "此致")
    app.add("p", case.lead_organization.name)
    app.add("right", f"申请人：{'、'.join(p.name for p in parties if p.role == PartyRole.APPLICANT)}")
    app.add("right", _zh_date(timezone.localtime(case.received_at).date()))

    notice = Doc("人民调解当事人权利义务告知书")
    notice.add("title", "人民调解当事人权利义务告知书")
    notice.add("p", *NOTICE_RIGHTS)
    notice.add("p", "")
    notice.add("sign", *[f"当事人（签名）：{p.name}________________" for p in parties])

    procs = list(
        Procedure.objects.filter(case=case).select_related("organization").order_by("started_at", "id")
    )
    records = Doc("调解笔录")
    records.add("title", "调解笔录")
    sessions = list(
        MediationSession.objects.filter(procedure__case=case)
        .select_related("procedure")
        .order_by("held_at", "id")
    )
    for s in sessions:
        records.add("h", f"{_zh_time(s.held_at)}　{s.place}")
        records.add("p", f"参加人员：{s.participants}", *(s.minutes.splitlines() or ["（无记录）"]))
    if not sessions:
        records.add("p", "（本案未记录调解会议。）")

    agreement = (
        Agreement.objects.filter(case=case)
        .select_related("procedure__organization")
        .order_by("-version")
        .first()
    )
    agreement_doc_ = (
        agreement_doc(agreement, in_file=True)
        if agreement
        else Doc("调解协议书").add("title", "调解协议书").add("p", "（本案未达成调解协议。）")
    )

    visits = Doc("回访记录")
    visits.add("title", "回访记录")
    rows = list(ReturnVisit.objects.filter(case=case).order_by("due_at", "id"))
    for v in rows:
        if v.done_at:
            visits.add(
                "p",
                f"{_zh_time(v.done_at)}：{'已联系到当事人' if v.reached else '未联系到当事人'}；"
                f"{'满意' if v.satisfied else ('不满意' if v.satisfied is False else '满意度未答')}；"
                f"{'纠纷反复' if v.recurred else '纠纷未反复'}。{v.note}",
            )
        else:
            visits.add("p", f"回访应于{_zh_date(timezone.localtime(v.due_at).date())}前完成（尚未回访）。")
    if not rows:
        visits.add("p", "（尚无回访记录。）")

    report = Doc("结案报告")
    report.add("title", "结案报告")
    report.add(
        "p",
        f"案件编号：{case.number}",
        f"当前状态：{Status(case.status).label}",
        f"化解层级：{case.get_resolved_level_display() or '—'}",
        f"办结时间：{_zh_time(case.closed_at) if case.closed_at else '—'}",
    )
    report.add("h", "办理经过")
    for p in procs:
        line = f"{ProcedureKind(p.kind).label}（{p.organization.name}）：{_zh_date(timezone.localtime(p.started_at).date())}开始"
        if p.ended_at:
            line += f"，{_zh_date(timezone.localtime(p.ended_at).date())}结束，结果：{OUTCOMES.get(p.outcome, p.outcome)}"
        data = p.data or {}
        if data.get("court_name"):
            line += f"；受理法院：{data['court_name']}"
        if data.get("ruling_no"):
            line += f"；裁定书文号：{data['ruling_no']}（{data.get('ruling_on', '')}）"
        report.add("p", line + "。")
    if not procs:
        report.add("p", "（未启动程序。）")
    result = case.events.filter(kind="resolve").order_by("-at").values_list("reason", flat=True).first()
    if result:
        report.add("h", "处理结果")
        report.add("p", result)
    return [
        ("纠纷登记表", reg),
        ("调解申请书", app),
        ("权利义务告知书", notice),
        ("调解笔录", records),
        (agreement_doc_.title + "（含当事人确认记录）", agreement_doc_),
        ("回访记录", visits),
        ("结案报告", report),
    ]


# ---------------------------------------------------------------- rendering


def docx_bytes(doc: Doc) -> bytes:
    """A4 (210 × 297 mm), 2.5 cm margins, SimSun/宋体 12 pt."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    d = Document()
    for section in d.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(25)
        section.top_margin = section.bottom_margin = Mm(25)
    style = d.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    style.font.size = Pt(12)
    d.core_properties.title = doc.title
    for b in doc.blocks:
        if b.style == "break":
            d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            continue
        para = d.add_paragraph()
        run = para.add_run(b.text)
        if b.style == "title":
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run.bold, run.font.size = True, Pt(20)
        elif b.style == "h":
            run.bold = True
        elif b.style in ("number", "right"):
            para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _styles():
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    from jiefen.procedures.fonts import pdf_font

    font = pdf_font().name  # registered with reportlab by pdf_font()
    body = ParagraphStyle("body", fontName=font, fontSize=12, leading=20, wordWrap="CJK")
    return {
        "p": body,
        "sign": ParagraphStyle("sign", parent=body, leading=26),
        "h": ParagraphStyle("h", parent=body, fontSize=13, leading=24, spaceBefore=6),
        "title": ParagraphStyle(
            "title", parent=body, fontSize=20, leading=30, alignment=TA_CENTER, spaceAfter=6
        ),
        "number": ParagraphStyle("number", parent=body, alignment=TA_RIGHT),
        "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
        "cover": ParagraphStyle(
            "cover", parent=body, fontSize=28, leading=40, alignment=TA_CENTER, spaceBefore=120
        ),
        "toc": ParagraphStyle("toc", parent=body, fontSize=13, leading=26),
    }


def _story(doc: Doc, styles) -> list:
    from xml.sax.saxutils import escape

    from reportlab.platypus import PageBreak, Paragraph

    out = []
    for b in doc.blocks:
        if b.style == "break":
            out.append(PageBreak())
        else:
            text = escape(b.text) or "&nbsp;"
            out.append(Paragraph(f"<b>{text}</b>" if b.style == "h" else text, styles[b.style]))
    return out


def _template(out, title: str):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    from jiefen.procedures.fonts import pdf_font

    return SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=25 * mm,
        bottomMargin=25 * mm,
        title=title,
        author="jiefen",
        # The canvas starts in this font, not Helvetica: every font in the file is the embedded one.
        initialFontName=pdf_font().name,
    )


def pdf_bytes(doc: Doc) -> bytes:
    out = io.BytesIO()
    _template(out, doc.title).build(_story(doc, _styles()))
    return out.getvalue()


def file_pdf_bytes(case: Case) -> bytes:
    """The 卷宗: cover, contents with page numbers, then each document on its own pages."""
    from xml.sax.saxutils import escape

    from reportlab.platypus import PageBreak, Paragraph, Spacer
    from reportlab.platypus.tableofcontents import TableOfContents

    styles = _styles()
    sections = _file_sections(case)
    parties = "、".join(p.name for p in case.parties.all().order_by("id"))
    story = [
        Paragraph("调解卷宗", styles["cover"]),
        Spacer(1, 40),
        *[
            Paragraph(escape(t), styles["toc"])
            for t in (
                f"案件编号：{case.number}",
                f"当事人：{parties}",
                f"承办单位：{case.lead_organization.name}",
                f"受理日期：{_zh_date(timezone.localtime(case.received_at).date())}",
                f"结案日期：{_zh_date(timezone.localtime(case.closed_at).date()) if case.closed_at else '—'}",
                f"立卷日期：{_zh_date(clock.today())}",
            )
        ],
        PageBreak(),
        Paragraph("卷内目录", styles["title"]),
    ]
    toc = TableOfContents()
    toc.levelStyles = [styles["toc"]]
    toc.dotsMinLevel = 0
    story += [toc, PageBreak()]
    for i, (heading, doc) in enumerate(sections, 1):
        marker = Paragraph(f'<a name="s{i}"/>{escape(f"{i}. {heading}")}', styles["h"])
        marker._toc = f"{i}. {heading}"  # read by afterFlowable for the contents
        story.append(marker)
        story += _story(doc, styles)
        story.append(PageBreak())
    out = io.BytesIO()
    template = _template(out, f"调解卷宗 {case.number}")

    def after(flowable):
        text = getattr(flowable, "_toc", None)
        if text:
            template.notify("TOCEntry", (0, escape(text), template.page))

    template.afterFlowable = after

    def page_no(canvas, d):
        canvas.saveState()
        canvas.setFont(styles["p"].fontName, 9)
        canvas.drawCentredString(d.pagesize[0] / 2, 12 * 2.834645669, f"— {d.page} —")
        canvas.restoreState()

    template.multiBuild(story, onLaterPages=page_no)
    return out.getvalue()


# ---------------------------------------------------------------- generation (a logged disclosure)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NAMES = (
    "agreement.docx",
    "agreement.pdf",
    "confirmation-application.docx",
    "confirmation-application.pdf",
    "file.pdf",
)


@dataclass
class Generated:
    body: bytes
    content_type: str
    filename: str


def _court_name(case: Case) -> str:
    proc = (
        Procedure.objects.filter(case=case, kind="judicial_confirmation")
        .order_by("-started_at", "-id")
        .first()
    )
    return (proc.data or {}).get("court_name", "") if proc else ""


def documents_available(case: Case) -> list[dict]:
    """What can be generated for the case now (name, title, format)."""
    latest = (
        Agreement.objects.filter(case=case)
        .select_related("procedure__organization")
        .order_by("-version")
        .first()
    )
    out = []
    if latest is not None:
        title = agreement_kind(latest).title
        out += [
            {"name": "agreement.docx", "title": title, "format": "docx", "version": latest.version},
            {"name": "agreement.pdf", "title": title, "format": "pdf", "version": latest.version},
            {
                "name": "confirmation-application.docx",
                "title": "司法确认申请书",
                "format": "docx",
                "version": latest.version,
            },
            {
                "name": "confirmation-application.pdf",
                "title": "司法确认申请书",
                "format": "pdf",
                "version": latest.version,
            },
        ]
    out.append({"name": "file.pdf", "title": "调解卷宗", "format": "pdf", "version": None})
    return out


def document_generate(
    *, case: Case, viewer, name: str, version: int | None = None, via: str = "web"
) -> Generated:
    """Generate document `name` of the case for `viewer` (already allowed to see the case),
    logging the disclosure of every party's identity printed in full: one PiiAccessLog row
    per party and field, and one `document_generated` timeline entry — in one transaction."""
    if not viewer.is_superuser and not set(viewer.roles or []) & DOCUMENT_ROLES:
        raise PermissionDenied(_("Your role may not generate documents with the parties' full identity."))
    if name not in NAMES:
        raise NotFound(_("No such document."))
    stem, fmt = name.rsplit(".", 1)
    agreement = None
    doc = None
    if stem != "file":
        qs = Agreement.objects.filter(case=case).select_related("procedure__organization", "case")
        agreement = (qs.filter(version=version) if version is not None else qs.order_by("-version")).first()
        if agreement is None:
            raise NotFound(_("There is no agreement on this case yet."))
        if stem == "agreement":
            doc = agreement_doc(agreement)
        elif stem == "confirmation-application":
            doc = confirmation_application_doc(agreement, _court_name(case))
    body = file_pdf_bytes(case) if doc is None else (pdf_bytes(doc) if fmt == "pdf" else docx_bytes(doc))
    purpose = f"{name} v{agreement.version}" if agreement else name
    now = clock.now()
    parties = list(case.parties.all())
    with transaction.atomic():
        PiiAccessLog.objects.bulk_create(
            [
                PiiAccessLog(staff=viewer, party=p, field=f, at=now, via="document", purpose=purpose[:100])
                for p in parties
                for f in _disclosed_fields(p)
            ]
        )
        CaseEvent.objects.create(
            case=case,
            at=now,
            actor=viewer,
            kind="document_generated",
            data={"document": name, "version": agreement.version if agreement else None, "via": via},
        )
    suffix = f"-v{agreement.version}" if agreement else ""
    return Generated(body, "application/pdf" if fmt == "pdf" else DOCX, f"{stem}-{case.number}{suffix}.{fmt}")
