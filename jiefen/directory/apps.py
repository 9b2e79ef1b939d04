from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    default = True
    name = "jiefen.directory"
    label = "directory"
    verbose_name = _("organisations and staff")


class TotpConfig(AppConfig):
    """django-otp's TOTP plugin, named in the reader's language (the package has no zh-Hans)."""

    name = "django_otp.plugins.otp_totp"
    default_auto_field = "django.db.models.AutoField"
    verbose_name = _("second factor (authenticator apps)")

    def ready(self):
        # The model's names are plain English strings in the package; the admin reads these two
        # attributes (migrations read Meta's original options, which stay as they are).
        device = self.get_model("TOTPDevice")
        device._meta.verbose_name = _("authenticator app")
        device._meta.verbose_name_plural = _("authenticator apps")
