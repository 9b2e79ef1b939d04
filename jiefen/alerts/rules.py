"""The early-warning rules: defaults, reasons as data, and the pure parts of the time windows.

Event-driven rules (extreme language, group dispute, repeat petitioner, repeated returns, and
the time rules for the case being written) are evaluated by services.on_case_written in the
case's transaction; time-driven ones by services.alerts_sweep. Reasons are stored as data
({"code": …, values}) and put into words when shown, in the reader's language.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext as _

from jiefen.alerts.models import RuleKind, Severity
from jiefen.cases.choices import Category

DEFAULT_PARAMS: dict[str, dict] = {
    RuleKind.DEADLINE_NEAR: {"working_days_before": 2},
    RuleKind.OVERDUE: {},
    RuleKind.UNACCEPTED: {"working_days": 1},
    RuleKind.REPEAT_PETITIONER: {"min_cases": 3, "window_days": 90},
    RuleKind.GROUP_DISPUTE: {"min_parties": 5, "min_open_cases_per_respondent": 5},
    RuleKind.EXTREME_LANGUAGE: {
        "words": [
            "跳楼",
            "自杀",
            "轻生",
            "同归于尽",
            "拼命",
            "汽油",
            "炸药",
            "杀了",
            "砍死",
            "不想活",
            "越级上访",
            "进京",
            "上访到北京",
        ]
    },
    RuleKind.REPEATED_RETURNS: {"min_moves": 2},
    RuleKind.HOTSPOT: {"window_days": 7, "baseline_weeks": 8, "factor": 2.0, "min_cases": 5},
    RuleKind.TREND_SPIKE: {"window_days": 7, "baseline_weeks": 4, "factor": 1.5, "min_cases": 10},
    RuleKind.CALENDAR_NOTICE: {},
    # rounds whose due day passed within `lookback_days` are looked at; older gaps stay as raised
    RuleKind.INSPECTION_MISSING: {"lookback_days": 62},
    RuleKind.REOPEN_REQUESTED: {},
    # days of grace after a term's due date before it is overdue (0: the day after)
    RuleKind.TERM_OVERDUE: {"grace_days": 0},
}

DEFAULT_SEVERITY: dict[str, str] = {
    RuleKind.DEADLINE_NEAR: Severity.YELLOW,
    RuleKind.OVERDUE: Severity.RED,
    RuleKind.UNACCEPTED: Severity.ORANGE,
    RuleKind.REPEAT_PETITIONER: Severity.ORANGE,
    RuleKind.GROUP_DISPUTE: Severity.RED,
    RuleKind.EXTREME_LANGUAGE: Severity.RED,
    RuleKind.REPEATED_RETURNS: Severity.ORANGE,
    RuleKind.HOTSPOT: Severity.ORANGE,
    RuleKind.TREND_SPIKE: Severity.YELLOW,
    # orange from 1 November (next year's notice missing), red after 1 January (this year's)
    RuleKind.CALENDAR_NOTICE: Severity.ORANGE,
    RuleKind.INSPECTION_MISSING: Severity.YELLOW,
    RuleKind.REOPEN_REQUESTED: Severity.ORANGE,
    RuleKind.TERM_OVERDUE: Severity.ORANGE,
}

# Case alerts of these rules describe a clock: they close by themselves ("cleared") when the
# case leaves the state they warn about.
CLOCK_RULES = (RuleKind.DEADLINE_NEAR, RuleKind.OVERDUE, RuleKind.UNACCEPTED)


def param(rule, key: str):
    """A rule's parameter, falling back to the default for keys an admin left out."""
    value = (rule.params or {}).get(key)
    return DEFAULT_PARAMS[rule.code].get(key) if value is None else value


def workdays_after(index, day: date, n: int) -> date:
    """The n-th working day after `day` (`day` itself when n <= 0)."""
    while n > 0:
        day += timedelta(days=1)
        if index.between(day - timedelta(days=1), day):
            n -= 1
    return day


def unaccepted_cutoff_day(index, today: date, n: int) -> date:
    """The first day D such that a clock started before D has run more than `n` working days
    by `today` (started on day S: working days in (S, today] > n)."""
    day, count = today, 0
    while True:
        if index.between(day - timedelta(days=1), day):
            count += 1
            if count > n:
                return day
        day -= timedelta(days=1)


def reason_text(reason: dict) -> str:
    """One stored reason in the reader's language."""
    code = reason.get("code")
    r = reason
    if code == "due":
        return _("due on %(due)s") % r
    if code == "overdue":
        return _("the time limit ended on %(due)s") % r
    if code == "unaccepted":
        return _("waiting for acceptance since %(since)s") % r
    if code == "repeat":
        return _("the same person in %(count)s cases within %(days)s days") % r
    if code == "parties":
        return _("%(count)s parties on one matter") % r
    if code == "respondent":
        return _("%(count)s open cases against the same respondent (%(name)s)") % r
    if code == "words":
        return _("words of danger: %(words)s") % {"words": "、".join(r.get("words", []))}
    if code == "moves":
        return _("returned %(returns)s times, escalated %(escalations)s times") % r
    if code == "hotspot":
        return _(
            "%(count)s cases of %(category)s in %(days)s days; the trailing average is %(baseline)s per %(days)s days"
        ) % {**r, "category": Category(r["category"]).label if r.get("category") in Category.values else ""}
    if code == "calendar_notice":
        if r.get("level") == "urgent":
            return (
                _(
                    "the State Council's holiday notice for %(year)s is not loaded: deadlines in %(year)s are "
                    "provisional"
                )
                % r
            )
        return (
            _(
                "the State Council's holiday notice for %(year)s is not loaded yet: deadlines reaching into "
                "%(year)s are provisional"
            )
            % r
        )
    if code == "inspection_missing":
        return _("%(schedule)s due on %(due)s: %(count)s of %(owed)s not reported (%(units)s)") % {
            **r,
            "units": "、".join(r.get("units", [])[:20]) + ("…" if len(r.get("units", [])) > 20 else ""),
        }
    if code == "reopen_requested":
        return _("the applicant asks to reopen the case on %(on)s: %(reason)s") % r
    if code == "term_overdue":
        return _("agreement term %(no)s was due on %(due)s and is not performed: %(term)s") % r
    if code == "spike":
        return _("%(count)s cases in %(days)s days; the trailing average is %(baseline)s") % r
    return str(reason)


def subject_text(alert) -> str:
    """An alert's subject in the reader's language: a hotspot names its category by its label
    (its key is "region code:category code"; the stored label was written in the sweep's language)."""
    code, _sep, category = (alert.subject_key or "").partition(":")
    if alert.subject_kind == "region" and category in Category.values:
        place = (alert.subject_label or code).split(" · ")[0]
        return f"{place} · {Category(category).label}"
    return alert.subject_label or alert.subject_key
