#!/usr/bin/env python3
"""Type checking that may only get better: mypy (with django-stubs) against a per-file baseline.

    .venv/bin/python .ci/mypy_baseline.py            # check: fail on any file with more errors
    .venv/bin/python .ci/mypy_baseline.py --update   # write the baseline after fixing errors

The baseline (`.ci/mypy-baseline.json`) holds the number of mypy errors of each file. A file
with more errors than its baseline (a new file counts from zero) fails the check, naming the
errors; a file with fewer is reported so that the baseline can be lowered with `--update`.
`--update` refuses to raise any file's count: fix the new errors instead.
The kernel apps named in STRICT must have no error at all.
"""

from __future__ import annotations

import collections
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / ".ci" / "mypy-baseline.json"
ERROR = re.compile(r"^(?P<path>[^:]+):\d+: error: ")
# Apps held to zero errors (the kernel below `cases`).
STRICT = ("jiefen/regions/", "jiefen/deadlines/")


def run_mypy() -> tuple[dict[str, int], dict[str, list[str]]]:
    out = subprocess.run([sys.executable, "-m", "mypy", "jiefen"], cwd=ROOT, capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit("mypy itself failed")
    counts: dict[str, int] = collections.Counter()
    lines: dict[str, list[str]] = collections.defaultdict(list)
    for line in out.stdout.splitlines():
        m = ERROR.match(line)
        if m:
            counts[m["path"]] += 1
            lines[m["path"]].append(line)
    return dict(counts), lines


def main() -> int:
    update = "--update" in sys.argv[1:]
    baseline: dict[str, int] = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    counts, lines = run_mypy()
    worse = {p: n for p, n in counts.items() if n > baseline.get(p, 0)}
    strict = {p: n for p, n in counts.items() if p.startswith(STRICT)}
    better = {p: n for p, n in baseline.items() if counts.get(p, 0) < n}
    if update:
        if worse and BASELINE.exists():
            print("refusing to raise the baseline; fix these first:")
            for p in sorted(worse):
                print(f"  {p}: {baseline.get(p, 0)} → {worse[p]}")
            return 1
        BASELINE.write_text(json.dumps(dict(sorted(counts.items())), indent=1, ensure_ascii=False) + "\n")
        print(f"baseline written: {sum(counts.values())} errors in {len(counts)} files")
        return 0
    failed = False
    for p in sorted(set(worse) | set(strict)):
        failed = True
        print(f"{p}: {counts[p]} errors (baseline {0 if p in strict else baseline.get(p, 0)})")
        for line in lines[p]:
            print("  " + line)
    if better:
        print(
            f"{len(better)} files have fewer errors than the baseline: "
            "lower it with `.venv/bin/python .ci/mypy_baseline.py --update`"
        )
    total, base_total = sum(counts.values()), sum(baseline.values())
    print(f"mypy: {total} errors (baseline {base_total})" + (" — more than allowed" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
