"""The region tree as <option>s: the viewer's county, towns and villages, indented, for filters
that pick a region (the case list, the dashboard) instead of typing its code."""

from django import template

from jiefen.web.selectors import region_tree

register = template.Library()


@register.inclusion_tag("web/_region_tree_options.html", takes_context=True)
def region_tree_options(context, selected=""):
    request = context.get("request")
    viewer = getattr(request, "user", None)
    regions = region_tree(viewer=viewer) if viewer is not None and viewer.is_authenticated else []
    return {"regions": regions, "selected": selected or ""}
