from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "jiefen.inspections"
    label = "inspections"
    verbose_name = _("dispute inspections (排查)")

    def ready(self):
        from jiefen.inspections import events  # noqa: F401 - registers the 排查 timeline entries
