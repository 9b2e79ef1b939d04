"""Every staff page in zh-Hans: no code, no English sentence reaches the reader.

The walk logs in as an administrator who holds every role, builds a case that went through
mediation, an alert and a deadline, then opens each page and reads its visible text (and the
titles, placeholders and labels a screen reader speaks). Latin words that are not names of
formats or the product are reported with the page they were found on.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import cast

import pytest
import time_machine
from django.http import HttpRequest
from django.utils import translation

from jiefen.alerts.services import alerts_sweep
from jiefen.procedures import services as procedures
from jiefen.procedures.services import ActInput
from jiefen.procedures.tests.conftest import TZ

pytestmark = pytest.mark.django_db

# Latin that belongs on a Chinese page: formats, standards, the product's name, units.
ALLOWED = {
    "jiefen",
    "PDF",
    "pdf",
    "docx",
    "DOCX",
    "CSV",
    "JSON",
    "csv",
    "xlsx",
    "Excel",
    "Word",
    "API",
    "ID",
    "SMS",
    "OpenAPI",
    "Open311",
    "HTTP",
    "URL",
    "GB",
    "NBS",
    "htmx",
    "ECharts",
    "GeoJSON",
    "TOTP",
    "English",
    "IP",
    "QR",
    # commands an administrator types, quoted as they are typed
    "calendar-add-year",
    # the package the official calendar was read from, named in a calendar year's source
    "chinesecalendar",
}
WORD = re.compile(r"[A-Za-z][A-Za-z_'’-]{2,}")
SKIP_TAGS = {"script", "style", "code", "pre", "kbd", "samp"}
SPOKEN_ATTRS = {"title", "placeholder", "aria-label", "alt", "value"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TAGS:
            self.skip += 1
        attrs = dict(attrs)
        for name in SPOKEN_ATTRS:
            if attrs.get(name) and not (
                name == "value" and (tag != "input" or attrs.get("type") != "submit")
            ):
                self.parts.append(attrs[name])

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def latin_words(html: str) -> set[str]:
    parser = _Text()
    parser.feed(html)
    text = " ".join(parser.parts)
    text = re.sub(r"\b\d{6}-\d{4}-\d{6}\b", " ", text)  # case numbers
    text = re.sub(r"https?://\S+|\S+@\S+", " ", text)
    # names of standards, also right after a Chinese character (文本的SHA-256值)
    text = re.sub(r"(?<![A-Za-z0-9])(Open311|SHA-256)(?![A-Za-z0-9])", " ", text)
    text = re.sub(r"\{[a-z_]+\}", " ", text)  # placeholders of message templates
    return {w for w in WORD.findall(text) if w not in ALLOWED}


def assert_chinese(resp) -> None:
    html = resp.content.decode()
    words = latin_words(html)
    if words and os.environ.get("JIEFEN_WALK_DUMP"):  # to read the page a failure names
        Path(os.environ["JIEFEN_WALK_DUMP"]).write_text(html, encoding="utf-8")
    assert words == set(), " ".join(sorted(words))


@pytest.fixture
def world(anji, staff_factory, dispatcher):
    from jiefen.cases.services import PartyInput, case_register, case_transition

    admin = staff_factory(
        anji.org("county_centre"),
        ["admin", "leader", "dispatcher", "clerk", "handler", "mediator", "analyst"],
        username="boss",
        display_name="县中心主任",
        is_staff=True,
        is_superuser=True,
    )
    mediator = staff_factory(
        anji.org("village_committee", anji.village),
        ["mediator", "handler"],
        username="mediator",
        display_name="村调解员",
    )
    dispatcher.display_name = "中心调度员"
    dispatcher.save(update_fields=["display_name"])
    # what staff write is stored as they write it: in Chinese, as at a centre
    with (
        time_machine.travel(datetime(2026, 12, 3, 10, 0, tzinfo=TZ), tick=False),
        translation.override("zh-hans"),
    ):
        case = case_register(
            channel="walk_in",
            region=anji.village.code,
            description="楼上装修噪音，夜间施工，协商未果，扬言要跳楼",
            category="neighbour",
            parties=[
                PartyInput(
                    role="applicant", name="王小明", id_number="330523198001010011", phone="13812345678"
                ),
                PartyInput(role="respondent", name="李四"),
            ],
        ).case
        if case.lead_organization_id != mediator.organization_id:
            case_transition(
                case=case.number, actor=dispatcher, action="route", organization=mediator.organization
            )
        case = case_transition(case=case.number, actor=mediator, action="accept")
        proc = procedures.procedure_start(case=case, actor=mediator, kind="people_mediation")
        procedures.procedure_act(
            procedure=proc,
            actor=mediator,
            action="record_session",
            data=ActInput(
                held_at=datetime(2026, 12, 3, 9, 0, tzinfo=TZ), place="村调解室", participants="双方"
            ),
        )
        # a second case: agreed, with a term to perform, rated and asked to be reopened
        from jiefen.portal.services import portal_rate, portal_reopen_request
        from jiefen.procedures.performance import TermInput, performance_terms_add

        agreed = case_register(
            channel="walk_in",
            region=anji.village.code,
            description="楼上水管漏水，泡坏天花板",
            category="neighbour",
            parties=[PartyInput(role="applicant", name="赵六", phone="13912345678")],
        ).case
        if agreed.lead_organization_id != mediator.organization_id:
            case_transition(
                case=agreed.number, actor=dispatcher, action="route", organization=mediator.organization
            )
        agreed = case_transition(case=agreed.number, actor=mediator, action="accept")
        pm = procedures.procedure_start(case=agreed, actor=mediator, kind="people_mediation")
        procedures.procedure_act(
            procedure=pm, actor=mediator, action="record_agreement", data=ActInput(terms="赔偿三千元")
        )
        performance_terms_add(
            case=agreed,
            actor=mediator,
            terms=[
                TermInput(
                    text="赔偿三千元", obligor="李四", due_on=datetime(2026, 12, 4).date(), amount="3000"
                )
            ],
        )
        agreed.refresh_from_db()
        portal_rate(case=agreed, stars=2, comment="还没赔")
        portal_reopen_request(case=agreed, reason="对方没有赔偿")
        # the online mediation room: a session, a message, terms put to the parties
        from jiefen.mediation_room import services as room

        room.session_schedule(
            procedure=proc,
            actor=mediator,
            starts_at=datetime(2026, 12, 4, 14, 0, tzinfo=TZ),
            mode="online",
            meeting_link="https://meeting.example.org/j/1",
        )
        room.message_post(procedure=proc, text="请双方陈述诉求", staff=mediator)
        room.terms_propose(procedure=proc, actor=mediator, text="李四停止夜间施工")
        # an agreement confirmed by the court: the documents and the court's ruling on the page
        procedures.procedure_act(
            procedure=proc, actor=mediator, action="record_agreement", data=ActInput(terms="李四停止夜间施工")
        )
        jc = procedures.procedure_start(case=case, actor=mediator, kind="judicial_confirmation")
        for action, data in (
            ("file_application", ActInput(court_id=anji.org("court").pk)),
            ("court_accept", ActInput()),
            ("confirm", ActInput(ruling_no="（2026）浙0523民特12号")),
        ):
            procedures.procedure_act(procedure=jc, actor=mediator, action=action, data=data)
    with (
        time_machine.travel(datetime(2026, 12, 5, 10, 0, tzinfo=TZ), tick=False),
        translation.override("zh-hans"),
    ):
        _inspections(anji, admin)
        alerts_sweep()
    return {"admin": admin, "case": case, "agreed": agreed, "proc": proc, "village": anji.village.code}


def _inspections(anji, admin):
    """排查 rounds (one reported, others missing: the sweep raises their alert), a grid the
    administrator works, and centres for the map."""
    from datetime import date

    from jiefen.channels.models import GridMember
    from jiefen.geo.services import centres_place
    from jiefen.inspections.models import Round, Schedule
    from jiefen.inspections.services import EntryInput, inspection_report, rounds_ensure
    from jiefen.regions.models import Grid

    grid = Grid.objects.create(village=anji.village, code=f"{anji.village.code}-01", name="横溪坞第一网格")
    GridMember.objects.create(grid=grid, staff=admin, is_leader=True)
    Grid.objects.create(village=anji.village2, code=f"{anji.village2.code}-01", name="夏阳第一网格")
    weekly = Schedule.objects.create(
        county=anji.county,
        code="grid-weekly",
        name="网格周排查",
        unit="grid",
        frequency="weekly",
        starts_on=date(2026, 11, 16),
        checklist=["邻里纠纷", "劳资欠薪"],
    )
    rounds_ensure(until=date(2026, 12, 5))
    first = Round.objects.get(schedule=weekly, period_start=date(2026, 11, 16))
    inspection_report(
        reporter=admin,
        data=EntryInput(round_id=first.pk, grid_id=grid.pk, zero_report=True, checked=["邻里纠纷"]),
    )
    centres_place(county=anji.county)


STAFF_PAGES = [
    "/cases/",
    "/cases/new/",
    "/cases/{number}/",
    "/cases/{number}/receipt/",
    "/procedures/deadlines/",
    "/dashboard/",
    "/dashboard/report/",
    "/alerts/",
    "/triage/queue/",
    "/triage/routing/dry-run/",
    "/dashboard/screen/",
    "/reopen-requests/",
    "/cases/{agreed}/",
    "/room/{proc}/mediator/",
    "/hotline/",
    "/cases/?sort=-due",
    "/inspections/?from=2026-11-01&to=2026-12-05",
    "/inspections/report/",
    "/map/",
    "/grid/report/",
]
PUBLIC_PAGES = [
    "/portal/",
    "/portal/track/",
    "/room/{proc}/",
    "/portal/poster/{village}/",
    "/portal/?region={village}",
]


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages_speak_chinese(client, world, path):
    client.force_login(world["admin"])
    with time_machine.travel(datetime(2026, 12, 5, 10, 0, tzinfo=TZ), tick=True):
        resp = client.get(
            path.format(number=world["case"].number, agreed=world["agreed"].number, proc=world["proc"].pk),
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert resp.status_code == 200
    assert_chinese(resp)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_citizen_pages_speak_chinese(client, world, path):
    resp = client.get(
        path.format(village=world["village"], proc=world["proc"].pk), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert resp.status_code == 200
    assert_chinese(resp)


def test_the_not_found_page_speaks_chinese(client, world, settings):
    settings.DEBUG = False
    client.force_login(world["admin"])
    resp = client.get("/cases/330523-2026-999999/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert resp.status_code == 404
    assert_chinese(resp)


def _watch_entry(world):
    from datetime import date

    from jiefen.watchlist.services import EntryInput, watch_contact_add, watch_entry_create

    case = world["case"]
    with translation.override("zh-hans"):
        entry = watch_entry_create(
            actor=world["admin"],
            data=EntryInput(
                case=case.number,
                party_id=case.parties.exclude(id_number_hash="").first().pk,
                reason_kind="court_notice",
                reason_note="人民法庭来函：当事人扬言过激行为",
                officer_id=world["admin"].pk,
                plan="每周走访一次",
                review_on=date(2027, 1, 31),
                cases=[],
            ),
        )
        watch_contact_add(actor=world["admin"], entry_id=entry.pk, note="电话联系，情绪平稳")
    return entry


# Pages of the unit scorecards and of the list of people needing attention.
SCORECARD_AND_WATCH_PAGES = [
    "/scorecards/?month=2026-12",
    "/scorecards/2026-12/o{org}/",
    "/scorecards/2026-12/o{org}/received/",
    "/watchlist/",
    "/watchlist/new/?case={number}",
    "/watchlist/{entry}/",
]


@pytest.mark.parametrize("path", SCORECARD_AND_WATCH_PAGES)
def test_scorecard_and_watchlist_pages_speak_chinese(client, world, path):
    with time_machine.travel(datetime(2026, 12, 5, 10, 0, tzinfo=TZ), tick=True):
        entry = _watch_entry(world)
        client.force_login(world["admin"])
        case = world["case"]
        url = path.format(number=case.number, org=case.lead_organization_id, entry=entry.pk)
        resp = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert resp.status_code == 200
    assert_chinese(resp)


def _admin_pages() -> list[str]:
    """Every model's changelist, and its add form where the admin offers one."""
    from django.contrib import admin

    pages = []
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda kv: kv[0]._meta.label):
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        pages.append(base)
        # The stand-in carries all that has_add_permission reads of a request (its user).
        if model_admin.has_add_permission(cast(HttpRequest, _SuperuserRequest())):
            pages.append(f"{base}add/")
    return ["/admin/", *pages]


class _SuperuserRequest:
    """What has_add_permission reads of a request: a superuser who may do anything."""

    class user:  # noqa: N801 - stands for request.user
        is_active = is_staff = is_superuser = True

        @staticmethod
        def has_perm(perm, obj=None):
            return True


@pytest.mark.parametrize("path", _admin_pages())
def test_admin_pages_speak_chinese(client, world, path):
    """The administration (app and model names, column headers, field labels, filters) in
    zh-Hans. Usernames and inspection schedule codes are what an administrator typed, not text
    of the product."""
    from jiefen.directory.models import Staff
    from jiefen.inspections.models import Schedule

    client.force_login(world["admin"])
    with time_machine.travel(datetime(2026, 12, 5, 10, 0, tzinfo=TZ), tick=True):
        resp = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert resp.status_code == 200, path
    html = resp.content.decode()
    # Django writes its boolean icons with alt="True"/"False", and its zh-Hans catalogue keeps
    # the keys of "Control, or Command on a Mac" in English; neither is text of this product.
    html = re.sub(r'(<img src="/static/admin/img/icon-(yes|no|unknown)\.svg") alt="\w+"', r"\1", html)
    typed = set(Staff.objects.values_list("username", flat=True))
    typed |= set(Schedule.objects.values_list("code", flat=True))  # inspection schedules' codes
    words = latin_words(html) - typed - {"Control", "Command", "Mac"}
    if words and os.environ.get("JIEFEN_WALK_DUMP"):
        Path(os.environ["JIEFEN_WALK_DUMP"]).write_text(html, encoding="utf-8")
    assert words == set(), " ".join(sorted(words))


def test_every_model_and_field_has_a_translatable_name():
    """Field and model names reach the administration's columns, labels and filters: each is given
    (verbose_name=_("…")), never left to Django's English default made from the code's name."""
    from django.apps import apps

    missing = []
    for model in apps.get_models():
        if not model.__module__.startswith("jiefen."):
            continue
        opts = model._meta
        if "verbose_name" not in opts.original_attrs:
            missing.append(opts.label)
        for field in opts.local_fields + opts.local_many_to_many:
            if not field.auto_created and "verbose_name" not in field.deconstruct()[3]:
                missing.append(f"{opts.label}.{field.name}")
    assert missing == []
