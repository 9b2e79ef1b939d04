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
    # when (the 8th: the psychological service's menu entry with its open alerts; the 9th: the
    # list of people needing attention, for leaders and responsible officers)
    with django_assert_max_num_queries(9):
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
