from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiefen.cases import events
from jiefen.cases.choices import (
    AssignmentRole,
    Category,
    Channel,
    Level,
    PartyKind,
    PartyRole,
    ResolvedLevel,
    Sex,
    Status,
)
from jiefen.directory.models import Organization
from jiefen.regions.models import Region


class CaseSequence(models.Model):
    """The last number given per county and year; locked while a case is registered so that
    numbers are unique and gap-free (a rolled-back registration rolls its number back too)."""

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    year = models.PositiveSmallIntegerField(verbose_name=_("year"))
    last_value = models.PositiveIntegerField(default=0, verbose_name=_("last number"))

    class Meta:
        verbose_name = _("case number sequence")
        verbose_name_plural = _("case number sequences")
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="caseseq_county_year")]

    def __str__(self) -> str:
        return f"{self.county.code[:6]}-{self.year}: {self.last_value}"


class Case(models.Model):
    """One dispute or request, one number for life (一案一码).

    `status`, `level`, `lead_organization` and `due_at` summarise where the case stands; the
    history is in CaseEvent, the owners in Assignment, the clocks in CaseStep. Changed only
    through cases.services; `version` grows with every change (optimistic concurrency).
    """

    number = models.CharField(_("case number"), max_length=24, unique=True)
    # Foreign keys whose lookups a composite index below already serves have no index of
    # their own (every index is paid for on every registration); rarely set ones are partial.
    county = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", db_index=False, verbose_name=_("county")
    )
    year = models.PositiveSmallIntegerField(verbose_name=_("year"))
    seq = models.PositiveIntegerField(verbose_name=_("sequence number"))
    query_code_hash = models.CharField(max_length=64, verbose_name=_("query code (keyed hash)"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    description = models.TextField(_("description"))
    request = models.TextField(_("what is asked"), blank=True)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.OTHER
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="cases", verbose_name=_("region")
    )
    town = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("town"),
    )
    village = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("village"),
    )
    lead_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="lead_cases",
        db_index=False,
        verbose_name=_("lead organisation"),
    )
    received_at = models.DateTimeField(_("received at"))
    registered_at = models.DateTimeField(_("registered at"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("registered by"),
    )
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    # The due date rests on a year whose holiday notice is not loaded (deadlines.statutory).
    due_provisional = models.BooleanField(_("due date provisional"), default=False)
    resolved_level = models.CharField(
        _("resolved at level"), max_length=10, choices=ResolvedLevel.choices, blank=True
    )
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved at"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))
    statutory_route = models.CharField(_("statutory route"), max_length=20, blank=True)
    legal_route_told = models.TextField(_("legal route told"), blank=True)
    return_count = models.PositiveIntegerField(default=0, verbose_name=_("returns"))
    escalation_count = models.PositiveIntegerField(default=0, verbose_name=_("escalations"))
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("merged into"),
    )
    version = models.PositiveIntegerField(default=1, verbose_name=_("version"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [models.UniqueConstraint(fields=["county", "year", "seq"], name="case_county_year_seq")]
        indexes = [
            models.Index(fields=["county", "status"]),
            models.Index(fields=["town", "status"]),
            models.Index(fields=["village", "status"]),
            models.Index(fields=["lead_organization", "status"]),
            # "my deadlines": the running clocks of an organisation's cases, soonest first
            models.Index(
                fields=["lead_organization", "due_at"],
                name="case_lead_due",
                condition=Q(due_at__isnull=False),
            ),
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["county", "-received_at"]),
            models.Index(fields=["town", "-received_at"], name="case_town_received"),
            models.Index(
                fields=["registered_by"], name="case_registered_by", condition=Q(registered_by__isnull=False)
            ),
            models.Index(
                fields=["merged_into"], name="case_merged_into", condition=Q(merged_into__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Party(models.Model):
    """A party to a case. ID number and phone are kept encrypted, hashed and masked (core.pii)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties", verbose_name=_("case"))
    role = models.CharField(_("role"), max_length=20, choices=PartyRole.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=PartyKind.choices, default=PartyKind.PERSON)
    name = models.CharField(_("name"), max_length=100)
    id_number_enc = models.TextField(blank=True, verbose_name=_("ID number (encrypted)"))
    id_number_hash = models.CharField(max_length=64, blank=True, verbose_name=_("ID number (keyed hash)"))
    id_number_masked = models.CharField(_("ID number"), max_length=24, blank=True)
    phone_enc = models.TextField(blank=True, verbose_name=_("phone (encrypted)"))
    phone_hash = models.CharField(max_length=64, blank=True, verbose_name=_("phone (keyed hash)"))
    phone_masked = models.CharField(_("phone"), max_length=24, blank=True)
    # Identity printed on documents for the court (name, sex, date of birth, ID number, address,
    # phone): sex and date of birth are read from a GB 11643 ID number when one is given.
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    # The address is personal data too: ciphertext, and a masked form for screens.
    address_enc = models.TextField(_("address (encrypted)"), blank=True)
    address_masked = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        # (role, name, case): the respondent lookup of related cases reads a name's newest cases
        # from the index alone.
        # Hashes are looked up by equality only (no LIKE index beside them).
        indexes = [
            models.Index(fields=["role", "name", "case"], name="party_role_name_case"),
            models.Index(fields=["id_number_hash"], name="party_id_number_hash"),
            models.Index(fields=["phone_hash"], name="party_phone_hash"),
        ]
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """Who leads (牵头) or assists (协办) a case at which level; ended rows keep the history."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("case")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("organisation")
    )
    role = models.CharField(
        max_length=10, choices=AssignmentRole.choices, default=AssignmentRole.LEAD, verbose_name=_("role")
    )
    level = models.CharField(max_length=10, choices=Level.choices, verbose_name=_("level"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    started_at = models.DateTimeField(verbose_name=_("started at"))
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ended at"))
    note = models.CharField(max_length=200, blank=True, verbose_name=_("note"))

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["organization", "is_active"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_role_display()} {self.organization_id}"


class CaseStep(models.Model):
    """The clock of one stage of a case: started, due, paused intervals, ended."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps", verbose_name=_("case"))
    code = models.CharField(max_length=60, verbose_name=_("code"))
    rule = models.ForeignKey(
        "deadlines.TimeLimitRule", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("rule")
    )
    started_at = models.DateTimeField(verbose_name=_("started at"))
    due_at = models.DateTimeField(null=True, blank=True, verbose_name=_("due at"))
    due_provisional = models.BooleanField(default=False, verbose_name=_("due date provisional"))
    paused_since = models.DateTimeField(null=True, blank=True, verbose_name=_("paused since"))
    paused_intervals = models.JSONField(default=list, blank=True, verbose_name=_("paused intervals"))
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ended at"))

    class Meta:
        verbose_name = _("case clock")
        verbose_name_plural = _("case clocks")
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.code}"


class CaseEvent(models.Model):
    """Append-only timeline entry: every action on a case, who, when, why.

    Written by services in the same transaction as the change; never updated or deleted.
    """

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="events", db_index=False, verbose_name=_("case")
    )
    at = models.DateTimeField(verbose_name=_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("actor"),
    )
    kind = models.CharField(max_length=40, verbose_name=_("kind"))
    from_status = models.CharField(max_length=20, blank=True, verbose_name=_("from status"))
    to_status = models.CharField(max_length=20, blank=True, verbose_name=_("to status"))
    reason = models.TextField(blank=True, verbose_name=_("reason"))
    data = models.JSONField(default=dict, blank=True, verbose_name=_("data"))

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["case", "at"]),
            models.Index(fields=["actor"], name="caseevent_actor", condition=Q(actor__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        # The timeline is the audit trail: entries are written once, of a kind with a name.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("CaseEvent is append-only")
        if not events.is_registered(self.kind):
            raise ValueError(f"event kind {self.kind!r} is not registered in jiefen.cases.events")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("CaseEvent is append-only")


class PiiAccessLog(models.Model):
    """Every reveal of a full ID number or phone: who, whose, which field, when."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff member")
    )
    party = models.ForeignKey(
        Party, on_delete=models.CASCADE, related_name="access_log", verbose_name=_("party")
    )
    field = models.CharField(max_length=20, verbose_name=_("field"))
    at = models.DateTimeField(verbose_name=_("time"))
    # web, api, or "document": the value printed in full on a generated document (a disclosure).
    via = models.CharField(max_length=10, default="web", verbose_name=_("via"))
    # What was generated (e.g. "agreement.pdf v2", "file.pdf"), for a disclosure.
    purpose = models.CharField(max_length=100, blank=True, default="", verbose_name=_("purpose"))

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.field} {self.at:%Y-%m-%d %H:%M}"


class RoutingRule(models.Model):
    """Routing as data: (category, region, minimum risk, channel, keywords) → handling level, lead
    organisation kind and assisting kinds, tried in order (jiefen.cases.routing).

    Blank conditions match anything. A rule whose organisation does not exist at the case's
    region is passed over; a rule that cannot be evaluated (e.g. a bad keyword pattern written
    around the validator) is skipped with an alert; when none applies, the county centre's
    dispatchers own the case (no vacuum). Saved only after `routing.routing_rule_validate`.
    """

    order = models.PositiveIntegerField(_("order"), default=100)
    category = models.CharField(
        _("category"),
        max_length=20,
        choices=Category.choices,
        blank=True,
        help_text=_("blank = any category"),
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    lead_kind = models.CharField(_("lead organisation kind"), max_length=30)
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
        help_text=_("blank = anywhere; otherwise only cases in this county, town or village"),
    )
    min_risk = models.CharField(
        _("minimum risk"),
        max_length=10,
        blank=True,
        choices=[("yellow", _("yellow")), ("orange", _("orange")), ("red", _("red"))],
        help_text=_("blank = any risk"),
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, blank=True, help_text=_("blank = any channel")
    )
    keywords = models.TextField(
        _("keywords"),
        blank=True,
        help_text=_(
            "one per line or comma-separated; the rule applies when the description contains any of "
            "them; a line starting with re: is a regular expression"
        ),
    )
    assist_kinds = models.JSONField(_("assisting organisation kinds"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        from jiefen.directory.models import OrganizationKind

        kind = (
            OrganizationKind(self.lead_kind).label
            if self.lead_kind in OrganizationKind.values
            else self.lead_kind
        )
        return f"{self.order}: {self.get_category_display() or '*'} → {kind} ({self.get_level_display()})"
