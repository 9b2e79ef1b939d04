"""Public-domain screening scales as data, and their scoring (pure).

PHQ-9 and GAD-7 (Pfizer, free to use): each item 0–3 (not at all / several days / more than
half the days / nearly every day). PHQ-9's item 9 asks about thoughts of self-harm: any answer
above 0 raises an immediate alert, whatever the total.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Scale:
    code: str
    label: object
    items: int
    bands: tuple[tuple[int, str, object], ...]  # (lowest score, code, label), ascending
    self_harm_item: int | None = None  # 0-based index


PHQ9 = Scale(
    "phq9",
    _("PHQ-9 (depression)"),
    9,
    (
        (0, "minimal", _("minimal")),
        (5, "mild", _("mild")),
        (10, "moderate", _("moderate")),
        (15, "moderately_severe", _("moderately severe")),
        (20, "severe", _("severe")),
    ),
    self_harm_item=8,
)
GAD7 = Scale(
    "gad7",
    _("GAD-7 (anxiety)"),
    7,
    (
        (0, "minimal", _("minimal")),
        (5, "mild", _("mild")),
        (10, "moderate", _("moderate")),
        (15, "severe", _("severe")),
    ),
)
SCALES = {s.code: s for s in (PHQ9, GAD7)}

# Words in a case's description that propose a referral (a subset of triage's red words).
SELF_HARM_WORDS = (
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
    "不想活",
    "活不下去",
    "死给你看",
)


@dataclass(frozen=True)
class Result:
    scale: str
    score: int
    band: str
    self_harm: bool


def score(scale_code: str, answers: list[int]) -> Result | None:
    """None when the answers do not fit the scale (wrong count or a value outside 0–3)."""
    scale = SCALES.get(scale_code)
    if scale is None or len(answers) != scale.items or any(a not in (0, 1, 2, 3) for a in answers):
        return None
    total = sum(answers)
    band = [code for low, code, _label in scale.bands if total >= low][-1]
    harm = scale.self_harm_item is not None and answers[scale.self_harm_item] > 0
    return Result(scale.code, total, band, harm)


def band_label(scale_code: str, band: str) -> str:
    scale = SCALES[scale_code]
    return next(str(label) for _low, code, label in scale.bands if code == band)
