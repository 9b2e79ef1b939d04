"""Writes to the working-day calendar.

The calendar changes once a year, when the State Council publishes the next year's holiday
notice (国务院办公厅关于部分节假日安排的通知). An administrator adds that year here; until
then any deadline reaching into the year fails with `calendar_year_unknown` instead of a guess.

Only exceptions to the Monday–Friday week are stored: a holiday falling on a weekend is
accepted (the notices list whole ranges) but not stored; a "make-up working day" on a weekday
is refused as a data-entry mistake.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jiefen.core.errors import Conflict, ValidationFailed
from jiefen.deadlines import selectors
from jiefen.deadlines.models import CalendarDay, CalendarYear

MIN_YEAR = 1990
MAX_YEAR = 2200
_NAME_MAX = CalendarDay._meta.get_field("name").max_length
_SOURCE_MAX = CalendarYear._meta.get_field("source").max_length


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(
            _("The year must be between %(min)s and %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR},
            fields={"year": [_("out of range")]},
        )


def _days_for_year(
    *, year: int, holidays: list[tuple[date, str]], workdays: list[tuple[date, str]]
) -> list[CalendarDay]:
    """The rows to store for a year's notice, after checking every date belongs to it."""
    errors: list[str] = []
    seen: set[date] = set()
    rows: list[CalendarDay] = []
    for entries, is_workday in ((holidays, False), (workdays, True)):
        for day, name in entries:
            if day.year != year:
                errors.append(_("%(date)s is not in %(year)s.") % {"date": day.isoformat(), "year": year})
                continue
            if day in seen:
                errors.append(_("%(date)s is listed twice.") % {"date": day.isoformat()})
                continue
            seen.add(day)
            if len(name) > _NAME_MAX:
                errors.append(_("The name of %(date)s is too long.") % {"date": day.isoformat()})
                continue
            weekend = day.weekday() >= 5
            if is_workday and not weekend:
                errors.append(
                    _("%(date)s is a weekday, so it cannot be a make-up working day.")
                    % {"date": day.isoformat()}
                )
                continue
            if not is_workday and weekend:
                # A weekend inside a holiday range is a day off anyway.
                continue
            rows.append(CalendarDay(date=day, is_workday=is_workday, name=name))
    if errors:
        raise ValidationFailed(" ".join(errors), fields={"days": errors})
    return rows


def calendar_year_add(
    *,
    year: int,
    source: str,
    holidays: list[tuple[date, str]],
    workdays: list[tuple[date, str]],
    replace: bool = False,
) -> CalendarYear:
    """Add a year to the working-day calendar from the State Council's notice.

    `holidays` are the days off (weekday ones are stored; weekend ones are accepted and
    skipped), `workdays` the make-up working days on a weekend (调休上班). A year already
    present is refused unless `replace` is true, in which case its days are replaced.
    """
    _check_year(year)
    if len(source) > _SOURCE_MAX:
        raise ValidationFailed(_("The source is too long."), fields={"source": [_("too long")]})
    rows = _days_for_year(year=year, holidays=holidays, workdays=workdays)
    with transaction.atomic():
        existing = CalendarYear.objects.select_for_update().filter(year=year).first()
        if existing is not None and not replace:
            raise Conflict(
                _("The calendar already has %(year)s; use replace to load it again.") % {"year": year},
                code="calendar_year_exists",
            )
        if existing is not None:
            CalendarDay.objects.filter(date__year=year).delete()
            existing.source = source
            existing.save(update_fields=["source"])
            calendar_year = existing
        else:
            try:
                with transaction.atomic():
                    calendar_year = CalendarYear.objects.create(year=year, source=source)
            except IntegrityError as exc:
                raise Conflict(
                    _("The calendar already has %(year)s; use replace to load it again.") % {"year": year},
                    code="calendar_year_exists",
                ) from exc
            # Days of a year not yet known may linger from manual edits; the notice wins.
            CalendarDay.objects.filter(date__year=year).delete()
        CalendarDay.objects.bulk_create(rows)
        transaction.on_commit(selectors.calendar_invalidate)
    return calendar_year


def calendar_day_set(*, day: date, is_workday: bool, name: str = "") -> CalendarDay | None:
    """Make one day a working day or a day off (a correction after a late notice).

    The year must be known. When the setting matches the ordinary week (a weekday that is a
    working day, a weekend day that is off) the exception row is removed and None returned.
    """
    if len(name) > _NAME_MAX:
        raise ValidationFailed(_("The name is too long."), fields={"name": [_("too long")]})
    with transaction.atomic():
        if not CalendarYear.objects.filter(year=day.year).exists():
            raise ValidationFailed(
                _("The calendar has no year %(year)s; add the year first.") % {"year": day.year},
                fields={"day": [_("unknown year")]},
            )
        ordinary = day.weekday() < 5
        transaction.on_commit(selectors.calendar_invalidate)
        if is_workday == ordinary:
            CalendarDay.objects.filter(date=day).delete()
            return None
        row, _created = CalendarDay.objects.update_or_create(
            date=day, defaults={"is_workday": is_workday, "name": name}
        )
        return row
