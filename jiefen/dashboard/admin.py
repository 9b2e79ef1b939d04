from django.contrib import admin

from jiefen.dashboard.models import Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    """Thematic tags; after changing keywords run `jiefen rebuild-counters`."""

    list_display = ["code", "name", "enabled", "keywords"]
    list_editable = ["enabled"]
