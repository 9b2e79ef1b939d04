from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "jiefen.alerts"
    label = "alerts"
    verbose_name = _("early warning")

    def ready(self):
        from jiefen.alerts.services import on_calendar_changed
        from jiefen.deadlines.signals import calendar_changed

        calendar_changed.connect(on_calendar_changed, dispatch_uid="alerts.calendar_notice")
