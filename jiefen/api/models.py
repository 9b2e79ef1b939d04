"""What the API keeps of its own: the answers of requests sent with an Idempotency-Key."""

from django.db import models


class IdempotentRequest(models.Model):
    """One `Idempotency-Key` of one caller on one operation, and the answer it got.

    `scope` is a hash of the caller's credentials (the bearer token): two clients never share
    keys. While `status` is 0 the request is running; then it holds the answer replayed to a
    retry with the same key and body.
    """

    scope = models.CharField(max_length=64)
    operation = models.CharField(max_length=100)
    key = models.CharField(max_length=200)
    body_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    response = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "operation", "key"], name="idempotent_request_key")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotent_request_created")]

    def __str__(self) -> str:
        return f"{self.operation} {self.key}"
