from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jiefen.core"
    label = "core"

    def ready(self) -> None:
        from jiefen.core.refcache import connect_signals

        connect_signals()
