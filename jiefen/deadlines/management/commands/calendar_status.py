"""`jiefen calendar-status [--check]`: the years the working-day calendar knows.

Warns when the current or the next year is missing: deadlines reaching into a missing year
fail with `calendar_year_unknown` until an administrator runs `jiefen calendar-add-year`.
With `--check` the command exits non-zero in that case (for monitoring).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiefen.core import clock
from jiefen.deadlines.selectors import calendar_year_list


class Command(BaseCommand):
    help = "Show the years the working-day calendar knows; warn when this or next year is missing."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="exit with an error when a year is missing")

    def handle(self, *args, check: bool, **options):
        years = calendar_year_list()
        for y in years:
            self.stdout.write(
                _("%(year)s: %(holidays)s weekday holidays, %(workdays)s make-up working days — %(source)s")
                % {
                    "year": y.year,
                    "holidays": y.holiday_count,
                    "workdays": y.workday_count,
                    "source": y.source,
                }
            )
        known = {y.year for y in years}
        if not known:
            self.stdout.write(_("The calendar knows no year."))
        this_year = clock.today().year
        missing = [year for year in (this_year, this_year + 1) if year not in known]
        for year in missing:
            self.stderr.write(
                self.style.WARNING(
                    _(
                        "WARNING: the calendar has no data for %(year)s. Deadlines reaching into %(year)s "
                        "cannot be computed until an administrator adds the year from the State Council's "
                        "holiday notice: jiefen calendar-add-year %(year)s --holiday ... --workday ..."
                    )
                    % {"year": year}
                )
            )
        if missing and check:
            raise CommandError(
                _("Calendar years missing: %(years)s") % {"years": ", ".join(map(str, missing))}
            )
        if not missing:
            self.stdout.write(
                _("The calendar covers %(year)s and %(next)s.") % {"year": this_year, "next": this_year + 1}
            )
