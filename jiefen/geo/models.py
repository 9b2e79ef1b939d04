"""Where things are: a centre point per region, a county's boundary GeoJSON loaded by an
administrator, and the location a report carried (optional, from the portal or a grid worker).
No map tiles: the map is drawn from these alone, so it works on an isolated network."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionPoint(models.Model):
    """A region's centre (WGS-84). `approximate`: computed, not surveyed (the demo's)."""

    region = models.OneToOneField(
        "regions.Region", on_delete=models.CASCADE, related_name="point", verbose_name=_("region")
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    approximate = models.BooleanField(_("approximate"), default=True)

    class Meta:
        verbose_name = _("region centre")
        verbose_name_plural = _("region centres")

    def __str__(self) -> str:
        return f"{self.region_id} {self.latitude},{self.longitude}"


class CountyBoundary(models.Model):
    """The town and village areas of a county as GeoJSON (a FeatureCollection whose features
    carry the 12-digit region code in `properties.code`), checked when loaded."""

    county = models.OneToOneField(
        "regions.Region", on_delete=models.CASCADE, related_name="boundary", verbose_name=_("county")
    )
    geojson = models.JSONField(verbose_name=_("boundary (GeoJSON)"))
    features = models.PositiveIntegerField(_("features"), default=0)
    source = models.CharField(_("source"), max_length=200, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"))
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("loaded by"),
    )

    class Meta:
        verbose_name = _("county boundary")
        verbose_name_plural = _("county boundaries")

    def __str__(self) -> str:
        return f"{self.county_id} ({self.features})"


class ReportLocation(models.Model):
    """Where a report was made, when the citizen or grid worker gave it (WGS-84)."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="location", verbose_name=_("case")
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    source = models.CharField(_("source"), max_length=20)

    class Meta:
        verbose_name = _("report location")
        verbose_name_plural = _("report locations")

    def __str__(self) -> str:
        return f"{self.case_id} {self.latitude},{self.longitude}"
