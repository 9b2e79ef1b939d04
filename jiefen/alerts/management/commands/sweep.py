"""`jiefen sweep [--loop SECONDS]`: the periodic work of the embedded default, once or in a loop.

Each run evaluates the early-warning rules (idempotent and incremental: each run looks at what
came due since the previous one, the watermark in SweepState) and delivers the outbox messages
whose time has come — retries after a gateway outage, messages left pending by a crash,
return-visit reminders due days after a resolution. In a loop, messages are delivered every
`--messages-every` seconds (30), the rules evaluated every `--loop` seconds. `jiefen serve`
runs this beside the server; in production Celery beat runs alerts.tasks.alerts_sweep_task and
notifications.tasks.deliver_due instead.
"""

import os
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from jiefen.alerts.services import alerts_sweep
from jiefen.notifications.services import outbox_deliver_due


class Command(BaseCommand):
    help = "Evaluate the time-driven early-warning rules and deliver the messages that are due."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, default=0, help="repeat every SECONDS (0: run once)")
        parser.add_argument(
            "--parent-pid",
            type=int,
            default=None,
            help="in a loop, stop when this process (the server that started the sweep) has ended",
        )
        parser.add_argument(
            "--messages-every",
            type=float,
            default=30,
            help="in a loop, deliver due messages every SECONDS (default 30)",
        )

    def handle(
        self, *args, loop: float = 0, messages_every: float = 30, parent_pid: int | None = None, **options
    ):
        tick = min(loop, messages_every) if loop > 0 else 0
        next_rules = 0.0
        parent = parent_pid
        while True:
            if time.monotonic() >= next_rules:
                self._rules(loop)
                next_rules = time.monotonic() + loop
            self._messages(loop)
            if loop <= 0:
                return
            self.stdout.flush()
            close_old_connections()
            if not self._wait(tick, parent):
                return

    def _wait(self, seconds: float, parent: int | None) -> bool:
        """Sleep; False as soon as the parent process has ended (this one was re-parented)."""
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            if parent is not None and os.getppid() != parent:
                self.stdout.write("sweep: the server has stopped; stopping too")
                return False
            time.sleep(min(1.0, max(0.0, until - time.monotonic())))
        return parent is None or os.getppid() == parent

    def _rules(self, loop: float) -> None:
        try:
            result = alerts_sweep()
        except Exception as exc:  # in a loop, one failed run (e.g. a locked database) is not the end
            if loop <= 0:
                raise
            self.stderr.write(f"sweep failed: {exc!r}")
        else:
            created = ", ".join(f"{k}={v}" for k, v in result["created"].items())
            self.stdout.write(f"sweep: {result['seconds']} s; new alerts: {created or 'none'}")

    def _messages(self, loop: float) -> None:
        try:
            sent = outbox_deliver_due()
        except Exception as exc:  # noqa: BLE001 - the next tick tries again
            if loop <= 0:
                raise
            self.stderr.write(f"message delivery failed: {exc!r}")
            return
        if sent or loop <= 0:
            self.stdout.write(f"messages: {sent} sent")
