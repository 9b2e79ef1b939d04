import pytest
from django.urls import reverse

from jiefen.cases.models import Case, Party
from jiefen.web.tests.conftest import register_post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def test_register_screen_starts_with_walk_in_and_the_users_county(client, anji, dispatcher):
    # given
    client.force_login(dispatcher)
    # when
    response = client.get(reverse("web:case_register"))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert '<option value="walk_in" selected>' in html
    assert f'<option value="{anji.county.code}" selected>' in html
    assert f'<option value="{anji.town.code}">' in html
    assert 'name="parties-0-name"' in html
    assert 'name="parties-1-name"' in html
    assert html.count('name="category"') == 1
    assert (
        html.count(
            "<option", html.index('name="category"'), html.index("</select>", html.index('name="category"'))
        )
        == 18
    )


def test_register_success_redirects_to_receipt_with_query_code_shown_once(client, anji, dispatcher):
    # given
    client.force_login(dispatcher)
    # when
    response = client.post(reverse("web:case_register"), register_post(anji))
    # then
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:case_receipt", args=[case.number])
    first = client.get(response["Location"]).content.decode()
    second = client.get(response["Location"]).content.decode()
    assert case.number in first
    assert 'id="query-code"' in first
    assert 'id="query-code"' not in second
    assert 'id="query-code-gone"' in second
    assert case.lead_organization.name in first
    assert case.village == anji.village
    assert [p.name for p in Party.objects.filter(case=case)] == ["王小明", "李四"]


def test_receipt_query_code_matches_the_stored_hash(client, anji, dispatcher):
    # given
    from jiefen.core import pii

    client.force_login(dispatcher)
    response = client.post(reverse("web:case_register"), register_post(anji))
    # when
    html = client.get(response["Location"]).content.decode()
    # then
    code = html.split('id="query-code">', 1)[1].split("<", 1)[0]
    assert pii.keyed_hash("qc:" + code) == Case.objects.get().query_code_hash


def test_field_errors_are_shown_next_to_their_inputs_and_values_kept(client, anji, dispatcher):
    # given
    client.force_login(dispatcher)
    body = register_post(
        anji,
        description="",
        village="",
        town="",
        county="",
        **{"parties-0-id_number": "330523198001010012", "parties-1-phone": "12345"},
    )
    # when
    response = client.post(reverse("web:case_register"), body, HTTP_ACCEPT_LANGUAGE="en")
    # then
    html = response.content.decode()
    applicant = html.split('id="party-0"', 1)[1].split("</fieldset>", 1)[0]
    respondent = html.split('id="party-1"', 1)[1].split("</fieldset>", 1)[0]
    picker = html.split('id="region-picker"', 1)[1].split("</fieldset>", 1)[0]
    assert response.status_code == 422
    assert Case.objects.count() == 0
    assert "check digit" in applicant
    assert 'value="330523198001010012"' in applicant
    assert 'value="王小明"' in applicant
    assert "mobile number" in respondent
    assert "Choose the region where the dispute is." in picker
    assert "Describe what happened." in html
    assert "要求对方停止夜间施工" in html


def test_field_errors_are_in_chinese_by_default(client, anji, dispatcher):
    # given
    client.force_login(dispatcher)
    # when
    response = client.post(reverse("web:case_register"), register_post(anji, description=""))
    # then
    assert response.status_code == 422
    assert "请描述" in response.content.decode()


def test_an_extra_party_row_maps_service_errors_to_that_row(client, anji, dispatcher):
    # given
    client.force_login(dispatcher)
    body = register_post(
        anji,
        party_count="3",
        **{
            "parties-1-name": "",
            "parties-2-role": "third_party",
            "parties-2-kind": "organization",
            "parties-2-name": "某物业公司",
            "parties-2-phone": "999",
        },
    )
    # when
    response = client.post(reverse("web:case_register"), body, HTTP_ACCEPT_LANGUAGE="en")
    # then
    html = response.content.decode()
    third = html.split('id="party-2"', 1)[1].split("</fieldset>", 1)[0]
    assert response.status_code == 422
    assert "mobile number" in third
    assert 'value="某物业公司"' in third


def test_add_party_button_adds_a_row_and_keeps_values(client, anji, dispatcher):
    # given
    client.force_login(dispatcher)
    # when
    response = client.post(reverse("web:case_register"), register_post(anji, add_party="1"))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="parties-2-name"' in html
    assert 'value="王小明"' in html
    assert Case.objects.count() == 0


def test_received_at_is_kept_for_letters_registered_later(client, anji, dispatcher):
    # given
    client.force_login(dispatcher)
    body = register_post(anji, channel="letter", received_at="2026-02-27T15:30")
    # when
    client.post(reverse("web:case_register"), body)
    # then
    case = Case.objects.get()
    assert case.channel == "letter"
    assert case.received_at.isoformat() == "2026-02-27T07:30:00+00:00"


def test_a_region_outside_the_jurisdiction_is_refused(client, anji, town_clerk):
    # given
    client.force_login(town_clerk)
    body = register_post(anji, town=anji.town2.code, village=anji.other_village.code)
    # when
    response = client.post(reverse("web:case_register"), body, HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert response.status_code == 422
    assert "Choose" in response.content.decode().split('id="region-picker"', 1)[1].split("</fieldset>")[0]
    assert Case.objects.count() == 0


def test_region_children_returns_options_within_the_jurisdiction(client, anji, town_clerk):
    # given
    client.force_login(town_clerk)
    url = reverse("web:region_children")
    # when
    towns = client.get(url, {"parent": anji.county.code}).content.decode()
    villages = client.get(url, {"parent": anji.town.code}).content.decode()
    elsewhere = client.get(url, {"parent": anji.town2.code}).content.decode()
    # then
    assert anji.town.name in towns
    assert anji.town2.name not in towns
    assert anji.village.name in villages and anji.village2.name in villages
    assert anji.other_village.name not in elsewhere
    assert elsewhere.count("<option") == 1


def test_region_children_accepts_the_selects_own_name(client, anji, dispatcher):
    # given
    client.force_login(dispatcher)
    # when
    html = client.get(reverse("web:region_children"), {"town": anji.town2.code}).content.decode()
    # then
    assert anji.other_village.name in html


def test_town_clerk_sees_county_and_town_preselected(client, anji, town_clerk):
    # given
    client.force_login(town_clerk)
    # when
    html = client.get(reverse("web:case_register")).content.decode()
    # then
    assert f'<option value="{anji.town.code}" selected>' in html
    assert f'<option value="{anji.village.code}">' in html
    assert anji.town2.name not in html
