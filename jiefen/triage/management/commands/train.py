"""`jiefen train [--output PATH] [--check] [--include-confirmed]`: rebuild the dispute classifier.

Reads `jiefen/triage/corpus/train.jsonl` and `lexicon.json` (both project-written) and writes the
artefact deterministically: the same corpus gives the same bytes. `--check` rebuilds in memory
and exits non-zero if the result differs from the artefact at `--output` (default: the shipped
model). `--include-confirmed` is accepted but does nothing yet: dispatchers' confirmed categories
will be added to the training data once case confirmations are stored.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiefen.triage import classifier


def _short(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


class Command(BaseCommand):
    help = "Rebuild the dispute classifier from the project's corpus (deterministic)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(classifier.MODEL_PATH), help="where to write the model")
        parser.add_argument(
            "--check",
            action="store_true",
            help="write nothing; fail if the rebuilt model differs from --output",
        )
        parser.add_argument(
            "--include-confirmed",
            action="store_true",
            help="also learn from categories confirmed by dispatchers (no-op until confirmations exist)",
        )

    def handle(self, *args, output: str, check: bool, include_confirmed: bool, **options):
        if include_confirmed:
            self.stderr.write(
                "--include-confirmed: no confirmed cases are stored yet; training on the corpus only."
            )
        path = Path(output)
        started = time.monotonic()
        model = classifier.train_model()
        data = classifier.model_bytes(model)
        if check:
            try:
                old = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"cannot read {path}: {exc}") from exc
            if old != data:
                raise CommandError(
                    f"{path} ({_short(old)}) differs from the model the corpus builds ({_short(data)}); "
                    "run `jiefen train`."
                )
            self.stdout.write(f"{path} is up to date (sha256 {_short(data)}).")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        meta = model.meta
        self.stdout.write(
            f"trained on {meta['n_texts']} texts and {meta['n_lexicon_terms']} lexicon terms in {time.monotonic() - started:.1f}s; "
            f"out-of-fold accuracy {meta['oof_accuracy']:.3f}, temperature {meta['temperature']}"
        )
        self.stdout.write(f"wrote {path} ({len(data)} bytes, sha256 {_short(data)})")
