"""Deadline arithmetic over HTTP: `GET /deadlines?start=2026-02-10&days=7&unit=working`."""

from __future__ import annotations

from datetime import date

from ninja import Router, Schema

from jiefen.deadlines import selectors

router = Router(tags=["deadlines"])


class DeadlineOut(Schema):
    due_date: date
    start: date
    days: int
    unit: str
    provisional: bool


@router.get("/deadlines", response=DeadlineOut)
def deadline_get(request, start: date, days: int, unit: str = "calendar"):
    """The last day of a period of `days` (calendar or working days) after `start`.

    `provisional` is true when the period touches a year whose State Council notice is not
    loaded: the date is counted on the statutory holidays alone and may move when it is.
    Raises ValidationFailed for a bad unit or days, CalendarYearUnknown (422) when the period
    reaches a year known neither from a notice nor from the law.
    """
    due = selectors.deadline_for(start, days, unit)
    return {"due_date": due.day, "start": start, "days": days, "unit": unit, "provisional": due.provisional}
