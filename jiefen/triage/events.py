"""The timeline entries triage writes (registered in jiefen.cases.events)."""

from django.utils.translation import gettext_lazy as _

from jiefen.cases.events import register

register(
    ("category_confirmed", _("category confirmed")),
    ("linked", _("linked to another case")),
    ("merged_in", _("another case merged into this one")),
    ("routing_rule_skipped", _("routing rule skipped (cannot be evaluated)")),
)
