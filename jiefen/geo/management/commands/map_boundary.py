"""`jiefen map-boundary FILE --county 330523000000`: load a county's town and village areas
(GeoJSON FeatureCollection, each feature's `properties.code` a 12-digit region code).
`jiefen map-boundary --county C --centres` places approximate centres instead (no file)."""

from django.core.management.base import BaseCommand, CommandError

from jiefen.core.errors import DomainError
from jiefen.geo.services import boundary_load, centres_place
from jiefen.regions.models import Region


class Command(BaseCommand):
    help = "Load a county's boundary GeoJSON for the map, or place approximate region centres."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="GeoJSON FeatureCollection")
        parser.add_argument("--county", required=True, help="the county's 12-digit (or 6-digit) code")
        parser.add_argument("--centres", action="store_true", help="place approximate centres (no file)")
        parser.add_argument("--extent", help="west,south,east,north in degrees (for --centres)")
        parser.add_argument("--replace", action="store_true", help="recompute approximate centres")

    def handle(self, *args, **o):
        code = o["county"].strip()
        if len(code) == 6:
            code += "000000"
        county = Region.objects.filter(code=code, level="county").first()
        if county is None:
            raise CommandError(f"no county with code {code}")
        try:
            if o["centres"]:
                extent = None
                if o["extent"]:
                    try:
                        extent = tuple(float(x) for x in o["extent"].split(","))
                    except ValueError as exc:
                        raise CommandError("--extent: four numbers, west,south,east,north") from exc
                    if len(extent) != 4:
                        raise CommandError("--extent: four numbers, west,south,east,north")
                n = centres_place(county=county, extent=extent, replace=o["replace"])
                self.stdout.write(f"{n} approximate centres placed in {county.name}")
                return
            if not o["file"]:
                raise CommandError("give a GeoJSON file, or --centres")
            try:
                with open(o["file"], "rb") as fh:
                    raw = fh.read()
            except OSError as exc:
                raise CommandError(f"cannot read {o['file']}: {exc.strerror}") from exc
            b = boundary_load(county=county, raw=raw, source=o["file"])
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"{b.features} features loaded for {county.name} ({county.code})")
