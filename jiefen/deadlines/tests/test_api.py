"""GET /deadlines."""

from __future__ import annotations

import pytest
from ninja.testing import TestClient

from jiefen.core.errors import CalendarYearUnknown, ValidationFailed
from jiefen.deadlines.api import router

pytestmark = pytest.mark.django_db

client = TestClient(router)


def test_working_day_deadline():
    # given the seeded calendar

    # when
    response = client.get("/deadlines", query_params={"start": "2026-02-10", "days": 7, "unit": "working"})

    # then
    assert response.status_code == 200
    assert response.json() == {
        "due_date": "2026-02-26",
        "start": "2026-02-10",
        "days": 7,
        "unit": "working",
        "provisional": False,
    }


def test_calendar_is_the_default_unit():
    # given the seeded calendar

    # when
    response = client.get("/deadlines", query_params={"start": "2026-09-20", "days": 15})

    # then
    assert response.json() == {
        "due_date": "2026-10-08",
        "start": "2026-09-20",
        "days": 15,
        "unit": "calendar",
        "provisional": False,
    }


def test_bad_unit_raises_validation_failed():
    # given / when / then
    with pytest.raises(ValidationFailed):
        client.get("/deadlines", query_params={"start": "2026-02-10", "days": 7, "unit": "weeks"})


def test_negative_days_raise_validation_failed():
    # given / when / then
    with pytest.raises(ValidationFailed):
        client.get("/deadlines", query_params={"start": "2026-02-10", "days": -1})


def test_a_year_without_its_notice_is_counted_on_the_statutory_holidays():
    # given 2027 has no notice: 除夕 Fri Feb 5 to 初三 Mon Feb 8, 初一 and 初二 made up Tue–Wed

    # when one working day after Thu Feb 4
    response = client.get("/deadlines", query_params={"start": "2027-02-04", "days": 1, "unit": "working"})

    # then it is Thu Feb 11, provisional
    assert response.json() == {
        "due_date": "2027-02-11",
        "start": "2027-02-04",
        "days": 1,
        "unit": "working",
        "provisional": True,
    }


def test_a_year_beyond_any_knowledge_raises_calendar_year_unknown():
    # given / when / then
    with pytest.raises(CalendarYearUnknown):
        client.get("/deadlines", query_params={"start": "2100-02-10", "days": 7})
