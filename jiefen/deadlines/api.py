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


@router.get("/deadlines", response=DeadlineOut)
def deadline_get(request, start: date, days: int, unit: str = "calendar"):
    """The last day of a period of `days` (calendar or working days) after `start`.

    Raises ValidationFailed for a bad unit or days, CalendarYearUnknown when the period
    reaches a year the calendar does not know.
    """
    due = selectors.due_date_for(start, days, unit)
    return {"due_date": due, "start": start, "days": days, "unit": unit}
