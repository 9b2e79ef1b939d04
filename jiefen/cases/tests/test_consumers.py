"""The consumers of case writes: registered by their apps, run in their order, each in the case's
transaction."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from jiefen.cases import hooks


def test_the_consumers_register_themselves_in_the_documented_order():
    assert [(c.order, c.name) for c in hooks.consumers()] == [
        (10, "triage"),
        (20, "dashboard"),
        (30, "alerts"),
        (40, "notifications"),
        (50, "procedures"),
    ]


def test_the_command_lists_them(capsys):
    call_command("consumers")
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines] == [
        "triage",
        "dashboard",
        "alerts",
        "notifications",
        "procedures",
    ]


@pytest.mark.django_db
def test_a_consumer_that_fails_rolls_the_change_back(anji, dispatcher, monkeypatch):
    # given: a consumer that fails after the others ran
    from jiefen.cases.models import Case, CaseEvent
    from jiefen.cases.services import PartyInput, RegistrationRequest, case_register_many

    calls: list[str] = []

    def failing(items, reads):
        calls.append(f"{len(items)} registered, reads {reads!r}")
        raise RuntimeError("consumer failed")

    monkeypatch.setitem(
        hooks._consumers,
        "zz-test",
        hooks.Consumer("zz-test", 99, registering=lambda cases, parties: len(cases), registered=failing),
    )
    request = RegistrationRequest(
        channel="walk_in",
        region=anji.village.code,
        description="邻居家空调外机噪音很大，晚上睡不着觉，协商多次没有结果",
        parties=[PartyInput(role="applicant", name="申请人", phone="13812340000")],
        actor=dispatcher,
    )
    # when / then: the registration fails as a whole and leaves nothing behind
    with pytest.raises(RuntimeError):
        case_register_many([request])
    assert calls == ["1 registered, reads 1"]
    assert not Case.objects.exists() and not CaseEvent.objects.exists()
