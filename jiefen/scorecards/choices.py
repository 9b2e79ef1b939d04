from django.db import models
from django.utils.translation import gettext_lazy as _


class Term(models.TextChoices):
    """The terms of a unit's score: each a share between 0 and 1 (docs/scorecards.md)."""

    ACCEPTED_IN_TIME = "accepted_in_time", _("accepted in time")
    ENDED_IN_TIME = "ended_in_time", _("ended in time")
    RESOLVED = "resolved", _("resolved share")
    NO_RETURNS = "no_returns", _("cases kept (not returned)")
    NO_ESCALATIONS = "no_escalations", _("cases kept (not escalated)")
    SATISFACTION = "satisfaction", _("satisfaction")
    RETURN_VISITS = "return_visits", _("return visits done in time")
    INSPECTIONS = "inspections", _("排查 rounds reported")
    SUPERVISION = "supervision", _("supervision replies in time")


#: The seeded weights (points out of 100); an administrator edits them in the admin.
DEFAULT_WEIGHTS = {
    Term.ACCEPTED_IN_TIME: 15,
    Term.ENDED_IN_TIME: 20,
    Term.RESOLVED: 20,
    Term.NO_RETURNS: 10,
    Term.NO_ESCALATIONS: 5,
    Term.SATISFACTION: 15,
    Term.RETURN_VISITS: 5,
    Term.INSPECTIONS: 5,
    Term.SUPERVISION: 5,
}
