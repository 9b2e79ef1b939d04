"""Admin: the routing table is configuration and editable; cases are read-only here
(they change only through services, so that every change has its timeline entry)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from jiefen.cases.models import Case, CaseEvent, RoutingRule
from jiefen.cases.routing import routing_rule_validate
from jiefen.directory.models import OrganizationKind


class RoutingRuleForm(forms.ModelForm):
    """Validated by the same function routing uses (routing.routing_rule_validate) before save."""

    lead_kind = forms.ChoiceField(choices=OrganizationKind.choices, label=_("lead organisation kind"))
    assist_kinds = forms.MultipleChoiceField(
        choices=OrganizationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("assisting organisation kinds"),
    )

    class Meta:
        model = RoutingRule
        fields = [
            "order",
            "category",
            "region",
            "min_risk",
            "channel",
            "keywords",
            "level",
            "lead_kind",
            "assist_kinds",
            "is_active",
            "note",
        ]

    def clean(self):
        data = super().clean()
        errors = routing_rule_validate(
            category=data.get("category") or "",
            level=data.get("level") or "",
            lead_kind=data.get("lead_kind") or "",
            region=data.get("region"),
            min_risk=data.get("min_risk") or "",
            channel=data.get("channel") or "",
            keywords=data.get("keywords") or "",
            assist_kinds=list(data.get("assist_kinds") or []),
        )
        for name, messages in errors.items():
            for m in messages:
                self.add_error(name if name in self.fields else None, m)
        return data


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    form = RoutingRuleForm
    list_display = (
        "order",
        "category",
        "region",
        "min_risk",
        "channel",
        "level",
        "lead_kind_shown",
        "is_active",
        "note",
    )

    @admin.display(description=_("lead organisation kind"), ordering="lead_kind")
    def lead_kind_shown(self, obj):
        return (
            OrganizationKind(obj.lead_kind).label
            if obj.lead_kind in OrganizationKind.values
            else obj.lead_kind
        )

    list_editable = ("is_active",)
    list_filter = ("level", "is_active", "category", "min_risk", "channel")
    ordering = ("order", "id")
    autocomplete_fields = ("region",)


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
