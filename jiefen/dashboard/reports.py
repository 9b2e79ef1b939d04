"""The monthly statistics report of a county or town (.xlsx and a printable page) and the CSV
rows of a case list. The numbers come from dashboard.selectors.stats_overview, like the pages."""

from __future__ import annotations

import calendar
import io
from collections.abc import Iterable, Iterator
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from jiefen.cases.choices import ResolvedLevel
from jiefen.dashboard.selectors import stats_overview
from jiefen.directory.models import Staff


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _last_year(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def monthly_report(*, viewer: Staff, region_code: str | None, first: date, last: date) -> dict:
    ov = stats_overview(viewer=viewer, region_code=region_code, date_from=first, date_to=last)
    code = ov["region"]["code"]
    prev = stats_overview(
        viewer=viewer, region_code=code, date_from=_last_year(first), date_to=_last_year(last)
    )
    ytd = stats_overview(viewer=viewer, region_code=code, date_from=date(first.year, 1, 1), date_to=last)

    def yoy(key: str) -> float | None:
        return None if not prev[key] else round((ov[key] - prev[key]) * 100.0 / prev[key], 1)

    summary = [
        (_("received"), ov["received"], prev["received"], yoy("received"), ytd["received"]),
        (_("resolved"), ov["resolved"], prev["resolved"], yoy("resolved"), ytd["resolved"]),
        (_("in progress"), ov["in_progress"], prev["in_progress"], yoy("in_progress"), ytd["in_progress"]),
        (_("overdue"), ov["overdue"], prev["overdue"], yoy("overdue"), ytd["overdue"]),
    ]
    levels = [
        (str(ResolvedLevel(lvl).label), ov["by_level"][lvl], ytd["by_level"][lvl]) for lvl in ov["by_level"]
    ]
    return {
        "ov": ov,
        "month": first.strftime("%Y-%m"),
        "summary": summary,
        "levels": levels,
        "share": ov["village_town_share"],
        "share_ytd": ytd["village_town_share"],
        "avg_workdays": ov["avg_workdays_to_resolve"],
        "generated_at": timezone.localtime(),
    }


def _append(ws, row: list) -> None:
    """Append a row whose texts stay texts: openpyxl stores a string beginning with "=" as a
    formula, so a region or organisation named `=HYPERLINK(…)` would be live in the report."""
    ws.append(row)
    for cell in ws[ws.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


def monthly_report_xlsx(rep: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    ov = rep["ov"]
    wb = Workbook()
    ws = wb.active
    ws.title = _("summary")[:31]
    bold = Font(bold=True)
    _append(ws, [_("Monthly statistics of dispute resolution"), ov["region"]["name"], rep["month"]])
    ws["A1"].font = bold
    _append(ws, [])
    _append(
        ws, [_("figure"), _("this month"), _("same month last year"), _("year-on-year %"), _("year to date")]
    )
    for row in rep["summary"]:
        _append(ws, [str(row[0]), *row[1:]])
    _append(ws, [])
    _append(ws, [_("share ended at village and town (%)"), rep["share"], "", "", rep["share_ytd"]])
    _append(ws, [_("average working days to resolve"), rep["avg_workdays"]])

    def sheet(title: str, header: list[str], rows: Iterable[list]) -> None:
        s = wb.create_sheet(title[:31])
        _append(s, header)
        for c in s[1]:
            c.font = bold
        for r in rows:
            _append(s, r)

    sheet(
        _("by level"),
        [_("level"), _("this month"), _("year to date")],
        [list(r) for r in rep["levels"]],
    )
    cols = [_("received"), _("resolved"), _("in progress")]
    sheet(
        _("by town"),
        [_("region"), _("code"), *cols],
        [[r["name"], r["code"], r["received"], r["resolved"], r["open"]] for r in ov["by_town"]],
    )
    sheet(
        _("by category"),
        [_("category"), *cols],
        [[r["label"], r["received"], r["resolved"], r["open"]] for r in ov["by_category"]],
    )
    sheet(
        _("by channel"),
        [_("channel"), *cols],
        [[r["label"], r["received"], r["resolved"], r["open"]] for r in ov["by_channel"]],
    )
    sheet(
        _("returns"),
        [_("organisation"), _("returns")],
        [[r["name"], r["returns"]] for r in ov["returns_by_organization"]],
    )
    sheet(
        _("platforms"),
        [_("figure"), _("this month")],
        [[r["label"], r["value"]] for r in ov["platforms"]["rows"]]
        + [
            [f"{m['name']} ({m['agreements']}/{m['ended']})", m["ended"]]
            for m in ov["platforms"]["mediators"]
        ],
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(value):
    """Text that a spreadsheet would run as a formula is kept as text (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def case_rows(qs) -> Iterator[list]:
    """Header and one row per case (masked data only: no personal data in exports)."""
    yield [
        _("Number"),
        _("Received"),
        _("Channel"),
        _("Category"),
        _("Region"),
        _("Level"),
        _("Lead organisation"),
        _("Status"),
        _("Due"),
        _("Resolved at level"),
        _("Resolved"),
        _("Returns"),
        _("Escalations"),
    ]
    for c in qs.iterator(chunk_size=2000):
        yield [_cell(v) for v in _case_row(c)]


def case_rows_xlsx(qs) -> bytes:
    """The rows of `case_rows` as a one-sheet workbook (write-only: rows are streamed)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(str(_("Cases")))
    for row in case_rows(qs):
        ws.append([str(v) if not isinstance(v, int | float) else v for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _case_row(c) -> list:
    return [
        c.number,
        timezone.localtime(c.received_at).strftime("%Y-%m-%d %H:%M"),
        c.get_channel_display(),
        c.get_category_display(),
        c.region.name,
        c.get_level_display(),
        c.lead_organization.name,
        c.get_status_display(),
        timezone.localtime(c.due_at).strftime("%Y-%m-%d") if c.due_at else "",
        c.get_resolved_level_display() if c.resolved_level else "",
        timezone.localtime(c.resolved_at).strftime("%Y-%m-%d") if c.resolved_at else "",
        c.return_count,
        c.escalation_count,
    ]
