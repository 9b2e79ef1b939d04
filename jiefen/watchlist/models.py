"""People who need continued attention (重点人员).

An entry keeps the person's keyed hash only (the same HMAC as `cases.Party.id_number_hash`),
never their name, number or phone: pages show the person from the linked cases' own party rows.
Nothing about an entry goes on a case's timeline, which every handler of the case reads.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiefen.cases.models import Case
from jiefen.regions.models import Region
from jiefen.watchlist.choices import EntryStatus, EventKind, ReasonKind

USER = settings.AUTH_USER_MODEL


class WatchEntry(models.Model):
    """One person on the list: why (a reason kind and the cases behind it), who is responsible,
    the plan, and the review date after which the entry lapses unless renewed."""

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    person_hash = models.CharField(max_length=64, verbose_name=_("person (keyed hash)"))
    reason_kind = models.CharField(_("reason"), max_length=20, choices=ReasonKind.choices)
    reason_note = models.TextField(_("reason in detail"))
    cases = models.ManyToManyField(Case, related_name="+", verbose_name=_("cases"))
    officer = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible officer")
    )
    plan = models.TextField(_("plan"))
    review_on = models.DateField(_("review date"))
    status = models.CharField(
        _("status"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.ACTIVE
    )
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ended at"))
    end_reason = models.TextField(blank=True, verbose_name=_("reason for ending"))
    version = models.PositiveIntegerField(default=1, verbose_name=_("version"))

    class Meta:
        ordering = ["review_on", "id"]
        verbose_name = _("person needing attention")
        verbose_name_plural = _("people needing attention")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "person_hash"],
                condition=Q(status="active"),
                name="watch_one_active_per_person",
            )
        ]
        indexes = [models.Index(fields=["person_hash", "status"], name="watch_person_status")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_reason_kind_display()}"


class WatchEvent(models.Model):
    """The entry's own append-only record: listed, contacts, renewals, removal, lapse, and new
    cases the person registered (those are the responsible officer's alerts until seen)."""

    entry = models.ForeignKey(
        WatchEntry,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("person needing attention"),
    )
    at = models.DateTimeField(verbose_name=_("time"))
    actor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("actor")
    )
    kind = models.CharField(max_length=12, choices=EventKind.choices, verbose_name=_("kind"))
    note = models.TextField(blank=True, verbose_name=_("note"))
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("case")
    )
    seen_at = models.DateTimeField(null=True, blank=True, verbose_name=_("seen at"))

    class Meta:
        verbose_name = _("attention record event")
        verbose_name_plural = _("attention record events")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["entry", "at"]),
            models.Index(
                fields=["entry"],
                name="watch_event_unseen",
                condition=Q(kind="registered", seen_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.kind} {self.at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("update_fields") == ["seen_at"]:
            raise ValueError("WatchEvent is append-only")
        super().save(*args, **kwargs)


class WatchAccessLog(models.Model):
    """Every showing of an entry (list row, page, API): who, which, when, how."""

    staff = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff member")
    )
    entry = models.ForeignKey(
        WatchEntry,
        on_delete=models.CASCADE,
        related_name="access_log",
        verbose_name=_("person needing attention"),
    )
    at = models.DateTimeField(verbose_name=_("time"))
    via = models.CharField(max_length=10, default="web", verbose_name=_("via"))
    what = models.CharField(max_length=10, default="page", verbose_name=_("what was shown"))

    class Meta:
        verbose_name = _("attention record access")
        verbose_name_plural = _("attention record accesses")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.entry_id} {self.at:%Y-%m-%d %H:%M}"
