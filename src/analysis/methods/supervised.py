"""The supervised sentiment method: a logistic regression over evidence that
carries across registers, fitted on every coded sample the methods may be
tuned on (:func:`analysis.methods.samples.names` with ``tuning=True``).

Features of a sentence (:func:`features`):

* the lexicon's positive and negative evidence (HowNet + DUTIR with negation
  and degree, :func:`analysis.methods.sentiment.lexicon_parts`) and the count of each
  DUTIR emotion;
* the register: policy and procedure verbs (推进, 落实, 开展 …), modal and
  directive words (要, 应当, 注意 …), negations (没有, 还没, 并非 …), digits,
  question and exclamation marks, first person, length;
* SnowNLP's score;
* the words (jieba tokens) and the characters and character pairs, weighted
  by TF-IDF over the training sentences.

The fitted model is stored as plain numbers in
``resources/sentiment/supervised.json`` (vocabularies, IDF weights, scaling,
coefficients) by ``python -m analysis calibrate``; scoring needs no
scikit-learn object, so a model does not depend on the library's version.
The score is P(positive) − P(negative), on −1 … 1.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter
from pathlib import Path
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from analysis.resources import ResourceError, resource_path

MODEL_NAME = "sentiment/supervised.json"
# Inverse regularisation, chosen by grouped cross-validation on the tuning samples (docs/sentiment.md):
# session 23 compared C 1.5, 3, 6 and 12 out-of-fold over five fold seeds; 6 beat 3 on every
# splitting for the out-of-domain tuning parts and the bundled essays, and 12 was no clearer gain.
C = 6.0
MIN_DF = 2

POLICY_RE = re.compile(
    r"重视|解决|发展|推进|落实|加强|建立|健全|开展|组织|实施|完善|部署|要求|规定|制定|召开|举办|启动|"
    r"安排|统筹|保障|纳入|提高|推动|促进|深化|坚持"
)
MODAL_RE = re.compile(r"要|应当|应该|必须|务必|需要|注意|切实|进一步|不得|严禁|确保")
NEGATION_RE = re.compile(r"没有|没|不|未|无|别|莫|并非|从未|还没")
FIRST_PERSON_RE = re.compile(r"我")
DENSE_NAMES = (
    "lexicon_pos",
    "lexicon_neg",
    "lexicon_diff",
    "has_pos",
    "has_neg",
    "length",
    "digits",
    "question",
    "exclamation",
    "policy",
    "modal",
    "negation",
    "first_person",
    "snownlp",
)


def dense_features(texts: Sequence[str], parts: np.ndarray, emotions: np.ndarray, snow: np.ndarray) -> np.ndarray:
    """The dense block: lexicon evidence (``parts``: n × 2 positive/negative),
    register cues, SnowNLP (``snow``) and DUTIR emotion counts (``emotions``: n × 7)."""
    rows = []
    for t, (pos, neg), s in zip(texts, parts, snow):
        rows.append(
            [
                pos,
                neg,
                pos - neg,
                float(pos > 0),
                float(neg > 0),
                len(t) / 50,
                sum(c.isdigit() for c in t) / 10,
                float("？" in t or "?" in t),
                float("！" in t or "!" in t),
                len(POLICY_RE.findall(t)),
                len(MODAL_RE.findall(t)),
                len(NEGATION_RE.findall(t)),
                float(bool(FIRST_PERSON_RE.search(t))),
                float(s),
            ]
        )
    dense = np.asarray(rows, float).reshape(-1, len(DENSE_NAMES))
    return np.hstack([dense, np.asarray(emotions, float).reshape(len(dense), -1)])


def _char_grams(text: str) -> list[str]:
    t = re.sub(r"\s+", "", text)
    return list(t) + [t[i : i + 2] for i in range(len(t) - 1)]


class _Tfidf:
    """TF-IDF as scikit-learn's TfidfVectorizer(sublinear_tf=True, norm='l2',
    smooth_idf=True), with a fixed vocabulary: fitted here, stored as lists."""

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray):
        self.vocabulary = vocabulary
        self.idf = np.asarray(idf, float)

    @classmethod
    def fit(cls, docs: Sequence[Sequence[str]], *, min_df: int = MIN_DF) -> _Tfidf:
        df = Counter(t for d in docs for t in set(d))
        vocab = sorted(t for t, n in df.items() if n >= min_df)
        n = len(docs)
        idf = np.array([math.log((1 + n) / (1 + df[t])) + 1.0 for t in vocab])
        return cls({t: i for i, t in enumerate(vocab)}, idf)

    def transform(self, docs: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        rows, cols, vals = [], [], []
        for r, d in enumerate(docs):
            counts = Counter(t for t in d if t in self.vocabulary)
            if not counts:
                continue
            idx = np.fromiter((self.vocabulary[t] for t in counts), int)
            v = (1.0 + np.log(np.fromiter(counts.values(), float))) * self.idf[idx]
            v /= np.linalg.norm(v)
            rows += [r] * len(idx)
            cols += idx.tolist()
            vals += v.tolist()
        return sparse.csr_matrix((vals, (rows, cols)), shape=(len(docs), len(self.vocabulary)))


class Model:
    """A fitted supervised model (see the module docstring)."""

    def __init__(self, spec: dict):
        self.spec = spec
        self.words = _Tfidf({w: i for i, w in enumerate(spec["words"]["vocabulary"])}, spec["words"]["idf"])
        self.chars = _Tfidf({w: i for i, w in enumerate(spec["chars"]["vocabulary"])}, spec["chars"]["idf"])
        self.mean = np.asarray(spec["scale"]["mean"], float)
        self.sd = np.asarray(spec["scale"]["sd"], float)
        self.coef = np.asarray(spec["coef"], float)
        self.intercept = np.asarray(spec["intercept"], float)
        self.classes = list(spec["classes"])

    def __eq__(self, other) -> bool:
        keys = ("words", "chars", "scale", "coef", "intercept", "classes")  # the numbers, not the notes save() adds
        return isinstance(other, Model) and all(_rounded(self.spec.get(k)) == _rounded(other.spec.get(k)) for k in keys)

    def __repr__(self) -> str:
        return (
            f"supervised.Model({len(self.words.vocabulary)} words, {len(self.chars.vocabulary)} character grams, "
            f"classes {self.classes})"
        )

    def matrix(
        self, texts: Sequence[str], token_lists: Sequence[Sequence[str]], dense: np.ndarray
    ) -> sparse.csr_matrix:
        d = (np.asarray(dense, float) - self.mean) / self.sd
        return sparse.hstack(
            [
                sparse.csr_matrix(d),
                self.words.transform(token_lists),
                self.chars.transform([_char_grams(t) for t in texts]),
            ]
        ).tocsr()

    def proba(self, texts, token_lists, dense) -> np.ndarray:
        z = self.matrix(texts, token_lists, dense) @ self.coef.T + self.intercept
        z = np.asarray(z) - np.asarray(z).max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def scores(self, texts, token_lists, dense) -> np.ndarray:
        """P(positive) − P(negative) for each text."""
        p = self.proba(texts, token_lists, dense)
        return p[:, self.classes.index("positive")] - p[:, self.classes.index("negative")]


def fit(
    texts: Sequence[str],
    token_lists: Sequence[Sequence[str]],
    dense: np.ndarray,
    y: Sequence[str],
    *,
    seed: int,
    c: float = C,
) -> Model:
    """Fit the model on coded sentences (``dense`` from :func:`dense_features`)."""
    from sklearn.linear_model import LogisticRegression

    dense = np.asarray(dense, float)
    mean, sd = dense.mean(axis=0), dense.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    words = _Tfidf.fit([list(t) for t in token_lists])
    chars = _Tfidf.fit([_char_grams(t) for t in texts])
    spec = {
        "words": {"vocabulary": sorted(words.vocabulary, key=words.vocabulary.get), "idf": words.idf.tolist()},
        "chars": {"vocabulary": sorted(chars.vocabulary, key=chars.vocabulary.get), "idf": chars.idf.tolist()},
        "scale": {"mean": mean.tolist(), "sd": sd.tolist()},
        "coef": [],
        "intercept": [],
        "classes": [],
    }
    model = Model(spec)
    clf = LogisticRegression(C=c, class_weight="balanced", max_iter=5000, random_state=seed)
    clf.fit(model.matrix(texts, token_lists, dense), list(y))
    spec.update(coef=clf.coef_.tolist(), intercept=clf.intercept_.tolist(), classes=[str(x) for x in clf.classes_])
    return Model(spec)


def save(model: Model, path: str | Path, *, meta: dict) -> Path:
    from analysis import io as aio

    spec = dict(model.spec)
    spec["meta"] = meta
    spec["dense_features"] = [*DENSE_NAMES, *(f"emotion_{e}" for e in meta.get("emotions", ()))]
    target = Path(path)
    aio.write_text(target, json.dumps(_rounded(spec), ensure_ascii=False, separators=(",", ":")))
    load.cache_clear()
    return target


def _rounded(obj):
    if isinstance(obj, float):
        return round(obj, 7)
    if isinstance(obj, list):
        return [_rounded(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _rounded(v) for k, v in obj.items()}
    return obj


@functools.lru_cache(maxsize=2)
def load(path: str | None = None) -> Model:
    """The stored model (``resources/sentiment/supervised.json``)."""
    try:
        p = resource_path(MODEL_NAME, path)
    except ResourceError:
        p = None
    if p is None or not Path(p).is_file():
        raise RuntimeError("the 'supervised' sentiment method is not fitted yet: run `python -m analysis calibrate`")
    return Model(json.loads(Path(p).read_text(encoding="utf-8")))


def model_path() -> Path:
    return resource_path(MODEL_NAME)
