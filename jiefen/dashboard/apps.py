from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "jiefen.dashboard"
    label = "dashboard"
    verbose_name = _("command dashboard")

    def ready(self):
        from jiefen.cases.hooks import Consumer, consumer_register
        from jiefen.dashboard.services import on_case_written, on_cases_registered

        consumer_register(
            Consumer(
                "dashboard",
                20,
                written=on_case_written,
                registered=lambda items, _reads: on_cases_registered([case for case, _event in items]),
            )
        )
