import pytest

from jiefen.core import clock
from jiefen.mediators.models import Mediator
from jiefen.procedures.tests.conftest import (  # noqa: F401 - fixtures shared with the chain
    accepted_case,
    leader,
    mediator,
    token,
    travel,
)


@pytest.fixture
def counsellor_staff(anji, staff_factory):
    return staff_factory(anji.org("county_centre"), ["handler"], username="counsellor")


@pytest.fixture
def counsellor(anji, counsellor_staff):
    return Mediator.objects.create(
        name="陈心理", kind="counsellor", county=anji.county, staff=counsellor_staff, created_at=clock.now()
    )


@pytest.fixture
def psych_officer(anji, staff_factory):
    return staff_factory(anji.org("county_centre"), ["psych"], username="psych")
