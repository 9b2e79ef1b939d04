from django.db import models
from django.utils.translation import gettext_lazy as _


class ReasonKind(models.TextChoices):
    """Why a person may be listed: always tied to cases (PIPL art. 6, purpose limitation)."""

    REPEAT_PETITION = "repeat_petition", _("petitions again after 复核 ended the matter")
    RED_RISK = "red_risk", _("red risk on a case")
    COURT_NOTICE = "court_notice", _("a court's notice")
    POLICE_NOTICE = "police_notice", _("a police notice")


class EntryStatus(models.TextChoices):
    ACTIVE = "active", _("listed")
    REMOVED = "removed", _("removed")
    LAPSED = "lapsed", _("lapsed (review date passed)")


class EventKind(models.TextChoices):
    LISTED = "listed", _("listed")
    CONTACT = "contact", _("contact")
    RENEWED = "renewed", _("renewed")
    REMOVED = "removed", _("removed")
    LAPSED = "lapsed", _("lapsed")
    REGISTERED = "registered", _("new case registered")
