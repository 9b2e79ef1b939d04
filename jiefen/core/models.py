"""What the core keeps in the database: the fingerprint of the keys personal data is written with."""

from django.db import models


class KeyFingerprint(models.Model):
    """An HMAC of a fixed text under the personal-data and hash keys, written by the first
    process that encrypts anything. A process with other keys (a fresh data folder, a copied
    configuration) is then refused before it writes a single value the others cannot read."""

    name = models.CharField(max_length=40, unique=True)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
