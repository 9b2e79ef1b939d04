from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediatorsConfig(AppConfig):
    name = "jiefen.mediators"
    label = "mediators"
    verbose_name = _("mediators and organisations (registry)")

    def ready(self):
        from jiefen.mediators import events  # noqa: F401 - registers the registry's timeline entries
