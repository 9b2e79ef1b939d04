"""Classification over HTTP: `POST /triage/classify {"text": ...}` -> category, confidence, top 3, keywords.

Registered by `jiefen.api.router` under `/api/v1/`. An empty or whitespace text is a 422
(`validation_failed`, field `text`); a text over 100,000 characters is rejected by the schema (422).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from jiefen.core.errors import ValidationFailed
from jiefen.directory.requests import ApiRequest
from jiefen.triage.classifier import EmptyText, classify, normalise
from jiefen.triage.risk import risk_out

router = Router(tags=["triage"])

MAX_TEXT_CHARS = 100_000


class ClassifyIn(Schema):
    text: str = Field(..., max_length=MAX_TEXT_CHARS)


class ClassifyOut(Schema):
    category: str
    confidence: float
    top: list[list[str | float]]  # [[category, confidence], …]
    keywords: list[str]
    needs_review: bool


@router.post("/triage/classify", response=ClassifyOut)
def triage_classify(request: ApiRequest, payload: ClassifyIn):
    """The dispute category of a text, with a calibrated confidence, the three most
    likely categories and the words that drove the decision. `needs_review` is true below the
    confidence threshold: a dispatcher confirms the category.
    """
    try:
        normalise(payload.text)
    except EmptyText as exc:
        raise ValidationFailed(
            _("There is no text to classify."), fields={"text": [_("Enter the text to classify.")]}
        ) from exc
    return classify(payload.text).as_dict()


# ---------------------------------------------------------------- proposals, related, link/merge, routing


class PartyProbe(Schema):
    role: str = Field("applicant", max_length=20)
    name: str = Field("", max_length=100)
    id_number: str = Field("", max_length=30)
    phone: str = Field("", max_length=30)


class ProposeIn(Schema):
    text: str = Field(..., max_length=MAX_TEXT_CHARS)
    region_code: str = Field(..., max_length=12)
    channel: str = Field("walk_in", max_length=30)
    category: str | None = Field(None, max_length=30)
    parties: list[PartyProbe] = Field([], max_length=200)


class LinkIn(Schema):
    number: str = Field(..., max_length=24)
    reason: str = Field("", max_length=200)


class MergeIn(Schema):
    into: str = Field(..., max_length=24)
    reason: str = Field(..., max_length=2000)
    version: int | None = None


class ConfirmIn(Schema):
    category: str = Field(..., max_length=30)
    version: int | None = None
    reroute: bool = True


class DryRunIn(Schema):
    region_code: str = Field(..., max_length=12)
    category: str = Field("other", max_length=30)
    channel: str = Field("walk_in", max_length=30)
    risk: str = Field("blue", max_length=10)
    text: str = Field("", max_length=MAX_TEXT_CHARS)


def _region_chain(viewer, code: str):
    from jiefen.cases.routing import RegionChain
    from jiefen.directory.selectors import region_in_jurisdiction
    from jiefen.regions.models import Region

    region = Region.objects.filter(code=(code or "").strip()).select_related("county", "town").first()
    if region is None or not region_in_jurisdiction(viewer, region):
        raise ValidationFailed(
            _("Unknown region code."), fields={"region_code": [_("unknown or outside your jurisdiction")]}
        )
    return RegionChain.of(region)


@router.post("/triage/propose", summary="Proposals for an intake being typed: category, risk, related, owner")
def triage_propose(request: ApiRequest, payload: ProposeIn):
    from jiefen.cases.choices import Category, Channel
    from jiefen.triage.selectors import visible_related
    from jiefen.triage.serializers import proposal_out, related_out
    from jiefen.triage.services import triage_intake

    if not payload.text.strip():
        raise ValidationFailed(
            _("There is no text to classify."), fields={"text": [_("Enter the text to classify.")]}
        )
    if payload.category and payload.category not in Category.values:
        raise ValidationFailed(_("Unknown category."), fields={"category": [_("invalid")]})
    if payload.channel not in Channel.values:
        raise ValidationFailed(_("Unknown channel."), fields={"channel": [_("invalid")]})
    chain = _region_chain(request.auth, payload.region_code)
    t = triage_intake(
        category=payload.category,
        description=payload.text[:20000],
        parties=[p.dict() for p in payload.parties],
        channel=payload.channel,
        chain=chain,
    )
    return {
        "category": t.category,
        "needs_review": t.needs_review,
        "proposal": proposal_out(t.proposal),
        "risk": risk_out(t.risk.level, [r.as_dict() for r in t.risk.reasons]),
        "related": related_out(visible_related(viewer=request.auth, items=t.related.items)),
        "routing": t.routing_out(),
    }


@router.get("/triage/cases/{number}", summary="A case's triage: proposal, confirmed category, risk, routing")
def triage_get(request: ApiRequest, number: str):
    from jiefen.cases.selectors import case_get
    from jiefen.triage.selectors import case_triage

    case = case_get(viewer=request.auth, number=number)
    t = case_triage(case=case)
    if t is None:
        return {
            "number": case.number,
            "risk": None,
            "proposal": None,
            "confirmed_category": "",
            "needs_review": False,
        }
    return {
        "number": case.number,
        "merged_into": case.merged_into.number if case.merged_into_id else None,
        "proposal": {
            "category": t.proposed_category,
            "confidence": t.proposed_confidence,
            "keywords": t.proposed_keywords,
        },
        "confirmed_category": t.confirmed_category,
        "needs_review": t.needs_review,
        "risk": risk_out(t.risk_level, t.risk_reasons),
        "routing": t.routing,
    }


@router.get(
    "/triage/cases/{number}/related", summary="Related cases (same person, respondent, similar text, links)"
)
def triage_related(request: ApiRequest, number: str):
    from jiefen.cases.selectors import case_get
    from jiefen.triage.selectors import case_related
    from jiefen.triage.serializers import related_out

    case = case_get(viewer=request.auth, number=number)
    return {"number": case.number, "related": related_out(case_related(viewer=request.auth, case=case))}


@router.post("/triage/cases/{number}/link", summary="Declare two cases related")
def triage_link(request: ApiRequest, number: str, payload: LinkIn):
    from jiefen.cases.selectors import case_get
    from jiefen.triage.services import case_link

    case = case_get(viewer=request.auth, number=number)
    other = case_get(viewer=request.auth, number=payload.number)
    case_link(case=case, other=other, actor=request.auth, reason=payload.reason)
    return {"number": case.number, "linked": other.number}


@router.post("/triage/cases/{number}/merge", summary="Merge this case into another (the survivor)")
def triage_merge(request: ApiRequest, number: str, payload: MergeIn):
    from jiefen.cases.selectors import case_get
    from jiefen.triage.services import case_merge

    case = case_get(viewer=request.auth, number=number)
    into = case_get(viewer=request.auth, number=payload.into)
    merged = case_merge(
        case=case, into=into, actor=request.auth, reason=payload.reason, version=payload.version
    )
    return {"number": merged.number, "status": merged.status, "merged_into": into.number}


@router.post("/triage/cases/{number}/category", summary="Confirm or override the category (dispatcher)")
def triage_confirm(request: ApiRequest, number: str, payload: ConfirmIn):
    from jiefen.cases.selectors import case_get
    from jiefen.triage.services import case_category_confirm

    case = case_get(viewer=request.auth, number=number)
    case = case_category_confirm(
        case=case,
        actor=request.auth,
        category=payload.category,
        version=payload.version,
        reroute=payload.reroute,
    )
    return {
        "number": case.number,
        "category": case.category,
        "lead_organization": case.lead_organization.name,
        "level": case.level,
        "version": case.version,
    }


@router.post("/triage/routing/dry-run", summary="Which rule would take this case, and why")
def triage_dry_run(request: ApiRequest, payload: DryRunIn):
    from jiefen.cases.choices import Category, Channel
    from jiefen.cases.routing import route

    errors = {}
    if payload.category not in Category.values:
        errors["category"] = [_("invalid")]
    if payload.channel not in Channel.values:
        errors["channel"] = [_("invalid")]
    if payload.risk not in ("blue", "yellow", "orange", "red"):
        errors["risk"] = [_("invalid")]
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    chain = _region_chain(request.auth, payload.region_code)
    d = route(
        category=payload.category, chain=chain, risk=payload.risk, channel=payload.channel, text=payload.text
    )
    return {
        "rule": d.rule.pk if d.rule else None,
        "level": d.level,
        "lead": {"id": d.organization.pk, "name": d.organization.name, "kind": d.organization.kind},
        "assist": [{"id": o.pk, "name": o.name, "kind": o.kind} for o in d.assist],
        "explanation": d.explanation,
        "trace": list(d.trace),
        "skipped": list(d.skipped),
    }


@router.get("/triage/agreement", summary="Classifier agreement with confirmed categories, per category")
def triage_agreement(request: ApiRequest):
    from jiefen.triage.selectors import agreement

    return {"categories": [{**r, "label": str(r["label"])} for r in agreement(viewer=request.auth)]}
