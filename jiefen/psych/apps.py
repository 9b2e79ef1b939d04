from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PsychConfig(AppConfig):
    name = "jiefen.psych"
    label = "psych"
    verbose_name = _("psychological service")
