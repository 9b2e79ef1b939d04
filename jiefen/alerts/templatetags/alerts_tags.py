"""The red watch: red-risk open cases and open red alerts, shown where nobody can miss them
(the top of the dashboard and of the case page)."""

from django import template

from jiefen.alerts.selectors import red_watch

register = template.Library()


@register.inclusion_tag("alerts/_red_watch.html", takes_context=True)
def red_watch_panel(context, case=None):
    request = context.get("request")
    viewer = getattr(request, "user", None)
    if viewer is None or not viewer.is_authenticated:
        return {"watch": None}
    watch = red_watch(viewer=viewer, case=case)
    return {"watch": watch, "case": case}
