from django.contrib import admin

from jiefen.watchlist.models import WatchAccessLog


@admin.register(WatchAccessLog)
class WatchAccessLogAdmin(admin.ModelAdmin):
    """Who looked at which entry (read only): the entries themselves are not in the admin."""

    list_display = ["at", "staff", "entry", "via", "what"]
    list_filter = ["via", "what"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
