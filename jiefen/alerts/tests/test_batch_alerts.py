"""The batch path of the registration rules (imports) raises what one case at a time raises,
and its single INSERT writes what the ORM writes, keeping one open alert per rule and subject."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import close_old_connections, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from jiefen.alerts import services
from jiefen.alerts.models import Alert, AlertRule, AlertStatus, SubjectKind
from jiefen.alerts.services import Signal, alerts_raise, rules_enabled
from jiefen.cases.models import Case, Party
from jiefen.cases.services import PartyInput

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 6, 15, 10, 0, tzinfo=TZ)


def snapshot() -> list[dict]:
    """Every alert's columns but its id, in the order of the ids."""
    fields = [f.attname for f in Alert._meta.concrete_fields if f.attname != "id"]
    return list(Alert.objects.order_by("id").values(*fields))


def raw_rows() -> list[tuple]:
    """The rows as the database stores them (JSON text on SQLite, timestamps as written)."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {Alert._meta.db_table} ORDER BY id")
        names = [c[0] for c in cur.description]
        return [tuple(v for n, v in zip(names, row, strict=True) if n != "id") for row in cur.fetchall()]


def many_cases(register) -> list[Case]:
    """Cases that fire every registration and clock rule, some of them more than once."""
    worker = PartyInput(role="applicant", name="工人")
    company = PartyInput(role="respondent", name="某某建筑公司", kind="organization")
    caller = PartyInput(role="applicant", name="张三", phone="13900001111")
    crowd = [PartyInput(role="applicant", name=f"甲{i}", phone=f"1380000{i:04d}") for i in range(5)]
    out = []
    with time_machine.travel(MONDAY, tick=False):
        for i in range(6):
            out.append(register(parties=[worker, company], received_at=MONDAY - timedelta(days=i)))
        for i in range(4):
            out.append(register(parties=[caller], received_at=MONDAY - timedelta(days=20 * i)))
        out.append(register(parties=crowd, description="再不解决我就跳楼，和他同归于尽"))
        out.append(register(description="进京上访", request="我要越级上访"))
        out.append(register(received_at=MONDAY - timedelta(hours=30)))
    return out


def test_a_batch_raises_what_one_case_at_a_time_raises(register):
    # given: the cases registered (so each one's people counts are the same in both passes)
    cases = many_cases(register)
    ids = [c.pk for c in cases]
    Alert.objects.all().delete()
    with time_machine.travel(MONDAY + timedelta(days=1), tick=False):
        # when: one case at a time, as case_register does
        for case in Case.objects.filter(pk__in=ids).select_related("county").order_by("id"):
            services.on_case_written(
                case=case, event=SimpleNamespace(at=MONDAY + timedelta(days=1)), before=None
            )
        one_by_one = snapshot()
        Alert.objects.all().delete()
        # when: all at once, as case_register_many does
        batch = list(
            Case.objects.filter(pk__in=ids)
            .select_related("county")
            .prefetch_related("parties")
            .order_by("id")
        )
        services.on_cases_registered(batch)
        all_at_once = snapshot()
        # and again: nothing new, nothing refreshed (idempotent)
        with CaptureQueriesContext(connection) as again:
            services.on_cases_registered(batch)

    # then: the same alerts in the same order; a person's or respondent's alert names the last of
    # its cases in a batch (the first one raises it when cases come one at a time, the later
    # ones refresh it)
    def same(rows):
        return [
            {**r, "case_id": r["case_id"] if r["subject_kind"] == SubjectKind.CASE else None} for r in rows
        ]

    codes = {code for (code,) in Alert.objects.values_list("rule__code")}
    assert codes >= {
        "overdue",
        "deadline_near",
        "unaccepted",
        "extreme_language",
        "group_dispute",
        "repeat_petitioner",
    }
    assert Alert.objects.filter(subject_kind__in=["person", "respondent"]).count() == 2
    assert same(all_at_once) == same(one_by_one)
    assert snapshot() == all_at_once
    assert not [x for x in again.captured_queries if x["sql"].startswith(("INSERT", "UPDATE"))]


def signals_of_every_shape(case: Case) -> list[Signal]:
    rules = rules_enabled()
    return [
        Signal(
            rule=rules["extreme_language"],
            subject_kind=SubjectKind.CASE,
            subject_key=str(case.pk),
            subject_label="长" * 250,  # cut at 200
            case_id=case.pk,
            county_id=case.county_id,
            town_id=case.town_id,
            village_id=case.village_id,
            reasons=[{"code": "words", "words": ["跳楼", 'say "x"\\'], "n": 1.5, "none": None}],
            episode="e" * 50,  # cut at 40
        ),
        Signal(
            rule=rules["trend_spike"],
            subject_kind=SubjectKind.REGION,
            subject_key="330523000000",
            subject_label="安吉县",
            county_id=case.county_id,
            reasons=[{"code": "spike", "count": 12, "days": 7, "baseline": 3.0}],
            episode="2026-W25",
        ),
        Signal(
            rule=rules["repeat_petitioner"],
            subject_kind=SubjectKind.PERSON,
            subject_key="330523:abc",
            subject_label="",
            case_id=case.pk,
            county_id=case.county_id,
            reasons=[],
        ),
    ]


def test_the_insert_writes_what_bulk_create_writes(register):
    # given
    with time_machine.travel(MONDAY, tick=False):
        case = register()
    Alert.objects.all().delete()
    signals = signals_of_every_shape(case)
    now = MONDAY + timedelta(hours=1, microseconds=123456)
    # when
    with transaction.atomic():
        Alert.objects.bulk_create(
            [
                Alert(
                    rule=s.rule,
                    subject_kind=s.subject_kind,
                    subject_key=s.subject_key,
                    subject_label=s.subject_label[:200],
                    episode=s.episode[:40],
                    case_id=s.case_id,
                    county_id=s.county_id,
                    town_id=s.town_id,
                    village_id=s.village_id,
                    severity=s.rule.severity,
                    reasons=s.reasons,
                    opened_at=now,
                    updated_at=now,
                )
                for s in signals
            ],
            ignore_conflicts=True,
        )
        by_orm, raw_by_orm = snapshot(), raw_rows()
        transaction.set_rollback(True)
    with CaptureQueriesContext(connection) as q:
        services._alerts_insert(signals, now)
    # then
    assert len(q.captured_queries) == 1
    assert snapshot() == by_orm and raw_rows() == raw_by_orm
    assert len(by_orm) == 3


def test_a_raise_that_missed_an_open_alert_keeps_the_one_open(register, monkeypatch):
    # given: an open alert, and a writer that read the alerts before it was committed
    with time_machine.travel(MONDAY, tick=False):
        case = register(description="我要跳楼")
    first = Alert.objects.get(rule__code="extreme_language")
    signal = services._case_signal(first.rule, case, [{"code": "words", "words": ["跳楼", "again"]}])
    monkeypatch.setattr(services, "_alerts_known", lambda rule_ids, keys: ({}, set()))
    # when
    alerts_raise([signal, signal])
    # then: the database kept the first one
    assert list(Alert.objects.filter(rule__code="extreme_language").values_list("id", "reasons")) == [
        (first.pk, first.reasons)
    ]
    # and once it is closed, a new episode opens a new one beside it
    Alert.objects.filter(pk=first.pk).update(status=AlertStatus.CLOSED)
    alerts_raise([signal])
    assert Alert.objects.filter(rule__code="extreme_language").exclude(status=AlertStatus.CLOSED).count() == 1


def test_alerts_raise_takes_two_statements_per_chunk_of_new_alerts(register):
    # given
    with time_machine.travel(MONDAY, tick=False):
        case = register()
    Alert.objects.all().delete()
    rule = AlertRule.objects.get(code="trend_spike")
    signals = [
        Signal(
            rule=rule,
            subject_kind=SubjectKind.REGION,
            subject_key=f"k{i}",
            county_id=case.county_id,
            reasons=[],
        )
        for i in range(services.CHUNK + 10)
    ]
    # when
    with CaptureQueriesContext(connection) as q:
        created = alerts_raise(signals)
    # then
    assert created == services.CHUNK + 10 == Alert.objects.count()
    assert len(q.captured_queries) == 4
    assert list(Alert.objects.order_by("id").values_list("subject_key", flat=True)) == [
        s.subject_key for s in signals
    ]


def test_the_plain_people_counts_equal_the_querysets(register, anji):
    """The people counts run for every registration as plain SQL (core.rawsql); they must read
    what the equivalent querysets read."""
    from django.db.models import Q

    from jiefen.cases.choices import OPEN_STATUSES, PartyKind

    # given: applicants known by phone and a respondent by name, and keys that match nothing
    with time_machine.travel(MONDAY, tick=False):
        for i in range(6):
            caller = PartyInput(role="applicant", name=f"人{i}", phone=f"1370000{i % 4:04d}")
            register(parties=[caller, PartyInput(role="respondent", name="某公司", kind="organization")])
    keys = sorted(set(Party.objects.exclude(phone_hash="").values_list("phone_hash", flat=True)))
    keys += ["not-a-key", "name:某公司"]
    hashes, names = (
        [k for k in keys if not k.startswith("name:")],
        [k[5:] for k in keys if k.startswith("name:")],
    )
    match = (
        Q(id_number_hash__in=hashes)
        | Q(phone_hash__in=hashes)
        | Q(name__in=names, kind=PartyKind.ORGANIZATION)
    )

    def by_key(qs):
        out = {k: set() for k in keys}
        for case_id, idh, ph, name, kind in qs.values_list(
            "case_id", "id_number_hash", "phone_hash", "name", "kind"
        ):
            for key in (idh, ph, "name:" + name if kind == PartyKind.ORGANIZATION else ""):
                if key in out:
                    out[key].add(case_id)
        return {k: len(v) for k, v in out.items()}

    since = MONDAY - timedelta(days=1)
    # when / then
    assert services._respondent_open_counts(anji.county.pk, keys) == by_key(
        Party.objects.filter(
            match, role="respondent", case__county_id=anji.county.pk, case__status__in=OPEN_STATUSES
        )
    )
    applicants = services._applicant_counts(since, keys)
    assert applicants == by_key(Party.objects.filter(match, role="applicant", case__received_at__gte=since))
    assert sorted(applicants.values()) == [0, 0, 1, 1, 2, 2]
    rows = services._applicant_rows(since, keys)
    assert sorted(map(tuple, rows)) == sorted(
        set(
            Party.objects.filter(match, role="applicant", case__received_at__gte=since).values_list(
                "case_id", "case__received_at", "id_number_hash", "phone_hash"
            )
        )
    )
    assert all(r[1].tzinfo is not None for r in rows)  # datetimes, as the ORM gives them
    # and the known alerts: the plain read gives what the ORM gives (JSON reasons parsed)
    from jiefen.alerts.models import Alert

    alerts = list(Alert.objects.all())
    assert alerts
    existing, closed = services._alerts_known({a.rule_id for a in alerts}, {a.subject_key for a in alerts})
    assert existing == {
        (a.rule_id, a.subject_kind, a.subject_key): (a.pk, a.episode, a.reasons)
        for a in alerts
        if a.status != "closed"
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two writers at once need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_writers_raising_at_once_leave_one_open_alert(register):
    # given
    with time_machine.travel(MONDAY, tick=False):
        case = register()
    Alert.objects.all().delete()
    rule = AlertRule.objects.get(code="extreme_language")
    signal = services._case_signal(rule, case, [{"code": "words", "words": ["跳楼"]}])
    inserted, errors = threading.Event(), []

    def writer(first: bool) -> None:
        try:
            if not first:
                inserted.wait(10)
            with transaction.atomic():
                alerts_raise([signal])  # the second one waits here for the first to commit
                if first:
                    inserted.set()
                    time.sleep(0.3)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            inserted.set()
        finally:
            connections.close_all()

    # when
    threads = [threading.Thread(target=writer, args=(first,)) for first in (True, False)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    close_old_connections()
    # then
    assert errors == []
    assert Alert.objects.filter(rule=rule).count() == 1


def test_people_counted_before_the_write_equal_those_counted_after_it(
    register, anji, dispatcher, monkeypatch
):
    """A registration reads its people's counts before its cases are written (so that the
    county's number lock is held only for writes): the batch itself is counted from memory,
    and must come out as the database counts it once written."""
    from jiefen.cases.services import RegistrationRequest, case_register_many

    many_cases(register)  # people with earlier cases, open and recent
    worker = PartyInput(role="applicant", name="工人", phone="13700002222")
    company = PartyInput(role="respondent", name="某某建筑公司", kind="organization")
    caller = PartyInput(role="applicant", name="张三", phone="13900001111")
    person = PartyInput(role="respondent", name="李四", id_number="330523199001011238")
    seen = []
    original = services.registration_reads

    def spy(cases, parties):
        reads = original(cases, parties)
        seen.append(reads)
        return reads

    from dataclasses import replace

    from jiefen.cases import hooks

    monkeypatch.setitem(hooks._consumers, "alerts", replace(hooks._consumers["alerts"], registering=spy))
    batch = [
        RegistrationRequest(channel="walk_in", region=anji.village, description=f"拖欠工资 {i}", parties=ps)
        for i, ps in enumerate(
            [[worker, company], [caller, company], [caller, person], [worker, person, company]]
        )
    ]
    with time_machine.travel(MONDAY + timedelta(hours=2), tick=False):
        regs = case_register_many(batch, actor=dispatcher)
    (reads,) = seen
    cases = [r.case for r in regs]
    after = services._PeopleCounts.read(reads.rules, cases)
    assert reads.people.respondents == after.respondents
    assert reads.people.respondents[cases[0].county_id]["name:某某建筑公司"] == 6 + 3
    keys = sorted(after.applicant_cases)
    assert keys and reads.people.applicants_since(
        MONDAY - timedelta(days=90), keys
    ) == after.applicants_since(MONDAY - timedelta(days=90), keys)
    # and the alerts it raised name the people with those counts
    alert = Alert.objects.get(rule__code="group_dispute", subject_key__endswith=":name:某某建筑公司")
    assert alert.reasons[0]["count"] == 9
