from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from jiefen.core.errors import DomainError
from jiefen.geo.models import CountyBoundary, RegionPoint, ReportLocation
from jiefen.geo.services import boundary_load
from jiefen.regions.models import Region


class BoundaryForm(forms.ModelForm):
    file = forms.FileField(
        label=_("GeoJSON file"),
        # Shown as HTML by the admin; the format's own key names stay as code.
        help_text=_("a <code>FeatureCollection</code>; <code>properties.code</code>: 12-digit region code"),
    )

    class Meta:
        model = CountyBoundary
        fields = ["county"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = Region.objects.filter(level="county")

    def validate_unique(self):
        pass  # loading again replaces the county's boundary

    def clean(self):
        data = super().clean()
        county, upload = data.get("county"), data.get("file")
        if county is not None and upload is not None:
            try:
                self._loaded = boundary_load(county=county, raw=upload.read(), source=upload.name)
            except DomainError as exc:
                raise forms.ValidationError(str(exc.message)) from exc
        return data


@admin.register(CountyBoundary)
class CountyBoundaryAdmin(admin.ModelAdmin):
    """Upload a county's boundary: checked and stored by geo.services.boundary_load."""

    form = BoundaryForm
    list_display = ("county", "features", "source", "loaded_at", "loaded_by")

    def get_form(self, request, obj=None, **kwargs):
        return super().get_form(request, None, **kwargs)

    def save_model(self, request, obj, form, change):
        loaded = form._loaded
        loaded.loaded_by = request.user
        loaded.save(update_fields=["loaded_by"])
        obj.pk = loaded.pk

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RegionPoint)
class RegionPointAdmin(admin.ModelAdmin):
    list_display = ("region", "latitude", "longitude", "approximate")
    raw_id_fields = ("region",)
    search_fields = ("region__code", "region__name")


@admin.register(ReportLocation)
class ReportLocationAdmin(admin.ModelAdmin):
    list_display = ("case", "latitude", "longitude", "source")
    raw_id_fields = ("case",)
