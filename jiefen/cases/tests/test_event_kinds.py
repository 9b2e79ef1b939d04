"""Every timeline entry has a name in both languages (jiefen.cases.events)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.utils import timezone, translation

from jiefen.cases import events
from jiefen.cases.models import CaseEvent

ROOT = Path(__file__).resolve().parents[2]
WRITERS = {"case_event_append", "_event"}


def kinds_written_in_source() -> dict[str, str]:
    """The string kinds the product's code passes to an event writer, assigns to a variable
    named `kind`, or returns beside the event data from procedures' action handlers."""
    found: dict[str, str] = {}
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in WRITERS and len(node.args) >= 2:
                    arg = node.args[1]
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found[arg.value] = where
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "kind" for t in node.targets):
                values = [node.value]
                if isinstance(node.value, ast.Subscript) and isinstance(node.value.value, ast.Dict):
                    values = node.value.value.values
                for v in values:
                    if isinstance(v, ast.Constant) and isinstance(v.value, str):
                        found[v.value] = where
            if isinstance(node, ast.FunctionDef) and node.name == "_specific":
                for ret in ast.walk(node):
                    if isinstance(ret, ast.Return) and isinstance(ret.value, ast.Tuple):
                        last = ret.value.elts[-1]
                        if isinstance(last, ast.Constant) and isinstance(last.value, str):
                            found[last.value] = where
    return found


def test_every_kind_the_code_writes_is_registered():
    written = kinds_written_in_source()
    assert len(written) >= 25
    missing = {k: where for k, where in written.items() if not events.is_registered(k)}
    assert missing == {}


def test_every_registered_kind_has_its_chinese():
    untranslated = []
    for code, kind in events.registered().items():
        with translation.override("en"):
            english = str(kind.label)
        with translation.override("zh-hans"):
            chinese = str(kind.label)
        if chinese == english or chinese == code or not any("\u4e00" <= ch <= "\u9fff" for ch in chinese):
            untranslated.append(code)
    assert untranslated == []


@pytest.mark.django_db
def test_an_unregistered_kind_is_refused_at_write_time(anji):
    from jiefen.cases.services import PartyInput, case_register

    case = case_register(
        channel="walk_in",
        region=anji.village.code,
        description="邻居漏水纠纷",
        category="neighbour",
        parties=[PartyInput(role="applicant", name="王小明")],
    ).case
    with pytest.raises(ValueError, match="not registered"):
        CaseEvent.objects.create(case=case, at=timezone.now(), kind="something_new")
