"""`jiefen seed --cases N [--county 330523] [--batch 5000] [--seed S] [--days 548]`.

Adds N synthetic cases (the demo's generator) to an imported county, in bulk, numbers
continuing the county's sequence: COPY on PostgreSQL, bulk_create elsewhere (or with
`--no-copy`). For load tests and benchmarks; see bench/.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from jiefen.core.errors import DomainError
from jiefen.demo.services import cases_seed
from jiefen.regions.importers import county_prefix
from jiefen.regions.models import Region


class Command(BaseCommand):
    help = "Generate N more synthetic cases for a county, fast (bulk inserts in batches)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True, help="how many cases to add")
        parser.add_argument("--county", default="330523", help="6-digit county code (default 330523 安吉县)")
        parser.add_argument("--batch", type=int, default=5000, help="cases per transaction")
        parser.add_argument("--seed", type=int, default=None, help="random seed (reproducible data)")
        parser.add_argument("--days", type=int, default=548, help="spread receipts over this many days")
        parser.add_argument(
            "--no-copy",
            action="store_true",
            help="use bulk_create on PostgreSQL too instead of COPY (slower)",
        )
        parser.add_argument(
            "--no-counters",
            action="store_true",
            help="skip recomputing the dashboard counters afterwards (run `jiefen rebuild-counters` later)",
        )

    def handle(
        self,
        *args,
        cases: int,
        county: str,
        batch: int,
        seed: int | None,
        days: int,
        no_copy: bool,
        no_counters: bool,
        **options,
    ):
        if cases < 0 or batch < 1 or days < 1:
            raise CommandError("--cases must be ≥ 0, --batch and --days ≥ 1.")
        try:
            code = county_prefix(county) + "000000"
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        region = Region.objects.filter(code=code, level="county").first()
        if region is None:
            raise CommandError(
                f"County {code} is not in the database: run `jiefen demo --no-serve` or "
                f"`jiefen import-regions FILE` first."
            )
        with tqdm(total=cases, unit="case", disable=options["verbosity"] == 0, file=self.stderr._out) as bar:
            report = cases_seed(
                county=region,
                count=cases,
                batch=batch,
                seed=seed,
                days=days,
                progress=bar.update,
                copy=not no_copy,
                counters=not no_counters,
            )
        rate = report.cases / report.seconds if report.seconds else 0
        numbers = ", ".join(f"{y}: {a}–{b}" for y, (a, b) in sorted(report.numbers.items()))
        self.stdout.write(
            f"Added {report.cases} cases ({report.rows} rows) to {region.name} in "
            f"{report.seconds:.1f} s — {rate:.0f} cases/s. Numbers {numbers or '-'}."
            + (f" Dashboard counters rebuilt in {report.counters_seconds:.1f} s." if not no_counters else "")
        )
