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
        from jiefen.alerts.services import on_case_written, on_cases_registered, registration_reads
        from jiefen.cases.hooks import Consumer, consumer_register

        consumer_register(
            Consumer(
                "alerts",
                30,
                written=on_case_written,
                registering=registration_reads,
                registered=lambda items, reads: on_cases_registered([case for case, _event in items], reads),
            )
        )
