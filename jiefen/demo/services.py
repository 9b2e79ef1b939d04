"""Writes for the demo: prepare the 安吉县 demo (regions, organisations, accounts, cases) and
bulk-seed synthetic cases.

`cases_seed` is the fast path for load tests: cases come from demo.generator and are written
with `bulk_create` in batches, one transaction per batch. Each batch locks the county's
CaseSequence rows of the years it touches (in year order, the order `case_register` would use)
and advances them once, so numbers continue the sequence without gaps even while registrations
run next to it. `demo_prepare` is idempotent: a second run adds nothing and changes no password.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, connections, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from jiefen.cases.models import Assignment, Case, CaseEvent, CaseSequence, CaseStep, Party
from jiefen.demo.generator import CaseGenerator, GeneratedCase, Row, World
from jiefen.directory.models import Organization, OrganizationKind, Role, Staff
from jiefen.directory.services import organizations_seed_for_county, staff_create
from jiefen.regions.importers import demo_divisions_path, read_regions
from jiefen.regions.models import Region, RegionLevel
from jiefen.regions.services import regions_import
from jiefen.triage import search
from jiefen.triage.models import CaseTriage

DEMO_COUNTY_CODE = "330523000000"
DEMO_SEED = 330523
ACCOUNTS_FILE = "demo-accounts.json"
BULK_BATCH = 2000  # rows per INSERT statement: large enough to amortise, small enough for SQLite

K = OrganizationKind


@dataclass(frozen=True)
class DemoAccount:
    username: str
    roles: tuple[str, ...]
    organization: str
    display_name: str


@dataclass
class DemoReport:
    """What `demo_prepare` did and what to tell the user."""

    county: Region
    regions_loaded: bool
    organizations_created: int
    accounts: list[DemoAccount]
    accounts_created: list[str]
    password: str | None
    accounts_file: Path
    cases_created: int
    cases_total: int


@dataclass
class SeedReport:
    """The outcome of one `cases_seed`: how many cases and rows, and how long it took."""

    cases: int = 0
    rows: int = 0
    seconds: float = 0.0
    counters_seconds: float = 0.0
    numbers: dict[int, tuple[int, int]] = field(default_factory=dict)  # year → (first seq, last seq)


# ---------------------------------------------------------------- demo


def demo_prepare(
    *,
    cases: int = 2000,
    seed: int | None = DEMO_SEED,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> DemoReport:
    """Make the database a ready demo of 安吉县: divisions, organisations, accounts, cases.

    Each part is done only when missing: the county is imported from the shipped file when it is
    not in the database, organisations are seeded idempotently, accounts are created when absent
    (with the demo password kept in DATA_DIR/demo-accounts.json, generated on first use), and
    `cases` synthetic cases are generated only when the county has none yet.
    """
    county = Region.objects.filter(code=DEMO_COUNTY_CODE).first()
    loaded = county is None
    if loaded:
        regions_import(rows=read_regions(demo_divisions_path()), edition="2023")
        county = Region.objects.get(code=DEMO_COUNTY_CODE)
    orgs_created = organizations_seed_for_county(county=county)
    town, village = _featured(county)
    accounts, created, password, path = _accounts_ensure(county, town, village)
    made = 0
    if cases > 0 and not Case.objects.filter(county=county).exists():
        made = cases_seed(
            county=county,
            count=cases,
            seed=seed,
            now=now,
            progress=progress,
            featured_town=town,
            featured_village=village,
        ).cases
    return DemoReport(
        county=county,
        regions_loaded=loaded,
        organizations_created=orgs_created,
        accounts=accounts,
        accounts_created=created,
        password=password,
        accounts_file=path,
        cases_created=made,
        cases_total=Case.objects.filter(county=county).count(),
    )


def _featured(county: Region) -> tuple[Region, Region]:
    """The town and village whose organisations the demo accounts work in: the county seat
    (the first 街道 by code) and its first village, so that those logins see many cases."""
    towns = list(Region.objects.filter(county=county, level=RegionLevel.TOWN).order_by("code"))
    town = next((t for t in towns if t.name.endswith("街道")), towns[0])
    village = Region.objects.filter(town=town, level=RegionLevel.VILLAGE).order_by("code").first()
    return town, village


def _demo_password() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # nothing to confuse (l/1, o/0)
    return "jf-" + "-".join("".join(secrets.choice(alphabet) for _i in range(4)) for _j in range(3))


def _accounts_plan(
    county: Region, town: Region, village: Region
) -> list[tuple[str, list[str], Organization, str]]:
    def org(region: Region, kind: str) -> Organization:
        return Organization.objects.filter(region=region, kind=kind, is_active=True).order_by("id").first()

    centre = org(county, K.COUNTY_CENTRE)
    justice = org(town, K.JUSTICE_OFFICE)
    committee = org(village, K.VILLAGE_COMMITTEE)
    return [
        ("admin", list(Role.values), centre, "系统管理员"),
        ("clerk", [Role.CLERK], centre, "窗口受理员 王丽"),
        ("dispatcher", [Role.DISPATCHER], centre, "调度员 沈杰"),
        ("handler", [Role.HANDLER], justice, "承办人 钱建华"),
        ("mediator", [Role.MEDIATOR], committee, "调解员 俞秀英"),
        ("grid_worker", [Role.GRID_WORKER], committee, "网格员 潘志强"),
        ("agent", [Role.AGENT], committee, "代办员 章海燕"),
        ("leader", [Role.LEADER], centre, "中心主任 朱国强"),
        ("analyst", [Role.ANALYST], centre, "指挥中心 姚敏"),
    ]


def _accounts_ensure(
    county: Region, town: Region, village: Region
) -> tuple[list[DemoAccount], list[str], str | None, Path]:
    """Create the missing demo accounts; the password is generated once and kept on disk."""
    path = Path(settings.DATA_DIR) / ACCOUNTS_FILE
    stored = json.loads(path.read_text()) if path.exists() else {}
    password = stored.get("password")
    plan = _accounts_plan(county, town, village)
    existing = set(Staff.objects.filter(username__in=[p[0] for p in plan]).values_list("username", flat=True))
    missing = [p for p in plan if p[0] not in existing]
    if missing and not password:
        password = _demo_password()
    created = []
    with transaction.atomic():
        for username, roles, org, display in missing:
            staff = staff_create(
                username=username, password=password, organization=org, roles=roles, display_name=display
            )
            if username == "admin":
                # No service makes superusers: the demo's administrator is one by definition.
                Staff.objects.filter(pk=staff.pk).update(is_staff=True, is_superuser=True)
            created.append(username)
    accounts = [DemoAccount(u, tuple(str(r) for r in roles), org.name, d) for u, roles, org, d in plan]
    if password and (created or not path.exists()):
        _write_private(
            path,
            {
                "password": password,
                "county": county.code,
                "accounts": [
                    {"username": a.username, "roles": list(a.roles), "organization": a.organization}
                    for a in accounts
                ],
            },
        )
    # Accounts made elsewhere (another data folder on the same database) keep their password:
    # this folder does not know it, and the report says so.
    return accounts, created, password if path.exists() else None, path


def _write_private(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2))
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


# ---------------------------------------------------------------- seeding


def cases_seed(
    *,
    county: Region,
    count: int,
    batch: int = 5000,
    seed: int | None = None,
    now: datetime | None = None,
    days: int = 548,
    progress: Callable[[int], None] | None = None,
    featured_town: Region | None = None,
    featured_village: Region | None = None,
    copy: bool = True,
    counters: bool = True,
) -> SeedReport:
    """Add `count` synthetic cases to `county`, received over the last `days` days.

    Written in batches of `batch` cases, one transaction each, numbers continuing the
    county's per-year sequence. `progress(n)` is called after each batch with its size.
    `copy=False` uses bulk_create on PostgreSQL too (slower; COPY is the default there).
    """
    import time

    started = time.monotonic()
    report = SeedReport()
    if count <= 0:
        return report
    world = World.load(county, featured_town=featured_town, featured_village=featured_village)
    # Enough distinct people that repeats stay the exception, bounded so encryption stays cheap.
    pool = min(max(count * 3 // 2, 500), 150_000)
    gen = CaseGenerator(world, seed=seed, now=now, pool_size=pool)
    times = gen.received_times(count, days=days)
    batches = (times[start : start + batch] for start in range(0, count, batch))
    # Generating is Python work; writing is mostly waiting for the database (COPY, then the
    # deferred foreign-key checks at commit). A writer thread overlaps the two. It has its own
    # connection, so it is only used when the caller holds no transaction whose uncommitted
    # rows (a test's county, say) that connection could not see, and only on PostgreSQL: SQLite
    # writes are in-process CPU work that a thread cannot overlap.
    if connection.vendor != "postgresql" or connection.in_atomic_block or count <= batch:
        for chunk in batches:
            generated = [gen.case(t) for t in chunk]
            report.rows += _write(county, generated, report, copy=copy)
            report.cases += len(generated)
            if progress is not None:
                progress(len(generated))
    else:
        _seed_overlapped(gen, county, batches, report, copy=copy, progress=progress)
    _analyze()
    report.seconds = time.monotonic() - started
    if counters:
        # The seed bypasses the services, so the dashboard's incremental counters did not see
        # these cases: recompute them (dashboard.services says to, after any bulk import).
        from jiefen.dashboard.services import counters_rebuild

        report.counters_seconds = counters_rebuild()["seconds"]
    return report


def _seed_overlapped(
    gen: CaseGenerator,
    county: Region,
    batches,
    report: SeedReport,
    *,
    copy: bool,
    progress: Callable[[int], None] | None,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def write(generated: list[GeneratedCase]) -> int:
        return _write(county, generated, report, copy=copy)

    def close() -> None:
        connections.close_all()  # the writer thread's own connection

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-writer") as writer:
        pending, size = None, 0
        try:
            for chunk in batches:
                generated = [gen.case(t) for t in chunk]
                if pending is not None:
                    report.rows += pending.result()  # at most one batch waits: memory stays bounded
                    report.cases += size
                    if progress is not None:
                        progress(size)
                # len() before submit: list.sort() in the writer empties the list while it sorts.
                size = len(generated)
                pending = writer.submit(write, generated)
            if pending is not None:
                report.rows += pending.result()
                report.cases += size
                if progress is not None:
                    progress(size)
        finally:
            writer.submit(close).result()


def _analyze() -> None:
    """Refresh the planner's statistics after a bulk load.

    Without them PostgreSQL guesses: right after seeding 100,000 cases the related-person lookup
    of `case_register` (party hashes, ORDER BY case_id DESC LIMIT) walked the case_id index
    backwards through every party — 250 ms a registration instead of 0.2 ms. Autovacuum would
    get there eventually; a load test must not depend on when.
    """
    tables = [m._meta.db_table for m in (Case, Party, Assignment, CaseStep, CaseEvent, CaseTriage)]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
        elif connection.vendor == "sqlite":
            cur.execute("PRAGMA optimize")


def _lock_sequences(county: Region, years: list[int]) -> dict[int, CaseSequence]:
    """The county's sequence rows for these years, locked, created when missing (as the service does)."""
    for year in years:
        if not CaseSequence.objects.filter(county=county, year=year).exists():
            try:
                with transaction.atomic():
                    CaseSequence.objects.create(county=county, year=year, last_value=0)
            except IntegrityError:
                pass  # a registration created it first; it is locked below like any other
    rows = CaseSequence.objects.select_for_update().filter(county=county, year__in=years).order_by("year")
    return {row.year: row for row in rows}


def _write(county: Region, generated: list[GeneratedCase], report: SeedReport, *, copy: bool = True) -> int:
    """Insert one batch in one transaction; returns the number of rows written.

    On PostgreSQL (unless `copy=False`) the rows go in with COPY, case ids taken from the
    table's own sequence first; elsewhere with bulk_create. Both write the same rows.
    """
    generated.sort(key=lambda g: g.case.registered_at)
    years = [timezone.localtime(g.case.registered_at).year for g in generated]
    prefix = county.code[:6]
    now = timezone.now()
    tables: dict[type, list[Row]] = {
        Case: [],
        Party: [],
        Assignment: [],
        CaseStep: [],
        CaseEvent: [],
        CaseTriage: [],
    }
    with transaction.atomic():
        use_copy = copy and connection.vendor == "postgresql"
        if connection.vendor == "postgresql":
            # Synthetic bulk data: losing the last batch in a crash is fine, waiting for each
            # WAL flush is not. Scoped to this transaction only.
            with connection.cursor() as cur:
                cur.execute("SET LOCAL synchronous_commit = off")
        seqs = _lock_sequences(county, sorted(set(years)))
        for g, year in zip(generated, years, strict=True):
            seq = seqs[year]
            seq.last_value += 1
            g.case.year, g.case.seq = year, seq.last_value
            g.case.number = f"{prefix}-{year}-{seq.last_value:06d}"
            g.case.updated_at = now
            first, _last = report.numbers.get(year, (seq.last_value, seq.last_value))
            report.numbers[year] = (first, seq.last_value)
            tables[Case].append(g.case)
        for seq in seqs.values():
            CaseSequence.objects.filter(pk=seq.pk).update(last_value=seq.last_value)
        if use_copy:
            _allocate_ids(Case, tables[Case])
            _copy(Case, tables[Case])
        else:
            _bulk_create(Case, tables[Case])
        for g in generated:
            case_id = g.case.id
            for model, rows in (
                (Party, g.parties),
                (Assignment, g.assignments),
                (CaseStep, g.steps),
                (CaseEvent, g.events),
            ):
                for row in rows:
                    row.case_id = case_id
                tables[model].extend(rows)
            if g.triage is not None:
                g.triage.case_id = case_id
                g.triage.search_text = search.search_text(
                    number=g.case.number,
                    description=g.case.description,
                    request=g.case.request,
                    names=[p.name for p in g.parties],
                    external_ids=[],
                )
                tables[CaseTriage].append(g.triage)
        for model in (Party, Assignment, CaseStep, CaseEvent, CaseTriage):
            (_copy if use_copy else _bulk_create)(model, tables[model])
    return sum(len(rows) for rows in tables.values())


def _bulk_create(model: type, rows: list[Row]) -> None:
    """bulk_create from rows, building instances without Model.__init__ (the rows already hold
    every attname, defaults included), which is what from_db does for loaded rows too."""
    new = model.__new__
    objs = []
    for row in rows:
        obj = new(model)
        obj.__dict__.update(row)
        obj._state = ModelState()
        objs.append(obj)
    model.objects.bulk_create(objs, batch_size=BULK_BATCH)
    for row, obj in zip(rows, objs, strict=True):
        row.id = obj.pk


def _allocate_ids(model: type, rows: list[Row]) -> None:
    """Take ids for `rows` from the table's identity sequence (children need them before COPY)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, len(rows)],
        )
        for row, (pk,) in zip(rows, cur.fetchall(), strict=True):
            row.id = pk


def _copy(model: type, rows: list[Row]) -> None:
    """COPY rows into the model's table (PostgreSQL), ids included when set."""
    if not rows:
        return
    fields = [
        f for f in model._meta.concrete_fields if not (f.primary_key and rows[0].get(f.attname) is None)
    ]
    json_fields = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    getters = [(f.attname, f.attname in json_fields) for f in fields]
    dumps = json.dumps
    with connection.cursor() as cur, cur.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as out:
        for row in rows:
            out.write_row(
                [dumps(row[name], ensure_ascii=False) if is_json else row[name] for name, is_json in getters]
            )
