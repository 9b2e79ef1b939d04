from django.contrib import admin

from jiefen.channels.models import (
    GridCheck,
    GridMember,
    GridReport,
    HotlineCategory,
    HotlineOrder,
    Open311Token,
)
from jiefen.regions.admin import GridAdmin


@admin.register(HotlineCategory)
class HotlineCategoryAdmin(admin.ModelAdmin):
    """The 12345 → dispute category table: editable."""

    list_display = ("hotline_category", "category", "note")
    list_editable = ("category",)
    list_filter = ("category",)
    search_fields = ("hotline_category",)


@admin.register(HotlineOrder)
class HotlineOrderAdmin(admin.ModelAdmin):
    list_display = (
        "order_id",
        "case",
        "outcome",
        "received_at",
        "hotline_category",
        "urgency",
        "imported_at",
    )
    list_filter = ("outcome", "urgency")
    search_fields = ("order_id", "case__number")
    readonly_fields = [f.name for f in HotlineOrder._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(GridMember)
class GridMemberAdmin(admin.ModelAdmin):
    list_display = ("grid", "staff", "is_leader")
    list_filter = ("is_leader",)
    # Searchable pickers: grids by code, name or village; staff by username, name or organisation.
    autocomplete_fields = ("grid", "staff")
    search_fields = ("grid__name", "grid__code", "staff__username", "staff__display_name")
    list_select_related = ("grid", "staff")


@admin.register(GridCheck)
class GridCheckAdmin(admin.ModelAdmin):
    list_display = ("grid", "worker", "checked_at", "found", "note")
    list_filter = ("found",)
    readonly_fields = ("grid", "worker", "checked_at", "found", "note", "case")


admin.site.register(GridReport)
admin.site.register(Open311Token)


class GridMemberInline(admin.TabularInline):
    """The grid's leader and workers, picked by name (searchable), not by id."""

    model = GridMember
    extra = 1
    autocomplete_fields = ("staff",)


# Regions sit below channels: the grid's page in the admin gets its members from here.
GridAdmin.inlines = (*GridAdmin.inlines, GridMemberInline)
