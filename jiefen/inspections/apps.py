from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "jiefen.inspections"
    label = "inspections"
    verbose_name = _("dispute inspections (排查)")

    def ready(self):
        from jiefen.alerts.models import RuleKind
        from jiefen.alerts.services import sweep_step_register
        from jiefen.inspections import events  # noqa: F401 - registers the 排查 timeline entries
        from jiefen.inspections.services import inspection_alerts_sync

        sweep_step_register(RuleKind.INSPECTION_MISSING, inspection_alerts_sync)
