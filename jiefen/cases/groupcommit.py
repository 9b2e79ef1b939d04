"""Group commit: registrations that arrive at the same time in one process share a transaction.

A county's case numbers are gap-free, so the registrations of a county are serialised from the
moment a number is taken to the commit; and each registration alone pays a dozen round trips
to the database and a commit. When requests arrive faster than one registration takes, the
API's threads therefore queue their registrations here: the first thread to arrive leads — it
registers everything waiting (up to `JIEFEN_GROUP_COMMIT_MAX`) with `case_register_many`, in
one transaction, one INSERT (or COPY) per table — and the threads that arrived meanwhile wait
for their own result. When the leader is done and more are waiting, the oldest waiting thread
leads the next group. Nothing waits on a timer: a lone request is registered at once, as
before; under load the groups grow by themselves.

Each request keeps its own outcome: a refused request (bad input, outside the caller's
jurisdiction, a petition already ended) gets its own error and the others go in; if the
group's transaction fails as a whole (a database error), each request of the group is tried
again alone, so that one request can never fail another. Each case records the staff member
whose request it was.

A caller inside a transaction of its own registers directly (its case must commit or roll back
with that transaction, not with a group's).

A leader waits a little (at most `JIEFEN_GROUP_COMMIT_WAIT_MS`) before it takes its group, but
only for requests it has reason to expect: those this process has already received and is
still reading (authentication, parsing) — `ArrivalMiddleware` counts them from the moment a
request for `POST /api/v1/cases` comes in until it joins the queue or fails — and as many as
the previous group had (clients that got their answers together tend to come back together,
and their requests may still be on their way). Under load those registrations would otherwise
start a group of their own a few milliseconds later, paying the group's fixed work (a dozen
statements, a commit) once more. A lone client's requests never wait: its groups are of one.
(PostgreSQL's own group commit is alike: `commit_delay` waits only while `commit_siblings`
other transactions are active.)
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connection

from jiefen.cases.services import Registration, RegistrationRequest, case_register_many
from jiefen.core.errors import DomainError

log = logging.getLogger(__name__)


class _Slot:
    __slots__ = ("request", "done", "lead", "result", "error")

    def __init__(self, request: RegistrationRequest):
        self.request = request
        self.done = threading.Event()
        self.lead = False
        self.result: Registration | None = None
        self.error: BaseException | None = None

    def outcome(self) -> Registration:
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


_arrival = threading.local()


class RegistrationQueue:
    def __init__(self, max_group: int | None = None):
        self._lock = threading.Lock()
        self._joined = threading.Condition(self._lock)  # a request joined, or stopped arriving
        self._waiting: list[_Slot] = []
        self._busy = False
        self._max = max_group
        self._arriving = 0  # requests received by this process, not yet in the queue
        self._last = 1  # size of the last group
        self.groups = 0  # groups registered (for tests and the benchmark)

    @property
    def max_group(self) -> int:
        return self._max or settings.JIEFEN_GROUP_COMMIT_MAX

    def arrive(self) -> None:
        """A registration request came in on this thread (ArrivalMiddleware)."""
        with self._lock:
            self._arriving += 1
        _arrival.queue = self

    def departed(self) -> None:
        """The request of this thread has joined the queue or ended without joining it."""
        if getattr(_arrival, "queue", None) is not self:
            return
        _arrival.queue = None
        with self._lock:
            self._arriving -= 1
            self._joined.notify_all()

    def register(self, request: RegistrationRequest) -> Registration:
        """Register `request` (its `actor` is the requesting staff member), alone or with the
        requests waiting beside it. Raises what `case_register` would raise for it."""
        if connection.in_atomic_block or not settings.JIEFEN_GROUP_COMMIT:
            self.departed()
            return _register_alone(request)
        slot = _Slot(request)
        counted = getattr(_arrival, "queue", None) is self
        _arrival.queue = None
        with self._lock:
            self._waiting.append(slot)
            if counted:
                self._arriving -= 1
            # Wake a waiting leader whether or not the middleware counted this request: one that
            # came by another path (another URL, a call from Python) is still one more of the
            # group the leader expects, and without the wake-up it would sleep out its whole wait.
            self._joined.notify_all()
            lead = not self._busy
            self._busy = True
        if not lead:
            slot.done.wait()
            if not slot.lead:
                return slot.outcome()
            slot.done.clear()  # this thread leads the next group (its slot is first in line)
        self._lead()
        return slot.outcome()

    def _lead(self) -> None:
        wait = settings.JIEFEN_GROUP_COMMIT_WAIT_MS / 1000
        with self._lock:
            expect = min(self._last, self.max_group)

            def more_coming() -> bool:
                return len(self._waiting) < self.max_group and (
                    self._arriving > 0 or len(self._waiting) < expect
                )

            if wait > 0 and more_coming():
                deadline = time.monotonic() + wait
                while more_coming():
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._joined.wait(left)
            group, self._waiting = self._waiting[: self.max_group], self._waiting[self.max_group :]
            self._last = len(group)
        try:
            _register_group(group)
            self.groups += 1
        finally:
            with self._lock:
                nxt = self._waiting[0] if self._waiting else None
                self._busy = nxt is not None
            for s in group:
                s.done.set()
            if nxt is not None:
                nxt.lead = True
                nxt.done.set()


def _register_alone(request: RegistrationRequest) -> Registration:
    (out,) = case_register_many([request])
    if isinstance(out, DomainError):
        raise out
    return out


def _register_group(group: list[_Slot]) -> None:
    try:
        outcomes = case_register_many([s.request for s in group])
    except DatabaseError as exc:
        if len(group) == 1:
            group[0].error = exc
            return
        log.warning(
            "group of %s registrations failed as a whole; registering each alone", len(group), exc_info=True
        )
        for s in group:
            try:
                s.result = _register_alone(s.request)
            except Exception as exc:  # each request gets its own error
                s.error = exc
        return
    except Exception as exc:  # a bug: every request of the group sees it
        for s in group:
            s.error = exc
        return
    for s, out in zip(group, outcomes, strict=True):
        if isinstance(out, DomainError):
            s.error = out
        else:
            s.result = out


registrations = RegistrationQueue()


class ArrivalMiddleware:
    """Counts the registration requests (`POST /api/v1/cases`) this process is reading, for the
    group's leader (see the module's text). First in MIDDLEWARE, so that a request counts from
    the moment it comes in."""

    PATH = "/api/v1/cases"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST" or request.path_info.rstrip("/") != self.PATH:
            return self.get_response(request)
        registrations.arrive()
        try:
            return self.get_response(request)
        finally:
            registrations.departed()  # (nothing if the request joined the queue)
