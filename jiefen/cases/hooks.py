"""What else must happen, in the same transaction, when a case is written.

Services in cases call `case_written` after every change, with the event they appended; a
registration calls `cases_registering` before the county's numbers are taken and
`cases_registered` after its rows are written. The readers that keep derived data register
here as consumers, each from its app's `AppConfig.ready()`, with an `order` that makes the
chain explicit:

    10 triage          risk and search text
    20 dashboard       counters
    30 alerts          event-driven early-warning rules
    40 notifications   the outbox (SMS to the parties)
    50 procedures      procedures follow a case to its new lead; the closure loop after a close

`consumers()` lists them in that order (`jiefen consumers` prints the list); cases
imports none of them. Each callee must be cheap and must not write the case itself; it runs in
the case's transaction, so a consumer's failure rolls the change back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jiefen.cases.models import Case, CaseEvent, Party


@dataclass(frozen=True)
class Consumer:
    """A reader of case writes. `written(case=, event=, before=)` after one change;
    `registering(cases, parties)` reads what it needs for new cases before their numbers are
    taken (returned value handed back as `reads`); `registered(items, reads)` after new cases
    (`items`: (case, its last event)) are written."""

    name: str
    order: int
    written: Callable[..., None] | None = None
    registering: Callable[[list[Case], list[list[Party]]], Any] | None = None
    registered: Callable[[list[tuple[Case, CaseEvent]], Any], None] | None = None


_consumers: dict[str, Consumer] = {}


def consumer_register(consumer: Consumer) -> None:
    """Add (or replace, by name) a consumer; called from an AppConfig.ready()."""
    _consumers[consumer.name] = consumer


def consumers() -> list[Consumer]:
    return sorted(_consumers.values(), key=lambda c: (c.order, c.name))


def case_written(*, case: Case, event: CaseEvent, before: dict | None) -> None:
    """`before` is the case's summary before the change:
    {"status", "level", "category", "lead_organization_id", "resolved_level", "due_at"}.
    (Registrations go through `cases_registering` and `cases_registered`; the consumers still
    take `before=None` for a new case one at a time, which the batch path is tested against.)"""
    for consumer in consumers():
        if consumer.written is not None:
            consumer.written(case=case, event=event, before=before)


def cases_registering(cases: list[Case], parties: list[list[Party]]) -> dict:
    """What the consumers of `cases_registered` read for these new cases (built, not yet
    written, no number yet; `parties`: each case's new Party rows), read before the county's
    numbers are taken so that the reads do not lengthen the time that registrations of the
    county wait for each other."""
    return {c.name: c.registering(cases, parties) for c in consumers() if c.registering is not None}


def cases_registered(items: list[tuple[Case, CaseEvent]], reads: dict | None = None) -> None:
    """`case_written` for many cases just registered together, each with its last event: the
    same consumers, each doing its part for all of them at once. `reads`: what
    `cases_registering` read for them before they were written."""
    for consumer in consumers():
        if consumer.registered is not None:
            consumer.registered(items, (reads or {}).get(consumer.name))


def case_summary(case: Case) -> dict:
    return {
        "status": case.status,
        "level": case.level,
        "category": case.category,
        "lead_organization_id": case.lead_organization_id,
        "resolved_level": case.resolved_level,
        "due_at": case.due_at,
    }
