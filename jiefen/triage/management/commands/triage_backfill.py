"""`jiefen triage-backfill [--batch 2000]`: give every case without a triage row one (search text
for full-text search, risk from its text and return/escalation counts), in batches. For cases
registered before triage existed, or bulk-seeded; idempotent (cases with a row are left alone)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from jiefen.cases.models import Case
from jiefen.core import clock
from jiefen.triage import risk, search
from jiefen.triage.models import CaseTriage


class Command(BaseCommand):
    help = "Create the missing triage rows (search text, risk) of existing cases."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, batch: int, **options):
        started, done, last = time.monotonic(), 0, 0
        now = clock.now()
        while True:
            cases = list(
                Case.objects.filter(pk__gt=last, triage__isnull=True)
                .order_by("pk")
                .prefetch_related("parties", "hotline_orders")[: max(1, batch)]
            )
            if not cases:
                break
            rows = []
            for case in cases:
                parties = list(case.parties.all())
                assessment = risk.assess(
                    risk.RiskInput(
                        text=f"{case.description}\n{case.request}",
                        applicants=sum(1 for p in parties if p.role == "applicant"),
                        people=len(parties),
                        returns=case.return_count,
                        escalations=case.escalation_count,
                    )
                )
                rows.append(
                    CaseTriage(
                        case=case,
                        risk_level=assessment.level,
                        risk_reasons=[r.as_dict() for r in assessment.reasons],
                        risk_at=now,
                        search_text=search.search_text(
                            number=case.number,
                            description=case.description,
                            request=case.request,
                            names=[p.name for p in parties],
                            external_ids=[o.order_id for o in case.hotline_orders.all()],
                        ),
                    )
                )
            CaseTriage.objects.bulk_create(rows, ignore_conflicts=True)
            done += len(rows)
            last = cases[-1].pk
        self.stdout.write(f"{done} cases given a triage row in {time.monotonic() - started:.1f}s")
