from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "jiefen.triage"
    label = "triage"
