"""Pages of 排查: the reporting page (phone-sized, for grid workers and village staff), the
ledger with completion by village and grid (town and county), and its .xlsx export."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from jiefen.cases.choices import Category
from jiefen.core.errors import DomainError, NotFound
from jiefen.directory.models import Staff
from jiefen.inspections import selectors, services
from jiefen.inspections.choices import Unit
from jiefen.inspections.ledger import ledger_xlsx
from jiefen.inspections.models import Entry
from jiefen.regions.models import Region

LEDGER_ROWS = 500


class PeriodForm(forms.Form):
    region = forms.CharField(label=gettext_lazy("area"), required=False, max_length=12)
    date_from = forms.DateField(label=gettext_lazy("from"), required=False)
    date_to = forms.DateField(label=gettext_lazy("to"), required=False)

    def __init__(self, data, *args, **kwargs):
        data = data.copy()
        for short, long in (("from", "date_from"), ("to", "date_to")):
            if short in data and long not in data:
                data[long] = data[short]
        super().__init__(data, *args, **kwargs)


def _staff(request: HttpRequest) -> Staff:
    # Every page here is behind login_required, so the user is a signed-in Staff.
    return cast(Staff, request.user)


def _period(request: HttpRequest):
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return None, form, _("The period could not be read: use dates like 2026-01-31.")
    d = form.cleaned_data
    try:
        region = selectors.viewer_region(_staff(request), (d.get("region") or "").strip() or None)
        first, last = selectors.day_range(d.get("date_from"), d.get("date_to"))
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except DomainError as exc:
        return None, form, str(exc.message)
    return (region, first, last), form, ""


def _area_choices(region: Region) -> list[tuple[str, str]]:
    if region.level == "village":
        return [(region.code, region.name)]
    towns = [region] if region.level == "town" else list(Region.objects.filter(county=region, level="town"))
    out = [(region.code, region.name)] if region.level == "county" else []
    for t in towns:
        out.append((t.code, t.name))
        out += [(v.code, f"— {v.name}") for v in Region.objects.filter(town=t, level="village")]
    return out


def _summary(rows: list, *, by: str) -> list[dict]:
    """The completion rows added up per town (a county's view) or per village (a town's)."""
    out: dict[str, dict] = {}
    for r in rows:
        code, name = (r.town_code, r.town_name) if by == "town" else (r.village_code, r.village_name)
        s = out.setdefault(code, {"code": code, "name": name, "due": 0, "done": 0, "missing": 0})
        s["due"] += r.due
        s["done"] += r.done
        s["missing"] += r.missing
    for s in out.values():
        s["rate"] = None if not s["due"] else round(s["done"] * 100 / s["due"], 1)
    return list(out.values())


@login_required
@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    got, form, error = _period(request)
    ctx: dict = {"form": form, "error": error}
    if got is not None:
        region, first, last = got
        rows = selectors.completion(region, first, last)
        due, done = sum(r.due for r in rows), sum(r.done for r in rows)
        ctx["summary"] = _summary(rows, by="town" if region.level == "county" else "village")
        ctx.update(
            region=region,
            first=first,
            last=last,
            rows=rows,
            due=due,
            done=done,
            on_time=sum(r.on_time for r in rows),
            missing=sum(r.missing for r in rows),
            rate=None if not due else round(done * 100 / due, 1),
            entries=selectors.entry_list(
                viewer=_staff(request), region=region, date_from=first, date_to=last
            )[:100],
            areas=_area_choices(selectors.viewer_region(_staff(request))),
            checks=selectors.grid_checks(
                viewer=_staff(request), region=region, date_from=first, date_to=last
            )[:100],
        )
    return render(request, "inspections/ledger.html", ctx, status=200 if got else 400)


@login_required
@require_GET
def ledger_export(request: HttpRequest) -> HttpResponse:
    got, _form, error = _period(request)
    if got is None:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    region, first, last = got
    entries = list(
        selectors.entry_list(viewer=_staff(request), region=region, date_from=first, date_to=last).order_by(
            "round__due_on", "town__code", "village__code", "grid__code"
        )[: LEDGER_ROWS * 20]
    )
    content = ledger_xlsx(
        region=region, first=first, last=last, entries=entries, rows=selectors.completion(region, first, last)
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="paicha-{region.code}-{first}-{last}.xlsx"'
    return response


# ---------------------------------------------------------------- reporting (phone)


class ReportForm(forms.Form):
    round = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    unit = forms.CharField(widget=forms.HiddenInput, max_length=20)
    checked = forms.MultipleChoiceField(
        label=gettext_lazy("What was checked"), required=False, widget=forms.CheckboxSelectMultiple
    )
    result = forms.ChoiceField(
        label=gettext_lazy("Result"),
        choices=[
            ("zero", gettext_lazy("nothing found (zero report)")),
            ("found", gettext_lazy("disputes found")),
        ],
        widget=forms.RadioSelect,
        initial="zero",
    )
    case_number = forms.CharField(
        label=gettext_lazy("or the number of a case already registered"), required=False, max_length=40
    )
    description = forms.CharField(
        label=gettext_lazy("What was found"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    applicant_name = forms.CharField(label=gettext_lazy("Citizen's name"), required=False, max_length=100)
    applicant_phone = forms.CharField(label=gettext_lazy("Citizen's mobile"), required=False, max_length=20)
    respondent = forms.CharField(label=gettext_lazy("The other side"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=gettext_lazy("Kind of matter"),
        choices=[("", gettext_lazy("not sure"))] + list(Category.choices),
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, checklist=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checked"].choices = [(i, i) for i in checklist]


def _my_units(user) -> list[tuple[str, str, Region]]:
    """(key, label, village) of the grids the user works and, for village staff, the village."""
    from jiefen.channels.grid import my_grids

    units = [(f"g{g.pk}", f"{g.name} · {g.village.name}", g.village) for g in my_grids(user)]
    org = user.organization
    if org is not None and org.region.level == "village":
        units.append((f"v{org.region.code}", org.region.name, org.region))
    return units


def _unit_args(key: str) -> dict:
    if key.startswith("g") and key[1:].isdigit():
        return {"grid_id": int(key[1:])}
    if key.startswith("v"):
        return {"grid_id": None, "village_code": key[1:13]}
    raise NotFound(_("Not one of your grids."))


def _conflict(request: HttpRequest, key: str) -> HttpResponse:
    response = redirect(f"{request.path}?unit={key}")
    response.status_code = 303  # see the page again, with the message
    return response


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    units = _my_units(request.user)
    if not units:
        return render(request, "inspections/report_none.html", status=404)
    wanted = request.POST.get("unit") or request.GET.get("unit")
    chosen = next((u for u in units if u[0] == wanted), None)
    if chosen is None and request.method == "POST":
        return render(request, "inspections/report_none.html", status=404)  # not one of the user's units
    key, label, village = chosen or units[0]
    unit_kind = Unit.GRID if key.startswith("g") else Unit.VILLAGE
    rounds = [r for r in selectors.rounds_open(viewer=_staff(request)) if r.schedule.unit == unit_kind]
    if unit_kind == Unit.GRID:
        reported = set(
            Entry.objects.filter(round__in=rounds, grid_id=int(key[1:])).values_list("round_id", flat=True)
        )
    else:
        reported = set(
            Entry.objects.filter(round__in=rounds, village=village, grid__isnull=True).values_list(
                "round_id", flat=True
            )
        )
    pending = [r for r in rounds if r.pk not in reported]
    wanted_round = request.POST.get("round") or request.GET.get("round")
    current = next((r for r in pending if str(r.pk) == str(wanted_round)), pending[0] if pending else None)
    errors: dict = {}
    form = None
    if request.method == "POST" and (current is None or str(current.pk) != str(wanted_round)):
        # the round posted is not open for this unit: reported already (409) or unknown (404)
        if any(str(r.pk) == str(wanted_round) for r in rounds):
            messages.error(request, _("This round is already reported for this unit."))
            return _conflict(request, key)
        return render(request, "inspections/report_none.html", status=404)
    if current is not None:
        if request.method == "POST":
            form = ReportForm(request.POST, checklist=current.schedule.checklist)
            if form.is_valid():
                d = form.cleaned_data
                finding = []
                if d["result"] == "found":
                    finding = [
                        services.FindingInput(
                            case_number=d["case_number"].strip(),
                            description=d["description"],
                            applicant_name=d["applicant_name"],
                            applicant_phone=d["applicant_phone"],
                            respondent=d["respondent"],
                            category=d["category"] or None,
                        )
                    ]
                try:
                    services.inspection_report(
                        reporter=_staff(request),
                        data=services.EntryInput(
                            round_id=current.pk,
                            zero_report=d["result"] == "zero",
                            checked=d["checked"],
                            note=d["note"],
                            findings=finding,
                            **_unit_args(key),
                        ),
                    )
                except DomainError as exc:
                    errors = {
                        "form": [str(exc.message)],
                        **{k: [str(m) for m in v] for k, v in exc.fields.items()},
                    }
                else:
                    messages.success(request, _("Inspection report recorded."))
                    return redirect(f"{request.path}?unit={key}")
        else:
            form = ReportForm(
                initial={"round": current.pk, "unit": key, "result": "zero"},
                checklist=current.schedule.checklist,
            )
    done = [r for r in rounds if r.pk in reported]
    return render(
        request,
        "inspections/report.html",
        {
            "units": units,
            "unit_key": key,
            "unit_label": label,
            "pending": pending,
            "done": done,
            "current": current,
            "form": form,
            "errors": errors,
            "today": timezone.localdate(),
        },
    )
