from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "jiefen.portal"
    verbose_name = _("citizen portal")

    def ready(self) -> None:
        from jiefen.cases.hooks import Consumer, consumer_register
        from jiefen.portal import events  # noqa: F401  (registers the timeline kinds)

        def written(*, case, event, before):
            if event.kind == "reopen":  # however the case is reopened, its requests are decided
                from jiefen.portal.services import on_case_reopened

                on_case_reopened(case=case, event=event)

        consumer_register(Consumer("portal", 70, written=written))
