from django import template

register = template.Library()


@register.filter
def figure(value):
    """A count as is, a share (a float in [0, 1]) as a percentage, nothing as "—"."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value * 100:.1f}%"
    return value
