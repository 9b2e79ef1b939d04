#!/usr/bin/env python3
"""Drill: kill -9 under load. Registrations through the API by parallel clients while the
server (gunicorn, master and workers) is killed with SIGKILL and started again, several times.

    .venv/bin/python drills/kill9.py --kills 6                       # SQLite in a new folder
    .venv/bin/python drills/kill9.py --kills 6 --reset \\
        --database-url postgres://postgres@127.0.0.1:5432/DB          # PostgreSQL (DB is emptied)

Each client sends its registrations with an Idempotency-Key and retries a request that got no
answer with the same key, as a careful client would. At the end, with the server stopped:

- acknowledged lost: registrations answered 201 whose case is not in the database (must be 0);
- duplicates: requests that became more than one case (must be 0);
- gaps: missing numbers in the county's year (must be 0: numbers are gap-free);
- counters: dashboard counter rows that differ from a recomputation from the cases (must be 0);
- unanswered: requests still without an answer when the drill ended (their key was left "in
  progress" by a kill between the commit and the storing of the answer: not lost, not doubled).

Prints the figures and exits non-zero when one of the "must be 0" is not.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TAG = "drill-kill9"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _django(env: dict) -> None:
    # This process uses the same database as the server it starts: nothing inherited counts.
    for key in [k for k in os.environ if k.startswith(("JIEFEN_", "DJANGO_", "DATABASE_URL"))]:
        if key not in env:
            del os.environ[key]
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiefen.settings.local")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare(reset: bool) -> tuple[str, str]:
    """Migrate, the demo county's directory (no cases); a token and a village code."""
    from django.core.management import call_command
    from django.db import connection

    if reset and connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", interactive=False, verbosity=0)
    from jiefen.demo.services import DEMO_COUNTY_CODE, demo_prepare
    from jiefen.directory.models import Staff
    from jiefen.directory.services import api_token_create
    from jiefen.regions.models import Region

    demo_prepare(cases=0)
    county = Region.objects.get(code=DEMO_COUNTY_CODE)
    clerk = next(s for s in Staff.objects.filter(organization__region=county) if "dispatcher" in s.roles)
    village = Region.objects.filter(county=county, level="village").order_by("code").first()
    return api_token_create(staff=clerk), village.code


class Server:
    def __init__(self, port: int, env: dict):
        self.port, self.env, self.proc = port, env, None

    def start(self) -> None:
        log = Path(self.env["JIEFEN_DATA_DIR"]) / "server.log"
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "jiefen", "serve", "--port", str(self.port), "--no-sweep"],
                env=self.env,
                cwd=ROOT,
                stdout=out,
                stderr=out,
                start_new_session=True,  # its own process group: kill -9 reaches master and workers
            )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/login/")  # light: the server is up when a page answers
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise SystemExit(f"the server did not come up; its log:\n{log.read_text()[-3000:]}")

    def kill9(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


class Client(threading.Thread):
    def __init__(self, n: int, port: int, token: str, village: str, stop: threading.Event):
        super().__init__(daemon=True)
        self.n, self.port, self.token, self.village, self.stop = n, port, token, village, stop
        self.acked: dict[str, str] = {}  # tag → number
        self.unanswered: list[str] = []
        self.sent = 0
        self.retries = 0
        self.statuses: dict[int, int] = {}

    def _post(self, body: bytes, key: str) -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request(
            "POST",
            "/api/v1/cases",
            body,
            {
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.token}",
                "Idempotency-Key": key,
            },
        )
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"{}")

    def run(self) -> None:
        i = 0
        while not self.stop.is_set():
            i += 1
            tag = f"{TAG}-{self.n}-{i}"
            body = json.dumps(
                {
                    "channel": "walk_in",
                    "region_code": self.village,
                    "description": f"{tag} 楼上装修噪音扰民，夜间施工，协商未果（第{i}次）",
                    "category": "neighbour",
                    "parties": [
                        {
                            "role": "applicant",
                            "name": f"申请人{self.n}-{i}",
                            "phone": f"138{self.n:02d}{i:06d}",
                        }
                    ],
                },
                ensure_ascii=False,
            ).encode()
            key = str(uuid.uuid4())
            self.sent += 1
            deadline = time.monotonic() + 45
            while True:
                try:
                    status, data = self._post(body, key)
                except (OSError, http.client.HTTPException, ValueError):
                    status, data = 0, {}
                self.statuses[status] = self.statuses.get(status, 0) + 1
                if status == 201:
                    self.acked[tag] = data["number"]
                    break
                if 400 <= status < 500 and status not in (409, 429):
                    self.last_refusal = data
                if time.monotonic() > deadline or (self.stop.is_set() and status != 0):
                    self.unanswered.append(tag)
                    break
                self.retries += 1
                time.sleep(0.3)


def verify(acked: dict[str, str]) -> dict:
    from django.db import connection

    from jiefen.cases.models import Case
    from jiefen.dashboard.models import DailyCount
    from jiefen.dashboard.services import counters_rebuild

    connection.close()
    by_tag: dict[str, list[str]] = {}
    for number, description in Case.objects.filter(description__startswith=TAG).values_list(
        "number", "description"
    ):
        by_tag.setdefault(description.split(" ", 1)[0], []).append(number)
    lost = [t for t, n in acked.items() if n not in by_tag.get(t, [])]
    duplicates = [t for t, ns in by_tag.items() if len(ns) > 1]
    gaps = 0
    prefixes: dict[str, list[int]] = {}
    for number in Case.objects.values_list("number", flat=True):
        prefix, seq = number.rsplit("-", 1)
        prefixes.setdefault(prefix, []).append(int(seq))
    for seqs in prefixes.values():
        gaps += max(seqs) - len(set(seqs))
    fields = [f.name for f in DailyCount._meta.fields if f.name != "id"]

    def snapshot():
        return {
            tuple(r[:4]): r[4:]
            for r in DailyCount.objects.values_list(*fields)
            if any(r[4:])  # a row of zeros counts as no row
        }

    before = snapshot()
    counters_rebuild()
    after = snapshot()
    differ = sum(1 for k in set(before) | set(after) if before.get(k) != after.get(k))
    return {
        "cases": sum(len(v) for v in by_tag.values()),
        "lost": len(lost),
        "duplicates": len(duplicates),
        "gaps": gaps,
        "counter_rows": len(after),
        "counters_differ": differ,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", default="", help="PostgreSQL database (default: SQLite in --data-dir)")
    ap.add_argument("--data-dir", default="", help="data folder (default: a new temporary one)")
    ap.add_argument("--reset", action="store_true", help="empty the PostgreSQL database first")
    ap.add_argument("--kills", type=int, default=3)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--between", type=float, default=3.0, help="seconds of load between kills (±50 %%)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    random.seed(args.seed)
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="jiefen-kill9-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIEFEN_", "DJANGO_", "DATABASE_URL"))}
    env.update(
        {
            "JIEFEN_DATA_DIR": data_dir,
            "DJANGO_SETTINGS_MODULE": "jiefen.settings.local",
            "JIEFEN_SMS_BACKEND": "file",
            "PYTHONPATH": str(ROOT),
        }
    )
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    _django(env)
    token, village = prepare(args.reset)
    from django.db import connection

    engine = connection.vendor
    connection.close()
    port = _free_port()
    server = Server(port, env)
    server.start()
    stop = threading.Event()
    clients = [Client(n, port, token, village, stop) for n in range(args.clients)]
    started = time.monotonic()
    for c in clients:
        c.start()
    for k in range(args.kills):
        time.sleep(args.between * random.uniform(0.5, 1.5))
        server.kill9()
        print(f"· kill -9 #{k + 1} after {time.monotonic() - started:.1f} s", flush=True)
        server.start()
    time.sleep(args.between)
    stop.set()
    for c in clients:
        c.join(timeout=60)
    server.kill9()
    acked = {t: n for c in clients for t, n in c.acked.items()}
    figures = verify(acked)
    figures.update(
        {
            "engine": engine,
            "kills": args.kills,
            "seconds": round(time.monotonic() - started, 1),
            "requests": sum(c.sent for c in clients),
            "acknowledged": len(acked),
            "retries": sum(c.retries for c in clients),
            "unanswered": sum(len(c.unanswered) for c in clients),
        }
    )
    print(
        "kill -9 drill on {engine}: {kills} kills in {seconds} s, {requests} registrations sent, "
        "{acknowledged} acknowledged ({retries} retries, {unanswered} unanswered); "
        "acknowledged lost {lost}, duplicates {duplicates}, number gaps {gaps}, "
        "counter rows differing {counters_differ} of {counter_rows}".format(**figures)
    )
    bad = figures["lost"] or figures["duplicates"] or figures["gaps"] or figures["counters_differ"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
