"""Admin: the routing table is configuration and editable; cases are read-only here
(they change only through services, so that every change has its timeline entry)."""

from django.contrib import admin

from jiefen.cases.models import Case, CaseEvent, RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("order", "category", "level", "lead_kind", "is_active", "note")
    list_editable = ("is_active",)
    list_filter = ("level", "is_active", "category")
    ordering = ("order", "id")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "lead_kind":
            from django import forms

            from jiefen.directory.models import OrganizationKind

            return forms.ChoiceField(choices=OrganizationKind.choices, label=db_field.verbose_name)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "actor", "from_status", "to_status", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("number", "status", "category", "level", "lead_organization", "received_at", "due_at")
    list_filter = ("status", "level", "category", "channel")
    search_fields = ("number",)
    inlines = [CaseEventInline]
    list_select_related = ("lead_organization",)
    exclude = ("query_code_hash",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "query_code_hash"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
