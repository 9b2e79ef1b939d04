"""`jiefen consumers`: the readers of case writes, in the order they run (cases.hooks)."""

from django.core.management.base import BaseCommand

from jiefen.cases.hooks import consumers


class Command(BaseCommand):
    help = "List the consumers of case writes in the order they run in the case's transaction."

    def handle(self, *args, **options):
        for c in consumers():
            parts = [p for p in ("written", "registering", "registered") if getattr(c, p) is not None]
            self.stdout.write(f"{c.order:3d} {c.name:<15} {', '.join(parts)}")
