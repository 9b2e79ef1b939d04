"""The map page: counts per town and village shaded (boundary loaded) or as points at the
regions' centres (no boundary), reports with a location as points; click-through to the case
list. Data from the same selector as GET /api/v1/map/regions; no tiles from the internet."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from jiefen.core.errors import DomainError, NotFound
from jiefen.directory.models import Staff
from jiefen.inspections import map as selectors
from jiefen.inspections.selectors import day_range, viewer_region


class MapForm(forms.Form):
    region = forms.CharField(required=False, max_length=12)
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


def _args(request: HttpRequest):
    form = MapForm(request.GET)
    if not form.is_valid():
        return None, form, 400
    d = form.cleaned_data
    try:
        area = viewer_region(_staff(request), (d.get("region") or "").strip() or None)
        first, last = day_range(d.get("date_from"), d.get("date_to"))
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except DomainError:
        return None, form, 400
    return (area, first, last), form, 200


@login_required
@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    got, form, status = _args(request)
    ctx = {"form": form}
    if got:
        area, first, last = got
        ctx.update(area=area, first=first, last=last)
    return render(request, "inspections/map.html", ctx, status=status)


@login_required
@require_GET
def map_data(request: HttpRequest) -> JsonResponse:
    got, _form, status = _args(request)
    if not got:
        return JsonResponse({"error": "validation_failed"}, status=status)
    area, first, last = got
    data = selectors.region_counts(viewer=_staff(request), area=area, date_from=first, date_to=last)
    if data["boundary"]:
        county = area if area.level == "county" else area.county
        data["geojson"] = selectors.boundary_of(county)
    return JsonResponse(data, encoder=DjangoJSONEncoder)
