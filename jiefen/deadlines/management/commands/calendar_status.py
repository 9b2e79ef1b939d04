"""`jiefen calendar-status`: the years the working-day calendar knows, for people and monitors.

Exit status: 0 when the notices that matter today are loaded; 1 from 1 November while next
year's notice is missing (deadlines reaching into it are provisional); 2 when this year's notice
is missing after 1 January. A loaded notice that fails the law's checks counts as missing. A
monitoring job runs it daily and alerts on a non-zero exit (docs/operations.md).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiefen.core import clock
from jiefen.deadlines import statutory
from jiefen.deadlines.selectors import calendar_outlook, calendar_year_list

EXIT = {"ok": 0, "warning": 1, "urgent": 2}


class Command(BaseCommand):
    help = (
        "Show the years the working-day calendar knows; exit 1 (warning) or 2 (urgent) when a "
        "notice that matters now is missing."
    )

    def add_arguments(self, parser):
        # Kept for monitoring jobs written against earlier releases: the exit status now always
        # tells whether a notice is missing.
        parser.add_argument("--check", action="store_true", help="(the default) exit non-zero when missing")

    def handle(self, *args, **options):
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
        if not years:
            self.stdout.write(_("No year's notice is loaded."))
        last = max((y.year for y in years), default=statutory.STATUTORY_FIRST_YEAR - 1)
        first_law = max(last + 1, statutory.STATUTORY_FIRST_YEAR)
        self.stdout.write(
            _(
                "%(first)s–%(last)s: no notice; deadlines there are provisional, counted on the statutory "
                "holidays of 《全国年节及纪念日放假办法》. Later years are unknown."
            )
            % {"first": first_law, "last": statutory.STATUTORY_LAST_YEAR}
        )
        outlook = calendar_outlook(clock.today())
        for problem in outlook.problems:
            self.stderr.write(self.style.ERROR(problem))
        if outlook.ok:
            self.stdout.write(outlook.message)
            return
        label = _("URGENT") if outlook.level == "urgent" else _("WARNING")
        self.stderr.write(self.style.WARNING(f"{label}: {outlook.message}"))
        raise CommandError(
            _("Holiday notice missing: %(years)s") % {"years": ", ".join(map(str, outlook.years))},
            returncode=EXIT[outlook.level],
        )
