from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalConfig(AppConfig):
    name = "jiefen.legal"
    label = "legal"
    verbose_name = _("public legal service and legal aid")
