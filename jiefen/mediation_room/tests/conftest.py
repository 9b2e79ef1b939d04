"""Fixtures of the mediation room: an accepted neighbours' case with two parties who both have
a phone, its people's mediation, and the SMS gateway in memory (tests read the codes there)."""

from __future__ import annotations

import re

import pytest

from jiefen.cases.services import PartyInput
from jiefen.procedures.tests.conftest import accepted_case, mediator, token, travel  # noqa: F401 - fixtures

APPLICANT_PHONE = "13812345678"
RESPONDENT_PHONE = "13987654321"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PDF = b"%PDF-1.4\n" + b"0" * 200
EXE = b"MZ\x90\x00\x03" + b"\x00" * 200


@pytest.fixture(autouse=True)
def _room_env(settings, tmp_path):
    from django.core.cache import cache

    from jiefen.notifications.gateways import MemoryGateway

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.JIEFEN_SMS_BACKEND = "memory"
    MemoryGateway.SENT.clear()
    cache.clear()
    yield
    MemoryGateway.SENT.clear()
    cache.clear()


def deliver() -> None:
    """Send what the outbox holds (tests run inside a transaction: no after-commit hand-over)."""
    from jiefen.notifications.services import outbox_deliver_due

    outbox_deliver_due()


def last_code(phone: str) -> str:
    """The latest one-time code the gateway delivered to this phone."""
    from jiefen.notifications.gateways import MemoryGateway

    deliver()
    for m in reversed(MemoryGateway.SENT):
        if m["to"] == phone and (found := re.search(r"验证码(\d{6})", m["text"])):
            return found.group(1)
    raise AssertionError(f"no code sent to {phone}")


def texts_to(phone: str) -> list[str]:
    from jiefen.notifications.gateways import MemoryGateway

    deliver()
    return [m["text"] for m in MemoryGateway.SENT if m["to"] == phone]


@pytest.fixture
def two_party_case(accepted_case):  # noqa: F811
    def make(**kw):
        return accepted_case(
            parties=[
                PartyInput(role="applicant", name="王小明", phone=APPLICANT_PHONE),
                PartyInput(role="respondent", name="李四", phone=RESPONDENT_PHONE),
            ],
            **kw,
        )

    return make


@pytest.fixture
def procedure(two_party_case, mediator):  # noqa: F811
    from jiefen.procedures.services import procedure_start

    case = two_party_case()
    return procedure_start(case=case, actor=mediator, kind="people_mediation")


@pytest.fixture
def parties(procedure):
    applicant = procedure.case.parties.get(role="applicant")
    respondent = procedure.case.parties.get(role="respondent")
    return applicant, respondent
