"""The registry of people and organisations who resolve disputes (人民调解员名册, 社会组织).

A Mediator is anyone the centre may ask to resolve a dispute or serve a party: full-time and
volunteer mediators, 司法所 staff, 乡贤, lawyers, retired judges, psychological counsellors.
A ResolverOrganization is a social organisation or a mediation body outside the government
tree (行业性专业性调委会, 个人/律师调解工作室, 乡贤调解会…) with its incubation record.
ProcedureMediator records which registered mediator ran a procedure: the registry depends on
procedures, never the reverse. Changed only through mediators.services.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiefen.mediators.choices import Difficulty, IncubationStage, MediatorKind, ResolverOrgKind
from jiefen.regions.models import Region

USER = settings.AUTH_USER_MODEL


class ResolverOrganization(models.Model):
    """A social organisation or mediation body in the county, with the area and categories it covers."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=30, choices=ResolverOrgKind.choices)
    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    areas = models.ManyToManyField(Region, blank=True, related_name="+", verbose_name=_("areas served"))
    categories = models.JSONField(_("dispute categories"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    incubation_stage = models.CharField(
        _("incubation stage"), max_length=12, choices=IncubationStage.choices, blank=True, default=""
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        ordering = ["county", "name"]
        verbose_name = _("social organisation")
        verbose_name_plural = _("social organisations")
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="resolverorg_county_name")]

    def __str__(self) -> str:
        return self.name


class IncubationRecord(models.Model):
    """One year of an organisation's incubation (孵化): stage, support received, the review."""

    organization = models.ForeignKey(
        ResolverOrganization,
        on_delete=models.CASCADE,
        related_name="incubation",
        verbose_name=_("organisation"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    stage = models.CharField(_("stage"), max_length=12, choices=IncubationStage.choices)
    support = models.TextField(_("support received"), blank=True)
    review = models.TextField(_("yearly review"), blank=True)

    class Meta:
        verbose_name = _("incubation record")
        verbose_name_plural = _("incubation records")
        ordering = ["organization", "-year"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="incubation_org_year")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year}"


class Mediator(models.Model):
    """A person in the registry. `areas` empty means the whole county; the phone is PII."""

    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=MediatorKind.choices)
    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    areas = models.ManyToManyField(Region, blank=True, related_name="+", verbose_name=_("areas served"))
    categories = models.JSONField(_("dispute categories"), default=list, blank=True)
    languages = models.JSONField(_("languages and dialects"), default=list, blank=True)
    qualifications = models.TextField(_("qualifications"), blank=True)
    training = models.TextField(_("training"), blank=True)
    organization = models.ForeignKey(
        ResolverOrganization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("organisation"),
    )
    # The mediator's login, when they use the product themselves (a counsellor opening records).
    staff = models.OneToOneField(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registry_entry",
        verbose_name=_("staff member"),
    )
    available = models.BooleanField(_("available"), default=True)
    max_load = models.PositiveSmallIntegerField(_("most open cases at once"), default=8)
    phone_enc = models.TextField(blank=True, verbose_name=_("phone (encrypted)"))
    phone_masked = models.CharField(_("phone"), max_length=24, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        ordering = ["county", "name", "id"]
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")
        indexes = [models.Index(fields=["county", "kind"])]

    def __str__(self) -> str:
        return self.name


class ConflictDeclaration(models.Model):
    """A declared conflict of interest (利害关系, 人民调解法 第23条 回避): the mediator is never
    proposed nor assigned on a case with this party. Matched by name, or by the keyed hash of
    the ID number when one was given."""

    mediator = models.ForeignKey(
        Mediator, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("mediator")
    )
    party_name = models.CharField(_("party name"), max_length=100)
    id_number_hash = models.CharField(
        max_length=64, blank=True, db_index=True, verbose_name=_("ID number (keyed hash)")
    )
    note = models.CharField(_("relationship"), max_length=200, blank=True)
    declared_at = models.DateTimeField(verbose_name=_("declared at"))

    class Meta:
        ordering = ["mediator", "party_name"]
        verbose_name = _("declared conflict of interest")
        verbose_name_plural = _("declared conflicts of interest")

    def __str__(self) -> str:
        return f"{self.mediator} ↔ {self.party_name}"


class ProcedureMediator(models.Model):
    """A registered mediator assigned to a procedure (who ran the mediation)."""

    procedure = models.ForeignKey(
        "procedures.Procedure",
        on_delete=models.CASCADE,
        related_name="registered_mediators",
        verbose_name=_("procedure"),
    )
    mediator = models.ForeignKey(
        Mediator, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("mediator")
    )
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    assigned_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("assigned by")
    )
    assigned_at = models.DateTimeField(verbose_name=_("assigned at"))
    score = models.IntegerField(
        null=True, blank=True, verbose_name=_("score")
    )  # the recommendation's score at assignment

    class Meta:
        verbose_name = _("procedure mediator")
        verbose_name_plural = _("procedure mediators")
        ordering = ["assigned_at", "id"]
        constraints = [models.UniqueConstraint(fields=["procedure", "mediator"], name="procmediator_once")]

    def __str__(self) -> str:
        return f"{self.procedure_id} {self.mediator_id}"


class PreferredMediator(models.Model):
    """A party's preferred mediator, stated on the portal from the public list (one per case:
    a new choice replaces the old). The recommendation weighs it; it never bypasses a conflict."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("case")
    )
    mediator = models.ForeignKey(
        Mediator, on_delete=models.CASCADE, related_name="+", verbose_name=_("mediator")
    )
    stated_at = models.DateTimeField(verbose_name=_("stated at"))

    class Meta:
        verbose_name = _("preferred mediator")
        verbose_name_plural = _("preferred mediators")

    def __str__(self) -> str:
        return f"{self.case_id} → {self.mediator_id}"


class AllowanceRule(models.Model):
    """以案定补: the allowance paid per case by difficulty and outcome (rules as data)."""

    difficulty = models.CharField(_("difficulty"), max_length=10, choices=Difficulty.choices)
    outcome = models.CharField(_("outcome"), max_length=20)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=8, decimal_places=2)
    note = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["difficulty", "outcome"]
        verbose_name = _("allowance rule")
        verbose_name_plural = _("allowance rules")
        constraints = [models.UniqueConstraint(fields=["difficulty", "outcome"], name="allowance_once")]

    def __str__(self) -> str:
        return f"{self.difficulty}/{self.outcome}: {self.amount}"
