from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "jiefen.triage"
    label = "triage"

    def ready(self):
        from jiefen.triage import events  # noqa: F401 - registers triage's timeline entries
