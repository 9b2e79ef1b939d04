"""What triage keeps about a case: the classifier's proposal and the confirmed category (learning
from use), the risk assessment with its reasons, the dispatcher flag, and the search text; plus
links between related cases.

Kept beside the case (one row per case) rather than on it, so that recomputing the risk when a
case changes writes this row and never the case itself (cases.hooks: callees do not write the case).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiefen.cases.choices import RISK_RANK, Category, RiskLevel  # noqa: F401 - the one risk scale
from jiefen.cases.models import Case


class CaseTriage(models.Model):
    """Triage state of one case.

    `proposed_*` is what the classifier said at intake; `confirmed_category` what a person decided
    (the clerk who chose it, or the dispatcher who confirmed or overrode it) — the pair feeds the
    agreement page and `jiefen train --include-confirmed`. `needs_review` puts the case in the
    dispatcher's queue. `risk_reasons` holds stable codes and parameters; their text is rendered
    in the reader's language (risk.reason_text). `search_text` is the tokenised text the full-text
    index covers (SQLite FTS5 table / PostgreSQL GIN expression index, see migrations).
    """

    case = models.OneToOneField(
        Case, primary_key=True, on_delete=models.CASCADE, related_name="triage", verbose_name=_("case")
    )
    proposed_category = models.CharField(
        _("proposed category"), max_length=20, choices=Category.choices, blank=True
    )
    proposed_confidence = models.FloatField(_("confidence"), null=True, blank=True)
    proposed_keywords = models.JSONField(default=list, blank=True, verbose_name=_("proposed keywords"))
    confirmed_category = models.CharField(
        _("confirmed category"), max_length=20, choices=Category.choices, blank=True
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("confirmed at"))
    needs_review = models.BooleanField(_("waits for a dispatcher"), default=False)
    risk_level = models.CharField(_("risk"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.BLUE)
    risk_reasons = models.JSONField(default=list, blank=True, verbose_name=_("risk reasons"))
    risk_at = models.DateTimeField(null=True, blank=True, verbose_name=_("risk assessed at"))
    routing = models.JSONField(default=dict, blank=True, verbose_name=_("routing"))
    search_text = models.TextField(blank=True, verbose_name=_("search text"))

    class Meta:
        verbose_name = _("case triage")
        verbose_name_plural = _("case triage")
        indexes = [
            models.Index(fields=["needs_review"], name="triage_needs_review"),
            models.Index(fields=["risk_level"], name="triage_risk_level"),
            models.Index(fields=["proposed_category", "confirmed_category"], name="triage_agreement"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.risk_level}"


class LinkKind(models.TextChoices):
    RELATED = "related", _("related")
    MERGED = "merged", _("merged")


class CaseLink(models.Model):
    """Two cases a person declared related (or one merged into the other). Stored once per pair
    with `case_id < other_id`; reading looks at both columns."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    other = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("other case"))
    kind = models.CharField(
        max_length=10, choices=LinkKind.choices, default=LinkKind.RELATED, verbose_name=_("kind")
    )
    reason = models.CharField(max_length=200, blank=True, verbose_name=_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        verbose_name = _("case link")
        verbose_name_plural = _("case links")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "other"], name="caselink_pair"),
            models.CheckConstraint(condition=models.Q(case__lt=models.F("other")), name="caselink_ordered"),
        ]
        indexes = [models.Index(fields=["other"], name="caselink_other")]

    def __str__(self) -> str:
        return f"{self.case_id}~{self.other_id} {self.kind}"
