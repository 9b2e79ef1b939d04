"""Classification over HTTP: `POST /triage/classify {"text": ...}` -> category, confidence, top 3, keywords.

Registered by `jiefen.api.router` under `/api/v1/`. An empty or whitespace text is a 422
(`validation_failed`, field `text`); a text over 100,000 characters is rejected by the schema (422).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from jiefen.core.errors import ValidationFailed
from jiefen.triage.classifier import EmptyText, classify

router = Router(tags=["triage"])

MAX_TEXT_CHARS = 100_000


class ClassifyIn(Schema):
    text: str = Field(..., max_length=MAX_TEXT_CHARS)


class ClassifyOut(Schema):
    category: str
    confidence: float
    top: list[tuple[str, float]]
    keywords: list[str]
    needs_review: bool


@router.post("/triage/classify", response=ClassifyOut)
def triage_classify(request, payload: ClassifyIn):
    """The dispute category of a text (DESIGN.md §6), with a calibrated confidence, the three most
    likely categories and the words that drove the decision. `needs_review` is true below the
    confidence threshold: a dispatcher confirms the category.
    """
    try:
        result = classify(payload.text)
    except EmptyText as exc:
        raise ValidationFailed(
            _("There is no text to classify."), fields={"text": [_("Enter the text to classify.")]}
        ) from exc
    return result.as_dict()
