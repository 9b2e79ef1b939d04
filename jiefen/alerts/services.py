"""Writes of early warning: raising alerts (event-driven and in the sweep) and their lifecycle.

Raising is idempotent: one alert per (rule, subject) is not closed (a database constraint,
so two concurrent sweeps cannot both create it), and a closed alert keeps the same episode
of the same condition from coming back. The sweep is incremental: a watermark records up to
when the time-driven rules have been evaluated, and each run reads only the clocks that ran
out since then (indexed ranges), plus the last weeks' counters for hotspots and spikes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cached_property

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiefen.alerts import rules as R
from jiefen.alerts.models import (
    Alert,
    AlertRule,
    AlertStatus,
    Resolution,
    RuleKind,
    Severity,
    SubjectKind,
    SweepState,
)
from jiefen.cases.choices import OPEN_STATUSES, Category, PartyKind, PartyRole, Status
from jiefen.cases.models import Case, CaseEvent, CaseStep, Party
from jiefen.core import clock, rawsql
from jiefen.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from jiefen.core.refcache import reference
from jiefen.dashboard.models import DailyCount
from jiefen.dashboard.services import workday_index
from jiefen.deadlines.selectors import calendar_outlook
from jiefen.directory.models import Staff
from jiefen.regions.models import Region

SWEEP_NAME = "alerts"
CHUNK = 500


@dataclass
class Signal:
    """A rule's finding about one subject: what an alert is raised from."""

    rule: AlertRule
    subject_kind: str
    subject_key: str
    county_id: int
    reasons: list[dict]
    episode: str = ""
    subject_label: str = ""
    case_id: int | None = None
    town_id: int | None = None
    village_id: int | None = None
    extra: dict = field(default_factory=dict)


@reference("alerts.AlertRule")
def rules_enabled() -> dict[str, AlertRule]:
    """The enabled rules by code (cached per process; read-only)."""
    return {r.code: r for r in AlertRule.objects.filter(enabled=True)}


def _case_signal(rule: AlertRule, case: Case, reasons: list[dict], episode: str = "") -> Signal:
    return Signal(
        rule=rule,
        subject_kind=SubjectKind.CASE,
        subject_key=str(case.pk),
        subject_label=case.number,
        case_id=case.pk,
        county_id=case.county_id,
        town_id=case.town_id,
        village_id=case.village_id,
        reasons=reasons,
        episode=episode,
    )


def alerts_raise(signals: list[Signal], *, now: datetime | None = None, known: _Known | None = None) -> int:
    """Open an alert for each signal that has none open and whose episode was not closed;
    refresh the reasons of the ones already open. Returns how many were created. `known`: the
    alerts of some subjects, read beforehand (those subjects are not read again)."""
    now = now or clock.now()
    unique: dict[tuple, Signal] = {}
    for s in signals:
        unique[(s.rule.pk, s.subject_kind, s.subject_key)] = s
    items = list(unique.values())
    created = 0
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        existing, closed = known.existing if known else {}, known.closed if known else set()
        ask = [s for s in chunk if known is None or not known.covers(s)]
        if ask:
            more, more_closed = _alerts_known({s.rule.pk for s in ask}, {s.subject_key for s in ask})
            existing, closed = {**existing, **more}, closed | more_closed
        new: list[Signal] = []
        refresh: list[tuple[int, str, list[dict]]] = []
        for s in chunk:
            current = existing.get((s.rule.pk, s.subject_kind, s.subject_key))
            if current is not None:
                pk, episode, reasons = current
                if episode != s.episode or reasons != s.reasons:
                    refresh.append((pk, s.episode, s.reasons))
                continue
            if (s.rule.pk, s.subject_kind, s.subject_key, s.episode) in closed:
                continue
            new.append(s)
        if refresh:
            _alerts_refresh(refresh, now)
        if new:
            # A concurrent writer may have raised the same one: the constraint keeps one.
            _alerts_insert(new, now)
            created += len(new)
    return created


@dataclass
class _Known:
    """The alerts of some rules and subjects, read before the signals about them are raised:
    {(rule, kind, key): (id, episode, reasons)} of those not closed and the (rule, kind, key,
    episode) of the closed ones; `fresh_cases` are cases just created (no alert can name them)."""

    rule_ids: set[int]
    keys: set[str]
    existing: dict[tuple, tuple]
    closed: set[tuple]
    fresh_cases: set[int] = field(default_factory=set)

    @classmethod
    def read(cls, rule_ids: set[int], keys: set[str]) -> _Known:
        existing, closed = _alerts_known(rule_ids, keys) if rule_ids and keys else ({}, set())
        return cls(rule_ids=rule_ids, keys=keys, existing=existing, closed=closed)

    def covers(self, s: Signal) -> bool:
        if s.subject_kind == SubjectKind.CASE and s.case_id in self.fresh_cases:
            return True
        return s.rule.pk in self.rule_ids and s.subject_key in self.keys


def _alerts_known(rule_ids: set[int], keys: set[str]) -> tuple[dict[tuple, tuple], set[tuple]]:
    """The alerts of these rules and subject keys: {(rule, kind, key): (id, episode, reasons)}
    of those not closed, and the (rule, kind, key, episode) of the closed ones (one plain
    statement: it runs for every registration)."""
    existing: dict[tuple, tuple] = {}
    closed: set[tuple] = set()
    fields = [Alert._meta.get_field(n) for n in _KNOWN_FIELDS]
    by_rule, rule_params = rawsql.any_of("rule_id", sorted(rule_ids))
    by_key, key_params = rawsql.any_of("subject_key", sorted(keys))
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {', '.join(f.column for f in fields)} FROM {rawsql.table(Alert)} WHERE {by_rule} AND {by_key}",
            rule_params + key_params,
        )
        rows = rawsql.converted(cur.fetchall(), fields)
    for pk, rule_id, kind, key, episode, status, reasons in rows:
        if status == AlertStatus.CLOSED:
            closed.add((rule_id, kind, key, episode))
        else:
            existing[(rule_id, kind, key)] = (pk, episode, reasons)
    return existing, closed


_KNOWN_FIELDS = ("id", "rule", "subject_kind", "subject_key", "episode", "status", "reasons")


def _alerts_refresh(rows: list[tuple[int, str, list[dict]]], now: datetime) -> None:
    """Set the episode and reasons of open alerts [(id, episode, reasons)]: one statement, rows
    in id order (two writers refreshing the same alerts lock them in the same order)."""
    rows = sorted(rows, key=lambda r: r[0])
    table = rawsql.table(Alert)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                f"UPDATE {table} AS a SET episode = v.episode, reasons = v.reasons, updated_at = %s "
                "FROM (SELECT * FROM jsonb_to_recordset(%s::jsonb) AS r(id bigint, episode text, reasons jsonb) "
                # (the ids again as an array: the planner then reads them on the primary key
                # instead of joining the whole table with the function's rows)
                "ORDER BY id) AS v WHERE a.id = v.id AND a.id = ANY(%s)",
                [
                    now,
                    json.dumps([{"id": pk, "episode": ep, "reasons": rs} for pk, ep, rs in rows]),
                    [r[0] for r in rows],
                ],
            )
        else:
            at = connection.ops.adapt_datetimefield_value(now)
            cur.executemany(
                f"UPDATE {table} SET episode = %s, reasons = %s, updated_at = %s WHERE id = %s",
                [(ep, json.dumps(rs), at, pk) for pk, ep, rs in rows],
            )


# The columns a new alert is written with (the others are empty: NULL).
_NEW_ALERT_FIELDS = (
    "rule",
    "subject_kind",
    "subject_key",
    "subject_label",
    "episode",
    "case",
    "county",
    "town",
    "village",
    "severity",
    "reasons",
    "status",
    "resolution",
    "note",
    "opened_at",
    "updated_at",
)


def _alerts_insert(signals: list[Signal], now: datetime) -> None:
    """Insert an open alert for each signal, in their order, with one statement that skips a
    row when another open alert of its rule and subject exists (ON CONFLICT DO NOTHING: the
    partial unique constraint decides, also against concurrent writers). What
    `Alert.objects.bulk_create(…, ignore_conflicts=True)` writes, without building models.
    """
    table = rawsql.table(Alert)
    columns = ", ".join(connection.ops.quote_name(Alert._meta.get_field(f).column) for f in _NEW_ALERT_FIELDS)
    rows = [
        (
            s.rule.pk,
            s.subject_kind,
            s.subject_key,
            s.subject_label[:200],
            s.episode[:40],
            s.case_id,
            s.county_id,
            s.town_id,
            s.village_id,
            s.rule.severity,
            s.reasons,
        )
        for s in signals
    ]
    fixed = [AlertStatus.OPEN.value, "", ""]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # One JSON parameter instead of ~16 per row (psycopg quotes each in Python).
            sql = (
                f"INSERT INTO {table} ({columns}) SELECT (e->>0)::bigint, e->>1, e->>2, e->>3, e->>4, "
                "(e->>5)::bigint, (e->>6)::bigint, (e->>7)::bigint, (e->>8)::bigint, e->>9, e->10, "
                "%s, %s, %s, %s, %s "
                "FROM jsonb_array_elements(%s::jsonb) WITH ORDINALITY AS a(e, n) ORDER BY n "
                "ON CONFLICT DO NOTHING"
            )
            cur.execute(sql, [*fixed, now, now, json.dumps(rows, separators=(",", ":"))])
        else:
            at = connection.ops.adapt_datetimefield_value(now)
            sql = (
                f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(_NEW_ALERT_FIELDS))}) "
                "ON CONFLICT DO NOTHING"
            )
            cur.executemany(sql, [(*r[:10], json.dumps(r[10]), *fixed, at, at) for r in rows])


# ---------------------------------------------------------------- event-driven


def _due_iso(case: Case) -> str:
    return timezone.localtime(case.due_at).date().isoformat() if case.due_at else ""


class _Limits:
    """The enabled rules' parameters and the days they give at one moment, each looked up once
    (on first use) for all the cases evaluated at that moment."""

    def __init__(self, rules: dict[str, AlertRule], now: datetime):
        self.rules = rules
        self.now = now

    def _param(self, code: str, key: str):
        return R.param(self.rules[code], key)

    @cached_property
    def tz(self):
        return timezone.get_current_timezone()

    @cached_property
    def today(self):
        return timezone.localtime(self.now, self.tz).date()

    @cached_property
    def near_until(self):
        """deadline_near: due on or before this day."""
        n = int(self._param(RuleKind.DEADLINE_NEAR, "working_days_before"))
        return R.workdays_after(workday_index(), self.today, n)

    @cached_property
    def unaccepted_before(self):
        """unaccepted: clocks started before this day have run out."""
        n = int(self._param(RuleKind.UNACCEPTED, "working_days"))
        return R.unaccepted_cutoff_day(workday_index(), self.today, n)

    @cached_property
    def words(self) -> list[str]:
        return [w for w in self._param(RuleKind.EXTREME_LANGUAGE, "words") if w]

    @cached_property
    def min_parties(self) -> int:
        return int(self._param(RuleKind.GROUP_DISPUTE, "min_parties"))

    @cached_property
    def min_open(self) -> int:
        return int(self._param(RuleKind.GROUP_DISPUTE, "min_open_cases_per_respondent"))

    @cached_property
    def min_cases(self) -> int:
        return int(self._param(RuleKind.REPEAT_PETITIONER, "min_cases"))

    @cached_property
    def window_days(self) -> int:
        return int(self._param(RuleKind.REPEAT_PETITIONER, "window_days"))


def _clock_signals(
    rules: dict[str, AlertRule],
    case: Case,
    now: datetime,
    *,
    started_at=None,
    limits: _Limits | None = None,
) -> list[Signal]:
    """The clock rules for one case as it stands now (used when it is written). `limits`: the
    parameters looked up for `now` (for a batch: once for all its cases)."""
    out: list[Signal] = []
    if case.status not in OPEN_STATUSES:
        return out
    limits = limits or _Limits(rules, now)
    if case.due_at is not None:
        due_day = timezone.localtime(case.due_at, limits.tz).date()
        due = due_day.isoformat()
        rule = rules.get(RuleKind.OVERDUE)
        if rule and case.due_at < now:
            out.append(_case_signal(rule, case, [{"code": "overdue", "due": due}], due))
        rule = rules.get(RuleKind.DEADLINE_NEAR)
        if rule and case.due_at >= now and due_day <= limits.near_until:
            out.append(_case_signal(rule, case, [{"code": "due", "due": due}], due))
    rule = rules.get(RuleKind.UNACCEPTED)
    if rule and started_at is not None and case.status == Status.TRIAGED:
        started_day = timezone.localtime(started_at, limits.tz).date()
        if started_day < limits.unaccepted_before:
            since = started_day.isoformat()
            out.append(
                _case_signal(rule, case, [{"code": "unaccepted", "since": since}], started_at.isoformat())
            )
    return out


def _clear_clock_alerts(case: Case, now: datetime, keep: set[tuple[str, str]]) -> None:
    """Close (as cleared) the clock alerts of a case whose condition no longer holds."""
    stale = (
        Alert.objects.filter(case_id=case.pk, rule__code__in=R.CLOCK_RULES)
        .exclude(status=AlertStatus.CLOSED)
        .values_list("id", "rule__code", "episode")
    )
    ids = [pk for pk, code, episode in stale if (code, episode) not in keep]
    if ids:
        Alert.objects.filter(pk__in=ids).update(
            status=AlertStatus.CLOSED,
            resolution=Resolution.CLEARED,
            closed_at=now,
            updated_at=now,
            note=_("The condition no longer holds."),
        )


def _person_key(party: Party) -> str:
    return party.id_number_hash or party.phone_hash


def _respondent_keys(parties: list[Party]) -> list[tuple[Party, str]]:
    """The respondents that can be recognised again, with their person key."""
    out = []
    for p in parties:
        if p.role != PartyRole.RESPONDENT:
            continue
        if p.id_number_hash or p.phone_hash:
            out.append((p, _person_key(p)))
        elif p.kind == PartyKind.ORGANIZATION:
            # An organisation is known by its name; two people of one name are not one person.
            out.append((p, "name:" + p.name))
    return out


def _applicant_keys(parties: list[Party]) -> list[tuple[Party, str]]:
    return [(p, key) for p in parties if p.role == PartyRole.APPLICANT for key in (_person_key(p),) if key]


def _registration_signals(
    rules: dict[str, AlertRule],
    case: Case,
    now: datetime,
    people: _PeopleCounts | None = None,
    *,
    limits: _Limits | None = None,
    parties: list[Party] | None = None,
) -> list[Signal]:
    """`people` holds the counts for a batch of new cases (None: counted here for this case);
    `limits` the rules' parameters, `parties` the case's parties (None: read here)."""
    out: list[Signal] = []
    if parties is None:
        parties = list(case.parties.all())
    limits = limits or _Limits(rules, now)
    rule = rules.get(RuleKind.EXTREME_LANGUAGE)
    if rule:
        text = f"{case.description}\n{case.request}"
        words = [w for w in limits.words if w in text]
        if words:
            out.append(_case_signal(rule, case, [{"code": "words", "words": words}]))
    rule = rules.get(RuleKind.GROUP_DISPUTE)
    if rule:
        min_parties, min_open = limits.min_parties, limits.min_open
        if len(parties) >= min_parties:
            out.append(_case_signal(rule, case, [{"code": "parties", "count": len(parties)}]))
        respondents = _respondent_keys(parties)
        if not respondents:
            counts = {}
        elif people is not None:
            counts = people.respondents.get(case.county_id, {})
        else:
            counts = _respondent_open_counts(case.county_id, [k for _p, k in respondents])
        for p, key in respondents:
            n = counts.get(key, 0)
            if n >= min_open:
                out.append(
                    Signal(
                        rule=rule,
                        subject_kind=SubjectKind.RESPONDENT,
                        subject_key=f"{case.county.code[:6]}:{key}"[:100],
                        subject_label=p.name,
                        case_id=case.pk,
                        county_id=case.county_id,
                        reasons=[{"code": "respondent", "count": n, "name": p.name}],
                        episode=str(case.pk),
                    )
                )
    rule = rules.get(RuleKind.REPEAT_PETITIONER)
    if rule:
        min_cases, days = limits.min_cases, limits.window_days
        applicants = _applicant_keys(parties)
        if applicants:
            since = case.received_at - timedelta(days=days)
            if people is not None:
                counts = people.applicants_since(since, [k for _p, k in applicants])
            else:
                counts = _applicant_counts(since, [k for _p, k in applicants])
        else:
            counts = {}
        for p, key in applicants:
            n = counts.get(key, 0)
            if n >= min_cases:
                out.append(
                    Signal(
                        rule=rule,
                        subject_kind=SubjectKind.PERSON,
                        subject_key=f"{case.county.code[:6]}:{key}"[:100],
                        subject_label=p.name,
                        case_id=case.pk,
                        county_id=case.county_id,
                        reasons=[{"code": "repeat", "count": n, "days": days}],
                        episode=str(case.pk),
                    )
                )
    return out


# At most this many (case, person) rows are read to count one registration's people; a count
# that reaches it is reported as the cap (far above any threshold).
COUNT_ROWS_CAP = 5000


def _key_sql(keys: list[str]) -> tuple[str, list] | None:
    """SQL (over `cases_party` as p) for the parties whose person key (ID-number hash, else
    phone hash, else "name:" of an organisation) is one of `keys`, with its parameters: each
    list of values is one parameter, whatever its length."""
    hashes = [k for k in keys if not k.startswith("name:")]
    names = [k[5:] for k in keys if k.startswith("name:")]
    parts, params = [], []
    if hashes:
        for column in ("p.id_number_hash", "p.phone_hash"):
            sql, values = rawsql.any_of(column, hashes)
            parts.append(sql)
            params += values
    if names:
        sql, values = rawsql.any_of("p.name", names)
        parts.append(f"({sql} AND p.kind = %s)")
        params += [*values, PartyKind.ORGANIZATION]
    return (f"({' OR '.join(parts)})", params) if parts else None


def _party_case() -> str:
    """`cases_party p JOIN cases_case c` (the people counts read parties with their case)."""
    return f"{rawsql.table(Party)} p JOIN {rawsql.table(Case)} c ON c.id = p.case_id"


@dataclass
class _PeopleCounts:
    """Counts for the registration rules of a batch of new cases, read once for all of them:
    open cases per respondent key (per county), and the applicants' (case, received_at) rows."""

    respondents: dict[int, dict[str, int]]
    applicant_cases: dict[str, list[tuple[int, datetime]]]

    def applicants_since(self, since: datetime, keys: list[str]) -> dict[str, int]:
        return {k: len({c for c, at in self.applicant_cases.get(k, ()) if at >= since}) for k in keys}

    @classmethod
    def read(
        cls,
        rules: dict[str, AlertRule],
        cases: list[Case],
        parties: list[list[Party]] | None = None,
        *,
        pending: bool = False,
    ) -> _PeopleCounts:
        """`parties`: those of each case, in the order of `cases` (None: read from the cases).
        `pending`: the cases are not written yet; they are counted from memory (as the
        database would count them once written: open, received when they were)."""
        if parties is None:
            parties = [list(case.parties.all()) for case in cases]
        respondents: dict[int, dict[str, int]] = {}
        applicant_cases: dict[str, list[tuple[int, datetime]]] = {}
        if RuleKind.GROUP_DISPUTE in rules:
            keys_by_county: dict[int, set[str]] = {}
            for case, ps in zip(cases, parties, strict=True):
                for _p, key in _respondent_keys(ps):
                    keys_by_county.setdefault(case.county_id, set()).add(key)
            for county_id, keys in keys_by_county.items():
                respondents[county_id] = _respondent_open_counts(county_id, sorted(keys))
            if pending:
                for case, ps in zip(cases, parties, strict=True):
                    counts = respondents.get(case.county_id, {})
                    for key in {k for p in ps if p.role == PartyRole.RESPONDENT for k in _party_keys(p)}:
                        if key in counts:
                            counts[key] += 1
        rule = rules.get(RuleKind.REPEAT_PETITIONER)
        if rule:
            days = int(R.param(rule, "window_days"))
            applicant_keys = sorted({key for ps in parties for _p, key in _applicant_keys(ps)})
            if applicant_keys:
                since = min(c.received_at for c in cases) - timedelta(days=days)
                wanted = set(applicant_keys)
                for case_id, at, idh, ph in _applicant_rows(since, applicant_keys):
                    for key in {idh, ph}:
                        if key and key in wanted:
                            applicant_cases.setdefault(key, []).append((case_id, at))
                if pending:
                    for i, (case, ps) in enumerate(zip(cases, parties, strict=True)):
                        new_id = case.pk if case.pk is not None else -1 - i  # (ids not taken yet)
                        for key in {
                            k
                            for p in ps
                            if p.role == PartyRole.APPLICANT
                            for k in (p.id_number_hash, p.phone_hash)
                        }:
                            if key in wanted:
                                applicant_cases.setdefault(key, []).append((new_id, case.received_at))
        return cls(respondents=respondents, applicant_cases=applicant_cases)


def _party_keys(p: Party) -> tuple[str, ...]:
    """The keys a party is counted under (as `_count_by_key` reads them): ID-number hash, phone
    hash, "name:" of an organisation — those it has."""
    org_key = "name:" + p.name if p.kind == PartyKind.ORGANIZATION else ""
    return tuple(k for k in (p.id_number_hash, p.phone_hash) if k) + ((org_key,) if org_key else ())


def _count_by_key(where: str, params: list, keys: list[str]) -> dict[str, int]:
    """Cases of the parties `where` selects, per person key of `keys`."""
    wanted = set(keys)
    cases: dict[str, set[int]] = {k: set() for k in wanted}
    with connection.cursor() as cur:
        cur.execute(
            "SELECT DISTINCT p.case_id, p.id_number_hash, p.phone_hash, p.name, p.kind "
            f"FROM {_party_case()} WHERE {where} LIMIT {COUNT_ROWS_CAP}",
            params,
        )
        rows = cur.fetchall()
    for case_id, idh, ph, name, kind in rows:
        org_key = "name:" + name if kind == PartyKind.ORGANIZATION else ""
        for key in (idh, ph, org_key):
            if key and key in wanted:
                cases[key].add(case_id)
    return {k: len(v) for k, v in cases.items()}


def _respondent_open_counts(county_id: int, keys: list[str]) -> dict[str, int]:
    """Open cases of the county against each respondent key (one query for all of them)."""
    match = _key_sql(keys)
    if match is None:
        return {}
    statuses, status_params = rawsql.any_of("c.status", sorted(OPEN_STATUSES))
    return _count_by_key(
        f"{match[0]} AND p.role = %s AND c.county_id = %s AND {statuses}",
        [*match[1], PartyRole.RESPONDENT, county_id, *status_params],
        keys,
    )


def _applicant_counts(since: datetime, keys: list[str]) -> dict[str, int]:
    """Cases received since `since` with each applicant key (one query for all of them)."""
    match = _key_sql(keys)
    if match is None:
        return {}
    return _count_by_key(
        f"{match[0]} AND p.role = %s AND c.received_at >= %s",
        [*match[1], PartyRole.APPLICANT, connection.ops.adapt_datetimefield_value(since)],
        keys,
    )


def _applicant_rows(since: datetime, keys: list[str]) -> list[list]:
    """(case id, received at, ID-number hash, phone hash) of the applicants with one of `keys`
    in cases received since `since` (at most COUNT_ROWS_CAP × 4)."""
    match = _key_sql(keys)
    if match is None:
        return []
    with connection.cursor() as cur:
        cur.execute(
            "SELECT DISTINCT p.case_id, c.received_at, p.id_number_hash, p.phone_hash "
            f"FROM {_party_case()} WHERE {match[0]} AND p.role = %s AND c.received_at >= %s "
            f"LIMIT {COUNT_ROWS_CAP * 4}",
            [*match[1], PartyRole.APPLICANT, connection.ops.adapt_datetimefield_value(since)],
        )
        rows = cur.fetchall()
    return rawsql.converted(rows, [Party._meta.pk, Case._meta.get_field("received_at")])


@dataclass
class RegistrationReads:
    """What the registration rules read for a batch of new cases before they are written (and
    before their county's numbers are taken): the people counted, with the batch itself
    counted from memory, and the alerts about those people."""

    rules: dict[str, AlertRule]
    now: datetime
    parties: list[list[Party]]
    people: _PeopleCounts
    known: _Known


def registration_reads(cases: list[Case], parties: list[list[Party]]) -> RegistrationReads | None:
    """Read for `on_cases_registered` (cases built, nothing written yet; `parties`: each case's
    new Party rows)."""
    rules = rules_enabled()
    if not rules or not cases:
        return None
    people = _PeopleCounts.read(rules, cases, parties, pending=True)
    rule_ids = {rules[c].pk for c in (RuleKind.GROUP_DISPUTE, RuleKind.REPEAT_PETITIONER) if c in rules}
    keys = {
        f"{case.county.code[:6]}:{key}"[:100]
        for case, ps in zip(cases, parties, strict=True)
        for _p, key in (*_respondent_keys(ps), *_applicant_keys(ps))
    }
    return RegistrationReads(
        rules=rules, now=clock.now(), parties=parties, people=people, known=_Known.read(rule_ids, keys)
    )


def on_cases_registered(cases: list[Case], reads: RegistrationReads | None = None) -> None:
    """The registration rules for many new cases, in their transaction: the people are counted
    with one query per rule for all of them (`reads`: counted before the cases were written),
    the rules' parameters looked up once, the alerts raised in one pass."""
    if reads is None:
        rules = rules_enabled()
        if not rules or not cases:
            return
        now = clock.now()
        parties = [list(case.parties.all()) for case in cases]
        people = _PeopleCounts.read(rules, cases, parties)
        known = None
    else:
        rules, now, parties, people = reads.rules, reads.now, reads.parties, reads.people
        known = replace(reads.known, fresh_cases={case.pk for case in cases})
    limits = _Limits(rules, now)
    signals: list[Signal] = []
    for case, ps in zip(cases, parties, strict=True):
        signals += _registration_signals(rules, case, now, people, limits=limits, parties=ps)
        started = case.received_at if case.status == Status.TRIAGED else None
        signals += _clock_signals(rules, case, now, started_at=started, limits=limits)
    alerts_raise(signals, now=now, known=known)


def on_case_written(*, case: Case, event: CaseEvent, before: dict | None) -> None:
    """Event-driven rules, in the transaction that writes the case."""
    rules = rules_enabled()
    if not rules:
        return
    now = event.at
    signals: list[Signal] = []
    limits = _Limits(rules, now)
    if before is None:
        signals += _registration_signals(rules, case, now, limits=limits)
        started = case.received_at if case.status == Status.TRIAGED else None
        signals += _clock_signals(rules, case, now, started_at=started, limits=limits)
    else:
        signals += _clock_signals(rules, case, now, limits=limits)
        rule = rules.get(RuleKind.REPEATED_RETURNS)
        if rule and event.kind in ("return", "escalate"):
            moves = case.return_count + case.escalation_count
            if moves >= int(R.param(rule, "min_moves")):
                reasons = [
                    {"code": "moves", "returns": case.return_count, "escalations": case.escalation_count}
                ]
                signals.append(_case_signal(rule, case, reasons))
        keep = {(s.rule.code, s.episode) for s in signals if s.rule.code in R.CLOCK_RULES}
        if case.status == Status.TRIAGED and before.get("status") == Status.TRIAGED:
            # still waiting for acceptance (e.g. re-routed): an open "unaccepted" alert stays
            keep |= {
                (RuleKind.UNACCEPTED, ep)
                for ep in Alert.objects.filter(case_id=case.pk, rule__code=RuleKind.UNACCEPTED)
                .exclude(status=AlertStatus.CLOSED)
                .values_list("episode", flat=True)
            }
        _clear_clock_alerts(case, now, keep)
    alerts_raise(signals, now=now)


# ---------------------------------------------------------------- the sweep


def _cases_signals(rule: AlertRule, qs, make) -> list[Signal]:
    return [
        make(case)
        for case in qs.select_related("county").only(
            "id", "number", "county_id", "town_id", "village_id", "due_at", "status", "county__code"
        )
    ]


def alerts_sweep(*, now: datetime | None = None) -> dict:
    """Evaluate the time-driven rules for what changed since the last run (idempotent)."""
    started = time.monotonic()
    now = now or clock.now()
    rules = rules_enabled()
    result: dict[str, int] = {}
    with transaction.atomic():
        state, _created = SweepState.objects.select_for_update().get_or_create(name=SWEEP_NAME)
        mark = state.watermark
        if mark is not None and mark > now:
            mark = None  # the clock went back (tests, a restored backup): look at everything
        state.last_started_at = now
        index = workday_index()
        today = timezone.localtime(now).date()

        rule = rules.get(RuleKind.OVERDUE)
        if rule:
            qs = Case.objects.filter(status__in=OPEN_STATUSES, due_at__lt=now)
            if mark is not None:
                qs = qs.filter(due_at__gte=mark)
            found = _cases_signals(
                rule,
                qs,
                lambda c: _case_signal(rule, c, [{"code": "overdue", "due": _due_iso(c)}], _due_iso(c)),
            )
            result[RuleKind.OVERDUE] = alerts_raise(found, now=now)
            # a deadline that has passed is no longer "near": its warning gives way to "overdue"
            for start in range(0, len(found), CHUNK):
                Alert.objects.filter(
                    rule__code=RuleKind.DEADLINE_NEAR,
                    case_id__in=[s.case_id for s in found[start : start + CHUNK]],
                ).exclude(status=AlertStatus.CLOSED).update(
                    status=AlertStatus.CLOSED,
                    resolution=Resolution.CLEARED,
                    closed_at=now,
                    updated_at=now,
                    note=_("The condition no longer holds."),
                )

        rule = rules.get(RuleKind.DEADLINE_NEAR)
        if rule:
            k = int(R.param(rule, "working_days_before"))
            horizon = clock.end_of_day(R.workdays_after(index, today, k))
            qs = Case.objects.filter(status__in=OPEN_STATUSES, due_at__gte=now, due_at__lte=horizon)
            if mark is not None:
                mark_day = timezone.localtime(mark).date()
                qs = qs.filter(due_at__gt=clock.end_of_day(R.workdays_after(index, mark_day, k)))
            found = _cases_signals(
                rule, qs, lambda c: _case_signal(rule, c, [{"code": "due", "due": _due_iso(c)}], _due_iso(c))
            )
            result[RuleKind.DEADLINE_NEAR] = alerts_raise(found, now=now)

        rule = rules.get(RuleKind.UNACCEPTED)
        if rule:
            n = int(R.param(rule, "working_days"))

            def cutoff(moment: datetime) -> datetime:
                day = R.unaccepted_cutoff_day(index, timezone.localtime(moment).date(), n)
                return timezone.make_aware(datetime.combine(day, datetime.min.time()))

            steps = CaseStep.objects.filter(
                code="acceptance",
                ended_at__isnull=True,
                started_at__lt=cutoff(now),
                case__status=Status.TRIAGED,
            )
            if mark is not None:
                steps = steps.filter(started_at__gte=cutoff(mark))
            found = []
            for step in steps.select_related("case", "case__county"):
                c = step.case
                since = timezone.localtime(step.started_at).date().isoformat()
                found.append(
                    _case_signal(
                        rule, c, [{"code": "unaccepted", "since": since}], step.started_at.isoformat()
                    )
                )
            result[RuleKind.UNACCEPTED] = alerts_raise(found, now=now)

        result[RuleKind.CALENDAR_NOTICE] = calendar_alerts_sync(now=now)
        for name, sweep in _SWEEP_STEPS.items():  # 排查, agreement terms, the watchlist …
            result[name] = sweep(now=now)

        for code in (RuleKind.HOTSPOT, RuleKind.TREND_SPIKE):
            rule = rules.get(code)
            if rule:
                found = _window_signals(rule, today)
                result[code] = alerts_raise(found, now=now)

        state.watermark = now
        state.last_finished_at = clock.now()
        state.last_seconds = round(time.monotonic() - started, 3)
        state.last_result = result
        state.save()
    return {"created": result, "seconds": state.last_seconds, "watermark": now.isoformat()}


def _window_signals(rule: AlertRule, today) -> list[Signal]:
    """Hotspots (one category in one town) or spikes (all cases of a county or town): the last
    window against the average of the trailing windows, read from the daily counters."""
    days = int(R.param(rule, "window_days"))
    weeks = int(R.param(rule, "baseline_weeks"))
    factor = float(R.param(rule, "factor"))
    min_cases = int(R.param(rule, "min_cases"))
    first = today - timedelta(days=days - 1)
    base_first = first - timedelta(days=days * weeks)
    if rule.code == RuleKind.HOTSPOT:
        base = DailyCount.objects.filter(dim="category", region__level="town")
    else:
        base = DailyCount.objects.filter(dim="", value="", region__level__in=["county", "town"])
    current: dict[tuple[int, str], int] = {}
    for region_id, value, n in base.filter(day__gte=first, day__lte=today).values_list(
        "region_id", "value", "received"
    ):
        current[(region_id, value)] = current.get((region_id, value), 0) + n
    hot = {k: n for k, n in current.items() if n >= min_cases}
    if not hot:
        return []
    trailing: dict[tuple[int, str], int] = {}
    region_ids = {k[0] for k in hot}
    for region_id, value, n in base.filter(
        region_id__in=region_ids, day__gte=base_first, day__lt=first
    ).values_list("region_id", "value", "received"):
        trailing[(region_id, value)] = trailing.get((region_id, value), 0) + n
    regions = {r.pk: r for r in Region.objects.filter(pk__in=region_ids)}
    year, week, _d = today.isocalendar()
    episode = f"{year}-W{week:02d}"
    out = []
    for (region_id, value), n in sorted(hot.items()):
        baseline = trailing.get((region_id, value), 0) / weeks
        if n < factor * baseline or (baseline == 0 and n < min_cases):
            continue
        region = regions[region_id]
        reason = {"count": n, "days": days, "baseline": round(baseline, 1)}
        if rule.code == RuleKind.HOTSPOT:
            reason.update(code="hotspot", category=value)
            category = Category(value).label if value in Category.values else value
            key, label = f"{region.code}:{value}", f"{region.name} · {category}"
        else:
            reason.update(code="spike")
            key, label = region.code, region.name
        out.append(
            Signal(
                rule=rule,
                subject_kind=SubjectKind.REGION,
                subject_key=key,
                subject_label=label,
                county_id=region.county_id or region.pk,
                town_id=region.town_id if region.level != "county" else None,
                reasons=[reason],
                episode=episode,
            )
        )
    return out


# ---------------------------------------------------------------- raised by other apps


def case_alert_raise(
    *, code: str, case: Case, reasons: list[dict], episode: str = "", key: str = "", label: str = ""
) -> int:
    """Raise the alert of rule `code` about a case (another app's event: a reopen request, an
    agreement term overdue), in the caller's transaction; nothing when the rule is disabled.
    `key` tells several subjects of one case apart (e.g. one per agreement term); `label` is how
    the subject is shown after the case number (`key` when not given)."""
    rule = rules_enabled().get(code)
    if rule is None:
        return 0
    signal = _case_signal(rule, case, reasons, episode)
    if key:
        signal = replace(
            signal, subject_key=f"{case.pk}:{key}", subject_label=f"{case.number} · {label or key}"
        )
    return alerts_raise([signal])


def case_alerts_close(*, code: str, case: Case, note: str, key: str = "", actor: Staff | None = None) -> int:
    """Close the open alerts of rule `code` about a case (or one subject of it) as handled."""
    now = clock.now()
    subject = f"{case.pk}:{key}" if key else str(case.pk)
    return (
        Alert.objects.filter(rule__code=code, subject_kind=SubjectKind.CASE, subject_key=subject)
        .exclude(status=AlertStatus.CLOSED)
        .update(
            status=AlertStatus.CLOSED,
            resolution=Resolution.HANDLED,
            closed_at=now,
            closed_by=actor,
            updated_at=now,
            note=note[:2000],
        )
    )


# ---------------------------------------------------------------- lifecycle

ACTIONS = {
    "acknowledge": (frozenset({AlertStatus.OPEN}), AlertStatus.ACKNOWLEDGED, ""),
    "handle": (
        frozenset({AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED}),
        AlertStatus.CLOSED,
        Resolution.HANDLED,
    ),
    "dismiss": (
        frozenset({AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED}),
        AlertStatus.CLOSED,
        Resolution.DISMISSED,
    ),
}
MANAGING_ROLES = {"dispatcher", "analyst", "leader", "admin"}


def can_manage(actor: Staff, alert: Alert) -> bool:
    if actor.is_superuser or set(actor.roles or []) & MANAGING_ROLES:
        return True
    return alert.case_id is not None and alert.case.lead_organization_id == actor.organization_id


def alert_act(*, alert_id: int, actor: Staff, action: str, note: str = "") -> Alert:
    """Acknowledge, or close as handled or dismissed (a note is required to close)."""
    from jiefen.alerts.selectors import alert_get

    if action not in ACTIONS:
        raise ValidationFailed(
            _("Unknown action: %(a)s") % {"a": action[:40]},
            code="unknown_action",
            fields={"action": [_("unknown")]},
        )
    sources, target, resolution = ACTIONS[action]
    note = (note or "").strip()
    if target == AlertStatus.CLOSED and not note:
        raise ValidationFailed(
            _("Closing an alert needs a note."), code="reason_required", fields={"note": [_("required")]}
        )
    if len(note) > 2000:
        raise ValidationFailed(
            _("The note is longer than 2000 characters."), fields={"note": [_("too long")]}
        )
    with transaction.atomic():
        alert = alert_get(viewer=actor, alert_id=alert_id, for_update=True)
        if alert.status not in sources:
            raise IllegalTransition(
                _("This alert is %(status)s; it cannot be changed that way.")
                % {"status": AlertStatus(alert.status).label}
            )
        if not can_manage(actor, alert):
            raise PermissionDenied(_("You may not act on this alert."))
        now = clock.now()
        alert.status = target
        alert.updated_at = now
        if target == AlertStatus.ACKNOWLEDGED:
            alert.acknowledged_at, alert.acknowledged_by = now, actor
            if note:
                alert.note = note
        else:
            alert.closed_at, alert.closed_by, alert.resolution, alert.note = now, actor, resolution, note
        alert.save()
    return alert


def alert_rules_seed() -> int:
    """Create the rule rows that do not exist yet, with the defaults (idempotent)."""
    n = 0
    for code in RuleKind.values:
        _rule, created = AlertRule.objects.get_or_create(
            code=code, defaults={"params": R.DEFAULT_PARAMS[code], "severity": R.DEFAULT_SEVERITY[code]}
        )
        n += created
    return n


# ---------------------------------------------------------------- the calendar


CALENDAR_SUBJECT = "calendar"


def on_calendar_changed(**_signal) -> int:
    """Receiver of deadlines.signals.calendar_changed: the alert follows the notice at once.
    Returns 0: the signal's senders count recomputed deadlines, not alerts."""
    calendar_alerts_sync()
    return 0


def calendar_alerts_sync(*, now: datetime | None = None) -> int:
    """Keep one open `calendar_notice` alert per county centre while a holiday notice that
    matters now is missing (deadlines.selectors.calendar_outlook), red once it is urgent; close
    them ("condition cleared") when the notice is loaded. Run by the sweep and, through
    deadlines.signals.calendar_changed, in the transaction that loads a notice. A closed alert
    of the same episode is not reopened. Returns how many alerts were opened or changed."""
    rule = rules_enabled().get(RuleKind.CALENDAR_NOTICE)
    if rule is None:
        return 0
    now = now or clock.now()
    outlook = calendar_outlook(timezone.localtime(now).date())
    open_alerts = Alert.objects.filter(rule=rule, subject_key=CALENDAR_SUBJECT).exclude(
        status=AlertStatus.CLOSED
    )
    if outlook.ok:
        return open_alerts.update(
            status=AlertStatus.CLOSED,
            resolution=Resolution.CLEARED,
            closed_at=now,
            updated_at=now,
            note=_("The holiday notice is loaded."),
        )
    year = outlook.year if outlook.level == "urgent" else outlook.year + 1
    episode = f"{outlook.level}-{year}"
    severity = Severity.RED if outlook.level == "urgent" else rule.severity
    reasons = [{"code": "calendar_notice", "level": outlook.level, "year": year}]
    current = {a.county_id: a for a in open_alerts}
    closed = set(
        Alert.objects.filter(
            rule=rule, subject_key=CALENDAR_SUBJECT, status=AlertStatus.CLOSED, episode=episode
        ).values_list("county_id", flat=True)
    )
    counties = Region.objects.filter(level="county", organizations__kind="county_centre").distinct()
    changed = 0
    for county in counties:
        alert = current.get(county.pk)
        if alert is not None:
            if (alert.episode, alert.severity) != (episode, severity):
                alert.episode, alert.severity, alert.reasons, alert.updated_at = (
                    episode,
                    severity,
                    reasons,
                    now,
                )
                alert.save(update_fields=["episode", "severity", "reasons", "updated_at"])
                changed += 1
            continue
        if county.pk in closed:
            continue
        Alert.objects.create(
            rule=rule,
            subject_kind=SubjectKind.REGION,
            subject_key=CALENDAR_SUBJECT,
            subject_label=str(_("working-day calendar")),
            episode=episode,
            county=county,
            severity=severity,
            reasons=reasons,
            status=AlertStatus.OPEN,
            opened_at=now,
            updated_at=now,
        )
        changed += 1
    return changed


# ---------------------------------------------------------------- more steps of the sweep

# Apps above this one add their own time-driven rules to the sweep (from AppConfig.ready):
# name → step(now=…) returning how many alerts it opened; run in the sweep's transaction, in
# the order of registration. alerts imports none of them.
_SWEEP_STEPS: dict[str, Callable[..., int]] = {}


def sweep_step_register(name: str, step: Callable[..., int]) -> None:
    """Add (or replace, by name) a step of `alerts_sweep`."""
    _SWEEP_STEPS[name] = step
