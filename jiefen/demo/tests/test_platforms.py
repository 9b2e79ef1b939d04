"""The demo county's registry, legal service and counsellors, and a sensible recommendation."""

from __future__ import annotations

import pytest

from jiefen.cases.services import PartyInput, case_register
from jiefen.demo.services import _featured
from jiefen.demo.tests.test_demo import _demo, data_dir  # noqa: F401 - fixture
from jiefen.directory.models import Staff
from jiefen.legal.models import DutyShift, KnowledgeEntry, MeansStandard
from jiefen.mediators import selectors
from jiefen.mediators.models import Mediator, ResolverOrganization
from jiefen.regions.models import Region

pytestmark = pytest.mark.django_db


def test_demo_has_the_three_platforms_once_and_a_neighbour_case_gets_its_village_mediator(data_dir):  # noqa: F811
    _demo()
    counts = (
        Mediator.objects.count(),
        ResolverOrganization.objects.count(),
        KnowledgeEntry.objects.count(),
        DutyShift.objects.count(),
    )
    _demo()
    assert (
        Mediator.objects.count(),
        ResolverOrganization.objects.count(),
        KnowledgeEntry.objects.count(),
        DutyShift.objects.count(),
    ) == counts
    county = Region.objects.get(code="330523000000")
    kinds = set(Mediator.objects.filter(county=county).values_list("kind", flat=True))
    assert {"full_time", "xiangxian", "lawyer", "counsellor", "retired_judge"} <= kinds
    assert MeansStandard.objects.filter(province="33").exists()
    assert Mediator.objects.get(name="陈慧").staff == Staff.objects.get(username="counsellor")
    assert Staff.objects.get(username="psych").roles == ["psych"]
    assert "psych" not in Staff.objects.get(username="admin").roles

    _town, village = _featured(county)
    case = case_register(
        channel="walk_in",
        region=village.code,
        description="隔壁装修噪音，晚上十点还在施工",
        category="neighbour",
        parties=[PartyInput(role="applicant", name="王小明"), PartyInput(role="respondent", name="李四")],
    ).case
    ranked = selectors.recommend(case=case)
    top = ranked[0]
    assert top.mediator.name in {"俞秀英", "章德明"}
    assert {"category", "village"} <= {r.code for r in top.reasons}
    assert all(r.mediator.kind != "counsellor" for r in ranked)
