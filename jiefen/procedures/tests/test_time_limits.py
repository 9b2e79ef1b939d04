"""Every seeded time limit (deadlines migration 0003, each with its legal source) at its edges on the official 2026 calendar.

2026 days that matter here: Spring Festival off 15–23 Feb with Saturday 14 Feb and Saturday
28 Feb working (调休); National Day off 1–7 Oct with Sunday 20 Sep and Saturday 10 Oct
working; Mid-Autumn off Friday 25 Sep.
"""

from datetime import date

import pytest

from jiefen.core.errors import CalendarYearUnknown
from jiefen.deadlines.selectors import time_limit_rule
from jiefen.procedures.services import step_due

pytestmark = pytest.mark.django_db

D = date

# (rule code, province, start day (not counted), extension days, last day)
CASES = [
    # 信访 register and transfer: 15 calendar days
    ("petition.register", "", D(2026, 1, 30), 0, D(2026, 2, 14)),  # ends on the 调休 Saturday: a working day
    (
        "petition.register",
        "",
        D(2026, 1, 31),
        0,
        D(2026, 2, 24),
    ),  # ends in Spring Festival → next working day
    # Zhejiang variant: 5 working days (rule data, province 33)
    ("petition.register", "33", D(2026, 2, 12), 0, D(2026, 2, 26)),  # counts Sat 14 Feb, skips the festival
    ("petition.notify", "", D(2026, 9, 15), 0, D(2026, 9, 30)),
    ("petition.notify", "", D(2026, 9, 16), 0, D(2026, 10, 8)),  # ends 1 Oct → after National Day
    ("petition.objection", "", D(2026, 9, 29), 0, D(2026, 10, 12)),  # 5 working: 30 Sep, 8, 9, Sat 10, 12 Oct
    ("petition.handle", "", D(2025, 12, 16), 0, D(2026, 2, 14)),
    ("petition.handle", "", D(2025, 12, 17), 0, D(2026, 2, 24)),
    ("petition.handle", "", D(2025, 12, 17), 30, D(2026, 3, 17)),  # +30 with the head's approval
    ("petition.handle", "33", D(2026, 9, 1), 0, D(2026, 10, 8)),  # Zhejiang: 30 days
    ("petition.review_request", "", D(2026, 8, 31), 0, D(2026, 9, 30)),
    ("petition.review_request", "", D(2026, 9, 1), 0, D(2026, 10, 8)),
    ("petition.review_opinion", "", D(2026, 9, 1), 0, D(2026, 10, 8)),
    ("petition.recheck_request", "", D(2026, 9, 1), 0, D(2026, 10, 8)),
    ("petition.recheck_opinion", "", D(2026, 9, 1), 0, D(2026, 10, 8)),
    ("people_mediation.handle", "", D(2026, 1, 15), 0, D(2026, 2, 14)),
    ("people_mediation.handle", "", D(2026, 1, 16), 0, D(2026, 2, 24)),
    ("judicial_confirmation.apply", "", D(2026, 9, 1), 0, D(2026, 10, 8)),
    ("judicial_confirmation.accept", "", D(2026, 2, 11), 0, D(2026, 2, 14)),
    ("judicial_confirmation.accept", "", D(2026, 2, 12), 0, D(2026, 2, 24)),
    ("judicial_confirmation.decide", "", D(2026, 9, 16), 0, D(2026, 10, 8)),
    ("judicial_confirmation.decide", "", D(2026, 9, 16), 10, D(2026, 10, 12)),  # 25 days → Sun 11 Oct → Mon
    ("labour_mediation.handle", "", D(2026, 9, 15), 0, D(2026, 9, 30)),
    ("labour_mediation.handle", "", D(2026, 9, 16), 0, D(2026, 10, 8)),
    ("labour_arbitration.accept", "", D(2026, 9, 25), 0, D(2026, 9, 30)),
    ("labour_arbitration.accept", "", D(2026, 9, 26), 0, D(2026, 10, 8)),
    ("labour_arbitration.award", "", D(2026, 8, 17), 0, D(2026, 10, 8)),
    ("labour_arbitration.award", "", D(2026, 8, 17), 15, D(2026, 10, 16)),
    ("labour_arbitration.award_simple", "33", D(2026, 9, 1), 0, D(2026, 10, 8)),
    ("labour.limitation", "", D(2025, 2, 15), 0, D(2026, 2, 24)),
    ("entrusted_mediation.pre_filing", "", D(2026, 9, 1), 0, D(2026, 10, 8)),
    ("entrusted_mediation.after_filing", "", D(2026, 9, 16), 0, D(2026, 10, 8)),
    ("entrusted_mediation.after_filing_simple", "", D(2026, 9, 23), 0, D(2026, 9, 30)),
    ("entrusted_mediation.after_filing_simple", "", D(2026, 9, 24), 0, D(2026, 10, 8)),
    ("legal_aid.decide", "", D(2026, 2, 7), 0, D(2026, 2, 14)),
    ("legal_aid.decide", "", D(2026, 2, 8), 0, D(2026, 2, 24)),
    ("legal_aid.assign", "", D(2026, 2, 11), 0, D(2026, 2, 14)),
    ("legal_aid.objection", "", D(2026, 2, 10), 0, D(2026, 2, 24)),
    ("consumer.accept", "", D(2026, 2, 10), 0, D(2026, 2, 26)),  # 7 working days across the festival
    ("consumer.accept", "", D(2026, 9, 30), 0, D(2026, 10, 15)),  # 8, 9, Sat 10, 12, 13, 14, 15 Oct
    (
        "consumer.mediate",
        "",
        D(2026, 9, 1),
        0,
        D(2026, 11, 9),
    ),  # 45 working days, Sun 20 Sep and Sat 10 Oct count
    ("case.return_visit", "", D(2026, 9, 29), 0, D(2026, 10, 12)),
    ("leader.supervision_reply", "", D(2026, 2, 13), 0, D(2026, 2, 27)),
    ("leader.supervision_reply_red", "", D(2026, 2, 13), 0, D(2026, 2, 24)),  # Sat 14 is a working day
]


@pytest.mark.parametrize(("code", "province", "start", "extra", "last_day"), CASES)
def test_time_limit_edges(code, province, start, extra, last_day):
    # given
    rule = time_limit_rule(code, province)
    # when
    due = step_due(rule=rule, start_day=start, extended_days=extra).at
    # then
    assert due.date() == last_day
    assert (due.hour, due.minute) == (23, 59)


def test_every_rule_of_the_table_is_exercised():
    # given
    from jiefen.deadlines.models import TimeLimitRule

    # when
    tested = {(c, p) for c, p, *_ in CASES}
    # then
    missing = (
        {(r.code, r.province) for r in TimeLimitRule.objects.all()}
        - tested
        - {
            ("case.accept", ""),
            ("case.handle", ""),
        }
    )
    assert missing == set()


def test_paused_days_are_not_counted():
    # given: consumer mediation, testing from 1 to 5 Oct (all holidays) and 8 to 9 Oct (2 working days)
    rule = time_limit_rule("consumer.mediate", "")
    # when
    due = step_due(
        rule=rule,
        start_day=D(2026, 9, 1),
        paused=[["2026-10-01", "2026-10-05"], ["2026-10-08", "2026-10-09"]],
    ).at
    # then: two working days later than 9 Nov
    assert due.date() == D(2026, 11, 11)


def test_a_due_date_in_a_year_without_its_notice_is_provisional():
    # given 2027 has no notice: 60 days from 2026-12-01 end on Sat 2027-01-30
    rule = time_limit_rule("petition.handle", "")
    # when
    due = step_due(rule=rule, start_day=D(2026, 12, 1))
    # then the rest day moves it to Mon 2027-02-01, provisional
    assert (due.at.date(), due.provisional) == (D(2027, 2, 1), True)


def test_a_due_date_beyond_any_knowledge_is_refused_not_guessed():
    # given
    rule = time_limit_rule("petition.handle", "")
    # when / then
    with pytest.raises(CalendarYearUnknown):
        step_due(rule=rule, start_day=D(2099, 12, 1))
