"""`{% reopen_waiting %}`: the dispatcher's reminder of requests to reopen, on their work list."""

from __future__ import annotations

from django import template

from jiefen.portal import selectors

register = template.Library()


@register.inclusion_tag("portal/staff/_waiting.html", takes_context=True)
def reopen_waiting(context):
    user = context["request"].user
    return {"count": selectors.reopen_waiting_count(viewer=user) if user.is_authenticated else 0}
