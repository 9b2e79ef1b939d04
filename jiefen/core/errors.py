"""Domain errors with stable codes.

Services raise these; the API turns them into `{"error": code, "message": text}` with the
status below, the web views into a message in the user's language. A code never changes
once published; the message is translated.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "error"
    status = 400

    def __init__(
        self, message: Any = "", *, code: str | None = None, fields: dict[str, list[str]] | None = None
    ):
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": str(self.message)}
        if self.fields:
            body["fields"] = {k: [str(m) for m in v] for k, v in self.fields.items()}
        return body


class ValidationFailed(DomainError):
    code = "validation_failed"
    status = 422


class NotFound(DomainError):
    code = "not_found"
    status = 404


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403


class IllegalTransition(DomainError):
    code = "illegal_transition"
    status = 409


class Conflict(DomainError):
    code = "version_conflict"
    status = 409


class CalendarYearUnknown(DomainError):
    """The working-day calendar has no data for a year: an admin must add that year's notice."""

    code = "calendar_year_unknown"
    status = 422
