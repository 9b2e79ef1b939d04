"""Mobile pages for grid workers under /grid/ (staff login)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from jiefen.cases import selectors as case_selectors
from jiefen.cases import services as case_services
from jiefen.cases.choices import Category
from jiefen.channels import grid as svc
from jiefen.channels.models import GridCheck, GridMember
from jiefen.core.errors import DomainError, NotFound


class ReportForm(forms.Form):
    grid = forms.IntegerField(widget=forms.HiddenInput)
    description = forms.CharField(
        label=gettext_lazy("What happened"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )
    applicant_name = forms.CharField(label=gettext_lazy("Citizen's name"), max_length=100)
    applicant_phone = forms.CharField(label=gettext_lazy("Citizen's mobile"), max_length=20, required=False)
    respondent = forms.CharField(label=gettext_lazy("The other side"), max_length=100, required=False)
    category = forms.ChoiceField(
        label=gettext_lazy("Kind of matter"),
        choices=[("", gettext_lazy("not sure"))] + list(Category.choices),
        required=False,
    )
    on_behalf = forms.BooleanField(label=gettext_lazy("I act as the citizen's agent (代办)"), required=False)
    latitude = forms.CharField(label=gettext_lazy("Latitude (optional)"), max_length=20, required=False)
    longitude = forms.CharField(label=gettext_lazy("Longitude (optional)"), max_length=20, required=False)


class CheckForm(forms.Form):
    grid = forms.IntegerField(widget=forms.HiddenInput)
    found = forms.TypedChoiceField(
        label=gettext_lazy("Result"),
        choices=[("0", gettext_lazy("nothing found")), ("1", gettext_lazy("something found"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="0",
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ActForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in sorted(svc.GRID_ACTIONS)])
    reason = forms.CharField(required=False, max_length=2000)
    version = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


def _pick_grid(request: HttpRequest, grids):
    wanted = request.GET.get("grid") or request.POST.get("grid")
    for g in grids:
        if str(g.pk) == str(wanted):
            return g
    return grids[0] if grids else None


@login_required
def home(request: HttpRequest) -> HttpResponse:
    grids = list(svc.my_grids(request.user))
    leading = set(
        GridMember.objects.filter(staff=request.user, is_leader=True).values_list("grid_id", flat=True)
    )
    return render(
        request,
        "channels/grid_home.html",
        {
            "grids": grids,
            "leading": leading,
            "to_handle": svc.cases_to_handle(request.user)[:50],
            "checks": GridCheck.objects.filter(worker=request.user).select_related("grid")[:10],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    grids = list(svc.my_grids(request.user))
    grid = _pick_grid(request, grids)
    if grid is None:
        return render(request, "channels/grid_none.html", status=404)
    errors: dict = {}
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                done = svc.grid_report(
                    worker=request.user,
                    grid=svc.grid_for(request.user, form.cleaned_data["grid"]),
                    description=form.cleaned_data["description"],
                    applicant_name=form.cleaned_data["applicant_name"],
                    applicant_phone=form.cleaned_data["applicant_phone"],
                    respondent=form.cleaned_data["respondent"],
                    category=form.cleaned_data["category"] or None,
                    on_behalf=form.cleaned_data["on_behalf"],
                    latitude=form.cleaned_data["latitude"],
                    longitude=form.cleaned_data["longitude"],
                )
            except DomainError as exc:
                errors = {
                    "form": [str(exc.message)],
                    **{k: [str(m) for m in v] for k, v in exc.fields.items()},
                }
            else:
                return render(
                    request,
                    "channels/grid_reported.html",
                    {"case": done.case, "query_code": done.query_code, "grid": grid},
                )
    else:
        form = ReportForm(initial={"grid": grid.pk})
    return render(
        request, "channels/grid_report.html", {"form": form, "grids": grids, "grid": grid, "errors": errors}
    )


@login_required
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    grids = list(svc.my_grids(request.user))
    grid = _pick_grid(request, grids)
    if grid is None:
        return render(request, "channels/grid_none.html", status=404)
    error = ""
    if request.method == "POST":
        form = CheckForm(request.POST)
        if form.is_valid():
            try:
                svc.grid_check_log(
                    worker=request.user,
                    grid=svc.grid_for(request.user, form.cleaned_data["grid"]),
                    found=form.cleaned_data["found"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as exc:
                error = str(exc.message)
            else:
                messages.success(request, _("Check recorded."))
                return redirect("grid:home")
    else:
        form = CheckForm(initial={"grid": grid.pk, "found": "0"})
    return render(
        request, "channels/grid_check.html", {"form": form, "grids": grids, "grid": grid, "error": error}
    )


@login_required
@require_POST
def act(request: HttpRequest, number: str) -> HttpResponse:
    form = ActForm(request.POST)
    if not form.is_valid():
        if "action" in form.errors:
            messages.error(request, _("Not possible from the grid page."))
        else:
            messages.error(request, _("The page was out of date; please try again."))
        return redirect("grid:home")
    try:
        case = case_selectors.case_get(viewer=request.user, number=number)
        case_services.case_transition(
            case=case,
            actor=request.user,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(number)s: done.") % {"number": number})
    return redirect("grid:home")


@login_required
def leader(request: HttpRequest, grid_id: int) -> HttpResponse:
    try:
        grid = svc.grid_for(request.user, grid_id, leader=True)
    except NotFound:
        return render(request, "channels/grid_none.html", status=404)
    return render(
        request,
        "channels/grid_leader.html",
        {
            "grid": grid,
            "cases": svc.grid_cases(grid)[:200],
            "checks": GridCheck.objects.filter(grid=grid).select_related("worker")[:100],
            "inspections": grid.inspection_entries.select_related(
                "round__schedule", "reporter"
            ).prefetch_related("findings__case")[:100],
            "members": GridMember.objects.filter(grid=grid).select_related("staff"),
        },
    )
