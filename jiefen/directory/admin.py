"""Admin for organisations, staff (roles as checkboxes) and API tokens (read-only, hash hidden)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _

from jiefen.directory.backends import LOGIN_REFUSED
from jiefen.directory.forms import SecondFactorMixin
from jiefen.directory.models import ApiToken, Organization, Role, Staff
from jiefen.directory.services import api_token_revoke


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region", "is_active")
    list_filter = ("kind", "is_active", "region__level")
    search_fields = ("name", "region__name", "region__code")
    list_select_related = ("region",)
    autocomplete_fields = ("region",)


class StaffChangeForm(UserChangeForm):
    roles = forms.MultipleChoiceField(
        label=_("roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta(UserChangeForm.Meta):
        model = Staff


@admin.register(Staff)
class StaffAdmin(UserAdmin):
    form = StaffChangeForm
    list_display = ("username", "display_name", "organization", "is_active", "is_staff", "locked_until")
    list_filter = (
        "is_active",
        "is_staff",
        "is_superuser",
        "organization__kind",
        "organization__region__level",
    )
    search_fields = ("username", "display_name", "first_name", "last_name", "organization__name")
    list_select_related = ("organization",)
    autocomplete_fields = ("organization",)
    readonly_fields = ("failed_logins", "last_login", "date_joined")
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Centre"), {"fields": ("display_name", "organization", "roles", "failed_logins", "locked_until")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2", "organization")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued with `jiefen token create`; here they are listed and can be revoked."""

    list_display = ("prefix", "name", "staff", "created_at", "last_used_at", "revoked")
    list_filter = ("revoked",)
    search_fields = ("prefix", "name", "staff__username")
    list_select_related = ("staff",)
    fields = ("prefix", "name", "staff", "created_at", "last_used_at", "revoked")
    readonly_fields = fields
    actions = ("revoke",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"), permissions=["view"])
    def revoke(self, request, queryset):
        for token in queryset:
            api_token_revoke(token=token)
        self.message_user(request, _("Tokens revoked."))


class AdminLoginForm(SecondFactorMixin, AdminAuthenticationForm):
    """The admin's login answers a refused login as the staff login does: one message for a
    wrong password, an unknown user and a locked account (the lockout is in the backend)."""

    error_messages = {**AdminAuthenticationForm.error_messages, "invalid_login": LOGIN_REFUSED}


admin.site.login_form = AdminLoginForm
admin.site.login_template = "directory/admin_login.html"
