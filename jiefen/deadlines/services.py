"""Writes to the working-day calendar.

The calendar changes once a year, when the State Council publishes the next year's holiday
notice (国务院办公厅关于部分节假日安排的通知). An administrator adds that year here; until
then deadlines reaching into the year are counted on the statutory holidays alone and marked
provisional (deadlines.statutory). Loading the notice recomputes the open provisional deadlines
in the same transaction (signals.calendar_changed), each app writing its own timeline entries.

A notice is checked before it is stored (statutory.notice_errors, shared with the admin pages
and `jiefen calendar-status`): every statutory holiday on a weekday given off, make-up working
days on weekends, and as many days off as the law gives.

Only exceptions to the Monday–Friday week are stored: a holiday falling on a weekend is
accepted (the notices list whole ranges) but not stored; a "make-up working day" on a weekday
is refused as a data-entry mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jiefen.core.errors import Conflict, ValidationFailed
from jiefen.deadlines import selectors, statutory
from jiefen.deadlines.models import CalendarDay, CalendarYear
from jiefen.deadlines.signals import calendar_changed

MIN_YEAR = 1990
MAX_YEAR = 2200
_NAME_MAX: int = CalendarDay._meta.get_field("name").max_length or 0
_SOURCE_MAX: int = CalendarYear._meta.get_field("source").max_length or 0


_MAX_RANGE = 31


def parse_day_spec(spec: str) -> list[tuple[date, str]]:
    """`2027-01-01:元旦`, `2027-02-05..2027-02-13:春节` or the same with a space instead of
    the colon → [(date, name), ...]. Raises ValidationFailed for a bad date or range."""
    spec = spec.strip()
    when, sep, name = spec.partition(":")
    if not sep:
        when, _sp, name = spec.partition(" ")
    first_text, dots, last_text = when.strip().partition("..")
    try:
        first = date.fromisoformat(first_text.strip())
        last = date.fromisoformat(last_text.strip()) if dots else first
    except ValueError as exc:
        raise ValidationFailed(
            _("Not a date (YYYY-MM-DD) or range (YYYY-MM-DD..YYYY-MM-DD): %(text)s") % {"text": when[:40]},
            fields={"days": [_("not a date")]},
        ) from exc
    if last < first or (last - first).days > _MAX_RANGE:
        raise ValidationFailed(
            _("Not a valid date range: %(text)s") % {"text": when[:40]}, fields={"days": [_("bad range")]}
        )
    return [(first + timedelta(days=i), name.strip()) for i in range((last - first).days + 1)]


def notice_validate(*, year: int, holidays: list[tuple[date, str]], workdays: list[tuple[date, str]]) -> None:
    """Every check `calendar_year_add` makes before it writes, for forms that show them first."""
    _check_year(year)
    _days_for_year(year=year, holidays=holidays, workdays=workdays)
    _notice_check(year, holidays, workdays)


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


@dataclass(frozen=True)
class CalendarLoad:
    """What loading a notice did: `changed` is False when the same notice was already loaded;
    `recomputed`: open provisional deadlines whose date or mark changed."""

    year: CalendarYear
    changed: bool
    recomputed: int


def _notice_check(year: int, holidays: list[tuple[date, str]], workdays: list[tuple[date, str]]) -> None:
    errors = statutory.notice_errors(year, {d for d, _n in holidays}, {d for d, _n in workdays})
    if errors:
        raise ValidationFailed(" ".join(errors), code="calendar_notice_invalid", fields={"days": errors})


def deadlines_recompute(years: list[int]) -> int:
    """Recompute the open provisional deadlines after the calendar of `years` changed, inside
    the caller's transaction; the number whose date or provisional mark changed."""
    selectors.calendar_invalidate()  # this transaction's calendar from now on
    return sum(int(count or 0) for _receiver, count in calendar_changed.send(sender=None, years=years))


def calendar_year_add(
    *,
    year: int,
    source: str,
    holidays: list[tuple[date, str]],
    workdays: list[tuple[date, str]],
    replace: bool = False,
) -> CalendarLoad:
    """Add a year to the working-day calendar from the State Council's notice, and recompute
    the open provisional deadlines in the same transaction.

    `holidays` are the days off (weekday ones are stored; weekend ones are accepted and
    skipped), `workdays` the make-up working days on a weekend (调休上班). The same notice
    loaded again changes nothing; a different one for a year already present is refused unless
    `replace` is true, in which case its days are replaced.
    """
    _check_year(year)
    if len(source) > _SOURCE_MAX:
        raise ValidationFailed(_("The source is too long."), fields={"source": [_("too long")]})
    rows = _days_for_year(year=year, holidays=holidays, workdays=workdays)
    _notice_check(year, holidays, workdays)
    try:
        with transaction.atomic():
            existing = CalendarYear.objects.select_for_update().filter(year=year).first()
            if existing is not None:
                stored = set(CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday"))
                if stored == {(r.date, r.is_workday) for r in rows}:
                    return CalendarLoad(year=existing, changed=False, recomputed=0)
                if not replace:
                    raise Conflict(
                        _("The calendar already has %(year)s with other days; use replace to load it again.")
                        % {"year": year},
                        code="calendar_year_exists",
                    )
                existing.source = source
                existing.save(update_fields=["source"])
                calendar_year = existing
            else:
                try:
                    with transaction.atomic():
                        calendar_year = CalendarYear.objects.create(year=year, source=source)
                except IntegrityError as exc:
                    raise Conflict(
                        _("The calendar already has %(year)s; use replace to load it again.")
                        % {"year": year},
                        code="calendar_year_exists",
                    ) from exc
            # Days of a year not yet known may linger from manual edits; the notice wins.
            CalendarDay.objects.filter(date__year=year).delete()
            CalendarDay.objects.bulk_create(rows)
            recomputed = deadlines_recompute([year])
            transaction.on_commit(selectors.calendar_invalidate)
    finally:
        # A rolled-back load must not leave its days in this process's cache either.
        selectors.calendar_invalidate()
    return CalendarLoad(year=calendar_year, changed=True, recomputed=recomputed)


def statutory_day_guard(day: date, *, is_workday: bool | None) -> None:
    """Refuse to make a statutory holiday a working day (`is_workday` True) or to remove it
    (`is_workday` None: the row deleted, which on a weekday makes it a working day)."""
    if not statutory.covers(day.year):
        return
    name = statutory.holidays_of_law(day.year).get(day)
    if name is None:
        return
    if is_workday or (is_workday is None and day.weekday() < 5):
        raise ValidationFailed(
            _(
                "%(date)s is a statutory holiday (%(name)s) under 《全国年节及纪念日放假办法》; it cannot "
                "be made a working day."
            )
            % {"date": day.isoformat(), "name": name},
            code="statutory_holiday",
            fields={"day": [_("statutory holiday")]},
        )


def calendar_day_set(*, day: date, is_workday: bool, name: str = "") -> CalendarDay | None:
    """Make one day a working day or a day off (a correction after a late notice).

    The year must be known and a statutory holiday stays a day off. When the setting matches
    the ordinary week (a weekday that is a working day, a weekend day that is off) the exception
    row is removed and None returned.
    """
    if len(name) > _NAME_MAX:
        raise ValidationFailed(_("The name is too long."), fields={"name": [_("too long")]})
    statutory_day_guard(day, is_workday=is_workday)
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
