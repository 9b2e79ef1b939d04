"""The 排查 ledger (台账) as .xlsx: one sheet of ledger lines in the usual layout (a title row,
the period and unit, then one numbered line per report), a sheet of completion by village and
grid, and a sheet of the units that did not report."""

from __future__ import annotations

import io
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from jiefen.inspections.models import Entry
from jiefen.inspections.selectors import CompletionRow
from jiefen.regions.models import Region


def _append(ws, row: list) -> None:
    # texts stay texts: a name beginning with "=" must not become a formula
    ws.append(row)
    for cell in ws[ws.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


def ledger_xlsx(
    *, region: Region, first: date, last: date, entries: list[Entry], rows: list[CompletionRow]
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(bold=True)
    wb = Workbook()
    ws = wb.active
    ws.title = _("ledger")[:31]
    header = [
        _("No."),
        _("round"),
        _("period"),
        _("due on"),
        _("town"),
        _("village"),
        _("grid"),
        _("checked by"),
        _("reported at"),
        _("items checked"),
        _("zero report"),
        _("disputes found"),
        _("case numbers"),
        _("note"),
    ]
    _append(ws, [_("Ledger of dispute inspections (矛盾纠纷排查台账)")])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    _append(
        ws,
        [
            _("unit: %(name)s") % {"name": region.name},
            "",
            "",
            _("period: %(a)s to %(b)s") % {"a": first, "b": last},
        ],
    )
    _append(ws, header)
    for c in ws[3]:
        c.font, c.border = bold, box
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for n, e in enumerate(entries, start=1):
        r = e.round
        cases = [f.case.number for f in e.findings.all()]
        _append(
            ws,
            [
                n,
                r.schedule.name,
                f"{r.period_start:%Y-%m-%d}—{r.period_end:%Y-%m-%d}",
                r.due_on.isoformat(),
                e.town.name,
                e.village.name,
                e.grid.name if e.grid is not None else "",
                e.reporter.display_name or e.reporter.username,
                timezone.localtime(e.reported_at).strftime("%Y-%m-%d %H:%M"),
                "、".join(e.checked),
                _("yes") if e.zero_report else _("no"),
                len(cases),
                "、".join(cases),
                e.note,
            ],
        )
        for c in ws[ws.max_row]:
            c.border = box
            c.alignment = Alignment(vertical="top", wrap_text=True)
    widths = [6, 16, 24, 12, 12, 16, 18, 10, 17, 30, 8, 8, 24, 30]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"

    cs = wb.create_sheet(_("completion")[:31])
    _append(
        cs,
        [
            _("town"),
            _("village"),
            _("unit"),
            _("name"),
            _("code"),
            _("due"),
            _("done"),
            _("on time"),
            _("missing"),
            _("zero reports"),
            _("disputes found"),
            _("completion %"),
        ],
    )
    for c in cs[1]:
        c.font = bold
    for row in rows:
        _append(
            cs,
            [
                row.town_name,
                row.village_name,
                _("grid") if row.unit == "grid" else _("village"),
                row.name,
                row.code,
                row.due,
                row.done,
                row.on_time,
                row.missing,
                row.zero_reports,
                row.findings,
                None if row.rate is None else round(row.rate * 100, 1),
            ],
        )
    ms = wb.create_sheet(_("not reported")[:31])
    _append(ms, [_("town"), _("village"), _("name"), _("code"), _("missing")])
    for c in ms[1]:
        c.font = bold
    for row in rows:
        if row.missing:
            _append(ms, [row.town_name, row.village_name, row.name, row.code, row.missing])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
