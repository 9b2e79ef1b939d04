from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WatchlistConfig(AppConfig):
    name = "jiefen.watchlist"
    label = "watchlist"
    verbose_name = _("people needing continued attention")

    def ready(self):
        from jiefen.alerts.services import sweep_step_register
        from jiefen.cases.hooks import Consumer, consumer_register
        from jiefen.watchlist.services import on_cases_registered, registration_reads, watch_lapse_due

        # a listed person's new case alerts the responsible officer
        consumer_register(
            Consumer(
                "watchlist",
                60,
                registering=registration_reads,
                registered=lambda items, reads: on_cases_registered([case for case, _event in items], reads),
            )
        )
        # entries whose review date passed without renewal lapse, in the alert sweep
        sweep_step_register("watchlist_lapsed", watch_lapse_due)
