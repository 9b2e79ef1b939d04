from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jiefen.mediation_room.models import (
    RoomFileAccess,
    RoomMessage,
    RoomSession,
    TermsConfirmation,
    TermsVersion,
)


class ReadOnly(admin.ModelAdmin):
    """The room's records are part of the case file: changed only through the services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoomSession)
class RoomSessionAdmin(ReadOnly):
    list_display = ("procedure", "starts_at", "mode", "place")


@admin.register(RoomMessage)
class RoomMessageAdmin(ReadOnly):
    list_display = ("procedure", "author", "at", "file_name")
    exclude = ("file",)


def _digest(value: str) -> str:
    """A SHA-256 digest is data, shown as code (monospace), not as words."""
    return format_html("<code>{}</code>", value)


@admin.register(TermsVersion)
class TermsVersionAdmin(ReadOnly):
    list_display = ("procedure", "number", "digest", "created_at", "superseded_at", "final_at")

    @admin.display(description=_("SHA-256 of the text"), ordering="sha256")
    def digest(self, obj):
        return _digest(obj.sha256)


@admin.register(TermsConfirmation)
class TermsConfirmationAdmin(ReadOnly):
    list_display = ("terms", "party_name", "confirmed_at", "ip", "digest", "voided_at")

    @admin.display(description=_("SHA-256 of the confirmed text"), ordering="sha256")
    def digest(self, obj):
        return _digest(obj.sha256)


@admin.register(RoomFileAccess)
class RoomFileAccessAdmin(ReadOnly):
    list_display = ("message", "staff", "at")
