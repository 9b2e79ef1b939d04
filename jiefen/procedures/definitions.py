"""Each procedure kind as data: its steps (with the time-limit rule each runs under, what its
clock starts from, whether it is a window that closes, and how it may be extended) and its
actions (from which steps, to which step, who may take them, what they need and what they do
to the case). procedures.services is the one engine that runs these tables; the UI and the
API offer only what `actions_for` returns.

Rules are looked up by code and the case's province (deadlines.selectors.time_limit_rule), so
a province's variant (e.g. Zhejiang's 信访 limits) is a row of data, never a branch here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from jiefen.procedures.choices import ProcedureKind as K

WORKERS = frozenset({"handler", "mediator", "grid_worker", "agent", "leader", "dispatcher", "admin"})
# 信访 "本机关负责人", court "院长", arbitration "仲裁委员会主任": the head of the body, a leader.
HEADS = frozenset({"leader"})

# Where a step's clock starts.
FROM_RECEIPT = "received"  # the case's received_at (or the date the application reached the body)
FROM_EVENT = "event"  # the date of the action that opened the step
FROM_AGREEMENT = "agreement"  # the date the mediation agreement took effect

END = ""  # target of an action that ends the procedure
SAME = "="  # target of an action that records something and stays in the step


@dataclass(frozen=True)
class StepDef:
    code: str
    label: object
    rule: str | None = None
    # Alternative rule when the procedure runs under the simple procedure (简易程序).
    simple_rule: str | None = None
    start: str = FROM_EVENT
    # A window (申请期限): the act that ends it must happen by the due date (else deadline_passed).
    window: bool = False
    # "approval": approved by one of `approvers` within the rule's extension_days;
    # "consent": the parties agree (委派调解), bounded by extension_days or one more period.
    extension: str = ""
    approvers: frozenset[str] = HEADS


@dataclass(frozen=True)
class ActDef:
    code: str
    label: object
    sources: frozenset[str]
    target: str = END
    outcome: str = ""
    roles: frozenset[str] = WORKERS
    reason_required: bool = False
    needs: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()
    # Taken by a body above the one that took this earlier action of the procedure (信访工作条例
    # 第35、36条: 复查 by the body above the one that answered, 复核 above the one that reviewed),
    # never by the same person: see `body_above`.
    above: str = ""

    @property
    def ends(self) -> bool:
        return self.target == END


@dataclass(frozen=True)
class KindDef:
    code: str
    steps: dict[str, StepDef]
    first: str
    actions: dict[str, ActDef]
    start_effects: tuple[str, ...] = ("case_start",)
    requires_agreement: bool = False
    # Who may start it: the case categories it fits and the kinds of organisation that run it
    # (None: any). Offered in the UI and enforced by procedure_start (`procedure_not_offered`).
    categories: frozenset[str] | None = None
    organizations: frozenset[str] | None = None


def _steps(*steps: StepDef) -> dict[str, StepDef]:
    return {s.code: s for s in steps}


def _acts(*acts: ActDef) -> dict[str, ActDef]:
    return {a.code: a for a in acts}


def _f(*codes: str) -> frozenset[str]:
    return frozenset(codes)


# 民事诉讼法 第206条: a refused confirmation leaves the parties to change the agreement by
# mediation or to go to court: the chain's next step is the court's litigation-guided mediation
# (诉讼引调, 委派调解), started by the action that records the refusal.
NEXT_AFTER_REFUSAL = "chain:entrusted_mediation"
# Organisation kinds that are courts: the one chosen when a confirmation is applied for.
COURT_KINDS = frozenset({"court", "peoples_tribunal"})
# The kinds of organisation that run each procedure (directory.OrganizationKind). A village
# committee mediates (人民调解法 第7条) but does not arbitrate, adjudicate or answer petitions.
_COMMITTEES = _f(
    "village_committee", "town_committee", "industry_committee", "medical_committee", "traffic_committee"
)
_CENTRES = _f("county_centre", "town_centre")
MEDIATION_BODIES = _COMMITTEES | _CENTRES | _f("justice_office", "justice_bureau")
# 劳动争议调解仲裁法 第10条: enterprise committees, grass-roots people's mediation organisations,
# and the labour-dispute mediation bodies of towns and streets.
LABOUR_MEDIATION_BODIES = MEDIATION_BODIES | _f("human_resources", "labour_arbitration")
# The arbitration commission, and the centres that host its window (a centre takes the
# application in for the commission).
ARBITRATION = _f("labour_arbitration", "human_resources") | _CENTRES
# 诉前委派调解: the court entrusts a case to a mediation organisation.
ENTRUSTING = _f("court", "peoples_tribunal") | MEDIATION_BODIES
COURT_SIDE = _f("court", "peoples_tribunal", "county_centre", "legal_aid")
# 信访工作条例: administrative bodies answer petitions, not committees or courts.
PETITION_BODIES = _CENTRES | _f(
    "petition_bureau",
    "justice_bureau",
    "police",
    "police_station",
    "human_resources",
    "natural_resources",
    "housing",
    "market_regulation",
)
LEGAL_AID_BODIES = _f("legal_aid", "justice_bureau", "justice_office") | _CENTRES
CONSUMER_BODIES = _f("market_regulation", "industry_committee") | _CENTRES
# Where a body is reviewed by 同级人民政府, the centre of that level stands for the government.
PEOPLES_GOVERNMENT = _CENTRES
_LEVEL_RANK = {"village": 0, "town": 1, "county": 2, "city": 3, "province": 4}

MEDIATORS = ActDef(
    "assign_mediators",
    _("assign the mediators"),
    _f("mediation"),
    SAME,
    needs=("mediators",),
)
SESSION = ActDef(
    "record_session",
    _("record a mediation session"),
    _f("mediation"),
    SAME,
    needs=("held_at", "place", "participants"),
)
AGREEMENT = ActDef(
    "record_agreement",
    _("record the agreement"),
    _f("mediation"),
    END,
    "agreement",
    needs=("terms",),
    effects=("agreement", "case_resolve"),
)
NO_AGREEMENT = ActDef(
    "record_no_agreement",
    _("record no agreement (tell the other routes)"),
    _f("mediation"),
    END,
    "no_agreement",
    reason_required=True,
    needs=("legal_route",),
)

KINDS: dict[str, KindDef] = {
    K.PEOPLE_MEDIATION: KindDef(
        K.PEOPLE_MEDIATION,
        _steps(StepDef("mediation", _("mediation"), "people_mediation.handle")),
        "mediation",
        _acts(MEDIATORS, SESSION, AGREEMENT, NO_AGREEMENT),
        organizations=MEDIATION_BODIES,
    ),
    K.JUDICIAL_CONFIRMATION: KindDef(
        K.JUDICIAL_CONFIRMATION,
        _steps(
            StepDef(
                "apply",
                _("joint application to the court"),
                "judicial_confirmation.apply",
                start=FROM_AGREEMENT,
                window=True,
            ),
            StepDef("court_accept", _("court decides to accept"), "judicial_confirmation.accept"),
            StepDef(
                "court_decide",
                _("court decides on confirmation"),
                "judicial_confirmation.decide",
                extension="approval",
            ),
        ),
        "apply",
        _acts(
            ActDef(
                "file_application",
                _("application filed with the court"),
                _f("apply"),
                "court_accept",
                needs=("court_id",),
            ),
            ActDef("court_accept", _("court accepted the application"), _f("court_accept"), "court_decide"),
            ActDef(
                "court_refuse",
                _("court refused the application"),
                _f("court_accept"),
                END,
                "not_accepted",
                reason_required=True,
                effects=(NEXT_AFTER_REFUSAL,),
            ),
            ActDef(
                "confirm",
                _("ruling: agreement confirmed"),
                _f("court_decide"),
                END,
                "confirmed",
                needs=("ruling_no",),
                effects=("case_resolve",),
            ),
            ActDef(
                "reject",
                _("ruling: confirmation rejected"),
                _f("court_decide"),
                END,
                "rejected",
                reason_required=True,
                needs=("ruling_no",),
                effects=(NEXT_AFTER_REFUSAL,),
            ),
        ),
        start_effects=(),
        requires_agreement=True,
    ),
    K.ENTRUSTED_MEDIATION: KindDef(
        K.ENTRUSTED_MEDIATION,
        _steps(
            StepDef(
                "mediation", _("entrusted mediation"), "entrusted_mediation.pre_filing", extension="consent"
            )
        ),
        "mediation",
        _acts(
            MEDIATORS,
            SESSION,
            AGREEMENT,
            ActDef(
                "file_case",
                _("mediation failed: case filed with the court"),
                _f("mediation"),
                END,
                "filed",
                reason_required=True,
                effects=("case_transfer_litigation",),
            ),
        ),
        organizations=ENTRUSTING,
    ),
    K.LABOUR_MEDIATION: KindDef(
        K.LABOUR_MEDIATION,
        _steps(StepDef("mediation", _("labour mediation"), "labour_mediation.handle", start=FROM_RECEIPT)),
        "mediation",
        _acts(MEDIATORS, SESSION, AGREEMENT, NO_AGREEMENT),
        categories=_f("labour"),
        organizations=LABOUR_MEDIATION_BODIES,
    ),
    K.LABOUR_ARBITRATION: KindDef(
        K.LABOUR_ARBITRATION,
        _steps(
            StepDef(
                "accept", _("commission decides to accept"), "labour_arbitration.accept", start=FROM_RECEIPT
            ),
            StepDef(
                "award",
                _("arbitral award"),
                "labour_arbitration.award",
                simple_rule="labour_arbitration.award_simple",
                extension="approval",
            ),
        ),
        "accept",
        _acts(
            ActDef("accept_application", _("application accepted"), _f("accept"), "award"),
            ActDef(
                "refuse_application",
                _("application refused"),
                _f("accept"),
                END,
                "not_accepted",
                reason_required=True,
            ),
            ActDef(
                "record_award",
                _("award made"),
                _f("award"),
                END,
                "award",
                needs=("result",),
                effects=("case_resolve",),
            ),
        ),
        start_effects=("case_start", "case_transfer_arbitration"),
        categories=_f("labour"),
        organizations=ARBITRATION,
    ),
    K.PETITION: KindDef(
        K.PETITION,
        _steps(
            StepDef(
                "register", _("register and transfer or assign"), "petition.register", start=FROM_RECEIPT
            ),
            StepDef("handle", _("handling"), "petition.handle", extension="approval"),
            StepDef(
                "review_request", _("time to request a review (复查)"), "petition.review_request", window=True
            ),
            StepDef("review_opinion", _("review opinion"), "petition.review_opinion"),
            StepDef(
                "recheck_request",
                _("time to request a re-check (复核)"),
                "petition.recheck_request",
                window=True,
            ),
            StepDef(
                "recheck_opinion",
                _("re-check opinion (hearing time not counted)"),
                "petition.recheck_opinion",
            ),
        ),
        "register",
        _acts(
            ActDef("accept", _("accepted for handling"), _f("register"), "handle"),
            ActDef(
                "not_accept",
                _("not accepted (tell the proper route)"),
                _f("register"),
                END,
                "not_accepted",
                reason_required=True,
            ),
            ActDef("reply", _("written reply issued"), _f("handle"), "review_request", needs=("result",)),
            ActDef("request_review", _("review requested"), _f("review_request"), "review_opinion"),
            ActDef(
                "record_review_opinion",
                _("review opinion issued"),
                _f("review_opinion"),
                "recheck_request",
                needs=("result",),
                above="reply",
            ),
            ActDef("request_recheck", _("re-check requested"), _f("recheck_request"), "recheck_opinion"),
            ActDef(
                "record_recheck_opinion",
                _("re-check opinion issued (the matter is ended)"),
                _f("recheck_opinion"),
                END,
                "ended_after_recheck",
                needs=("result", "demands"),
                # demands rejected: 办结 (ended), not 已化解 (resolved)
                effects=("petition_ended", "case_resolve_or_end"),
                above="record_review_opinion",
            ),
            ActDef(
                "conclude",
                _("concluded (no further request)"),
                _f("review_request", "recheck_request"),
                END,
                "concluded",
                effects=("case_resolve_or_end",),
            ),
        ),
        organizations=PETITION_BODIES,
    ),
    K.LEGAL_AID: KindDef(
        K.LEGAL_AID,
        _steps(
            StepDef("decide", _("decide on the application"), "legal_aid.decide", start=FROM_RECEIPT),
            StepDef("denied", _("refused (the applicant may object)")),
            StepDef("objection", _("objection decided by the justice bureau"), "legal_aid.objection"),
            StepDef("assign", _("assign a lawyer"), "legal_aid.assign"),
            StepDef("agency", _("agent litigation")),
        ),
        "decide",
        _acts(
            ActDef("grant", _("legal aid granted"), _f("decide"), "assign"),
            ActDef("deny", _("legal aid refused"), _f("decide"), "denied", reason_required=True),
            ActDef("object", _("objection lodged"), _f("denied"), "objection", reason_required=True),
            ActDef("accept_refusal", _("refusal accepted"), _f("denied"), END, "denied"),
            ActDef("objection_granted", _("objection upheld: aid granted"), _f("objection"), "assign"),
            ActDef(
                "objection_rejected",
                _("objection rejected"),
                _f("objection"),
                END,
                "denied",
                reason_required=True,
            ),
            ActDef("assign_lawyer", _("lawyer assigned"), _f("assign"), "agency", needs=("lawyer",)),
            ActDef(
                "record_result",
                _("agent litigation ended"),
                _f("agency"),
                END,
                "concluded",
                needs=("result",),
            ),
        ),
        organizations=LEGAL_AID_BODIES,
    ),
    K.CONSUMER_COMPLAINT: KindDef(
        K.CONSUMER_COMPLAINT,
        _steps(
            StepDef("accept", _("decide to accept the complaint"), "consumer.accept", start=FROM_RECEIPT),
            StepDef("mediation", _("mediation (testing and appraisal not counted)"), "consumer.mediate"),
        ),
        "accept",
        _acts(
            ActDef("accept_complaint", _("complaint accepted"), _f("accept"), "mediation"),
            ActDef(
                "refuse_complaint",
                _("complaint not accepted"),
                _f("accept"),
                END,
                "not_accepted",
                reason_required=True,
            ),
            MEDIATORS,
            SESSION,
            AGREEMENT,
            ActDef(
                "record_no_agreement",
                _("mediation ended without agreement"),
                _f("mediation"),
                END,
                "no_agreement",
                reason_required=True,
                needs=("legal_route",),
            ),
        ),
        categories=_f("consumer"),
        organizations=CONSUMER_BODIES,
    ),
    K.LITIGATION: KindDef(
        K.LITIGATION,
        _steps(
            StepDef("filing", _("filing (立案)")),
            StepDef("hearing", _("hearing")),
            StepDef("judgment", _("judgment")),
        ),
        "filing",
        _acts(
            ActDef(
                "record_filing",
                _("case filed by the court"),
                _f("filing"),
                "hearing",
                needs=("court_case_no",),
            ),
            ActDef("record_hearing", _("hearing held"), _f("hearing"), "judgment"),
            ActDef(
                "record_judgment",
                _("judgment given"),
                _f("judgment"),
                END,
                "judgment",
                needs=("result",),
                effects=("case_resolve",),
            ),
        ),
        start_effects=("case_start", "case_transfer_litigation"),
        organizations=COURT_SIDE,
    ),
}

# Actions every procedure has, whatever its open step.
GENERIC: dict[str, ActDef] = _acts(
    ActDef("suspend", _("suspend the clock (中止)"), frozenset(), SAME, reason_required=True),
    ActDef("resume", _("resume the clock"), frozenset(), SAME),
    ActDef(
        "request_extension",
        _("request an extension"),
        frozenset(),
        SAME,
        reason_required=True,
        needs=("days",),
    ),
    ActDef(
        "approve_extension",
        _("approve the extension"),
        frozenset(),
        SAME,
        roles=HEADS | WORKERS,
        needs=("extension_id",),
    ),
    ActDef(
        "reject_extension",
        _("reject the extension"),
        frozenset(),
        SAME,
        roles=HEADS | WORKERS,
        reason_required=True,
        needs=("extension_id",),
    ),
    ActDef("withdraw", _("withdraw or terminate"), frozenset(), END, "withdrawn", reason_required=True),
)


def offered(kd: KindDef, *, category: str, organization_kind: str | None) -> bool:
    """Whether a procedure of this kind fits a case of `category` and an actor of an
    organisation of `organization_kind` (None: the actor has no organisation, e.g. a superuser)."""
    if kd.categories is not None and category not in kd.categories:
        return False
    return kd.organizations is None or organization_kind is None or organization_kind in kd.organizations


def body_above(reviewer, answerer) -> bool:
    """Whether organisation `reviewer` is above `answerer` (信访工作条例 第35、36条: 上一级行政机关
    或者同级人民政府): its region strictly contains the answerer's, or it is the same region's
    government (the centre) reviewing one of that region's other bodies."""
    if reviewer is None or answerer is None or reviewer.pk == answerer.pk:
        return False
    r, a = reviewer.region, answerer.region
    if a.pk != r.pk:
        contains = r.pk in (a.county_id, a.town_id, getattr(a, "parent_id", None)) and r.pk != a.pk
        return contains and _LEVEL_RANK.get(r.level, 0) > _LEVEL_RANK.get(a.level, 0)
    return reviewer.kind in PEOPLES_GOVERNMENT and answerer.kind not in PEOPLES_GOVERNMENT


def kind_def(kind: str) -> KindDef | None:
    return KINDS.get(kind)


def action_def(kind: str, code: str) -> ActDef | None:
    kd = KINDS.get(kind)
    if kd is None:
        return None
    return kd.actions.get(code) or GENERIC.get(code)


# What a petition answer says of the petitioner's demands (reply, 复查 and 复核 opinions).
DEMANDS = {
    "upheld": _("demands upheld"),
    "partly": _("demands partly upheld"),
    "rejected": _("demands rejected"),
}

OUTCOMES = {
    "agreement": _("agreement reached"),
    "no_agreement": _("no agreement"),
    "not_accepted": _("not accepted"),
    "confirmed": _("confirmed by the court"),
    "rejected": _("confirmation rejected"),
    "filed": _("filed with the court"),
    "award": _("award made"),
    "ended_after_recheck": _("ended after re-check"),
    "concluded": _("concluded"),
    "denied": _("aid refused"),
    "judgment": _("judgment given"),
    "withdrawn": _("withdrawn or terminated"),
}
