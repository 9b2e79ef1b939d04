"""The scorecards of a month as .xlsx: one sheet of towns, one of organisations, one of the
weights; the same figures as the ranking page (selectors.scorecards)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from jiefen.scorecards.choices import Term


def columns() -> list[tuple[str, str]]:
    """(figure key, column label) of the ranking table, the printable report and the .xlsx."""
    return [
        ("received", _("received")),
        ("accepted_in_time", _("accepted in time")),
        ("ended", _("ended")),
        ("ended_in_time", _("ended in time")),
        ("resolved", _("resolved")),
        ("resolved_share", _("resolved share")),
        ("returns", _("returns")),
        ("escalations", _("escalations")),
        ("satisfaction", _("satisfaction")),
        ("return_visits_share", _("return visits in time")),
        ("inspections_share", _("排查 reported")),
        ("supervisions_share", _("supervision replies in time")),
    ]


def _cell(value):
    if value is None:
        return "—"
    return value


def scorecards_xlsx(data: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    cols = columns()
    header = [_("rank"), _("unit"), *[label for _k, label in cols], _("score")]
    for i, (title, units) in enumerate(
        ((_("towns"), data["towns"]), (_("organisations"), data["organizations"]))
    ):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = title
        ws.append(
            [
                _("Unit scorecards: %(county)s, %(month)s")
                % {"county": data["county"].name, "month": data["month"].label}
            ]
        )
        ws["A1"].font = Font(bold=True)
        ws.append(header)
        for u in units:
            # names are text: a leading "=" must not become a formula
            ws.append(
                [_cell(u.rank), " " + u.name if u.name.startswith("=") else u.name]
                + [_cell(u.figures[k]) for k, _l in cols]
                + [_cell(u.score)]
            )
    ws = wb.create_sheet(_("weights"))
    ws.append([_("term"), _("weight")])
    for term in Term:
        ws.append([str(term.label), data["weights"].get(str(term.value), 0)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
