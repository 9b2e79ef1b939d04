from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "jiefen.portal"
    verbose_name = _("citizen portal")

    def ready(self):
        from jiefen.portal import events  # noqa: F401 - registers the portal's timeline entries
