"""Pages of the list of people needing continued attention: thin views over selectors/services."""

from __future__ import annotations

from datetime import date
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jiefen.cases.models import Party
from jiefen.cases.selectors import case_get
from jiefen.core.errors import DomainError, NotFound
from jiefen.directory.models import Staff
from jiefen.watchlist import selectors, services
from jiefen.watchlist.choices import ReasonKind


def _staff(request: HttpRequest) -> Staff:
    # Every page here is behind login_required, so the user is a signed-in Staff.
    return cast(Staff, request.user)


def _gate(request: HttpRequest) -> None:
    if not selectors.may_use_list(_staff(request)):
        raise Http404(_("Not found."))


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    _gate(request)
    status = request.GET.get("status", "active")
    if status not in ("active", "removed", "lapsed", ""):
        status = "active"
    entries = selectors.entry_list(viewer=_staff(request), status=status or None)
    context = {
        "entries": entries,
        "status": status,
        "purpose": selectors.purpose_text(),
        "may_add": services.is_leader(_staff(request)),
    }
    return render(request, "watchlist/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def entry_new(request: HttpRequest) -> HttpResponse:
    if not services.is_leader(_staff(request)):
        raise Http404(_("Not found."))
    number = (request.POST.get("case") or request.GET.get("case") or "").strip()
    case = None
    errors: dict = {}
    if number:
        try:
            case = case_get(viewer=_staff(request), number=number)
        except NotFound:
            errors = {"case": [_("No such case.")]}
    status = 200
    if request.method == "POST" and case is not None:
        p = request.POST
        try:
            entry = services.watch_entry_create(
                actor=_staff(request),
                data=services.EntryInput(
                    case=case.number,
                    party_id=int(p["party"]) if p.get("party", "").isdigit() else None,
                    reason_kind=p.get("reason_kind", ""),
                    reason_note=p.get("reason_note", ""),
                    officer_id=int(p["officer"]) if p.get("officer", "").isdigit() else None,
                    plan=p.get("plan", ""),
                    review_on=_date(p.get("review_on")),
                    cases=[n.strip() for n in p.get("cases", "").replace("，", ",").split(",") if n.strip()],
                ),
            )
            messages.success(request, _("The person is listed."))
            return redirect("watchlist:detail", entry_id=entry.pk)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            errors = {k: [str(m) for m in v] for k, v in exc.fields.items()}
            status = exc.status if exc.status in (403, 404, 409, 422) else 400
    persons = (
        Party.objects.filter(case=case, kind="person").exclude(id_number_hash="") if case is not None else []
    )
    officers = (
        Staff.objects.filter(is_active=True, organization__region__county_id=case.county_id).order_by(
            "username"
        )
        if case is not None
        else []
    )
    context = {
        "case": case,
        "number": number,
        "persons": persons,
        "officers": officers,
        "reasons": ReasonKind.choices,
        "errors": errors,
        "values": request.POST,
        "purpose": selectors.purpose_text(),
    }
    return render(request, "watchlist/new.html", context, status=status)


def _entry(request: HttpRequest, entry_id: int):
    try:
        return selectors.entry_get(viewer=_staff(request), entry_id=entry_id)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


@login_required
def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _entry(request, entry_id)
    context = {
        "entry": entry,
        "person": selectors.person_of(entry),
        "cases": entry.cases.select_related("lead_organization").order_by("-received_at"),
        "events": selectors.entry_events(entry),
        "who": selectors.who_may_see(entry),
        "purpose": selectors.purpose_text(),
        "is_leader": services.is_leader(_staff(request)),
        "is_officer": entry.officer_id == _staff(request).pk,
    }
    return render(request, "watchlist/detail.html", context)


@login_required
@require_POST
def entry_act(request: HttpRequest, entry_id: int) -> HttpResponse:
    p = request.POST
    action = p.get("action", "")
    version = int(p["version"]) if p.get("version", "").isdigit() else None
    try:
        if action == "contact":
            services.watch_contact_add(actor=_staff(request), entry_id=entry_id, note=p.get("note", ""))
        elif action == "renew":
            services.watch_entry_renew(
                actor=_staff(request),
                entry_id=entry_id,
                review_on=_date(p.get("review_on")),
                note=p.get("note", ""),
                version=version,
            )
        elif action == "remove":
            services.watch_entry_remove(
                actor=_staff(request), entry_id=entry_id, reason=p.get("note", ""), version=version
            )
        elif action == "seen":
            services.watch_alerts_seen(actor=_staff(request), entry_id=entry_id)
        else:
            raise Http404(_("Not found."))
        messages.success(request, _("Recorded."))
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("watchlist:detail", entry_id=entry_id)
