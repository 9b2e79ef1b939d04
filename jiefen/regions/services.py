"""Writes to the region tree: the idempotent division import and grids.

`regions_import` upserts by the 12-digit NBS code in set-based batches (a county's few hundred
rows or the whole country's 620,000 villages alike): it reads what exists in chunks, creates
what is new with `bulk_create`, and rewrites only rows whose name, parent, level, ancestors or
edition changed. Nothing is deleted: a code that left the edition may still anchor cases.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from jiefen.core.errors import ValidationFailed
from jiefen.regions.importers import RegionFileInvalid, RegionRow, level_of_code
from jiefen.regions.models import Grid, Region, RegionLevel

_CHUNK = 2000  # codes per IN (...) lookup: well under SQLite's bound-parameter limit
_BATCH = 1000  # rows per INSERT / UPDATE statement
_UPDATE_BATCH = 100  # rows per bulk_update statement
_FLUSH = 20 * _BATCH  # model instances held before writing them
_LEVELS = (RegionLevel.COUNTY, RegionLevel.TOWN, RegionLevel.VILLAGE)
_PARENT_LEVEL: dict[str, str] = {RegionLevel.TOWN: RegionLevel.COUNTY, RegionLevel.VILLAGE: RegionLevel.TOWN}
_TREE_FIELDS = ("name", "level", "parent_id", "county_id", "town_id")
_FIELDS = (*_TREE_FIELDS, "edition")


@dataclass
class LevelCounts:
    """How many rows of one level were created, updated or left as they were."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    """The outcome of one `regions_import`, per level."""

    edition: str = ""
    levels: dict[str, LevelCounts] = field(default_factory=lambda: {lv: LevelCounts() for lv in _LEVELS})

    @property
    def created(self) -> int:
        return sum(c.created for c in self.levels.values())

    @property
    def updated(self) -> int:
        return sum(c.updated for c in self.levels.values())

    @property
    def unchanged(self) -> int:
        return sum(c.unchanged for c in self.levels.values())

    def lines(self) -> list[str]:
        """One human-readable summary line per level, then the totals."""
        out = []
        for level in _LEVELS:
            c = self.levels[level]
            out.append(
                _("%(level)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged")
                % {
                    "level": RegionLevel(level).label,
                    "created": c.created,
                    "updated": c.updated,
                    "unchanged": c.unchanged,
                }
            )
        out.append(
            _("total: %(created)d created, %(updated)d updated, %(unchanged)d unchanged")
            % {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}
        )
        return out


class _Node(NamedTuple):
    id: int
    level: str
    county_id: int | None
    town_id: int | None


def regions_import(*, rows: Iterable[RegionRow], edition: str = "") -> ImportReport:
    """Upsert counties, towns and villages by code; idempotent (a second run changes nothing).

    A county is its own `county`; a town is its own `town` and its county's; a village takes
    its parent town as `town` and that town's county. A county's parent stays empty (cities and
    provinces are not stored). `edition`, when given, is recorded on every imported row.
    Raises `RegionFileInvalid` (a `ValidationFailed`) on a malformed row, a code given twice with
    different content, or a parent that is neither in the rows nor in the database; the whole
    import is then rolled back.
    """
    edition = (edition or "").strip()
    report = ImportReport(edition=edition)
    with transaction.atomic():
        by_level = _group(rows)
        known: dict[str, _Node] = {}
        for level in _LEVELS:
            _import_level(level, by_level[level], edition=edition, known=known, counts=report.levels[level])
    return report


def grid_create(*, village: Region, code: str, name: str) -> Grid:
    """Create a grid (网格) under a village-level region; the code is unique across all grids."""
    code, name = (code or "").strip(), (name or "").strip()
    errors: dict[str, list[str]] = {}
    if village.level != RegionLevel.VILLAGE:
        errors["village"] = [_("A grid belongs to a village-level region.")]
    if not code:
        errors["code"] = [_("A code is required.")]
    elif len(code) > (Grid._meta.get_field("code").max_length or 0):
        errors["code"] = [_("The code is too long.")]
    if not name:
        errors["name"] = [_("A name is required.")]
    elif len(name) > (Grid._meta.get_field("name").max_length or 0):
        errors["name"] = [_("The name is too long.")]
    with transaction.atomic():
        if code and "code" not in errors and Grid.objects.filter(code=code).exists():
            errors["code"] = [_("A grid with this code already exists.")]
        if errors:
            raise ValidationFailed(_("The grid is not valid."), fields=errors)
        return Grid.objects.create(village=village, code=code, name=name)


# -- import internals -------------------------------------------------------------------------


def _chunks(items: list[str], size: int = _CHUNK) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _group(rows: Iterable[RegionRow]) -> dict[str, dict[str, RegionRow]]:
    by_level: dict[str, dict[str, RegionRow]] = {level: {} for level in _LEVELS}
    for row in rows:
        if row.level not in by_level or level_of_code(row.code) != row.level:
            raise RegionFileInvalid(
                _("Code %(code)s is not a valid %(level)s code (levels: county, town, village).")
                % {"code": row.code, "level": row.level}
            )
        if not row.name.strip():
            raise RegionFileInvalid(_("Code %(code)s has an empty name.") % {"code": row.code})
        seen = by_level[row.level].get(row.code)
        if seen is not None and seen != row:
            raise RegionFileInvalid(
                _("Code %(code)s is given twice with different content (%(a)s / %(b)s).")
                % {"code": row.code, "a": seen.name, "b": row.name}
            )
        by_level[row.level][row.code] = row
    return by_level


def _load_nodes(codes: Iterable[str], known: dict[str, _Node]) -> None:
    missing = sorted(set(codes) - known.keys())
    for chunk in _chunks(missing):
        for code, pk, level, county_id, town_id in Region.objects.filter(code__in=chunk).values_list(
            "code", "id", "level", "county_id", "town_id"
        ):
            known[code] = _Node(pk, level, county_id, town_id)


def _existing(level: str, chunk: list[str]):
    if level == RegionLevel.VILLAGE:
        # Sorted village codes are dense: a range scan of the unique index (which also meets the
        # few towns in between) is much cheaper than a 2,000-item IN list on PostgreSQL.
        rows = Region.objects.filter(code__range=(chunk[0], chunk[-1]))
    else:
        rows = Region.objects.filter(code__in=chunk)
    return rows.values_list("code", "id", *_FIELDS)


def _flush_create(objs: list[Region]) -> list[str]:
    Region.objects.bulk_create(objs, batch_size=_BATCH)
    codes = [obj.code for obj in objs]
    objs.clear()
    return codes


def _flush_update(objs: list[Region]) -> None:
    # bulk_update writes CASE WHEN per row and field; small batches keep that cheap.
    if objs:
        Region.objects.bulk_update(objs, list(_TREE_FIELDS), batch_size=_UPDATE_BATCH)
    objs.clear()


def _flush_stamp(pks: list[int], edition: str) -> None:
    for start in range(0, len(pks), _CHUNK):
        Region.objects.filter(pk__in=pks[start : start + _CHUNK]).update(edition=edition)
    pks.clear()


def _import_level(
    level: str, rows: dict[str, RegionRow], *, edition: str, known: dict[str, _Node], counts: LevelCounts
) -> None:
    if not rows:
        return
    codes = sorted(rows)
    parent_level = _PARENT_LEVEL.get(level)
    if parent_level:
        _load_nodes({row.parent_code for row in rows.values()}, known)

    to_create: list[Region] = []
    to_update: list[Region] = []  # renamed or moved: few per edition, each row its own values
    to_stamp: list[int] = []  # only the edition changed: one UPDATE per chunk, same value
    created_codes: list[str] = []
    for chunk in _chunks(codes):
        existing = {values[0]: values[1:] for values in _existing(level, chunk)}
        for code in chunk:
            row = rows[code]
            parent_id = county_id = town_id = None
            if parent_level:
                parent = known.get(row.parent_code)
                if parent is None or parent.level != parent_level:
                    raise RegionFileInvalid(
                        _("The parent %(parent)s of %(code)s %(name)s is missing (it must be a %(level)s).")
                        % {"parent": row.parent_code, "code": code, "name": row.name, "level": parent_level}
                    )
                parent_id = parent.id
                county_id = parent.id if parent_level == RegionLevel.COUNTY else parent.county_id
                town_id = parent.id if parent_level == RegionLevel.TOWN else None
            current = existing.get(code)
            if current is None:
                to_create.append(
                    Region(
                        code=code,
                        name=row.name,
                        level=level,
                        parent_id=parent_id,
                        county_id=county_id,
                        town_id=town_id,
                        edition=edition,
                    )
                )
                if len(to_create) >= _FLUSH:
                    created_codes += _flush_create(to_create)
                continue
            pk = current[0]
            if level == RegionLevel.COUNTY:
                county_id = pk
            elif level == RegionLevel.TOWN:
                town_id = pk
            wanted = (row.name, level, parent_id, county_id, town_id)
            tree_changed = wanted != tuple(current[1:6])
            edition_changed = bool(edition) and edition != current[6]
            if not (tree_changed or edition_changed):
                counts.unchanged += 1
                continue
            counts.updated += 1
            if edition_changed:
                to_stamp.append(pk)
            if tree_changed:
                to_update.append(Region(pk=pk, code=code, **dict(zip(_TREE_FIELDS, wanted, strict=True))))
            if len(to_update) >= _FLUSH:
                _flush_update(to_update)
            if len(to_stamp) >= _FLUSH:
                _flush_stamp(to_stamp, edition)
    created_codes += _flush_create(to_create)
    _flush_update(to_update)
    _flush_stamp(to_stamp, edition)
    counts.created += len(created_codes)

    if level in (RegionLevel.COUNTY, RegionLevel.TOWN):
        # The new node is its own county/town: only known once its id exists.
        self_field = "county" if level == RegionLevel.COUNTY else "town"
        for chunk in _chunks(created_codes):
            Region.objects.filter(code__in=chunk).update(**{self_field: F("id")})
        for code in codes:
            known.pop(code, None)
        _load_nodes(codes, known)
