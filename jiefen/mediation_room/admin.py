from django.contrib import admin

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


@admin.register(TermsVersion)
class TermsVersionAdmin(ReadOnly):
    list_display = ("procedure", "number", "sha256", "created_at", "superseded_at", "final_at")


@admin.register(TermsConfirmation)
class TermsConfirmationAdmin(ReadOnly):
    list_display = ("terms", "party_name", "confirmed_at", "ip", "sha256", "voided_at")


@admin.register(RoomFileAccess)
class RoomFileAccessAdmin(ReadOnly):
    list_display = ("message", "staff", "at")
