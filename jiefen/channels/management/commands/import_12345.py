"""`jiefen import-12345 FILE`: take a 12345 work-order file (.xlsx, CSV or JSON) in."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from jiefen.channels import hotline
from jiefen.core.errors import DomainError
from jiefen.directory.models import Staff


class Command(BaseCommand):
    help = (
        "Import 12345 hotline work orders (.xlsx or CSV with a title row, or JSON); idempotent on order_id."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx, CSV or JSON file; - for standard input")
        parser.add_argument("--format", choices=["csv", "json", "xlsx"], help="default: from the content")
        parser.add_argument("--county", help="county code (default: the importing user's, or the only one)")
        parser.add_argument("--as", dest="username", help="register as this staff member")
        parser.add_argument("--json", action="store_true", help="print the full report as JSON")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="processes sharing the orders (default: 2 on PostgreSQL, 1 on SQLite)",
        )

    def handle(self, *args, **opts):
        raw = sys.stdin.buffer.read() if opts["file"] == "-" else Path(opts["file"]).read_bytes()
        actor = None
        if opts["username"]:
            actor = (
                Staff.objects.filter(username=opts["username"]).select_related("organization__region").first()
            )
            if actor is None:
                raise CommandError(f"no staff member {opts['username']}")
        try:
            rows = hotline.read_orders(raw, fmt=opts["format"])
            county = hotline.hotline_county_for(actor, opts["county"])
            workers = opts["workers"] or (2 if connection.vendor == "postgresql" else 1)
            report = hotline.hotline_orders_import(rows=rows, county=county, actor=actor, workers=workers)
        except (DomainError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if opts["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=1))
            return
        for line in report["rows"]:
            if line["outcome"] == "refused":
                self.stderr.write(
                    f"row {line['row']} ({line['order_id']}): {line.get('reason')} {line.get('fields', '')}"
                )
        self.stdout.write(
            "created {created}, linked {linked}, skipped {skipped}, refused {refused}".format(**report)
        )
