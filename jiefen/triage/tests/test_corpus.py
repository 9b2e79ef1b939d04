"""The training corpus: size, coverage of categories and registers, and that it is built from src/."""

from __future__ import annotations

import json
from collections import Counter

from jiefen.triage import classifier as clf
from jiefen.triage.corpus import build

REGISTERS = {"window", "clerk", "hotline", "grid", "mediator", "petition", "question"}


def test_corpus_covers_every_category_in_every_register():
    rows = clf.read_jsonl(clf.TRAIN_PATH)
    assert len(rows) >= 8000
    per_label = Counter(r["label"] for r in rows)
    assert set(per_label) == set(clf.CATEGORIES)
    assert min(per_label.values()) >= 450
    for cat in clf.CATEGORIES:
        assert {r["register"] for r in rows if r["label"] == cat} == REGISTERS, cat
    assert len({r["text"] for r in rows}) == len(rows)
    lengths = [len(r["text"]) for r in rows]
    assert min(lengths) <= 8 and max(lengths) >= 500


def test_long_third_person_write_ups_are_a_large_share_of_every_category():
    rows = clf.read_jsonl(clf.TRAIN_PATH)
    for cat in clf.CATEGORIES:
        mine = [r for r in rows if r["label"] == cat]
        long = [r for r in mine if r["register"] == "mediator" and 200 <= len(r["text"]) <= 800]
        assert len(long) / len(mine) >= 0.3, cat


def test_composed_texts_show_no_template():
    """No composed text repeats another's opening or its first 40 characters: the pieces vary."""
    rows = [r for r in clf.read_jsonl(clf.TRAIN_PATH) if "-c" in r["id"]]
    assert len(rows) >= 6000
    heads = Counter(r["text"][:40] for r in rows)
    assert heads.most_common(1)[0][1] <= 3
    assert not any("{" in r["text"] or "元元" in r["text"] for r in rows)


def test_corpus_has_traditional_chinese_examples():
    import opencc

    t2s = opencc.OpenCC("t2s")
    rows = clf.read_jsonl(clf.TRAIN_PATH)
    assert sum(t2s.convert(r["text"]) != r["text"] for r in rows) >= 50


def test_train_jsonl_is_what_the_sources_build():
    rows = build.all_rows()
    expected = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)
    assert clf.TRAIN_PATH.read_text(encoding="utf-8") == expected


def test_lexicon_covers_every_category():
    lex = clf.load_lexicon()
    assert set(lex) == set(clf.CATEGORIES)
    assert all(len(terms) >= 15 for terms in lex.values())
