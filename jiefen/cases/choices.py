from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("walk-in")
    HOTLINE_12345 = "hotline_12345", _("12345 hotline")
    ONLINE = "online", _("online")
    GRID = "grid", _("grid worker")
    LETTER = "letter", _("letter")
    LEADER_RECEPTION = "leader_reception", _("leader's reception")
    POLICE_REFERRAL = "police_referral", _("police referral")
    COURT_REFERRAL = "court_referral", _("court referral")
    PETITION = "petition", _("petition")
    OTHER = "other", _("other")


class Category(models.TextChoices):
    FAMILY = "family", _("marriage and family")
    INHERITANCE = "inheritance", _("inheritance")
    NEIGHBOUR = "neighbour", _("neighbours")
    PROPERTY_LAND = "property_land", _("housing and land")
    EXPROPRIATION = "expropriation", _("expropriation and demolition")
    LABOUR = "labour", _("labour and wages")
    DEBT_CONTRACT = "debt_contract", _("debts and contracts")
    BUSINESS = "business", _("business operation")
    TRAFFIC = "traffic", _("traffic accidents")
    MEDICAL = "medical", _("medical")
    PROPERTY_MGMT = "property_mgmt", _("property management")
    CONSUMER = "consumer", _("consumer and tourism")
    ENVIRONMENT = "environment", _("environmental pollution")
    EDUCATION = "education", _("schools and education")
    PUBLIC_ORDER = "public_order", _("public order")
    VILLAGE_AFFAIRS = "village_affairs", _("village affairs")
    OTHER = "other", _("other")


class Status(models.TextChoices):
    REGISTERED = "registered", _("registered")
    TRIAGED = "triaged", _("triaged (awaiting acceptance)")
    ACCEPTED = "accepted", _("accepted")
    IN_PROGRESS = "in_progress", _("in progress")
    SUSPENDED = "suspended", _("suspended")
    RESOLVED = "resolved", _("resolved")
    TRANSFERRED = "transferred", _("transferred to a statutory route")
    CLOSED = "closed", _("closed")
    NOT_ACCEPTED = "not_accepted", _("not accepted")
    WITHDRAWN = "withdrawn", _("withdrawn")
    MERGED = "merged", _("merged")


OPEN_STATUSES = frozenset(
    {
        Status.REGISTERED,
        Status.TRIAGED,
        Status.ACCEPTED,
        Status.IN_PROGRESS,
        Status.SUSPENDED,
        Status.TRANSFERRED,
    }
)
TERMINAL_STATUSES = frozenset({Status.NOT_ACCEPTED, Status.WITHDRAWN, Status.MERGED})
ENDED_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED}) | TERMINAL_STATUSES


class Level(models.TextChoices):
    VILLAGE = "village", _("village")
    TOWN = "town", _("town")
    COUNTY = "county", _("county")


class ResolvedLevel(models.TextChoices):
    VILLAGE = "village", _("village")
    TOWN = "town", _("town")
    COUNTY = "county", _("county")
    STATUTORY = "statutory", _("statutory route")


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("applicant")
    RESPONDENT = "respondent", _("respondent")
    THIRD_PARTY = "third_party", _("third party")


class PartyKind(models.TextChoices):
    PERSON = "person", _("person")
    ORGANIZATION = "organization", _("organisation")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("lead")
    ASSIST = "assist", _("assist")


class StatutoryRoute(models.TextChoices):
    ARBITRATION = "arbitration", _("labour arbitration")
    LITIGATION = "litigation", _("litigation")
    ADMINISTRATIVE = "administrative", _("administrative review or decision")
    PETITION = "petition", _("petition procedure")


class RiskLevel(models.TextChoices):
    """The one scale of risk (红/橙/黄/蓝) that triage assesses, routing rules test and alerts
    and the dashboard show."""

    RED = "red", _("red")
    ORANGE = "orange", _("orange")
    YELLOW = "yellow", _("yellow")
    BLUE = "blue", _("blue")


#: Higher is more serious; rules and queues compare levels through this ("" = not assessed).
RISK_RANK = {"": 0, RiskLevel.BLUE: 0, RiskLevel.YELLOW: 1, RiskLevel.ORANGE: 2, RiskLevel.RED: 3}


def risk_label(level: str) -> str:
    """A level in the reader's language; the code itself for anything unknown."""
    return str(RiskLevel(level).label) if level in RiskLevel.values else level


class Sex(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")
