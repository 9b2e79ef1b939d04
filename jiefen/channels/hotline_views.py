"""The 12345 staff page: upload a file of work orders (the hotline platform's .xlsx, CSV or
JSON export) and read the per-row report, or see what the hotline pushed through the API.
Thin: the import is channels.hotline.hotline_orders_import, the list a scoped query."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jiefen.cases.selectors import case_scope
from jiefen.channels import hotline
from jiefen.channels.models import HotlineOrder
from jiefen.core.errors import DomainError, PermissionDenied, ValidationFailed
from jiefen.directory.models import Staff

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
RECENT = 100


def _recent(viewer, outcome: str = "") -> list[HotlineOrder]:
    from jiefen.cases.models import Case

    qs = HotlineOrder.objects.filter(case__in=Case.objects.filter(case_scope(viewer)))
    if outcome:
        qs = qs.filter(outcome=outcome)
    return list(qs.select_related("case", "imported_by").order_by("-imported_at", "-id")[:RECENT])


@login_required
@require_http_methods(["GET", "POST"])
def hotline_orders(request: HttpRequest) -> HttpResponse:
    viewer = cast(Staff, request.user)  # behind login_required: a signed-in Staff
    may_import = viewer.is_superuser or bool(set(viewer.roles or []) & hotline.IMPORT_ROLES)
    report = None
    error = ""
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if not may_import:
                raise PermissionDenied(
                    _("Only dispatchers, clerks and administrators may import work orders.")
                )
            if upload is None or not upload.size:
                raise ValidationFailed(_("Choose the file of work orders."), fields={"file": [_("required")]})
            if upload.size > MAX_UPLOAD_BYTES:
                raise ValidationFailed(
                    _("The file is larger than %(n)s MB.") % {"n": MAX_UPLOAD_BYTES // (1024 * 1024)},
                    fields={"file": [_("too large")]},
                )
            raw = upload.read()
            # Checked by its content, not its name: an .xlsx workbook, or text (CSV or JSON).
            try:
                rows = hotline.read_orders(raw)
            except (ValueError, UnicodeDecodeError, KeyError) as exc:
                raise ValidationFailed(
                    _("The file is not a 12345 export (.xlsx, CSV or JSON)."),
                    fields={"file": [_("unreadable")]},
                ) from exc
            county = hotline.hotline_county_for(viewer)
            report = hotline.hotline_orders_import(rows=rows, county=county, actor=viewer)
        except DomainError as exc:
            error = str(exc.message)
            status = exc.status
    outcome = request.GET.get("outcome", "")
    if outcome not in {"", "created", "linked"}:
        outcome = ""
    return render(
        request,
        "channels/hotline_orders.html",
        {
            "may_import": may_import,
            "report": report,
            "error": error,
            "orders": _recent(viewer, outcome),
            "outcome": outcome,
        },
        status=status,
    )
