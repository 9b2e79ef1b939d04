"""Pages of the command dashboard: thin views over dashboard.selectors.stats_overview.

Every figure on the page is a link to the staff case list behind it (selectors.overview_links);
the big screen is the same data, dark and large, refreshing itself with htmx.
"""

from __future__ import annotations

import csv
from datetime import date
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from jiefen.cases import selectors as case_selectors
from jiefen.core import clock
from jiefen.core.errors import DomainError, NotFound
from jiefen.dashboard import reports
from jiefen.dashboard.selectors import overview_links, stats_overview
from jiefen.directory.models import Staff
from jiefen.web.forms import CaseFilterForm

SCREEN_REFRESH_SECONDS = 60
CSV_MAX_ROWS = 100_000


class PeriodForm(forms.Form):
    region = forms.CharField(label=gettext_lazy("region code"), required=False, max_length=12)
    date_from = forms.DateField(label=gettext_lazy("from"), required=False)
    date_to = forms.DateField(label=gettext_lazy("to"), required=False)

    def __init__(self, data, *args, **kwargs):
        data = data.copy()
        # The API's names (from/to) work here too.
        for short, long in (("from", "date_from"), ("to", "date_to")):
            if short in data and long not in data:
                data[long] = data[short]
        super().__init__(data, *args, **kwargs)


def _staff(request: HttpRequest) -> Staff:
    # Every page here is behind login_required, so the user is a signed-in Staff.
    return cast(Staff, request.user)


def _overview(request: HttpRequest) -> tuple[dict | None, PeriodForm, int]:
    form = PeriodForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("The period could not be read: use dates like 2026-01-31."))
        return None, form, 400
    d = form.cleaned_data
    try:
        ov = stats_overview(
            viewer=_staff(request),
            region_code=(d.get("region") or "").strip() or None,
            date_from=d.get("date_from"),
            date_to=d.get("date_to"),
        )
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return None, form, 400
    return ov, form, 200


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    ov, form, status = _overview(request)
    context = {"ov": ov, "form": form, "links": overview_links(ov) if ov else {}}
    return render(request, "dashboard/dashboard.html", context, status=status)


@login_required
@require_GET
def screen(request: HttpRequest) -> HttpResponse:
    ov, form, status = _overview(request)
    context = {
        "ov": ov,
        "form": form,
        "links": overview_links(ov) if ov else {},
        "refresh": SCREEN_REFRESH_SECONDS,
        "now": timezone.localtime(clock.now()),
    }
    template = "dashboard/_screen_body.html" if request.headers.get("HX-Request") else "dashboard/screen.html"
    return render(request, template, context, status=status)


class ReportForm(forms.Form):
    region = forms.CharField(required=False, max_length=12)
    month = forms.RegexField(regex=r"^\d{4}-\d{2}$", required=False)

    def period(self) -> tuple[date, date]:
        month = self.cleaned_data.get("month") or clock.today().strftime("%Y-%m")
        year, mon = (int(x) for x in month.split("-"))
        if not 1 <= mon <= 12 or not 2000 <= year <= 2100:
            raise forms.ValidationError("month")
        return reports.month_bounds(year, mon)


def _report(request: HttpRequest):
    form = ReportForm(request.GET)
    try:
        if not form.is_valid():
            raise forms.ValidationError("month")
        first, last = form.period()
    except forms.ValidationError:
        return None, form
    try:
        return reports.monthly_report(
            viewer=_staff(request),
            region_code=(form.cleaned_data.get("region") or "").strip() or None,
            first=first,
            last=last,
        ), form
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    data, form = _report(request)
    if data is None:
        messages.error(request, _("Choose a month like 2026-01."))
        return render(request, "dashboard/report.html", {"rep": None, "form": form}, status=400)
    return render(request, "dashboard/report.html", {"rep": data, "form": form})


@login_required
@require_GET
def report_xlsx(request: HttpRequest) -> HttpResponse:
    data, _form = _report(request)
    if data is None:
        return HttpResponse(
            _("Choose a month like 2026-01."), status=400, content_type="text/plain; charset=utf-8"
        )
    content = reports.monthly_report_xlsx(data)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"jiefen-{data['ov']['region']['code']}-{data['month']}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class _Echo:
    def write(self, value):
        return value


@login_required
@require_GET
def cases_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The staff case list, with the same filters, as CSV (UTF-8 with BOM for spreadsheet apps)."""
    form = CaseFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return HttpResponse(_("invalid value"), status=400, content_type="text/plain; charset=utf-8")
    kwargs = form.selector_kwargs() if form.is_bound else {}
    try:
        qs = case_selectors.case_list(viewer=_staff(request), **kwargs)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except DomainError as exc:
        return HttpResponse(str(exc.message), status=400, content_type="text/plain; charset=utf-8")
    rows = reports.case_rows(qs[:CSV_MAX_ROWS])
    writer = csv.writer(_Echo())
    stream = (writer.writerow(r) for r in rows)
    response = StreamingHttpResponse(
        (chunk for chunk in _with_bom(stream)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="cases.csv"'
    return response


XLSX_MAX_ROWS = 50_000


@login_required
@require_GET
def cases_xlsx(request: HttpRequest) -> HttpResponse:
    """The staff case list, with the same filters and order, as an .xlsx workbook."""
    form = CaseFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return HttpResponse(_("invalid value"), status=400, content_type="text/plain; charset=utf-8")
    kwargs = form.selector_kwargs() if form.is_bound else {}
    try:
        qs = case_selectors.case_list(viewer=_staff(request), **kwargs)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except DomainError as exc:
        return HttpResponse(str(exc.message), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(
        reports.case_rows_xlsx(qs[:XLSX_MAX_ROWS]),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="cases.xlsx"'
    return response


def _with_bom(stream):
    yield "\ufeff"
    yield from stream
