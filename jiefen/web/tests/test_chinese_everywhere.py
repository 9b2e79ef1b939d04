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

import pytest
import time_machine
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
    "TOTP",
    "English",
    "IP",
    "QR",
    # commands an administrator types, quoted as they are typed
    "calendar-add-year",
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
        alerts_sweep()
    return {"admin": admin, "case": case, "proc": proc, "village": anji.village.code}


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
    "/room/{proc}/mediator/",
    "/hotline/",
    "/cases/?sort=-due",
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
            path.format(number=world["case"].number, proc=world["proc"].pk), HTTP_ACCEPT_LANGUAGE="zh-hans"
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
