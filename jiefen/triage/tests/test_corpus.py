"""The training corpus: size, coverage of categories and registers, and that it is built from src/."""

from __future__ import annotations

import json
from collections import Counter

from jiefen.triage import classifier as clf
from jiefen.triage.corpus import build

REGISTERS = {"window", "clerk", "hotline", "grid", "mediator"}


def test_corpus_covers_every_category_in_every_register():
    rows = clf.read_jsonl(clf.TRAIN_PATH)
    assert len(rows) >= 2000
    per_label = Counter(r["label"] for r in rows)
    assert set(per_label) == set(clf.CATEGORIES)
    assert min(per_label.values()) >= 80
    for cat in clf.CATEGORIES:
        assert {r["register"] for r in rows if r["label"] == cat} == REGISTERS, cat
    assert len({r["text"] for r in rows}) == len(rows)
    lengths = [len(r["text"]) for r in rows]
    assert min(lengths) <= 8 and max(lengths) >= 200


def test_corpus_has_traditional_chinese_examples():
    import opencc

    t2s = opencc.OpenCC("t2s")
    rows = clf.read_jsonl(clf.TRAIN_PATH)
    assert sum(t2s.convert(r["text"]) != r["text"] for r in rows) >= 50


def test_train_jsonl_is_what_the_sources_build():
    rows = build.read_sources(build.HERE / "src")
    expected = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)
    assert clf.TRAIN_PATH.read_text(encoding="utf-8") == expected


def test_lexicon_covers_every_category():
    lex = clf.load_lexicon()
    assert set(lex) == set(clf.CATEGORIES)
    assert all(len(terms) >= 15 for terms in lex.values())
