"""The full chain of a case: procedures and their steps, agreements, the closure loop, leaders.

A Procedure is one statutory or administrative route taken for a case (definitions.py holds
each kind's steps and actions as data); each ProcedureStep is a clock with its rule, its
start, paused intervals, approved extensions and its stored `due_at`. Changed only through
procedures.services; every change appends a CaseEvent in the same transaction.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiefen.cases.models import Case, Party
from jiefen.directory.models import Organization
from jiefen.procedures.choices import (
    ExtensionStatus,
    FeedbackSource,
    ProcedureKind,
    ProcedureStatus,
    ReceptionKind,
    ReturnVisitStatus,
)

USER = settings.AUTH_USER_MODEL


class Procedure(models.Model):
    """One route taken for a case (人民调解, 司法确认, 信访 …); `state` is the open step's code."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="procedures", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ProcedureKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=ProcedureStatus.choices, default=ProcedureStatus.ACTIVE
    )
    state = models.CharField(_("current step"), max_length=40, blank=True)
    outcome = models.CharField(_("outcome"), max_length=40, blank=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    handler = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("handler")
    )
    follows = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followed_by",
        verbose_name=_("follows"),
    )
    province = models.CharField(max_length=2, verbose_name=_("province"))
    data = models.JSONField(default=dict, blank=True, verbose_name=_("data"))
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    started_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by")
    )
    version = models.PositiveIntegerField(default=1, verbose_name=_("version"))

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        indexes = [models.Index(fields=["case", "kind"]), models.Index(fields=["kind", "outcome"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()} #{self.pk}"


class ProcedureStep(models.Model):
    """A stage of a procedure with its own time limit: the stored due date is computed by
    deadlines.calendar.due_date from (start, rule days + approved extensions, unit, paused)."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="steps", verbose_name=_("procedure")
    )
    # Denormalised from the procedure so that "my deadlines" is one indexed query.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    handler = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("handler")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    code = models.CharField(_("step"), max_length=40)
    rule = models.ForeignKey(
        "deadlines.TimeLimitRule", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("rule")
    )
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    due_provisional = models.BooleanField(_("due date provisional"), default=False)
    extended_days = models.PositiveIntegerField(_("approved extension days"), default=0)
    paused_since = models.DateTimeField(null=True, blank=True, verbose_name=_("paused since"))
    paused_intervals = models.JSONField(default=list, blank=True, verbose_name=_("paused intervals"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=40, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("procedure step")
        verbose_name_plural = _("procedure steps")
        indexes = [
            models.Index(
                fields=["handler", "due_at", "id"],
                name="procstep_open_handler_due",
                condition=Q(ended_at__isnull=True),
            ),
            models.Index(
                fields=["organization", "due_at", "id"],
                name="procstep_open_org_due",
                condition=Q(ended_at__isnull=True, handler__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id} {self.code}"


class StepExtension(models.Model):
    """An extension of a step's time limit: requested, then approved by the role the rule
    names (or by the parties' consent where the law says so); bounded by the rule."""

    step = models.ForeignKey(
        ProcedureStep, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("step")
    )
    days = models.PositiveIntegerField(_("days"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        max_length=10,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.REQUESTED,
        verbose_name=_("status"),
    )
    basis = models.CharField(_("basis"), max_length=20, default="approval")
    requested_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(verbose_name=_("requested at"))
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))

    class Meta:
        verbose_name = _("time limit extension")
        verbose_name_plural = _("time limit extensions")
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.step_id} +{self.days} {self.get_status_display()}"


class MediationSession(models.Model):
    """One mediation session: when, where, who took part, what was said."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("procedure")
    )
    held_at = models.DateTimeField(_("held at"))
    place = models.CharField(_("place"), max_length=200)
    participants = models.TextField(_("participants"))
    minutes = models.TextField(_("minutes"), blank=True)
    recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["held_at", "id"]

    def __str__(self) -> str:
        return f"{self.procedure_id} {self.held_at:%Y-%m-%d}"


class Agreement(models.Model):
    """A version of the mediation agreement (调解协议书); a change of terms is a new version."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("case")
    )
    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("procedure")
    )
    version = models.PositiveIntegerField(verbose_name=_("version"))
    facts = models.TextField(_("facts of the dispute"))
    terms = models.TextField(_("terms"))
    performance = models.TextField(_("manner and time of performance"), blank=True)
    effective_on = models.DateField(_("takes effect on"))
    committee = models.CharField(_("mediation committee"), max_length=100)
    mediators = models.CharField(_("mediators"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["case", "-version"]
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="agreement_case_version")]

    def __str__(self) -> str:
        return f"{self.case_id} v{self.version}"


class PetitionEnded(models.Model):
    """A petition that has gone through 复核: the same facts and reasons are not accepted again.

    One row per applicant keyed hash (ID number or phone) with the normalised facts, so a new
    registration is matched by an indexed lookup without reading personal data in clear."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="+", verbose_name=_("procedure")
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    person_hash = models.CharField(max_length=64, db_index=True, verbose_name=_("person (keyed hash)"))
    facts = models.TextField(verbose_name=_("facts"))
    ended_at = models.DateTimeField(verbose_name=_("ended at"))

    class Meta:
        verbose_name = _("ended petition")
        verbose_name_plural = _("ended petitions")

    def __str__(self) -> str:
        return f"{self.case_id} {self.ended_at:%Y-%m-%d}"


class PartyFeedback(models.Model):
    """A party's satisfaction with the result (1–5 and a comment), once per closure, whatever
    the channel it came through (`source`: the portal, staff, the 12345 hotline). Read only
    through procedures.satisfaction, the one notion of satisfaction."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("case"))
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="+", verbose_name=_("party"))
    closure_no = models.PositiveIntegerField(default=1, verbose_name=_("closure number"))
    source = models.CharField(
        _("source"), max_length=10, choices=FeedbackSource.choices, default=FeedbackSource.STAFF
    )
    score = models.PositiveSmallIntegerField(_("satisfaction"))
    comment = models.TextField(_("comment"), blank=True)
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    at = models.DateTimeField(verbose_name=_("time"))

    class Meta:
        verbose_name = _("party feedback")
        verbose_name_plural = _("party feedbacks")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "party", "closure_no"], name="feedback_once_per_closure"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="feedback_score_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.party_id} {self.score}"


class ReturnVisit(models.Model):
    """A follow-up contact after closure (回访), due N working days later."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="return_visits", verbose_name=_("case")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    status = models.CharField(
        max_length=10,
        choices=ReturnVisitStatus.choices,
        default=ReturnVisitStatus.SCHEDULED,
        verbose_name=_("status"),
    )
    due_at = models.DateTimeField(_("due at"))
    due_provisional = models.BooleanField(_("due date provisional"), default=False)
    # When the visit was scheduled: its period counts from that day (recomputed when provisional).
    scheduled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("scheduled at"))
    reached = models.BooleanField(null=True, verbose_name=_("reached"))
    satisfied = models.BooleanField(null=True, verbose_name=_("satisfied"))
    recurred = models.BooleanField(default=False, verbose_name=_("recurred"))
    note = models.TextField(blank=True, verbose_name=_("note"))
    done_at = models.DateTimeField(null=True, blank=True, verbose_name=_("done at"))
    done_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("done by")
    )

    class Meta:
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["organization", "due_at"],
                name="retvisit_open_org_due",
                condition=Q(status="scheduled"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.due_at:%Y-%m-%d}"


class ReceptionDay(models.Model):
    """A leader's reception day (接访) or visit down (下访): date, place, leader, cases booked."""

    kind = models.CharField(_("kind"), max_length=12, choices=ReceptionKind.choices)
    leader = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("leader"))
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        verbose_name = _("leader reception day")
        verbose_name_plural = _("leader reception days")
        ordering = ["-date", "id"]

    def __str__(self) -> str:
        return f"{self.date} {self.place}"


class ReceptionBooking(models.Model):
    """A case booked into a reception day."""

    reception = models.ForeignKey(
        ReceptionDay, on_delete=models.CASCADE, related_name="bookings", verbose_name=_("reception day")
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    note = models.TextField(blank=True, verbose_name=_("note"))
    booked_at = models.DateTimeField(verbose_name=_("booked at"))

    class Meta:
        verbose_name = _("reception booking")
        verbose_name_plural = _("reception bookings")
        constraints = [models.UniqueConstraint(fields=["reception", "case"], name="booking_once")]

    def __str__(self) -> str:
        return f"{self.reception_id} {self.case_id}"


class LeaderCharge(models.Model):
    """A leader taking charge of a case (包案); ended rows keep the history."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="leader_charges", verbose_name=_("case")
    )
    leader = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("leader"))
    started_at = models.DateTimeField(verbose_name=_("started at"))
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ended at"))
    note = models.TextField(blank=True, verbose_name=_("note"))

    class Meta:
        verbose_name = _("leader in charge")
        verbose_name_plural = _("leaders in charge")
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "leader"], condition=Q(ended_at__isnull=True), name="leadercharge_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.leader_id}"


class SupervisionOrder(models.Model):
    """A supervision order (督办) to an organisation about a case: due date, required reply."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="supervisions", verbose_name=_("case")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    issued_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    issued_at = models.DateTimeField(verbose_name=_("issued at"))
    instructions = models.TextField(_("instructions"))
    due_at = models.DateTimeField(_("reply due"))
    due_provisional = models.BooleanField(_("due date provisional"), default=False)
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True, verbose_name=_("replied at"))
    replied_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("replied by")
    )

    class Meta:
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.organization_id}"


class AgreementTerm(models.Model):
    """One term of the agreement to be performed (履行): what, by whom, by when, how much.
    Performed when the payments recorded reach its amount, or when an act recorded says it
    completes the term; past its due date unperformed, the sweep raises `term_overdue`."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="performance_terms", verbose_name=_("agreement")
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="performance_terms", verbose_name=_("case")
    )
    no = models.PositiveSmallIntegerField(_("term number"))
    text = models.TextField(_("what is to be done"))
    obligor = models.CharField(_("who performs"), max_length=100)
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    performed_at = models.DateTimeField(_("performed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        ordering = ["case", "no"]
        verbose_name = _("agreement term")
        verbose_name_plural = _("agreement terms")
        constraints = [models.UniqueConstraint(fields=["case", "no"], name="agreementterm_case_no")]
        indexes = [
            models.Index(
                fields=["due_on"], name="agreementterm_open_due", condition=Q(performed_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.no}"


class PerformanceRecord(models.Model):
    """A payment or an act recorded against a term: who performed, on which day, how much or what."""

    term = models.ForeignKey(
        AgreementTerm, on_delete=models.CASCADE, related_name="records", verbose_name=_("agreement term")
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    by = models.CharField(_("performed by"), max_length=100)
    on = models.DateField(_("performed on"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    what = models.TextField(_("what was done"), blank=True)
    completes = models.BooleanField(_("completes the term"), default=False)
    recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(verbose_name=_("recorded at"))

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("performance record")
        verbose_name_plural = _("performance records")

    def __str__(self) -> str:
        return f"{self.term_id} {self.on}"
