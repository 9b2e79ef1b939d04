"""The calendar warns where people look: banner, alert, start-up line; the admin checks notices."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management.base import BaseCommand

from jiefen.alerts.models import Alert, AlertStatus, RuleKind
from jiefen.alerts.services import alerts_sweep
from jiefen.deadlines.models import CalendarDay, CalendarYear
from jiefen.deadlines.tests.notices import HOLIDAYS_2027, WORKDAYS_2027, load_2027

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(anji, staff_factory):
    return staff_factory(anji.org("county_centre"), ["admin"], is_staff=True, is_superuser=True)


@pytest.fixture
def leader(anji, staff_factory):
    return staff_factory(anji.org("county_centre"), ["leader"], username="leader")


@pytest.fixture
def clerk(anji, staff_factory):
    return staff_factory(anji.org("county_centre"), ["clerk"], username="clerk")


def page(client, user, path="/cases/"):
    client.force_login(user)
    return client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()


# ---------------------------------------------------------------- banner


def test_banner_for_leaders_and_administrators_from_november(client, leader, admin_user, clerk):
    # given 5 December 2026, the 2027 notice not loaded
    with time_machine.travel(date(2026, 12, 5)):
        # when / then leaders and administrators see it on staff pages, a clerk does not
        assert 'id="calendar-banner"' in page(client, leader)
        admin_page = page(client, admin_user, "/alerts/")
        assert 'id="calendar-banner"' in admin_page and "2027" in admin_page
        assert "/admin/deadlines/calendaryear/add/" in admin_page
        assert 'id="calendar-banner"' not in page(client, clerk)


def test_no_banner_before_november_or_once_the_notice_is_loaded(client, leader):
    with time_machine.travel(date(2026, 6, 15)):
        assert 'id="calendar-banner"' not in page(client, leader)
    load_2027()
    with time_machine.travel(date(2026, 12, 5)):
        assert 'id="calendar-banner"' not in page(client, leader)


def test_the_banner_is_louder_after_new_year(client, leader):
    # given January 2027 without the 2027 notice
    with time_machine.travel(date(2027, 1, 4)):
        html = page(client, leader)

    # then
    assert 'class="calendar-banner calendar-urgent"' in html and "Urgent" in html


def test_the_banner_speaks_chinese_by_default(client, leader):
    client.force_login(leader)
    with time_machine.travel(date(2026, 12, 5)):
        html = client.get("/cases/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "节假日安排" in html or "放假" in html


# ---------------------------------------------------------------- alert


def test_an_open_alert_per_county_centre_until_the_notice_is_loaded(anji, client, leader):
    # given 5 December 2026 without the 2027 notice
    with time_machine.travel(date(2026, 12, 5)):
        alerts_sweep()
    alert = Alert.objects.get(rule__code=RuleKind.CALENDAR_NOTICE)
    assert (alert.county_id, alert.status, alert.severity) == (anji.county.pk, AlertStatus.OPEN, "orange")

    # then it is on the alerts page
    with time_machine.travel(date(2026, 12, 5)):
        assert "holiday notice for 2027" in page(client, leader, "/alerts/")

    # when January comes without the notice, it turns red
    with time_machine.travel(date(2027, 1, 4)):
        alerts_sweep()
    alert.refresh_from_db()
    assert (alert.status, alert.severity, alert.episode) == (AlertStatus.OPEN, "red", "urgent-2027")

    # when the notice is loaded, it closes at once
    with time_machine.travel(date(2027, 1, 5)):
        load_2027()
    alert.refresh_from_db()
    assert (alert.status, alert.resolution) == (AlertStatus.CLOSED, "cleared")
    assert Alert.objects.filter(rule__code=RuleKind.CALENDAR_NOTICE).count() == 1


def test_no_alert_before_november(anji):
    with time_machine.travel(date(2026, 6, 15)):
        alerts_sweep()
    assert not Alert.objects.filter(rule__code=RuleKind.CALENDAR_NOTICE).exists()


# ---------------------------------------------------------------- start-up line


def test_serve_and_demo_print_a_calendar_line():
    from jiefen.demo.management.commands.serve import calendar_line

    def line() -> str:
        cmd = BaseCommand(stdout=StringIO())
        calendar_line(cmd)
        return cmd.stdout.getvalue()

    with time_machine.travel(date(2026, 12, 5)):
        assert line().startswith("Calendar WARNING:") and "2027" in line()
    with time_machine.travel(date(2027, 1, 4)):
        assert line().startswith("Calendar URGENT:")
    with time_machine.travel(date(2026, 6, 15)):
        assert line().startswith("Calendar: ")


# ---------------------------------------------------------------- admin


def notice_form(year=2027, days_off=None, workdays=None) -> dict:
    return {
        "year": year,
        "source": "国务院办公厅关于2027年部分节假日安排的通知",
        "days_off": "\n".join(f"{d.isoformat()} {n}" for d, n in (days_off or [])),
        "make_up_workdays": "\n".join(f"{d.isoformat()} {n}" for d, n in (workdays or [])),
    }


def test_admin_refuses_a_year_without_its_days(client, admin_user):
    client.force_login(admin_user)

    # when a 2027 with no day off is submitted
    resp = client.post("/admin/deadlines/calendaryear/add/", notice_form(), HTTP_ACCEPT_LANGUAGE="en")

    # then the form comes back with the reason and nothing is stored
    assert resp.status_code == 200
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert "This field is required" in resp.content.decode()

    # and a partial notice is refused with the law's reason
    resp = client.post(
        "/admin/deadlines/calendaryear/add/",
        notice_form(days_off=[(date(2027, 1, 1), "元旦")]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "2027-02-05 (农历除夕) is a statutory holiday" in resp.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_admin_loads_a_notice_through_the_same_service(client, admin_user):
    client.force_login(admin_user)

    # when the whole notice is submitted
    resp = client.post(
        "/admin/deadlines/calendaryear/add/",
        notice_form(days_off=HOLIDAYS_2027, workdays=WORKDAYS_2027),
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )

    # then it is stored as the command stores it and says what it recomputed
    assert resp.status_code == 200
    assert CalendarYear.objects.filter(year=2027).exists()
    assert CalendarDay.objects.filter(date__year=2027, is_workday=False).count() == 17
    assert "open provisional deadlines recomputed" in resp.content.decode()


def test_admin_cannot_remove_a_statutory_holiday(client, admin_user):
    client.force_login(admin_user)
    day = CalendarDay.objects.get(date=date(2026, 10, 1))

    # when the day is deleted
    confirm = client.get(f"/admin/deadlines/calendarday/{day.pk}/delete/", HTTP_ACCEPT_LANGUAGE="en")
    client.post(f"/admin/deadlines/calendarday/{day.pk}/delete/", {"post": "yes"}, HTTP_ACCEPT_LANGUAGE="en")

    # then it is refused with the reason and kept
    assert "statutory holiday" in confirm.content.decode()
    assert CalendarDay.objects.filter(pk=day.pk).exists()

    # when it is made a working day
    resp = client.post(
        f"/admin/deadlines/calendarday/{day.pk}/change/",
        {"date": "2026-10-01", "is_workday": "on", "name": "国庆节"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    # then refused too
    assert resp.status_code == 200 and "cannot be made a working day" in resp.content.decode()
    day.refresh_from_db()
    assert day.is_workday is False
