"""In a real browser: a case page proposes mediators with reasons and one is assigned."""

import os

import pytest

from jiefen.mediators import services
from jiefen.mediators.models import ProcedureMediator
from jiefen.mediators.tests.test_registry import make
from jiefen.procedures.models import Procedure

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_assignment_with_recommendation(
    new_browser_page, live_server, anji, dispatcher, mediator, accepted_case
):
    # given: three mediators, one of them related to the respondent
    make(anji, dispatcher, "俞秀英", areas=[anji.village])
    far = make(anji, dispatcher, "潘志强", areas=[anji.town2])
    related = make(anji, dispatcher, "王大伯", areas=[anji.village])
    services.conflict_declare(actor=dispatcher, mediator=related, party_name="李四", note="表兄")
    case = accepted_case()
    page = new_browser_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "mediator")
    page.fill("#id_password", "pw-123456789")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/cases/")
    # when
    page.goto(f"{live_server.url}/cases/{case.number}/")
    ranked = page.locator("#mediators li.recommendation")
    names = [ranked.nth(i).locator("strong").inner_text() for i in range(ranked.count())]
    # then: best first with its reasons, the conflicted one shown as not proposed
    assert names[:2] == ["俞秀英", "潘志强"] and names[-1] == "王大伯"
    first = page.locator("#mediators li.recommendation").first
    assert first.locator("[data-reason=village]").count() == 1
    assert first.locator("[data-reason=category]").count() == 1
    assert "表兄" in page.locator(f"#mediators li[data-mediator='{related.pk}']").inner_text()
    assert page.locator(f"button[name=assign-{related.pk}]").count() == 0
    page.click(f"#mediators li[data-mediator='{ranked.first.get_attribute('data-mediator')}'] button")
    page.wait_for_selector("#mediators ul.assigned-mediators")
    # the mediation runs, with the registered mediator recorded and printed on the procedure
    pm = ProcedureMediator.objects.get(case=case)
    assert pm.mediator.name == "俞秀英" and far.pk != pm.mediator_id
    proc = Procedure.objects.get(case=case, kind="people_mediation")
    assert proc.data["mediators"] == "俞秀英"
    assert "俞秀英" in page.inner_text("#mediators ul.assigned-mediators")
    assert page.locator("article.procedure[data-kind=people_mediation]").count() == 1
