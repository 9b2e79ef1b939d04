"""Risk: one test per signal, the level is the highest reason, reasons render in both languages."""

import pytest
from django.utils import translation

from jiefen.triage.risk import RiskInput, assess, risk_out


@pytest.mark.parametrize(
    ("data", "code", "level"),
    [
        (RiskInput(text="他说再不解决就跳楼"), "extreme_language", "red"),
        (RiskInput(text="要和对方同归于尽，已经买了汽油"), "extreme_language", "red"),
        (RiskInput(text="不解决我们就进京上访"), "beyond_level", "orange"),
        (RiskInput(text="三十多名工人被拖欠工资"), "group_dispute", "orange"),
        (RiskInput(text="12户村民反映", applicants=1, people=1), "group_dispute", "orange"),
        (RiskInput(text="申请人反映问题", applicants=6, people=7), "group_dispute", "orange"),
        (RiskInput(text="对方公司又被投诉", respondent_open_cases=3), "respondent_many_cases", "orange"),
        (RiskInput(text="家里有八十多岁的老人无人照顾"), "vulnerable_party", "yellow"),
        (RiskInput(text="农民工讨要工资"), "vulnerable_party", "yellow"),
        (RiskInput(text="借款15万元至今未还"), "money_at_stake", "yellow"),
        (RiskInput(text="工程款300万元"), "money_at_stake", "orange"),
        (RiskInput(text="又来反映", person_earlier_cases=2), "repeat_person", "yellow"),
        (RiskInput(text="又来反映", person_earlier_cases=5), "repeat_person", "orange"),
        (RiskInput(text="案件", returns=1, escalations=1), "repeated_returns", "orange"),
    ],
)
def test_each_signal_gives_its_reason_and_level(data, code, level):
    # when
    result = assess(data)
    # then
    reasons = {r.code: r.level for r in result.reasons}
    assert reasons.get(code) == level


@pytest.mark.parametrize(
    "text",
    [
        "邻居家漏水",
        "三个月没有发工资",
        "开了一家店",
        "借了5000元",
        "",
        "😀" * 50,
        "<script>alert(1)</script>",
    ],
)
def test_ordinary_text_is_blue(text):
    assert assess(RiskInput(text=text)).level == "blue"


def test_level_is_the_highest_reason():
    # given: yellow (money) + red (extreme words)
    result = assess(RiskInput(text="欠我20万元不还，逼急了我就跳楼"))
    # then
    assert result.level == "red"
    assert [r.code for r in result.reasons][0] == "extreme_language"


def test_reasons_have_stable_codes_and_text_in_both_languages():
    stored = assess(RiskInput(text="三十多名工人被拖欠工资")).as_dict()["reasons"]
    with translation.override("en"):
        en = risk_out("orange", stored)["reasons"]
    with translation.override("zh-hans"):
        zh = risk_out("orange", stored)["reasons"]
    assert [r["code"] for r in en] == [r["code"] for r in zh]
    assert "Group dispute" in en[0]["text"]
    assert zh[0]["text"].startswith("群体性纠纷")


def test_huge_input_is_bounded():
    assert assess(RiskInput(text="跳楼" + "字" * 100_000)).level == "red"
