"""The psychological service (社会心理服务): referrals of a party with consent, screenings,
sessions, alerts and the log of every opening.

These are the most sensitive records of the product: everything said (reason, answers,
scores, notes) is Fernet ciphertext (core.pii); only the referral's frame (case, counsellor,
status, dates) is in clear. They are read only through psych.selectors, which lets in the
psychological-service role and the counsellor and logs each opening; anyone else is told
"not found". They are not written to the case timeline, which every handler of the case reads.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class ReferralStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed: consent to be asked")
    ACTIVE = "active", _("consented: in care")
    DECLINED = "declined", _("declined by the party")
    CLOSED = "closed", _("closed")


class PsychReferral(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    party = models.ForeignKey(
        "cases.Party",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("party"),
    )
    counsellor = models.ForeignKey(
        "mediators.Mediator", on_delete=models.PROTECT, related_name="referrals", verbose_name=_("counsellor")
    )
    source = models.CharField(_("source"), max_length=20)  # manual, red_risk, self_harm_words
    reason_enc = models.TextField(verbose_name=_("reason (encrypted)"))
    consent = models.BooleanField(_("consent given"), null=True)
    consent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("consent given at"))
    consent_note_enc = models.TextField(blank=True, verbose_name=_("consent note (encrypted)"))
    status = models.CharField(
        max_length=10,
        choices=ReferralStatus.choices,
        default=ReferralStatus.PROPOSED,
        verbose_name=_("status"),
    )
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("psychological referral")
        verbose_name_plural = _("psychological referrals")

    def __str__(self) -> str:
        return f"referral #{self.pk}"


class Screening(models.Model):
    """One screening; `result_enc` holds the answers, the score, the band and the self-harm flag."""

    referral = models.ForeignKey(
        PsychReferral, on_delete=models.CASCADE, related_name="screenings", verbose_name=_("referral")
    )
    scale = models.CharField(max_length=10, verbose_name=_("scale"))
    result_enc = models.TextField(verbose_name=_("result (encrypted)"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(verbose_name=_("time"))

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"screening #{self.pk}"


class CounsellingSession(models.Model):
    referral = models.ForeignKey(
        PsychReferral, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("referral")
    )
    held_at = models.DateTimeField(verbose_name=_("held at"))
    notes_enc = models.TextField(blank=True, verbose_name=_("notes (encrypted)"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))

    class Meta:
        verbose_name = _("counselling session")
        verbose_name_plural = _("counselling sessions")
        ordering = ["held_at", "id"]

    def __str__(self) -> str:
        return f"session #{self.pk}"


class PsychAlert(models.Model):
    """An immediate alert to one person (the case's leader, the counsellor): says only that a
    referral needs them now, never what was answered."""

    referral = models.ForeignKey(
        PsychReferral, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("referral")
    )
    recipient = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    kind = models.CharField(max_length=20, default="self_harm", verbose_name=_("kind"))
    at = models.DateTimeField(verbose_name=_("time"))
    acknowledged_at = models.DateTimeField(null=True, blank=True, verbose_name=_("acknowledged at"))

    class Meta:
        verbose_name = _("psychological alert")
        verbose_name_plural = _("psychological alerts")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["recipient", "acknowledged_at"])]

    def __str__(self) -> str:
        return f"alert #{self.pk}"


class PsychAccessLog(models.Model):
    """Every opening of a psychological record (append-only)."""

    referral = models.ForeignKey(
        PsychReferral, on_delete=models.CASCADE, related_name="+", verbose_name=_("referral")
    )
    viewer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("viewer"))
    what = models.CharField(max_length=20, verbose_name=_("what was viewed"))
    at = models.DateTimeField(verbose_name=_("time"))

    class Meta:
        verbose_name = _("psychological record access")
        verbose_name_plural = _("psychological record accesses")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.viewer_id} {self.what} #{self.referral_id}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The access log is append-only.")
