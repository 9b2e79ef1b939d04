"""Staff web pages: thin views that parse, call cases.services / cases.selectors, and render.

Domain errors never become a 500: they are shown as a message in the user's language (the
services translate at raise time, inside the request's active language).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiefen.cases import events as case_events
from jiefen.cases import selectors, services, workflow
from jiefen.cases.choices import PartyRole, Status, StatutoryRoute
from jiefen.cases.models import Case
from jiefen.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from jiefen.directory.models import Staff
from jiefen.portal import qr as portal_qr
from jiefen.portal import selectors as portal_selectors
from jiefen.portal import services as portal_services
from jiefen.web import selectors as web_selectors
from jiefen.web.forms import (
    MAX_PARTY_ROWS,
    CaseFilterForm,
    CaseRegisterForm,
    LoginForm,
    PartyForm,
    default_role,
)

PAGE_SIZE = 50
ENDING_STATUSES = {Status.CLOSED, Status.WITHDRAWN, Status.NOT_ACCEPTED}
RECEIPT_SESSION_KEY = "jiefen_receipt"


def _staff(request: HttpRequest) -> Staff:
    # Every page here but `home` is behind login_required, so the user is a signed-in Staff.
    return cast(Staff, request.user)


def home(request: HttpRequest) -> HttpResponse:
    return redirect("web:case_list")


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


# ---------------------------------------------------------------- region picker


@login_required
@require_GET
def region_children(request: HttpRequest) -> HttpResponse:
    """<option>s of the children of `?parent=<code>` the user may pick (for htmx).

    The selects of the picker send their own name (county=…, town=…) when htmx triggers them;
    those are accepted as the parent too.
    """
    code = request.GET.get("parent") or request.GET.get("county") or request.GET.get("town") or ""
    parent = web_selectors.region_get(viewer=_staff(request), code=code)
    children = (
        [] if parent is None else list(web_selectors.region_children(viewer=_staff(request), parent=parent))
    )
    return render(request, "web/_region_options.html", {"regions": children, "selected": ""})


@dataclass
class Picker:
    counties: list
    towns: list
    villages: list
    county: str = ""
    town: str = ""
    village: str = ""


def _picker(
    viewer, county: str = "", town: str = "", village: str = "", *, preselect: bool = False
) -> Picker:
    """The three selects of the region picker, filled for the current choice (no-JS fallback,
    and re-rendering after errors). On a fresh form a level with one choice is preselected."""
    counties = list(web_selectors.region_counties(viewer=viewer))
    codes = {c.code for c in counties}
    if county not in codes:
        county = counties[0].code if preselect and len(counties) == 1 else ""
    towns, villages = [], []
    if county:
        parent = next(c for c in counties if c.code == county)
        towns = list(web_selectors.region_children(viewer=viewer, parent=parent))
        if town not in {t.code for t in towns}:
            town = towns[0].code if preselect and len(towns) == 1 and not viewer_sees(viewer, parent) else ""
    if town:
        parent = next(t for t in towns if t.code == town)
        villages = list(web_selectors.region_children(viewer=viewer, parent=parent))
        if village not in {v.code for v in villages}:
            village = (
                villages[0].code
                if preselect and len(villages) == 1 and not viewer_sees(viewer, parent)
                else ""
            )
    return Picker(counties, towns, villages, county, town, village)


def viewer_sees(viewer, region) -> bool:
    return web_selectors.region_visible(viewer, region)


# ---------------------------------------------------------------- registration


def _party_forms(request: HttpRequest, count: int) -> list[PartyForm]:
    if request.method == "POST":
        return [PartyForm(request.POST, prefix=f"parties-{i}") for i in range(count)]
    return [PartyForm(prefix=f"parties-{i}", initial={"role": default_role(i)}) for i in range(count)]


def _register_context(form, party_forms, picker, region_errors, party_errors):
    return {
        "form": form,
        "party_forms": party_forms,
        "party_count": len(party_forms),
        "can_add_party": len(party_forms) < MAX_PARTY_ROWS,
        "picker": picker,
        "region_errors": region_errors,
        "party_errors": party_errors,
        "applicant": PartyRole.APPLICANT,
        "respondent": PartyRole.RESPONDENT,
    }


@login_required
@require_http_methods(["GET", "POST"])
def case_register(request: HttpRequest) -> HttpResponse:
    """Register a walk-in (or a call, a letter …) in one screen, then show the receipt."""
    viewer = _staff(request)
    if request.method == "GET":
        form = CaseRegisterForm()
        party_forms = _party_forms(request, 2)
        return render(
            request,
            "web/case_register.html",
            _register_context(form, party_forms, _picker(viewer, preselect=True), [], []),
        )

    form = CaseRegisterForm(request.POST)
    try:
        count = int(request.POST.get("party_count") or 2)
    except ValueError:
        count = 2
    count = max(2, min(count, MAX_PARTY_ROWS))
    party_forms = _party_forms(request, count)
    forms_ok = form.is_valid() & all([pf.is_valid() for pf in party_forms])
    adding = "add_party" in request.POST
    if adding and count < MAX_PARTY_ROWS:
        party_forms.append(PartyForm(prefix=f"parties-{count}", initial={"role": default_role(count)}))
    picker = _picker(
        viewer, request.POST.get("county", ""), request.POST.get("town", ""), request.POST.get("village", "")
    )
    region_errors: list[str] = []
    party_errors: list[str] = []
    if adding or not forms_ok:
        return render(
            request,
            "web/case_register.html",
            _register_context(form, party_forms, picker, region_errors, party_errors),
            status=200 if adding else 422,
        )

    # The applicant row is always sent (so a missing name is reported on it); other empty
    # rows are left out. `sent` maps the service's party index back to the form row.
    sent = [i for i, pf in enumerate(party_forms) if i == 0 or not pf.is_blank()]
    parties = [
        services.PartyInput(
            role=PartyRole.APPLICANT if i == 0 else party_forms[i].cleaned_data["role"],
            kind=party_forms[i].cleaned_data["kind"],
            name=party_forms[i].cleaned_data["name"],
            id_number=party_forms[i].cleaned_data["id_number"],
            phone=party_forms[i].cleaned_data["phone"],
        )
        for i in sent
    ]
    code = picker.village or picker.town or picker.county
    region = web_selectors.region_get(viewer=viewer, code=code) if code else None
    if region is None or not web_selectors.region_visible(viewer, region):
        # Registering happens inside one's own jurisdiction. The service is still asked, with
        # no region, so that the clerk sees every other field's error at the same time.
        region_errors.append(
            _("Choose the region where the dispute is.")
            if not code
            else _("Choose a town or village inside your jurisdiction.")
        )
        region = None
    try:
        reg = services.case_register(
            channel=form.cleaned_data["channel"],
            region=region if region is not None else "",
            description=form.cleaned_data["description"],
            request=form.cleaned_data["request"],
            category=form.cleaned_data["category"] or None,
            received_at=form.cleaned_data["received_at"],
            parties=parties,
            actor=viewer,
            repeat_reason=form.cleaned_data.get("repeat_reason") or "",
        )
    except ValidationFailed as exc:
        _apply_register_errors(exc, form, party_forms, sent, region_errors, party_errors)
        messages.error(request, str(exc.message))
        return render(
            request,
            "web/case_register.html",
            _register_context(form, party_forms, picker, region_errors, party_errors),
            status=422,
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return render(
            request,
            "web/case_register.html",
            _register_context(form, party_forms, picker, region_errors, party_errors),
            status=exc.status,
        )
    request.session[RECEIPT_SESSION_KEY] = {"number": reg.case.number, "query_code": reg.query_code}
    return redirect("web:case_receipt", number=reg.case.number)


def _apply_register_errors(exc, form, party_forms, sent, region_errors, party_errors) -> None:
    for key, msgs in exc.fields.items():
        msgs = [str(m) for m in msgs]
        if key == "region_code":
            if not region_errors:
                region_errors.extend(msgs)
        elif key == "parties":
            party_errors.extend(msgs)
        elif key.startswith("parties["):
            index, _sep, name = key[len("parties[") :].partition("].")
            row = sent[int(index)] if index.isdigit() and int(index) < len(sent) else None
            if row is None:
                party_errors.extend(msgs)
            elif name in party_forms[row].fields:
                for m in msgs:
                    party_forms[row].add_error(name, m)
            else:
                for m in msgs:
                    party_forms[row].add_error(None, m)
        elif key in form.fields:
            for m in msgs:
                form.add_error(key, m)
        else:
            for m in msgs:
                form.add_error(None, m)


@login_required
@require_GET
def case_receipt(request: HttpRequest, number: str) -> HttpResponse:
    """The printable receipt. The query code is shown once, right after registration."""
    case = _case_or_404(request, number)
    pending = request.session.get(RECEIPT_SESSION_KEY)
    query_code = None
    if pending and pending.get("number") == case.number:
        query_code = pending.get("query_code")
        del request.session[RECEIPT_SESSION_KEY]
    return render(
        request,
        "web/case_receipt.html",
        {"case": case, "query_code": query_code, "applicants": _applicants(case)},
    )


@login_required
@require_GET
def case_qr(request: HttpRequest, number: str) -> HttpResponse:
    """The case's 解纷码 (SVG): opens its portal page, still behind the query code."""
    case = _case_or_404(request, number)
    resp = HttpResponse(portal_qr.svg(portal_qr.case_url(case.number)), content_type="image/svg+xml")
    resp["Cache-Control"] = "private, max-age=3600"
    return resp


@login_required
@require_POST
def query_code_reissue(request: HttpRequest, number: str) -> HttpResponse:
    """A new query code for a verified party: shown once on the receipt, the old one void."""
    case = _case_or_404(request, number)
    try:
        party_id = int(request.POST.get("party", ""))
    except ValueError:
        party_id = 0
    party = case.parties.filter(pk=party_id).first()
    try:
        if party is None:
            raise NotFound(_("No such party."))
        done = portal_services.query_code_reissue(
            case=case, party=party, actor=_staff(request), verification=request.POST.get("verification", "")
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("web:case_detail", number=case.number)
    request.session[RECEIPT_SESSION_KEY] = {"number": case.number, "query_code": done.query_code}
    messages.success(request, _("A new query code was issued; the old one no longer works."))
    return redirect("web:case_receipt", number=case.number)


def _applicants(case: Case) -> list:
    return [p for p in case.parties.all() if p.role == PartyRole.APPLICANT]


def _case_or_404(request: HttpRequest, number: str) -> Case:
    try:
        return selectors.case_get(viewer=_staff(request), number=number)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


# ---------------------------------------------------------------- list


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None)
    status = 200
    kwargs = {}
    if form.is_valid():
        kwargs = form.selector_kwargs()
    elif form.is_bound:
        messages.error(request, _("The filter could not be applied: %(msg)s") % {"msg": _("invalid value")})
        status = 400
    try:
        qs = selectors.case_list(viewer=_staff(request), **kwargs)
    except DomainError as exc:
        messages.error(request, _("The filter could not be applied: %(msg)s") % {"msg": exc.message})
        qs = selectors.case_list(viewer=_staff(request))
        status = 400
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(case, selectors.is_overdue(case)) for case in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    unsorted = query.copy()
    current_sort = unsorted.pop("sort", [""])[-1]
    return render(
        request,
        "web/case_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "unsorted": unsorted.urlencode(),
            "sort": current_sort,
            "columns": _sort_columns(current_sort),
            "bulk_actions": [(a, workflow.ACTIONS[a].label) for a in BULK_ACTIONS],
            "bulk_organizations": web_selectors.organizations_for_bulk(viewer=_staff(request)),
        },
        status=status,
    )


# The sortable columns of the list: (header, sort key); a click sorts by it, a second click reverses.
LIST_COLUMNS = (
    (_lazy("Number"), "number"),
    (_lazy("Received"), "received"),
    (_lazy("Category"), "category"),
    (_lazy("Region"), "region"),
    (_lazy("Level"), "level"),
    (_lazy("Lead organisation"), ""),
    (_lazy("Status"), "status"),
    (_lazy("Due"), "due"),
)


def _sort_columns(current: str) -> list[dict]:
    out = []
    for label, key in LIST_COLUMNS:
        if not key:
            out.append({"label": label, "key": ""})
            continue
        active = current in (key, "-" + key)
        out.append(
            {
                "label": label,
                "key": ("-" + key) if current == key else key,
                "active": active,
                "descending": current == "-" + key,
            }
        )
    return out


# ---------------------------------------------------------------- bulk actions

BULK_ACTIONS = ("route", "accept")
BULK_MAX = 200


@login_required
@require_POST
def case_bulk(request: HttpRequest) -> HttpResponse:
    """Route (assign to an organisation) or accept several selected cases at once: each case goes
    through cases.services.case_transition on its own (its own transaction and timeline entry,
    its own version check), and the page reports what happened to each."""
    action = request.POST.get("action", "")
    back = request.POST.get("back", "")
    picked = [v[:40] for v in request.POST.getlist("case")][:BULK_MAX]
    results: list[dict] = []
    if action not in BULK_ACTIONS:
        messages.error(request, _("Choose what to do with the selected cases."))
    elif not picked:
        messages.error(request, _("Select at least one case."))
    else:
        organization = None
        org_error = ""
        if action == "route":
            value = request.POST.get("organization", "")
            organization = (
                web_selectors.organizations_for_bulk(viewer=_staff(request)).filter(pk=value).first()
                if value.isdigit()
                else None
            )
            if organization is None:
                org_error = _("Choose the organisation to route the cases to.")
        for item in picked:
            number, _sep, version = item.partition(":")
            if not number or not all(ch.isalnum() or ch == "-" for ch in number):
                continue
            row = {"number": number, "ok": False, "message": ""}
            try:
                if org_error:
                    raise ValidationFailed(org_error, fields={"organization": [org_error]})
                case = selectors.case_get(viewer=_staff(request), number=number)
                services.case_transition(
                    case=case,
                    actor=_staff(request),
                    action=action,
                    version=int(version) if version.isdigit() else -1,
                    organization=organization,
                    reason=request.POST.get("reason", "")[:2000],
                )
                row.update(ok=True, message=str(workflow.ACTIONS[action].label))
            except Conflict:
                row["message"] = _("Someone else changed this case meanwhile: open it and check.")
            except DomainError as exc:
                row["message"] = str(exc.message)
            results.append(row)
    done = sum(1 for r in results if r["ok"])
    return render(
        request,
        "web/case_bulk.html",
        {
            "results": results,
            "done": done,
            "failed": len(results) - done,
            "back": back if back.startswith("?") or not back else "",
        },
        status=200 if results else 400,
    )


# ---------------------------------------------------------------- case page


@dataclass
class ActionForm:
    action: workflow.Action
    organizations: list = field(default_factory=list)
    needs_organization: bool = False
    organization_optional: bool = False
    needs_statutory_route: bool = False
    needs_legal_route: bool = False
    errors: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)
    # the result already recorded (a close after a resolve carries it)
    result_standing: str = ""

    @property
    def final(self) -> bool:
        """Ends the case for good or for now: worth a confirmation click."""
        return self.action.target in ENDING_STATUSES


def _action_forms(case: Case, viewer, posted: str = "", values=None, errors=None) -> list[ActionForm]:
    result = []
    for act in selectors.allowed_actions(viewer=viewer, case=case):
        af = ActionForm(action=act)
        if act.code in ("route", "delegate"):
            af.organizations = list(web_selectors.organizations_for_case(case=case, action=act.code))
            af.needs_organization = True
            af.organization_optional = act.code == "delegate"
        af.needs_statutory_route = act.code == "transfer"
        af.needs_legal_route = act.code == "not_accept"
        if act.code == "close" and case.status == "resolved":
            af.result_standing = services.standing_result(case)
        if act.code == posted:
            af.values = values or {}
            af.errors = errors or []
        result.append(af)
    return result


def _timeline(case: Case) -> list[dict]:
    rows = []
    for e in selectors.case_events(case=case):
        label = case_events.label(e.kind)
        data = e.data or {}
        detail = data.get("organization_name") or data.get("to") or data.get("number") or ""
        if e.case_id != case.pk:  # an entry of a case merged into this one
            detail = f"{e.case.number} · {detail}" if detail else e.case.number
        if data.get("statutory_route") in StatutoryRoute.values:
            detail = StatutoryRoute(data["statutory_route"]).label
        if data.get("legal_route"):
            detail = data["legal_route"]
        if data.get("court_name"):
            detail = data["court_name"]
        if data.get("ruling_no"):
            detail = _("ruling %(no)s of %(day)s") % {
                "no": data["ruling_no"],
                "day": data.get("ruling_on", ""),
            }
        rows.append(
            {
                "at": e.at,
                "actor": e.actor,
                "label": label,
                "from_status": Status(e.from_status).label if e.from_status in Status.values else "",
                "to_status": Status(e.to_status).label if e.to_status in Status.values else "",
                "reason": e.reason,
                "detail": detail,
            }
        )
    return rows


def _parties(case: Case, revealed: dict) -> list:
    parties = list(case.parties.all())
    for p in parties:
        p.full_id_number = revealed.get((p.pk, "id_number"), "")
        p.full_phone = revealed.get((p.pk, "phone"), "")
        p.full_address = revealed.get((p.pk, "address"), "")
    return parties


def _render_case(request, case, *, status=200, posted="", values=None, errors=None, revealed=None):
    return render(
        request,
        "web/case_detail.html",
        {
            "case": case,
            "overdue": selectors.is_overdue(case),
            "parties": _parties(case, revealed or {}),
            "timeline": _timeline(case),
            "action_forms": _action_forms(case, _staff(request), posted, values, errors),
            "statutory_routes": StatutoryRoute.choices,
            "citizen": portal_selectors.citizen_input(case=case),
            "result": services.standing_result(case),
        },
        status=status,
    )


@login_required
@require_GET
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _render_case(request, _case_or_404(request, number))


@login_required
@require_GET
def attachment_file(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    """A file a citizen sent through the portal, to staff who may see the case: shown in the
    browser, or saved with `?download=1`. Its type is the one judged from its bytes at upload."""
    try:
        att = portal_selectors.attachment_get(
            viewer=_staff(request), number=number, attachment_id=attachment_id
        )
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    try:
        handle = att.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404(_("The file is missing from the storage.")) from exc
    download = request.GET.get("download") == "1"
    portal_services.attachment_opened(attachment=att, staff=_staff(request), download=download)
    response = FileResponse(
        handle,
        as_attachment=download,
        filename=portal_selectors.attachment_filename(att),
        content_type=portal_selectors.CONTENT_TYPES.get(att.kind, "application/octet-stream"),
    )
    # Citizens' files carry personal data: not kept by shared caches, nor by the browser's.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def case_action(request: HttpRequest, number: str) -> HttpResponse:
    """Take one action of the transition table; a stale `version` is a conflict."""
    case = _case_or_404(request, number)
    action = request.POST.get("action", "")[:30]
    values = {
        "reason": request.POST.get("reason", ""),
        "organization": request.POST.get("organization", ""),
        "statutory_route": request.POST.get("statutory_route", ""),
        "legal_route": request.POST.get("legal_route", ""),
    }
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1  # a form without a version is as stale as it gets
    try:
        organization = None
        if values["organization"]:
            choices = web_selectors.organizations_for_case(case=case, action="route")
            organization = (
                choices.filter(pk=values["organization"]).first()
                if values["organization"].isdigit()
                else None
            )
            if organization is None:
                raise ValidationFailed(
                    _("That organisation is outside this case's region."),
                    fields={"organization": [_("outside the case's region")]},
                )
        if action == "merge":
            from jiefen.triage.services import case_merge

            into = selectors.case_get(
                viewer=_staff(request), number=request.POST.get("into", "").strip()[:24]
            )
            case_merge(case=case, into=into, actor=_staff(request), reason=values["reason"], version=version)
        else:
            services.case_transition(
                case=case,
                actor=_staff(request),
                action=action,
                reason=values["reason"],
                version=version,
                organization=organization,
                statutory_route=values["statutory_route"],
                legal_route=values["legal_route"],
            )
    except DomainError as exc:
        fresh = _case_or_404(request, number)
        if isinstance(exc, Conflict):
            text = _(
                "Someone else changed this case while you were looking at it. The page now shows "
                "the current state: check it, then submit again if still needed."
            )
        else:
            text = str(exc.message)
        messages.error(request, text)
        field_errors = [str(m) for msgs in exc.fields.values() for m in msgs]
        return _render_case(
            request, fresh, status=exc.status, posted=action, values=values, errors=field_errors
        )
    label = workflow.ACTIONS[action].label
    messages.success(request, _("Done: %(action)s.") % {"action": label})
    return redirect("web:case_detail", number=number)


@login_required
@require_POST
def party_reveal(request: HttpRequest, number: str, party_id: int) -> HttpResponse:
    """Show a party's full ID number or phone; the service logs every reveal."""
    case = _case_or_404(request, number)
    party = next((p for p in case.parties.all() if p.pk == party_id), None)
    if party is None:
        raise Http404(_("No such party."))
    field_name = request.POST.get("field", "")
    try:
        value = services.party_pii_reveal(
            viewer=_staff(request), party=party, field_name=field_name, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        if request.headers.get("HX-Request"):
            return HttpResponse(str(exc.message), status=exc.status)
        messages.error(request, str(exc.message))
        return _render_case(request, case, status=exc.status)
    if request.headers.get("HX-Request"):
        return render(request, "web/_revealed.html", {"value": value})
    return _render_case(request, case, revealed={(party.pk, field_name): value})
