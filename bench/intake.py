#!/usr/bin/env python3
"""Intake benchmark: case registrations per second, through the service layer and over HTTP.

    cd /work/main
    JIEFEN_DATA_DIR=/tmp/bench-sqlite .venv/bin/python bench/intake.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/root .venv/bin/python bench/intake.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jf_intake JIEFEN_DATA_DIR=/tmp/jf-intake \
        .venv/bin/python bench/intake.py --fresh --skip-service     # the issue's HTTP figure

On the database of DATABASE_URL (SQLite in JIEFEN_DATA_DIR by default) it migrates, prepares
the 安吉县 demo directory (no demo cases) and seeds synthetic cases up to `--base` (100,000), so
that registrations run against a realistically sized table. Then:

1. service: `--service` (2000) sequential `case_register` calls in this process, with the
   number of queries one registration makes (CaptureQueriesContext) and, with `--profile`,
   a cProfile of the register path; with `--groups 1,2,4,8`, registrations in groups of those
   sizes through `case_register_many`, as the API's group commit registers them;
2. HTTP: gunicorn (`--workers` 2 × `--threads` 8) on a free port with the same environment
   (messages handed to Celery on Redis, `--queue redis`, or sent in-process, `--queue eager`),
   an API token for the demo clerk, and `--clients` (8) client threads POSTing /api/v1/cases
   for `--seconds` (20).
   The queries of one whole POST (auth, register, the detail the API returns) are counted too.
   `BENCH_WSGI=module:application` serves another WSGI entry point (e.g. one that logs the
   group-commit group sizes) with `PYTHONPATH` pointing at it.

With `--fresh` (PostgreSQL) every run starts from the same `--base` cases: the database is a
copy of a template database seeded once. Each part prints registrations/s and p50/p99 latency. Only the standard library is used on
the client side (http.client), so the benchmark needs nothing beyond the project's own
dependencies.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import json
import os
import pstats
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from runinfo import ProcessCpu, describe  # noqa: E402


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiefen.settings.local")
    import django

    django.setup()


def _percentiles(latencies: list[float]) -> tuple[float, float]:
    if len(latencies) < 2:
        return (latencies[0] if latencies else 0.0,) * 2
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return statistics.median(latencies), cuts[98]


def _report(label: str, count: int, seconds: float, latencies: list[float], errors: int = 0) -> None:
    p50, p99 = _percentiles(latencies)
    print(
        f"{label}: {count} registrations in {seconds:.1f} s = {count / seconds:.0f}/s; "
        f"latency p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"
        + (f"; {errors} errors" if errors else ""),
        flush=True,
    )


def prepare(base: int):
    """Migrate, ensure the demo county and accounts, and seed cases up to `base`."""
    from django.core.management import call_command

    from jiefen.cases.models import Case
    from jiefen.demo.services import DEMO_COUNTY_CODE, demo_prepare
    from jiefen.regions.models import Region

    call_command("migrate", interactive=False, verbosity=0)
    demo_prepare(cases=0)
    county = Region.objects.get(code=DEMO_COUNTY_CODE)
    have = Case.objects.filter(county=county).count()
    if have < base:
        print(f"· seeding {base - have} cases (have {have}, want {base})", flush=True)
        call_command("seed", "--cases", str(base - have), stdout=sys.stdout)
    print(f"· {Case.objects.filter(county=county).count()} cases in {county.name}", flush=True)
    from django.db import connection

    if connection.vendor == "postgresql":
        # What autovacuum keeps up to date on a production server (this machine's PostgreSQL
        # runs without it): the planner's statistics and the visibility map after the seed and
        # after earlier runs' registrations.
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    return county


def payloads(county, count: int) -> list[dict]:
    """Realistic request bodies from the demo generator (plaintext PII decrypted back)."""
    from jiefen.core import pii
    from jiefen.demo.generator import CaseGenerator, World
    from jiefen.regions.models import Region

    gen = CaseGenerator(World.load(county), seed=7, pool_size=min(count * 2, 20000))
    codes = dict(Region.objects.filter(county=county).values_list("pk", "code"))
    out = []
    for moment in gen.received_times(count, days=30):
        g = gen.case(moment)
        out.append(
            {
                "channel": g.case.channel,
                "region_code": codes[g.case.region_id],
                "description": g.case.description,
                "category": g.case.category,
                "parties": [
                    {
                        "role": p.role,
                        "kind": p.kind,
                        "name": p.name,
                        **({"id_number": pii.decrypt(p.id_number_enc)} if p.id_number_enc else {}),
                        **({"phone": pii.decrypt(p.phone_enc)} if p.phone_enc else {}),
                    }
                    for p in g.parties
                ],
            }
        )
    return out


def _request(body: dict, actor):
    """A request body as the service layer takes it (RegistrationRequest)."""
    from jiefen.cases.services import PartyInput, RegistrationRequest

    return RegistrationRequest(
        channel=body["channel"],
        region=body["region_code"],
        description=body["description"],
        category=body["category"],
        actor=actor,
        parties=[PartyInput(**p) for p in body["parties"]],
    )


def bench_service(bodies: list[dict], actor, profile: bool) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jiefen.cases.services import case_register

    def register(body: dict):
        return case_register(**vars(_request(body, actor)))

    for body in bodies[:20]:  # warm caches (calendar, rules) before measuring
        register(body)
    with CaptureQueriesContext(connection) as ctx:
        register(bodies[20])
    print(f"· one registration through the service: {len(ctx.captured_queries)} queries", flush=True)
    for q in ctx.captured_queries:
        print(f"    {q['time']}s  {q['sql'][:150]}")
    latencies = []
    started = time.perf_counter()
    for body in bodies[21:]:
        t0 = time.perf_counter()
        register(body)
        latencies.append(time.perf_counter() - t0)
    _report("service (sequential, in-process)", len(latencies), time.perf_counter() - started, latencies)
    if profile:
        prof = cProfile.Profile()
        prof.enable()
        for body in bodies[:300]:
            register(body)
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(30)
        print("· cProfile of 300 registrations (cumulative):\n" + out.getvalue(), flush=True)


def bench_groups(bodies: list[dict], actor, sizes: list[int]) -> None:
    """What group commit buys: `case_register_many` of groups of each size, in-process (the
    server's leader thread does exactly this), median time per registration."""
    from jiefen.cases.services import case_register_many

    def request(body: dict):
        return _request(body, actor)

    # Warm the per-process caches (regions, organisations, routing) as a running server has them.
    case_register_many([request(b) for b in bodies[:500]])
    at = 500
    for size in sizes:
        per = []
        for _rep in range(max(4, 64 // size)):
            group = [request(b) for b in bodies[at : at + size]]
            at += size
            t0 = time.perf_counter()
            case_register_many(group)
            per.append((time.perf_counter() - t0) / size)
        print(f"group of {size:2d}: {statistics.median(per) * 1000:.1f} ms per registration", flush=True)


def count_http_queries(body: dict, token: str) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
    client.post("/api/v1/cases", data=body, content_type="application/json")  # warm-up
    with CaptureQueriesContext(connection) as ctx:
        response = client.post("/api/v1/cases", data=body, content_type="application/json")
    print(
        f"· one POST /api/v1/cases in-process: status {response.status_code}, "
        f"{len(ctx.captured_queries)} queries",
        flush=True,
    )


def _fresh_copy(base: int) -> None:
    """Replace DATABASE_URL's database with a copy of `<name>_base` (created and seeded with
    `base` cases by this script on first use). Each run registers thousands of cases: without
    this, the next run would measure on a larger, less tidy table."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("--fresh needs DATABASE_URL pointing at PostgreSQL")
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    template = f"{name}_base"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{template}"')
    if not exists:
        print(f"· seeding the template database {template} with {base} cases", flush=True)
        env = {**os.environ, "DATABASE_URL": urlunsplit(parts._replace(path=f"/{template}"))}
        subprocess.run(
            [sys.executable, __file__, "--base", str(base), "--skip-service", "--skip-http"],
            env=env,
            check=True,
        )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    print(f"· {name}: a fresh copy of {template}", flush=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_http(
    bodies: list[dict], token: str, *, workers: int, threads: int, clients: int, seconds: float, queue: str
) -> None:
    from django.db import connections

    connections.close_all()  # the server processes open their own
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            os.environ.get("BENCH_WSGI", "jiefen.wsgi:application"),
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=_server_env(queue),
        stdout=subprocess.DEVNULL,
    )
    try:
        _wait_ready(port)
        encoded = [json.dumps(b, ensure_ascii=False).encode() for b in bodies]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        for i in range(workers * 10):  # every worker imports and connects before the clock starts
            _post(http.client.HTTPConnection("127.0.0.1", port, timeout=30), encoded[i], headers)
        latencies: list[float] = []
        errors: list[int] = []
        lock = threading.Lock()
        deadline = time.perf_counter() + seconds

        def client(offset: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine, bad, i = [], 0, offset
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                status = _post(conn, encoded[i % len(encoded)], headers)
                if status == 201:
                    mine.append(time.perf_counter() - t0)
                else:
                    bad += 1
                i += clients
            with lock:
                latencies.extend(mine)
                errors.append(bad)

        from django.db import connection

        meter = ProcessCpu(
            server.pid, connection.settings_dict["NAME"] if connection.vendor == "postgresql" else None
        )
        cpu_before = meter.sample()
        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        cpu = ProcessCpu.difference(meter.sample(), cpu_before)
        _report(
            f"HTTP (gunicorn -w {workers}, {clients} concurrent clients)",
            len(latencies),
            elapsed,
            latencies,
            sum(errors),
        )
        if latencies and cpu:
            n = len(latencies)
            print(
                "· CPU per registration: "
                + ", ".join(f"{k} {v / n * 1000:.2f} ms" for k, v in cpu.items())
                + f"; {sum(cpu.values()) / elapsed:.2f} of the machine's {os.cpu_count()} cores busy with them"
                + " (PostgreSQL: the backends of this database only; its shared background processes apart)",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


def _server_env(queue: str) -> dict:
    """The server's environment. With --queue redis (the production set-up) an outbox message is
    handed to Celery through Redis after the commit and a worker sends it; the benchmark starts
    no worker, so the request pays for the hand-over, not for the SMS gateway. With --queue
    eager (the embedded default) the request sends its messages itself after the commit."""
    env = dict(os.environ)
    if queue == "redis":
        env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
        env["JIEFEN_CELERY_EAGER"] = "0"
    else:
        env["JIEFEN_CELERY_EAGER"] = "1"
    return env


def _post(conn: http.client.HTTPConnection, body: bytes, headers: dict) -> int:
    try:
        conn.request("POST", "/api/v1/cases", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 201:
            print(f"    HTTP {response.status}", file=sys.stderr)
        return response.status
    except (OSError, http.client.HTTPException) as exc:
        print(f"    {exc!r}", file=sys.stderr)
        conn.close()
        return 0


def _wait_ready(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/openapi.json")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer on port {port} within {timeout:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", type=int, default=100_000, help="cases present before measuring")
    parser.add_argument("--service", type=int, default=2000, help="sequential service registrations")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--seconds", type=float, default=20, help="HTTP measuring time")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--threads", type=int, default=8, help="threads per gunicorn worker (gthread; 1 = sync workers)"
    )
    parser.add_argument(
        "--queue",
        choices=["redis", "eager"],
        default="redis",
        help="how the server hands messages on: Celery on Redis (production) or in-process (embedded)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the service register path")
    parser.add_argument(
        "--groups",
        default="",
        help="also time group commit in-process for these group sizes, e.g. 1,2,4,8,16,32",
    )
    parser.add_argument("--skip-service", action="store_true")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="PostgreSQL: measure on a copy of a template database holding exactly --base cases "
        "(<name>_base, seeded on first use), so that every run starts from the same data",
    )
    args = parser.parse_args()
    if args.fresh:
        _fresh_copy(args.base)
    _setup()
    from django.db import connection

    from jiefen.directory.models import Staff
    from jiefen.directory.services import api_token_create, api_token_revoke

    describe(connection, {k: v for k, v in vars(args).items() if v not in (None, False, "")})
    county = prepare(args.base)
    bodies = payloads(county, max(args.service + 21, 4000))
    clerk = Staff.objects.get(username="clerk")
    if not args.skip_service:
        bench_service(bodies[: args.service + 21], clerk, args.profile)
    if args.groups:
        sizes = [int(n) for n in args.groups.split(",")]
        bench_groups(payloads(county, 500 + sum(max(4, 64 // n) * n for n in sizes)), clerk, sizes)
    if not args.skip_http:
        token = api_token_create(staff=clerk, name="bench/intake.py")
        count_http_queries(bodies[0], token)
        bench_http(
            bodies,
            token,
            workers=args.workers,
            threads=args.threads,
            clients=args.clients,
            seconds=args.seconds,
            queue=args.queue,
        )
        from jiefen.directory.models import ApiToken

        for t in ApiToken.objects.filter(staff=clerk, name="bench/intake.py", revoked=False):
            api_token_revoke(token=t)


if __name__ == "__main__":
    main()
