"""Issue 17, point 9: red-risk cases and open red alerts are where nobody can miss them (the
dashboard and the case page), and a 督办 on a red case defaults to a shorter reply time, which
an administrator sets as data."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jiefen.alerts.models import Alert
from jiefen.deadlines.models import TimeLimitRule
from jiefen.procedures.services import supervision_order

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def monday():
    # Monday 2 March 2026, a working week: 2 working days → Wed 4, 5 → Mon 9
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=TZ), tick=False):
        yield


def test_the_leader_sees_the_red_case_first_on_the_dashboard_and_on_the_case_page(
    client, monday, anji, register, staff_factory
):
    # given a caller who threatens to jump, and an ordinary neighbour case
    hot = register(description="不给钱就跳楼，今天就去县政府")
    calm = register(description="邻居装修噪音，协商未果")
    assert hot.triage.risk_level == "red"
    red_alert = Alert.objects.get(case=hot, severity="red")
    leader = staff_factory(anji.org("county_centre"), ["leader"], username="boss")
    client.force_login(leader)
    # when the leader opens the dashboard
    html = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # then the red watch is there, before the figures, with the red case (and its red alert)
    assert 'id="red-watch"' in html
    watch = html[html.index('id="red-watch"') : html.index("</section>", html.index('id="red-watch"'))]
    assert hot.number in watch and calm.number not in watch
    assert html.index('id="red-watch"') < html.index('id="kpi-received"')
    assert 'id="red-alerts"' in watch and str(red_alert.rule) in watch
    # and the red case's page says so at the top; the ordinary one does not
    page = client.get(f"/cases/{hot.number}/").content.decode()
    assert 'id="red-watch"' in page and 'id="red-risk-case"' in page
    assert page.index('id="red-watch"') < page.index('id="case-due"')
    assert 'id="red-watch"' not in client.get(f"/cases/{calm.number}/").content.decode()


def test_a_supervision_order_on_a_red_case_defaults_to_the_shorter_reply_time(
    client, monday, anji, register, staff_factory
):
    # given
    hot = register(description="不给钱就跳楼")
    calm = register(description="邻居装修噪音，协商未果")
    leader = staff_factory(anji.org("county_centre"), ["leader"], username="boss")
    # when the leader orders both without a date
    red = supervision_order(case=hot, actor=leader, instructions="今日内上门稳控")
    ordinary = supervision_order(case=calm, actor=leader, instructions="一周内答复")
    # then the red one is due in 2 working days, the other in 5
    assert red.due_at.astimezone(TZ).date().isoformat() == "2026-03-04"
    assert ordinary.due_at.astimezone(TZ).date().isoformat() == "2026-03-09"
    # and the form tells the leader the default
    client.force_login(leader)
    assert (
        "红色风险案件督办答复"
        in client.get(f"/cases/{hot.number}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    )
    # when the administrator sets the red reply time to 1 working day (data, not code)
    rule = TimeLimitRule.objects.get(code="leader.supervision_reply_red")
    rule.days = 1
    rule.save()
    again = supervision_order(case=hot, actor=leader, instructions="明日答复")
    # then
    assert again.due_at.astimezone(TZ).date().isoformat() == "2026-03-03"
