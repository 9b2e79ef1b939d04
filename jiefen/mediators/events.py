"""The timeline entries the mediator registry writes (registered in jiefen.cases.events)."""

from django.utils.translation import gettext_lazy as _

from jiefen.cases.events import register

register(("mediator_preferred", _("a party chose a preferred mediator")))
