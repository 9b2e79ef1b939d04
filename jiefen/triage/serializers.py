"""Plain-dict forms of triage results for the API and the pages (reasons rendered in the
reader's language)."""

from __future__ import annotations

from jiefen.triage.related import reason_label
from jiefen.triage.risk import risk_out


def related_out(items: list[dict]) -> list[dict]:
    return [
        {
            "number": r["number"],
            "reason": r["reason"],
            "reasons": list(r.get("reasons") or [r["reason"]]),
            "reason_text": reason_label(r["reason"]),
            "score": round(float(r["score"]), 3),
        }
        for r in items
    ]


def proposal_out(proposal) -> dict | None:
    return proposal.as_dict() if proposal is not None else None


def triage_created_out(reg, viewer=None) -> dict:
    """`risk`, `related` and `routing` of POST /api/v1/cases (from the registration's triage);
    related cases outside the viewer's jurisdiction are left out."""
    from jiefen.triage.selectors import visible_related

    t = getattr(reg, "triage", None)
    if t is None:
        return {"risk": None, "related": [], "routing": None}
    return {
        "risk": risk_out(t.risk.level, [r.as_dict() for r in t.risk.reasons]),
        "related": related_out(visible_related(viewer=viewer, items=t.related.items)),
        "routing": {**t.routing_out(), "proposal": proposal_out(t.proposal)},
    }
