from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WatchlistConfig(AppConfig):
    name = "jiefen.watchlist"
    label = "watchlist"
    verbose_name = _("people needing continued attention")
