"""The case page proposes mediators with reasons and assigns one; record pages show figures."""

from __future__ import annotations

import pytest

from jiefen.mediators import services
from jiefen.mediators.models import ProcedureMediator
from jiefen.mediators.tests.test_registry import make

pytestmark = pytest.mark.django_db


def test_case_page_recommends_and_assigns(anji, dispatcher, mediator, accepted_case, client):
    good = make(anji, dispatcher, "俞秀英", areas=[anji.village])
    related = make(anji, dispatcher, "王大伯", areas=[anji.village])
    services.conflict_declare(actor=dispatcher, mediator=related, party_name="李四")
    case = accepted_case()
    client.force_login(mediator)

    page = client.get(f"/cases/{case.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="mediators"' in page and "俞秀英" in page
    assert "serves the village" in page and "not proposed" in page
    assert f'name="assign-{related.pk}"' not in page  # a conflicted mediator has no button

    r = client.post(f"/mediators/cases/{case.number}/assign/", {"mediator_id": good.pk})
    assert r.status_code == 302
    assert ProcedureMediator.objects.get(case=case).mediator == good
    # A forged post for the conflicted one is refused with the reason, nothing written.
    r = client.post(
        f"/mediators/cases/{case.number}/assign/",
        {"mediator_id": related.pk},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "conflict of interest" in r.content.decode()
    assert ProcedureMediator.objects.filter(case=case).count() == 1


def test_record_pages(anji, dispatcher, mediator, accepted_case, client):
    m = make(anji, dispatcher, "俞秀英", areas=[anji.village])
    org = services.organization_create(
        actor=dispatcher, name="安吉县乡贤调解会", kind="xiangxian_council", county=anji.county.code
    )
    m.organization = org
    m.save()
    case = accepted_case()
    services.mediation_assign(case=case, actor=mediator, mediator_id=m.pk)
    client.force_login(dispatcher)
    page = client.get(f"/mediators/{m.pk}/").content.decode()
    assert case.number in page and 'data-figure="open">1 /' in page
    page = client.get(f"/mediators/organizations/{org.pk}/").content.decode()
    assert "俞秀英" in page and 'data-figure="cases">1<' in page
    assert "俞秀英" in client.get("/mediators/").content.decode()
    assert client.get("/mediators/999999/").status_code == 404


def test_a_party_states_a_preferred_mediator_on_the_portal(anji, dispatcher, accepted_case, client):
    from jiefen.mediators import selectors
    from jiefen.mediators.models import PreferredMediator

    near = make(anji, dispatcher, "俞秀英", areas=[anji.village])
    chosen = make(anji, dispatcher, "潘志强", areas=[anji.town])
    counsellor = make(anji, dispatcher, "心理咨询师", kind="counsellor")
    case = accepted_case()
    assert client.get("/portal/mediators/").status_code == 302  # no case open: to tracking
    session = client.session
    # as the portal opens it: the session remembers the query code's fingerprint (a reissue ends it)
    session["portal_case"] = {"id": case.pk, "until": "9999-12-31", "qc": case.query_code_hash[:16]}
    session.save()
    assert 'id="prefer-mediator"' in client.get("/portal/case/").content.decode()
    page = client.get("/portal/mediators/").content.decode()
    assert "俞秀英" in page and "潘志强" in page and "心理咨询师" not in page
    assert client.post("/portal/mediators/", {"mediator_id": counsellor.pk}).status_code == 422
    assert client.post("/portal/mediators/", {"mediator_id": chosen.pk}).status_code == 302
    assert PreferredMediator.objects.get(case=case).mediator == chosen
    assert case.events.filter(kind="mediator_preferred").count() == 1
    ranked = {r.mediator.name: r for r in selectors.recommend(case=case)}
    assert "preferred" in {x.code for x in ranked["潘志强"].reasons}
    assert (
        ranked["潘志强"].score
        == ranked["俞秀英"].score - selectors.W_VILLAGE + selectors.W_TOWN + selectors.W_PREFERRED
    )
    assert near.pk
