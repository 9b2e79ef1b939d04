"""The shortcuts of the per-case triage work (classifier features and keywords, risk signals)
give what their plain definitions give."""

import random
import re
import unicodedata

import numpy as np
import pytest

from jiefen.triage import classifier as clf
from jiefen.triage import risk

ODD = [
    "市民来电反映：工地包工头拖欠农民工工资三个月，诉求：协调追讨工资。",
    "\x00\x07控制字符\ud800\ufeff",
    "１２３４５ＡＢＣ，全角字符\u2028第二段",
    "Mixed 中文 English русский 日本語のテキスト 한국어 欠薪",
    "😡😡😡 楼上漏水 💧💧",
    "a",
]


@pytest.fixture(scope="module")
def texts():
    rows = clf.read_jsonl(clf.HELDOUT_PATH)
    return [r["text"] for r in rows] + ODD


def _plain_rows(model, texts):
    """The feature matrix row by row: each row its char, word, key-sentence and lexicon entries."""
    blocks = [
        model.char.rows(texts),
        model.word.rows(texts),
        model.key.rows(texts),
        model._lexicon_rows(texts),
    ]
    nc, nw, nk = len(model.char.vocab), len(model.word.vocab), len(model.key.vocab)
    offsets = [0, nc, nc + nw, nc + nw + nk]
    ptr, ind, vals = [0], [], []
    for i in range(len(texts)):
        for (bp, bi, bv), off in zip(blocks, offsets, strict=True):
            ind += (bi[bp[i] : bp[i + 1]] + off).tolist()
            vals += bv[bp[i] : bp[i + 1]].tolist()
        ptr.append(len(ind))
    return ptr, ind, vals


def _plain_keywords(model, idx, data, cls_index, text, k=clf.N_KEYWORDS):
    """The definition: walk the entries by decreasing contribution while it is positive."""
    contrib = data * model.coef[cls_index, idx]
    cands = []
    for j in np.argsort(-contrib, kind="stable"):
        if contrib[j] <= 0 or len(cands) >= 4 * k:
            break
        kind, term = model._names[idx[j]]
        if kind == "lex":
            found = [t for t in model.lexicon.get(term, ()) if t in text]
            cands.extend(sorted(found, key=lambda t: (-len(t), t))[:3])
        elif model._displayable(term):
            cands.append(term)
    chosen = []
    for term in cands:
        if any(term in c for c in chosen):
            continue
        chosen = [c for c in chosen if c not in term]
        chosen.append(term)
        if len(chosen) >= k:
            break
    return sorted(chosen, key=lambda t: (text.find(t) if t in text else len(text), t))


def test_printable_texts_skip_the_control_character_filter(texts):
    # no printable character is of a category C* (control, format, surrogate, private, unassigned)
    assert not [
        cp for cp in range(0x110000) if chr(cp).isprintable() and unicodedata.category(chr(cp))[0] == "C"
    ]
    assert clf.normalise("\x00控制\x07字符") == "控制字符"
    assert clf.normalise("甲\u2028乙") == "甲 乙"


def test_feature_rows_are_each_rows_blocks_side_by_side(texts):
    model = clf.get_model()
    norms = [clf.normalise(t) for t in texts]
    # when
    ptr, ind, vals = model._rows(norms)
    # then
    plain = _plain_rows(model, norms)
    assert (ptr.tolist(), ind.tolist(), vals.tolist()) == plain
    assert ind.dtype == np.int64 and vals.dtype == np.float64
    assert [len(a) for a in model._rows([])] == [1, 0, 0]


def test_keywords_of_a_batch_follow_their_definition(texts):
    model = clf.get_model()
    norms = [clf.normalise(t) for t in texts]
    ptr, ind, vals = model._rows(norms)
    # when
    results = model.classify_normalised(norms)
    # then
    for i, (text, r) in enumerate(zip(norms, results, strict=True)):
        best = model.classes.index(r.category)
        row = (ind[ptr[i] : ptr[i + 1]], vals[ptr[i] : ptr[i + 1]])
        expected = _plain_keywords(model, *row, best, text)
        assert r.keywords == expected == model.keywords(*row, best, text)


def test_keywords_with_no_positive_contribution_or_nan_ones():
    model = clf.get_model()
    text = clf.normalise("工地包工头拖欠农民工工资")
    ptr, ind, vals = model._rows([text])
    best = model.classes.index("labour")
    # nothing positive: no keywords
    assert model.keywords(ind, -np.abs(vals), best, text) == _plain_keywords(
        model, ind, -np.abs(vals), best, text
    )
    assert model.keywords(ind, np.zeros(len(ind)), best, text) == []
    # NaN values: taken after the positive ones only when no contribution is ≤ 0
    ind = ind[model.coef[best, ind] != 0]
    positive = np.sign(model.coef[best, ind])
    assert (positive * model.coef[best, ind] > 0).all()
    for nan_at in ([0], [0, 3], []):
        data = positive.copy()
        data[nan_at] = np.nan
        assert model.keywords(ind, data, best, text) == _plain_keywords(model, ind, data, best, text)


def test_risk_quick_tests_change_no_assessment(monkeypatch):
    corpus = [r["text"] for r in clf.read_jsonl(clf.HELDOUT_PATH)]
    words = [*risk.EXTREME_WORDS, *risk.BEYOND_LEVEL_WORDS, *risk.VULNERABLE_WORDS]
    rnd = random.Random(7)
    texts = [
        *corpus,
        *words,
        *("".join(rnd.sample(words, 3)) + t for t in corpus[:60]),
        "三十多名农民工被拖欠工资50万元，扬言要去北京",
        "十几户村民",
        "三个月",
        "一家店",
        "12.5万",
        "工钱",
        "",
    ]
    fast = [risk.assess(risk.RiskInput(text=t, applicants=2, people=3)).as_dict() for t in texts]
    # when: every quick test lets the full check run
    every = frozenset("".join(texts))
    monkeypatch.setattr(risk, "_ANY_WORD", re.compile(""))
    monkeypatch.setattr(risk, "_GROUP_UNITS", every)
    monkeypatch.setattr(risk, "_MONEY_UNITS", every)
    monkeypatch.setattr(risk, "_MIGRANT", "")
    # then
    assert [risk.assess(risk.RiskInput(text=t, applicants=2, people=3)).as_dict() for t in texts] == fast
    assert sum(1 for a in fast if a["reasons"]) > len(texts) // 3  # (the texts do raise signals)
