"""Time in one place, so tests can freeze it and code never uses naive datetimes."""

from datetime import date, datetime, time

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def today() -> date:
    return timezone.localdate()


def end_of_day(day: date) -> datetime:
    """The last moment of a local calendar day: a deadline 'on' a day runs until its end."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))
