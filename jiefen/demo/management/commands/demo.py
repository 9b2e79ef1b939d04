"""`jiefen demo [--no-serve] [--port 8000] [--host 127.0.0.1] [--cases 2000] [--workers 2]`.

Migrates, prepares the 安吉县 demo when it is not there yet (divisions from the shipped file,
organisations, one account per role, about two years' worth of synthetic cases), prints where
to go and how to log in, and serves. A second run keeps everything: no new cases, no new
password. The password is generated on first use and kept in DATA_DIR/demo-accounts.json.
"""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand
from tqdm import tqdm

from jiefen.demo.management.commands.serve import calendar_line
from jiefen.demo.services import DEMO_SEED, demo_prepare


class Command(BaseCommand):
    help = "Prepare the 安吉县 demo (idempotent) and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="prepare only")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers; 0 = runserver")
        parser.add_argument("--cases", type=int, default=2000, help="cases to generate on first run")
        parser.add_argument("--seed", type=int, default=DEMO_SEED, help="random seed of the demo data")

    def handle(
        self, *args, no_serve: bool, port: int, host: str, workers: int, cases: int, seed: int, **options
    ):
        quiet = options["verbosity"] == 0
        self.stdout.write("· migrating the database")
        call_command("migrate", interactive=False, verbosity=0)
        with tqdm(total=cases, unit="case", disable=quiet, file=self.stderr._out, leave=False) as bar:
            report = demo_prepare(cases=cases, seed=seed, progress=bar.update)
        if report.regions_loaded:
            self.stdout.write(
                f"· loaded {report.county.name} ({report.county.code}) from the shipped divisions"
            )
        if report.organizations_created:
            self.stdout.write(f"· created {report.organizations_created} organisations")
        if report.accounts_created:
            self.stdout.write(f"· created accounts: {', '.join(report.accounts_created)}")
        self.stdout.write(
            f"· {report.cases_created} cases generated; {report.cases_total} cases in {report.county.name}"
        )
        if report.inspections.get("entries"):
            i = report.inspections
            self.stdout.write(
                f"· 排查: {i['entries']} ledger entries ({i['findings']} with disputes found), "
                f"{i.get('alerts', 0)} alerts of missing reports; {i['centres']} approximate map centres"
            )
        bind = f"[{host}]" if ":" in host else host
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"jiefen demo: http://{bind}:{port}/"))
        self.stdout.write("accounts (username — organisation — roles):")
        for a in report.accounts:
            self.stdout.write(f"  {a.username:<16} {a.organization} — {', '.join(a.roles)}")
        if report.password:
            self.stdout.write(
                f"password for every account: {report.password}   (kept in {report.accounts_file})"
            )
        else:
            self.stdout.write(
                f"the accounts existed before and their password is not in {report.accounts_file}; "
                f"set one with `jiefen changepassword admin`"
            )
        if no_serve:
            calendar_line(self)  # (serve prints it otherwise)
        else:
            call_command("serve", port=port, host=host, workers=workers)
