from django.db import models
from django.utils.translation import gettext_lazy as _


class Attachment(models.Model):
    """A file a citizen sent with a submission: image or PDF, type checked by its content."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="portal_attachments")
    file = models.FileField(upload_to="portal/%Y/%m/")
    kind = models.CharField(max_length=10)  # jpeg, png, gif, webp, pdf
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(max_length=200, blank=True)
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name or self.file.name


class TrackingCode(models.Model):
    """A one-time code sent to the applicant's phone to open the case in the portal.

    Only a keyed hash is kept; it expires, allows a few attempts and is used once.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    # Keyed hash of the phone the code went to: sends and wrong tries are limited per phone too.
    phone_hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["case", "-created_at"]),
            models.Index(fields=["phone_hash", "-created_at"], name="trackingcode_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.created_at:%Y-%m-%d %H:%M}"


class ReopenDecision(models.TextChoices):
    REOPENED = "reopened", _("reopened")
    REFUSED = "refused", _("refused")


class ReopenRequest(models.Model):
    """A citizen asks to reopen a resolved or closed case. It waits in the dispatchers' queue
    (with an alert) until decided with a reason: the case reopened, or the request refused.
    Reopening the case by any other way decides it too (portal.services.on_case_reopened).

    (Citizens' ratings are `procedures.PartyFeedback` rows of source `portal`: one notion of
    satisfaction, procedures.satisfaction.)"""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="reopen_requests")
    reason = models.TextField(_("reason"))
    at = models.DateTimeField()
    handled = models.BooleanField(_("handled"), default=False)
    decision = models.CharField(_("decision"), max_length=10, choices=ReopenDecision.choices, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_by = models.ForeignKey(
        "directory.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["at"], name="reopenreq_waiting", condition=models.Q(handled=False)),
        ]
        verbose_name = _("reopen request")
        verbose_name_plural = _("reopen requests")

    def __str__(self) -> str:
        return f"{self.case_id} {self.at:%Y-%m-%d}"


class LinkedSubmission(models.Model):
    """A re-submission of a matter already registered: linked to the case, not registered again."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="linked_submissions")
    channel = models.CharField(max_length=20)
    description = models.TextField()
    score = models.FloatField()
    reason = models.CharField(max_length=200)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        verbose_name = _("linked re-submission")
        verbose_name_plural = _("linked re-submissions")

    def __str__(self) -> str:
        return f"{self.case_id} {self.at:%Y-%m-%d}"


class AttachmentAccess(models.Model):
    """Every opening of a citizen's file by staff (files carry personal data: ID card photos,
    contracts): who, which file, when, shown or saved."""

    attachment = models.ForeignKey(Attachment, on_delete=models.CASCADE, related_name="accesses")
    staff = models.ForeignKey("directory.Staff", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    download = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("attachment access")
        verbose_name_plural = _("attachment accesses")

    def __str__(self) -> str:
        return f"{self.staff_id} {self.attachment_id} {self.at:%Y-%m-%d %H:%M}"
