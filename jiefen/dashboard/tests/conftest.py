from __future__ import annotations

import pytest

from jiefen.cases.services import PartyInput, case_register


@pytest.fixture
def register(anji, dispatcher):
    """Register a case with sensible defaults; keyword arguments override them."""

    def make(**kw):
        kw.setdefault("channel", "walk_in")
        kw.setdefault("region", anji.village)
        kw.setdefault("description", "邻居装修噪音，协商未果")
        kw.setdefault("category", "neighbour")
        kw.setdefault("parties", [PartyInput(role="applicant", name="王小明", phone="13812345678")])
        kw.setdefault("actor", dispatcher)
        return case_register(**kw).case

    return make
