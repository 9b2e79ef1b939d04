from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiefen.cases.choices import Category


class HotlineCategory(models.Model):
    """How a 12345 work-order category maps to a dispute category; editable by an admin.

    The import adds a row for every category it has not seen (mapped to "other") so that an
    administrator sees what to map.
    """

    hotline_category = models.CharField(_("12345 category"), max_length=100, unique=True)
    category = models.CharField(_("dispute category"), max_length=20, choices=Category.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["hotline_category"]
        verbose_name = _("12345 category mapping")
        verbose_name_plural = _("12345 category mappings")

    def __str__(self) -> str:
        return f"{self.hotline_category} → {self.get_category_display()}"


class OrderOutcome(models.TextChoices):
    CREATED = "created", _("created a case")
    LINKED = "linked", _("linked to an existing case")


class HotlineOrder(models.Model):
    """A 12345 work order taken in: unique on the hotline's order id (imports are idempotent)."""

    order_id = models.CharField(_("order id"), max_length=64)  # unique: see Meta (no LIKE index)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="hotline_orders", verbose_name=_("case")
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=OrderOutcome.choices)
    received_at = models.DateTimeField(_("received at"))
    hotline_category = models.CharField(_("12345 category"), max_length=100, blank=True)
    urgency = models.CharField(_("urgency"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    imported_at = models.DateTimeField(_("imported at"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("imported by"),
    )

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["order_id"], name="hotline_order_id_unique")]
        indexes = [
            models.Index(
                fields=["imported_by"],
                name="hotline_imported_by",
                condition=models.Q(imported_by__isnull=False),
            )
        ]
        verbose_name = _("12345 work order")
        verbose_name_plural = _("12345 work orders")

    def __str__(self) -> str:
        return self.order_id


class Open311Token(models.Model):
    """The token given for a request posted through Open311 (GeoReport v2 `tokens/{id}`)."""

    token = models.CharField(max_length=40, unique=True, verbose_name=_("token"))
    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="open311_token", verbose_name=_("case")
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        verbose_name = _("Open311 token")
        verbose_name_plural = _("Open311 tokens")

    def __str__(self) -> str:
        return self.token


class GridMember(models.Model):
    """A staff member working a grid (网格员), or leading it (网格长)."""

    grid = models.ForeignKey(
        "regions.Grid", on_delete=models.CASCADE, related_name="members", verbose_name=_("grid")
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="grid_memberships",
        verbose_name=_("staff member"),
    )
    is_leader = models.BooleanField(_("grid leader"), default=False)

    class Meta:
        verbose_name = _("grid member")
        verbose_name_plural = _("grid members")
        constraints = [models.UniqueConstraint(fields=["grid", "staff"], name="gridmember_unique")]

    def __str__(self) -> str:
        return f"{self.grid} {self.staff}"


class GridReport(models.Model):
    """A case reported by a grid worker on the spot, possibly on a citizen's behalf (代办)."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="grid_report", verbose_name=_("case")
    )
    grid = models.ForeignKey(
        "regions.Grid", on_delete=models.PROTECT, related_name="reports", verbose_name=_("grid")
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("grid worker")
    )
    on_behalf = models.BooleanField(_("as agent for the citizen (代办)"), default=False)
    reported_at = models.DateTimeField(verbose_name=_("reported at"))

    class Meta:
        ordering = ["-reported_at"]
        verbose_name = _("grid report")
        verbose_name_plural = _("grid reports")

    def __str__(self) -> str:
        return f"{self.grid} {self.case_id}"


class GridCheck(models.Model):
    """A routine check (排查) of a grid: what was looked at and whether anything was found."""

    grid = models.ForeignKey(
        "regions.Grid", on_delete=models.PROTECT, related_name="checks", verbose_name=_("grid")
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("grid worker")
    )
    checked_at = models.DateTimeField(_("checked at"))
    found = models.BooleanField(_("something found"), default=False)
    note = models.TextField(_("note"), blank=True)
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("case"),
    )

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = _("grid check")
        verbose_name_plural = _("grid checks")
        indexes = [models.Index(fields=["grid", "-checked_at"])]

    def __str__(self) -> str:
        return f"{self.grid} {self.checked_at:%Y-%m-%d}"
