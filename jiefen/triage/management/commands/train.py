"""`jiefen train [--output PATH] [--threats-output PATH] [--check] [--include-confirmed]`: rebuild
the dispute classifier and the learnt part of the threat detector (triage.threats).

Reads `jiefen/triage/corpus/train.jsonl` and `lexicon.json` (both project-written) and writes the
artefact deterministically: the same corpus gives the same bytes. `--check` rebuilds in memory
and exits non-zero if the result differs from the artefact at `--output` (default: the shipped
model). `--include-confirmed` (opt-in) folds in the cases whose category a person confirmed
(triage.CaseTriage.confirmed_category, with the case description as text); the artefact records
how many and a digest of them in its metadata (`n_confirmed`, `confirmed_sha256`), and the command
prints both, so a model built from use can always be told apart from the corpus-only one.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiefen.triage import classifier, threats


def confirmed_rows() -> list[dict]:
    """Confirmed cases as training rows, in a stable order (deterministic training)."""
    from jiefen.triage.models import CaseTriage

    rows = (
        CaseTriage.objects.exclude(confirmed_category="")
        .select_related("case")
        .order_by("case_id")
        .values_list("case__description", "confirmed_category")
    )
    out = []
    for text, label in rows:
        text = (text or "").strip()
        if text and label in classifier.CATEGORIES:
            out.append({"text": text[: classifier.MAX_RAW_CHARS], "label": label})
    return out


def _same(path: Path, data: bytes, what: str) -> None:
    """Fail unless the file at `path` holds `data` (what the corpus builds)."""
    try:
        old = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc}") from exc
    if old != data:
        raise CommandError(
            f"{path} ({_short(old)}) differs from {what} the corpus builds ({_short(data)}); run `jiefen train`."
        )


def _short(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


class Command(BaseCommand):
    help = "Rebuild the dispute classifier from the project's corpus (deterministic)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(classifier.MODEL_PATH), help="where to write the model")
        parser.add_argument(
            "--threats-output",
            default=str(threats.MODEL_PATH),
            help="where to write the threat model (corpus/threats.jsonl, held-out rounds left out)",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="write nothing; fail if the rebuilt model differs from --output",
        )
        parser.add_argument(
            "--include-confirmed",
            action="store_true",
            help="also learn from the categories people confirmed on real cases (recorded in the model)",
        )

    def handle(
        self, *args, output: str, threats_output: str, check: bool, include_confirmed: bool, **options
    ):
        path = Path(output)
        started = time.monotonic()
        threat_model = threats.train_model()
        threat_data = threat_model.to_bytes()
        threat_path = Path(threats_output)
        if include_confirmed:
            confirmed = confirmed_rows()
            digest = hashlib.sha256(
                "\n".join(f"{r['label']}\t{r['text']}" for r in confirmed).encode("utf-8")
            ).hexdigest()
            model = classifier.train_model(classifier.read_jsonl(classifier.TRAIN_PATH) + confirmed)
            model.meta["train_sha256"] = classifier._sha256(classifier.TRAIN_PATH)
            model.meta["n_confirmed"] = len(confirmed)
            model.meta["confirmed_sha256"] = digest
            self.stdout.write(f"including {len(confirmed)} confirmed cases (sha256 {digest[:12]})")
        else:
            model = classifier.train_model()
        data = classifier.model_bytes(model)
        if check:
            _same(path, data, "the model")
            _same(threat_path, threat_data, "the threat model")
            self.stdout.write(f"{path} is up to date (sha256 {_short(data)}).")
            self.stdout.write(f"{threat_path} is up to date (sha256 {_short(threat_data)}).")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        threat_path.parent.mkdir(parents=True, exist_ok=True)
        threat_path.write_bytes(threat_data)
        meta = model.meta
        self.stdout.write(
            f"trained on {meta['n_texts']} texts and {meta['n_lexicon_terms']} lexicon terms in {time.monotonic() - started:.1f}s; "
            f"out-of-fold accuracy {meta['oof_accuracy']:.3f}, temperature {meta['temperature']}"
        )
        self.stdout.write(f"wrote {path} ({len(data)} bytes, sha256 {_short(data)})")
        tm = threat_model.meta
        self.stdout.write(
            f"threat model: {tm['n_threats']} threats, {tm['n_negatives']} hard negatives, "
            f"{tm['n_ordinary_sentences']} ordinary sentences; threshold {tm['threshold']} "
            f"(out of fold: {tm['oof_threats_flagged']:.1%} of threats, {tm['oof_negatives_flagged']:.1%} of negatives)"
        )
        self.stdout.write(f"wrote {threat_path} ({len(threat_data)} bytes, sha256 {_short(threat_data)})")
