from django.contrib import admin

from jiefen.portal.models import Attachment, AttachmentAccess, LinkedSubmission, Rating, ReopenRequest


@admin.register(ReopenRequest)
class ReopenRequestAdmin(admin.ModelAdmin):
    list_display = ("case", "at", "handled", "reason")
    list_filter = ("handled",)
    list_editable = ("handled",)


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("case", "stars", "at", "comment")
    list_filter = ("stars",)


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
