from django.contrib import admin

from jiefen.portal.models import Attachment, AttachmentAccess, LinkedSubmission, ReopenRequest


@admin.register(ReopenRequest)
class ReopenRequestAdmin(admin.ModelAdmin):
    """Read only: a request is decided on the staff page (/reopen-requests/), with its reason."""

    list_display = ("case", "at", "handled", "decision", "decided_at", "reason")
    list_filter = ("handled", "decision")
    readonly_fields = (
        "case",
        "reason",
        "at",
        "handled",
        "decision",
        "decision_reason",
        "decided_by",
        "decided_at",
    )

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("case", "kind", "size", "original_name", "uploaded_at")
    readonly_fields = ("case", "kind", "size", "sha256", "original_name", "uploaded_at", "file")


@admin.register(LinkedSubmission)
class LinkedSubmissionAdmin(admin.ModelAdmin):
    list_display = ("case", "channel", "score", "at")
    readonly_fields = ("case", "channel", "description", "score", "reason", "at")


@admin.register(AttachmentAccess)
class AttachmentAccessAdmin(admin.ModelAdmin):
    list_display = ("at", "staff", "attachment", "download")
    list_select_related = ("staff", "attachment")
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
