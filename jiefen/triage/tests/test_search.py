"""Full-text case search (SQLite FTS5 / PostgreSQL tsvector, whichever the tests run on):
words of the description, party names, number, work-order id; ranked; scoped; bad input."""

import pytest
from django.db import connection

from jiefen.cases.selectors import case_list
from jiefen.core.errors import ValidationFailed
from jiefen.directory.services import api_token_create
from jiefen.triage.search import case_search, tokens
from jiefen.triage.tests.helpers import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(anji, dispatcher):
    return [
        register(anji, dispatcher, text="隔壁养猪场臭味很大，污水排进河里", applicant="赵铁柱").case,
        register(anji, dispatcher, text="公司拖欠工资三个月，老板失联", applicant="钱多多").case,
        register(
            anji,
            dispatcher,
            text="楼上漏水，天花板发霉，拖欠物业费争议",
            applicant="孙悟空",
            region=anji.other_village,
        ).case,
    ]


def numbers(qs):
    return [c.number for c in qs]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("养猪场", [0]),
        ("拖欠工资", [1]),
        ("拖欠", [1, 2]),
        ("钱多多", [1]),
        ("漏水 发霉", [2]),
        ("養豬場", [0]),
        ("猪", [0]),
    ],
)
def test_finds_by_words_and_names(three, dispatcher, q, expected):
    got = numbers(case_search(viewer=dispatcher, q=q))
    assert sorted(got) == sorted(three[i].number for i in expected), connection.vendor


def test_finds_by_number_and_work_order(three, dispatcher):
    from django.utils import timezone

    from jiefen.channels.models import HotlineOrder

    HotlineOrder.objects.create(
        order_id="ZJ12345-0001",
        case=three[2],
        outcome="created",
        received_at=timezone.now(),
        imported_at=timezone.now(),
    )
    assert numbers(case_search(viewer=dispatcher, q=three[1].number)) == [three[1].number]
    assert numbers(case_search(viewer=dispatcher, q=three[1].number[-6:]))[0] == three[1].number
    assert numbers(case_search(viewer=dispatcher, q="ZJ12345-0001")) == [three[2].number]


def test_ranked_best_first(anji, dispatcher):
    weak = register(anji, dispatcher, text="邻里矛盾，噪音").case
    strong = register(anji, dispatcher, text="噪音噪音，晚上噪音太大，噪音扰民").case
    assert numbers(case_search(viewer=dispatcher, q="噪音")) == [strong.number, weak.number]


def test_scoped_by_jurisdiction(three, anji, staff_factory):
    village_handler = staff_factory(anji.org("village_committee", anji.village), ["handler"])
    assert numbers(case_search(viewer=village_handler, q="拖欠")) == [three[1].number]


def test_description_change_of_search_is_via_list_filters(three, dispatcher):
    assert numbers(case_list(viewer=dispatcher, q="拖欠", category="neighbour")) != []


@pytest.mark.parametrize("q", ["", "   ", "!!!", "😀😀", "x" * 101])
def test_bad_queries_are_a_clear_422(dispatcher, q):
    with pytest.raises(ValidationFailed):
        case_search(viewer=dispatcher, q=q)


@pytest.mark.parametrize(
    "q",
    ["' OR 1=1 --", "<script>alert(1)</script>", "NEAR(a b)", 'a" OR "b', "拖欠*", "a AND b", "\\x00", "%_%"],
)
def test_hostile_queries_never_fail(three, dispatcher, q):
    # a list of cases, or a clear 422 when nothing searchable is left
    try:
        list(case_search(viewer=dispatcher, q=q))
    except ValidationFailed as exc:
        assert exc.status == 422


def test_api_list_q(client, three, dispatcher):
    token = api_token_create(staff=dispatcher)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    resp = client.get("/api/v1/cases", {"q": "养猪场"}, **auth)
    assert resp.status_code == 200
    assert [r["number"] for r in resp.json()["results"]] == [three[0].number]
    assert client.get("/api/v1/cases", {"q": "😀"}, **auth).status_code == 422
    assert (
        client.get("/api/v1/cases", {"q": "' OR 1=1; DROP TABLE cases_case; --"}, **auth).status_code == 200
    )


def test_web_list_q(client, three, dispatcher):
    client.force_login(dispatcher)
    page = client.get("/cases/", {"q": "钱多多"}).content.decode()
    assert three[1].number in page and three[0].number not in page
    assert client.get("/cases/", {"q": "😀"}).status_code in (200, 400)


def test_tokens_are_bigrams_words_and_prefix_free():
    assert tokens("拖欠工资 ABC-12") == ["拖欠", "欠工", "工资", "abc", "12"]


def test_backfill_makes_old_cases_searchable(three, dispatcher):
    from io import StringIO

    from django.core.management import call_command

    from jiefen.triage.models import CaseTriage

    # given: a case from before triage existed
    CaseTriage.objects.filter(case=three[0]).delete()
    assert numbers(case_search(viewer=dispatcher, q="养猪场")) == []
    # when
    out = StringIO()
    call_command("triage_backfill", stdout=out)
    call_command("triage_backfill", stdout=out)  # idempotent
    # then
    assert numbers(case_search(viewer=dispatcher, q="养猪场")) == [three[0].number]
    assert "1 cases" in out.getvalue() and "0 cases" in out.getvalue()
