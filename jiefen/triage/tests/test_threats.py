"""Threats read as intent + harmful act: the held-out rounds of corpus/threats.jsonl, phrasings,
negation, idioms, and that every red reason names its phrase."""

from __future__ import annotations

import pytest

from jiefen.triage import threats
from jiefen.triage.risk import RiskInput, assess, risk_out

# Measured on the seven held-out rounds (326 threats, 333 hard negatives; see docs/triage.md):
# 98.2% of the threats red, 1.2% of the negatives red. Each round's first measurement, before
# anything was changed for it, was lower (heldout-7: 82.5% and 12.5%): these floors guard what is
# reached, they do not say how a fresh round will fare.
HELDOUT_THREATS_RED_FLOOR = 0.97
HELDOUT_NEGATIVES_RED_CEILING = 0.02


@pytest.fixture(scope="module")
def rows():
    return threats.read_threats()


def _red(text: str) -> bool:
    return assess(RiskInput(text=text)).level == "red"


def test_heldout_threats_are_red_and_hard_negatives_are_not(rows):
    held = [r for r in rows if r["set"].startswith("heldout")]
    t = [r["text"] for r in held if r["label"] == "threat"]
    n = [r["text"] for r in held if r["label"] == "negative"]
    assert len(t) >= 100 and len(n) >= 100
    assert sum(map(_red, t)) / len(t) >= HELDOUT_THREATS_RED_FLOOR
    assert sum(map(_red, n)) / len(n) <= HELDOUT_NEGATIVES_RED_CEILING


def test_heldout_rounds_are_not_learnt_from(rows):
    held = {r["text"] for r in rows if r["set"].startswith("heldout")}
    train = {r["text"] for r in rows if not r["set"].startswith("heldout")}
    assert not held & train
    meta = threats.get_model().meta
    assert meta["n_threats"] == sum(1 for r in rows if r["label"] == "threat" and r["text"] in train)


@pytest.mark.parametrize(
    "text",
    [
        "大不了一起死",
        "从塔吊上跳下去",
        "再不给工钱，我就从塔吊上跳下去",
        "逼急了我就跟他同归于尽",
        "我已经买好了汽油，明天去把他家房子烧了",
        "你家孩子放学路上小心点",
        "明天我们几十个人就去把国道堵了",
        "這筆錢要是拿不回來，我就去跳海",
        "不给说法我就喝农药死在你们厂门口",
        "他扬言要弄死对方全家",
        "再不解决我们就去县政府门口拉横幅静坐",
        # subject + intent + act in other words (written for these tests, not from the rounds)
        "钱不还我，我就把自己关在车里烧上炭",
        "他说谁敢来量他的地，就找人把谁打个半死",
        "她说不给抚养费，就在前夫单位门口一直跪着",
        "我告诉你，你儿子每天几点放学走哪条路我都摸清楚了",
        "老汉说再来拆，他就站到屋顶上往下跳",
        "他放话说要往对方的鱼塘里撒老鼠药",
    ],
)
def test_threats_in_many_words_are_red_and_name_their_phrase(text):
    result = assess(RiskInput(text=text))
    assert result.level == "red"
    reason = next(r for r in result.reasons if r.code == "extreme_language")
    assert reason.params["phrases"] and reason.params["kinds"]
    assert all(p.strip() for p in reason.params["phrases"])
    shown = risk_out(result.level, [reason.as_dict()])["reasons"][0]["text"]
    assert reason.params["phrases"][0] in shown


@pytest.mark.parametrize(
    "text",
    [
        "我不会去跳楼的，只想要回工资",
        "跳楼价清仓，全场五折",
        "买菜时跟摊主砍价吵了几句",
        "想在小区门口开一家炸鸡店",
        "气死我了，楼上又在装修",
        "天天加班累死了，老板不给加班费",
        "他说这事打死也不签字",
        "我们家死也不搬",
        "村里有人焚烧秸秆，烟很大",
        "热水器爆炸，把我手烧伤了",
        "老人每天饭后要喝药，医药费很贵",
        "他举报后遭到打击报复",
        "我劝过他别干傻事，他现在情绪稳定",
        "申请人因交通事故死亡，家属要求赔偿死亡赔偿金",
        "再不解决就集体去省里上访",  # a petition: orange (beyond_level), not red
        "他说要去法院起诉，让对方为违约付出代价",  # a lawful channel
        "她说不想活在别人的眼光里，要重新开始",
        "他曾经说过要砸店的气话，已经当面道歉",
        "鱼塘被人投了毒，申请人要求赔偿损失",  # told, not threatened
        "他拼死拼活干了一年，老板一分钱不给",
        "想他想死了，孩子天天问爸爸什么时候回来",
        "这部短剧里主角最后跳河了",
        "他说要把这件事做个了断，签了协议就不再来往",
    ],
)
def test_negation_idioms_and_ordinary_uses_are_not_red(text):
    assert not _red(text)


def test_every_red_decision_on_the_corpus_names_a_phrase(rows):
    for r in rows:
        result = assess(RiskInput(text=r["text"]))
        for reason in result.reasons:
            if reason.code == "extreme_language":
                assert reason.params["phrases"], r["id"]
                assert reason.params["words"], r["id"]


def test_the_rules_alone_hold_without_the_learnt_part():
    assert threats.assess_text("从塔吊上跳下去", model=None)
    assert not threats.assess_text("跳楼价清仓", model=None)
    assert threats.assess_text("", model=None) == []
    assert threats.assess_text("跳楼" + "字" * 100_000, model=None)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "😀😀😀",
        "\x00\ud800我要跳楼",
        "a" * 100_000,
        "，。！" * 30_000,
        "Mixed 中文 English 跳樓 😀",
        "我就跳楼，" * 20_000,
    ],
)
def test_bad_input_never_raises(text):
    result = assess(RiskInput(text=text))
    assert result.level in ("red", "orange", "yellow", "blue")
    found = threats.assess_text(text)
    assert len(found) <= threats.MAX_FOUND


def test_the_learnt_part_speaks_only_of_a_harm():
    """An intent with a lawful act (他说要…就…) is not a threat, however the n-grams weigh."""
    model = threats.get_model()
    for text in [
        "他说要把房子装修一下再租出去",
        "他说如果谈不拢，就申请劳动仲裁",
        "业主们打算明天一起去物业办公室要个说法",
    ]:
        assert threats.assess_text(text, model=model) == []
