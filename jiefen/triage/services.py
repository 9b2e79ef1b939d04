"""Writes of triage: what intake records (proposal, risk, related, routing, assisting organisations),
risk recomputed when a case changes, category confirmation by a dispatcher, link and merge.

`triage_intake` is read-only (the registration service and the live intake proposals both call
it); `case_register` writes its result (`triage_rows`) with the new case, in one transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from jiefen.cases import hooks
from jiefen.cases.choices import Category, Level, PartyRole, Status
from jiefen.cases.models import Case, CaseEvent
from jiefen.cases.routing import RegionChain, RoutingDecision, county_centre, route
from jiefen.core import bulkwrite, clock, pii
from jiefen.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from jiefen.directory.models import Staff
from jiefen.triage import classifier, risk, search
from jiefen.triage.models import CaseLink, CaseTriage, LinkKind
from jiefen.triage.related import Related, RelatedQuery, find_related, find_related_many

log = logging.getLogger(__name__)

SKIPPED_ALERT_RULE = "routing_rule_skipped"
CONFIRM_ROLES = frozenset({"dispatcher", "admin"})


@dataclass
class IntakeTriage:
    category: str
    category_given: bool
    proposal: classifier.Result | None
    needs_review: bool
    risk: risk.Assessment
    related: Related
    decision: RoutingDecision
    rules_decision: RoutingDecision  # what the rules say even when the case waits for a dispatcher

    def event_data(self) -> dict:
        """What the `routed` event records about intake triage (the timeline is the audit trail)."""
        p = self.proposal
        return {
            "proposed": p.category if p else "",
            "confidence": round(p.confidence, 4) if p else None,
            "keywords": list(p.keywords) if p else [],
            "category": self.category,
            "category_given": self.category_given,
            "needs_review": self.needs_review,
            "risk": self.risk.as_dict(),
            "related": [{k: r[k] for k in ("number", "reason", "score")} for r in self.related.items],
            "assist": [o.name for o in self.decision.assist],
        }

    def routing_out(self) -> dict:
        d = self.decision
        return {
            "rule": d.rule.pk if d.rule else None,
            "rule_order": d.rule.order if d.rule else None,
            "level": d.level,
            "lead": {"id": d.organization.pk, "name": d.organization.name, "kind": d.organization.kind},
            "assist": [{"id": o.pk, "name": o.name, "kind": o.kind} for o in d.assist],
            "explanation": d.explanation,
            "needs_review": self.needs_review,
        }


def _party_value(p, key: str) -> str:
    return (p.get(key) if isinstance(p, dict) else getattr(p, key, "")) or ""


_CLASSIFY = object()  # triage_intake classifies the text itself (a batch passes its proposal)


def triage_intake(
    *,
    category: str | None,
    description: str,
    request: str = "",
    parties: list,
    channel: str,
    chain: RegionChain,
    now: datetime | None = None,
    exclude_case_id: int | None = None,
    proposal: classifier.Result | None | object = _CLASSIFY,
    related: Related | None = None,
) -> IntakeTriage:
    """Propose the category, assess the risk, find related cases and route (reads only).

    `parties` are cleaned dicts (or PartyInput) with role, name, id_number, phone. When no
    category is given the classifier's proposal is used; below its confidence threshold the case
    goes to the county centre's dispatchers, flagged for review.
    """
    now = now or clock.now()
    text = f"{description}\n{request}".strip()
    if proposal is _CLASSIFY:
        try:
            proposal = classifier.classify(text)
            if proposal.undetermined:  # nothing can be said of the text: a dispatcher decides
                proposal = None
        except Exception:  # the model must never stop an intake: a dispatcher decides instead
            log.exception("classifier failed at intake")
            proposal = None
    given = bool(category)
    if given:
        chosen, needs_review = str(category), False
    elif proposal is not None:
        chosen, needs_review = proposal.category, proposal.needs_review
    else:
        chosen, needs_review = Category.OTHER, True
    if related is None:
        q = _related_query(IntakeRequest(category, description, parties, channel, chain, request))
        related = find_related(**vars(q), now=now, exclude_case_id=exclude_case_id)
    applicants = sum(1 for p in parties if _party_value(p, "role") == PartyRole.APPLICANT)
    assessment = risk.assess(
        risk.RiskInput(
            text=text,
            applicants=applicants,
            people=len(parties),
            person_earlier_cases=related.person_cases,
            respondent_open_cases=related.respondent_open_cases,
        )
    )
    by_rules = route(category=chosen, chain=chain, risk=assessment.level, channel=channel, text=text)
    decision = by_rules
    if needs_review:
        decision = RoutingDecision(
            organization=county_centre(chain.county),
            level=Level.COUNTY,
            rule=None,
            explanation=_(
                "The category is uncertain: the county centre's dispatchers confirm it (the rules "
                "would give %(org)s)."
            )
            % {"org": by_rules.organization.name},
            trace=by_rules.trace,
            skipped=by_rules.skipped,
        )
    return IntakeTriage(
        category=chosen,
        category_given=given,
        proposal=proposal,
        needs_review=needs_review,
        risk=assessment,
        related=related,
        decision=decision,
        rules_decision=by_rules,
    )


def _event(
    case: Case, kind: str, actor, now, *, reason: str = "", data: dict | None = None, **kw
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, at=now, actor=actor, kind=kind, reason=reason, data=data or {}, **kw
    )


def _search_text(case: Case, parties: list | None = None) -> str:
    """The words a clerk may search the case by. For a case being registered, `parties` are its
    new Party rows (and it has no hotline order yet: the hotline import adds the order id)."""
    if parties is not None:
        names, ids = [p.name for p in parties], []
    else:
        names = list(case.parties.values_list("name", flat=True))
        ids = (
            list(case.hotline_orders.values_list("order_id", flat=True))
            if hasattr(case, "hotline_orders")
            else []
        )
    return search.search_text(
        number=case.number, description=case.description, request=case.request, names=names, external_ids=ids
    )


@dataclass
class IntakeRequest:
    """What `triage_intake` takes, for `triage_intake_many`."""

    category: str | None
    description: str
    parties: list
    channel: str
    chain: RegionChain
    request: str = ""


def _related_query(r: IntakeRequest) -> RelatedQuery:
    """What the related-case lookup needs of an intake: keyed hashes, respondents, text, place."""
    id_hashes, phone_hashes, respondents = [], [], []
    for p in r.parties:
        idn = pii.normalize_id_number(_party_value(p, "id_number"))
        phone = pii.normalize_phone(_party_value(p, "phone"))
        if idn:
            id_hashes.append(pii.keyed_hash(idn))
        if phone:
            phone_hashes.append(pii.keyed_hash(phone))
        if _party_value(p, "role") == PartyRole.RESPONDENT:
            respondents.append(_party_value(p, "name"))
    return RelatedQuery(
        id_hashes=id_hashes,
        phone_hashes=phone_hashes,
        respondent_names=respondents,
        description=r.description,
        county_id=r.chain.county.pk,
        town_id=r.chain.town.pk if r.chain.town else None,
    )


def triage_intake_many(requests: list[IntakeRequest], *, now: datetime | None = None) -> list[IntakeTriage]:
    """`triage_intake` for many intakes at once (imports): the texts are classified in one
    batch, the related cases of all of them found with one statement (find_related_many)."""
    now = now or clock.now()
    try:
        proposals = classifier.classify_batch([f"{r.description}\n{r.request}".strip() for r in requests])
        proposals = [p if p is not None and not p.undetermined else None for p in proposals]
    except Exception:  # the model must never stop an intake: a dispatcher decides instead
        log.exception("classifier failed at intake")
        proposals = [None] * len(requests)
    related = find_related_many([_related_query(r) for r in requests], now=now)
    return [
        triage_intake(**vars(r), now=now, proposal=p, related=rel)
        for r, p, rel in zip(requests, proposals, related, strict=True)
    ]


def triage_rows(
    items: list[tuple[Case, IntakeTriage, list | None, Staff | None]], *, now: datetime
) -> list[CaseTriage]:
    """The triage rows of just-registered cases (not yet written: case_register writes them with
    the case's other rows), each with the search text of the case and its new Party rows; the
    staff member registering a case confirms the category they chose."""
    return [_triage_row(case, outcome, actor, now, parties) for case, outcome, parties, actor in items]


def triage_skipped_record(items: list[tuple[Case, IntakeTriage]], *, now: datetime) -> None:
    """Record the routing rules that intake triage had to skip (after the cases are written)."""
    for case, outcome in items:
        for skipped in outcome.decision.skipped:
            routing_rule_skipped(case=case, skipped=skipped, now=now)


def _triage_row(case: Case, outcome: IntakeTriage, actor, now: datetime, parties: list | None) -> CaseTriage:
    proposal = outcome.proposal
    return bulkwrite.build(
        CaseTriage,
        case=case,
        proposed_category=proposal.category if proposal else "",
        proposed_confidence=round(proposal.confidence, 4) if proposal else None,
        proposed_keywords=list(proposal.keywords) if proposal else [],
        confirmed_category=outcome.category if outcome.category_given else "",
        confirmed_by=actor if outcome.category_given else None,
        confirmed_at=now if outcome.category_given else None,
        needs_review=outcome.needs_review,
        risk_level=outcome.risk.level,
        risk_reasons=[r.as_dict() for r in outcome.risk.reasons],
        risk_at=now,
        routing=outcome.routing_out(),
        search_text=_search_text(case, parties),
    )


def routing_rule_skipped(*, case: Case, skipped: dict, now: datetime) -> None:
    """A rule could not be evaluated: never silent. Timeline entry, error log, and an alert to
    the administrators (alerts app) when it is installed."""
    log.error(
        "routing rule %s (order %s) skipped: %s",
        skipped.get("rule"),
        skipped.get("order"),
        skipped.get("error"),
    )
    _event(case, "routing_rule_skipped", None, now, reason=str(skipped.get("error", ""))[:500], data=skipped)
    try:
        from jiefen.alerts.models import AlertRule, SubjectKind
        from jiefen.alerts.services import Signal, alerts_raise
    except ImportError:  # pragma: no cover - the alerts app is part of the project
        return
    rule, _created = AlertRule.objects.get_or_create(
        code=SKIPPED_ALERT_RULE,
        defaults={"severity": "orange", "note": "routing rule could not be evaluated (triage)"},
    )
    if not rule.enabled:
        return
    alerts_raise(
        [
            Signal(
                rule=rule,
                subject_kind=SubjectKind.REGION,
                subject_key=f"routing_rule:{skipped.get('rule')}",
                subject_label=_("Routing rule %(order)s") % {"order": skipped.get("order")},
                county_id=case.county_id,
                case_id=case.pk,
                reasons=[
                    {
                        "code": "routing_rule_skipped",
                        "rule": skipped.get("rule"),
                        "error": skipped.get("error"),
                    }
                ],
            )
        ],
        now=now,
    )


# ---------------------------------------------------------------- recomputed on change


def _risk_for(case: Case) -> risk.Assessment:
    parties = list(case.parties.all())
    related = find_related(
        id_hashes=[p.id_number_hash for p in parties if p.id_number_hash],
        phone_hashes=[p.phone_hash for p in parties if p.phone_hash],
        respondent_names=[p.name for p in parties if p.role == PartyRole.RESPONDENT],
        description="",  # similar text does not change the risk
        county_id=case.county_id,
        town_id=case.town_id,
        now=clock.now(),
        exclude_case_id=case.pk,
    )
    return risk.assess(
        risk.RiskInput(
            text=f"{case.description}\n{case.request}",
            applicants=sum(1 for p in parties if p.role == PartyRole.APPLICANT),
            people=len(parties),
            person_earlier_cases=related.person_cases,
            respondent_open_cases=related.respondent_open_cases,
            returns=case.return_count,
            escalations=case.escalation_count,
        )
    )


def on_case_written(*, case: Case, event: CaseEvent, before: dict | None) -> None:
    """Called by cases.hooks after every change: recompute the stored risk (registration
    recorded it already)."""
    if before is None:
        return
    case_risk_refresh(case=case)


def case_risk_refresh(*, case: Case) -> CaseTriage:
    assessment = _risk_for(case)
    triage, created = CaseTriage.objects.get_or_create(
        case=case, defaults={"search_text": _search_text(case)}
    )
    reasons = [r.as_dict() for r in assessment.reasons]
    if created or triage.risk_level != assessment.level or triage.risk_reasons != reasons:
        triage.risk_level, triage.risk_reasons, triage.risk_at = assessment.level, reasons, clock.now()
        triage.save(update_fields=["risk_level", "risk_reasons", "risk_at"])
    return triage


# ---------------------------------------------------------------- dispatcher decisions


def case_category_confirm(
    *, case: Case, actor: Staff, category: str, version: int | None = None, reroute: bool = False
) -> Case:
    """A dispatcher confirms (or overrides) the category; the pair proposal/decision is kept for
    the agreement page and for training. With `reroute`, the rules route the case again."""
    from jiefen.cases.services import case_transition

    if category not in Category.values:
        raise ValidationFailed(_("Unknown category."), fields={"category": [_("invalid")]})
    if not (actor.is_superuser or set(actor.roles or []) & CONFIRM_ROLES):
        raise PermissionDenied(_("Only a dispatcher may confirm the category."))
    with transaction.atomic():
        locked = (
            Case.objects.select_for_update(of=("self",))
            .select_related("county", "town", "village")
            .get(pk=case.pk)
        )
        if version is not None and version != locked.version:
            from jiefen.core.errors import Conflict

            raise Conflict(_("The case was changed by someone else; reload it and try again."))
        if locked.status in (Status.MERGED, Status.WITHDRAWN, Status.NOT_ACCEPTED, Status.CLOSED):
            raise IllegalTransition(_("The category of an ended case cannot be changed."))
        now = clock.now()
        before = hooks.case_summary(locked)
        triage, _created = CaseTriage.objects.select_for_update().get_or_create(
            case=locked, defaults={"search_text": _search_text(locked)}
        )
        previous = locked.category
        locked.category = category
        locked.version += 1
        locked.save(update_fields=["category", "version", "updated_at"])
        triage.confirmed_category, triage.confirmed_by, triage.confirmed_at = category, actor, now
        triage.needs_review = False
        triage.save(update_fields=["confirmed_category", "confirmed_by", "confirmed_at", "needs_review"])
        event = _event(
            locked,
            "category_confirmed",
            actor,
            now,
            data={
                "from": previous,
                "to": category,
                "proposed": triage.proposed_category,
                "confidence": triage.proposed_confidence,
                "agreed": triage.proposed_category == category,
            },
        )
        hooks.case_written(case=locked, event=event, before=before)
        if reroute and locked.status in (Status.REGISTERED, Status.TRIAGED):
            chain = RegionChain(county=locked.county, town=locked.town, village=locked.village)
            decision = route(
                category=category,
                chain=chain,
                risk=triage.risk_level,
                channel=locked.channel,
                text=locked.description,
            )
            if decision.organization.pk != locked.lead_organization_id:
                locked = case_transition(
                    case=locked.number, actor=actor, action="route", organization=decision.organization
                )
    return locked


def case_link(*, case: Case, other: Case, actor: Staff, reason: str = "") -> CaseLink:
    """Declare two cases related (both timelines record it)."""
    if case.pk == other.pk:
        raise ValidationFailed(_("A case cannot be linked to itself."), fields={"number": [_("same case")]})
    a, b = sorted([case, other], key=lambda c: c.pk)
    with transaction.atomic():
        link, created = CaseLink.objects.get_or_create(
            case=a,
            other=b,
            defaults={"reason": (reason or "")[:200], "created_by": actor, "created_at": clock.now()},
        )
        if created:
            now = clock.now()
            _event(case, "linked", actor, now, reason=link.reason, data={"number": other.number})
            _event(other, "linked", actor, now, reason=link.reason, data={"number": case.number})
    return link


def case_merge(*, case: Case, into: Case, actor: Staff, reason: str, version: int | None = None) -> Case:
    """Merge `case` into `into` (the survivor): the merged case takes status `merged` through the
    transition table and points at the survivor; its parties are copied to the survivor (without
    duplicates), its channel records (12345 work orders) move under the survivor, and its
    timeline stays readable from the survivor (cases.selectors.case_events)."""
    from jiefen.cases.services import case_transition

    if case.pk == into.pk:
        raise ValidationFailed(_("A case cannot be merged into itself."), fields={"into": [_("same case")]})
    with transaction.atomic():
        locked = {
            c.pk: c
            for c in Case.objects.select_for_update(of=("self",))
            .filter(pk__in=[case.pk, into.pk])
            .order_by("pk")
        }
        source, survivor = locked.get(case.pk), locked.get(into.pk)
        if source is None or survivor is None:
            raise NotFound(_("No such case."))
        if survivor.status in (Status.MERGED, Status.WITHDRAWN, Status.NOT_ACCEPTED):
            raise IllegalTransition(
                _("Cases can only be merged into a live case (this one is %(s)s).")
                % {"s": Status(survivor.status).label},
                code="merge_target_ended",
            )
        Case.objects.filter(pk=source.pk).update(merged_into=survivor)
        merged = case_transition(
            case=source.number, actor=actor, action="merge", reason=reason, version=version
        )
        now = clock.now()
        before = hooks.case_summary(survivor)
        known = {(p.role, p.name, p.id_number_hash, p.phone_hash) for p in survivor.parties.all()}
        copied = []
        for p in source.parties.all():
            key = (p.role, p.name, p.id_number_hash, p.phone_hash)
            if key in known:
                continue
            known.add(key)
            p.pk, p.id, p.case = None, None, survivor
            p.save(force_insert=True)
            copied.append(p.name)
        orders = []
        try:
            from jiefen.channels.models import HotlineOrder

            orders = list(HotlineOrder.objects.filter(case=source).values_list("order_id", flat=True))
            HotlineOrder.objects.filter(case=source).update(case=survivor)
        except ImportError:  # pragma: no cover
            pass
        a, b = sorted([source, survivor], key=lambda c: c.pk)
        CaseLink.objects.update_or_create(
            case=a,
            other=b,
            defaults={
                "kind": LinkKind.MERGED,
                "reason": reason[:200],
                "created_by": actor,
                "created_at": now,
            },
        )
        survivor.version += 1
        survivor.save(update_fields=["version", "updated_at"])
        event = _event(
            survivor,
            "merged_in",
            actor,
            now,
            reason=reason,
            data={"number": source.number, "parties": copied, "hotline_orders": orders},
        )
        CaseTriage.objects.filter(case=survivor).update(search_text=_search_text(survivor))
        hooks.case_written(case=survivor, event=event, before=before)
    return merged
