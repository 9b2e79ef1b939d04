"""One notion of satisfaction: the portal's stars, the 12345 hotline's return visit, the centre's
return visit and ratings recorded by staff are all opinions, counted alike in the figures, on
the timeline and in the case API (jiefen.procedures.satisfaction)."""

import pytest

from jiefen.cases.models import CaseEvent
from jiefen.cases.services import case_transition
from jiefen.dashboard.selectors import stats_overview
from jiefen.portal.services import portal_rate
from jiefen.procedures import satisfaction, services
from jiefen.procedures.models import ReturnVisit
from jiefen.procedures.tests.conftest import at

pytestmark = pytest.mark.django_db


def resolved(accepted_case, mediator, description):
    case = accepted_case(description=description)
    case_transition(case=case.number, actor=mediator, action="start")
    return case_transition(case=case.number, actor=mediator, action="resolve", reason="双方和解")


def test_portal_hotline_and_return_visit_opinions_make_one_satisfaction_figure(
    client, travel, accepted_case, mediator, token, dispatcher
):
    # given three resolved cases of the village
    travel(at(2026, 9, 1))
    online = resolved(accepted_case, mediator, "楼上装修噪音，夜间施工")
    hotline = resolved(accepted_case, mediator, "邻居空调外机滴水到我家阳台")
    visited = resolved(accepted_case, mediator, "邻居在楼道堆放杂物")
    # when the first applicant gives 2 stars on the portal,
    portal_rate(case=online, stars=2, comment="对方还在晚上施工")
    # the 12345 hotline reports 5 after its own return visit,
    party = hotline.parties.get(role="applicant")
    resp = client.post(
        f"/api/v1/cases/{hotline.number}/feedback",
        {"party_id": party.pk, "score": 5, "comment": "12345回访：满意", "source": "hotline"},
        content_type="application/json",
        **token(dispatcher),
    )
    # and the centre's return visit of the third finds the party satisfied
    visit = services.case_close_and_follow_up(case=visited, actor=mediator)
    services.return_visit_record(visit=visit, actor=mediator, reached=True, satisfied=True)
    # then the dashboard counts three opinions, two satisfied, whatever the channel
    assert resp.status_code == 201 and resp.json()["source"] == "hotline"
    ov = stats_overview(viewer=dispatcher)
    assert (ov["satisfaction"], ov["satisfaction_opinions"]) == (66.7, 3)
    by_source = ov["satisfaction_detail"]["by_source"]
    assert by_source["portal"] == {"opinions": 1, "satisfied": 0}
    assert by_source["hotline"] == {"opinions": 1, "satisfied": 1}
    assert by_source["return_visit"] == {"opinions": 1, "satisfied": 1}
    assert ov["satisfaction_detail"]["mean_score"] == 3.5
    # and the portal rating is on the case's timeline and in its API
    ev = CaseEvent.objects.get(case=online, kind="feedback_recorded")
    assert (ev.data["source"], ev.data["score"], ev.reason) == ("portal", 2, "对方还在晚上施工")
    detail = client.get(f"/api/v1/cases/{online.number}", **token(dispatcher)).json()
    assert detail["satisfaction"]["satisfied"] is False
    assert [(o["source"], o["score"]) for o in detail["satisfaction"]["opinions"]] == [("portal", 2)]
    assert "feedback_recorded" in [e["kind"] for e in detail["events"]]


def test_one_opinion_per_party_and_closure_whatever_the_channel(travel, accepted_case, mediator):
    # given the applicant told staff on the phone that she is satisfied
    travel(at(2026, 9, 1))
    case = resolved(accepted_case, mediator, "楼上装修噪音，夜间施工")
    applicant = case.parties.get(role="applicant")
    services.feedback_record(case=case, party=applicant, score=4, actor=mediator)
    # when she also tries to rate on the portal
    from jiefen.core.errors import IllegalTransition

    with pytest.raises(IllegalTransition) as refused:
        portal_rate(case=case, stars=1)
    # then the second opinion is refused and counted once
    assert refused.value.code == "already_rated"
    assert satisfaction.figures()["opinions"] == 1


def test_a_score_of_four_is_satisfied_three_is_not():
    assert satisfaction.SATISFIED_MIN == 4
    assert [satisfaction.is_satisfied(s) for s in (1, 2, 3, 4, 5)] == [False, False, False, True, True]


def test_return_visit_without_an_answer_is_no_opinion(travel, accepted_case, mediator):
    # given
    travel(at(2026, 9, 1))
    case = resolved(accepted_case, mediator, "楼上装修噪音，夜间施工")
    visit = services.case_close_and_follow_up(case=case, actor=mediator)
    # when the party could not be reached
    services.return_visit_record(visit=visit, actor=mediator, reached=False)
    # then
    assert ReturnVisit.objects.get().satisfied is None
    assert satisfaction.case_satisfaction(case=case) is None
    assert satisfaction.figures()["rate"] is None
