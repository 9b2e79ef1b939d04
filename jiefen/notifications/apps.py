from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "jiefen.notifications"
    verbose_name = _("notifications")

    def ready(self) -> None:
        # Load the Celery app so that shared tasks bind to it (broker from settings), in web
        # processes and commands too, not only in `celery -A jiefen worker`.
        import jiefen.celery  # noqa: F401
