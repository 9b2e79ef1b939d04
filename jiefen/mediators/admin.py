from django.contrib import admin

from jiefen.mediators.models import (
    AllowanceRule,
    ConflictDeclaration,
    IncubationRecord,
    Mediator,
    ProcedureMediator,
    ResolverOrganization,
)


class ConflictInline(admin.TabularInline):
    model = ConflictDeclaration
    extra = 0
    fields = ("party_name", "note", "declared_at")
    readonly_fields = ("declared_at",)

    def has_add_permission(self, request, obj=None):
        # Declared through the API or the mediator's page, where the ID number is hashed.
        return False


@admin.register(Mediator)
class MediatorAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "county", "organization", "available", "max_load", "phone_masked")
    list_filter = ("kind", "available", "county")
    search_fields = ("name",)
    filter_horizontal = ("areas",)
    autocomplete_fields = ("staff", "organization", "county")
    exclude = ("phone_enc",)
    readonly_fields = ("phone_masked",)
    inlines = [ConflictInline]


class IncubationInline(admin.TabularInline):
    model = IncubationRecord
    extra = 0


@admin.register(ResolverOrganization)
class ResolverOrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "county", "incubation_stage", "is_active")
    list_filter = ("kind", "incubation_stage")
    search_fields = ("name",)
    filter_horizontal = ("areas",)
    inlines = [IncubationInline]


@admin.register(AllowanceRule)
class AllowanceRuleAdmin(admin.ModelAdmin):
    list_display = ("difficulty", "outcome", "amount", "note")


@admin.register(ProcedureMediator)
class ProcedureMediatorAdmin(admin.ModelAdmin):
    list_display = ("procedure", "mediator", "case", "assigned_at", "score")
    readonly_fields = [f.name for f in ProcedureMediator._meta.fields]

    def has_add_permission(self, request):
        return False
