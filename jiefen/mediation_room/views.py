"""Pages of the online mediation room. Thin: parse, call mediation_room.services, render.

A party has no account: the join page takes the case number and their own phone, a one-time
code goes to that phone, and the session then holds (procedure, party, until) for a while.
The mediator's page is a staff page behind login and the procedure's jurisdiction. New
messages come by htmx polling of a small fragment (`?after=<last id>`); with Redis configured a
poll that has seen the newest message is answered from Redis (services.room_latest) without
reading the database."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiefen.cases.models import Party
from jiefen.core import clock
from jiefen.core.errors import DomainError, NotFound, ValidationFailed
from jiefen.core.ratelimit import client_ip, hit
from jiefen.directory.models import Staff
from jiefen.mediation_room import selectors, services
from jiefen.mediation_room.choices import SessionMode
from jiefen.mediation_room.models import RoomMessage, TermsVersion
from jiefen.portal.files import MAX_BYTES
from jiefen.procedures.models import Procedure
from jiefen.procedures.selectors import procedure_get

PENDING = "room_pending"
IN_ROOM = "room_party"
ACCESS_FOR = timedelta(hours=2)
MAX_REQUEST_BYTES = MAX_BYTES + 1024 * 1024


def _limited(request: HttpRequest, scope: str, limit: int, per: int) -> HttpResponse | None:
    if hit(f"room:{scope}", client_ip(request), limit=limit, per_seconds=per):
        return None
    return render(
        request,
        "mediation_room/message.html",
        {
            "title": _("Please wait"),
            "text": _("Too many requests from your network. Please try again later."),
        },
        status=429,
    )


def _procedure(pk: int) -> Procedure:
    proc = Procedure.objects.select_related("case", "organization").filter(pk=pk).first()
    if proc is None:
        raise Http404(_("No such mediation room."))
    return proc


def _error_text(exc: DomainError) -> str:
    fields = "; ".join(", ".join(str(m) for m in v) for v in exc.fields.values())
    return f"{exc.message}" + (f" ({fields})" if fields and str(exc.message) != fields else "")


# ---------------------------------------------------------------- the party's side


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, pk: int) -> HttpResponse:
    proc = _procedure(pk)
    error = ""
    number = request.GET.get("number", "")
    if request.method == "POST":
        limited = _limited(request, "join", 10, 600)
        if limited:
            return limited
        number = request.POST.get("number", "")
        try:
            party = services.join_code_send(
                procedure=proc, number=number, phone=request.POST.get("phone", "")
            )
        except DomainError as exc:
            error = _error_text(exc)
        else:
            request.session[PENDING] = {"procedure": proc.pk, "party": party.pk}
            return redirect("mediation_room:join_code", pk=proc.pk)
    return render(
        request,
        "mediation_room/join.html",
        {"proc": proc, "number": number[:40], "error": error},
        status=422 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def join_code(request: HttpRequest, pk: int) -> HttpResponse:
    proc = _procedure(pk)
    pending = request.session.get(PENDING) or {}
    if pending.get("procedure") != proc.pk:
        return redirect("mediation_room:join", pk=proc.pk)
    error = ""
    if request.method == "POST":
        limited = _limited(request, "code", 20, 600)
        if limited:
            return limited
        party = Party.objects.get(pk=pending["party"])
        try:
            services.room_join(procedure=proc, party=party, code=request.POST.get("code", ""))
        except DomainError as exc:
            error = _error_text(exc)
        else:
            request.session.cycle_key()
            request.session.pop(PENDING, None)
            request.session[IN_ROOM] = {
                "procedure": proc.pk,
                "party": party.pk,
                "until": (clock.now() + ACCESS_FOR).isoformat(),
            }
            return redirect("mediation_room:room", pk=proc.pk)
    return render(
        request, "mediation_room/join_code.html", {"proc": proc, "error": error}, status=422 if error else 200
    )


def _party_in(request: HttpRequest, pk: int) -> tuple[Procedure, Party] | None:
    data = request.session.get(IN_ROOM) or {}
    if data.get("procedure") != pk or data.get("until", "") < clock.now().isoformat():
        return None
    party = Party.objects.filter(pk=data["party"]).first()
    proc = _procedure(pk)
    if party is None or party.case_id != proc.case_id:
        return None
    return proc, party


def _terms_state(terms: TermsVersion | None, confirmed: set[int], party: Party | None) -> str:
    """What the party's view of the terms depends on: it is sent again only when this changes."""
    if terms is None:
        return "none"
    mine = party is not None and party.pk in confirmed
    return f"{terms.number}-{int(terms.final_at is not None)}-{int(mine)}"


def _room_context(proc: Procedure, party: Party | None) -> dict:
    terms = selectors.current_terms(proc)
    confirmed = selectors.confirmed_party_ids(terms)
    msgs = selectors.messages(proc)
    return {
        "proc": proc,
        "case": proc.case,
        "party": party,
        "sessions": selectors.sessions(proc),
        "room_messages": msgs,
        "last_id": msgs[-1].pk if msgs else 0,
        "terms": terms,
        "confirmed": confirmed,
        "terms_state": _terms_state(terms, confirmed, party),
        "parties": list(proc.case.parties.order_by("pk")),
        "is_open": proc.ended_at is None and proc.status != "ended",
        "max_mb": MAX_BYTES // (1024 * 1024),
    }


@require_GET
def room(request: HttpRequest, pk: int) -> HttpResponse:
    found = _party_in(request, pk)
    if found is None:
        return redirect(reverse("mediation_room:join", args=[pk]))
    proc, party = found
    ctx = _room_context(proc, party)
    ctx["poll_url"] = reverse("mediation_room:room_messages", args=[pk])
    ctx["error"] = request.session.pop("room_error", "")
    ctx["code_sent_for"] = request.session.pop("room_code_sent", None)
    return render(request, "mediation_room/room.html", ctx)


@require_GET
def room_terms(request: HttpRequest, pk: int) -> HttpResponse:
    """The terms as the party sees them, polled: 204 (nothing to swap) while unchanged."""
    found = _party_in(request, pk)
    if found is None:
        return HttpResponse(status=403)
    proc, party = found
    terms = selectors.current_terms(proc)
    confirmed = selectors.confirmed_party_ids(terms)
    state = _terms_state(terms, confirmed, party)
    if request.GET.get("state") == state:
        return HttpResponse(status=204)
    return render(
        request,
        "mediation_room/_party_terms.html",
        {
            "proc": proc,
            "party": party,
            "terms": terms,
            "confirmed": confirmed,
            "terms_state": state,
            "is_open": proc.ended_at is None and proc.status != "ended",
        },
    )


def _after(request: HttpRequest) -> int:
    value = request.GET.get("after", "0")
    return int(value) if value.isdigit() else 0


@require_GET
def room_messages(request: HttpRequest, pk: int) -> HttpResponse:
    found = _party_in(request, pk)
    if found is None:
        return HttpResponse(status=403)
    proc, party = found
    return _messages_fragment(request, proc, party, "mediation_room:room_file")


def _messages_fragment(request, proc, party, file_url: str) -> HttpResponse:
    after = _after(request)
    # With Redis, a poll that has seen the newest message asks Redis, not the database.
    latest = services.room_latest(proc.pk)
    if latest is not None and latest <= after:
        msgs = []
    else:
        msgs = selectors.messages(proc, after=after)
        if latest is None and msgs:  # (the newest id the database gave, never the client's)
            services.room_latest_remember(proc.pk, msgs[-1].pk)
    return render(
        request,
        "mediation_room/_messages.html",
        {
            "room_messages": msgs,
            "proc": proc,
            "me": party,
            "file_url": file_url,
            "poll_url": request.path,
            "last_id": msgs[-1].pk if msgs else after,
        },
    )


def _upload(request: HttpRequest) -> services.Upload | None:
    f = request.FILES.get("file")
    if f is None:
        return None
    return services.Upload(name=f.name or "", content=f.read(MAX_BYTES + 1))


@require_POST
def room_post(request: HttpRequest, pk: int) -> HttpResponse:
    found = _party_in(request, pk)
    if found is None:
        return redirect(reverse("mediation_room:join", args=[pk]))
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_REQUEST_BYTES:
        request.session["room_error"] = _("The file is larger than 10 MB.")
        return redirect("mediation_room:room", pk=pk)
    proc, party = found
    try:
        services.message_post(
            procedure=proc, text=request.POST.get("text", ""), upload=_upload(request), party=party
        )
    except DomainError as exc:
        request.session["room_error"] = _error_text(exc)
    return redirect(reverse("mediation_room:room", args=[pk]) + "#messages")


def _terms_of(proc: Procedure, tid: int) -> TermsVersion:
    terms = TermsVersion.objects.filter(pk=tid, procedure=proc).first()
    if terms is None:
        raise Http404(_("No such terms version."))
    return terms


@require_POST
def room_confirm_code(request: HttpRequest, pk: int, tid: int) -> HttpResponse:
    found = _party_in(request, pk)
    if found is None:
        return redirect(reverse("mediation_room:join", args=[pk]))
    proc, party = found
    limited = _limited(request, "confirm-code", 10, 600)
    if limited:
        return limited
    try:
        services.confirm_code_send(terms=_terms_of(proc, tid), party=party)
    except DomainError as exc:
        request.session["room_error"] = _error_text(exc)
    else:
        request.session["room_code_sent"] = tid
    return redirect(reverse("mediation_room:room", args=[pk]) + "#terms")


@require_POST
def room_confirm(request: HttpRequest, pk: int, tid: int) -> HttpResponse:
    found = _party_in(request, pk)
    if found is None:
        return redirect(reverse("mediation_room:join", args=[pk]))
    proc, party = found
    limited = _limited(request, "confirm", 20, 600)
    if limited:
        return limited
    try:
        services.terms_confirm(
            terms=_terms_of(proc, tid),
            party=party,
            code=request.POST.get("code", ""),
            ip=client_ip(request) if client_ip(request) != "unknown" else None,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    except DomainError as exc:
        request.session["room_error"] = _error_text(exc)
        request.session["room_code_sent"] = tid
    return redirect(reverse("mediation_room:room", args=[pk]) + "#terms")


def _file_response(msg: RoomMessage) -> FileResponse:
    types = {
        "jpeg": "image/jpeg",
        "png": "image/png",
        "gif": "image/gif",
        "webp": "image/webp",
        "pdf": "application/pdf",
    }
    resp = FileResponse(
        msg.file.open("rb"), content_type=types.get(msg.file_kind, "application/octet-stream")
    )
    resp["Content-Disposition"] = (
        f'attachment; filename="evidence-{msg.pk}.{msg.file.name.rsplit(".", 1)[-1]}"'
    )
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@require_GET
def room_file(request: HttpRequest, pk: int, mid: int) -> FileResponse:
    found = _party_in(request, pk)
    if found is None:
        raise Http404
    msg = RoomMessage.objects.filter(pk=mid, procedure_id=pk).exclude(file="").first()
    if msg is None:
        raise Http404
    return _file_response(msg)


# ---------------------------------------------------------------- the mediator's side


def _staff_procedure(request: HttpRequest, pk: int) -> Procedure:
    try:
        return procedure_get(viewer=cast(Staff, request.user), pk=pk)  # behind login_required
    except NotFound:
        raise Http404(_("No such procedure.")) from None


@login_required
@require_GET
def mediator(request: HttpRequest, pk: int) -> HttpResponse:
    proc = _staff_procedure(request, pk)
    ctx = _room_context(proc, None)
    ctx["poll_url"] = reverse("mediation_room:mediator_messages", args=[pk])
    ctx["modes"] = SessionMode.choices
    ctx["link"] = (
        request.build_absolute_uri(reverse("mediation_room:join", args=[proc.pk]))
        + f"?number={proc.case.number}"
    )
    ctx["confirmations"] = selectors.confirmations_for(proc)
    ctx["versions"] = list(TermsVersion.objects.filter(procedure=proc).order_by("-number"))
    return render(request, "mediation_room/mediator.html", ctx)


@login_required
@require_GET
def mediator_messages(request: HttpRequest, pk: int) -> HttpResponse:
    proc = _staff_procedure(request, pk)
    return _messages_fragment(request, proc, None, "mediation_room:mediator_file")


def _run(request: HttpRequest, pk: int, done: str, fn, anchor: str = "") -> HttpResponse:
    try:
        fn()
    except DomainError as exc:
        flash.error(request, _error_text(exc))
    else:
        flash.success(request, done)
    return redirect(reverse("mediation_room:mediator", args=[pk]) + anchor)


def _datetime(value: str) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("Not a date and time."), fields={"starts_at": [_("invalid")]}) from None
    return timezone.make_aware(dt) if timezone.is_naive(dt) else dt


@login_required
@require_POST
def mediator_session(request: HttpRequest, pk: int) -> HttpResponse:
    proc = _staff_procedure(request, pk)
    return _run(
        request,
        pk,
        _("Session scheduled."),
        lambda: services.session_schedule(
            procedure=proc,
            actor=request.user,
            starts_at=_datetime(request.POST.get("starts_at", "")),
            mode=request.POST.get("mode", ""),
            place=request.POST.get("place", ""),
            meeting_link=request.POST.get("meeting_link", ""),
            note=request.POST.get("note", ""),
        ),
        "#sessions",
    )


@login_required
@require_POST
def mediator_invite(request: HttpRequest, pk: int) -> HttpResponse:
    proc = _staff_procedure(request, pk)
    link = (
        request.build_absolute_uri(reverse("mediation_room:join", args=[proc.pk]))
        + f"?number={proc.case.number}"
    )
    return _run(
        request,
        pk,
        _("The parties were invited by SMS."),
        lambda: services.parties_invite(procedure=proc, actor=request.user, link=link),
        "#sessions",
    )


@login_required
@require_POST
def mediator_post(request: HttpRequest, pk: int) -> HttpResponse:
    proc = _staff_procedure(request, pk)
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_REQUEST_BYTES:
        flash.error(request, _("The file is larger than 10 MB."))
        return redirect("mediation_room:mediator", pk=pk)
    return _run(
        request,
        pk,
        _("Message sent."),
        lambda: services.message_post(
            procedure=proc, text=request.POST.get("text", ""), upload=_upload(request), staff=request.user
        ),
        "#messages",
    )


@login_required
@require_POST
def mediator_terms(request: HttpRequest, pk: int) -> HttpResponse:
    proc = _staff_procedure(request, pk)
    return _run(
        request,
        pk,
        _("The terms were put to the parties."),
        lambda: services.terms_propose(procedure=proc, actor=request.user, text=request.POST.get("text", "")),
        "#terms",
    )


@login_required
@require_GET
def mediator_file(request: HttpRequest, pk: int, mid: int) -> FileResponse:
    proc = _staff_procedure(request, pk)
    msg = RoomMessage.objects.filter(pk=mid, procedure=proc).exclude(file="").first()
    if msg is None:
        raise Http404
    services.file_opened(message=msg, staff=request.user)
    return _file_response(msg)
