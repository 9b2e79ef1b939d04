"""Benchmark of the dispute classifier (DESIGN.md §6) on one core.

    .venv/bin/python bench/triage.py [--seconds 5] [--batch 256]
    DATABASE_URL=postgres://... .venv/bin/python bench/triage.py --related 2000 [--only-related]

Prints texts/s classified in batches (target >= 2,000/s), single-text latency p50/p99
(target p99 < 5 ms) and the resident memory the model adds (target < 150 MB), read from
/proc/self/status (VmRSS) before and after loading it. Texts are the held-out and training
corpora (8 to 300 characters, mixed registers). BLAS is limited to one thread and the
process is pinned to one CPU where the platform allows it.

With `--related N` it also times the related-case lookup of intake (triage.related.find_related:
same person by ID/phone keyed hash, same respondent, similar text among recent cases of the same
town) for N cases drawn at random from the database DATABASE_URL points at (seed it with
`jiefen seed --cases ...`), and prints p50/p99 (target p99 < 20 ms on PostgreSQL with 1,000,000 cases),
the statements per lookup, the CPU time per lookup in this process and, when PostgreSQL runs on
this machine, in its backend (from /proc: the cost that does not depend on the machine's load),
and whether the Party (role, name, case_id) index is present. `--explain` prints the plan
(EXPLAIN ANALYZE) of the slowest lookup's statements.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402


def rss_mb() -> float:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="time spent on each measurement")
    parser.add_argument("--batch", type=int, default=256, help="texts per batch")
    parser.add_argument(
        "--related", type=int, default=0, help="time N related-case lookups (needs a database)"
    )
    parser.add_argument("--only-related", action="store_true", help="skip the classifier measurements")
    parser.add_argument("--explain", action="store_true", help="print the plan of the slowest lookup")
    args = parser.parse_args()
    if args.related:
        bench_related(args.related, explain=args.explain)
        if args.only_related:
            return

    if hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        except OSError:
            pass

    rss_start = rss_mb()
    import numpy  # noqa: F401
    import scipy.sparse  # noqa: F401

    from jiefen.triage import classifier

    rss_imported = rss_mb()
    t0 = time.perf_counter()
    model = classifier.get_model()
    classifier.classify("楼上漏水")  # loads OpenCC and jieba as well
    load_s = time.perf_counter() - t0
    rss_loaded = rss_mb()

    texts = [r["text"] for r in classifier.read_jsonl(classifier.HELDOUT_PATH)]
    texts += [r["text"] for r in classifier.read_jsonl(classifier.TRAIN_PATH)]
    mean_len = sum(map(len, texts)) / len(texts)

    # Batched throughput (normalisation included). CPU time is reported too: on a shared machine
    # the wall clock also counts the time other processes hold the core.
    done, started, cpu_started = 0, time.perf_counter(), time.process_time()
    i = 0
    while time.perf_counter() - started < args.seconds:
        batch = texts[i : i + args.batch] or texts[: args.batch]
        classifier.classify_batch(batch, model=model)
        done += len(batch)
        i = (i + args.batch) % len(texts)
    throughput = done / (time.perf_counter() - started)
    throughput_cpu = done / (time.process_time() - cpu_started)

    # One text at a time.
    lat: list[float] = []
    cpu: list[float] = []
    started = time.perf_counter()
    j = 0
    while time.perf_counter() - started < args.seconds:
        t, c = time.perf_counter(), time.thread_time()
        classifier.classify(texts[j % len(texts)], model=model)
        lat.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
        j += 1

    def pct(values: list[float], q: float) -> float:
        values = sorted(values)
        return values[min(len(values) - 1, int(len(values) * q))]

    p50, p99 = statistics.median(lat), pct(lat, 0.99)
    cpu50, cpu99 = statistics.median(cpu), pct(cpu, 0.99)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    # A 100,000-character paste (capped for features).
    t = time.perf_counter()
    classifier.classify("楼上漏水把我家天花板泡坏了。" * 7200, model=model)
    long_ms = (time.perf_counter() - t) * 1000
    rss_end = rss_mb()

    size = classifier.MODEL_PATH.stat().st_size
    print(f"model: {classifier.MODEL_PATH.name}, {size / 1e6:.2f} MB on disk, {model.coef.shape[1]} features")
    print(f"texts: {len(texts)} (mean {mean_len:.0f} characters), batch {args.batch}, one core")
    print(f"load (model + jieba + OpenCC): {load_s:.2f} s")
    print(
        f"machine load average: {load:.1f} on {os.cpu_count()} CPUs (wall-clock figures suffer when it is high)"
    )
    print(
        f"batched: {throughput:,.0f} texts/s wall, {throughput_cpu:,.0f} texts/s of CPU time   (target >= 2,000/s)"
    )
    print(
        f"single text: p50 {p50:.2f} ms, p99 {p99:.2f} ms wall; p50 {cpu50:.2f} ms, p99 {cpu99:.2f} ms CPU "
        f"over {len(lat)} calls   (target p99 < 5 ms)"
    )
    print(f"one 100,000-character text: {long_ms:.1f} ms")
    print(
        f"RSS: {rss_start:.0f} MB at start, {rss_imported:.0f} MB after imports, "
        f"{rss_loaded:.0f} MB after loading, {rss_end:.0f} MB at the end"
    )
    print(
        f"memory the model adds: {rss_loaded - rss_imported:.0f} MB "
        f"(with numpy/scipy imports: {rss_end - rss_start:.0f} MB)   (target < 150 MB)"
    )


def _backend_cpu_s(pid: int | None) -> float | None:
    """CPU seconds (user + system) used so far by a local process, from /proc; None elsewhere."""
    if not pid:
        return None
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_related(n: int, *, explain: bool = False) -> None:
    """p50/p99 of find_related over n random cases of the configured database, warm cache."""
    import random

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiefen.settings.local")
    django.setup()
    from django.db import connection as _connection
    from runinfo import describe

    describe(_connection)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jiefen.cases.models import Case, Party
    from jiefen.triage.related import find_related

    total = Case.objects.count()
    max_id = Case.objects.order_by("-id").values_list("id", flat=True).first() or 0
    rng = random.Random(7)
    ids = sorted({rng.randint(1, max_id) for _i in range(n * 2)})[: n * 2]
    cases = list(
        Case.objects.filter(pk__in=ids)
        .prefetch_related("parties")
        .only("id", "description", "county_id", "town_id", "received_at")
    )
    rng.shuffle(cases)
    cases = cases[:n]
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Party._meta.db_table)
        backend_pid = None
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_backend_pid()")
            backend_pid = cursor.fetchone()[0]
    has_index = any(
        c["index"] and c["columns"][:3] == ["role", "name", "case_id"] for c in constraints.values()
    )

    def lookup(case):
        parties = list(case.parties.all())
        return find_related(
            id_hashes=[p.id_number_hash for p in parties if p.id_number_hash],
            phone_hashes=[p.phone_hash for p in parties if p.phone_hash],
            respondent_names=[p.name for p in parties if p.role == "respondent"],
            description=case.description,
            county_id=case.county_id,
            town_id=case.town_id,
            now=case.received_at,
            exclude_case_id=case.pk,
        )

    with CaptureQueriesContext(connection) as warm:
        for case in cases[:50]:  # warm-up
            lookup(case)
    statements = len(warm.captured_queries) / min(50, len(cases))
    lat, cpu, found = [], [], 0
    backend_start, cpu_start = _backend_cpu_s(backend_pid), time.process_time()
    for case in cases:
        t, c = time.perf_counter(), time.thread_time()
        result = lookup(case)
        lat.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
        found += bool(result.items)
    backend_end, cpu_end = _backend_cpu_s(backend_pid), time.process_time()
    slowest = cases[max(range(len(lat)), key=lat.__getitem__)]
    lat.sort()
    cpu.sort()
    p50 = statistics.median(lat)
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"related-case lookup on {connection.vendor} with {total:,} cases: p50 {p50:.2f} ms, p99 {p99:.2f} ms wall, "
        f"max {lat[-1]:.1f} ms over {len(lat)} lookups ({found} found related)   (target p99 < 20 ms)"
    )
    print(
        f"  of which Python CPU in this process: p50 {statistics.median(cpu):.2f} ms, "
        f"p99 {cpu[min(len(cpu) - 1, int(len(cpu) * 0.99))]:.2f} ms; machine load average {load:.1f} "
        f"on {os.cpu_count()} CPUs (wall figures suffer when it is high)"
    )
    backend = (
        f"{(backend_end - backend_start) / len(lat) * 1000:.2f} ms in the database backend"
        if backend_start is not None and backend_end is not None
        else "database backend not measurable from here"
    )
    print(
        f"  mean CPU per lookup: {(cpu_end - cpu_start) / len(lat) * 1000:.2f} ms in this process, {backend}; "
        f"{statements:.2f} statements per lookup; Party (role, name, case_id) index "
        f"{'present' if has_index else 'absent'}"
    )
    if explain:
        with CaptureQueriesContext(connection) as slow:
            lookup(slowest)
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
        with connection.cursor() as cursor:
            for query in slow.captured_queries:
                print(f"\nslowest lookup (case {slowest.pk}), {query['time']} s:\n{query['sql']}")
                cursor.execute(prefix + query["sql"])
                print("\n".join("    " + " ".join(str(v) for v in row) for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
