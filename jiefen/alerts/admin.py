from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jiefen.alerts.models import Alert, AlertRule, SweepState


def _as_code(value) -> str:
    """Keys of a rule's configuration and of a sweep's result are identifiers, not prose."""
    if isinstance(value, dict):
        value = ", ".join(f"{k}={v}" for k, v in value.items())
    return format_html("<code>{}</code>", value or "")


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    """Thresholds and windows of the early-warning rules (alerts.rules.DEFAULT_PARAMS lists the keys)."""

    list_display = ["code", "severity", "enabled", "params_shown", "note"]
    list_editable = ["severity", "enabled"]
    readonly_fields = ["code"]

    @admin.display(description=_("parameters"))
    def params_shown(self, obj):
        # The keys are the rule's parameter names (alerts.rules.DEFAULT_PARAMS): code, shown as code.
        return _as_code(obj.params)

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
    actions = None  # the sweep's own record: read, not acted on
    list_display = ["name_shown", "watermark", "last_finished_at", "last_seconds", "result_shown"]

    @admin.display(description=_("name"))
    def name_shown(self, obj):
        return _as_code(obj.name)

    @admin.display(description=_("last result"))
    def result_shown(self, obj):
        return _as_code(obj.last_result)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
