"""Insert many new model rows at once: COPY on PostgreSQL, `bulk_create` elsewhere.

An import writes a few thousand rows per chunk (cases, parties, events, assignments, steps,
triage rows, hotline orders). `bulk_create` turns every value into SQL text in Python twice —
Django's compiler prepares each value, then psycopg's client-side binding quotes it, element by
element for the UNNEST arrays Django sends on PostgreSQL — which costs more than PostgreSQL's
own work on the rows; and for a single row, compiling Django's INSERT costs more than a COPY
round trip. Here, on PostgreSQL, the rows go through
`COPY … FROM STDIN`: values are handed to psycopg as they are (strings, numbers, aware
datetimes, JSON already encoded) and formatted by its C extension; the ids of tables with an
identity column are taken first from their sequences (one statement for every model of the
call), so that children can refer to their parents and callers get their objects with ids, as
from `bulk_create`.

Only plain field types are written this way (text, numbers, booleans, dates, JSON, foreign
keys); a model with any other field, or with database defaults, goes through `bulk_create`.
The objects must be new (no row yet); `auto_now`/`auto_now_add` fields are filled as a save
would. Signals are not sent (as with `bulk_create`). COPY statements are added to the query
log when it is on (tests count statements).
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection, models

COPY_MIN = 1  # rows from which a table is COPYed (measured: even one registration is faster so)

_PLAIN = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "CharField",
        "TextField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "PositiveBigIntegerField",
        "FloatField",
        "BooleanField",
        "DateTimeField",
        "DateField",
        "ForeignKey",
        "OneToOneField",
        "JSONField",
    }
)


@dataclass(frozen=True)
class _Plan:
    statement: str
    table: str
    json_insert: str  # INSERT of the rows given as one JSON parameter (`_insert_json`)
    keys: tuple[str, ...]  # each column's name as a JSON key
    auto_pk: str | None  # attname of an identity primary key (ids taken from its sequence)
    plain: tuple[str, ...]  # attnames written as they are
    json: tuple[tuple[int, Any, bool], ...]  # (position, encoder, null allowed)
    fk: tuple[tuple[int, models.Field], ...]  # (position, field): id from the cached parent if unset
    auto_now: tuple[tuple[int, models.Field], ...]


_plans: dict[type[models.Model], _Plan | None] = {}


def _plan(model: type[models.Model]) -> _Plan | None:
    if model in _plans:
        return _plans[model]
    fields = list(model._meta.concrete_fields)
    plan: _Plan | None = None
    if all(f.get_internal_type() in _PLAIN and f.db_default is models.NOT_PROVIDED for f in fields):
        q = connection.ops.quote_name
        names = ", ".join(q(f.column) for f in fields)
        pk = model._meta.pk
        auto_pk = pk.attname if pk.get_internal_type() in ("AutoField", "BigAutoField") else None
        plan = _Plan(
            statement=f"COPY {q(model._meta.db_table)} ({names}) FROM STDIN",
            table=model._meta.db_table,
            json_insert=(
                f"INSERT INTO {q(model._meta.db_table)} ({names}) SELECT {names} "
                f"FROM json_populate_recordset(NULL::{q(model._meta.db_table)}, %s::json)"
            ),
            keys=tuple(json.dumps(f.column) for f in fields),
            auto_pk=auto_pk,
            plain=tuple(f.attname for f in fields),
            json=tuple(
                (i, f.encoder, f.null) for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"
            ),
            fk=tuple((i, f) for i, f in enumerate(fields) if f.is_relation),
            auto_now=tuple(
                (i, f)
                for i, f in enumerate(fields)
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            ),
        )
    _plans[model] = plan
    return plan


_sequences: dict[str, str] = {}


def _sequence(table: str) -> str:
    """The identity sequence of a table's id (looked up once per process: naming it per row
    cost more than taking the value)."""
    if table not in _sequences:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            _sequences[table] = cur.fetchone()[0]
    return _sequences[table]


@dataclass(frozen=True)
class _Template:
    static: dict[str, Any]  # attname → default that can be shared (immutable)
    factories: tuple[tuple[str, Any], ...]  # attname → callable default (a new dict or list each)
    relations: dict[str, models.Field]  # field name of a foreign key → field


_templates: dict[type[models.Model], _Template] = {}


def _template(model: type[models.Model]) -> _Template:
    static: dict[str, Any] = {}
    factories = []
    for f in model._meta.concrete_fields:
        if f.has_default() and callable(f.default):
            factories.append((f.attname, f.default))
        else:
            static[f.attname] = f.get_default()
    relations = {f.name: f for f in model._meta.concrete_fields if f.is_relation}
    _templates[model] = t = _Template(static=static, factories=tuple(factories), relations=relations)
    return t


M = TypeVar("M", bound=models.Model)


def build(model: type[M], **values: Any) -> M:
    """A new, unsaved instance for `insert_new`, as `model(**values)` makes it but without
    Model.__init__'s per-keyword resolution (a few µs per row, thousands of rows per chunk).
    `values` are attnames (`case_id`) or foreign keys by name with the related object
    (`case=case`), which is cached on the instance as `__init__` caches it. Only for models
    without pre_init/post_init receivers (tests compare the two for the models it builds)."""
    t = _templates.get(model) or _template(model)
    obj = model.__new__(model)
    obj._state = models.base.ModelState()
    d = obj.__dict__
    d.update(t.static)
    for attname, factory in t.factories:
        d[attname] = factory()
    for key, value in values.items():
        f = t.relations.get(key)
        if f is None:
            d[key] = value
        else:
            d[f.attname] = None if value is None else value.pk
            obj._state.fields_cache[key] = value
    return obj


def _allocate(wanted: list[tuple[str, int]]) -> list[list[int]]:
    """Ids from the identity sequences of the tables (one statement for all of them)."""
    parts, params = [], []
    for i, (table, n) in enumerate(wanted):
        parts.append(f"SELECT {i}, nextval(%s::regclass) FROM generate_series(1, %s)")
        params += [_sequence(table), n]
    out: list[list[int]] = [[] for _w in wanted]
    with connection.cursor() as cur:
        cur.execute(" UNION ALL ".join(parts), params)
        for i, pk in cur.fetchall():
            out[i].append(pk)
    return out


def insert_new(*batches: tuple[type[models.Model], Sequence[models.Model]]) -> None:
    """Insert each (model, objects) batch in the order given (parents before children), setting
    the objects' primary keys. One INSERT per batch with `bulk_create`, or on PostgreSQL ids
    (one statement for all batches that need them) and one COPY per batch — or, when the call
    has at most JSON_MAX_ROWS rows, one statement for all its batches (`_insert_json`)."""
    copied: list[tuple[_Plan, Sequence[models.Model]]] = []
    use_copy = connection.vendor == "postgresql"
    for model, objs in batches:
        plan = _plan(model) if use_copy and len(objs) >= COPY_MIN else None
        if plan is None:
            # Earlier batches may be parents: write what is queued first, in order.
            _copy_all(copied)
            copied = []
            if objs:
                model.objects.bulk_create(objs)
        else:
            copied.append((plan, objs))
    _copy_all(copied)


# Up to this many rows in one call, the rows of all its tables go in one INSERT statement (their
# rows as one JSON parameter per table) instead of one COPY per table: a registration writes
# about ten rows into six tables, and each COPY costs two round trips and psycopg's set-up.
JSON_MAX_ROWS = 100


def assign_ids(*batches: tuple[type[models.Model], Sequence[models.Model]]) -> bool:
    """Give the new objects of each (model, objects) batch their ids before they are written
    (PostgreSQL: from the tables' sequences, one statement for all batches), so that rows can
    be written in any order within the transaction — a child before its parent, the foreign
    keys being checked at the commit. False (and nothing done) where ids only come with the
    INSERT (SQLite): there, parents must be written first."""
    if connection.vendor != "postgresql":
        return False
    plans = [(p, objs) for model, objs in batches if objs and (p := _plan(model)) is not None]
    if len(plans) != sum(1 for _m, objs in batches if objs):
        return False  # a model COPY cannot write gets its ids from bulk_create
    _assign(plans)
    return True


def _assign(copied: list[tuple[_Plan, Sequence[models.Model]]]) -> None:
    need = [(p, objs) for p, objs in copied if p.auto_pk and any(getattr(o, p.auto_pk) is None for o in objs)]
    if need:
        for (p, objs), ids in zip(
            need,
            _allocate([(p.table, sum(getattr(o, p.auto_pk) is None for o in objs)) for p, objs in need]),
            strict=True,
        ):
            it = iter(ids)
            for o in objs:
                if getattr(o, p.auto_pk) is None:
                    setattr(o, p.auto_pk, next(it))


def _copy_all(copied: list[tuple[_Plan, Sequence[models.Model]]]) -> None:
    if not copied:
        return
    _assign(copied)
    if sum(len(objs) for _p, objs in copied) <= JSON_MAX_ROWS and _insert_json(copied):
        return
    for plan, objs in copied:
        _copy(plan, objs)


def _row(plan: _Plan, o: models.Model) -> list:
    """The values of one object's columns as COPY writes them (JSON fields encoded)."""
    d = o.__dict__
    row = [d[a] for a in plan.plain]
    for i, f in plan.fk:
        if row[i] is None:
            parent = f.get_cached_value(o, None)
            if parent is not None and parent.pk is not None:
                row[i] = d[f.attname] = parent.pk
    for i, f in plan.auto_now:
        row[i] = f.pre_save(o, True)
    for i, encoder, null in plan.json:
        v = row[i]
        if v is not None or not null:
            row[i] = json.dumps(v, cls=encoder, ensure_ascii=False)
    return row


def _written(objs: Sequence[models.Model]) -> None:
    alias = connection.alias
    for o in objs:
        o._state.adding = False
        o._state.db = alias


def _copy(plan: _Plan, objs: Sequence[models.Model]) -> None:
    started = time.monotonic()
    with connection.cursor() as cur:
        with cur.cursor.copy(plan.statement) as copy:
            for o in objs:
                copy.write_row(_row(plan, o))
    _written(objs)
    if connection.queries_logged:
        connection.queries_log.append(
            {"sql": f"{plan.statement} -- {len(objs)} rows", "time": f"{time.monotonic() - started:.3f}"}
        )


def _json_scalar(v: Any) -> str:
    if isinstance(v, datetime.date):  # (datetimes too)
        return f'"{v.isoformat()}"'
    return json.dumps(v, ensure_ascii=False)


def _insert_json(copied: list[tuple[_Plan, Sequence[models.Model]]]) -> bool:
    """Write the batches (ids given) with one statement: for each table, its rows as one JSON
    array of objects keyed by column, turned into rows by json_populate_recordset, each INSERT a
    data-modifying WITH clause (foreign keys are checked at the commit, so the order does not
    matter). JSON fields go in as the JSON COPY would write. False (nothing written) for a JSON
    field that must hold JSON null: the record functions would make it SQL NULL."""
    clauses, params = [], []
    for plan, objs in copied:
        json_at = {i for i, _e, _n in plan.json}
        rows = []
        for o in objs:
            cells = []
            for i, (key, v) in enumerate(zip(plan.keys, _row(plan, o), strict=True)):
                if i in json_at and v is not None:
                    if v == "null":
                        return False
                    cells.append(f"{key}:{v}")  # (already JSON text)
                else:
                    cells.append(f"{key}:{_json_scalar(v)}")
            rows.append("{" + ",".join(cells) + "}")
        clauses.append(plan.json_insert)
        params.append("[" + ",".join(rows) + "]")
    *first, last = clauses
    sql = (f"WITH {', '.join(f'w{i} AS ({c})' for i, c in enumerate(first))} " if first else "") + last
    with connection.cursor() as cur:
        cur.execute(sql, params)
    for _p, objs in copied:
        _written(objs)
    return True


def analyze(*models_: type[models.Model]) -> None:
    """Refresh the planner's statistics of the tables after (or during) a bulk load: without
    them PostgreSQL plans for the tables it last measured, and a lookup that should read a few
    rows on an index may walk them all. (SQLite: `PRAGMA optimize`.)"""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ANALYZE " + ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models_))
        elif connection.vendor == "sqlite":
            cur.execute("PRAGMA optimize")


def estimated_rows(model: type[models.Model]) -> int:
    """PostgreSQL's estimate of a table's rows from its last analysis (-1: never analysed)."""
    with connection.cursor() as cur:
        cur.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table])
        row = cur.fetchone()
    return int(row[0]) if row else -1
