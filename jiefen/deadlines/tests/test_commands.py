"""calendar_add_year and calendar_status."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from jiefen.deadlines.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db


def test_add_year_from_arguments_with_a_range():
    # given the 2027 notice on the command line
    out = StringIO()

    # when
    call_command(
        "calendar_add_year",
        "2027",
        "--source",
        "国务院办公厅关于2027年部分节假日安排的通知",
        "--holiday",
        "2027-01-01:元旦",
        "--holiday",
        "2027-02-05..2027-02-11:春节",
        "--workday",
        "2027-02-14:春节调休上班",
        stdout=out,
    )

    # then weekend days inside the range are not stored
    assert CalendarYear.objects.get(year=2027).source == "国务院办公厅关于2027年部分节假日安排的通知"
    assert CalendarDay.objects.filter(date__year=2027, is_workday=False).count() == 6
    assert CalendarDay.objects.get(date=date(2027, 2, 14)).is_workday
    assert "2027" in out.getvalue()


def test_add_year_from_a_csv_file(tmp_path):
    # given a CSV with the header date,is_workday,name
    path = tmp_path / "2027.csv"
    path.write_text("date,is_workday,name\n2027-01-01,0,元旦\n2027-02-14,1,春节调休上班\n", encoding="utf-8")

    # when
    call_command("calendar_add_year", "2027", "--from-file", str(path), stdout=StringIO())

    # then the default source is the notice's title
    assert CalendarYear.objects.get(year=2027).source == "国务院办公厅关于2027年部分节假日安排的通知"
    assert list(CalendarDay.objects.filter(date__year=2027).values_list("date", "is_workday")) == [
        (date(2027, 1, 1), False),
        (date(2027, 2, 14), True),
    ]


def test_add_year_refuses_a_year_already_present():
    # given 2026 is seeded

    # when / then
    with pytest.raises(CommandError, match="2026"):
        call_command("calendar_add_year", "2026", "--holiday", "2026-01-01:元旦", stdout=StringIO())


def test_add_year_refuses_a_bad_date():
    # given a malformed date

    # when / then
    with pytest.raises(CommandError, match="2027-13-01"):
        call_command("calendar_add_year", "2027", "--holiday", "2027-13-01:元旦", stdout=StringIO())


def test_status_warns_when_next_year_is_missing():
    # given it is November 2026 and 2027 is not loaded
    out, err = StringIO(), StringIO()

    # when
    with time_machine.travel(date(2026, 11, 26)):
        call_command("calendar_status", stdout=out, stderr=err)

    # then
    assert "2026: " in out.getvalue()
    assert "no data for 2027" in err.getvalue()
    assert "calendar-add-year 2027" in err.getvalue()


def test_status_check_fails_when_a_year_is_missing():
    # given it is 2026 and 2027 is not loaded

    # when / then
    with time_machine.travel(date(2026, 11, 26)), pytest.raises(CommandError, match="2027"):
        call_command("calendar_status", "--check", stdout=StringIO(), stderr=StringIO())


def test_status_is_quiet_when_both_years_are_known():
    # given it is 2025, and 2025 and 2026 are seeded
    err = StringIO()

    # when
    with time_machine.travel(date(2025, 6, 1)):
        call_command("calendar_status", "--check", stdout=StringIO(), stderr=err)

    # then
    assert err.getvalue() == ""
