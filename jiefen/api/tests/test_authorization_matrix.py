"""The authorization matrix, generated from the URL configuration: every route × every role
(and no login) × a case of another county. A route added tomorrow is in the matrix without
anyone listing it; one that lets a caller without a login in must be named in PUBLIC.

What must hold:
- without a login, no route but the public ones answers 2xx;
- for every role of county A, no route that names county B's case, party, reception day,
  supervision order or grid answers 2xx, and no answer at all carries B's case number, its
  applicant's name or phone.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from jiefen.cases.services import PartyInput, case_register
from jiefen.directory.models import Role
from jiefen.directory.services import api_token_create

pytestmark = pytest.mark.django_db

# Routes anyone may call: the citizen portal, Open311, the login, the API's documents.
PUBLIC = re.compile(r"^(portal/|open311/|login/$|i18n/|api/v1/openapi\.json$|api/v1/docs$|api/v1/$|$)")
SECRET_NAME = "保密甲乙"
SECRET_PHONE = "13955550000"


def routes():
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    # The admin has Django's own staff check and lockout (tested in web/tests).
    return sorted({r for r in walk(get_resolver().url_patterns) if not r.startswith("admin/")})


def concrete(route: str, b: dict) -> str:
    """The route with every parameter pointing at county B's objects."""

    def pk_for(prefix: str) -> str:
        for key, value in b["pks"].items():
            if key in prefix:
                return str(value)
        return "999999"

    url = route.replace("^", "").replace("$", "").replace("\\.", ".")
    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: "<" + m.group(1) + ">", url)

    def fill(m):
        name = m.group(1).split(":")[-1]
        before = url[: m.start()]
        return {
            "number": b["number"],
            "request_id": b["number"],
            "party_id": str(b["party"]),
            "grid_id": str(b["grid"]),
            "fmt": "json",
            "code": "labour",
            "token": "x",
        }.get(name) or pk_for(before)

    return "/" + re.sub(r"<([\w:]+)>", fill, url)


@pytest.fixture
def county_b(staff_factory):
    from conftest import make_county
    from jiefen.procedures import services as procedures
    from jiefen.regions.models import Grid

    b = make_county("330211", "镇海区")
    dispatcher = staff_factory(b.org("county_centre"), ["dispatcher", "leader"], username="b-dispatcher")
    case = case_register(
        channel="walk_in",
        region=b.village.code,
        description="镇海区的一件私事",
        category="family",
        parties=[PartyInput(role="applicant", name=SECRET_NAME, phone=SECRET_PHONE)],
        actor=dispatcher,
    ).case
    from jiefen.core import clock

    reception = procedures.reception_create(
        actor=dispatcher, kind="reception", day=clock.today(), place="镇海区信访局"
    )
    order = procedures.supervision_order(case=case, actor=dispatcher, instructions="限期答复")
    grid = Grid.objects.create(village=b.village, code=f"{b.village.code}-01", name="镇海第一网格")
    return {
        "number": case.number,
        "party": case.parties.get().pk,
        "grid": grid.pk,
        "pks": {"receptions/": reception.pk, "supervisions/": order.pk},
    }


def _leaks(resp, b) -> bool:
    body = b"".join(resp.streaming_content) if resp.streaming else resp.content
    return any(s.encode() in body for s in (b["number"], SECRET_NAME, SECRET_PHONE))


def _call(client, method, url, headers):
    if url.startswith("/api/"):
        return (
            getattr(client, method)(
                url, "{}" if method == "post" else None, content_type="application/json", **headers
            )
            if method == "post"
            else client.get(url, **headers)
        )
    return client.post(url, {}) if method == "post" else client.get(url)


def test_no_route_lets_anyone_in_without_a_login(client, anji, county_b):
    # given
    wrong = []
    for route in routes():
        if PUBLIC.match(route):
            continue
        url = concrete(route, county_b)
        for method in ("get", "post"):
            # when
            resp = _call(client, method, url, {})
            # then
            if 200 <= resp.status_code < 300 or _leaks(resp, county_b):
                wrong.append(f"{method.upper()} {url} → {resp.status_code}")
    assert wrong == []


def test_no_role_of_one_county_reaches_another_countys_case(client, anji, staff_factory, county_b):
    # given: one member of county A's centre for every role
    actors = {
        role: staff_factory(anji.org("county_centre"), [role], username=f"a-{role}") for role in Role.values
    }
    tokens = {role: api_token_create(staff=s) for role, s in actors.items()}
    wrong = []
    for route in routes():
        url = concrete(route, county_b)
        names_b = any(k in route for k in ("number", "party_id", "grid_id", "request_id")) or any(
            k in route for k in county_b["pks"]
        )
        for role, staff in actors.items():
            headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[role]}"}
            for method in ("get", "post"):
                client.force_login(staff)
                # when
                resp = _call(client, method, url, headers)
                # then
                reached = names_b and 200 <= resp.status_code < 300
                if reached or _leaks(resp, county_b):
                    wrong.append(f"{role}: {method.upper()} {url} → {resp.status_code}")
    assert wrong == []
