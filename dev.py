#!/usr/bin/env python3
"""Bootstrap for a fresh checkout: only the standard library, Python 3.11+.

    python3 dev.py start   # install into .venv, prepare the 安吉县 demo on SQLite, serve it
    python3 dev.py test    # install into .venv with test tools, run the whole test suite

Extra arguments go to `jiefen demo` (start) or to pytest (test). DATABASE_URL chooses the
database (SQLite in ./var by default).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def _run(*cmd: str | Path, **kw) -> None:
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, **kw)


def install(extra: str = "") -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs before anything is installed
        sys.exit("jiefen needs Python 3.11 or newer.")
    if not (BIN / "python").exists():
        print("· creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed{extra}"
    inputs = [ROOT / "pyproject.toml", ROOT / "constraints.txt"]
    if stamp.exists() and all(stamp.stat().st_mtime >= p.stat().st_mtime for p in inputs):
        return
    print("· installing dependencies (pinned by constraints.txt)", flush=True)
    target = f".[{extra}]" if extra else "."
    _run(
        BIN / "python",
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "-q",
        "-c",
        "constraints.txt",
        "-e",
        target,
    )
    stamp.touch()


def browser_available() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


START_HELP = """usage: python3 dev.py start [options]

Install into .venv, prepare the 安吉县 demo (idempotent: a second run keeps cases and password)
and serve it. The options go to `jiefen demo`:

  --port PORT      port to serve on (default 8000)
  --host HOST      address to bind (default 127.0.0.1)
  --cases N        synthetic cases to generate on the first run (default 2000)
  --seed N         random seed of the demo data (default 330523)
  --workers N      gunicorn workers; 0 = Django's runserver (default 2)
  --no-serve       prepare the demo only, do not serve

The demo accounts and their password are printed at the end (and kept in
JIEFEN_DATA_DIR/demo-accounts.json). DATABASE_URL chooses the database (SQLite in ./var by default).
"""


def cmd_start(args: list[str]) -> None:
    if "-h" in args or "--help" in args:
        print(START_HELP, end="")  # before installing anything
        return
    install()
    os.execv(str(BIN / "jiefen"), [str(BIN / "jiefen"), "demo", *args])


def cmd_test(args: list[str]) -> None:
    install("test")
    env = dict(os.environ)
    env.setdefault("JIEFEN_DATA_DIR", str(ROOT / "var" / "test"))
    if not browser_available():
        print(
            "· no chromium on PATH: browser tests will be skipped (apt-get install chromium fonts-noto-cjk)",
            flush=True,
        )
    db = env.get("DATABASE_URL", "sqlite (embedded)")
    print(f"· running the test suite on {db.split('@')[-1]}", flush=True)
    result = subprocess.run([str(BIN / "python"), "-m", "pytest", *args], cwd=ROOT, env=env)
    sys.exit(result.returncode)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in ("start", "test"):
        sys.exit(__doc__)
    {"start": cmd_start, "test": cmd_test}[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
