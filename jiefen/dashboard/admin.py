from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jiefen.dashboard.models import Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    """Thematic tags; after changing keywords run `jiefen rebuild-counters`."""

    list_display = ["code_shown", "name", "enabled", "keywords"]

    @admin.display(description=_("code"), ordering="code")
    def code_shown(self, obj):
        return format_html("<code>{}</code>", obj.code)

    list_editable = ["enabled"]
