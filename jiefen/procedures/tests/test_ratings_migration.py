"""The portal's ratings stored before satisfaction became one notion are kept: migrated into
PartyFeedback rows of source `portal` (procedures 0005)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

TZ = ZoneInfo("Asia/Shanghai")
BEFORE = [("portal", "0003_tracking_code_phone"), ("procedures", "0004_feedback_source")]
AFTER = [("portal", "0004_reopen_decision_and_ratings_moved")]


@pytest.mark.django_db(transaction=True)
def test_portal_ratings_become_portal_opinions_and_nothing_is_lost():
    # given the schema before, with two rated cases (one also rated by staff for the applicant)
    executor = MigrationExecutor(connection)
    before = [n for n in executor.loader.graph.leaf_nodes() if n[0] not in ("portal", "procedures")] + BEFORE
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Region = apps.get_model("regions", "Region")
    Organization = apps.get_model("directory", "Organization")
    Case = apps.get_model("cases", "Case")
    Party = apps.get_model("cases", "Party")
    Rating = apps.get_model("portal", "Rating")
    PartyFeedback = apps.get_model("procedures", "PartyFeedback")
    county = Region.objects.create(code="330523000000", name="安吉县", level="county")
    org = Organization.objects.create(name="县矛调中心", kind="county_centre", region=county)
    when = datetime(2026, 3, 2, 9, tzinfo=TZ)
    cases = []
    for i in (1, 2):
        case = Case.objects.create(
            number=f"330523-2026-00000{i}",
            year=2026,
            seq=i,
            query_code_hash="x",
            channel="online",
            category="neighbour",
            region=county,
            county=county,
            lead_organization=org,
            level="county",
            description="噪音",
            received_at=when,
            registered_at=when,
            status="closed",
        )
        Party.objects.create(case=case, role="applicant", name=f"申请人{i}")
        Rating.objects.create(case=case, stars=2 + i, comment=f"评价{i}", at=when)
        cases.append(case)
    PartyFeedback.objects.create(
        case=cases[1],
        party=Party.objects.get(case=cases[1]),
        closure_no=1,
        score=5,
        comment="电话回访",
        at=when,
    )
    # when
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps
    PartyFeedback = apps.get_model("procedures", "PartyFeedback")
    # then
    rows = {(f.case_id, f.source, f.score, f.comment) for f in PartyFeedback.objects.all()}
    assert rows == {
        (cases[0].pk, "portal", 3, "评价1"),
        (cases[1].pk, "staff", 5, "电话回访\n〔网上评价 4/5〕评价2"),
    }
    # back to the latest state for the other tests
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
