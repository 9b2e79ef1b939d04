"""Two people on the demo county's list, each with a reason tied to their demo cases, the
responsible officer, a plan and a first contact. Idempotent: a county with entries is left."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count

from jiefen.cases.models import Party
from jiefen.core import clock
from jiefen.directory.models import Staff
from jiefen.regions.models import Region
from jiefen.watchlist.models import WatchEntry
from jiefen.watchlist.services import EntryInput, watch_contact_add, watch_entry_create

PLANS = [
    (
        "red_risk",
        "案件风险评估为红色：当事人多次表示过激言行，需持续关注。",
        "包案领导每两周听取一次汇报；承办人每周电话联系，必要时会同村调委会上门；"
        "协调司法所、派出所联动稳控，推动纠纷实质化解。",
        "上门走访，当事人情绪平稳，同意参加下周调解。",
    ),
    (
        "court_notice",
        "人民法庭来函：判决生效后当事人多次到庭反映，对执行有异议，请属地跟进疏导。",
        "承办人每半月联系一次，释法明理；会同法庭、司法所答复执行问题；满三个月复核是否继续列管。",
        "电话联系，已向当事人解释执行程序，约定下次回访时间。",
    ),
]


def watchlist_demo_seed(*, county: Region) -> int:
    if WatchEntry.objects.filter(county=county).exists():
        return 0
    leader = Staff.objects.filter(username="leader", organization__region=county).first()
    officer = Staff.objects.filter(username="handler", organization__region__county=county).first()
    if leader is None or officer is None:
        return 0
    # people with the most cases first (repeat applicants), the first plan's with a red case
    people = (
        Party.objects.filter(case__county=county, kind="person", role="applicant")
        .exclude(id_number_hash="")
        .values("id_number_hash")
        .annotate(n=Count("case", distinct=True))
        .order_by("-n", "id_number_hash")[:40]
    )
    made = 0
    used: set[str] = set()
    for kind, note, plan, contact in PLANS:
        if kind == "red_risk" and not _any_red(county, [r["id_number_hash"] for r in people]):
            kind, note = "police_notice", "派出所通报：当事人因纠纷多次与对方发生冲突，请属地持续关注。"
        for row in people:
            person = row["id_number_hash"]
            if person in used:
                continue
            parties = list(
                Party.objects.filter(case__county=county, id_number_hash=person)
                .select_related("case")
                .order_by("-case__received_at")[:5]
            )
            cases = [p.case for p in parties]
            if kind == "red_risk" and not any(
                getattr(getattr(c, "triage", None), "risk_level", "") == "red" for c in cases
            ):
                continue
            entry = watch_entry_create(
                actor=leader,
                data=EntryInput(
                    case=cases[0].number,
                    party_id=parties[0].pk,
                    reason_kind=kind,
                    reason_note=note,
                    officer_id=officer.pk,
                    plan=plan,
                    review_on=clock.today() + timedelta(days=60),
                    cases=[c.number for c in cases[1:]],
                ),
            )
            watch_contact_add(actor=officer, entry_id=entry.pk, note=contact)
            used.add(person)
            made += 1
            break
    return made


def _any_red(county: Region, people: list[str]) -> bool:
    return Party.objects.filter(
        case__county=county, id_number_hash__in=people, case__triage__risk_level="red"
    ).exists()
