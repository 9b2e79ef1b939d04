from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "jiefen.triage"
    label = "triage"
    verbose_name = _("triage")

    def ready(self):
        from jiefen.triage import events  # noqa: F401 - registers triage's timeline entries
