"""What the core keeps in the database: the fingerprint of the keys personal data is written with."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class KeyFingerprint(models.Model):
    """An HMAC of a fixed text under the personal-data and hash keys, written by the first
    process that encrypts anything. A process with other keys (a fresh data folder, a copied
    configuration) is then refused before it writes a single value the others cannot read."""

    name = models.CharField(max_length=40, unique=True, verbose_name=_("name"))
    fingerprint = models.CharField(max_length=64, verbose_name=_("fingerprint"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("key fingerprint")
        verbose_name_plural = _("key fingerprints")

    def __str__(self) -> str:
        return self.name
