"""`jiefen rebuild-counters`: recompute the dashboard counters from the cases.

Run after a bulk import that bypassed the services (e.g. `jiefen seed`), after editing the
thematic tags, or whenever in doubt: the result is what incremental counting would give.
"""

from django.core.management.base import BaseCommand

from jiefen.dashboard.services import counters_rebuild


class Command(BaseCommand):
    help = "Recompute the dashboard counters from the cases and their events."

    def handle(self, *args, **options):
        result = counters_rebuild()
        self.stdout.write(
            f"{result['rows']} counter rows, {result['org_rows']} organisation rows in {result['seconds']} s"
        )
