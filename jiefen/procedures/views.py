"""Staff pages of the full chain: thin POST handlers that call procedures.services and go
back to the case page with a message, the agreement downloads, and "my deadlines"."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiefen.cases import selectors as case_selectors
from jiefen.core.errors import DomainError, NotFound, ValidationFailed
from jiefen.procedures import definitions as d
from jiefen.procedures import documents, selectors, services
from jiefen.procedures.choices import ReceptionKind
from jiefen.procedures.models import ReceptionDay, ReturnVisit, SupervisionOrder


def _case(request, number):
    try:
        return case_selectors.case_get(viewer=request.user, number=number)
    except NotFound:
        raise Http404(_("No such case.")) from None


def _back(number: str):
    return redirect(f"/cases/{number}/#procedures")


def _date(value: str, field: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            _("Not a date: %(v)s") % {"v": value[:20]}, fields={field: [_("invalid")]}
        ) from None


def _datetime(value: str, field: str) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("Not a date and time."), fields={field: [_("invalid")]}) from None
    return timezone.make_aware(dt) if timezone.is_naive(dt) else dt


def _int(value: str, field: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ValidationFailed(_("Not a number."), fields={field: [_("invalid")]})
    return int(value)


def _run(request, number: str, done: str, fn):
    try:
        fn()
    except DomainError as exc:
        fields = "; ".join(f"{k}: {', '.join(str(m) for m in v)}" for k, v in exc.fields.items())
        messages.error(request, f"{exc.message}" + (f" ({fields})" if fields else ""))
        return _back(number)
    messages.success(request, done)
    return _back(number)


@login_required
@require_POST
def procedure_start(request: HttpRequest, number: str) -> HttpResponse:
    case = _case(request, number)
    p = request.POST
    kind = p.get("kind", "")[:30]
    return _run(
        request,
        number,
        _("Procedure started."),
        lambda: services.procedure_start(
            case=case,
            actor=request.user,
            kind=kind,
            on=_date(p.get("on", ""), "on"),
            received_on=_date(p.get("received_on", ""), "received_on"),
            simple=p.get("simple") == "1",
            mediators=p.get("mediators", ""),
            note=p.get("note", ""),
        ),
    )


@login_required
@require_POST
def procedure_act(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        proc = selectors.procedure_get(viewer=request.user, pk=pk)
    except NotFound:
        raise Http404(_("No such procedure.")) from None
    p = request.POST
    action = p.get("action", "")[:40]

    def act():
        data = services.ActInput(
            on=_date(p.get("on", ""), "on"),
            reason=p.get("reason", ""),
            terms=p.get("terms", ""),
            facts=p.get("facts", ""),
            performance=p.get("performance", ""),
            effective_on=_date(p.get("effective_on", ""), "effective_on"),
            legal_route=p.get("legal_route", ""),
            result=p.get("result", ""),
            demands=p.get("demands", ""),
            ruling_no=p.get("ruling_no", ""),
            court_case_no=p.get("court_case_no", ""),
            lawyer=p.get("lawyer", ""),
            days=_int(p.get("days", ""), "days"),
            extension_id=_int(p.get("extension_id", ""), "extension_id"),
            parties_consent=p.get("parties_consent") == "1",
            held_at=_datetime(p.get("held_at", ""), "held_at"),
            mediators=p.get("mediators", ""),
            place=p.get("place", ""),
            participants=p.get("participants", ""),
            minutes=p.get("minutes", ""),
            court_id=_int(p.get("court_id", ""), "court_id"),
            ruling_on=_date(p.get("ruling_on", ""), "ruling_on"),
            settlement=p.get("settlement") == "1",
        )
        services.procedure_act(
            procedure=proc,
            actor=request.user,
            action=action,
            data=data,
            version=_int(p.get("version", ""), "version"),
        )

    label = d.action_def(proc.kind, action)
    return _run(request, proc.case.number, _("Done: %(a)s.") % {"a": label.label if label else action}, act)


@login_required
@require_POST
def agreement_revise(request: HttpRequest, number: str) -> HttpResponse:
    case = _case(request, number)
    p = request.POST
    return _run(
        request,
        number,
        _("A new version of the agreement was saved."),
        lambda: services.agreement_revise(
            case=case,
            actor=request.user,
            terms=p.get("terms", ""),
            facts=p.get("facts", ""),
            performance=p.get("performance", ""),
        ),
    )


@login_required
@require_GET
def agreement_download(request: HttpRequest, number: str, fmt: str) -> HttpResponse:
    return document_download(request, number, f"agreement.{fmt}")


@login_required
@require_GET
def document_download(request: HttpRequest, number: str, name: str) -> HttpResponse:
    """A generated document (a logged disclosure of the parties' identity)."""
    case = _case(request, number)
    try:
        doc = documents.document_generate(
            case=case,
            viewer=request.user,
            name=name,
            version=_int(request.GET.get("version", ""), "version"),
        )
    except (NotFound, ValidationFailed):
        raise Http404(_("No such document.")) from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _back(number)
    resp = HttpResponse(doc.body, content_type=doc.content_type)
    resp["Content-Disposition"] = f'attachment; filename="{doc.filename}"'
    resp["Cache-Control"] = "private, no-store"
    return resp


@login_required
@require_POST
def case_close(request: HttpRequest, number: str) -> HttpResponse:
    case = _case(request, number)
    return _run(
        request,
        number,
        _("Closed: the parties are notified and the return visit is scheduled."),
        lambda: services.case_close_and_follow_up(
            case=case,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            version=_int(request.POST.get("version", ""), "version"),
        ),
    )


@login_required
@require_POST
def case_follow_up(request: HttpRequest, number: str) -> HttpResponse:
    case = _case(request, number)
    return _run(
        request,
        number,
        _("The parties are notified and the return visit is scheduled."),
        lambda: services.case_follow_up(case=case, actor=request.user),
    )


@login_required
@require_POST
def feedback(request: HttpRequest, number: str) -> HttpResponse:
    case = _case(request, number)
    p = request.POST

    def run():
        party = case.parties.filter(pk=_int(p.get("party", ""), "party") or 0).first()
        if party is None:
            raise ValidationFailed(_("Choose a party."), fields={"party": [_("required")]})
        services.feedback_record(
            case=case,
            party=party,
            score=_int(p.get("score", ""), "score") or 0,
            comment=p.get("comment", ""),
            actor=request.user,
        )

    return _run(request, number, _("Satisfaction recorded."), run)


def _bool(value: str) -> bool | None:
    return {"1": True, "0": False}.get(value)


@login_required
@require_POST
def return_visit(request: HttpRequest, pk: int) -> HttpResponse:
    visit = ReturnVisit.objects.filter(pk=pk).select_related("case").first()
    if visit is None:
        raise Http404()
    _case(request, visit.case.number)
    p = request.POST
    return _run(
        request,
        visit.case.number,
        _("Return visit recorded."),
        lambda: services.return_visit_record(
            visit=visit,
            actor=request.user,
            reached=p.get("reached") == "1",
            satisfied=_bool(p.get("satisfied", "")),
            recurred=p.get("recurred") == "1",
            note=p.get("note", ""),
        ),
    )


@login_required
@require_POST
def leader_charge(request: HttpRequest, number: str) -> HttpResponse:
    case = _case(request, number)
    if request.POST.get("release") == "1":
        return _run(
            request, number, _("Handed back."), lambda: services.leader_release(case=case, actor=request.user)
        )
    return _run(
        request,
        number,
        _("You are now in charge of this case."),
        lambda: services.leader_take_charge(case=case, actor=request.user, note=request.POST.get("note", "")),
    )


@login_required
@require_POST
def supervise(request: HttpRequest, number: str) -> HttpResponse:
    case = _case(request, number)
    p = request.POST
    return _run(
        request,
        number,
        _("Supervision order issued."),
        lambda: services.supervision_order(
            case=case,
            actor=request.user,
            instructions=p.get("instructions", ""),
            due_on=_date(p.get("due_on", ""), "due_on"),
        ),
    )


@login_required
@require_POST
def supervision_reply(request: HttpRequest, pk: int) -> HttpResponse:
    order = SupervisionOrder.objects.filter(pk=pk).select_related("case").first()
    if order is None:
        raise Http404()
    _case(request, order.case.number)
    return _run(
        request,
        order.case.number,
        _("Reply sent."),
        lambda: services.supervision_reply(
            order=order, actor=request.user, reply=request.POST.get("reply", "")
        ),
    )


@login_required
@require_POST
def reception_book(request: HttpRequest, number: str) -> HttpResponse:
    case = _case(request, number)
    reception = ReceptionDay.objects.filter(
        pk=_int(request.POST.get("reception", ""), "reception") or 0
    ).first()
    if reception is None:
        raise Http404()
    return _run(
        request,
        number,
        _("Booked into the reception day."),
        lambda: services.reception_book(reception=reception, case=case, actor=request.user),
    )


@login_required
@require_POST
def reception_create(request: HttpRequest) -> HttpResponse:
    p = request.POST
    try:
        services.reception_create(
            actor=request.user,
            kind=p.get("kind", ""),
            day=_date(p.get("date", ""), "date") or timezone.localdate(),
            place=p.get("place", ""),
            note=p.get("note", ""),
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Reception day planned."))
    return redirect("procedures:my_deadlines")


@login_required
@require_GET
def my_deadlines(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "procedures/my_deadlines.html",
        {
            "rows": selectors.my_deadlines(viewer=request.user),
            "charged": list(selectors.leader_cases(viewer=request.user)),
            "receptions": selectors.reception_list(viewer=request.user),
            "reception_kinds": ReceptionKind.choices,
            "can_plan": request.user.has_role("leader"),
            "today": timezone.localdate(),
        },
    )
