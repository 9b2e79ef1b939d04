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
    assert response.json() == {"due_date": "2026-02-26", "start": "2026-02-10", "days": 7, "unit": "working"}


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
    }


def test_bad_unit_raises_validation_failed():
    # given / when / then
    with pytest.raises(ValidationFailed):
        client.get("/deadlines", query_params={"start": "2026-02-10", "days": 7, "unit": "weeks"})


def test_negative_days_raise_validation_failed():
    # given / when / then
    with pytest.raises(ValidationFailed):
        client.get("/deadlines", query_params={"start": "2026-02-10", "days": -1})


def test_unknown_year_raises_calendar_year_unknown():
    # given / when / then
    with pytest.raises(CalendarYearUnknown):
        client.get("/deadlines", query_params={"start": "2027-02-10", "days": 7})
