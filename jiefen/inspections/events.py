"""The timeline entries 排查 writes on cases (registered in jiefen.cases.events)."""

from django.utils.translation import gettext_lazy as _

from jiefen.cases.events import register

register(("inspection_found", _("found in a routine check (排查)")))
