from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "jiefen.notifications"
    verbose_name = _("notifications")

    def ready(self) -> None:
        # Load the Celery app so that shared tasks bind to it (broker from settings), in web
        # processes and commands too, not only in `celery -A jiefen worker`.
        import jiefen.celery  # noqa: F401
        from jiefen.cases.hooks import Consumer, consumer_register
        from jiefen.notifications.services import notify_case_written, notify_cases_registered

        consumer_register(
            Consumer(
                "notifications",
                40,
                written=notify_case_written,
                registered=lambda items, _reads: notify_cases_registered(items),
            )
        )
