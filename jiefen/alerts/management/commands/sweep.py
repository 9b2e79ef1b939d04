"""`jiefen sweep [--loop SECONDS]`: run the early-warning sweep once, or every SECONDS.

Idempotent and incremental: each run looks at what came due since the previous one (the
watermark in SweepState). In production Celery beat runs alerts.tasks.alerts_sweep_task.
"""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from jiefen.alerts.services import alerts_sweep


class Command(BaseCommand):
    help = "Evaluate the time-driven early-warning rules (deadlines, acceptance, hotspots, spikes)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, default=0, help="repeat every SECONDS (0: run once)")

    def handle(self, *args, loop: float = 0, **options):
        while True:
            try:
                result = alerts_sweep()
            except Exception as exc:  # in a loop, one failed run (e.g. a locked database) is not the end
                if loop <= 0:
                    raise
                self.stderr.write(f"sweep failed: {exc!r}")
            else:
                created = ", ".join(f"{k}={v}" for k, v in result["created"].items())
                self.stdout.write(f"sweep: {result['seconds']} s; new alerts: {created or 'none'}")
            if loop <= 0:
                return
            self.stdout.flush()
            close_old_connections()
            time.sleep(loop)
