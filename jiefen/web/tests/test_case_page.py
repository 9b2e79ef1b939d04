import re

import pytest
from django.urls import reverse

from jiefen.cases import selectors
from jiefen.cases.models import Case, CaseEvent, PiiAccessLog

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def action_forms(html: str) -> set[str]:
    return set(re.findall(r'id="action-([a-z_]+)"', html))


def post_action(client, case, action, **fields):
    body = {"action": action, "version": case.version, **fields}
    return client.post(reverse("web:case_action", args=[case.number]), body)


def test_case_page_shows_summary_masked_parties_and_timeline(client, anji, dispatcher, register):
    # given
    case = register(anji.village, actor=dispatcher)
    client.force_login(dispatcher)
    # when
    html = client.get(reverse("web:case_detail", args=[case.number])).content.decode()
    # then
    assert case.number in html
    assert "3305**********0011" in html
    assert "138****5678" in html
    assert "330523198001010011" not in html
    assert html.count("<li>", html.index('class="timeline"')) == 2
    assert str(dispatcher) in html


def test_case_page_offers_exactly_the_allowed_actions(client, anji, dispatcher, village_handler, register):
    # given
    case = register(anji.village)
    # when
    client.force_login(dispatcher)
    as_dispatcher = action_forms(client.get(reverse("web:case_detail", args=[case.number])).content.decode())
    client.force_login(village_handler)
    as_handler = action_forms(client.get(reverse("web:case_detail", args=[case.number])).content.decode())
    # then
    assert as_dispatcher == {a.code for a in selectors.allowed_actions(viewer=dispatcher, case=case)}
    assert as_handler == {a.code for a in selectors.allowed_actions(viewer=village_handler, case=case)}
    assert "route" in as_dispatcher
    assert "route" not in as_handler
    assert "accept" in as_handler


def test_route_form_lists_organisations_of_the_case_region_chain(client, anji, dispatcher, register):
    # given
    case = register(anji.village)
    client.force_login(dispatcher)
    # when
    html = client.get(reverse("web:case_detail", args=[case.number])).content.decode()
    # then
    route_form = html.split('id="action-route"', 1)[1].split("</form>", 1)[0]
    assert anji.org("town_centre", anji.town).name in route_form
    assert anji.org("county_centre").name in route_form
    assert anji.org("town_centre", anji.town2).name not in route_form


def test_posting_an_action_moves_the_case(client, anji, village_handler, register):
    # given
    case = register(anji.village)
    client.force_login(village_handler)
    # when
    response = post_action(client, case, "accept")
    # then
    case.refresh_from_db()
    assert response.status_code == 302
    assert case.status == "accepted"
    assert CaseEvent.objects.filter(case=case, kind="accept", actor=village_handler).exists()


def test_route_with_an_organisation(client, anji, dispatcher, register):
    # given
    case = register(anji.village)
    town_centre = anji.org("town_centre", anji.town)
    client.force_login(dispatcher)
    # when
    response = post_action(client, case, "route", organization=town_centre.pk)
    # then
    case.refresh_from_db()
    assert response.status_code == 302
    assert case.lead_organization == town_centre


def test_stale_version_shows_the_conflict_message(client, anji, dispatcher, village_handler, register):
    # given
    case = register(anji.village)
    stale = Case.objects.get(pk=case.pk)
    client.force_login(village_handler)
    post_action(client, case, "accept")
    # when
    response = client.post(
        reverse("web:case_action", args=[case.number]),
        {"action": "return", "version": stale.version, "reason": "不属于本村"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # then
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this case" in html
    assert "不属于本村" in html
    assert Case.objects.get(pk=case.pk).status == "accepted"


def test_missing_reason_is_a_message_not_a_500(client, anji, village_handler, register):
    # given
    case = register(anji.village)
    client.force_login(village_handler)
    # when
    response = post_action(client, case, "return", reason="")
    # then
    assert response.status_code == 422
    assert 'class="msg msg-error"' in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == "triaged"


def test_an_action_not_allowed_now_is_refused_with_a_message(client, anji, village_handler, register):
    # given
    case = register(anji.village)
    client.force_login(village_handler)
    # when
    response = post_action(client, case, "close")
    # then
    assert response.status_code == 409
    assert 'class="msg msg-error"' in response.content.decode()


def test_reveal_shows_the_value_and_logs_it(client, anji, dispatcher, register):
    # given
    case = register(anji.village)
    party = case.parties.get()
    client.force_login(dispatcher)
    url = reverse("web:party_reveal", args=[case.number, party.pk])
    # when
    page = client.post(url, {"field": "id_number", "reason": "核实身份"}).content.decode()
    fragment = client.post(url, {"field": "phone", "reason": "回访"}, HTTP_HX_REQUEST="true").content.decode()
    # then
    assert "330523198001010011" in page
    assert "13812345678" in fragment
    assert list(PiiAccessLog.objects.values_list("field", "staff", "via")) == [
        ("phone", dispatcher.pk, "web"),
        ("id_number", dispatcher.pk, "web"),
    ]
    assert CaseEvent.objects.filter(case=case, kind="pii_revealed").count() == 2


def test_outside_the_jurisdiction_is_404(client, anji, other_town_handler, register):
    # given
    case = register(anji.village)
    party = case.parties.get()
    client.force_login(other_town_handler)
    # when
    page = client.get(reverse("web:case_detail", args=[case.number]))
    receipt = client.get(reverse("web:case_receipt", args=[case.number]))
    action = post_action(client, case, "withdraw", reason="x")
    reveal = client.post(
        reverse("web:party_reveal", args=[case.number, party.pk]), {"field": "phone", "reason": "回访"}
    )
    # then
    assert [page.status_code, receipt.status_code, action.status_code, reveal.status_code] == [404] * 4
    assert PiiAccessLog.objects.count() == 0


def test_pages_need_login(client, anji, register):
    # given
    case = register(anji.village)
    # when
    response = client.get(reverse("web:case_detail", args=[case.number]))
    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))
