from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "jiefen.triage"
    label = "triage"
    verbose_name = _("triage")

    def ready(self):
        from jiefen.cases.hooks import Consumer, consumer_register
        from jiefen.triage import events  # noqa: F401 - registers triage's timeline entries
        from jiefen.triage.services import on_case_written

        # a new case's risk is recorded at registration: nothing to do for `registered`
        consumer_register(Consumer("triage", 10, written=on_case_written))
