"""排查 (routine checks for brewing disputes): schedules as data, rounds, ledger entries.

A `Schedule` says who checks how often (each grid weekly, each village monthly, a special
campaign before a holiday or a sensitive date, with its own checklist). A `Round` is one period
of a schedule with its due day. An `Entry` is the ledger line of one grid or village for one
round: what was checked, and either the disputes found (`Finding`, each a case) or an explicit
zero report (零报告). Units that are due but have no entry after the due day are "missing".
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiefen.inspections.choices import Frequency, Unit


class Schedule(models.Model):
    county = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("county")
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True, help_text=_("required for a campaign"))
    grace_days = models.PositiveSmallIntegerField(
        _("days to report after the period"),
        default=1,
        help_text=_("the round is due this many days after it ends"),
    )
    checklist = models.JSONField(
        _("checklist"), default=list, blank=True, help_text=_("a list of items to check")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["county__code", "code"]
        verbose_name = _("inspection schedule")
        verbose_name_plural = _("inspection schedules")

    def __str__(self) -> str:
        return self.name


class Round(models.Model):
    schedule = models.ForeignKey(
        Schedule, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("inspection schedule")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    due_on = models.DateField(_("due on"))

    class Meta:
        ordering = ["-period_start", "schedule_id"]
        verbose_name = _("inspection round")
        verbose_name_plural = _("inspection rounds")
        constraints = [
            models.UniqueConstraint(fields=["schedule", "period_start"], name="inspection_round_unique")
        ]
        indexes = [models.Index(fields=["due_on"])]

    def __str__(self) -> str:
        return f"{self.schedule} {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"


class Entry(models.Model):
    """One ledger line (台账): a grid's or a village's report for one round."""

    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="entries", verbose_name=_("inspection round")
    )
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    grid = models.ForeignKey(
        "regions.Grid",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_entries",
        verbose_name=_("grid"),
    )
    village = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    town = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False, verbose_name=_("town")
    )
    county = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False, verbose_name=_("county")
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    reported_at = models.DateTimeField(_("reported at"))
    zero_report = models.BooleanField(_("zero report (零报告)"), default=False)
    checked = models.JSONField(_("items checked"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("inspection ledger entry")
        verbose_name_plural = _("inspection ledger entries")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "grid"],
                condition=Q(grid__isnull=False),
                name="inspection_entry_one_per_grid",
            ),
            models.UniqueConstraint(
                fields=["round", "village"],
                condition=Q(grid__isnull=True),
                name="inspection_entry_one_per_village",
            ),
        ]
        indexes = [
            models.Index(fields=["county", "reported_at"]),
            models.Index(fields=["town", "reported_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.round_id} {self.grid or self.village}"


class Finding(models.Model):
    """A dispute found in a check: a case registered from it, or an existing case linked."""

    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, related_name="findings", verbose_name=_("inspection ledger entry")
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="inspection_findings", verbose_name=_("case")
    )
    registered = models.BooleanField(_("registered from the check"), default=True)

    class Meta:
        verbose_name = _("inspection finding")
        verbose_name_plural = _("inspection findings")
        constraints = [models.UniqueConstraint(fields=["entry", "case"], name="inspection_finding_unique")]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.case_id}"
