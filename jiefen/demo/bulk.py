"""The PostgreSQL path of `cases_seed`: rows turned into COPY text by a producer, written by
the seeding process.

On two cores the seed is a pipeline of two workers: Python generating cases and PostgreSQL
storing them (heap, eighteen indexes on cases, a GIN index over the search text, foreign
keys). A thread could overlap them only as far as the GIL lets the writer feed PostgreSQL
between the generator's slices; so, when the caller holds no transaction, a forked producer
process generates each batch, takes its case ids from the table's sequence and formats every
row as COPY text, and the seeding process only numbers the cases and streams the text.

Numbers stay the writer's: each batch locks the county's CaseSequence rows of its years and
continues them (see demo.services), so the producer leaves a case's number, year and seq and
its search text's number tokens out of the line and the writer appends them.

Foreign keys: when the database lets this role set `session_replication_role` (a superuser,
or `GRANT SET ON PARAMETER`) and the six tables have no trigger besides their foreign-key
checks, a batch checks its references once — every referenced row is locked `FOR KEY SHARE`
in one statement per table, as the per-row checks would lock it, and a missing one fails the
batch — and turns the per-row checks off for its own transaction (they cost about a quarter
of PostgreSQL's time per case). Otherwise the per-row checks run at commit as usual.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import queue as queues
import re
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.db.models import Model
from django.utils import timezone

from jiefen.cases.models import Assignment, Case, CaseEvent, CaseSequence, CaseStep, Party
from jiefen.demo.counting import CounterSums, SeedCounters
from jiefen.demo.generator import CaseGenerator, GeneratedCase, Row
from jiefen.regions.models import Region
from jiefen.triage import search
from jiefen.triage.models import CaseTriage

CHILDREN: tuple[type[Model], ...] = (Party, Assignment, CaseStep, CaseEvent)
TABLES: tuple[type[Model], ...] = (Case, *CHILDREN, CaseTriage)
# Columns the writer appends (it numbers the cases); they come last in the COPY column list.
CASE_TAIL = ("number", "year", "seq")
TRIAGE_TAIL = ("search_text",)

_SPECIAL = re.compile(r"[\\\n\r]")  # with tab, what COPY text must escape inside a value
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_JSON = json.JSONEncoder(ensure_ascii=False).encode


def _json(value: Any) -> str:
    if not value:
        return "{}" if isinstance(value, dict) else "[]" if isinstance(value, list) else _JSON(value)
    return _JSON(value)


def _bool(value: bool) -> str:
    return "t" if value else "f"


# A case's rows share their moments (an event's time is also a step's start, an assignment's
# end…): each moment object is formatted once per batch. Entries hold the object, so its id
# cannot be reused while it is cached; `BatchFormatter.format` empties the cache.
_instants: dict[int, tuple[datetime | date, str]] = {}


def _instant(value: datetime | date) -> str:
    hit = _instants.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    text = value.isoformat()
    _instants[id(value)] = (value, text)
    return text


# Converters by field type; None: the value is already its text (strings).
_CONVERT: dict[str, Callable[[Any], str] | None] = {
    "JSONField": _json,
    "BooleanField": _bool,
    "DateTimeField": _instant,
    "DateField": _instant,
    "CharField": None,
    "TextField": None,
}


@dataclass(frozen=True)
class CopyTable:
    """How one model's rows become COPY lines: columns in order, one converter each."""

    model: type[Model]
    columns: tuple[tuple[str, Callable[[Any], str]], ...]  # (attname, converter)
    tail: tuple[str, ...]  # columns the writer appends to each line

    @classmethod
    def of(cls, model: type[Model], *, tail: tuple[str, ...] = ()) -> CopyTable:
        fields = [
            f
            for f in model._meta.concrete_fields
            # An auto id is left to the table's identity, except on cases (the producer takes them).
            if not (
                f.primary_key and f.get_internal_type() in ("AutoField", "BigAutoField") and model is not Case
            )
            and f.attname not in tail
        ]
        return cls(
            model=model,
            columns=tuple((f.attname, _CONVERT.get(f.get_internal_type(), str)) for f in fields),
            tail=tail,
        )

    def statement(self) -> str:
        q = connection.ops.quote_name
        names = [self.model._meta.get_field(a).column for a, _c in self.columns] + [
            self.model._meta.get_field(a).column for a in self.tail
        ]
        return f"COPY {q(self.model._meta.db_table)} ({', '.join(q(n) for n in names)}) FROM STDIN"

    def line(self, row: Row) -> str:
        """The row's columns as COPY text, without a line end (and without the tail columns).

        Values are joined first and escaped only when the line shows it is needed (a backslash
        or line break anywhere, or more tabs than separators): one scan per line, not per value.
        NULL is marked with NUL while joining, which no text value can hold (PostgreSQL refuses it)."""
        values = [
            "\0" if (v := row[a]) is None else v if conv is None else conv(v) for a, conv in self.columns
        ]
        line = "\t".join(values)
        if _SPECIAL.search(line) is None and line.count("\t") == len(values) - 1:
            return line.replace("\0", "\\N")
        return "\t".join(
            "\\N" if row[a] is None else v.translate(_ESCAPES)
            for v, (a, _c) in zip(values, self.columns, strict=True)
        )


@dataclass
class Batch:
    """One batch of generated cases as COPY text, ordered by registration."""

    years: list[int]  # each case's registration year (local), in order
    case_lines: list[str]  # each case's line without its number, year and seq
    triage_lines: list[str | None]  # each case's triage line without its search text
    search_rest: list[str]  # each case's search text without the number's tokens
    children: dict[str, str]  # model label → complete COPY text
    rows: int
    refs: dict[type[Model], set[int]] = field(default_factory=dict)  # referenced rows outside the batch


class BatchFormatter:
    """Turns generated cases into a Batch (runs in the producer)."""

    def __init__(self) -> None:
        self.case = CopyTable.of(Case, tail=CASE_TAIL)
        self.triage = CopyTable.of(CaseTriage, tail=TRIAGE_TAIL)
        self.children = {m: CopyTable.of(m) for m in CHILDREN}
        # Foreign keys to check per batch: (model, attname, referenced model); the case_id of a
        # child points into the batch itself.
        self.fks = [
            (m, f.attname, f.related_model)
            for m in TABLES
            for f in m._meta.concrete_fields
            if f.is_relation and not (m is not Case and f.attname == "case_id")
        ]
        self.tz = timezone.get_default_timezone()

    def format(self, generated: list[GeneratedCase]) -> Batch:
        _instants.clear()
        generated.sort(key=lambda g: g.case.registered_at)
        _allocate_case_ids([g.case for g in generated])
        now = timezone.now()
        tz = self.tz
        years: list[int] = []
        case_lines: list[str] = []
        triage_lines: list[str | None] = []
        rests: list[str] = []
        parts: dict[type[Model], list[str]] = {m: [] for m in CHILDREN}
        refs: dict[type[Model], set[int]] = {}
        rows = 0
        for g in generated:
            case = g.case
            case.updated_at = now
            years.append(case.registered_at.astimezone(tz).year)
            case_lines.append(self.case.line(case))
            rows += 1
            for model, kids in zip(CHILDREN, (g.parties, g.assignments, g.steps, g.events), strict=True):
                table, out = self.children[model], parts[model]
                for row in kids:
                    row.case_id = case.id
                    out.append(table.line(row))
                rows += len(kids)
            if g.triage is not None:
                g.triage.case_id = case.id
                triage_lines.append(self.triage.line(g.triage))
                # search_text of the case without its number: the number's tokens are added by
                # the writer (they are separate runs, so the tokens of the whole are the two joined).
                rests.append(
                    search.search_text(
                        number="",
                        description=case.description,
                        request=case.request,
                        names=[p.name for p in g.parties],
                        external_ids=[],
                    )
                )
                rows += 1
            else:
                triage_lines.append(None)
                rests.append("")
        for model, attname, target in self.fks:
            ids = refs.setdefault(target, set())
            for g in generated:
                for row in _rows_of(g, model):
                    value = row[attname]
                    if value is not None:
                        ids.add(value)
        refs[Case] = refs.get(Case, set()) - {g.case.id for g in generated}
        batch = Batch(
            years=years,
            case_lines=case_lines,
            triage_lines=triage_lines,
            search_rest=rests,
            children={m._meta.label: "".join(line + "\n" for line in parts[m]) for m in CHILDREN},
            rows=rows,
            refs={m: ids for m, ids in refs.items() if ids},
        )
        _instants.clear()
        return batch


def _rows_of(g: GeneratedCase, model: type[Model]) -> Iterable[Row]:
    if model is Case:
        return (g.case,)
    if model is CaseTriage:
        return (g.triage,) if g.triage is not None else ()
    return {Party: g.parties, Assignment: g.assignments, CaseStep: g.steps, CaseEvent: g.events}[model]


def _allocate_case_ids(rows: list[Row]) -> None:
    """Take ids for the cases from the table's identity sequence (children need them first)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Case._meta.db_table, len(rows)],
        )
        for row, (pk,) in zip(rows, cur.fetchall(), strict=True):
            row.id = pk


def number_tokens(prefix: str, year: int, seq: int) -> str:
    """search.search_text's tokens of a case number `330523-2026-000001`: its three runs of
    digits, then its digits alone (the tests check this against search.search_text)."""
    return f"{prefix} {year} {seq:06d} {prefix}{year}{seq:06d}"


# ---------------------------------------------------------------- writing


def lock_sequences(county: Region, years: list[int]) -> dict[int, CaseSequence]:
    """The county's sequence rows for these years, locked (in year order, the order
    `case_register` uses), created when missing (as the service does)."""
    for year in years:
        if not CaseSequence.objects.filter(county=county, year=year).exists():
            try:
                with transaction.atomic():
                    CaseSequence.objects.create(county=county, year=year, last_value=0)
            except IntegrityError:
                pass  # a registration created it first; it is locked below like any other
    rows = CaseSequence.objects.select_for_update().filter(county=county, year__in=years).order_by("year")
    return {row.year: row for row in rows}


def relaxed_checks_possible() -> bool:
    """Whether batches may check their foreign keys once instead of per row (see the module
    docstring). Asked outside any transaction; the probe's SET ends with its transaction."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    tables = [m._meta.db_table for m in TABLES]
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = ANY(%s::regclass[]) AND NOT tgisinternal",
                [tables],
            )
            if cur.fetchone()[0]:
                return False  # a trigger of someone's own would be skipped too: keep per-row checks
            cur.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        return False  # not allowed for this role
    return True


def write_batch(
    county: Region, batch: Batch, numbers: dict[int, tuple[int, int]], *, relaxed: bool = False
) -> int:
    """Number and COPY one batch in one transaction; returns the number of rows written."""
    prefix = county.code[:6]
    with transaction.atomic(), connection.cursor() as cur:
        # Synthetic bulk data: losing the last batch in a crash is fine, waiting for each WAL
        # flush is not. Scoped to this transaction, like the relaxed checks.
        cur.execute("SET LOCAL synchronous_commit = off")
        seqs = lock_sequences(county, sorted(set(batch.years)))
        last = {year: seq.last_value for year, seq in seqs.items()}
        case_text: list[str] = []
        triage_text: list[str] = []
        for year, line, triage, rest in zip(
            batch.years, batch.case_lines, batch.triage_lines, batch.search_rest, strict=True
        ):
            seq = last[year] + 1
            last[year] = seq
            number = f"{prefix}-{year}-{seq:06d}"
            case_text.append(f"{line}\t{number}\t{year}\t{seq}\n")
            if triage is not None:
                tokens = number_tokens(prefix, year, seq)
                triage_text.append(f"{triage}\t{tokens} {rest}\n" if rest else f"{triage}\t{tokens}\n")
            first, _last = numbers.get(year, (seq, seq))
            numbers[year] = (first, seq)
        for year, seq in seqs.items():
            CaseSequence.objects.filter(pk=seq.pk).update(last_value=last[year])
        if relaxed:
            for model, ids in batch.refs.items():
                cur.execute(
                    f"SELECT count(*) FROM (SELECT 1 FROM {connection.ops.quote_name(model._meta.db_table)} "
                    f"WHERE {connection.ops.quote_name(model._meta.pk.column)} = ANY(%s) FOR KEY SHARE) AS r",
                    [sorted(ids)],
                )
                if cur.fetchone()[0] != len(ids):
                    raise IntegrityError(
                        f"seed: rows of {model._meta.db_table} referenced by a batch are missing"
                    )
            cur.execute("SET LOCAL session_replication_role = replica")
        fmt = _formatter()
        _copy_text(cur, fmt.case.statement(), "".join(case_text))
        for model in CHILDREN:
            _copy_text(cur, fmt.children[model].statement(), batch.children[model._meta.label])
        _copy_text(cur, fmt.triage.statement(), "".join(triage_text))
    return batch.rows


_formatters: list[BatchFormatter] = []


def _formatter() -> BatchFormatter:
    if not _formatters:
        _formatters.append(BatchFormatter())
    return _formatters[0]


def _copy_text(cur, statement: str, text: str, chunk: int = 1 << 20) -> None:
    if not text:
        return
    data = text.encode()
    with cur.cursor.copy(statement) as out:
        for start in range(0, len(data), chunk):
            out.write(data[start : start + chunk])


# ---------------------------------------------------------------- the producer


def seed_batches(
    gen_factory: Callable[[], tuple[CaseGenerator, list[datetime]]],
    batch: int,
    tally: SeedCounters | None = None,
    *,
    sums_every: int = 40,
) -> Iterable[Batch | CounterSums]:
    """Generate and format every batch in this process. With `tally`, the counter sums of the
    cases yielded so far follow every `sums_every` batches and the last one."""
    gen, times = gen_factory()
    fmt = _formatter()
    for n, start in enumerate(range(0, len(times), batch), start=1):
        generated = [gen.case(t) for t in times[start : start + batch]]
        if tally is not None:
            for g in generated:
                tally.add(g)
        yield fmt.format(generated)
        if tally is not None and (n % sums_every == 0 or start + batch >= len(times)):
            yield tally.take(as_text=connection.vendor == "postgresql")


def fork_available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def seed_batches_forked(
    gen_factory: Callable[[], tuple[CaseGenerator, list[datetime]]],
    batch: int,
    tally: SeedCounters | None = None,
    *,
    depth: int = 2,
) -> Iterable[Batch | CounterSums]:
    """The same batches, generated and formatted by a forked process while the caller writes.

    At most `depth` batches wait in the queue, so memory stays bounded. The caller must hold no
    transaction: connections are closed before the fork (the child opens its own for case ids;
    the parent reconnects on its next query)."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue(maxsize=depth)
    connections.close_all()
    child = ctx.Process(
        target=_produce, args=(queue, gen_factory, batch, tally), name="seed-producer", daemon=True
    )
    child.start()
    try:
        while True:
            try:
                item = queue.get(timeout=5)
            except queues.Empty:  # the producer is still working, or it died
                if not child.is_alive():
                    raise RuntimeError("the seed's producer process ended unexpectedly") from None
                continue
            if item is None:
                break
            if isinstance(item, str):
                raise RuntimeError(f"the seed's producer process failed:\n{item}")
            yield item
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        queue.close()


def _produce(queue, gen_factory, batch: int, tally: SeedCounters | None) -> None:
    # Generating allocates millions of short-lived, acyclic objects (rows, dicts) while the
    # pool, caches and counter sums grow: with the default thresholds the cyclic collector kept
    # rescanning them, a fifth of the producer's time. This process only produces batches, so
    # it collects rarely (what was inherited is frozen out of the scans).
    gc.freeze()
    gc.set_threshold(200_000, 20, 100)
    try:
        for item in seed_batches(gen_factory, batch, tally):
            queue.put(item)
        queue.put(None)
    except BaseException:
        queue.put(traceback.format_exc())
    finally:
        connections.close_all()
