"""`jiefen serve [--port 8000] [--host 127.0.0.1] [--workers 2] [--threads 8]`: serve what is there.

gunicorn (`jiefen.wsgi:application`) replaces this process when it is installed and the
platform has it (it needs fork: not on Windows); otherwise, or with `--workers 0`, Django's
runserver without the reloader. Static files come through whitenoise with finders, so no
collectstatic. Nothing is migrated here: unapplied migrations stop the command with a message
saying what to run, rather than serving pages that fail on a missing table.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from jiefen.deadlines.selectors import calendar_outlook


def pending_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Names (app.migration) of migrations not yet applied to the database."""
    connection = connections[alias]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _backwards in plan]


def calendar_line(command: BaseCommand) -> None:
    """One line on the working-day calendar: which notices are loaded, or a warning that
    deadlines are provisional because one is missing (docs/operations.md, each November)."""
    outlook = calendar_outlook()
    if outlook.ok:
        command.stdout.write(f"Calendar: {outlook.message}")
        return
    label = "URGENT" if outlook.level == "urgent" else "WARNING"
    command.stdout.write(command.style.WARNING(f"Calendar {label}: {outlook.message}"))


def gunicorn_available() -> bool:
    """gunicorn needs fork and fcntl; it is absent or unusable on Windows."""
    return os.name == "posix" and importlib.util.find_spec("gunicorn") is not None


class Command(BaseCommand):
    help = "Serve the application with gunicorn (or runserver where gunicorn is unavailable)."
    requires_migrations_checks = False  # checked below with a clearer message

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers; 0 = runserver")
        parser.add_argument(
            "--threads",
            type=int,
            default=8,
            help="threads per gunicorn worker (concurrent API registrations of a worker share a commit)",
        )
        parser.add_argument(
            "--no-sweep",
            action="store_true",
            help="do not start the early-warning sweep beside the server (the embedded default starts it)",
        )

    def handle(
        self, *args, port: int, host: str, workers: int, threads: int = 8, no_sweep: bool = False, **options
    ):
        pending = pending_migrations()
        if pending:
            raise CommandError(
                f"The database has {len(pending)} unapplied migration(s) ({', '.join(pending[:5])}"
                f"{', …' if len(pending) > 5 else ''}). Run `jiefen migrate` (or `jiefen demo`) first."
            )
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        calendar_line(self)
        if not no_sweep and settings.CELERY_TASK_ALWAYS_EAGER:
            # Without Celery beat (the embedded default) the periodic work runs as a small companion
            # process: the early-warning sweep every 300 s, due messages (retries, reminders, what a
            # crash left pending) every 30 s. It shares the terminal's process group, so Ctrl+C
            # stops both.
            # It ends by itself when this process (gunicorn, after the exec) ends, however that is.
            # (execv keeps this process's id for gunicorn's master.)
            subprocess.Popen(
                [sys.executable, "-m", "jiefen", "sweep", "--loop", "300", "--parent-pid", str(os.getpid())]
            )
            self.stdout.write(
                "Early-warning sweep every 300 s, due messages every 30 s (jiefen sweep --loop 300)."
            )
        if workers >= 1 and gunicorn_available():
            argv = [
                sys.executable,
                "-m",
                "gunicorn",
                "jiefen.wsgi:application",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--bind",
                bind,
                "--access-logfile",
                "-",
                # The access log never shows api_key, codes, phones or ID numbers.
                "--logger-class",
                "jiefen.core.logscrub.ScrubbingLogger",
                # A control socket of this instance's own (gunicorn's default is one per user, which
                # a second instance would take over), readable by this user only.
                "--control-socket",
                str(settings.DATA_DIR / "gunicorn.ctl"),
            ]
            self.stdout.write(
                f"Serving on http://{bind}/ with gunicorn ({workers} workers × {threads} threads); Ctrl+C stops it."
            )
            self.stdout.flush()
            sys.stderr.flush()
            # The environment (DJANGO_SETTINGS_MODULE, DATABASE_URL, JIEFEN_*) passes on as it is.
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiefen.settings.local")
            os.execv(sys.executable, argv)
            return  # not reached: execv replaces the process (only a test's stand-in returns)
        self.stdout.write(f"Serving on http://{bind}/ with Django's server (gunicorn not available).")
        call_command("runserver", bind, use_reloader=False)
