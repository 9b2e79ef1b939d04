"""Admin: templates are editable; the outbox is read-only, with failures listed first and a
"send again" action."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from jiefen.notifications import services
from jiefen.notifications.models import ContactPhone, NotificationTemplate, OutboxMessage


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "is_active", "body")
    list_editable = ("is_active",)


@admin.register(ContactPhone)
class ContactPhoneAdmin(admin.ModelAdmin):
    list_display = ("staff", "phone_masked")
    fields = ("staff", "phone_masked")
    readonly_fields = ("phone_masked",)

    def has_add_permission(self, request):
        return False  # set through `jiefen`'s service (encrypts the number)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    CHANNELS = {"sms": _("SMS"), "inbox": _("staff inbox (no phone on file)")}

    @admin.display(description=_("channel"), ordering="channel")
    def channel_shown(self, obj):
        return self.CHANNELS.get(obj.channel, obj.channel)

    list_display = (
        "created_at",
        "template",
        "channel_shown",
        "recipient_masked",
        "case",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
    )
    list_filter = ("status", "template")
    search_fields = ("case__number", "key")
    readonly_fields = [f.name for f in OutboxMessage._meta.fields if f.name != "recipient_enc"]
    exclude = ("recipient_enc",)
    actions = ["send_again"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("case")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send the selected failed messages again"))
    def send_again(self, request, queryset):
        n = services.outbox_retry(message_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(n)d message queued again.", "%(n)d messages queued again.", n) % {"n": n},
            messages.SUCCESS,
        )
