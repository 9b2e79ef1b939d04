"""Admin for regions (read-only: they come from the NBS import) and grids (created via the service)."""

from __future__ import annotations

from django.contrib import admin

from jiefen.regions.models import Grid, Region
from jiefen.regions.services import grid_create


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """Regions are browsed here and changed only by `jiefen import-regions` (codes are data)."""

    list_display = ("code", "name", "level", "parent", "edition")
    list_filter = ("level", "edition")
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    readonly_fields = ("code", "name", "level", "parent", "county", "town", "edition")
    show_full_result_count = False  # counting 620,000 villages on every page is wasted work

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    # (the grid's members are the channels app's: channels/admin.py adds their inline here)
    list_display = ("code", "name", "village")
    search_fields = ("code", "name", "village__name", "village__code")
    list_filter = (("village__town", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("village",)
    autocomplete_fields = ("village",)

    def get_readonly_fields(self, request, obj=None):
        return ("village", "code") if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # The form has checked the village level and code uniqueness; the service is the write.
        obj.pk = grid_create(village=obj.village, code=obj.code, name=obj.name).pk
