"""What the API keeps of its own: the answers of requests sent with an Idempotency-Key."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotentRequest(models.Model):
    """One `Idempotency-Key` of one caller on one operation, and the answer it got.

    `scope` is a hash of the caller's credentials (the bearer token): two clients never share
    keys. While `status` is 0 the request is running; then it holds the answer replayed to a
    retry with the same key and body.
    """

    scope = models.CharField(max_length=64, verbose_name=_("scope"))
    operation = models.CharField(max_length=100, verbose_name=_("operation"))
    key = models.CharField(max_length=200, verbose_name=_("key"))
    body_hash = models.CharField(max_length=64, verbose_name=_("body hash"))
    status = models.PositiveSmallIntegerField(default=0, verbose_name=_("status"))
    content_type = models.CharField(max_length=100, blank=True, verbose_name=_("content type"))
    response = models.BinaryField(blank=True, default=b"", verbose_name=_("response"))
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [
            models.UniqueConstraint(fields=["scope", "operation", "key"], name="idempotent_request_key")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotent_request_created")]

    def __str__(self) -> str:
        return f"{self.operation} {self.key}"
