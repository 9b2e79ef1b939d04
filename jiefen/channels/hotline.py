"""12345 hotline work orders → cases, idempotent on the hotline's order id.

`hotline_orders_import` takes rows as the hotline sends them (order_id, received_at, caller,
phone, address, category, content, urgency) and answers with a report per row: created,
linked (same caller, same matter as an open case), skipped (order already taken in) or
refused (and why). Every row is its own savepoint: a row that fails leaves nothing behind,
and the rows around it still go in. Rows are written in chunks, one transaction per chunk,
so that a large file is not one commit per order.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import multiprocessing
import traceback
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from jiefen.alerts.models import Alert
from jiefen.cases.choices import OPEN_STATUSES, Category, Channel, PartyRole
from jiefen.cases.models import Case, CaseEvent, Party
from jiefen.cases.selectors import case_scope
from jiefen.cases.services import PartyInput, RegistrationRequest, case_register_many
from jiefen.channels.matching import AddressResolver, Duplicate, DuplicateIndex, find_duplicate
from jiefen.channels.models import HotlineCategory, HotlineOrder, OrderOutcome
from jiefen.core import bulkwrite, clock, pii
from jiefen.core.errors import DomainError, PermissionDenied, ValidationFailed
from jiefen.directory.models import Staff
from jiefen.regions.models import Region

FIELDS = ("order_id", "received_at", "caller", "phone", "address", "category", "content", "urgency")
CHUNK = 500
MAX_ROWS = 200_000
IMPORT_ROLES = frozenset({"dispatcher", "clerk", "admin"})
ANONYMOUS_CALLER = "12345来电人"
log = logging.getLogger(__name__)


# Column titles of the hotline platform's spreadsheet exports, and the fields they hold.
HEADER_ALIASES = {
    "工单编号": "order_id",
    "工单号": "order_id",
    "受理时间": "received_at",
    "来电时间": "received_at",
    "来电人": "caller",
    "诉求人": "caller",
    "联系电话": "phone",
    "来电号码": "phone",
    "地址": "address",
    "事发地址": "address",
    "诉求分类": "category",
    "事项分类": "category",
    "诉求内容": "content",
    "工单内容": "content",
    "紧急程度": "urgency",
}
XLSX_MAGIC = b"PK\x03\x04"  # a zip container: .xlsx


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone or an order number typed as a number
    return str(value).strip()


def _read_xlsx(raw: bytes) -> list[dict]:
    """Rows of the first sheet of an .xlsx file; the first non-empty row holds the titles."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationFailed(
            _("The file is not a readable .xlsx workbook."), fields={"file": [str(exc)[:200]]}
        ) from exc
    try:
        rows = (r for r in wb.worksheets[0].iter_rows(values_only=True) if any(v is not None for v in r))
        header = [HEADER_ALIASES.get(_cell_text(v), _cell_text(v)) for v in next(rows, ())]
        return [{k: _cell_text(v) for k, v in zip(header, row, strict=False) if k} for row in rows]
    finally:
        wb.close()


def read_orders(raw: bytes | str, *, fmt: str | None = None) -> list[dict]:
    """Rows from an .xlsx workbook (first sheet, a title row), a CSV (header line with the field
    names; UTF-8 with or without BOM, or GB18030) or a JSON file (a list, or {"orders": [...]}).
    Column titles may be the field names or the hotline platform's Chinese titles."""
    if fmt == "xlsx" or (fmt is None and isinstance(raw, bytes) and raw[:4] == XLSX_MAGIC):
        if not isinstance(raw, bytes):
            raise ValidationFailed(_("The file is not a readable .xlsx workbook."), fields={"file": ["text"]})
        return _read_xlsx(raw)
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")
    else:
        text = raw
    stripped = text.lstrip()
    if fmt == "json" or (fmt is None and stripped[:1] in "[{"):
        data = json.loads(text)
        if isinstance(data, dict):
            data = data.get("orders", [data] if "order_id" in data else [])
        if not isinstance(data, list):
            raise ValidationFailed(_("Expected a list of work orders."), fields={"orders": [_("not a list")]})
        return data
    reader = csv.DictReader(io.StringIO(text))
    return [{HEADER_ALIASES.get(k, k): v for k, v in row.items()} for row in reader]


def _text(row: dict, key: str, limit: int) -> str:
    value = row.get(key)
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)):
        raise ValueError(key)
    return str(value).strip()[:limit]


def _received_at(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    v = value.strip().replace("/", "-")
    if len(v) == 10:
        v += "T00:00:00"
    elif len(v) == 16:
        v += ":00"
    try:
        dt = parse_datetime(v)
    except ValueError:
        return None
    if dt is not None and timezone.is_naive(dt):
        dt = timezone.make_aware(dt)
    return dt


class _Categories:
    """The editable mapping table, read once per import; unknown categories are added."""

    def __init__(self):
        self.map = dict(HotlineCategory.objects.values_list("hotline_category", "category"))

    def category(self, name: str) -> str:
        if not name:
            return Category.OTHER
        if name not in self.map:
            HotlineCategory.objects.get_or_create(
                hotline_category=name[:100],
                defaults={"category": Category.OTHER, "note": _("added by an import: map it")},
            )
            self.map[name] = Category.OTHER
        return self.map[name]


def _check_actor(actor: Staff | None, county: Region) -> None:
    if actor is None or actor.is_superuser:
        return
    if not set(actor.roles or []) & IMPORT_ROLES:
        raise PermissionDenied(_("Only dispatchers, clerks and administrators may import work orders."))
    org = actor.organization
    if org is None or org.region.level != "county" or org.region_id != county.pk:
        raise PermissionDenied(_("Work orders are imported by staff of the county."))


def hotline_orders_import(
    *, rows: list[Any], county: Region, actor: Staff | None = None, workers: int = 1
) -> dict:
    """Take 12345 work orders in; see the module's docstring. Returns the report.

    `workers` > 1 (the import command on PostgreSQL): the orders are shared between that many
    processes (`_import_in_workers`), each taking its share in file order."""
    _check_actor(actor, county)
    if len(rows) > MAX_ROWS:
        raise ValidationFailed(
            _("At most %(n)s work orders per import.") % {"n": MAX_ROWS}, fields={"orders": [_("too many")]}
        )
    if workers > 1 and len(rows) > CHUNK and parallel_import_possible():
        lines = _import_in_workers(rows, county=county, actor=actor, workers=workers)
    else:
        lines = _import_rows(rows, list(range(len(rows))), county=county, actor=actor)
    report: dict[str, Any] = {"created": 0, "linked": 0, "skipped": 0, "refused": 0, "rows": lines}
    for line in lines:
        report[line["outcome"]] += 1
    return report


class _Statistics:
    """Keeps PostgreSQL's statistics in step with an import that multiplies the tables.

    A file of 100,000 orders can grow a young database tenfold within two minutes, faster
    than autovacuum analyses it (if it runs at all): the lookups of each chunk (related cases,
    repeat callers, open alerts) would then be planned for the tables as they were. So the
    tables the import reads are analysed whenever its cases have doubled them since their last
    analysis (about a second each time, a few times per file)."""

    MODELS = (Case, Party, Alert, HotlineOrder)

    def __init__(self, *, processes: int = 1, active: bool = True):
        self.active = active and connection.vendor == "postgresql"
        self.processes = processes  # every process adds cases; one of them analyses
        self.base = max(bulkwrite.estimated_rows(Case), 1000) if self.active else 0
        self.added = 0

    def registered(self, n: int) -> None:
        if not self.active:
            return
        self.added += n * self.processes
        if self.added >= self.base:
            bulkwrite.analyze(*self.MODELS)
            self.base, self.added = self.base + self.added, 0


def _import_rows(
    rows: list[Any],
    positions: list[int],
    *,
    county: Region,
    actor: Staff | None,
    statistics: _Statistics | None = None,
) -> list[dict]:
    """The report lines of the rows at `positions` (0-based, in file order), chunk by chunk."""
    statistics = statistics or _Statistics()
    resolver = AddressResolver(county)
    categories = _Categories()
    seen: set[str] = set()
    out: list[dict] = []
    for start in range(0, len(positions), CHUNK):
        part = positions[start : start + CHUNK]
        ids = [str(rows[i].get("order_id", "")).strip() for i in part if isinstance(rows[i], dict)]
        existing = dict(HotlineOrder.objects.filter(order_id__in=ids).values_list("order_id", "case__number"))
        kw = {"county": county, "resolver": resolver, "categories": categories, "existing": existing}
        parsed = [_parse(rows[i], index=i + 1, seen=seen, **kw) for i in part]
        try:
            lines = _chunk_together(parsed, county=county, actor=actor)
        except DatabaseError:
            # Something the checks could not foresee (a constraint, a lost connection): the
            # chunk rolled back as a whole; take its orders one by one, each on its own.
            log.warning(
                "12345 import: chunk at row %s failed together; taking it row by row",
                part[0] + 1,
                exc_info=True,
            )
            lines = _chunk_one_by_one(parsed, county=county, actor=actor)
        out += lines
        statistics.registered(sum(1 for line in lines if line["outcome"] == "created"))
    return out


# ---------------------------------------------------------------- several processes

# One process registers about 600 orders a second on two cores, a third of its time waiting
# for PostgreSQL; a second process takes its own share meanwhile. Orders that could meet —
# the same order id (a repeat is skipped) or the same caller's phone (a repeat is linked) —
# always go to the same process, in file order, so each process decides exactly what one
# process would. What another process writes at the same moment is seen once it commits: an
# order's related-case proposals (advice for the dispatcher, never a link) may miss an order
# of the other share registered in the same second.


def parallel_import_possible() -> bool:
    return (
        connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and "fork" in multiprocessing.get_all_start_methods()
    )


def import_shares(rows: list[Any], workers: int) -> list[list[int]]:
    """Positions of the rows for each process: rows sharing an order id or a caller's phone
    (directly or through other rows) stay together; groups go, largest first, to the
    process with the fewest rows; each share is in file order."""
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[str, str], int] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            continue
        order_id = str(row.get("order_id") or "").strip()[:200]
        phone = pii.normalize_phone(str(row.get("phone") or "").strip()[:30])
        for key in (("order", order_id), ("phone", phone if phone and not pii.phone_error(phone) else "")):
            if key[1]:
                j = first.setdefault(key, i)
                if j != i:
                    parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(rows)):
        groups.setdefault(root(i), []).append(i)
    shares: list[list[int]] = [[] for _w in range(workers)]
    for group in sorted(groups.values(), key=len, reverse=True):
        min(shares, key=len).extend(group)
    return [sorted(share) for share in shares if share]


def _import_in_workers(rows: list[Any], *, county: Region, actor: Staff | None, workers: int) -> list[dict]:
    shares = import_shares(rows, workers)
    categories = _Categories()  # unknown hotline categories are added once, before the fork
    for row in rows:
        if isinstance(row, dict) and isinstance(row.get("category"), str):
            categories.category(row["category"].strip()[:100])
    connections.close_all()  # each process opens its own connection
    fork = multiprocessing.get_context("fork")
    children = []
    for share in shares[1:]:
        receive, send = fork.Pipe(duplex=False)
        child = fork.Process(target=_worker, args=(send, rows, share, county, actor), daemon=True)
        child.start()
        send.close()
        children.append((child, receive))
    statistics = _Statistics(processes=len(shares))
    lines = _import_rows(rows, shares[0], county=county, actor=actor, statistics=statistics)
    failures = []
    for child, receive in children:
        try:
            kind, payload = receive.recv()
        except EOFError:
            kind, payload = "error", f"exit code {child.exitcode}"
        child.join()
        if kind == "ok":
            lines += payload
        else:
            failures.append(payload)
    if failures:
        # The chunks each process committed stay (the import is idempotent: run it again).
        raise RuntimeError("a 12345 import process failed:\n" + "\n".join(failures))
    lines.sort(key=lambda line: line["row"])
    return lines


def _worker(send, rows: list[Any], share: list[int], county: Region, actor: Staff | None) -> None:
    try:
        quiet = _Statistics(active=False)  # the first process analyses for both
        send.send(("ok", _import_rows(rows, share, county=county, actor=actor, statistics=quiet)))
    except BaseException:
        send.send(("error", traceback.format_exc()))
    finally:
        connections.close_all()
        send.close()


@dataclass
class _Order:
    """A work order that passed the checks (out: its report line so far)."""

    out: dict
    order_id: str
    caller: str
    phone: str
    address: str
    hotline_category: str
    category: str
    content: str
    urgency: str
    received_at: datetime
    region: Region


def _parse(row, *, index, county, resolver, categories, existing, seen) -> dict | _Order:
    """Check one row: its report line when it is refused or skipped, else the order."""
    out: dict[str, Any] = {"row": index, "order_id": "", "outcome": "refused", "case": None}
    if not isinstance(row, dict):
        return {**out, "reason": _("not an object with the work-order fields")}
    try:
        order_id = _text(row, "order_id", 200)
        caller = _text(row, "caller", 100) or ANONYMOUS_CALLER
        phone = _text(row, "phone", 30)
        address = _text(row, "address", 200)
        hotline_category = _text(row, "category", 100)
        content = _text(row, "content", 20001)
        urgency = _text(row, "urgency", 20)
    except ValueError as exc:
        return {**out, "reason": _("field %(f)s is not text") % {"f": exc.args[0]}}
    out["order_id"] = order_id
    errors: dict[str, list[str]] = {}
    if not order_id:
        errors["order_id"] = [_("required")]
    elif len(order_id) > 64:
        errors["order_id"] = [_("longer than 64 characters")]
    received_at = _received_at(row.get("received_at"))
    if received_at is None:
        errors["received_at"] = [_("required, as 2026-05-01T08:30:00+08:00 or 2026-05-01 08:30:00")]
    if not content:
        errors["content"] = [_("required")]
    if phone and pii.phone_error(pii.normalize_phone(phone)):
        errors["phone"] = [str(pii.phone_error(pii.normalize_phone(phone)))]
    if errors:
        return {**out, "reason": _("invalid fields"), "fields": errors}
    if order_id in existing:
        return {**out, "outcome": "skipped", "case": existing[order_id], "reason": _("already imported")}
    if order_id in seen:
        return {**out, "outcome": "skipped", "reason": _("the same order id appears earlier in this batch")}
    seen.add(order_id)
    resolution = resolver.resolve(address)
    out["region"] = resolution.region.code
    out["region_resolution"] = resolution.how
    assert received_at is not None
    return _Order(
        out=out,
        order_id=order_id,
        caller=caller,
        phone=phone,
        address=address,
        hotline_category=hotline_category,
        category=categories.category(hotline_category),
        content=content,
        urgency=urgency,
        received_at=received_at,
        region=resolution.region,
    )


def _request(o: _Order) -> RegistrationRequest:
    return RegistrationRequest(
        channel=Channel.HOTLINE_12345,
        region=o.region,
        description=o.content,
        category=o.category,
        received_at=o.received_at,
        parties=[PartyInput(role=PartyRole.APPLICANT, name=o.caller, phone=o.phone, address=o.address)],
    )


def _hotline_order(o: _Order, case: Case, outcome: str, actor: Staff | None, now: datetime) -> HotlineOrder:
    return bulkwrite.build(HotlineOrder, **_order_fields(o, case, outcome, actor, now))


def _order_fields(o: _Order, case: Case, outcome: str, actor: Staff | None, now: datetime) -> dict:
    return dict(
        order_id=o.order_id,
        case=case,
        outcome=outcome,
        received_at=o.received_at,
        hotline_category=o.hotline_category,
        urgency=o.urgency,
        address=o.address,
        imported_at=now,
        imported_by=actor,
    )


def _refused(o: _Order, exc: DomainError) -> dict:
    body = exc.as_dict()
    return {
        **o.out,
        "outcome": "refused",
        "reason": body["message"],
        "error": body["error"],
        **({"fields": body["fields"]} if "fields" in body else {}),
    }


def _chunk_together(parsed: list, *, county: Region, actor: Staff | None) -> list[dict]:
    """One transaction for the chunk: duplicates found with one query (and against the orders
    before them in the chunk), the new cases registered together (`case_register_many`), the
    orders written with one INSERT."""
    now = clock.now()
    orders = [p for p in parsed if isinstance(p, _Order)]
    with transaction.atomic():
        dups = DuplicateIndex(phones=[o.phone for o in orders], county=county)
        links: dict[int, Duplicate] = {}  # index in orders → the case (or earlier order) it repeats
        new: list[int] = []
        for i, o in enumerate(orders):
            dup = dups.find(phone=o.phone, description=o.content)
            if dup is not None:
                links[i] = dup
            else:
                new.append(i)
                dups.add(phone=o.phone, description=o.content, handle=i)
        results = case_register_many([_request(orders[i]) for i in new], actor=actor)
        created: dict[int, Case | DomainError] = {
            i: (r if isinstance(r, DomainError) else r.case) for i, r in zip(new, results, strict=True)
        }
        lines: dict[int, dict] = {}
        rows: list[HotlineOrder] = []
        for i, o in enumerate(orders):
            if i in created:
                result = created[i]
                if isinstance(result, DomainError):
                    lines[i] = _refused(o, result)
                    continue
                rows.append(_hotline_order(o, result, OrderOutcome.CREATED, actor, now))
                lines[i] = {**o.out, "outcome": str(OrderOutcome.CREATED), "case": result.number}
                continue
            target = links[i].case
            if isinstance(target, int):  # repeats an order earlier in this chunk
                target = created[target]
            if isinstance(target, DomainError):
                # …which was refused (its own error says why); this one is refused with it.
                lines[i] = _refused(o, target)
                continue
            rows.append(_hotline_order(o, target, OrderOutcome.LINKED, actor, now))
            lines[i] = {
                **o.out,
                "outcome": str(OrderOutcome.LINKED),
                "case": target.number,
                "reason": links[i].reason,
            }
        bulkwrite.insert_new((HotlineOrder, rows))
    answers = iter(lines[i] for i in range(len(orders)))
    return [next(answers) if isinstance(p, _Order) else p for p in parsed]


def _chunk_one_by_one(parsed: list, *, county: Region, actor: Staff | None) -> list[dict]:
    out = []
    for p in parsed:
        if not isinstance(p, _Order):
            out.append(p)
            continue
        try:
            with transaction.atomic():
                dup = find_duplicate(phone=p.phone, description=p.content, county=county)
                if dup is not None:
                    case, outcome = dup.case, OrderOutcome.LINKED
                    p.out["reason"] = dup.reason
                else:
                    (result,) = case_register_many([_request(p)], actor=actor)
                    if isinstance(result, DomainError):
                        raise result
                    case, outcome = result.case, OrderOutcome.CREATED
                HotlineOrder.objects.create(**_order_fields(p, case, outcome, actor, clock.now()))
        except DomainError as exc:
            out.append(_refused(p, exc))
            continue
        except DatabaseError as exc:
            log.warning("12345 import: order %s could not be stored", p.order_id, exc_info=True)
            out.append(
                {
                    **p.out,
                    "outcome": "refused",
                    "reason": _("The order could not be stored: %(e)s") % {"e": str(exc)[:200]},
                    "error": "storage_error",
                }
            )
            continue
        out.append({**p.out, "outcome": str(outcome), "case": case.number})
    return out


# ---------------------------------------------------------------- replies feed

ANSWER_KINDS = ("resolve", "not_accept", "transfer", "close", "conclude", "withdraw")


def hotline_replies(*, viewer: Staff, since: datetime | None, limit: int = 500) -> dict:
    """Each order's case status and answer, for the hotline's own 回访: orders whose case
    changed at or after `since`, oldest change first. `next_since` is where to continue."""
    limit = max(1, min(limit, 1000))
    qs = HotlineOrder.objects.filter(case__in=Case.objects.filter(case_scope(viewer)))
    if since is not None:
        qs = qs.filter(case__updated_at__gte=since)
    orders = list(
        qs.select_related("case", "case__lead_organization").order_by("case__updated_at", "id")[:limit]
    )
    case_ids = {o.case_id for o in orders}
    answers: dict[int, CaseEvent] = {}
    for ev in CaseEvent.objects.filter(case_id__in=case_ids, kind__in=ANSWER_KINDS).order_by("at", "id"):
        answers[ev.case_id] = ev
    replies = []
    for o in orders:
        c = o.case
        ev = answers.get(c.pk)
        answer = ""
        if ev is not None:
            answer = c.legal_route_told if ev.kind == "not_accept" else ev.reason
        replies.append(
            {
                "order_id": o.order_id,
                "case_number": c.number,
                "linked": o.outcome == OrderOutcome.LINKED,
                "status": c.status,
                "status_label": c.get_status_display(),
                "open": c.status in OPEN_STATUSES,
                "organization": c.lead_organization.name,
                "answer": answer,
                "answered_at": ev.at.isoformat() if ev is not None else None,
                "updated_at": c.updated_at.isoformat(),
            }
        )
    next_since = orders[-1].case.updated_at.isoformat() if orders else (since.isoformat() if since else None)
    return {"replies": replies, "next_since": next_since, "more": len(orders) == limit}


def hotline_county_for(actor: Staff | None, code: str | None = None) -> Region:
    """The county an import goes to: the one given, the actor's, or the only one there is."""
    if code:
        county = Region.objects.filter(level="county", code__startswith=code[:6]).first()
        if county is None:
            raise ValidationFailed(
                _("Unknown county %(c)s.") % {"c": code[:12]}, fields={"county": ["unknown"]}
            )
        return county
    if actor is not None and actor.organization is not None:
        region = actor.organization.region
        return region if region.level == "county" else region.county
    counties = list(Region.objects.filter(level="county")[:2])
    if len(counties) != 1:
        raise ValidationFailed(_("Say which county (--county)."), fields={"county": [_("required")]})
    return counties[0]
