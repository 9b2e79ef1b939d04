from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiefen.cases.models import Case
from jiefen.regions.models import Region


class RuleKind(models.TextChoices):
    """The early-warning rules (docs/operations.md); each kind has one row of AlertRule."""

    DEADLINE_NEAR = "deadline_near", _("deadline near")
    OVERDUE = "overdue", _("overdue")
    UNACCEPTED = "unaccepted", _("not accepted in time")
    REPEAT_PETITIONER = "repeat_petitioner", _("repeat petitioner")
    GROUP_DISPUTE = "group_dispute", _("group dispute")
    EXTREME_LANGUAGE = "extreme_language", _("extreme language")
    REPEATED_RETURNS = "repeated_returns", _("returned or escalated repeatedly")
    HOTSPOT = "hotspot", _("hotspot")
    TREND_SPIKE = "trend_spike", _("trend spike")
    CALENDAR_NOTICE = "calendar_notice", _("holiday notice missing")


class SubjectKind(models.TextChoices):
    CASE = "case", _("case")
    PERSON = "person", _("person")
    RESPONDENT = "respondent", _("respondent")
    REGION = "region", _("region")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("open")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    CLOSED = "closed", _("closed")


class Resolution(models.TextChoices):
    HANDLED = "handled", _("handled")
    DISMISSED = "dismissed", _("dismissed")
    CLEARED = "cleared", _("condition cleared")


class Severity(models.TextChoices):
    RED = "red", _("red")
    ORANGE = "orange", _("orange")
    YELLOW = "yellow", _("yellow")
    BLUE = "blue", _("blue")


class AlertRule(models.Model):
    """One early-warning rule: its thresholds and windows are data an administrator edits
    (`params`, see alerts.rules.DEFAULT_PARAMS for the keys of each kind)."""

    code = models.CharField(_("rule"), max_length=30, choices=RuleKind.choices, unique=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.ORANGE
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")

    def __str__(self) -> str:
        return str(self.get_code_display())


class Alert(models.Model):
    """An early-warning signal about a subject (a case, a person by keyed hash, a respondent, or
    a region), with its reasons and its own lifecycle: open → acknowledged → closed (handled or
    dismissed, with a note; "cleared" when the condition went away by itself).

    At most one alert per (rule, subject) is not closed (a conditional unique constraint).
    `episode` tells occurrences of the same condition apart (e.g. the due date of a deadline,
    the week of a spike): a closed alert keeps its episode from being raised again.
    `county`/`town`/`village` place the alert in the jurisdiction, like a case.
    """

    # Lookups by rule or place use the composite indexes below (no single-column ones).
    rule = models.ForeignKey(AlertRule, on_delete=models.PROTECT, related_name="alerts", db_index=False)
    subject_kind = models.CharField(_("subject"), max_length=12, choices=SubjectKind.choices)
    subject_key = models.CharField(max_length=100)
    subject_label = models.CharField(_("subject"), max_length=200, blank=True)
    episode = models.CharField(max_length=40, blank=True)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts")
    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", db_index=False)
    town = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    village = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(
        _("status"), max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    resolution = models.CharField(_("resolution"), max_length=10, choices=Resolution.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    opened_at = models.DateTimeField(_("opened at"))
    updated_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_kind", "subject_key"],
                condition=~Q(status="closed"),
                name="alert_one_open_per_rule_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["county", "status"]),
            models.Index(fields=["town", "status"]),
            models.Index(fields=["village", "status"]),
            models.Index(fields=["rule", "subject_key", "episode"]),
            models.Index(
                fields=["acknowledged_by"],
                name="alert_acknowledged_by",
                condition=Q(acknowledged_by__isnull=False),
            ),
            models.Index(fields=["closed_by"], name="alert_closed_by", condition=Q(closed_by__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.rule.code} {self.subject_kind}:{self.subject_label or self.subject_key}"


class SweepState(models.Model):
    """The watermark of the periodic sweep: up to which moment time-driven rules have been
    evaluated, so that each run looks only at what came due since (incremental)."""

    name = models.CharField(max_length=40, unique=True)
    watermark = models.DateTimeField(null=True, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_seconds = models.FloatField(null=True, blank=True)
    last_result = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("sweep state")
        verbose_name_plural = _("sweep states")

    def __str__(self) -> str:
        return f"{self.name} @ {self.watermark}"
