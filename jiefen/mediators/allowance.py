"""以案定补: a mediator's monthly allowance statement from the rules as data.

Each mediation a registered mediator ran that ended in the month is one line: its difficulty
(complex when the case's risk is red or orange or it has five parties or more, simple when it
ran under the simple procedure, ordinary otherwise), its outcome (agreement or not) and the
amount the `AllowanceRule` of that pair gives (none: 0, marked so that the rule gets added).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from jiefen.mediators.models import AllowanceRule, Mediator, ProcedureMediator
from jiefen.procedures.choices import ProcedureStatus

GROUP = 5


@dataclass
class Line:
    case_number: str
    procedure_id: int
    ended_on: date
    difficulty: str
    outcome: str
    amount: Decimal
    rule_missing: bool


@dataclass
class Statement:
    mediator: Mediator
    month: str
    lines: list[Line] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))


def difficulty_of(*, risk: str, parties: int, simple: bool) -> str:
    if risk in ("red", "orange") or parties >= GROUP:
        return "complex"
    return "simple" if simple else "ordinary"


def monthly_statement(*, mediator: Mediator, year: int, month: int) -> Statement:
    first = timezone.make_aware(datetime.combine(date(year, month, 1), time.min))
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    last = timezone.make_aware(datetime.combine(nxt, time.min))
    rows = list(
        ProcedureMediator.objects.filter(
            mediator=mediator,
            procedure__status=ProcedureStatus.ENDED,
            procedure__ended_at__gte=first,
            procedure__ended_at__lt=last,
        )
        .select_related("procedure", "case")
        .annotate(parties=Count("case__parties"))
        .order_by("procedure__ended_at", "pk")
    )
    from jiefen.triage.models import CaseTriage

    risks = dict(
        CaseTriage.objects.filter(case_id__in=[r.case_id for r in rows]).values_list("case_id", "risk_level")
    )
    rules = {(r.difficulty, r.outcome): r.amount for r in AllowanceRule.objects.all()}
    out = Statement(mediator=mediator, month=f"{year:04d}-{month:02d}")
    for r in rows:
        proc = r.procedure
        diff = difficulty_of(
            risk=risks.get(r.case_id, ""), parties=r.parties, simple=bool((proc.data or {}).get("simple"))
        )
        outcome = "agreement" if proc.outcome == "agreement" else "no_agreement"
        amount = rules.get((diff, outcome))
        out.lines.append(
            Line(
                case_number=r.case.number,
                procedure_id=proc.pk,
                ended_on=timezone.localtime(proc.ended_at).date(),
                difficulty=diff,
                outcome=outcome,
                amount=amount if amount is not None else Decimal("0"),
                rule_missing=amount is None,
            )
        )
    return out
