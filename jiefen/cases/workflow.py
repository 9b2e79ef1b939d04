"""The case lifecycle as data: one transition table, read by the service and by the UI.

Each action names the statuses it may start from, the status it leads to (None: decided by
the service, e.g. `return` goes back to `triaged`), whether a reason is required, and which
roles may take it. `case_transition` refuses anything this table does not allow; the web page
and the API offer `allowed_actions()` and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from jiefen.cases.choices import Status as S


@dataclass(frozen=True)
class Action:
    code: str
    label: object
    sources: frozenset[str]
    target: str
    reason_required: bool
    roles: frozenset[str]
    # True: only staff of the lead organisation (or dispatchers/admins) may take it.
    lead_only: bool = False
    # True: the reason is the result (what was agreed or decided); refused without one
    # (`result_required`). A close after a resolve carries the resolve's result.
    result_required: bool = False


_HANDLERS = frozenset({"handler", "mediator", "grid_worker", "agent", "leader"})
_DISPATCH = frozenset({"dispatcher", "admin"})

ACTIONS: dict[str, Action] = {
    a.code: a
    for a in [
        Action("route", _("route"), frozenset({S.REGISTERED, S.TRIAGED}), S.TRIAGED, False, _DISPATCH),
        Action("accept", _("accept"), frozenset({S.TRIAGED}), S.ACCEPTED, False, _HANDLERS | _DISPATCH, True),
        Action(
            "return",
            _("return to dispatcher"),
            frozenset({S.TRIAGED, S.ACCEPTED}),
            S.TRIAGED,
            True,
            _HANDLERS | _DISPATCH,
            True,
        ),
        Action(
            "start",
            _("start handling"),
            frozenset({S.ACCEPTED}),
            S.IN_PROGRESS,
            False,
            _HANDLERS | _DISPATCH,
            True,
        ),
        Action(
            "suspend",
            _("suspend"),
            frozenset({S.IN_PROGRESS}),
            S.SUSPENDED,
            True,
            _HANDLERS | _DISPATCH,
            True,
        ),
        Action(
            "resume", _("resume"), frozenset({S.SUSPENDED}), S.IN_PROGRESS, False, _HANDLERS | _DISPATCH, True
        ),
        Action(
            "resolve",
            _("record as resolved"),
            frozenset({S.IN_PROGRESS, S.TRANSFERRED}),
            S.RESOLVED,
            False,
            _HANDLERS | _DISPATCH,
            True,
            result_required=True,
        ),
        Action(
            "escalate",
            _("escalate one level up"),
            frozenset({S.ACCEPTED, S.IN_PROGRESS}),
            S.TRIAGED,
            True,
            _HANDLERS | _DISPATCH,
            True,
        ),
        Action(
            "delegate",
            _("delegate one level down"),
            frozenset({S.TRIAGED, S.ACCEPTED, S.IN_PROGRESS}),
            S.TRIAGED,
            True,
            _DISPATCH | {"leader"},
        ),
        Action(
            "transfer",
            _("transfer to a statutory route"),
            frozenset({S.ACCEPTED, S.IN_PROGRESS}),
            S.TRANSFERRED,
            True,
            _HANDLERS | _DISPATCH,
            True,
        ),
        Action(
            "close",
            _("close"),
            frozenset({S.RESOLVED, S.TRANSFERRED}),
            S.CLOSED,
            False,
            _HANDLERS | _DISPATCH,
            True,
            result_required=True,
        ),
        # 办结 without the dispute being resolved: the matter is ended by a decision (e.g. a
        # petition whose demands the 复核 rejected). Closed, but never counted as resolved.
        Action(
            "conclude",
            _("end the matter (办结) without resolution"),
            frozenset({S.IN_PROGRESS, S.TRANSFERRED}),
            S.CLOSED,
            False,
            _HANDLERS | _DISPATCH,
            True,
            result_required=True,
        ),
        Action(
            "reopen",
            _("reopen"),
            frozenset({S.RESOLVED, S.CLOSED}),
            S.IN_PROGRESS,
            True,
            _DISPATCH | {"leader"},
        ),
        Action(
            "withdraw",
            _("withdraw (applicant)"),
            frozenset({S.REGISTERED, S.TRIAGED, S.ACCEPTED, S.IN_PROGRESS, S.SUSPENDED}),
            S.WITHDRAWN,
            True,
            _HANDLERS | _DISPATCH | {"clerk"},
        ),
        Action(
            "merge",
            _("merge into another case"),
            frozenset({S.REGISTERED, S.TRIAGED}),
            S.MERGED,
            True,
            _DISPATCH | {"clerk"},
        ),
        Action(
            "not_accept",
            _("not accepted (tell the legal route)"),
            frozenset({S.REGISTERED, S.TRIAGED}),
            S.NOT_ACCEPTED,
            True,
            _DISPATCH | {"clerk", "handler"},
        ),
    ]
}

# Status → statuses reachable in one move: the table above, seen from the other side.
TRANSITIONS: dict[str, frozenset[str]] = {
    s: frozenset(a.target for a in ACTIONS.values() if s in a.sources) for s in S.values
}


def actions_from(status: str) -> list[Action]:
    return [a for a in ACTIONS.values() if status in a.sources]
