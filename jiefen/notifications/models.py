from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiefen.notifications.choices import MessageStatus, Template


class NotificationTemplate(models.Model):
    """The wording of one event's message, editable by an administrator.

    `{placeholders}` are filled from the message's context; an unknown placeholder is left
    as written rather than failing the send.
    """

    code = models.CharField(_("event"), max_length=40, choices=Template.choices, unique=True)
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True, help_text=_("inactive: nothing is sent"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")

    def __str__(self) -> str:
        return self.get_code_display()


class ContactPhone(models.Model):
    """A staff member's mobile number for duty alerts and reminders (encrypted, PIPL)."""

    staff = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="contact",
        verbose_name=_("staff member"),
    )
    phone_enc = models.TextField(verbose_name=_("phone (encrypted)"))
    phone_masked = models.CharField(_("phone"), max_length=24)

    class Meta:
        verbose_name = _("staff phone")
        verbose_name_plural = _("staff phones")

    def __str__(self) -> str:
        return f"{self.staff} {self.phone_masked}"


class OutboxMessage(models.Model):
    """One message to send, written in the same transaction as the change that causes it.

    `key` makes enqueueing idempotent (one message per event and recipient); delivery locks
    the row and never sends a message already marked sent, so a retried task does not send
    twice. Failed attempts back off exponentially; after the last one the message is
    `failed` and listed for administrators.
    """

    key = models.CharField(max_length=200, unique=True, verbose_name=_("key"))
    template = models.CharField(_("event"), max_length=40, choices=Template.choices)
    channel = models.CharField(_("channel"), max_length=10, default="sms")
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox_messages",
        verbose_name=_("case"),
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("staff member"),
    )
    recipient_enc = models.TextField(blank=True, verbose_name=_("recipient (encrypted)"))
    recipient_masked = models.CharField(_("recipient"), max_length=24, blank=True)
    body = models.TextField(_("text"))
    # One-time codes are cleared from the table once delivered.
    sensitive = models.BooleanField(default=False, verbose_name=_("sensitive"))
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    last_error = models.TextField(_("last error"), blank=True)
    provider_id = models.CharField(max_length=100, blank=True, verbose_name=_("provider's message id"))
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_template_display()} → {self.recipient_masked or self.staff_id} ({self.get_status_display()})"
