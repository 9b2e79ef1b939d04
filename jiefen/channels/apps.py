from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "jiefen.channels"
    # Not "channels": that label belongs to the Django Channels package.
    label = "intake_channels"
    verbose_name = _("intake channels")

    def ready(self) -> None:
        from jiefen.channels.open311 import error_response
        from jiefen.core.edge import refusal_format

        refusal_format("open311", error_response)  # the input gate answers in the spec's format
