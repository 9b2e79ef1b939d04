from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcedureKind(models.TextChoices):
    PEOPLE_MEDIATION = "people_mediation", _("people's mediation")
    JUDICIAL_CONFIRMATION = "judicial_confirmation", _("judicial confirmation")
    ENTRUSTED_MEDIATION = "entrusted_mediation", _("court-entrusted pre-filing mediation")
    LABOUR_MEDIATION = "labour_mediation", _("labour dispute mediation")
    LABOUR_ARBITRATION = "labour_arbitration", _("labour dispute arbitration")
    PETITION = "petition", _("petition (信访)")
    LEGAL_AID = "legal_aid", _("legal aid")
    CONSUMER_COMPLAINT = "consumer_complaint", _("consumer complaint")
    LITIGATION = "litigation", _("litigation")


class ProcedureStatus(models.TextChoices):
    ACTIVE = "active", _("running")
    SUSPENDED = "suspended", _("suspended")
    ENDED = "ended", _("ended")


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class ReceptionKind(models.TextChoices):
    RECEPTION = "reception", _("reception day (接访)")
    VISIT_DOWN = "visit_down", _("visit down (下访)")


class FeedbackSource(models.TextChoices):
    """Where a party's rating of the result came from (procedures.satisfaction)."""

    STAFF = "staff", _("recorded by staff")
    PORTAL = "portal", _("citizen portal")
    HOTLINE = "hotline", _("12345 hotline return visit")


class ReturnVisitStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    DONE = "done", _("done")
