"""`{% reopen_waiting %}`: the dispatcher's reminder of requests to reopen, on their work list."""

from __future__ import annotations

from django import template

from jiefen.portal import selectors
from jiefen.portal.services import DECIDERS

register = template.Library()


@register.inclusion_tag("portal/staff/_waiting.html", takes_context=True)
def reopen_waiting(context):
    user = context["request"].user
    decides = user.is_authenticated and (user.is_superuser or bool(set(user.roles or []) & DECIDERS))
    return {"count": selectors.reopen_waiting_count(viewer=user) if decides else 0}
