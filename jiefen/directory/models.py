from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiefen.regions.models import Region


class OrganizationKind(models.TextChoices):
    """Kinds of organisation a case can be routed to (docs/architecture.md)."""

    COUNTY_CENTRE = "county_centre", _("county dispute-resolution centre (dispatch)")
    TOWN_CENTRE = "town_centre", _("town dispute-resolution centre")
    VILLAGE_COMMITTEE = "village_committee", _("village people's mediation committee")
    TOWN_COMMITTEE = "town_committee", _("town people's mediation committee")
    JUSTICE_OFFICE = "justice_office", _("judicial office (司法所)")
    POLICE_STATION = "police_station", _("police station (派出所)")
    PEOPLES_TRIBUNAL = "peoples_tribunal", _("people's tribunal (人民法庭)")
    POLICE = "police", _("public security bureau")
    COURT = "court", _("people's court")
    PROCURATORATE = "procuratorate", _("procuratorate")
    PETITION_BUREAU = "petition_bureau", _("petition bureau (信访局)")
    JUSTICE_BUREAU = "justice_bureau", _("justice bureau (司法局)")
    LABOUR_ARBITRATION = "labour_arbitration", _("labour dispute arbitration commission")
    LEGAL_AID = "legal_aid", _("legal aid centre")
    PSYCH_SERVICE = "psych_service", _("psychological service")
    MARKET_REGULATION = "market_regulation", _("market regulation (市场监管)")
    HUMAN_RESOURCES = "human_resources", _("human resources and social security")
    NATURAL_RESOURCES = "natural_resources", _("natural resources and planning")
    HOUSING = "housing", _("housing and urban-rural development")
    MEDICAL_COMMITTEE = "medical_committee", _("medical dispute mediation committee (医调委)")
    TRAFFIC_COMMITTEE = "traffic_committee", _("traffic accident mediation committee (交调委)")
    INDUSTRY_COMMITTEE = "industry_committee", _("industry mediation committee")


class Role(models.TextChoices):
    CLERK = "clerk", _("clerk")
    DISPATCHER = "dispatcher", _("dispatcher")
    HANDLER = "handler", _("handler")
    MEDIATOR = "mediator", _("mediator")
    GRID_WORKER = "grid_worker", _("grid worker")
    AGENT = "agent", _("agent")
    LEADER = "leader", _("leader")
    ANALYST = "analyst", _("analyst")
    PSYCH = "psych", _("psychological service")
    ADMIN = "admin", _("administrator")


class Organization(models.Model):
    """A department window, mediation committee, court, etc., anchored at a region."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganizationKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="organizations")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["region__code", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="org_unique_name_in_region")]
        indexes = [models.Index(fields=["kind", "region"])]

    def __str__(self) -> str:
        return self.name

    @property
    def level(self) -> str:
        return self.region.level


class Staff(AbstractUser):
    """A user of the centre: belongs to one organisation; roles decide what they may do.

    What a staff member may see is the jurisdiction of their organisation's region
    (cases.selectors.case_list) plus the cases their organisation is assigned.
    """

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    roles = models.JSONField(_("roles"), default=list, blank=True)
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    failed_logins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.display_name or self.username

    def has_role(self, role: str) -> bool:
        return self.is_superuser or role in (self.roles or [])


class ApiToken(models.Model):
    """A bearer token for the REST API; only its SHA-256 is stored."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.staff})"
