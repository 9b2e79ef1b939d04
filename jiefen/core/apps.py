from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jiefen.core"
    label = "core"
    verbose_name = _("core")

    def ready(self) -> None:
        from jiefen.core.refcache import connect_signals

        connect_signals()
