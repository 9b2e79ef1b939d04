"""The timeline entries the online mediation room writes (registered in jiefen.cases.events)."""

from django.utils.translation import gettext_lazy as _

from jiefen.cases.events import register

register(
    ("room_session_scheduled", _("mediation session scheduled")),
    ("room_parties_invited", _("parties invited to the mediation room")),
    ("room_party_joined", _("party joined the mediation room")),
    ("room_message", _("message in the mediation room")),
    ("room_file", _("evidence file in the mediation room")),
    ("terms_proposed", _("terms put to the parties")),
    ("terms_confirmed", _("terms confirmed by a party")),
    ("terms_final", _("agreement final: every party confirmed")),
)
