"""The online mediation room of a procedure: scheduled sessions, messages and evidence files
between the mediator and the parties, the terms put to the parties (TermsVersion) and each
party's confirmation of the exact text with a one-time code (TermsConfirmation).

Parties have no account: they join with the case number and a one-time code sent to their own
phone (RoomCode, a keyed hash only). Changed only through mediation_room.services; every write
appends a CaseEvent in the same transaction.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiefen.mediation_room.choices import Author, CodePurpose, SessionMode

USER = settings.AUTH_USER_MODEL


def text_sha256(text: str) -> str:
    """The hash that identifies one exact text of terms: SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class RoomSession(models.Model):
    """A scheduled mediation session: when, how (online, phone, at a place), where or the link."""

    procedure = models.ForeignKey(
        "procedures.Procedure",
        on_delete=models.CASCADE,
        related_name="room_sessions",
        verbose_name=_("procedure"),
    )
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    starts_at = models.DateTimeField(_("starts at"))
    mode = models.CharField(_("mode"), max_length=12, choices=SessionMode.choices)
    place = models.CharField(_("place"), max_length=200, blank=True)
    meeting_link = models.URLField(_("meeting link"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("room session")
        verbose_name_plural = _("room sessions")

    def __str__(self) -> str:
        return f"{self.procedure_id} {self.starts_at:%Y-%m-%d %H:%M} {self.mode}"


class RoomMessage(models.Model):
    """One message or evidence file in the room, from the mediator or a party (part of the record).

    A file is checked by its content (the portal's rules), stored encrypted under a random name;
    its SHA-256 is of the bytes received."""

    procedure = models.ForeignKey(
        "procedures.Procedure",
        on_delete=models.CASCADE,
        related_name="room_messages",
        verbose_name=_("procedure"),
    )
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    author = models.CharField(_("from"), max_length=10, choices=Author.choices)
    staff = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("staff member"),
    )
    party = models.ForeignKey(
        "cases.Party",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("party"),
    )
    text = models.TextField(_("text"), blank=True)
    file = models.FileField(upload_to="room/%Y/%m/", blank=True, verbose_name=_("file"))
    file_kind = models.CharField(max_length=10, blank=True, verbose_name=_("file type"))
    file_size = models.PositiveIntegerField(default=0, verbose_name=_("file size (bytes)"))
    file_sha256 = models.CharField(max_length=64, blank=True, verbose_name=_("SHA-256 of the file"))
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    at = models.DateTimeField(verbose_name=_("sent at"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("room message")
        verbose_name_plural = _("room messages")
        indexes = [models.Index(fields=["procedure", "id"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(author="mediator", staff__isnull=False) | Q(author="party", party__isnull=False),
                name="roommessage_author_known",
            )
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id} {self.author} {self.at:%Y-%m-%d %H:%M}"


class TermsVersion(models.Model):
    """The terms the mediator puts to the parties, as one exact text with its number and hash.

    A new version voids the confirmations of the earlier ones (`superseded_at`); the version
    every party confirmed is final (`final_at`)."""

    procedure = models.ForeignKey(
        "procedures.Procedure",
        on_delete=models.CASCADE,
        related_name="terms_versions",
        verbose_name=_("procedure"),
    )
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("terms"))
    sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))
    superseded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("superseded at"))
    final_at = models.DateTimeField(_("final at"), null=True, blank=True)

    class Meta:
        ordering = ["procedure", "number"]
        verbose_name = _("terms version")
        verbose_name_plural = _("terms versions")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="termsversion_procedure_number")
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id} v{self.number}"

    @property
    def hash_matches(self) -> bool:
        return text_sha256(self.text) == self.sha256


class TermsConfirmation(models.Model):
    """A party's confirmation of one exact text of terms with a one-time code sent to their own
    phone: who, when, from where (IP, user agent), and the hash of the text they confirmed.

    `voided_at` is set when a newer version is put to the parties."""

    terms = models.ForeignKey(
        TermsVersion, on_delete=models.PROTECT, related_name="confirmations", verbose_name=_("terms version")
    )
    party = models.ForeignKey(
        "cases.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("party record")
    )
    party_name = models.CharField(_("party"), max_length=100)
    phone_masked = models.CharField(_("phone"), max_length=24, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"))
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256 of the confirmed text"), max_length=64)
    # Entered for the party by staff (phone session: the party read the code out) or by the party.
    entered_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    voided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("voided at"))

    class Meta:
        ordering = ["confirmed_at", "id"]
        verbose_name = _("terms confirmation")
        verbose_name_plural = _("terms confirmations")
        constraints = [models.UniqueConstraint(fields=["terms", "party"], name="termsconfirmation_once")]

    def __str__(self) -> str:
        return f"{self.terms_id} {self.party_name} {self.confirmed_at:%Y-%m-%d %H:%M}"


class RoomCode(models.Model):
    """A one-time code sent to a party's own phone: to join the room, or to confirm one terms
    version. Only a keyed hash is kept; it expires, allows a few tries, is used once; sends and
    wrong tries are limited per phone too."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    party = models.ForeignKey(
        "cases.Party", on_delete=models.CASCADE, related_name="+", verbose_name=_("party")
    )
    purpose = models.CharField(max_length=10, choices=CodePurpose.choices, verbose_name=_("purpose"))
    terms = models.ForeignKey(
        TermsVersion,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("terms version"),
    )
    code_hash = models.CharField(max_length=64, verbose_name=_("code (keyed hash)"))
    phone_hash = models.CharField(max_length=64, verbose_name=_("phone (keyed hash)"))
    created_at = models.DateTimeField(verbose_name=_("created at"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("used at"))

    class Meta:
        verbose_name = _("one-time room code")
        verbose_name_plural = _("one-time room codes")
        indexes = [
            models.Index(fields=["party", "purpose", "-created_at"], name="roomcode_party"),
            models.Index(fields=["phone_hash", "-created_at"], name="roomcode_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.party_id} {self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class RoomFileAccess(models.Model):
    """Every opening of a party's evidence file by staff (files carry personal data), as for the
    portal's attachments: who, which file, when."""

    message = models.ForeignKey(
        RoomMessage, on_delete=models.CASCADE, related_name="accesses", verbose_name=_("room message")
    )
    staff = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff member")
    )
    at = models.DateTimeField(verbose_name=_("viewed at"))

    class Meta:
        ordering = ["-at"]
        verbose_name = _("evidence file access")
        verbose_name_plural = _("evidence file accesses")

    def __str__(self) -> str:
        return f"{self.staff_id} {self.message_id} {self.at:%Y-%m-%d %H:%M}"
