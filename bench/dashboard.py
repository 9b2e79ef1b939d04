"""Benchmark: the command dashboard on many cases (issue 5).

    psql -h 127.0.0.1 -U postgres -c 'create database bench_dash'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_dash \\
        .venv/bin/python bench/dashboard.py --cases 1000000

Seeds once (`jiefen demo --no-serve --cases 0` for the county, then
`jiefen seed --cases N --no-counters`, which bulk-inserts and so bypasses the in-transaction
counters), rebuilds the counters (`jiefen rebuild-counters`, timed), then prints:

- the overview's p50/p99 (`dashboard.selectors.stats_overview`, the selector behind the API
  and the pages) for a county dispatcher over several periods, and for a town;
- the sweep's time for a day's changes (watermark set 24 hours back), and for a first sweep
  over the whole history (no watermark);
- the full rebuild time (the rebuild that follows the seed).

Each figure is printed with the machine's load average (the machine may be shared).

Targets (issue 5, PostgreSQL): overview p50 < 150 ms, p99 < 300 ms; sweep of a day < 5 s.
Without DATABASE_URL it runs on SQLite in JIEFEN_DATA_DIR.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiefen.settings.local")
os.environ.setdefault("JIEFEN_DATA_DIR", "/tmp/jf-bench-dash")


def prepare(n_cases: int, seed: int) -> None:
    from django.core.management import call_command

    from jiefen.cases.models import Case
    from jiefen.regions.models import Region

    call_command("migrate", verbosity=0)
    if not Region.objects.filter(code="330523000000").exists():
        call_command("demo", "--no-serve", "--cases", "0", verbosity=0)
    have = Case.objects.count()
    if have < n_cases:
        t = time.monotonic()
        # --no-counters: the rebuild comes next in main(), timed on its own (the seed's own
        # rebuild would only double the wait at 1 M cases).
        call_command(
            "seed",
            "--cases",
            str(n_cases - have),
            "--county",
            "330523",
            "--seed",
            str(seed),
            "--no-counters",
            verbosity=0,
        )
        print(f"seeded {n_cases - have} cases in {time.monotonic() - t:.1f} s ({load()})")
    print(f"cases in the database: {Case.objects.count()}")


def load() -> str:
    """The machine's load average: wall-clock figures inflate with it on a shared machine."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def viewer():
    from jiefen.directory.models import Organization, Staff

    org = Organization.objects.get(kind="county_centre", region__code="330523000000")
    staff, _ = Staff.objects.get_or_create(
        username="bench-analyst", defaults={"organization": org, "roles": ["analyst", "dispatcher"]}
    )
    return staff


def timed(fn, n: int) -> list[float]:
    out = []
    for _i in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=100, help="overview calls per period")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--skip-rebuild", action="store_true", help="reuse the counters already built")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection as _connection
    from runinfo import describe

    describe(_connection)
    from django.db import connection
    from django.utils import timezone

    from jiefen.alerts.models import Alert, SweepState
    from jiefen.alerts.services import alerts_sweep
    from jiefen.core import clock
    from jiefen.dashboard.models import DailyCount
    from jiefen.dashboard.selectors import stats_overview
    from jiefen.dashboard.services import counters_rebuild
    from jiefen.regions.models import Region

    prepare(args.cases, args.seed)
    if not args.skip_rebuild or not DailyCount.objects.exists():
        result = counters_rebuild()
        print(f"full rebuild: {result['seconds']} s ({result['rows']} counter rows, {load()})")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")

    staff = viewer()
    today = clock.today()
    town = Region.objects.filter(level="town", county__code="330523000000").order_by("code").first()
    periods = {
        "this year": (date(today.year, 1, 1), today),
        "last 30 days": (today - timedelta(days=29), today),
        "last 18 months": (today - timedelta(days=548), today),
    }
    all_ms: list[float] = []
    for name, (d0, d1) in periods.items():
        stats_overview(viewer=staff, date_from=d0, date_to=d1)  # warm caches
        ms = timed(lambda d0=d0, d1=d1: stats_overview(viewer=staff, date_from=d0, date_to=d1), args.runs)
        all_ms += ms
        print(
            f"overview county, {name:15s}: p50 {pct(ms, 50):7.1f} ms  p99 {pct(ms, 99):7.1f} ms  ({load()})"
        )
    ms = timed(lambda: stats_overview(viewer=staff, region_code=town.code), args.runs)
    all_ms += ms
    print(f"overview town {town.code}, this year: p50 {pct(ms, 50):7.1f} ms  p99 {pct(ms, 99):7.1f} ms")
    print(
        f"overview all calls: p50 {pct(all_ms, 50):.1f} ms  p99 {pct(all_ms, 99):.1f} ms  "
        f"mean {statistics.mean(all_ms):.1f} ms  (n={len(all_ms)})"
    )

    # The sweep: one day's changes (watermark 24 h back, as after a day of running every few
    # minutes would be amortised), then a first run over the whole history, then a no-op run.
    SweepState.objects.filter(name="alerts").delete()
    Alert.objects.all().delete()
    SweepState.objects.create(name="alerts", watermark=clock.now() - timedelta(days=1))
    t = time.monotonic()
    day = alerts_sweep()
    print(
        f"sweep, a day's changes (watermark 24 h back): {time.monotonic() - t:.2f} s, "
        f"new alerts {day['created']} ({load()})"
    )
    SweepState.objects.filter(name="alerts").update(watermark=None)
    t = time.monotonic()
    first = alerts_sweep()
    print(
        f"sweep, first run over the whole history: {time.monotonic() - t:.2f} s, "
        f"new alerts {first['created']} ({load()})"
    )
    t = time.monotonic()
    alerts_sweep()
    print(f"sweep, again right away (nothing changed): {time.monotonic() - t:.3f} s")

    print(f"at {timezone.localtime():%Y-%m-%d %H:%M}, {load()}")


if __name__ == "__main__":
    main()
