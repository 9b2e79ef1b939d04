from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "jiefen.cases"
    label = "cases"

    def ready(self):
        from jiefen.cases.services import case_deadlines_recompute
        from jiefen.deadlines.signals import calendar_changed

        calendar_changed.connect(case_deadlines_recompute, dispatch_uid="cases.deadlines_recompute")
