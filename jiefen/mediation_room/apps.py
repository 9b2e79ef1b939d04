from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationRoomConfig(AppConfig):
    name = "jiefen.mediation_room"
    label = "mediation_room"
    verbose_name = _("online mediation room")

    def ready(self):
        from jiefen.mediation_room import events  # noqa: F401 - registers the room's timeline entries
        from jiefen.mediation_room.selectors import confirmations_for
        from jiefen.procedures.documents import confirmations_reader_register

        # The agreement and the file print the parties' confirmations (procedures.documents).
        confirmations_reader_register(confirmations_for)
