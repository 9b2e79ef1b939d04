"""Dispute classifier: text in Simplified or Traditional Chinese -> one of the 17 codes of docs/triage.md.

Pure Python (no Django models): normalise the text (HTML stripped, NFKC, OpenCC t2s, whitespace
collapsed, capped at MAX_FEATURE_CHARS), build three feature blocks -- character 1-3-grams,
jieba words (the domain lexicon loaded as user words) and per-category lexicon hit counts -- and
score them with a linear SVM (one-vs-rest) whose margins become probabilities through a softmax
with one temperature fitted on out-of-fold scores (minimum log-loss), i.e. calibrated. The words that drove a decision are the features with
the largest positive coef x tf-idf contribution to the chosen class.

The model is built only from the project's own corpus (`corpus/train.jsonl`, `corpus/lexicon.json`)
by `train_model()` (`jiefen train`), deterministically, and shipped as `model/classifier.json.gz`
(vocabularies, idf and coefficients as gzip'd JSON: no pickle, byte-reproducible, and no
scikit-learn needed at run time). It is loaded lazily, once per process.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import html
import json
import logging
import re
import threading
import unicodedata
from collections import Counter
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
MODEL_PATH = HERE / "model" / "classifier.json.gz"

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
N_KEYWORDS = 5
#: Words more frequent than this in jieba's general dictionary (现在, 没有, 一个…) explain nothing.
KEYWORD_MAX_FREQ = 8000

MODEL_FORMAT = 3
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
    #: Nothing can be said of the text (empty, only symbols or emoji, no Chinese at all): the
    #: category is a placeholder and a person decides.
    undetermined: bool = False

    @property
    def needs_review(self) -> bool:
        return self.undetermined or self.confidence < CONFIDENCE_THRESHOLD

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
_HAN = re.compile(r"[\u3400-\u9fff]")

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
    # Drop control and unassigned/surrogate code points; keep letters, marks, numbers, punctuation,
    # symbols. (All of them are unprintable: a printable text, the usual one, has none to drop.)
    if not text.isprintable():
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
_tokenizers: dict[tuple[str, ...], Any] = {}
_TOKEN_OK = re.compile(r"[\w\u3400-\u9fff]", re.U)


def _tokenizer(words: tuple[str, ...]):
    """A jieba Tokenizer with `words` added as user words; one per word list per process.
    (A private Tokenizer: the global `jieba` dictionary of other code is left alone.)"""
    tk = _tokenizers.get(words)
    if tk is None:
        with _jieba_lock:
            tk = _tokenizers.get(words)
            if tk is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                for w in words:
                    tk.add_word(w, freq=100000)
                _tokenizers[words] = tk
    return tk


class WordAnalyzer:
    """jieba segmentation (no HMM, so it is fast and deterministic) with the lexicon as user words."""

    def __init__(self, user_words: Iterable[str]):
        self.user_words = tuple(sorted(set(user_words)))
        self._tk = None

    @property
    def tokenizer(self):
        if self._tk is None:
            self._tk = _tokenizer(self.user_words)
        return self._tk

    def __call__(self, text: str) -> list[str]:
        return [
            t
            for t in self.tokenizer.lcut(_feature_text(text), HMM=False)
            if t.strip() and _TOKEN_OK.search(t)
        ]


#: Sentences (or a text without punctuation, whole) ...
_SENTENCE = re.compile(r"[^。！？；!?;\n]+")
#: ... that carry the dispute: the demand (要求/请求/诉求/希望/申请…, a question's 能不能/可以),
#: who it is against (被申请人) and what the file calls the dispute (因…发生纠纷, …纠纷一案).
_KEY_SENTENCE = re.compile(r"要求|请求|诉求|希望|申请|想要|能不能|可以|怎么办|被申请人|纠纷|赔偿|退还|支付")


def key_text(text: str) -> str:
    """The sentences of `text` that carry the dispute, joined (empty when there is none)."""
    return " ".join(m.group(0) for m in _SENTENCE.finditer(text) if _KEY_SENTENCE.search(m.group(0)))


class KeyAnalyzer:
    """jieba words of the sentences that carry the dispute (`key_text`): a block of its own, so
    that in a long write-up the demand and the respondent weigh as much as all the background."""

    def __init__(self, words: WordAnalyzer):
        self.words = words

    def __call__(self, text: str) -> list[str]:
        key = key_text(text)
        return self.words(key) if key else []


class CharAnalyzer:
    """Character 1-3-grams over the digit-collapsed text, spaces and punctuation runs excluded."""

    _drop = re.compile(r"[^\w\u3400-\u9fff]+", re.U)

    def __call__(self, text: str) -> list[str]:
        out: list[str] = []
        for chunk in self._drop.split(_feature_text(text)):
            n = len(chunk)
            out.extend(chunk)
            out.extend([chunk[i : i + 2] for i in range(n - 1)])
            out.extend([chunk[i : i + 3] for i in range(n - 2)])
        return out


# --------------------------------------------------------------------------- the model


class TfidfBlock:
    """A tf-idf vectoriser over one analyzer: sublinear tf (1 + ln tf), smoothed idf
    (ln((1+n)/(1+df)) + 1), rows L2-normalised -- the same arithmetic as scikit-learn's
    TfidfVectorizer(sublinear_tf=True), kept as plain data so the artefact is not a pickle."""

    def __init__(self, analyzer, vocab: Sequence[str], idf: np.ndarray):
        self.analyzer = analyzer
        self.vocab = list(vocab)
        self.idf = np.asarray(idf, dtype=np.float64)
        self.index = {t: i for i, t in enumerate(self.vocab)}

    @classmethod
    def fit(cls, analyzer, texts: Sequence[str], *, min_df: int, max_df: float) -> TfidfBlock:
        df: Counter[str] = Counter()
        for text in texts:
            df.update(set(analyzer(text)))
        n = len(texts)
        vocab = sorted(t for t, c in df.items() if min_df <= c <= max_df * n)
        idf = np.array([np.log((1 + n) / (1 + df[t])) + 1.0 for t in vocab], dtype=np.float64)
        return cls(analyzer, vocab, idf)

    def rows(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR parts (indptr, column indices, values) of the tf-idf rows of `texts`."""
        index = self.index
        indptr = [0]
        indices: list[int] = []
        counts: list[int] = []
        get = index.get
        for text in texts:
            # counted by column (one per term of the vocabulary; None: not in it)
            counted = Counter(map(get, self.analyzer(text)))
            counted.pop(None, None)
            row = sorted(counted.items())
            if row:
                row_indices, row_counts = zip(*row, strict=True)
                indices.extend(row_indices)
                counts.extend(row_counts)
            indptr.append(len(indices))
        ind = np.array(indices, dtype=np.int64)
        vals = (1.0 + np.log(np.array(counts, dtype=np.float64))) * self.idf[ind]
        ptr = np.array(indptr, dtype=np.int64)
        lengths = np.diff(ptr)
        nonempty = lengths > 0
        norms = np.zeros(len(texts))
        if len(vals):
            norms[nonempty] = np.sqrt(np.add.reduceat(vals * vals, ptr[:-1][nonempty]))
            vals /= np.repeat(np.where(norms > 0, norms, 1.0), lengths)
        return ptr, ind, vals

    def transform(self, texts: Sequence[str]):
        from scipy import sparse

        ptr, ind, vals = self.rows(texts)
        return sparse.csr_matrix((vals, ind, ptr), shape=(len(texts), len(self.vocab)))


def _b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f8").tobytes()).decode("ascii")


def gzip_json(doc: dict) -> bytes:
    """An artefact's bytes: sorted compact JSON, gzip'd without a timestamp (same input, same bytes)."""
    raw = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return gzip.compress(raw, compresslevel=9, mtime=0)


def _unb64(s: str, shape) -> np.ndarray:
    return np.frombuffer(base64.b64decode(s), dtype="<f8").reshape(shape).astype(np.float64)


class TriageModel:
    """Features (char n-grams, jieba words, lexicon hits) + linear scores + temperature. No Django,
    no scikit-learn at run time; serialised as gzip'd JSON (`to_bytes`/`from_bytes`)."""

    def __init__(
        self,
        *,
        lexicon: dict[str, list[str]],
        char: TfidfBlock,
        word: TfidfBlock,
        key: TfidfBlock,
        coef: np.ndarray,
        intercept: np.ndarray,
        classes: Sequence[str],
        temperature: float = 1.0,
        meta: dict | None = None,
    ):
        self.lexicon = {c: list(lexicon.get(c, ())) for c in CATEGORIES}
        self.char = char
        self.word = word
        self.key = key
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.classes = [str(c) for c in classes]
        self.temperature = float(temperature)
        self.meta = dict(meta or {})
        self.user_words = self.word.analyzer.user_words
        self._lex_index = {c: i for i, c in enumerate(CATEGORIES)}
        terms: dict[str, list[str]] = {}
        for cat, words in self.lexicon.items():
            for w in words:
                terms.setdefault(w, []).append(cat)
        self._lex_terms = terms
        by_first: dict[str, list[tuple[str, list[int]]]] = {}
        for term in sorted(terms):
            by_first.setdefault(term[0], []).append((term, [self._lex_index[c] for c in terms[term]]))
        self._lex_by_first = by_first
        # Per feature column: (kind, term) with kind "c" char n-gram, "w" word, "lex" category hits.
        self._names = (
            [("c", t) for t in self.char.vocab]
            + [("w", t) for t in self.word.vocab]
            + [("k", t) for t in self.key.vocab]
            + [("lex", c) for c in CATEGORIES]
        )
        self._display: dict[str, bool] = {}
        # Per feature column, whether `keywords` can take a term from it: 1 yes (a lexicon
        # category, or a displayable term), 0 no, -1 not known yet (filled in as columns come up).
        self._keyword_columns = np.full(len(self._names), -1, dtype=np.int8)
        self._keyword_columns[len(self._names) - len(CATEGORIES) :] = 1
        # Per category, its lexicon terms by first character (in lexicon order).
        self._lex_cat_first: dict[str, dict[str, list[str]]] = {}
        for cat, words in self.lexicon.items():
            firsts: dict[str, list[str]] = {}
            for w in words:
                firsts.setdefault(w[:1], []).append(w)
            self._lex_cat_first[cat] = firsts

    # serialisation ---------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        doc = {
            "format": MODEL_FORMAT,
            "meta": self.meta,
            "classes": self.classes,
            "temperature": self.temperature,
            "lexicon": self.lexicon,
            "user_words": list(self.user_words),
            "char_vocab": self.char.vocab,
            "char_idf": _b64(self.char.idf),
            "word_vocab": self.word.vocab,
            "word_idf": _b64(self.word.idf),
            "key_vocab": self.key.vocab,
            "key_idf": _b64(self.key.idf),
            "coef_shape": list(self.coef.shape),
            "coef": _b64(self.coef),
            "intercept": _b64(self.intercept),
        }
        return gzip_json(doc)

    @classmethod
    def from_bytes(cls, data: bytes) -> TriageModel:
        doc = json.loads(gzip.decompress(data).decode("utf-8"))
        if doc.get("format") != MODEL_FORMAT:
            raise ValueError(f"model format {doc.get('format')!r}, expected {MODEL_FORMAT}")
        cv, wv, kv = doc["char_vocab"], doc["word_vocab"], doc["key_vocab"]
        words = WordAnalyzer(doc["user_words"])
        return cls(
            lexicon=doc["lexicon"],
            char=TfidfBlock(CharAnalyzer(), cv, _unb64(doc["char_idf"], (len(cv),))),
            word=TfidfBlock(words, wv, _unb64(doc["word_idf"], (len(wv),))),
            key=TfidfBlock(KeyAnalyzer(words), kv, _unb64(doc["key_idf"], (len(kv),))),
            coef=_unb64(doc["coef"], tuple(doc["coef_shape"])),
            intercept=_unb64(doc["intercept"], (len(doc["classes"]),)),
            classes=doc["classes"],
            temperature=doc["temperature"],
            meta=doc["meta"],
        )

    # features ----------------------------------------------------------------------------
    def _lexicon_rows(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rows = np.zeros((len(texts), len(CATEGORIES)), dtype=np.float64)
        by_first = self._lex_by_first
        for i, text in enumerate(texts):
            # Each lexicon term found in the text counts once for each of its categories; only the
            # terms whose first character occurs in the text need looking for.
            hits: list[float] | None = None
            for ch in set(text).intersection(by_first):
                for term, cats in by_first[ch]:
                    if term in text:
                        if hits is None:
                            hits = [0.0] * len(CATEGORIES)
                        for c in cats:
                            hits[c] += 1.0
            if hits is not None:
                rows[i] = hits
        r, c = np.nonzero(rows)
        ptr = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(np.bincount(r, minlength=len(texts)), out=ptr[1:])
        return ptr, c.astype(np.int64), np.log1p(rows[r, c]) / 2.0

    def _rows(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The feature matrix as CSR parts: char, word, key-sentence and lexicon blocks side by side
        (each row its char entries, then its word entries, its key entries, its lexicon entries)."""
        blocks = [
            self.char.rows(texts),
            self.word.rows(texts),
            self.key.rows(texts),
            self._lexicon_rows(texts),
        ]
        nc, nw = len(self.char.vocab), len(self.word.vocab)
        offsets = [0, nc, nc + nw, nc + nw + len(self.key.vocab)]
        lengths = [np.diff(p) for p, _, _ in blocks]
        ptr = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(np.sum(lengths, axis=0), out=ptr[1:])
        # The three blocks one after the other, then their entries grouped by row, block order kept.
        owner = np.concatenate([np.repeat(np.arange(len(texts)), n) for n in lengths])
        order = np.argsort(owner, kind="stable")
        ind = np.concatenate([bi + off for (_bp, bi, _bv), off in zip(blocks, offsets, strict=True)])[order]
        vals = np.concatenate([bv for _bp, _bi, bv in blocks])[order]
        return ptr, ind.astype(np.int64, copy=False), vals.astype(np.float64, copy=False)

    def features(self, texts: Sequence[str]):
        """The feature matrix (scipy CSR), for training and inspection."""
        from scipy import sparse

        ptr, ind, vals = self._rows(texts)
        return sparse.csr_matrix((vals, ind, ptr), shape=(len(texts), self.coef.shape[1]))

    # scoring -------------------------------------------------------------------------------
    def decision(self, X) -> np.ndarray:
        return np.asarray(X @ self.coef.T) + self.intercept

    def _decision_rows(self, ptr: np.ndarray, ind: np.ndarray, vals: np.ndarray) -> np.ndarray:
        """Scores straight from CSR parts with numpy (cheaper than scipy for small batches)."""
        n = len(ptr) - 1
        out = np.tile(self.intercept, (n, 1))
        if len(ind):
            coef_t = self._coef_t
            contrib = coef_t[ind] * vals[:, None]
            nonempty = np.diff(ptr) > 0
            out[nonempty] += np.add.reduceat(contrib, ptr[:-1][nonempty], axis=0)
        return out

    @property
    def _coef_t(self) -> np.ndarray:
        ct = self.__dict__.get("_coef_t_cache")
        if ct is None or ct.shape[0] != self.coef.shape[1]:
            ct = np.ascontiguousarray(self.coef.T)
            self.__dict__["_coef_t_cache"] = ct
        return ct

    def _softmax(self, scores: np.ndarray) -> np.ndarray:
        scores = scores / self.temperature
        scores -= scores.max(axis=1, keepdims=True)
        e = np.exp(scores)
        return e / e.sum(axis=1, keepdims=True)

    def proba_matrix(self, X) -> np.ndarray:
        return self._softmax(self.decision(X))

    def _displayable(self, term: str) -> bool:
        """A term worth showing a person: a lexicon term, or a real dictionary word that is not a
        very common function word (jieba's frequency list tells both). Cached per term."""
        ok = self._display.get(term)
        if ok is None:
            if term in self._lex_terms:
                ok = True
            elif len(term) < 2 or not _HAN.search(term):
                ok = False
            else:
                freq = self.word.analyzer.tokenizer.FREQ.get(term) or 0
                ok = 0 < freq <= KEYWORD_MAX_FREQ
            self._display[term] = ok
        return ok

    def keywords(
        self, idx: np.ndarray, data: np.ndarray, cls_index: int, text: str, k: int = N_KEYWORDS
    ) -> list[str]:
        """Terms with the largest positive coef x tf-idf contribution to the chosen class (one row
        of the feature matrix: column indices and values), longest form kept when one contains
        another, in order of appearance in the text."""
        ptr = np.array([0, len(idx)], dtype=np.int64)
        columns, bounds = self._keyword_columns_of(ptr, np.asarray(idx), np.asarray(data), [cls_index])
        return self._keywords_from(columns[bounds[0] : bounds[1]], text, k)

    def _keyword_columns_of(
        self, ptr: np.ndarray, ind: np.ndarray, vals: np.ndarray, classes: list[int]
    ) -> tuple[list[int], list[int]]:
        """For each row of a feature matrix (CSR parts) and its chosen class: the columns a keyword
        can come from (a lexicon category or a displayable term), largest positive contribution
        first (equal ones in column order), as one list and each row's bounds in it. A row's
        entries stop at its first contribution ≤ 0 (so with none, NaN ones come last)."""
        n = len(ptr) - 1
        lengths = np.diff(ptr)
        row = np.repeat(np.arange(n), lengths)
        contrib = vals * self.coef[np.repeat(np.asarray(classes, dtype=np.intp), lengths), ind]
        stop = contrib <= 0
        keep = contrib > 0
        nan = ~(stop | keep)
        if nan.any():  # rows without a contribution ≤ 0 keep their NaN ones too
            keep |= nan & (np.bincount(row[stop], minlength=n) == 0)[row]
        flags = self._keyword_columns[ind[keep]]
        if (flags < 0).any():
            for col in np.unique(ind[keep][flags < 0]).tolist():
                self._keyword_columns[col] = 1 if self._displayable(self._names[col][1]) else 0
            flags = self._keyword_columns[ind[keep]]
        (at,) = np.nonzero(keep)
        at = at[flags > 0]
        at = at[np.lexsort((-contrib[at], row[at]))]  # by row, then largest first (stable)
        bounds = np.searchsorted(row[at], np.arange(n + 1))
        return ind[at].tolist(), bounds.tolist()

    def _keywords_from(self, columns: list[int], text: str, k: int = N_KEYWORDS) -> list[str]:
        """`keywords` from a row's columns (_keyword_columns_of)."""
        cands: list[str] = []
        chars: set[str] | None = None
        for col in columns:
            if len(cands) >= 4 * k:
                break
            kind, term = self._names[col]
            if kind == "lex":
                if chars is None:
                    chars = set(text)
                # the category's lexicon terms in the text (only those whose first character is
                # in it need looking for), the longest first
                firsts = self._lex_cat_first.get(term, {})
                terms = [t for ch in chars.intersection(firsts) for t in firsts[ch] if t in text]
                terms += firsts.get("", [])
                cands.extend(sorted(terms, key=lambda t: (-len(t), t))[:3])
            else:
                cands.append(term)
        chosen: list[str] = []
        for term in cands:
            for c in chosen:
                if term in c:
                    break  # a longer form is chosen already
            else:
                chosen = [c for c in chosen if c not in term]
                chosen.append(term)
                if len(chosen) >= k:
                    break
        return sorted(chosen, key=lambda t: (text.find(t) if t in text else len(text), t))

    def classify_normalised(self, texts: Sequence[str]) -> list[Result]:
        if not texts:
            return []
        ptr, ind, vals = self._rows(texts)
        P = self._softmax(self._decision_rows(ptr, ind, vals))
        out = []
        orders = np.argsort(-P, axis=1, kind="stable").tolist()
        probabilities = P.tolist()
        columns, bounds = self._keyword_columns_of(ptr, ind, vals, [order[0] for order in orders])
        for i, text in enumerate(texts):
            p, order = probabilities[i], orders[i]
            best = order[0]
            out.append(
                Result(
                    category=self.classes[best],
                    confidence=p[best],
                    top=[(self.classes[j], p[j]) for j in order[:TOP_K]],
                    keywords=self._keywords_from(columns[bounds[i] : bounds[i + 1]], text),
                )
            )
        return out


# --------------------------------------------------------------------------- loading

_model_lock = threading.Lock()
_model: TriageModel | None = None


def load_model(path: Path | str = MODEL_PATH) -> TriageModel:
    try:
        return TriageModel.from_bytes(Path(path).read_bytes())
    except (OSError, ValueError, KeyError) as exc:
        raise RuntimeError(f"cannot load the triage model {path}: {exc}; run `jiefen train`.") from exc


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


def undetermined() -> Result:
    """The answer for a text of which nothing can be said: `other` at chance, for a person to decide."""
    p = 1.0 / len(CATEGORIES)
    top = [("other", p)] + [(c, p) for c in CATEGORIES if c != "other"][: TOP_K - 1]
    return Result(category="other", confidence=p, top=top, keywords=[], undetermined=True)


def _with_content(result: Result, norm: str) -> Result:
    """A text without one Chinese character (emoji, symbols, Latin only) is undetermined."""
    if _HAN.search(norm):
        return result
    return Result(result.category, result.confidence, result.top, result.keywords, undetermined=True)


def classify(text: Any, *, model: TriageModel | None = None) -> Result:
    """Classify one text. Never raises on a string: an empty, whitespace- or markup-only text, or
    one without any Chinese, gives an `undetermined` result (needs_review)."""
    try:
        norm = normalise(text)
    except EmptyText:
        return undetermined()
    return _with_content((model or get_model()).classify_normalised([norm])[0], norm)


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
    return [_with_content(next(results), n) if n is not None else None for n in norms]


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

    grid = np.exp(np.linspace(np.log(0.02), np.log(20.0), 240))
    best = min(grid, key=nll)
    fine = np.linspace(best / 1.05, best * 1.05, 101)
    return float(round(min(fine, key=nll), 6))


CHAR_MIN_DF = 2
MAX_DF = 0.5


def _fit(texts: Sequence[str], labels: np.ndarray, lexicon, user_words, C: float) -> TriageModel:
    from sklearn.svm import LinearSVC

    char = TfidfBlock.fit(CharAnalyzer(), texts, min_df=CHAR_MIN_DF, max_df=MAX_DF)
    words = WordAnalyzer(user_words)
    word = TfidfBlock.fit(words, texts, min_df=1, max_df=MAX_DF)
    key = TfidfBlock.fit(KeyAnalyzer(words), texts, min_df=2, max_df=MAX_DF)
    n_features = len(char.vocab) + len(word.vocab) + len(key.vocab) + len(CATEGORIES)
    zeros = np.zeros((len(CATEGORIES), n_features))
    model = TriageModel(
        lexicon=lexicon,
        char=char,
        word=word,
        key=key,
        coef=zeros,
        intercept=zeros[:, 0],
        classes=CATEGORIES,
    )
    svm = LinearSVC(C=C, max_iter=20000, random_state=RANDOM_STATE)
    svm.fit(model.features(texts), labels)
    model.coef = np.asarray(svm.coef_, dtype=np.float64)
    model.intercept = np.asarray(svm.intercept_, dtype=np.float64)
    model.classes = [str(c) for c in svm.classes_]
    return model


def train_model(
    train_rows: Sequence[dict] | None = None,
    lexicon: dict[str, list[str]] | None = None,
    *,
    C: float = 0.5,
) -> TriageModel:
    """Fit the model deterministically (sorted inputs, fixed seeds, one BLAS thread).

    The lexicon terms join the training texts as one-term examples of their category.
    """
    from sklearn.model_selection import StratifiedKFold
    from threadpoolctl import threadpool_limits

    default_train, default_lexicon = train_rows is None, lexicon is None
    rows = list(train_rows) if train_rows is not None else read_jsonl(TRAIN_PATH)
    lexicon = lexicon if lexicon is not None else load_lexicon()
    rows = sorted(rows, key=lambda r: (r["label"], r["text"]))
    bad = {r["label"] for r in rows} - set(CATEGORIES)
    if bad:
        raise ValueError(f"unknown labels in training data: {sorted(bad)}")
    n_texts = len(rows)
    texts = [normalise(r["text"]) for r in rows]
    labels_list = [r["label"] for r in rows]
    for cat in CATEGORIES:
        for term in lexicon.get(cat, ()):
            texts.append(normalise(term))
            labels_list.append(cat)
    labels = np.array(labels_list)
    user_words = sorted({w for words in lexicon.values() for w in words})

    with threadpool_limits(limits=1):
        skf = StratifiedKFold(n_splits=5, shuffle=True, random_state=RANDOM_STATE)
        oof = np.zeros((len(texts), len(CATEGORIES)))
        for tr, te in skf.split(np.zeros(len(labels)), labels):
            m = _fit([texts[i] for i in tr], labels[tr], lexicon, user_words, C)
            cols = [CATEGORIES.index(c) for c in m.classes]
            oof[np.ix_(te, cols)] = m.decision(m.features([texts[i] for i in te]))
        y = np.array([CATEGORIES.index(lab) for lab in labels])
        temperature = _fit_temperature(oof, y)
        model = _fit(texts, labels, lexicon, user_words, C)

    import sklearn

    model.temperature = temperature
    model.meta = {
        "format": MODEL_FORMAT,
        "n_train": len(texts),
        "n_texts": n_texts,
        "n_lexicon_terms": len(texts) - n_texts,
        "train_sha256": _sha256(TRAIN_PATH) if default_train else "",
        "lexicon_sha256": _sha256(LEXICON_PATH) if default_lexicon else "",
        "trained_with": f"scikit-learn {sklearn.__version__} LinearSVC(C={C})",
        "temperature": temperature,
        "oof_accuracy": round(float((oof.argmax(axis=1) == y).mean()), 6),
        "n_features": int(model.coef.shape[1]),
    }
    return model


def model_bytes(model: TriageModel) -> bytes:
    """The artefact's bytes: gzip'd JSON, no timestamp, so the same corpus gives the same bytes."""
    return model.to_bytes()


def save_model(model: TriageModel, path: Path | str = MODEL_PATH) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(model_bytes(model))
    return path
