"""`jiefen calendar-add-year 2027 --source "国务院办公厅关于2027年部分节假日安排的通知" ...`.

Adds a year to the working-day calendar from the State Council's holiday notice:

    jiefen calendar-add-year 2027 \\
        --holiday 2027-01-01:元旦 --holiday 2027-02-05..2027-02-13:春节 \\
        --workday 2027-02-14:春节调休上班

or from a CSV file with the header `date,is_workday,name` (is_workday: 1/0, true/false,
yes/no, 班/休):

    jiefen calendar-add-year 2027 --from-file calendar-2027.csv

Weekend days inside a holiday range are accepted and not stored (they are off anyway). The
notice is checked against the law first (every statutory holiday given off, make-up days on
weekends, as many days off as the law gives); loading it recomputes the open provisional
deadlines and says how many changed. The same notice loaded twice changes nothing; a different
one for a year already present is refused unless `--replace` is given.
"""

from __future__ import annotations

import csv
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiefen.core.errors import DomainError
from jiefen.deadlines.services import calendar_year_add, parse_day_spec

_TRUE = {"1", "true", "yes", "y", "t", "班", "上班", "workday"}
_FALSE = {"0", "false", "no", "n", "f", "休", "放假", "holiday"}


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise CommandError(_("Not a date (YYYY-MM-DD): %(text)s") % {"text": text}) from exc


def _day_spec(spec: str) -> list[tuple[date, str]]:
    try:
        return parse_day_spec(spec)
    except DomainError as exc:
        raise CommandError(str(exc)) from exc


def read_calendar_csv(path: str) -> tuple[list[tuple[date, str]], list[tuple[date, str]]]:
    """(holidays, workdays) from a CSV file with the header date,is_workday,name."""
    holidays: list[tuple[date, str]] = []
    workdays: list[tuple[date, str]] = []
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = {"date", "is_workday"} - set(reader.fieldnames or [])
            if missing:
                raise CommandError(
                    _("The file needs the columns date,is_workday,name; missing: %(cols)s")
                    % {"cols": ", ".join(sorted(missing))}
                )
            for line, row in enumerate(reader, start=2):
                flag = (row.get("is_workday") or "").strip().lower()
                if flag not in _TRUE | _FALSE:
                    raise CommandError(
                        _("Line %(line)s: is_workday must be 1 or 0, not %(value)r.")
                        % {"line": line, "value": flag}
                    )
                entry = (_parse_date(row.get("date") or ""), (row.get("name") or "").strip())
                (workdays if flag in _TRUE else holidays).append(entry)
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(_("Cannot read the file: %(error)s") % {"error": exc}) from exc
    return holidays, workdays


class Command(BaseCommand):
    help = "Add a year to the working-day calendar from the State Council's holiday notice."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument(
            "--source",
            default="",
            help="the notice, e.g. 国务院办公厅关于2027年部分节假日安排的通知 (default: that title)",
        )
        parser.add_argument(
            "--holiday",
            action="append",
            default=[],
            metavar="DATE[..DATE]:NAME",
            help="a day (or range) off, e.g. 2027-02-05..2027-02-13:春节; repeatable",
        )
        parser.add_argument(
            "--workday",
            action="append",
            default=[],
            metavar="DATE:NAME",
            help="a make-up working day on a weekend, e.g. 2027-02-14:春节调休上班; repeatable",
        )
        parser.add_argument(
            "--from-file", default="", metavar="FILE", help="CSV with columns date,is_workday,name"
        )
        parser.add_argument("--replace", action="store_true", help="replace a year already present")

    def handle(
        self,
        *args,
        year: int,
        source: str,
        holiday: list[str],
        workday: list[str],
        from_file: str,
        replace: bool,
        **options,
    ):
        holidays = [entry for spec in holiday for entry in _day_spec(spec)]
        workdays = [entry for spec in workday for entry in _day_spec(spec)]
        if from_file:
            file_holidays, file_workdays = read_calendar_csv(from_file)
            holidays += file_holidays
            workdays += file_workdays
        if not holidays:
            raise CommandError(_("No holidays given: use --holiday or --from-file."))
        source = source or f"国务院办公厅关于{year}年部分节假日安排的通知"
        try:
            load = calendar_year_add(
                year=year, source=source, holidays=holidays, workdays=workdays, replace=replace
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        if not load.changed:
            self.stdout.write(
                _("Calendar %(year)s is already loaded with these days: nothing changed.") % {"year": year}
            )
            return
        weekday_holidays = len({d for d, _name in holidays if d.weekday() < 5})
        self.stdout.write(
            _("Calendar %(year)s added: %(holidays)s weekday holidays, %(workdays)s make-up working days.")
            % {"year": year, "holidays": weekday_holidays, "workdays": len(workdays)}
        )
        self.stdout.write(
            _("Open provisional deadlines recomputed: %(count)s changed.") % {"count": load.recomputed}
        )
