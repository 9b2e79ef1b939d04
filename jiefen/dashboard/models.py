from django.db import models
from django.utils.translation import gettext_lazy as _

from jiefen.directory.models import Organization
from jiefen.regions.models import Region


class Dim(models.TextChoices):
    """What a counter row breaks its figures down by."""

    TOTAL = "", _("total")
    CATEGORY = "category", _("category")
    CHANNEL = "channel", _("channel")
    THEME = "theme", _("thematic tag")


class DailyCount(models.Model):
    """Figures of one region node on one day, in total or for one category/channel/theme.

    A case counts at each node of its region chain (county, town, village), so that a county,
    a town and a village each read their own rows with one indexed range. Kept in the same
    transaction as every case change by dashboard.services.on_case_written (deltas), and
    recomputed from the cases by `jiefen rebuild-counters`; both use counters.contributions, so
    they agree by construction (and a property test checks it).

    `received` and `open` are keyed by the day the case was received (`open`: of those, how many
    are not ended now); `resolved_*` and `resolve_workdays` by the day the case was resolved,
    split by the level it was resolved at. Theme rows carry `received` only.
    """

    day = models.DateField()
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", db_index=False)
    dim = models.CharField(max_length=10, choices=Dim.choices, blank=True)
    value = models.CharField(max_length=30, blank=True)
    received = models.IntegerField(default=0)
    open = models.IntegerField(default=0)
    resolved_village = models.IntegerField(default=0)
    resolved_town = models.IntegerField(default=0)
    resolved_county = models.IntegerField(default=0)
    resolved_statutory = models.IntegerField(default=0)
    resolve_workdays = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        constraints = [
            models.UniqueConstraint(fields=["region", "dim", "value", "day"], name="dailycount_key"),
        ]
        # The sweep's hotspot/spike windows read all regions' rows of a few recent days.
        indexes = [models.Index(fields=["dim", "day"], name="dailycount_dim_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.region_id} {self.dim}={self.value}: {self.received}"


class OrgDailyCount(models.Model):
    """Returns (退回) per organisation and day: a return needs a reason and is counted against the
    organisation that returned the case (no buck-passing)."""

    day = models.DateField()
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    returns = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("returns per organisation and day")
        verbose_name_plural = _("returns per organisation and day")
        constraints = [models.UniqueConstraint(fields=["organization", "day"], name="orgdailycount_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.organization_id}: {self.returns}"


class Theme(models.Model):
    """A thematic tag (专题, e.g. epidemic-related matters): a case whose description contains one
    of the keywords counts under the theme. Editable by an administrator; after a change, run
    `jiefen rebuild-counters` so that earlier cases are counted again under the new words."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    keywords = models.JSONField(_("keywords"), default=list)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("thematic tag")
        verbose_name_plural = _("thematic tags")

    def __str__(self) -> str:
        return self.name
