from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    COUNTY = "county", _("county")
    TOWN = "town", _("town")
    VILLAGE = "village", _("village")


LEVEL_ORDER = [RegionLevel.VILLAGE, RegionLevel.TOWN, RegionLevel.COUNTY]


class Region(models.Model):
    """A county, town (镇街) or village (村社) node, keyed by its 12-digit NBS code.

    `county` and `town` point at the node's ancestors (a node is its own county/town at that
    level) so that jurisdiction filters are one indexed equality, not a tree walk.
    """

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    county = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("county")
    )
    town = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("town")
    )
    edition = models.CharField(_("edition"), max_length=20, blank=True, help_text=_("NBS code edition"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def county_code(self) -> str:
        return self.code[:6]


class Grid(models.Model):
    """A grid (网格): a service unit under a village, with a leader and workers."""

    village = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="grids",
        limit_choices_to={"level": RegionLevel.VILLAGE},
        verbose_name=_("village"),
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("grid")
        verbose_name_plural = _("grids")

    def __str__(self) -> str:
        return self.name
