"""Risk assessment (风险等级 red/orange/yellow/blue, docs/triage.md): a pure function of what is known
about a case — its text, its parties, the history counts the caller looked up.

Each signal gives a reason with a stable `code`, a level and parameters; the case's level is the
highest of its reasons (blue when there is none). The text of a reason is rendered in the reader's
language by `reason_text` (zh-Hans/en through gettext), so stored reasons never freeze a language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jiefen.triage import threats
from jiefen.triage.models import RISK_RANK, RiskLevel

# Self-harm or violence (自伤自杀、暴力): red. The words of the first version, kept as examples and
# as part of the quick test below; what decides red is `threats.find` (intent + harmful act, negation
# and idioms handled), which names the phrase.
EXTREME_WORDS = (
    "跳楼",
    "跳河",
    "跳江",
    "跳桥",
    "自杀",
    "自焚",
    "轻生",
    "寻死",
    "喝农药",
    "喝药",
    "上吊",
    "割腕",
    "同归于尽",
    "拼命",
    "拼了",
    "汽油",
    "炸药",
    "砍死",
    "弄死",
    "杀了",
    "杀人",
    "报复",
    "一命换一命",
    "不想活",
    "活不下去",
    "死给你看",
    "泼硫酸",
    "放火",
    "烧了",
)
# Going beyond the proper level (越级、进京): orange.
BEYOND_LEVEL_WORDS = (
    "越级上访",
    "越级",
    "进京",
    "去北京",
    "到北京",
    "上北京",
    "赴京",
    "天安门",
    "集体上访",
    "到省里",
    "去省里",
    "找媒体",
    "曝光",
    "网上发帖",
)
# Vulnerable parties: yellow.
VULNERABLE_WORDS = (
    "老人",
    "老年",
    "高龄",
    "八十多岁",
    "九十多岁",
    "七十多岁",
    "孤寡",
    "五保",
    "未成年",
    "小孩",
    "孩子",
    "学生",
    "残疾",
    "残障",
    "瘫痪",
    "孕妇",
    "怀孕",
    "重病",
    "癌症",
    "低保",
    "困难户",
)
MIGRANT_WAGE = re.compile(
    r"(农民工|外来务工|务工人员|工人).{0,20}(工资|工钱|薪水|血汗钱)|(工资|工钱|血汗钱).{0,20}(农民工|工人)"
)
_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
GROUP_PATTERN = re.compile(
    r"(\d{1,5}|[一二两三四五六七八九十百]{1,4}|几十|数十|上百|十几|二十多|三十多|几百)\s*(多)?\s*(名|个|位|户|家|人)\s*"
    r"(工人|农民工|村民|业主|居民|家长|学生|员工|职工|群众|住户|商户|人)?"
)
MONEY_PATTERN = re.compile(r"(\d+(?:\.\d+)?)\s*(万元|万块|万|元|块)")

#: Amounts (yuan) from which money at stake raises the level.
MONEY_YELLOW = 100_000
MONEY_ORANGE = 1_000_000
GROUP_SIZE = 5  # 信访工作条例 第20条: more than five people on one matter is a group matter
RESPONDENT_CASES = 3  # open cases against one respondent in the window
PERSON_CASES_YELLOW = 2  # earlier cases of the same person
PERSON_CASES_ORANGE = 4
RETURNS_ORANGE = 2  # returns + escalations


@dataclass(frozen=True)
class Reason:
    code: str
    level: str
    params: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"code": self.code, "level": self.level, "params": dict(self.params)}


@dataclass(frozen=True)
class Assessment:
    level: str
    reasons: list[Reason]

    def as_dict(self) -> dict:
        return {"level": self.level, "reasons": [r.as_dict() for r in self.reasons]}


@dataclass
class RiskInput:
    text: str
    applicants: int = 1
    people: int = 1
    person_earlier_cases: int = 0
    respondent_open_cases: int = 0
    returns: int = 0
    escalations: int = 0


def _unique(items, limit: int = 5) -> list[str]:
    out: list[str] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out[:limit]


def _found(text: str, words) -> list[str]:
    return [w for w in words if w in text][:5]


def _pattern_of(*word_lists) -> re.Pattern:
    """A pattern found in a text exactly when one of the words is (a quick test before `_found`)."""
    words = sorted({w for words in word_lists for w in words}, key=lambda w: (-len(w), w))
    return re.compile("|".join(re.escape(w) for w in words))


_ANY_WORD = _pattern_of(EXTREME_WORDS, BEYOND_LEVEL_WORDS, VULNERABLE_WORDS)
# Characters without one of which a pattern cannot match (quick tests before running it).
_GROUP_UNITS = frozenset("名个位户家人")
_MONEY_UNITS = frozenset("万元块")
_MIGRANT = "工"  # in every alternative of MIGRANT_WAGE


def _group_size(text: str) -> int:
    best = 0
    if _GROUP_UNITS.isdisjoint(text):
        return best
    for m in GROUP_PATTERN.finditer(text):
        raw, unit, who = m.group(1), m.group(3), m.group(4)
        if unit in ("个", "家") and not who:
            continue  # "三个月", "一家店" are not people
        if unit == "人" or who:
            if raw.isdigit():
                n = int(raw)
            elif raw in ("几十", "数十", "上百", "几百", "二十多", "三十多"):
                n = 20
            elif raw == "十几":
                n = 10
            else:
                n = _cn_int(raw)
            best = max(best, n)
    return best


def _cn_int(s: str) -> int:
    if s == "十":
        return 10
    if "百" in s:
        return 100
    if "十" in s:
        head, _sep, tail = s.partition("十")
        return (_CN_NUM.get(head, 1)) * 10 + _CN_NUM.get(tail, 0)
    return _CN_NUM.get(s, 0)


def _money(text: str) -> float:
    best = 0.0
    if _MONEY_UNITS.isdisjoint(text):
        return best
    for m in MONEY_PATTERN.finditer(text):
        try:
            amount = float(m.group(1))
        except ValueError:  # pragma: no cover - the pattern only matches numbers
            continue
        if m.group(2).startswith("万"):
            amount *= 10_000
        best = max(best, amount)
    return best


def assess(data: RiskInput) -> Assessment:
    """The risk of a case from its signals (pure, no database)."""
    text = (data.text or "")[:20_000]
    reasons: list[Reason] = []
    any_word = _ANY_WORD.search(text) is not None
    found = threats.assess_text(text)
    if found:
        reasons.append(
            Reason(
                "extreme_language",
                RiskLevel.RED,
                {
                    "words": _unique(t.word for t in found),
                    "phrases": _unique(t.phrase for t in found),
                    "kinds": _unique(t.kind for t in found),
                },
            )
        )
    words = _found(text, BEYOND_LEVEL_WORDS) if any_word else []
    if words:
        reasons.append(Reason("beyond_level", RiskLevel.ORANGE, {"words": words}))
    group = max(_group_size(text), data.people if data.applicants >= GROUP_SIZE else 0)
    if group >= GROUP_SIZE:
        reasons.append(Reason("group_dispute", RiskLevel.ORANGE, {"people": group}))
    if data.respondent_open_cases >= RESPONDENT_CASES:
        reasons.append(
            Reason("respondent_many_cases", RiskLevel.ORANGE, {"cases": data.respondent_open_cases})
        )
    words = _found(text, VULNERABLE_WORDS) if any_word else []
    if _MIGRANT in text and MIGRANT_WAGE.search(text):
        words = [*words, "农民工"]
    if words:
        reasons.append(Reason("vulnerable_party", RiskLevel.YELLOW, {"words": words[:5]}))
    money = _money(text)
    if money >= MONEY_YELLOW:
        level = RiskLevel.ORANGE if money >= MONEY_ORANGE else RiskLevel.YELLOW
        reasons.append(Reason("money_at_stake", level, {"yuan": int(money)}))
    if data.person_earlier_cases >= PERSON_CASES_YELLOW:
        level = RiskLevel.ORANGE if data.person_earlier_cases >= PERSON_CASES_ORANGE else RiskLevel.YELLOW
        reasons.append(Reason("repeat_person", level, {"cases": data.person_earlier_cases}))
    moves = data.returns + data.escalations
    if moves >= RETURNS_ORANGE:
        reasons.append(
            Reason(
                "repeated_returns",
                RiskLevel.ORANGE,
                {"returns": data.returns, "escalations": data.escalations},
            )
        )
    reasons.sort(key=lambda r: -RISK_RANK[r.level])
    level = reasons[0].level if reasons else RiskLevel.BLUE
    return Assessment(level=str(level), reasons=reasons)


def reason_text(reason: dict) -> str:
    """The human text of a stored reason, in the active language."""
    code, p = reason.get("code", ""), reason.get("params") or {}
    words = "、".join(p.get("words") or [])
    if code == "extreme_language":
        phrases = "、".join(f"“{x}”" for x in p.get("phrases") or [])
        if phrases:
            return _("Threat of self-harm or violence: %(phrases)s") % {"phrases": phrases}
        return _("Words of self-harm or violence: %(words)s") % {"words": words}
    if code == "beyond_level":
        return _("Threat to go beyond the proper level: %(words)s") % {"words": words}
    if code == "group_dispute":
        return _("Group dispute: about %(n)s people on one matter") % {"n": p.get("people", 0)}
    if code == "respondent_many_cases":
        return _("Several open cases against the same respondent: %(n)s") % {"n": p.get("cases", 0)}
    if code == "vulnerable_party":
        return _("Vulnerable party: %(words)s") % {"words": words}
    if code == "money_at_stake":
        return _("Money at stake: about %(yuan)s yuan") % {"yuan": f"{p.get('yuan', 0):,}"}
    if code == "repeat_person":
        n = p.get("cases", 0)
        return ngettext("The person has %(n)s earlier case", "The person has %(n)s earlier cases", n) % {
            "n": n
        }
    if code == "repeated_returns":
        return _("Returned %(r)s times and escalated %(e)s times") % {
            "r": p.get("returns", 0),
            "e": p.get("escalations", 0),
        }
    return code


def risk_out(level: str, reasons: list[dict]) -> dict:
    """The API/UI form: {level, reasons: [{code, level, text, params}]}."""
    return {
        "level": level,
        "reasons": [
            {
                "code": r.get("code", ""),
                "level": r.get("level", ""),
                "text": reason_text(r),
                "params": r.get("params") or {},
            }
            for r in reasons
        ],
    }
