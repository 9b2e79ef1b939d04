"""Benchmark: import a 100,000-order 12345 file, then import it again (nothing new).

    .venv/bin/python bench/import_12345.py                      # SQLite and PostgreSQL
    .venv/bin/python bench/import_12345.py --db postgres --n 100000 \
        --pg-url postgres://postgres@127.0.0.1:5432/bench_chan

Each database run happens in a child process on a fresh database (SQLite file in a temporary
data folder; the PostgreSQL database is dropped and created again): migrate, import 安吉县's
divisions and organisations, generate the CSV (real town and village names in most
addresses, some town-only and some unresolvable ones, ~3% repeat callers about the same
matter, some unknown hotline categories), then time `hotline_orders_import` on the file read
by `read_orders` — the same path as `jiefen import-12345 FILE` (two processes on PostgreSQL,
one on SQLite, unless `--workers` says otherwise).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
DIVISIONS = ROOT.parent / "shared" / "data" / "divisions" / "divisions_330523.csv"
TZ = ZoneInfo("Asia/Shanghai")
CATEGORIES = [
    "邻里纠纷",
    "劳动保障",
    "物业管理",
    "消费维权",
    "婚姻家庭",
    "交通事故",
    "房屋土地",
    "环境保护",
    "城市管理",
    "其他",
]
MATTERS = [
    "楼上邻居{n}号装修噪音，晚上十点后仍在施工，多次沟通无果",
    "{n}号厂拖欠工资三个月共计{m}元，老板联系不上",
    "小区物业{n}栋电梯长期故障，物业费照收不维修",
    "在{n}号店购买的电器质量问题，商家拒绝退换，金额{m}元",
    "与前夫就孩子抚养费{m}元发生争议，对方拒不支付",
    "{n}路口发生交通事故，对方车辆不愿赔偿修车费{m}元",
    "宅基地边界与邻居{n}号发生争议，对方砌墙占地",
    "附近{n}号企业夜间排放异味，影响居民休息",
]


def generate(path: Path, n: int, seed: int = 12345) -> None:
    rng = random.Random(seed)
    rows = list(csv.DictReader(DIVISIONS.open(encoding="utf-8")))
    towns = [r["name"] for r in rows if r["level"] == "town"]
    villages = [
        (r["name"], next(t["name"] for t in rows if t["code"] == r["parent_code"]))
        for r in rows
        if r["level"] == "village"
    ]
    now = datetime.now(TZ).replace(microsecond=0)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["order_id", "received_at", "caller", "phone", "address", "category", "content", "urgency"]
        )
        previous: list[tuple[str, str]] = []
        for i in range(n):
            roll = rng.random()
            if roll < 0.8:
                v, t = rng.choice(villages)
                address = f"安吉县{t}{v.replace('村委会', '村').replace('居委会', '')}{rng.randint(1, 30)}组"
            elif roll < 0.9:
                address = f"安吉县{rng.choice(towns)}某路{rng.randint(1, 300)}号"
            else:
                address = f"外地某市某区{rng.randint(1, 999)}号"
            if previous and rng.random() < 0.03:
                phone, content = rng.choice(previous)  # the same caller about the same matter
            else:
                phone = f"13{rng.randint(0, 9)}{i:08d}"
                content = rng.choice(MATTERS).format(n=rng.randint(1, 9999), m=rng.randint(500, 90000))
                if len(previous) < 5000:
                    previous.append((phone, content))
            received = now - timedelta(days=rng.randint(0, 40), minutes=rng.randint(0, 1440))
            w.writerow(
                [
                    f"ZJ12345-{i:08d}",
                    received.strftime("%Y-%m-%d %H:%M:%S"),
                    rng.choice("张王李赵刘陈杨黄周吴") + rng.choice(["先生", "女士", "伟", "芳", "强"]),
                    phone,
                    address,
                    rng.choice(CATEGORIES),
                    content,
                    rng.choice(["普通", "普通", "普通", "紧急"]),
                ]
            )


def child(args) -> None:
    import django

    django.setup()
    from django.db import connection as _connection
    from runinfo import describe

    describe(_connection)
    from django.core.management import call_command
    from django.db import connection

    from jiefen.channels.hotline import hotline_orders_import, read_orders
    from jiefen.directory.services import organizations_seed_for_county
    from jiefen.regions.models import Region

    call_command("migrate", verbosity=0)
    call_command("import_regions", str(DIVISIONS), verbosity=0)
    county = Region.objects.get(code="330523000000")
    organizations_seed_for_county(county=county)
    raw = Path(args.file).read_bytes()
    # as `jiefen import-12345` does by default: two processes on PostgreSQL, one on SQLite
    workers = args.workers or (2 if connection.vendor == "postgresql" else 1)
    result = {"db": connection.vendor, "workers": workers}
    for run in ("first", "second"):
        t0 = time.perf_counter()
        rows = read_orders(raw)
        report = hotline_orders_import(rows=rows, county=county, workers=workers)
        dt = time.perf_counter() - t0
        counts = {k: report[k] for k in ("created", "linked", "skipped", "refused")}
        reasons: dict[str, int] = {}
        for r in report["rows"]:
            if r["outcome"] == "refused":
                reasons[str(r.get("reason"))] = reasons.get(str(r.get("reason")), 0) + 1
        result[run] = {
            "seconds": round(dt, 1),
            "orders_per_s": round(len(rows) / dt),
            **counts,
            "refused_reasons": reasons,
        }
        print(
            f"[{connection.vendor}] {run} import of {len(rows)} orders: {dt:.1f} s, {len(rows) / dt:.0f} orders/s, {counts}",
            flush=True,
        )
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)


def run_db(kind: str, args, csv_path: Path) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jiefen.settings.local", "JIEFEN_CELERY_EAGER": "1"}
    data_dir = Path(tempfile.mkdtemp(prefix=f"bench12345-{kind}-"))
    env["JIEFEN_DATA_DIR"] = str(data_dir)
    if kind == "postgres":
        url = args.pg_url
        name = url.rsplit("/", 1)[1]
        admin = url.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", admin, "-qc", f"drop database if exists {name}"], check=True)
        subprocess.run(["psql", admin, "-qc", f"create database {name}"], check=True)
        env["DATABASE_URL"] = url
    else:
        env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, __file__, "--child", "--file", str(csv_path), "--workers", str(args.workers)],
        env=env,
        check=True,
        cwd=ROOT,
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=100_000)
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/bench_chan")
    p.add_argument("--workers", type=int, default=0, help="import processes (default: as the command)")
    p.add_argument("--file", help=argparse.SUPPRESS)
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT))
        child(args)
        return
    csv_path = Path(tempfile.gettempdir()) / f"orders_12345_{args.n}.csv"
    t0 = time.perf_counter()
    generate(csv_path, args.n)
    print(
        f"generated {args.n} orders in {time.perf_counter() - t0:.1f} s: {csv_path} ({csv_path.stat().st_size // 1024} KiB)"
    )
    for kind in ["postgres", "sqlite"] if args.db == "both" else [args.db]:
        run_db(kind, args, csv_path)


if __name__ == "__main__":
    main()
