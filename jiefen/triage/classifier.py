"""Dispute classifier: text in Simplified or Traditional Chinese -> one of the 17 codes of DESIGN.md §6.

Pure Python (no Django models): normalise the text (HTML stripped, NFKC, OpenCC t2s, whitespace
collapsed, capped at MAX_FEATURE_CHARS), build three feature blocks -- character 1-3-grams,
jieba words (the domain lexicon loaded as user words) and per-category lexicon hit counts -- and
score them with a multinomial logistic regression whose probabilities are calibrated by one
temperature fitted on out-of-fold scores. The words that drove a decision are the features with
the largest positive coef x tf-idf contribution to the chosen class.

The model is built only from the project's own corpus (`corpus/train.jsonl`, `corpus/lexicon.json`)
by `train_model()` (`jiefen train`), deterministically, and shipped as `model/classifier.joblib`.
It is loaded lazily, once per process.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
CORPUS_DIR = HERE / "corpus"
TRAIN_PATH = CORPUS_DIR / "train.jsonl"
HELDOUT_PATH = CORPUS_DIR / "test_heldout.jsonl"
LEXICON_PATH = CORPUS_DIR / "lexicon.json"
MODEL_PATH = HERE / "model" / "classifier.joblib"

CATEGORIES: tuple[str, ...] = (
    "family",
    "inheritance",
    "neighbour",
    "property_land",
    "expropriation",
    "labour",
    "debt_contract",
    "business",
    "traffic",
    "medical",
    "property_mgmt",
    "consumer",
    "environment",
    "education",
    "public_order",
    "village_affairs",
    "other",
)
LABELS_ZH = {
    "family": "婚姻家庭",
    "inheritance": "遗产继承",
    "neighbour": "邻里纠纷",
    "property_land": "房产土地",
    "expropriation": "征地拆迁",
    "labour": "劳资劳动",
    "debt_contract": "经济债务",
    "business": "公司经营",
    "traffic": "交通事故",
    "medical": "医疗健康",
    "property_mgmt": "物业管理",
    "consumer": "消费旅游",
    "environment": "环境污染",
    "education": "校园教育",
    "public_order": "治安纠纷",
    "village_affairs": "村务管理",
    "other": "其他",
}

#: Below this calibrated probability the category is a suggestion a dispatcher must confirm.
CONFIDENCE_THRESHOLD = 0.5
#: Characters of normalised text that feed the features (the start of a narrative carries the matter).
MAX_FEATURE_CHARS = 5000
#: Raw characters looked at before normalising (bounds the work on a 100,000-character paste).
MAX_RAW_CHARS = 4 * MAX_FEATURE_CHARS
TOP_K = 3
N_KEYWORDS = 6

MODEL_FORMAT = 1
RANDOM_STATE = 20240601

log = logging.getLogger(__name__)


class EmptyText(ValueError):
    """The text has nothing to classify (empty, whitespace, or only markup)."""


@dataclass(frozen=True)
class Result:
    category: str
    confidence: float
    top: list[tuple[str, float]]
    keywords: list[str] = field(default_factory=list)

    @property
    def needs_review(self) -> bool:
        return self.confidence < CONFIDENCE_THRESHOLD

    def as_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "confidence": round(self.confidence, 4),
            "top": [[code, round(p, 4)] for code, p in self.top],
            "keywords": list(self.keywords),
            "needs_review": self.needs_review,
        }


# --------------------------------------------------------------------------- normalisation

_SCRIPT_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"<[^<>]{0,500}>")
_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")

_cc_lock = threading.Lock()
_cc = None


def _opencc():
    global _cc
    if _cc is None:
        with _cc_lock:
            if _cc is None:
                import opencc

                _cc = opencc.OpenCC("t2s")
    return _cc


def normalise(text: Any) -> str:
    """The text the features see: markup removed, NFKC, Simplified, one space between runs.

    Raises EmptyText if nothing is left.
    """
    if text is None:
        raise EmptyText("The text is empty.")
    if not isinstance(text, str):
        text = str(text)
    text = text[:MAX_RAW_CHARS]
    if "<" in text or "&" in text:
        text = _SCRIPT_STYLE.sub(" ", text)
        text = _TAG.sub(" ", text)
        text = html.unescape(text)
    text = unicodedata.normalize("NFKC", text)
    # Drop control and unassigned/surrogate code points; keep letters, marks, numbers, punctuation, symbols.
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\t\n\r ")
    text = _SPACE.sub(" ", text).strip()
    if not text:
        raise EmptyText("The text is empty.")
    text = _opencc().convert(text)
    return text[:MAX_FEATURE_CHARS]


def _feature_text(text: str) -> str:
    """What the character n-grams see: digits collapsed so amounts and dates do not become features."""
    return _DIGITS.sub("0", text.lower())


# --------------------------------------------------------------------------- words (jieba)

_jieba_lock = threading.Lock()
_tokenizers: dict[str, Any] = {}
_TOKEN_OK = re.compile(r"[\w\u3400-\u9fff]", re.U)


def _tokenizer(words: tuple[str, ...]):
    key = hashlib.sha256("\n".join(words).encode()).hexdigest()
    tk = _tokenizers.get(key)
    if tk is None:
        with _jieba_lock:
            tk = _tokenizers.get(key)
            if tk is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                for w in words:
                    tk.add_word(w, freq=100000)
                _tokenizers[key] = tk
    return tk


class WordAnalyzer:
    """jieba segmentation (no HMM, so it is fast and deterministic) with the lexicon as user words."""

    def __init__(self, user_words: Iterable[str]):
        self.user_words = tuple(sorted(set(user_words)))

    def __call__(self, text: str) -> list[str]:
        tk = _tokenizer(self.user_words)
        return [t for t in tk.lcut(_feature_text(text), HMM=False) if t.strip() and _TOKEN_OK.search(t)]


class CharAnalyzer:
    """Character 1-3-grams over the digit-collapsed text, spaces and punctuation runs excluded."""

    _drop = re.compile(r"[^\w\u3400-\u9fff]+", re.U)

    def __call__(self, text: str) -> list[str]:
        out: list[str] = []
        for chunk in self._drop.split(_feature_text(text)):
            n = len(chunk)
            for size in (1, 2, 3):
                out.extend(chunk[i : i + size] for i in range(n - size + 1))
        return out


# --------------------------------------------------------------------------- the model


class TriageModel:
    """Vectorisers + linear model + temperature; picklable, no Django."""

    def __init__(
        self, *, lexicon: dict[str, list[str]], char_vec, word_vec, clf, temperature: float, meta: dict
    ):
        self.lexicon = lexicon
        self.char_vec = char_vec
        self.word_vec = word_vec
        self.clf = clf
        self.temperature = float(temperature)
        self.meta = meta
        self._prepare()

    def __getstate__(self):
        state = self.__dict__.copy()
        for k in ("_lex_terms", "_lex_index", "_names", "_classes"):
            state.pop(k, None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._prepare()

    def _prepare(self) -> None:
        self._classes = [str(c) for c in self.clf.classes_]
        self._lex_index = {c: i for i, c in enumerate(CATEGORIES)}
        terms: dict[str, list[str]] = {}
        for cat, words in self.lexicon.items():
            for w in words:
                terms.setdefault(w, []).append(cat)
        self._lex_terms = terms
        names = [f"c:{t}" for t in self.char_vec.get_feature_names_out()]
        names += [f"w:{t}" for t in self.word_vec.get_feature_names_out()]
        names += [f"lex:{c}" for c in CATEGORIES]
        self._names = names

    # features ------------------------------------------------------------------------
    def _lexicon_block(self, texts: Sequence[str]):
        from scipy import sparse

        rows = np.zeros((len(texts), len(CATEGORIES)), dtype=np.float64)
        for i, text in enumerate(texts):
            for term, cats in self._lex_terms.items():
                if term in text:
                    for c in cats:
                        rows[i, self._lex_index[c]] += 1.0
        return sparse.csr_matrix(np.log1p(rows) / 2.0)

    def features(self, texts: Sequence[str]):
        from scipy import sparse

        return sparse.hstack(
            [self.char_vec.transform(texts), self.word_vec.transform(texts), self._lexicon_block(texts)],
            format="csr",
        )

    # scoring -------------------------------------------------------------------------
    def proba_matrix(self, X) -> np.ndarray:
        scores = self.clf.decision_function(X) / self.temperature
        scores -= scores.max(axis=1, keepdims=True)
        e = np.exp(scores)
        return e / e.sum(axis=1, keepdims=True)

    def keywords(self, x_row, cls_index: int, text: str, k: int = N_KEYWORDS) -> list[str]:
        coef = self.clf.coef_[cls_index]
        idx = x_row.indices
        contrib = x_row.data * coef[idx]
        order = np.argsort(-contrib, kind="stable")
        cands: list[tuple[str, float]] = []
        for j in order[: 4 * k + 8]:
            if contrib[j] <= 0:
                break
            name = self._names[idx[j]]
            kind, _, term = name.partition(":")
            if kind == "lex":
                cat = term
                terms = [t for t in self.lexicon.get(cat, ()) if t in text]
                cands.extend((t, contrib[j]) for t in sorted(terms, key=len, reverse=True)[:3])
                continue
            if not term.strip() or term.isdigit() or term == "0":
                continue
            cands.append((term, contrib[j]))
        # Prefer multi-character terms; drop a term contained in a longer chosen one, and a term
        # that contains an already chosen one only adds noise if it is a char n-gram overlap.
        chosen: list[str] = []
        for term, _ in sorted(cands, key=lambda tc: (-(len(tc[0]) > 1), -tc[1])):
            if term in chosen or any(term in c for c in chosen):
                continue
            if len(term) == 1 and len(chosen) >= 2:
                continue
            chosen = [c for c in chosen if c not in term]
            chosen.append(term)
            if len(chosen) >= k:
                break
        # Present them in order of first appearance in the text, which reads naturally.
        return sorted(chosen, key=lambda t: text.find(t) if t in text else len(text))

    def classify_normalised(self, texts: Sequence[str]) -> list[Result]:
        if not texts:
            return []
        X = self.features(texts)
        P = self.proba_matrix(X)
        out = []
        for i, text in enumerate(texts):
            p = P[i]
            order = np.argsort(-p, kind="stable")
            best = int(order[0])
            top = [(self._classes[j], float(p[j])) for j in order[:TOP_K]]
            out.append(
                Result(
                    category=self._classes[best],
                    confidence=float(p[best]),
                    top=top,
                    keywords=self.keywords(X.getrow(i), best, text),
                )
            )
        return out


# --------------------------------------------------------------------------- loading

_model_lock = threading.Lock()
_model: TriageModel | None = None


def load_model(path: Path | str = MODEL_PATH) -> TriageModel:
    import joblib

    model = joblib.load(path)
    if not isinstance(model, TriageModel) or model.meta.get("format") != MODEL_FORMAT:
        raise RuntimeError(f"{path} is not a triage model of format {MODEL_FORMAT}; run `jiefen train`.")
    return model


def get_model() -> TriageModel:
    """The shipped model, loaded once per process (thread-safe)."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                _model = load_model(MODEL_PATH)
    return _model


def reset_model_cache() -> None:
    global _model
    with _model_lock:
        _model = None


def classify(text: str, *, model: TriageModel | None = None) -> Result:
    """Classify one text. Raises EmptyText for an empty/whitespace/markup-only text."""
    norm = normalise(text)
    return (model or get_model()).classify_normalised([norm])[0]


def classify_batch(texts: Sequence[str], *, model: TriageModel | None = None) -> list[Result | None]:
    """Classify many texts at once; an empty text gives None in its place instead of raising."""
    norms: list[str | None] = []
    for t in texts:
        try:
            norms.append(normalise(t))
        except EmptyText:
            norms.append(None)
    present = [n for n in norms if n is not None]
    results = iter((model or get_model()).classify_normalised(present))
    return [next(results) if n is not None else None for n in norms]


# --------------------------------------------------------------------------- training


def read_jsonl(path: Path | str) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def load_lexicon(path: Path | str = LEXICON_PATH) -> dict[str, list[str]]:
    with open(path, encoding="utf-8") as fh:
        raw = json.load(fh)
    unknown = set(raw) - set(CATEGORIES)
    if unknown:
        raise ValueError(f"lexicon has unknown categories: {sorted(unknown)}")
    return {c: sorted(set(raw.get(c, []))) for c in CATEGORIES}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fit_temperature(scores: np.ndarray, y: np.ndarray) -> float:
    """The temperature minimising the negative log-likelihood of out-of-fold scores (grid + refine)."""

    def nll(t: float) -> float:
        s = scores / t
        s = s - s.max(axis=1, keepdims=True)
        logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(y)), y].mean())

    grid = np.exp(np.linspace(np.log(0.05), np.log(20.0), 200))
    best = min(grid, key=nll)
    lo, hi = best / 1.05, best * 1.05
    fine = np.linspace(lo, hi, 101)
    return float(round(min(fine, key=nll), 6))


def train_model(
    train_rows: Sequence[dict] | None = None,
    lexicon: dict[str, list[str]] | None = None,
    *,
    C: float = 20.0,
) -> TriageModel:
    """Fit the model deterministically (sorted inputs, fixed seeds, one BLAS thread)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from threadpoolctl import threadpool_limits

    default_train, default_lexicon = train_rows is None, lexicon is None
    rows = list(train_rows) if train_rows is not None else read_jsonl(TRAIN_PATH)
    lexicon = lexicon if lexicon is not None else load_lexicon()
    rows = sorted(rows, key=lambda r: (r["label"], r["text"]))
    bad = {r["label"] for r in rows} - set(CATEGORIES)
    if bad:
        raise ValueError(f"unknown labels in training data: {sorted(bad)}")
    texts = [normalise(r["text"]) for r in rows]
    # The lexicon is part of the training data too: each term is one short example of its class.
    for cat in CATEGORIES:
        for term in lexicon.get(cat, ()):
            texts.append(normalise(term))
            rows.append({"label": cat, "text": term})
    labels = np.array([r["label"] for r in rows])
    user_words = [w for words in lexicon.values() for w in words]

    def make_parts():
        char_vec = TfidfVectorizer(
            analyzer=CharAnalyzer(), sublinear_tf=True, min_df=2, max_df=0.5, dtype=np.float64
        )
        word_vec = TfidfVectorizer(
            analyzer=WordAnalyzer(user_words), sublinear_tf=True, min_df=1, max_df=0.5, dtype=np.float64
        )
        clf = LogisticRegression(C=C, max_iter=3000, tol=1e-6, random_state=RANDOM_STATE)
        return char_vec, word_vec, clf

    def fit(idx):
        char_vec, word_vec, clf = make_parts()
        sub = [texts[i] for i in idx]
        char_vec.fit(sub)
        word_vec.fit(sub)
        m = TriageModel(
            lexicon=lexicon,
            char_vec=char_vec,
            word_vec=word_vec,
            clf=_Unfitted(),
            temperature=1.0,
            meta={},
        )
        X = m.features(sub)
        clf.fit(X, labels[idx])
        m.clf = clf
        m._prepare()
        return m

    with threadpool_limits(limits=1):
        # Out-of-fold scores for the temperature.
        skf = StratifiedKFold(n_splits=5, shuffle=True, random_state=RANDOM_STATE)
        oof = np.zeros((len(texts), len(CATEGORIES)))
        for tr, te in skf.split(np.zeros(len(labels)), labels):
            m = fit(tr)
            cols = [CATEGORIES.index(c) for c in m._classes]
            oof[np.ix_(te, cols)] = m.clf.decision_function(m.features([texts[i] for i in te]))
        y = np.array([CATEGORIES.index(lab) for lab in labels])
        temperature = _fit_temperature(oof, y)
        model = fit(np.arange(len(texts)))

    import sklearn

    model.temperature = temperature
    model.meta = {
        "format": MODEL_FORMAT,
        "n_train": len(rows),
        "train_sha256": _sha256(TRAIN_PATH) if default_train else "",
        "lexicon_sha256": _sha256(LEXICON_PATH) if default_lexicon else "",
        "sklearn": sklearn.__version__,
        "C": C,
        "temperature": temperature,
        "oof_accuracy": float((oof.argmax(axis=1) == y).mean()),
    }
    return model


class _Unfitted:
    """Stand-in classifier while the vectorisers are fitted (gives `_prepare` its classes)."""

    classes_ = np.array(CATEGORIES)


def save_model(model: TriageModel, path: Path | str = MODEL_PATH) -> Path:
    """Write the artefact byte-for-byte reproducibly (joblib pickle, zlib level 3, no mtime)."""
    import joblib

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    joblib.dump(model, buf, compress=("zlib", 3))
    path.write_bytes(buf.getvalue())
    return path
