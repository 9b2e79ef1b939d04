"""What a benchmark ran with, printed before its figures, and the CPU its own processes used.

Two runs of the same benchmark differ for reasons the figures do not show: another CPU model,
other processes busy on a shared machine, another PostgreSQL configuration, another commit of
the code. `describe()` prints all of that in one block so a figure can be compared only with
figures measured under the same conditions; `busy_processes()` names what else was using the
CPU when the run started. `ProcessCpu` counts the CPU seconds of the benchmark's own processes
only: its server's workers, the PostgreSQL backends connected to its database (by the process
title PostgreSQL sets, `postgres: user database host(port) …`), and itself — not every postgres
process on the machine. PostgreSQL's shared background processes (WAL writer, checkpointer …)
work for every database and are reported on their own line.

Linux only for the /proc parts; elsewhere they print nothing.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# a backend's title: "postgres: [<cluster>: ]<user> <database> <host(port)|[local]> <state>"
_BACKEND = re.compile(r"^postgres: (?:\S+: )?(?P<user>\S+) (?P<database>\S+) (?:\S+\(\d+\)|\[local\])")
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _mem_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "?"


def _git() -> str:
    try:
        rev = subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        rev = ""
    return rev or "?"


def _proc_stat(pid: str) -> tuple[str, int, float] | None:
    """(name, parent pid, CPU seconds so far) of a process, from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    name = stat[stat.index("(") + 1 : stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2 :].split()
    return name, int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def _cmdline(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def busy_processes(seconds: float = 1.0, top: int = 5) -> list[tuple[float, str]]:
    """The processes that used the most CPU over `seconds`, as (share of one core, command)."""
    if not os.path.isdir("/proc"):
        return []

    def snapshot() -> dict[str, float]:
        out = {}
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                st = _proc_stat(pid)
                if st:
                    out[pid] = st[2]
        return out

    before = snapshot()
    time.sleep(seconds)
    after = snapshot()
    used = sorted(((after[p] - before[p]) / seconds, p) for p in after if p in before)
    return [(share, _cmdline(p)[:80] or p) for share, p in reversed(used[-top:]) if share >= 0.05]


def describe(connection=None, extra: dict | None = None) -> None:
    """Print what this run runs on and with. `connection`: a Django connection (after setup)."""
    lines = [
        f"commit {_git()}, {time.strftime('%Y-%m-%d %H:%M:%S %Z')}",
        f"machine: {_cpu_model()}, {os.cpu_count()} cores, {_mem_gib()}, {platform.system()} {platform.release()}",
    ]
    if hasattr(os, "getloadavg"):
        one, five, fifteen = os.getloadavg()
        lines.append(f"load average before the run: {one:.2f} {five:.2f} {fifteen:.2f}")
    versions = [f"Python {platform.python_version()}"]
    try:
        import django

        versions.append(f"Django {django.get_version()}")
    except ImportError:
        pass
    try:
        import psycopg

        versions.append(f"psycopg {psycopg.__version__}")
    except ImportError:
        pass
    lines.append("versions: " + ", ".join(versions))
    if connection is not None:
        lines.append(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("SELECT version()")
                lines.append("server: " + cur.fetchone()[0].split(" on ")[0])
                names = (
                    "shared_buffers",
                    "synchronous_commit",
                    "fsync",
                    "commit_delay",
                    "wal_level",
                    "max_connections",
                    "work_mem",
                )
                cur.execute("SELECT name, setting, unit FROM pg_settings WHERE name = ANY(%s)", [list(names)])
                lines.append(
                    "settings: " + ", ".join(f"{n}={s}{u or ''}" for n, s, u in sorted(cur.fetchall()))
                )
            elif connection.vendor == "sqlite":
                cur.execute("SELECT sqlite_version()")
                lines.append(f"server: SQLite {cur.fetchone()[0]} (embedded)")
        from django.conf import settings

        jiefen = {
            k: getattr(settings, k)
            for k in ("JIEFEN_GROUP_COMMIT", "JIEFEN_GROUP_COMMIT_MAX", "JIEFEN_GROUP_COMMIT_WAIT_MS")
            if hasattr(settings, k)
        }
        if jiefen:
            lines.append("jiefen: " + ", ".join(f"{k}={v}" for k, v in jiefen.items()))
    if extra:
        lines.append("run: " + ", ".join(f"{k}={v}" for k, v in extra.items()))
    busy = [(s, c) for s, c in busy_processes() if str(os.getpid()) not in c]
    if busy:
        lines.append("busy before the run (share of one core): " + "; ".join(f"{s:.2f} {c}" for s, c in busy))
        if sum(s for s, _ in busy) > 0.3:
            lines.append("WARNING: the machine is not quiet; wall-clock figures will be low")
    for line in lines:
        print("· " + line, flush=True)
    sys.stdout.flush()


class ProcessCpu:
    """CPU seconds of the benchmark's own processes (see the module's text)."""

    def __init__(self, server_pid: int | None, database: str | None):
        self.server_pid = server_pid
        self.database = database

    def sample(self) -> dict[str, float]:
        if not os.path.isdir("/proc"):
            return {}
        out = {"server": 0.0, "postgresql": 0.0, "postgresql (shared background)": 0.0, "client": 0.0}
        me = os.getpid()
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            st = _proc_stat(pid)
            if st is None:
                continue
            name, ppid, used = st
            if self.server_pid and (int(pid) == self.server_pid or ppid == self.server_pid):
                out["server"] += used
            elif int(pid) == me:
                out["client"] += used
            elif name in ("postgres", "postmaster"):
                title = _cmdline(pid)
                backend = _BACKEND.match(title)
                if backend:
                    if backend.group("database") == self.database:
                        out["postgresql"] += used
                elif title.startswith("postgres:"):
                    out["postgresql (shared background)"] += used
        return out

    @staticmethod
    def difference(after: dict[str, float], before: dict[str, float]) -> dict[str, float]:
        return {k: v - before.get(k, 0.0) for k, v in after.items()}
