"""`jiefen classify`: JSON lines `{"text": ...}` on stdin -> one JSON line per input on stdout.

Each output line is `{"category", "confidence", "top": [[code, p], ...], "keywords": [...],
"needs_review"}` (plus the input's `id` when it has one). A line that is not a JSON object with a
string `text`, or whose text is empty, gives `{"error": code, "message": ...}` in its place, so
outputs stay aligned with inputs. Blank input lines are skipped. Inputs are classified in batches.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from jiefen.triage import classifier


class Command(BaseCommand):
    help = 'Classify JSON lines {"text": ...} read from stdin; write one JSON line per input.'
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=256, help="texts classified together (default 256)"
        )

    def handle(self, *args, batch_size: int, **options):
        stdin = options.get("stdin") or sys.stdin
        batch: list[tuple[object, str | None, dict | None]] = []
        for line in stdin:
            line = line.strip()
            if not line:
                continue
            batch.append(self._parse(line))
            if len(batch) >= max(1, batch_size):
                self._flush(batch)
                batch = []
        self._flush(batch)

    @staticmethod
    def _parse(line: str) -> tuple[object, str | None, dict | None]:
        try:
            obj = json.loads(line)
        except ValueError:
            return None, None, {"error": "invalid_json", "message": "The line is not valid JSON."}
        if not isinstance(obj, dict):
            return (
                None,
                None,
                {"error": "invalid_input", "message": 'Each line must be an object {"text": ...}.'},
            )
        ident = obj.get("id")
        text = obj.get("text")
        if not isinstance(text, str):
            return ident, None, {"error": "invalid_input", "message": 'The object has no string "text".'}
        return ident, text, None

    def _flush(self, batch) -> None:
        if not batch:
            return
        texts = [text for _, text, err in batch if err is None]
        results = iter(classifier.classify_batch(texts))
        for ident, _, err in batch:
            if err is None:
                result = next(results)
                out = (
                    result.as_dict()
                    if result is not None
                    else {"error": "empty_text", "message": "There is no text to classify."}
                )
            else:
                out = err
            if ident is not None:
                out = {"id": ident, **out}
            self.stdout.write(json.dumps(out, ensure_ascii=False))
        self.stdout.flush()
