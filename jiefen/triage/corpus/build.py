"""Assemble `train.jsonl` from the hand-written sources in `src/` and the composed texts of `compose.py`.

Each `src/<category>.txt` line is `R|text`, R being the register (W window, C clerk, H hotline,
G grid, M mediator). The only programmatic step is filling the placeholders `{N}`, `{N2}`
(a person), `{V}` (a village) and `{T}` (a town) from the lists below, with a fixed seed, so the
model does not learn the names that happened to be typed. Run from anywhere:

    python -m jiefen.triage.corpus.build

The output is deterministic: same sources, same bytes.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
REGISTERS = {"W": "window", "C": "clerk", "H": "hotline", "G": "grid", "M": "mediator"}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
)
GIVEN = ["某", "某某", "某甲", "某乙", "某芳", "某强", "某华", "某英", "某军", "某兰", "某明", "某红"]
VILLAGES = [
    "横溪坞村",
    "夏阳村",
    "深溪村",
    "石门村",
    "上墅村",
    "龙山村",
    "桃源村",
    "南湖村",
    "大竹园村",
    "溪口村",
    "东山村",
    "杨家庄",
    "李家坝村",
    "新桥村",
    "后塘村",
    "马家湾村",
    "白沙村",
    "青石岭村",
    "柳树屯",
    "王家圩",
]
TOWNS = [
    "孝丰镇",
    "报福镇",
    "天荒坪镇",
    "梅溪镇",
    "递铺街道",
    "城关镇",
    "河口乡",
    "新集镇",
    "清泉镇",
    "长乐镇",
]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def fill(text: str, rng: random.Random) -> str:
    n1 = _person(rng)
    n2 = _person(rng)
    while n2 == n1:
        n2 = _person(rng)
    return (
        text.replace("{N2}", n2)
        .replace("{N}", n1)
        .replace("{V}", rng.choice(VILLAGES))
        .replace("{T}", rng.choice(TOWNS))
    )


def read_sources(src: Path) -> list[dict]:
    rows: list[dict] = []
    for path in sorted(src.glob("*.txt")):
        label = path.stem
        rng = random.Random(f"jiefen-triage-{label}")
        for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            reg, sep, text = line.partition("|")
            if not sep or reg not in REGISTERS or not text.strip():
                raise ValueError(f"{path.name}:{lineno}: expected 'R|text' with R in {sorted(REGISTERS)}")
            rows.append(
                {
                    "id": f"{label}-{lineno:04d}",
                    "label": label,
                    "register": REGISTERS[reg],
                    "text": fill(text.strip(), rng),
                }
            )
    return rows


def all_rows() -> list[dict]:
    """The hand-written lines of src/, then the texts compose.py writes (deterministic)."""
    from jiefen.triage.classifier import CATEGORIES
    from jiefen.triage.corpus import compose

    return read_sources(HERE / "src") + compose.compose(CATEGORIES)


def main() -> None:
    rows = all_rows()
    seen: dict[str, str] = {}
    for row in rows:
        if row["text"] in seen:
            raise ValueError(f"duplicate text in {row['id']} and {seen[row['text']]}")
        seen[row["text"]] = row["id"]
    out = HERE / "train.jsonl"
    with out.open("w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"{len(rows)} examples -> {out}")


if __name__ == "__main__":
    main()
