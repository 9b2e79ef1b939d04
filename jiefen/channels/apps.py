from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "jiefen.channels"
    # Not "channels": that label belongs to the Django Channels package.
    label = "intake_channels"
    verbose_name = _("intake channels")
