"""Writes of the registry: mediators, organisations, declared conflicts, and the assignment of
a registered mediator to a mediation (one transaction each; a case touched gets its timeline
entry through procedures.services)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from jiefen.cases.choices import Category
from jiefen.cases.models import Case
from jiefen.core import clock, pii
from jiefen.core.errors import DomainError, PermissionDenied, ValidationFailed
from jiefen.directory.models import Staff
from jiefen.mediators import selectors
from jiefen.mediators.choices import MEDIATING_KINDS, IncubationStage, MediatorKind, ResolverOrgKind
from jiefen.mediators.models import (
    ConflictDeclaration,
    Mediator,
    PreferredMediator,
    ProcedureMediator,
    ResolverOrganization,
)
from jiefen.procedures import definitions as d
from jiefen.procedures import services as procedure_services
from jiefen.procedures.choices import ProcedureKind, ProcedureStatus
from jiefen.procedures.models import Procedure
from jiefen.regions.models import Region

REGISTRARS = frozenset({"admin", "dispatcher", "leader"})
# The procedures a registered mediator may run (those whose definition has assign_mediators).
MEDIATION_KINDS = (
    ProcedureKind.PEOPLE_MEDIATION,
    ProcedureKind.ENTRUSTED_MEDIATION,
    ProcedureKind.LABOUR_MEDIATION,
)


class MediatorNotAssignable(DomainError):
    """The mediator may not run this case's mediation (outside the county, a conflict…)."""

    code = "mediator_not_assignable"
    status = 409


def _may_register(actor: Staff) -> None:
    if not (actor.is_superuser or set(actor.roles or []) & REGISTRARS):
        raise PermissionDenied(_("Your role may not change the registry."), code="registry_not_allowed_role")


@dataclass
class MediatorInput:
    name: str = ""
    kind: str = ""
    county: str = ""  # region code of the county
    areas: list[str] = field(default_factory=list)  # town or village codes in that county
    categories: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    qualifications: str = ""
    training: str = ""
    organization_id: int | None = None
    phone: str = ""
    available: bool = True
    max_load: int = 8


def _county_and_areas(actor: Staff, county_code: str, area_codes: list[str], errors: dict) -> tuple:
    county = Region.objects.filter(code=(county_code or "").strip(), level="county").first()
    mine = selectors.viewer_county_id(actor)
    if county is None or (not actor.is_superuser and county.pk != mine):
        errors["county"] = [_("Unknown county, or not yours.")]
        return None, []
    codes = [c.strip() for c in area_codes or [] if c and c.strip()]
    areas = list(Region.objects.filter(code__in=codes, county=county).exclude(level="county"))
    unknown = sorted(set(codes) - {a.code for a in areas})
    if unknown:
        errors["areas"] = [_("Unknown region in this county: %(c)s") % {"c": ", ".join(unknown[:5])}]
    return county, areas


def _categories(values: list[str], errors: dict) -> list[str]:
    cats = [c.strip() for c in values or []]
    unknown = [c for c in cats if c not in Category.values]
    if unknown:
        errors["categories"] = [_("Unknown category: %(c)s") % {"c": ", ".join(unknown[:5])}]
    return list(dict.fromkeys(cats))


def mediator_create(*, actor: Staff, data: MediatorInput) -> Mediator:
    """Register a mediator; every field error is reported at once (422)."""
    _may_register(actor)
    errors: dict[str, list] = {}
    name = (data.name or "").strip()
    if not name or len(name) > 50:
        errors["name"] = [_("A name of 1 to 50 characters is required.")]
    if data.kind not in MediatorKind.values:
        errors["kind"] = [_("Unknown kind.")]
    county, areas = _county_and_areas(actor, data.county, data.areas, errors)
    cats = _categories(data.categories, errors)
    langs = [str(v).strip()[:20] for v in data.languages or [] if str(v).strip()][:10]
    org = None
    if data.organization_id is not None:
        org = ResolverOrganization.objects.filter(pk=data.organization_id).first()
        if org is None or (county is not None and org.county_id != county.pk):
            errors["organization_id"] = [_("Unknown organisation in this county.")]
    phone = pii.normalize_phone(data.phone or "")
    if phone and pii.phone_error(phone):
        errors["phone"] = [pii.phone_error(phone)]
    if not 1 <= int(data.max_load or 0) <= 100:
        errors["max_load"] = [_("Between 1 and 100.")]
    if errors:
        raise ValidationFailed(_("The mediator has invalid fields."), fields=errors)
    with transaction.atomic():
        m = Mediator.objects.create(
            name=name,
            kind=data.kind,
            county=county,
            categories=cats,
            languages=langs,
            qualifications=(data.qualifications or "")[:2000],
            training=(data.training or "")[:2000],
            organization=org,
            available=data.available,
            max_load=data.max_load,
            phone_enc=pii.encrypt(phone) if phone else "",
            phone_masked=pii.mask_phone(phone) if phone else "",
            created_at=clock.now(),
        )
        m.areas.set(areas)
    return m


def organization_create(
    *,
    actor: Staff,
    name: str,
    kind: str,
    county: str,
    areas: list[str] | None = None,
    categories: list[str] | None = None,
    description: str = "",
    incubation_stage: str = "",
) -> ResolverOrganization:
    _may_register(actor)
    errors: dict[str, list] = {}
    name = (name or "").strip()
    if not name or len(name) > 100:
        errors["name"] = [_("A name of 1 to 100 characters is required.")]
    if kind not in ResolverOrgKind.values:
        errors["kind"] = [_("Unknown kind.")]
    if incubation_stage not in IncubationStage.values:
        errors["incubation_stage"] = [_("Unknown stage.")]
    region, area_rows = _county_and_areas(actor, county, areas or [], errors)
    cats = _categories(categories or [], errors)
    if region is not None and ResolverOrganization.objects.filter(county=region, name=name).exists():
        errors["name"] = [_("An organisation of this name is already registered in the county.")]
    if errors:
        raise ValidationFailed(_("The organisation has invalid fields."), fields=errors)
    with transaction.atomic():
        org = ResolverOrganization.objects.create(
            name=name,
            kind=kind,
            county=region,
            categories=cats,
            description=(description or "")[:5000],
            incubation_stage=incubation_stage,
            created_at=clock.now(),
        )
        org.areas.set(area_rows)
    return org


def conflict_declare(
    *, actor: Staff, mediator: Mediator, party_name: str, id_number: str = "", note: str = ""
) -> ConflictDeclaration:
    """Record a mediator's declared conflict with a person (relatives, business partners…)."""
    _may_register(actor)
    party_name = (party_name or "").strip()
    errors = {}
    if not party_name or len(party_name) > 100:
        errors["party_name"] = [_("required")]
    id_number = pii.normalize_id_number(id_number or "")
    if id_number and pii.id_number_error(id_number):
        errors["id_number"] = [pii.id_number_error(id_number)]
    if errors:
        raise ValidationFailed(_("The declaration has invalid fields."), fields=errors)
    return ConflictDeclaration.objects.create(
        mediator=mediator,
        party_name=party_name,
        id_number_hash=pii.keyed_hash(id_number) if id_number else "",
        note=(note or "")[:200],
        declared_at=clock.now(),
    )


def _running_mediation(case: Case, procedure_id: int | None) -> Procedure | None:
    qs = Procedure.objects.filter(case=case, kind__in=MEDIATION_KINDS).exclude(status=ProcedureStatus.ENDED)
    if procedure_id is not None:
        proc = qs.filter(pk=procedure_id).first()
        if proc is None:
            raise ValidationFailed(
                _("No running mediation with this id on the case."), fields={"procedure_id": [_("unknown")]}
            )
        return proc
    return qs.order_by("-started_at", "-id").first()


def check_assignable(mediator: Mediator, case: Case) -> None:
    """Raise 409 with the reason when the mediator may not mediate this case."""
    if mediator.county_id != case.county_id:
        raise MediatorNotAssignable(
            _("%(m)s is registered in %(c)s, not in the county of this case.")
            % {"m": mediator.name, "c": mediator.county.name},
            code="mediator_outside_county",
        )
    conflict = selectors.conflict_with(mediator, case)
    if conflict is not None:
        raise MediatorNotAssignable(
            _("%(m)s cannot mediate this case: %(why)s.") % {"m": mediator.name, "why": conflict.text},
            code="mediator_conflict",
        )
    if mediator.kind not in MEDIATING_KINDS:
        raise MediatorNotAssignable(
            _("%(m)s is not registered as a mediator.") % {"m": mediator.name}, code="mediator_wrong_kind"
        )
    if not mediator.available or not mediator.is_active:
        raise MediatorNotAssignable(
            _("%(m)s is not available.") % {"m": mediator.name}, code="mediator_unavailable"
        )


def mediation_assign(
    *,
    case: Case,
    actor: Staff,
    mediator_id: int | None,
    procedure_id: int | None = None,
    start: bool = True,
) -> ProcedureMediator:
    """Assign a registered mediator to the case's running mediation, starting a people's
    mediation with them when none runs (and `start`). The procedure's mediators (printed on
    the agreement) and its `mediators_assigned` timeline entry come from procedures.services
    in the same transaction; the ProcedureMediator row records who ran it."""
    if not (actor.is_superuser or set(actor.roles or []) & d.WORKERS):
        raise PermissionDenied(_("You may not assign mediators."), code="procedure_not_allowed_role")
    mediator = (
        Mediator.objects.select_related("county").filter(pk=mediator_id).first() if mediator_id else None
    )
    if mediator is None:
        raise ValidationFailed(_("Unknown mediator."), fields={"mediator_id": [_("unknown")]})
    check_assignable(mediator, case)
    score = next(
        (r.score for r in selectors.recommend(case=case, limit=1000) if r.mediator.pk == mediator.pk), None
    )
    with transaction.atomic():
        proc = _running_mediation(case, procedure_id)
        if proc is None:
            if not start:
                raise ValidationFailed(
                    _("No mediation is running on this case."), fields={"procedure_id": [_("required")]}
                )
            proc = procedure_services.procedure_start(
                case=case, actor=actor, kind=ProcedureKind.PEOPLE_MEDIATION, mediators=mediator.name
            )
            names = [mediator.name]
        else:
            if ProcedureMediator.objects.filter(procedure=proc, mediator=mediator).exists():
                raise MediatorNotAssignable(
                    _("%(m)s already runs this mediation.") % {"m": mediator.name},
                    code="mediator_already_assigned",
                )
            names = list(
                ProcedureMediator.objects.filter(procedure=proc).values_list("mediator__name", flat=True)
            ) + [mediator.name]
        if proc.state == "mediation":
            procedure_services.procedure_act(
                procedure=proc,
                actor=actor,
                action="assign_mediators",
                data=procedure_services.ActInput(mediators="、".join(names)[:200]),
            )
        return ProcedureMediator.objects.create(
            procedure=proc,
            mediator=mediator,
            case=case,
            assigned_by=actor,
            assigned_at=clock.now(),
            score=score,
        )


def preference_state(*, case: Case, mediator_id: int | None) -> PreferredMediator:
    """A party states a preferred mediator from the public list of the case's county (portal).
    Anything not on that list → 422; the case's timeline records the choice."""
    mediator = (
        selectors.public_mediators(county=case.county).filter(pk=mediator_id).first() if mediator_id else None
    )
    if mediator is None:
        raise ValidationFailed(_("Choose a mediator from the list."), fields={"mediator_id": [_("unknown")]})
    with transaction.atomic():
        pref, _created = PreferredMediator.objects.update_or_create(
            case=case, defaults={"mediator": mediator, "stated_at": clock.now()}
        )
        procedure_services.case_event_append(
            case, "mediator_preferred", None, data={"mediator": mediator.pk, "name": mediator.name}
        )
    return pref
