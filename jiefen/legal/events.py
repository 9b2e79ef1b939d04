"""The timeline entries the public legal service writes (registered in jiefen.cases.events)."""

from django.utils.translation import gettext_lazy as _

from jiefen.cases.events import register

register(
    ("legal_consultation", _("legal consultation")),
    ("legal_aid_applied", _("legal aid applied for")),
    ("legal_aid_decided", _("legal aid decided")),
    ("legal_aid_lawyer_assigned", _("legal-aid lawyer assigned")),
)
