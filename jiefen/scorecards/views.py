"""Pages of the unit scorecards: thin views over selectors.scorecards."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jiefen.core import clock
from jiefen.core.errors import DomainError, NotFound
from jiefen.directory.models import Staff
from jiefen.scorecards import reports, selectors
from jiefen.scorecards.choices import Term

PAGE_SIZE = 50


def _staff(request: HttpRequest) -> Staff:
    # Every page here is behind login_required, so the user is a signed-in Staff.
    return cast(Staff, request.user)


def _last_month() -> str:
    today = clock.today()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def _data(request: HttpRequest, month: str | None):
    try:
        return selectors.scorecards(
            viewer=_staff(request),
            month=month or _last_month(),
            county_code=request.GET.get("county") or None,
        )
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


def _rows(units: list, month: str) -> list[dict]:
    """Each unit's cells: (figure, value, link to its cases or ""); the links are built from one
    reversed prefix (a ranking has hundreds of units, each a dozen figures)."""
    cols = reports.columns()
    prefix = reverse("scorecards:unit", args=[month, "_"]).removesuffix("_/")
    return [
        {
            "unit": u,
            "link": f"{prefix}{u.key}/",
            "cells": [
                (
                    key,
                    u.figures[key],
                    f"{prefix}{u.key}/{key}/" if key in selectors.DRILLABLE and u.figures[key] else "",
                )
                for key, _l in cols
            ],
        }
        for u in units
    ]


@login_required
@require_GET
def ranking(request: HttpRequest) -> HttpResponse:
    month = request.GET.get("month") or _last_month()
    try:
        data = _data(request, month)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return render(request, "scorecards/ranking.html", {"data": None, "month": month}, status=400)
    context = {
        "data": data,
        "month": data["month"].label,
        "columns": reports.columns(),
        "towns": _rows(data["towns"], data["month"].label),
        "organizations": _rows(data["organizations"], data["month"].label),
        "weights": [(t.label, data["weights"].get(str(t.value), 0)) for t in Term],
    }
    return render(request, "scorecards/ranking.html", context)


@login_required
@require_GET
def ranking_xlsx(request: HttpRequest) -> HttpResponse:
    try:
        data = _data(request, request.GET.get("month"))
    except DomainError as exc:
        return HttpResponse(str(exc.message), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(
        reports.scorecards_xlsx(data),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"scorecards-{data['county'].code[:6]}-{data['month'].label}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _unit(request: HttpRequest, month: str, key: str):
    try:
        data = _data(request, month)
        return data, selectors.unit_get(data, key)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except DomainError as exc:
        raise Http404(str(exc.message)) from exc


@login_required
@require_GET
def unit(request: HttpRequest, month: str, key: str) -> HttpResponse:
    data, u = _unit(request, month, key)
    labels = dict(reports.columns())
    figures = [
        (k, labels.get(k, k), u.figures[k], k in selectors.DRILLABLE)
        for k in (
            "received",
            "accepted_in_time",
            "ended",
            "ended_in_time",
            "resolved",
            "returns",
            "escalations",
        )
    ]
    sources = {
        "return_visit": _("return visits"),
        "feedback": _("feedback at closure"),
        "portal": _("portal ratings"),
        "hotline": _("12345 hotline"),
    }
    satisfaction = [(sources[k], v) for k, v in u.figures["satisfaction_by_source"].items()]
    terms = [(t.label, u.terms[t], data["weights"].get(str(t.value), 0)) for t in Term]
    context = {
        "data": data,
        "u": u,
        "month": data["month"].label,
        "figures": figures,
        "satisfaction": satisfaction,
        "terms": terms,
    }
    return render(request, "scorecards/unit.html", context)


@login_required
@require_GET
def drill(request: HttpRequest, month: str, key: str, figure: str) -> HttpResponse:
    data, u = _unit(request, month, key)
    try:
        qs = selectors.figure_cases(viewer=_staff(request), unit=u, figure=figure)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    labels = {
        **dict(reports.columns()),
        "rated": _("ratings"),
        "satisfied": _("satisfied"),
        "return_visits_due": _("return visits due"),
        "return_visits_in_time": _("return visits in time"),
        "supervisions": _("supervision orders due"),
        "supervisions_in_time": _("supervision replies in time"),
    }
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "data": data,
        "u": u,
        "month": data["month"].label,
        "figure": labels.get(figure, figure),
        "page": page,
    }
    return render(request, "scorecards/drill.html", context)
