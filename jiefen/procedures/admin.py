"""Read-mostly admin views of the chain (changes go through the services and the case page)."""

from django.contrib import admin

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


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Procedure)
class ProcedureAdmin(ReadOnly):
    list_display = ("id", "case", "kind", "status", "state", "outcome", "started_at")
    list_filter = ("kind", "status", "outcome")
    search_fields = ("case__number",)


@admin.register(ProcedureStep)
class ProcedureStepAdmin(ReadOnly):
    list_display = ("id", "case", "code", "rule", "started_at", "due_at", "extended_days", "ended_at")
    search_fields = ("case__number",)


@admin.register(Agreement)
class AgreementAdmin(ReadOnly):
    list_display = ("case", "version", "effective_on", "committee")
    search_fields = ("case__number",)


@admin.register(PartyFeedback, ReturnVisit, LeaderCharge, SupervisionOrder, ReceptionDay)
class FollowUpAdmin(ReadOnly):
    pass
