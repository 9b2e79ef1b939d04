from django.contrib import admin

from jiefen.alerts.models import Alert, AlertRule, SweepState


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    """Thresholds and windows of the early-warning rules (alerts.rules.DEFAULT_PARAMS lists the keys)."""

    list_display = ["code", "severity", "enabled", "params", "note"]
    list_editable = ["severity", "enabled"]
    readonly_fields = ["code"]

    def has_add_permission(self, request):
        return False  # one row per rule kind, created by the data migration

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    """Alerts are raised by the rules and handled on the alert page; here they are read only."""

    list_display = ["id", "rule", "subject_kind", "subject_label", "status", "resolution", "opened_at"]
    list_filter = ["rule", "status", "severity"]
    search_fields = ["subject_label", "case__number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SweepState)
class SweepStateAdmin(admin.ModelAdmin):
    list_display = ["name", "watermark", "last_finished_at", "last_seconds", "last_result"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
