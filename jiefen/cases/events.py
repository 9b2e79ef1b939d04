"""Timeline event kinds: one registry of what each entry of a case's timeline is called.

Every kind written to `CaseEvent` is registered here by the app that writes it — the lifecycle
actions and the kernel's own entries below, the others from their app's `events.py` (imported in
its `AppConfig.ready`). `CaseEvent.save` refuses a kind nobody registered, and a test checks
that every registered label has its Chinese, so a raw code such as `procedure_started` cannot
reach a timeline again. The staff timeline, the API (`label` beside `kind`) and the case page
read labels from here; the citizen portal words its own, shorter public entries.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class EventKind:
    code: str
    label: object  # a lazy translation


_KINDS: dict[str, EventKind] = {}


def register(*kinds: tuple[str, object]) -> None:
    """Register (code, lazy label) pairs; registering a code twice with another label is a
    programming error."""
    for code, label in kinds:
        known = _KINDS.get(code)
        if known is not None and str(known.label) != str(label):
            raise ValueError(f"event kind {code!r} is registered twice with different labels")
        _KINDS[code] = EventKind(code=code, label=label)


def is_registered(code: str) -> bool:
    return code in _KINDS


def label(code: str) -> str:
    """The kind's label in the active language (the code itself for an entry of a kind that
    no longer exists, so old timelines still render)."""
    kind = _KINDS.get(code)
    return str(kind.label) if kind is not None else code


def registered() -> dict[str, EventKind]:
    return dict(_KINDS)


def _register_kernel() -> None:
    from jiefen.cases.workflow import ACTIONS

    register(*((code, action.label) for code, action in ACTIONS.items()))
    register(
        ("registered", _("registered")),
        ("routed", _("routed automatically")),
        ("pii_revealed", _("personal data shown in full")),
        ("deadline_recomputed", _("deadline recomputed on the holiday notice")),
    )


_register_kernel()
