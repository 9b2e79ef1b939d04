"""Plain SQL for the few reads that run in every registration, on PostgreSQL and SQLite alike.

Compiling an ORM query (lookups, joins, `DISTINCT`, the select list) costs a few hundred
microseconds of Python, more than PostgreSQL takes to answer the indexed reads of a
registration; the reads that run for every case registered (the API's token check, the alert
rules' people counts, the ended-petition check) are therefore written out here and there,
with two helpers: a list of values as ONE parameter (so that a statement has the same text for
any number of values, and no limit on their number), and the ORM's conversion of what the
database returns (JSON text parsed, SQLite's datetimes and booleans made Python values), so
that a plain read gives the values a queryset would. Tests compare each plain read with the
queryset it replaces.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


def any_of(column: str, values: Iterable[Any]) -> tuple[str, list]:
    """`column IN (values)` as SQL with one parameter: an array on PostgreSQL, a JSON array
    read with json_each on SQLite."""
    values = list(values)
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [values]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(values, ensure_ascii=False)]


def table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


_converters: dict[tuple, list] = {}


def converted(rows: Sequence[Sequence[Any]], fields: Sequence[models.Field]) -> list[list[Any]]:
    """The rows with each value converted as the ORM converts a value of that field (column i
    of a row holds `fields[i]`)."""
    key = (connection.vendor, *fields)
    plan = _converters.get(key)
    if plan is None:
        plan = []
        for i, f in enumerate(fields):
            col = f.get_col(f.model._meta.db_table)
            funcs = connection.ops.get_db_converters(col) + f.get_db_converters(connection)
            if funcs:
                plan.append((i, col, funcs))
        _converters[key] = plan
    out = []
    for row in rows:
        values = list(row)
        for i, col, funcs in plan:
            for func in funcs:
                values[i] = func(values[i], col, connection)
        out.append(values)
    return out
