"""Read-mostly admin views of the chain (changes go through the services and the case page)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from jiefen.procedures import definitions as d
from jiefen.procedures.models import (
    Agreement,
    LeaderCharge,
    PartyFeedback,
    Procedure,
    ProcedureStep,
    ReceptionDay,
    ReturnVisit,
    SupervisionOrder,
)


def _step_label(kind: str, code: str):
    """A step's name from the procedure's definition (the code when the definition has no such step)."""
    kd = d.KINDS.get(kind)
    step = kd.steps.get(code) if kd else None
    return step.label if step else (code or "-")


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Procedure)
class ProcedureAdmin(ReadOnly):
    list_display = ("id", "case", "kind", "status", "state_shown", "outcome_shown", "started_at")
    list_filter = ("kind", "status")
    search_fields = ("case__number",)

    @admin.display(description=_("current step"), ordering="state")
    def state_shown(self, obj):
        return _step_label(obj.kind, obj.state)

    @admin.display(description=_("outcome"), ordering="outcome")
    def outcome_shown(self, obj):
        return d.OUTCOMES.get(obj.outcome, obj.outcome) or "-"


@admin.register(ProcedureStep)
class ProcedureStepAdmin(ReadOnly):
    list_display = ("id", "case", "step", "rule", "started_at", "due_at", "extended_days", "ended_at")
    list_select_related = ("procedure", "rule")
    search_fields = ("case__number",)

    @admin.display(description=_("step"), ordering="code")
    def step(self, obj):
        return _step_label(obj.procedure.kind, obj.code)


@admin.register(Agreement)
class AgreementAdmin(ReadOnly):
    list_display = ("case", "version", "effective_on", "committee")
    search_fields = ("case__number",)


@admin.register(PartyFeedback, ReturnVisit, LeaderCharge, SupervisionOrder, ReceptionDay)
class FollowUpAdmin(ReadOnly):
    pass
