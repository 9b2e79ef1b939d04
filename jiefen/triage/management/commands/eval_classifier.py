"""`jiefen eval-classifier FILE.csv --text-col C --label-col L`: measure the classifier on your own data.
`jiefen eval-classifier FILE.jsonl`: the same on JSON lines with `text` and `label` (the shipped
held-out sets: jiefen/triage/corpus/heldout_guide.jsonl, test_heldout.jsonl).

Prints the number of rows, accuracy, macro-F1 and a per-class precision/recall/F1/support table,
then the confusion table (rows: expected, columns: predicted, by short forms of the codes) and the most frequent confusions. Labels must be the codes of docs/triage.md (family, labour, …);
rows with another label are counted as errors and listed. Rows with an empty text are skipped.
Exits non-zero with a clear message on a missing file, a missing column or a file without rows.
"""

from __future__ import annotations

import csv
from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from jiefen.triage import classifier

#: Column heads of the confusion table.
SHORT = {
    "family": "fam",
    "inheritance": "inh",
    "neighbour": "nei",
    "property_land": "land",
    "expropriation": "expr",
    "labour": "lab",
    "debt_contract": "debt",
    "business": "bus",
    "traffic": "traf",
    "medical": "med",
    "property_mgmt": "pmgt",
    "consumer": "cons",
    "environment": "env",
    "education": "edu",
    "public_order": "pub",
    "village_affairs": "vil",
    "other": "oth",
}


class Command(BaseCommand):
    help = "Accuracy, macro-F1 and per-class scores of the classifier on a labelled CSV file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a CSV file with a header row")
        parser.add_argument("--text-col", default="text", help="the column holding the text (default text)")
        parser.add_argument(
            "--label-col",
            default="label",
            help="the column holding the expected category code (default label)",
        )
        parser.add_argument("--encoding", default="utf-8-sig", help="file encoding (default utf-8-sig)")
        parser.add_argument("--delimiter", default=",", help="field delimiter (default ,)")

    def handle(
        self, *args, file: str, text_col: str, label_col: str, encoding: str, delimiter: str, **options
    ):
        rows = self._read(file, text_col, label_col, encoding, delimiter)
        texts = [t for t, _ in rows]
        gold = [g for _, g in rows]
        results = classifier.classify_batch(texts)
        pred = [r.category if r is not None else "" for r in results]
        keep = [i for i, r in enumerate(results) if r is not None]
        skipped = len(rows) - len(keep)
        gold = [gold[i] for i in keep]
        pred = [pred[i] for i in keep]
        if not gold:
            raise CommandError("no row has a non-empty text")
        self._report(gold, pred, skipped, [results[i] for i in keep])

    def _read(self, file, text_col, label_col, encoding, delimiter) -> list[tuple[str, str]]:
        if file.endswith(".jsonl"):
            return self._read_jsonl(file, text_col, label_col, encoding)
        try:
            with open(file, encoding=encoding, newline="") as fh:
                reader = csv.DictReader(fh, delimiter=delimiter)
                header = reader.fieldnames or []
                missing = [c for c in (text_col, label_col) if c not in header]
                if missing:
                    raise CommandError(
                        f"{file}: no column {', '.join(repr(c) for c in missing)}; the columns are: "
                        + (", ".join(repr(h) for h in header) or "(none)")
                    )
                rows = [((r.get(text_col) or ""), (r.get(label_col) or "").strip()) for r in reader]
        except FileNotFoundError as exc:
            raise CommandError(f"{file}: no such file") from exc
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise CommandError(f"{file}: cannot read it as CSV ({exc})") from exc
        if not rows:
            raise CommandError(f"{file}: the file has no data rows")
        return rows

    def _read_jsonl(self, file, text_col, label_col, encoding) -> list[tuple[str, str]]:
        import json

        rows = []
        try:
            with open(file, encoding=encoding) as fh:
                for n, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    doc = json.loads(line)
                    if not isinstance(doc, dict) or text_col not in doc or label_col not in doc:
                        raise CommandError(
                            f"{file}:{n}: expected an object with {text_col!r} and {label_col!r}"
                        )
                    rows.append((str(doc[text_col] or ""), str(doc[label_col] or "").strip()))
        except FileNotFoundError as exc:
            raise CommandError(f"{file}: no such file") from exc
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise CommandError(f"{file}: cannot read it as JSON lines ({exc})") from exc
        if not rows:
            raise CommandError(f"{file}: the file has no data rows")
        return rows

    def _report(self, gold, pred, skipped, results) -> None:
        from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

        w = self.stdout.write
        unknown = Counter(g for g in gold if g not in classifier.CATEGORIES)
        labels = [c for c in classifier.CATEGORIES if c in set(gold) | set(pred)]
        labels += sorted(unknown)
        n = len(gold)
        w(f"rows: {n}" + (f" (skipped {skipped} with an empty text)" if skipped else ""))
        if unknown:
            w(
                "labels that are not category codes (counted as errors): "
                + ", ".join(f"{k} ({v})" for k, v in unknown.items())
            )
        acc = accuracy_score(gold, pred)
        gold_labels = [c for c in labels if c in set(gold)]
        macro = f1_score(gold, pred, labels=gold_labels, average="macro", zero_division=0)
        review = sum(1 for r in results if r.needs_review)
        w(f"accuracy: {acc:.4f}")
        w(f"macro-F1: {macro:.4f}  (over the {len(gold_labels)} categories present in the file)")
        w(f"below the confidence threshold {classifier.CONFIDENCE_THRESHOLD}: {review} ({review / n:.1%})")
        p, r, f, s = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
        w("")
        w(f"{'category':<16} {'precision':>9} {'recall':>7} {'f1':>7} {'support':>8}")
        for i, lab in enumerate(labels):
            w(f"{lab:<16} {p[i]:>9.3f} {r[i]:>7.3f} {f[i]:>7.3f} {s[i]:>8d}")
        w("")
        w("confusion table (rows expected, columns predicted):")
        pairs = Counter(zip(gold, pred, strict=True))
        w(" " * 16 + "".join(f"{SHORT.get(lab, lab[:4]):>5}" for lab in labels))
        for g in labels:
            if g in set(gold):
                w(f"{g:<16}" + "".join(f"{(pairs[(g, q)] or '.'):>5}" for q in labels))
        confusions = Counter((g, q) for g, q in zip(gold, pred, strict=True) if g != q)
        if confusions:
            w("")
            w("most frequent confusions (expected -> predicted):")
            for (g, q), k in confusions.most_common(10):
                w(f"  {g} -> {q}: {k}")
