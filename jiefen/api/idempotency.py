"""`Idempotency-Key` on the API's creating operations (registration, the 12345 batch).

A client whose connection dropped after the commit sends the same request again with the same
key: it gets the first answer again (header `Idempotent-Replayed: true`) and nothing is
registered twice. The same key with another body is refused (422 `idempotency_key_reused`);
a retry while the first is still running is refused (409 `idempotency_in_progress`). Bodies
are compared as JSON (key order and spacing do not matter). Keys are kept
`JIEFEN_IDEMPOTENCY_HOURS` (24); a server error forgets the key so that a retry runs again.

A middleware, so that the answer kept is exactly the bytes the client was sent.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from jiefen.core import clock
from jiefen.core.edge import refuse

HEADER = "HTTP_IDEMPOTENCY_KEY"
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")  # visible ASCII, as the IETF draft's examples


def _body_hash(body: bytes) -> str:
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()
    except (ValueError, UnicodeDecodeError):
        return hashlib.sha256(body).hexdigest()


class _Discard(Exception):  # noqa: N818 - a control-flow signal, not an error
    def __init__(self, response):
        super().__init__()
        self.response = response


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.META.get(HEADER)
        operation = request.path_info.rstrip("/")
        auth = request.META.get("HTTP_AUTHORIZATION", "")
        if (
            key is None
            or request.method != "POST"
            or operation not in settings.JIEFEN_IDEMPOTENT_PATHS
            or not auth
        ):
            return self.get_response(request)
        if not _KEY.match(key):
            return refuse(
                request,
                422,
                "idempotency_key_invalid",
                _("The Idempotency-Key must be 1 to 200 visible ASCII characters."),
            )
        return self._once(request, key, operation, hashlib.sha256(auth.encode()).hexdigest())

    def _once(self, request, key: str, operation: str, scope: str) -> HttpResponse:
        """The key's row, the operation and its answer are one transaction: a process killed
        half-way leaves neither a case nor a key behind, and the retry runs the request anew.
        A second request with the same key waits for the first's commit at the key's unique
        index, then gets its answer."""
        from jiefen.api.models import IdempotentRequest

        body_hash = _body_hash(request.body)
        now = clock.now()
        mine = dict(scope=scope, operation=operation, key=key)
        IdempotentRequest.objects.filter(
            **mine, created_at__lt=now - timedelta(hours=settings.JIEFEN_IDEMPOTENCY_HOURS)
        ).delete()
        try:
            with transaction.atomic():
                row = IdempotentRequest.objects.create(**mine, body_hash=body_hash, created_at=now)
                response = self.get_response(request)
                if response.status_code >= 500 or getattr(response, "streaming", False):
                    raise _Discard(response)  # nothing of it stays; the key is free again
                row.status = response.status_code
                row.content_type = response.get("Content-Type", "")[:100]
                row.response = bytes(response.content)
                row.save(update_fields=["status", "content_type", "response"])
            return response
        except _Discard as discarded:
            return discarded.response
        except IntegrityError:
            row = IdempotentRequest.objects.filter(**mine).first()
            if row is None:  # expired and deleted by another request meanwhile
                return self._once(request, key, operation, scope)
            return self._answer_again(request, row, body_hash)

    def _answer_again(self, request, row, body_hash: str) -> HttpResponse:
        if row.body_hash != body_hash:
            return refuse(
                request,
                422,
                "idempotency_key_reused",
                _("This Idempotency-Key was used for a different request."),
            )
        if row.status == 0:
            return refuse(
                request,
                409,
                "idempotency_in_progress",
                _("A request with this Idempotency-Key is still running; try again shortly."),
            )
        resp = HttpResponse(bytes(row.response), status=row.status, content_type=row.content_type or None)
        resp["Idempotent-Replayed"] = "true"
        return resp
