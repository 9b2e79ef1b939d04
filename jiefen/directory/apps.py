from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "jiefen.directory"
    label = "directory"
    verbose_name = _("organisations and staff")
