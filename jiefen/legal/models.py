"""Public legal service (公共法律服务): consultations, the knowledge base, the duty-lawyer
roster, the means standard and legal-aid applications. Changed only through legal.services."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiefen.regions.models import Region

USER = settings.AUTH_USER_MODEL


class ConsultationChannel(models.TextChoices):
    WINDOW = "window", _("centre window")
    PORTAL = "portal", _("online portal")
    HOTLINE = "hotline_12348", _("12348 legal hotline")


class Consultation(models.Model):
    """One legal question answered (法律咨询), and whether it became a case."""

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    channel = models.CharField(_("channel"), max_length=20, choices=ConsultationChannel.choices)
    topic = models.CharField(_("topic"), max_length=20)  # a case category
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"), blank=True)
    lawyer = models.ForeignKey(
        "mediators.Mediator",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lawyer"),
    )
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("case"),
    )
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    at = models.DateTimeField(verbose_name=_("time"))

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["county", "at"])]
        verbose_name = _("legal consultation")
        verbose_name_plural = _("legal consultations")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.topic}"


class KnowledgeEntry(models.Model):
    """A standard answer with the statute it rests on; searched by Chinese character bigrams."""

    question = models.CharField(_("question"), max_length=200)
    answer = models.TextField(_("answer"))
    statute = models.CharField(_("statute"), max_length=200)
    category = models.CharField(_("category"), max_length=20, blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category", "question"]
        verbose_name = _("knowledge base entry")
        verbose_name_plural = _("knowledge base")

    def __str__(self) -> str:
        return self.question


class DutyShift(models.Model):
    """A duty lawyer at the centre's window on a day (值班律师排班)."""

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    lawyer = models.ForeignKey(
        "mediators.Mediator", on_delete=models.PROTECT, related_name="duty_shifts", verbose_name=_("lawyer")
    )
    day = models.DateField(_("day"))
    place = models.CharField(_("place"), max_length=100, default="公共法律服务窗口")

    class Meta:
        ordering = ["day", "id"]
        constraints = [models.UniqueConstraint(fields=["lawyer", "day"], name="dutyshift_once_a_day")]
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty roster")

    def __str__(self) -> str:
        return f"{self.day} {self.lawyer_id}"


class MeansStandard(models.Model):
    """The province's financial-difficulty standard (法律援助法 第34条), per person per month."""

    province = models.CharField(_("province code"), max_length=2, unique=True)
    monthly_income_per_person = models.DecimalField(
        _("monthly income per person (yuan)"), max_digits=8, decimal_places=2
    )
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        verbose_name = _("means standard")
        verbose_name_plural = _("means standards")

    def __str__(self) -> str:
        return f"{self.province}: {self.monthly_income_per_person}"


class AidStatus(models.TextChoices):
    PENDING = "pending", _("awaiting decision")
    GRANTED = "granted", _("granted: awaiting a lawyer")
    REFUSED = "refused", _("refused")
    ASSIGNED = "assigned", _("lawyer assigned")


class AidChannel(models.TextChoices):
    WINDOW = "window", _("centre window")
    ONLINE = "online", _("online portal")


class LegalAidApplication(models.Model):
    """An application for legal aid (法律援助申请): facts, the rules' assessment, the decision
    due within the statutory time limit (legal_aid.decide, 法律援助法 第43条) on the calendar,
    a reasoned decision, the lawyer assigned from the registry."""

    number = models.CharField(_("application number"), max_length=30, unique=True)
    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    channel = models.CharField(_("channel"), max_length=10, choices=AidChannel.choices)
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("case"),
    )
    applicant_name = models.CharField(_("applicant"), max_length=50)
    id_number_enc = models.TextField(verbose_name=_("ID number (encrypted)"))
    id_number_hash = models.CharField(max_length=64, db_index=True, verbose_name=_("ID number (keyed hash)"))
    id_number_masked = models.CharField(_("ID number"), max_length=24)
    phone_enc = models.TextField(blank=True, verbose_name=_("phone (encrypted)"))
    phone_masked = models.CharField(_("phone"), max_length=24, blank=True)
    matter = models.CharField(_("matter"), max_length=30)
    facts = models.TextField(_("facts"))
    exempt_person = models.CharField(_("exempt from the means check as"), max_length=30, blank=True)
    household_size = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("household size"))
    household_monthly_income = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, verbose_name=_("household monthly income")
    )
    assessment = models.JSONField(default=dict, verbose_name=_("means assessment"))
    status = models.CharField(
        _("status"), max_length=10, choices=AidStatus.choices, default=AidStatus.PENDING
    )
    received_at = models.DateTimeField(_("received at"))
    decision_due_at = models.DateTimeField(_("decision due"))
    due_provisional = models.BooleanField(_("due date provisional"), default=False)
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decision_reason = models.TextField(_("reasons of the decision"), blank=True)
    assign_due_at = models.DateTimeField(null=True, blank=True, verbose_name=_("assign by"))
    assign_due_provisional = models.BooleanField(default=False, verbose_name=_("assign-by date provisional"))
    lawyer = models.ForeignKey(
        "mediators.Mediator",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="aid_cases",
        verbose_name=_("lawyer"),
    )
    assigned_at = models.DateTimeField(null=True, blank=True, verbose_name=_("assigned at"))
    query_code_hash = models.CharField(max_length=64, blank=True, verbose_name=_("query code (keyed hash)"))
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["county", "status", "decision_due_at"])]
        verbose_name = _("legal-aid application")
        verbose_name_plural = _("legal-aid applications")

    def __str__(self) -> str:
        return self.number
