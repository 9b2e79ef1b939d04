from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "jiefen.cases"
    label = "cases"
    verbose_name = _("cases")

    def ready(self):
        from jiefen.cases.services import case_deadlines_recompute
        from jiefen.deadlines.signals import calendar_changed

        calendar_changed.connect(case_deadlines_recompute, dispatch_uid="cases.deadlines_recompute")
