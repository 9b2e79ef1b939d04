"""Benchmark: a handler's "my deadlines" list with many cases on PostgreSQL (issue 4).

    psql -h 127.0.0.1 -U postgres -c 'create database bench_proc'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_proc \\
        .venv/bin/python bench/deadlines.py --cases 1000000

Seeds (once, with set-based INSERT … SELECT generate_series) one county, `--handlers`
handlers, N cases, one procedure per case with one ended and one open step, each open step
owned by a handler (so every handler has N/handlers open deadlines), then times
`procedures.selectors.my_deadlines` (steps + return visits + supervision replies, first 100)
for random handlers and prints p50/p95/p99 and the plan of the main query.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiefen.settings.local")
os.environ.setdefault("JIEFEN_DATA_DIR", "/tmp/jf-bench-proc")


def seed(n_cases: int, n_handlers: int, batch: int = 100_000) -> None:
    from django.db import connection, transaction

    from conftest import make_county
    from jiefen.directory.models import Organization, Staff
    from jiefen.regions.models import Region

    county = Region.objects.filter(code="330523000000").first()
    if county is None:
        with transaction.atomic():
            make_county()
        county = Region.objects.get(code="330523000000")
    village = Region.objects.filter(level="village", county=county).order_by("code").first()
    org = Organization.objects.get(kind="village_committee", region=village)
    have = Staff.objects.filter(username__startswith="bench-h").count()
    Staff.objects.bulk_create(
        [
            Staff(username=f"bench-h{i:04d}", organization=org, roles=["handler", "mediator"], password="!")
            for i in range(have, n_handlers)
        ]
    )
    handlers = list(
        Staff.objects.filter(username__startswith="bench-h").order_by("pk").values_list("pk", flat=True)
    )
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM cases_case")
        start = cur.fetchone()[0]
        cur.execute(
            "SELECT id FROM deadlines_timelimitrule WHERE code='people_mediation.handle' AND province=''"
        )
        rule_id = cur.fetchone()[0]
    t0 = time.perf_counter()
    for lo in range(start, n_cases, batch):
        hi = min(lo + batch, n_cases)
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                """
                INSERT INTO cases_case (number, county_id, year, seq, query_code_hash, channel, description,
                    request, category, status, level, region_id, town_id, village_id, lead_organization_id,
                    received_at, registered_at, due_at, resolved_level, statutory_route, legal_route_told,
                    return_count, escalation_count, version, updated_at)
                SELECT '330523-B-' || lpad(i::text, 8, '0'), %(county)s, 2026, i + 1, 'x', 'walk_in', '邻里纠纷',
                    '', 'neighbour', 'in_progress', 'village', %(village)s, %(town)s, %(village)s, %(org)s,
                    ts, ts, ts + interval '30 days', '', '', '', 0, 0, 1, now()
                FROM (SELECT i, timestamptz '2026-01-01' + (i %% 300) * interval '1 day' AS ts
                      FROM generate_series(%(lo)s, %(hi)s - 1) AS i) s
                """,
                {
                    "county": county.pk,
                    "village": village.pk,
                    "town": village.town_id,
                    "org": org.pk,
                    "lo": lo,
                    "hi": hi,
                },
            )
            cur.execute(
                """
                INSERT INTO procedures_procedure (case_id, kind, status, state, outcome, organization_id, handler_id,
                    province, data, started_at, version)
                SELECT c.id, 'people_mediation', 'active', 'mediation', '', %(org)s,
                    (%(handlers)s::bigint[])[1 + (c.seq %% %(nh)s)], '33', '{}'::jsonb, c.received_at, 1
                FROM cases_case c WHERE c.seq > %(lo)s AND c.seq <= %(hi)s AND c.county_id = %(county)s
                """,
                {
                    "org": org.pk,
                    "handlers": handlers,
                    "nh": len(handlers),
                    "lo": lo,
                    "hi": hi,
                    "county": county.pk,
                },
            )
            cur.execute(
                """
                INSERT INTO procedures_procedurestep (procedure_id, case_id, handler_id, organization_id, code, rule_id,
                    started_at, due_at, extended_days, paused_intervals, ended_at, outcome)
                SELECT p.id, p.case_id, p.handler_id, p.organization_id, v.code, %(rule)s,
                    p.started_at, p.started_at + interval '30 days', 0, '[]'::jsonb,
                    CASE WHEN v.ended THEN p.started_at + interval '3 days' END, CASE WHEN v.ended THEN 'x' ELSE '' END
                FROM procedures_procedure p
                JOIN cases_case c ON c.id = p.case_id AND c.seq > %(lo)s AND c.seq <= %(hi)s
                CROSS JOIN (VALUES ('accept', true), ('mediation', false)) AS v(code, ended)
                """,
                {"rule": rule_id, "lo": lo, "hi": hi},
            )
        print(f"  seeded {hi:,} cases ({time.perf_counter() - t0:.0f} s)", flush=True)
    with connection.cursor() as cur:
        cur.execute("ANALYZE cases_case; ANALYZE procedures_procedure; ANALYZE procedures_procedurestep;")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--handlers", type=int, default=200)
    parser.add_argument("--runs", type=int, default=500)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database of its own (e.g. …/bench_proc).")
    import django

    django.setup()
    from django.db import connection as _connection
    from runinfo import describe

    describe(_connection)
    from django.core.management import call_command
    from django.db import connection

    from jiefen.directory.models import Staff
    from jiefen.procedures.selectors import my_deadlines

    call_command("migrate", verbosity=0)
    seed(args.cases, args.handlers)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM cases_case")
        n_cases = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM procedures_procedurestep")
        n_steps = cur.fetchone()[0]
    handlers = list(Staff.objects.filter(username__startswith="bench-h").select_related("organization"))
    rng = random.Random(4)
    for h in handlers[:20]:  # warm the cache as a running server would be
        my_deadlines(viewer=h)
    timings = []
    for _ in range(args.runs):
        viewer = rng.choice(handlers)
        t = time.perf_counter()
        rows = my_deadlines(viewer=viewer)
        timings.append((time.perf_counter() - t) * 1000)
        assert len(rows) == 100
    timings.sort()
    q = statistics.quantiles(timings, n=100)
    print(f"cases={n_cases:,} steps={n_steps:,} handlers={len(handlers)} runs={args.runs}")
    print(
        f"my_deadlines (first 100, 4 queries): p50={q[49]:.2f} ms p95={q[94]:.2f} ms p99={q[98]:.2f} ms max={timings[-1]:.2f} ms"
    )
    from jiefen.procedures.models import ProcedureStep
    from jiefen.procedures.selectors import STEP_COLUMNS

    plan = (
        ProcedureStep.objects.filter(ended_at__isnull=True, due_at__isnull=False, handler=handlers[0])
        .order_by("due_at", "id")
        .values_list(*STEP_COLUMNS)[:100]
        .explain(analyze=True)
    )
    print(plan)


if __name__ == "__main__":
    main()
