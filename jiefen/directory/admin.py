"""Admin for organisations, staff (roles as checkboxes) and API tokens (read-only, hash hidden)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

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


# ---------------------------------------------------------------- Django's and django-otp's models
# Their names and labels are English in the database (permissions) or in packages without a
# zh-Hans catalogue (django-otp): the administration names them in the reader's language.

PERMISSION_ACTIONS = {
    "add": _("may add"),
    "change": _("may change"),
    "delete": _("may delete"),
    "view": _("may view"),
}


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Permission) -> str:
        model = obj.content_type.model_class()
        action, _sep, _rest = obj.codename.partition("_")
        if model is None or action not in PERMISSION_ACTIONS:
            return obj.name
        app = model._meta.app_config.verbose_name
        return f"{app} | {model._meta.verbose_name} | {PERMISSION_ACTIONS[action]}"


class GroupForm(forms.ModelForm):
    permissions = PermissionChoiceField(
        Permission.objects.select_related("content_type"),
        required=False,
        label=_("permissions"),
        widget=FilteredSelectMultiple(_("permissions"), is_stacked=False),
    )

    class Meta:
        model = Group
        fields = ("name", "permissions")


admin.site.unregister(Group)


@admin.register(Group)
class TranslatedGroupAdmin(GroupAdmin):
    form = GroupForm

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        return (
            None
            if db_field.name == "permissions"
            else super().formfield_for_manytomany(db_field, request, **kwargs)
        )


class TotpDeviceForm(forms.ModelForm):
    """Only what an administrator decides: whose device, its name, whether it is confirmed. The
    secret is set up by the staff member on the second-factor page (or `jiefen otp-add`)."""

    class Meta:
        model = TOTPDevice
        fields = ("user", "name", "confirmed")
        labels = {"user": _("staff member"), "name": _("name"), "confirmed": _("confirmed")}
        help_texts = {
            "user": _("The staff member whose authenticator app this is."),
            "confirmed": _("Whether the staff member has set the app up and entered a first code."),
            "name": _("A name for the device, to tell it apart (e.g. work phone)."),
        }


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TranslatedTotpDeviceAdmin(TOTPDeviceAdmin):
    form = TotpDeviceForm
    list_display = ("user", "name", "created", "last_used", "confirmed_shown")
    fieldsets = None
    fields = ("user", "name", "confirmed")
    readonly_fields = ()
    raw_id_fields = ()
    autocomplete_fields = ("user",)
    list_filter = ()
    search_fields = ("user__username", "user__display_name", "name")
    search_help_text = None

    def get_fieldsets(self, request, obj=None):
        return [(None, {"fields": self.fields})]

    @admin.display(description=_("created at"), ordering="created_at")
    def created(self, obj):
        return obj.created_at

    @admin.display(description=_("last used at"), ordering="last_used_at")
    def last_used(self, obj):
        return obj.last_used_at

    @admin.display(description=_("confirmed"), boolean=True, ordering="confirmed")
    def confirmed_shown(self, obj):
        return obj.confirmed
