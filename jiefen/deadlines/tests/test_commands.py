"""calendar_add_year and calendar_status."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from jiefen.deadlines.models import CalendarDay, CalendarYear
from jiefen.deadlines.tests.notices import law_notice, load_2027

pytestmark = pytest.mark.django_db


def test_add_year_from_arguments_with_ranges():
    # given the (illustrative) 2027 notice on the command line
    out = StringIO()

    # when
    call_command(
        "calendar_add_year",
        "2027",
        "--source",
        "国务院办公厅关于2027年部分节假日安排的通知",
        *("--holiday", "2027-01-01..2027-01-03:元旦"),
        *("--holiday", "2027-02-05..2027-02-11:春节"),
        *("--holiday", "2027-04-03..2027-04-05:清明节"),
        *("--holiday", "2027-05-01..2027-05-05:劳动节"),
        *("--holiday", "2027-06-09:端午节"),
        *("--holiday", "2027-09-15:中秋节"),
        *("--holiday", "2027-10-01..2027-10-07:国庆节"),
        *("--workday", "2027-02-20:春节调休上班"),
        *("--workday", "2027-05-08:劳动节调休上班"),
        *("--workday", "2027-09-26:国庆节调休上班"),
        *("--workday", "2027-10-09:国庆节调休上班"),
        stdout=out,
    )

    # then weekend days inside the ranges are not stored
    assert CalendarYear.objects.get(year=2027).source == "国务院办公厅关于2027年部分节假日安排的通知"
    assert CalendarDay.objects.filter(date__year=2027, is_workday=False).count() == 17
    assert CalendarDay.objects.get(date=date(2027, 2, 20)).is_workday
    assert "17 weekday holidays, 4 make-up working days" in out.getvalue()
    assert "recomputed: 0 changed" in out.getvalue()


def test_add_year_twice_changes_nothing(tmp_path):
    # given a CSV of the law's days off for 2028, loaded once
    holidays, _workdays = law_notice(2028)
    path = tmp_path / "2028.csv"
    path.write_text(
        "date,is_workday,name\n" + "".join(f"{d.isoformat()},0,{n}\n" for d, n in holidays), encoding="utf-8"
    )
    call_command("calendar_add_year", "2028", "--from-file", str(path), stdout=StringIO())
    rows = list(CalendarDay.objects.filter(date__year=2028).values_list("pk", flat=True))

    # when loaded again
    out = StringIO()
    call_command("calendar_add_year", "2028", "--from-file", str(path), stdout=out)

    # then
    assert "nothing changed" in out.getvalue()
    assert list(CalendarDay.objects.filter(date__year=2028).values_list("pk", flat=True)) == rows


def test_add_year_refuses_a_partial_notice_with_the_reason(tmp_path):
    # given a CSV with New Year and one make-up day only
    path = tmp_path / "2027.csv"
    path.write_text("date,is_workday,name\n2027-01-01,0,元旦\n2027-02-20,1,春节调休上班\n", encoding="utf-8")

    # when / then
    with pytest.raises(CommandError, match="2027-02-05"):
        call_command("calendar_add_year", "2027", "--from-file", str(path), stdout=StringIO())
    assert not CalendarYear.objects.filter(year=2027).exists()


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


def test_status_before_november_is_quiet_about_next_year():
    # given it is June 2026 and 2027 is not loaded
    out, err = StringIO(), StringIO()

    # when
    with time_machine.travel(date(2026, 6, 1)):
        call_command("calendar_status", stdout=out, stderr=err)

    # then
    assert "2026: " in out.getvalue()
    assert "2027–2099: no notice" in out.getvalue()
    assert err.getvalue() == ""


def test_status_warns_from_november_and_exits_1():
    # given it is November 2026 and 2027 is not loaded
    err = StringIO()

    # when / then
    with time_machine.travel(date(2026, 11, 1)), pytest.raises(CommandError, match="2027") as caught:
        call_command("calendar_status", stdout=StringIO(), stderr=err)
    assert caught.value.returncode == 1
    assert "WARNING" in err.getvalue() and "calendar-add-year 2027" in err.getvalue()


def test_status_is_urgent_after_new_year_and_exits_2():
    # given it is January 2027 and 2027 is not loaded
    err = StringIO()

    # when / then
    with time_machine.travel(date(2027, 1, 4)), pytest.raises(CommandError) as caught:
        call_command("calendar_status", stdout=StringIO(), stderr=err)
    assert caught.value.returncode == 2
    assert "URGENT" in err.getvalue()


def test_status_counts_an_implausible_loaded_year_as_missing():
    # given a 2027 row with no days, as an older admin page allowed
    CalendarYear.objects.create(year=2027, source="x")
    err = StringIO()

    # when / then
    with time_machine.travel(date(2026, 12, 5)), pytest.raises(CommandError) as caught:
        call_command("calendar_status", stdout=StringIO(), stderr=err)
    assert caught.value.returncode == 1
    assert "no day off" in err.getvalue()


def test_status_is_quiet_when_both_years_are_loaded():
    # given it is December 2026 and the 2027 notice is loaded
    load_2027()
    err, out = StringIO(), StringIO()

    # when
    with time_machine.travel(date(2026, 12, 5)):
        call_command("calendar_status", stdout=out, stderr=err)

    # then
    assert err.getvalue() == ""
    assert "official notices for 2026 and 2027" in out.getvalue()
