from django.db import models
from django.utils.translation import gettext_lazy as _


class Attachment(models.Model):
    """A file a citizen sent with a submission: image or PDF, type checked by its content."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="portal_attachments", verbose_name=_("case")
    )
    file = models.FileField(upload_to="portal/%Y/%m/", verbose_name=_("file"))
    kind = models.CharField(max_length=10, verbose_name=_("kind"))  # jpeg, png, gif, webp, pdf
    size = models.PositiveIntegerField(verbose_name=_("size"))
    sha256 = models.CharField(max_length=64, verbose_name=_("SHA-256"))
    original_name = models.CharField(max_length=200, blank=True, verbose_name=_("original file name"))
    uploaded_at = models.DateTimeField(verbose_name=_("uploaded at"))

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

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    code_hash = models.CharField(max_length=64, verbose_name=_("code hash"))
    created_at = models.DateTimeField(verbose_name=_("created at"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("used at"))
    # Keyed hash of the phone the code went to: sends and wrong tries are limited per phone too.
    phone_hash = models.CharField(max_length=64, blank=True, default="", verbose_name=_("phone (keyed hash)"))

    class Meta:
        verbose_name = _("tracking code")
        verbose_name_plural = _("tracking codes")
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

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="reopen_requests", verbose_name=_("case")
    )
    reason = models.TextField(_("reason"))
    at = models.DateTimeField(verbose_name=_("time"))
    handled = models.BooleanField(_("handled"), default=False)
    decision = models.CharField(_("decision"), max_length=10, choices=ReopenDecision.choices, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_by = models.ForeignKey(
        "directory.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
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

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="linked_submissions", verbose_name=_("case")
    )
    channel = models.CharField(max_length=20, verbose_name=_("channel"))
    description = models.TextField(verbose_name=_("description"))
    score = models.FloatField(verbose_name=_("score"))
    reason = models.CharField(max_length=200, verbose_name=_("reason"))
    at = models.DateTimeField(verbose_name=_("time"))

    class Meta:
        ordering = ["-at"]
        verbose_name = _("linked re-submission")
        verbose_name_plural = _("linked re-submissions")

    def __str__(self) -> str:
        return f"{self.case_id} {self.at:%Y-%m-%d}"


class AttachmentAccess(models.Model):
    """Every opening of a citizen's file by staff (files carry personal data: ID card photos,
    contracts): who, which file, when, shown or saved."""

    attachment = models.ForeignKey(
        Attachment, on_delete=models.CASCADE, related_name="accesses", verbose_name=_("attachment")
    )
    staff = models.ForeignKey(
        "directory.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("staff member")
    )
    at = models.DateTimeField(verbose_name=_("time"))
    download = models.BooleanField(default=False, verbose_name=_("downloaded"))

    class Meta:
        ordering = ["-at"]
        verbose_name = _("attachment access")
        verbose_name_plural = _("attachment accesses")

    def __str__(self) -> str:
        return f"{self.staff_id} {self.attachment_id} {self.at:%Y-%m-%d %H:%M}"
