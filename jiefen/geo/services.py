"""Writes of the map: a county's boundary GeoJSON (checked before it is stored), region centres
(computed from a loaded boundary, or placed approximately), and the location a report carried.

A boundary is refused with an error naming what is wrong: a file that is not JSON (with the line
and column), not a FeatureCollection, a feature without a polygon or without a region code, a
code that is not a town or village of the county, a code given twice.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from jiefen.core import clock
from jiefen.core.errors import ValidationFailed
from jiefen.geo.models import CountyBoundary, RegionPoint, ReportLocation
from jiefen.regions.models import Region

MAX_BYTES = 50 * 1024 * 1024
CODE_KEYS = ("code", "adcode", "region_code")

# The extent of 安吉县 (Huzhou, Zhejiang): about 30°23′–30°53′ N, 119°14′–119°53′ E. Centres the
# demo places inside it are approximate (see docs/operations.md).
KNOWN_EXTENTS = {"330523": (119.24, 30.39, 119.87, 30.87)}


class BoundaryInvalid(ValidationFailed):
    code = "geojson_invalid"


def _fail(message: str) -> BoundaryInvalid:
    return BoundaryInvalid(message, fields={"file": [message]})


def _code_of(props: dict) -> str:
    for key in CODE_KEYS:
        value = props.get(key)
        if value is not None and str(value).strip():
            code = str(value).strip()
            if code.isdigit() and len(code) == 9:  # town codes are often given with 9 digits
                code += "000"
            return code
    return ""


def _rings(geometry: dict) -> list[list]:
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon" and isinstance(coords, list):
        return [coords[0]] if coords else []
    if kind == "MultiPolygon" and isinstance(coords, list):
        return [p[0] for p in coords if isinstance(p, list) and p]
    return []


def _check_ring(ring) -> bool:
    if not isinstance(ring, list) or len(ring) < 4:
        return False
    for pt in ring:
        if not (isinstance(pt, list | tuple) and len(pt) >= 2):
            return False
        x, y = pt[0], pt[1]
        if not (isinstance(x, int | float) and isinstance(y, int | float)):
            return False
        if not (-180 <= x <= 180 and -90 <= y <= 90):
            return False
    return True


def _centre(rings: list[list]) -> tuple[float, float]:
    """The average of the outer rings' vertices: inside for the compact shapes of towns and
    villages, and enough to place a label or a point."""
    pts = [pt for ring in rings for pt in ring[:-1]]
    return sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)


def boundary_parse(raw: bytes | str, county: Region) -> dict:
    """Check a GeoJSON FeatureCollection against the county's regions; returns it normalised
    (each feature's properties: code, name, level). Raises BoundaryInvalid naming the problem."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_BYTES:
            raise _fail(_("The file is larger than 50 MB."))
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _fail(_("The file is not UTF-8 text (byte %(pos)s).") % {"pos": exc.start}) from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise _fail(
            _("The file is not valid JSON: line %(line)s, column %(col)s: %(msg)s")
            % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}
        ) from exc
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise _fail(
            _(
                'The file is not a GeoJSON FeatureCollection (its "type" must be "FeatureCollection" with a "features" list).'
            )
        )
    if not data["features"]:
        raise _fail(_("The FeatureCollection has no features."))
    regions = {
        r.code: r
        for r in Region.objects.filter(county=county, level__in=["town", "village"]).only(
            "code", "name", "level"
        )
    }
    unknown: list[str] = []
    seen: dict[str, int] = {}
    features = []
    for i, f in enumerate(data["features"], start=1):
        if not isinstance(f, dict) or f.get("type") != "Feature":
            raise _fail(_("Feature %(n)s is not a GeoJSON Feature.") % {"n": i})
        props = f.get("properties")
        if not isinstance(props, dict):
            props = {}
        code = _code_of(props)
        if not code:
            raise _fail(_("Feature %(n)s has no region code (properties.code).") % {"n": i})
        geometry = f.get("geometry")
        if not isinstance(geometry, dict):
            geometry = {}
        rings = _rings(geometry)
        if not rings or not all(_check_ring(r) for r in rings):
            raise _fail(
                _(
                    "Feature %(n)s (%(code)s) has no valid Polygon or MultiPolygon in longitude/latitude degrees."
                )
                % {"n": i, "code": code[:20]}
            )
        if code in seen:
            raise _fail(
                _("The code %(code)s is given twice (features %(a)s and %(b)s).")
                % {"code": code, "a": seen[code], "b": i}
            )
        seen[code] = i
        region = regions.get(code)
        if region is None:
            unknown.append(code[:20])
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": region.name, "level": region.level},
                "geometry": {"type": geometry["type"], "coordinates": geometry["coordinates"]},
                "_centre": _centre(rings),
            }
        )
    if unknown:
        shown = "、".join(unknown[:10]) + ("…" if len(unknown) > 10 else "")
        raise _fail(
            _("%(n)s features do not match a town or village of %(county)s (%(code)s): %(codes)s")
            % {"n": len(unknown), "county": county.name, "code": county.code, "codes": shown}
        )
    return {"type": "FeatureCollection", "features": features}


def boundary_load(*, county: Region, raw: bytes | str, source: str = "", actor=None) -> CountyBoundary:
    """Check and store a county's boundary (replacing the one loaded before), and take each
    region's centre from its shape."""
    if county.level != "county":
        raise _fail(_("Choose a county."))
    parsed = boundary_parse(raw, county)
    centres = {f["properties"]["code"]: f.pop("_centre") for f in parsed["features"]}
    with transaction.atomic():
        boundary, _created = CountyBoundary.objects.update_or_create(
            county=county,
            defaults={
                "geojson": parsed,
                "features": len(parsed["features"]),
                "source": (source or "")[:200],
                "loaded_at": clock.now(),
                "loaded_by": actor,
            },
        )
        for region in Region.objects.filter(code__in=list(centres)):
            lng, lat = centres[region.code]
            RegionPoint.objects.update_or_create(
                region=region,
                defaults={"latitude": _deg(lat), "longitude": _deg(lng), "approximate": False},
            )
    return boundary


def _deg(x: float) -> Decimal:
    return Decimal(f"{x:.6f}")


def _fraction(code: str, salt: str) -> float:
    h = hashlib.sha256(f"{salt}:{code}".encode()).digest()
    return int.from_bytes(h[:8], "big") / 2**64


def centres_place(
    *, county: Region, extent: tuple[float, float, float, float] | None = None, replace: bool = False
) -> int:
    """Give each town and village of the county an approximate centre inside `extent` (west,
    south, east, north; the known extent of the county by default), computed from the codes
    alone (the same every run): towns spread over the extent, villages around their town.
    Surveyed centres (approximate=False) are kept; `replace` recomputes approximate ones.
    Returns how many were written."""
    extent = extent or KNOWN_EXTENTS.get(county.code[:6])
    if extent is None:
        raise ValidationFailed(_("No extent is known for this county: give one (west,south,east,north)."))
    west, south, east, north = extent
    if not (west < east and south < north):
        raise ValidationFailed(_("The extent is not valid."))
    have = {p.region_id: p for p in RegionPoint.objects.filter(region__county=county)}
    towns = list(Region.objects.filter(county=county, level="town").order_by("code"))
    n = max(len(towns), 1)
    cols = max(1, round(n**0.5))
    rows = -(-n // cols)
    town_at: dict[int, tuple[float, float, float, float]] = {}
    written = 0
    with transaction.atomic():
        for i, t in enumerate(towns):
            r, c = divmod(i, cols)
            cell_w, cell_h = (east - west) / cols, (north - south) / rows
            lng = west + cell_w * (c + 0.25 + 0.5 * _fraction(t.code, "x"))
            lat = north - cell_h * (r + 0.25 + 0.5 * _fraction(t.code, "y"))
            town_at[t.pk] = (lng, lat, cell_w, cell_h)
            written += _put(t, lng, lat, have, replace)
        for v in Region.objects.filter(county=county, level="village").order_by("code"):
            if v.town_id not in town_at:
                continue
            tlng, tlat, cw, ch = town_at[v.town_id]
            lng = min(max(tlng + (cw * 0.45) * (_fraction(v.code, "x") - 0.5), west), east)
            lat = min(max(tlat + (ch * 0.45) * (_fraction(v.code, "y") - 0.5), south), north)
            written += _put(v, lng, lat, have, replace)
    return written


def _put(region: Region, lng: float, lat: float, have: dict, replace: bool) -> int:
    point = have.get(region.pk)
    if point is not None and (not point.approximate or not replace):
        return 0
    RegionPoint.objects.update_or_create(
        region=region, defaults={"latitude": _deg(lat), "longitude": _deg(lng), "approximate": True}
    )
    return 1


def location_parse(latitude, longitude) -> tuple[Decimal, Decimal] | None:
    """An optional location from a form: both empty → None; otherwise two numbers in range."""
    lat_s, lng_s = str(latitude or "").strip(), str(longitude or "").strip()
    if not lat_s and not lng_s:
        return None
    try:
        lat, lng = float(lat_s), float(lng_s)
    except ValueError as exc:
        raise ValidationFailed(_("The location is not valid."), fields={"location": [_("invalid")]}) from exc
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationFailed(_("The location is not valid."), fields={"location": [_("invalid")]})
    return _deg(lat), _deg(lng)


def report_location_record(
    *, case, location: tuple[Decimal, Decimal] | None, source: str
) -> ReportLocation | None:
    """Keep where a report was made (in the caller's transaction, with the registration)."""
    if location is None:
        return None
    lat, lng = location
    return ReportLocation.objects.create(case=case, latitude=lat, longitude=lng, source=source[:20])
