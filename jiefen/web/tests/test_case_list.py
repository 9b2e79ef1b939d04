from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def numbers_in(response) -> list[str]:
    return [row["number"] for row in response.context["page"].object_list.values("number")]


def test_list_shows_cases_with_their_columns(client, anji, dispatcher, register):
    # given
    case = register(anji.village)
    client.force_login(dispatcher)
    # when
    response = client.get(reverse("web:case_list"))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert case.number in html
    assert anji.village.name in html
    assert case.lead_organization.name in html


def test_list_is_scoped_to_the_viewers_jurisdiction(client, anji, other_town_handler, register):
    # given
    mine = register(anji.other_village)
    theirs = register(anji.village)
    client.force_login(other_town_handler)
    # when
    html = client.get(reverse("web:case_list")).content.decode()
    # then
    assert mine.number in html
    assert theirs.number not in html


def test_list_filters_by_region_category_and_text(client, anji, dispatcher, register):
    # given
    noise = register(anji.village, category="neighbour", description="装修噪音")
    wages = register(anji.town2, category="labour", description="拖欠工资")
    client.force_login(dispatcher)
    url = reverse("web:case_list")
    # when
    by_region = client.get(url, {"region": anji.town2.code}).content.decode()
    by_category = client.get(url, {"category": "neighbour"}).content.decode()
    by_text = client.get(url, {"q": "工资"}).content.decode()
    # then
    assert wages.number in by_region and noise.number not in by_region
    assert noise.number in by_category and wages.number not in by_category
    assert wages.number in by_text and noise.number not in by_text


def test_list_filters_open_and_overdue(client, anji, dispatcher, register):
    # given
    late = register(anji.village)
    url = reverse("web:case_list")
    # when
    with time_machine.travel(late.due_at + timedelta(days=1)):
        client.force_login(dispatcher)
        overdue = client.get(url, {"status": "open", "overdue": "1"})
        not_overdue = client.get(url, {"overdue": "0"}).content.decode()
    # then
    assert late.number in overdue.content.decode()
    assert 'class="overdue"' in overdue.content.decode()
    assert late.number not in not_overdue


def test_unknown_region_filter_is_a_message_not_an_error(client, anji, dispatcher, register):
    # given
    register(anji.village)
    client.force_login(dispatcher)
    # when
    response = client.get(reverse("web:case_list"), {"region": "999999999999"})
    # then
    assert response.status_code == 400
    assert 'class="msg msg-error"' in response.content.decode()


def test_list_queries_do_not_grow_with_the_number_of_cases(
    client, anji, dispatcher, register, django_assert_max_num_queries
):
    # given
    for region in [anji.village, anji.village2, anji.town, anji.town2, anji.other_village] * 6:
        register(region)
    client.force_login(dispatcher)
    # when (the 8th: the psychological service's menu entry with its open alerts; then the
    # region tree of the filter and the organisations of the bulk action)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("web:case_list"))
    # then
    assert len(response.context["rows"]) == 30


def test_list_paginates_by_fifty(client, anji, dispatcher, register):
    # given
    for _ in range(51):
        register(anji.village)
    client.force_login(dispatcher)
    # when
    first = client.get(reverse("web:case_list"))
    second = client.get(reverse("web:case_list"), {"page": 2})
    # then
    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 1


def test_unknown_status_filter_is_a_message(client, anji, dispatcher):
    # given
    client.force_login(dispatcher)
    # when
    response = client.get(reverse("web:case_list"), {"status": "nonsense"})
    # then
    assert response.status_code == 400
    assert 'class="msg msg-error"' in response.content.decode()


# ---------------------------------------------------------------- issue 17, point 8


def test_a_clerk_finds_a_case_by_the_partys_id_number_or_phone_never_stored_in_clear(
    client, anji, dispatcher, register
):
    # given two cases of different people
    mine = register(anji.village, name="陈阿婆", id_number="330523195001010018", phone="13700001111")
    other = register(anji.village2, name="王小明")
    client.force_login(dispatcher)
    url = reverse("web:case_list")
    # when the clerk types the ID number, or the phone as the citizen says it (with spaces)
    by_id = client.get(url, {"q": "330523195001010018"}).content.decode()
    by_phone = client.get(url, {"q": "137 0000 1111"}).content.decode()
    by_name = client.get(url, {"q": "陈阿婆"}).content.decode()
    by_number = client.get(url, {"q": mine.number[-6:]}).content.decode()
    # then her case is found each way, and the other is not
    for html in (by_id, by_phone, by_name, by_number):
        assert mine.number in html and other.number not in html
    # and the search index holds neither the ID number nor the phone
    from jiefen.triage.models import CaseTriage

    text = CaseTriage.objects.get(case=mine).search_text
    assert "330523195001010018" not in text and "13700001111" not in text


def test_the_list_sorts_by_a_column_and_exports_what_it_shows(client, anji, dispatcher, register):
    # given
    import csv
    import io

    from openpyxl import load_workbook

    wages = register(anji.town2, category="labour", description="拖欠工资")
    noise = register(anji.village, category="neighbour", description="装修噪音")
    land = register(anji.village2, category="property_land", description="宅基地纠纷")
    client.force_login(dispatcher)
    url = reverse("web:case_list")
    # when sorted by number, ascending then descending
    asc = client.get(url, {"sort": "number"})
    desc = client.get(url, {"sort": "-number"})
    # then
    assert numbers_in(asc) == sorted([wages.number, noise.number, land.number])
    assert numbers_in(desc) == sorted([wages.number, noise.number, land.number], reverse=True)
    html = asc.content.decode()
    assert 'aria-sort="ascending"' in html and "sort=-number" in html  # a second click reverses
    assert client.get(url, {"sort": "nonsense"}).status_code == 400
    # and the API sorts the same way
    from jiefen.directory.services import api_token_create

    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(staff=dispatcher)}"}
    api = client.get("/api/v1/cases", {"sort": "-number"}, **auth).json()
    assert [r["number"] for r in api["results"]] == numbers_in(desc)
    assert client.get("/api/v1/cases", {"sort": "nonsense"}, **auth).status_code == 422
    # when the filtered, sorted list is exported (the export links carry the filter)
    shown = client.get(url, {"category": "neighbour", "sort": "-received"}).content.decode()
    assert "cases.csv?category=neighbour&amp;sort=-received" in shown
    csv_body = b"".join(
        client.get(
            reverse("dashboard:cases_csv"), {"category": "neighbour", "sort": "-received"}
        ).streaming_content
    ).decode("utf-8-sig")
    xlsx = client.get(reverse("dashboard:cases_xlsx"), {"category": "neighbour", "sort": "-received"})
    # then the files hold just what the list shows
    rows = list(csv.reader(io.StringIO(csv_body)))
    assert [r[0] for r in rows[1:]] == [noise.number]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [noise.number]
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_region_filter_picks_from_the_viewers_tree(
    client, anji, dispatcher, other_town_handler, register
):
    # given
    register(anji.village)
    client.force_login(dispatcher)
    # when
    html = client.get(reverse("web:case_list")).content.decode()
    # then the county's towns and villages are options of a select, not a typed code
    tree = html[
        html.index('<select name="region"') : html.index("</select>", html.index('<select name="region"'))
    ]
    for region in (anji.county, anji.town, anji.village, anji.town2, anji.other_village):
        assert f'value="{region.code}"' in tree
    # and a town's handler sees only his town and its villages
    client.force_login(other_town_handler)
    html = client.get(reverse("web:case_list")).content.decode()
    tree = html[
        html.index('<select name="region"') : html.index("</select>", html.index('<select name="region"'))
    ]
    assert f'value="{anji.town2.code}"' in tree and f'value="{anji.other_village.code}"' in tree
    assert f'value="{anji.town.code}"' not in tree and f'value="{anji.county.code}"' not in tree
    # and the dashboard picks its region from the same tree
    client.force_login(dispatcher)
    html = client.get("/dashboard/", {"region": anji.town.code}).content.decode()
    tree = html[
        html.index('<select name="region"') : html.index("</select>", html.index('<select name="region"'))
    ]
    assert (
        f'value="{anji.town.code}" data-depth="1" selected' in tree and f'value="{anji.village.code}"' in tree
    )


def test_a_dispatcher_routes_several_cases_at_once_with_a_report_per_case(client, anji, dispatcher, register):
    # given three registered cases, one of which someone else routes meanwhile
    from jiefen.cases.models import Case, CaseEvent
    from jiefen.cases.services import case_transition

    a, b, c = (register(anji.village, description=f"纠纷{i}") for i in range(3))
    client.force_login(dispatcher)
    town_centre = anji.org("town_centre", anji.town)
    picked = [f"{x.number}:{x.version}" for x in (a, b, c)]
    case_transition(case=c.number, actor=dispatcher, action="route", organization=anji.org("county_centre"))
    # when all three are routed to the town centre in one go
    resp = client.post(
        reverse("web:case_bulk"),
        {"action": "route", "organization": town_centre.pk, "case": picked, "back": "?status=open"},
    )
    # then two are routed, each with its own timeline entry; the changed one is reported, untouched
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'id="bulk-report"' in html
    for x in (a, b):
        x = Case.objects.get(pk=x.pk)
        assert x.lead_organization_id == town_centre.pk
        assert CaseEvent.objects.filter(case=x, kind="route", actor=dispatcher).count() == 1
    assert Case.objects.get(pk=c.pk).lead_organization_id == anji.org("county_centre").pk
    assert html.count('class="ok"') == 2 and html.count('class="overdue"') == 1
    # when a handler without the dispatcher's role tries the same, each case reports the refusal
    from jiefen.directory.models import Staff

    handler = Staff.objects.create_user(
        username="h1", password="pw-123456789", organization=anji.org("county_centre"), roles=["handler"]
    )
    client.force_login(handler)
    fresh = Case.objects.get(pk=a.pk)
    resp = client.post(
        reverse("web:case_bulk"),
        {"action": "route", "organization": town_centre.pk, "case": [f"{fresh.number}:{fresh.version}"]},
    )
    assert 'class="overdue"' in resp.content.decode()
    assert Case.objects.get(pk=a.pk).version == fresh.version
