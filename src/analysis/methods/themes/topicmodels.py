"""Topics: NMF or LDA (scikit-learn) on tokenised paragraphs, seeded, and their stability
over re-seeded, sub-sampled runs with UMass coherence, for a range of k."""

from __future__ import annotations

import contextlib
import itertools
import math
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.config import RANDOM_SEED
from analysis.frames import require
from analysis.methods.themes.keywords import identity, row_tokens

TOPIC_METHODS = ("nmf", "lda")


# --------------------------------------------------------------------------
# Topics
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicModel:
    """A fitted topic model and its tables.

    words: topic, rank, word, weight. passages: topic, rank, essay_id,
    paragraph_id, weight, text (most representative paragraphs).
    doc_topic: essay_id, paragraph_id, topic_0 … topic_{k-1} (row-normalised
    weights), dominant. summary: topic, top_words (joined), n_dominant.
    """

    method: str
    k: int
    seed: int
    words: pd.DataFrame
    passages: pd.DataFrame
    doc_topic: pd.DataFrame
    model: Any = field(repr=False)
    vocabulary: np.ndarray = field(repr=False)

    @property
    def summary(self) -> pd.DataFrame:
        tops = self.words.groupby("topic")["word"].apply(lambda s: "、".join(s))
        dom = self.doc_topic["dominant"].value_counts()
        return pd.DataFrame(
            {"topic": tops.index, "top_words": tops.to_numpy(), "n_dominant": [int(dom.get(t, 0)) for t in tops.index]}
        )


def _check_method(method: str) -> str:
    if method not in TOPIC_METHODS:
        raise ValueError(f"unknown topic method {method!r}; valid: {', '.join(TOPIC_METHODS)}")
    return method


def _check_k(k: Any, n_docs: int, n_terms: int) -> int:
    upper = min(n_docs, n_terms)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 2 <= k <= upper:
        raise ValueError(f"k must be an integer from 2 to {upper} (documents and terms available), got {k!r}")
    return int(k)


def _topic_corpus(
    paragraphs_df: pd.DataFrame, *, min_len: int, min_tokens: int, stopwords
) -> tuple[pd.DataFrame, list[list[str]]]:
    require(paragraphs_df, ["text"], "paragraphs table")
    df = paragraphs_df
    if "is_heading" in df.columns:
        df = df[~df["is_heading"].fillna(False).astype(bool)]
    toks = row_tokens(df, min_len=min_len, stopwords=stopwords)
    keep = np.array([len(t) >= min_tokens for t in toks], dtype=bool)
    return df[keep].reset_index(drop=True), [t for t, k in zip(toks, keep) if k]


def _matrix(docs: list[list[str]], method: str, min_df, max_df):
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    cls = TfidfVectorizer if method == "nmf" else CountVectorizer
    vec = cls(analyzer=identity, min_df=min_df, max_df=max_df)
    try:
        x = vec.fit_transform(docs)
    except ValueError as exc:  # empty vocabulary after min_df / max_df
        raise ValueError(f"no terms left for topic modelling ({exc}); lower min_df or add paragraphs") from None
    return x, vec.get_feature_names_out()


def _fit(x, method: str, k: int, seed: int):
    if method == "nmf":
        from sklearn.decomposition import NMF

        model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=1000)
    else:
        from sklearn.decomposition import LatentDirichletAllocation

        model = LatentDirichletAllocation(n_components=k, learning_method="batch", random_state=seed, max_iter=50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=Warning)  # convergence chatter on tiny corpora
        w = model.fit_transform(x)
    return model, w


def _top_word_idx(model, top_n: int) -> np.ndarray:
    comp = model.components_
    return np.argsort(-comp, axis=1, kind="stable")[:, :top_n]


def topics(
    paragraphs_df: pd.DataFrame,
    *,
    k: int,
    method: str = "nmf",
    seed: int = RANDOM_SEED,
    top_n: int = 10,
    n_passages: int = 3,
    min_df: int | float = 2,
    max_df: float = 0.5,
    min_len: int = 2,
    min_tokens: int = 5,
    stopwords: frozenset[str] | None = None,
) -> TopicModel:
    """NMF (on TF-IDF) or LDA (on counts) over tokenised paragraphs.

    In: paragraphs (text; essay_id, paragraph_id, is_heading used when present;
    headings and paragraphs with fewer than ``min_tokens`` content tokens are
    left out). ``k``: number of topics. The same ``seed`` gives identical
    results. Raises ValueError for an unknown ``method`` or a bad ``k``.
    """
    _check_method(method)
    df, docs = _topic_corpus(paragraphs_df, min_len=min_len, min_tokens=min_tokens, stopwords=stopwords)
    if not docs:
        raise ValueError("no paragraph has enough content tokens for topic modelling")
    x, vocab = _matrix(docs, method, min_df, max_df)
    k = _check_k(k, x.shape[0], x.shape[1])
    model, w = _fit(x, method, k, seed)
    top = _top_word_idx(model, top_n)
    words = pd.DataFrame(
        [
            {"topic": t, "rank": r + 1, "word": vocab[j], "weight": float(model.components_[t, j])}
            for t in range(k)
            for r, j in enumerate(top[t])
        ]
    )
    sums = w.sum(axis=1, keepdims=True)
    share = np.divide(w, sums, out=np.zeros_like(w), where=sums > 0)
    ids = {c: (df[c].to_numpy() if c in df.columns else np.full(len(df), None)) for c in ("essay_id", "paragraph_id")}
    doc_topic = pd.DataFrame(share, columns=[f"topic_{t}" for t in range(k)])
    doc_topic.insert(0, "paragraph_id", ids["paragraph_id"])
    doc_topic.insert(0, "essay_id", ids["essay_id"])
    doc_topic["dominant"] = share.argmax(axis=1)
    # Representative: highest share of the topic, then absolute weight (long, focused paragraphs first).
    passages = []
    for t in range(k):
        order = np.lexsort((-w[:, t], -share[:, t]))[:n_passages]
        passages.extend(
            {
                "topic": t,
                "rank": r + 1,
                "essay_id": ids["essay_id"][i],
                "paragraph_id": ids["paragraph_id"][i],
                "weight": float(share[i, t]),
                "text": df["text"].iloc[i],
            }
            for r, i in enumerate(order)
            if w[i, t] > 0
        )
    return TopicModel(
        method=method,
        k=k,
        seed=seed,
        words=words,
        passages=pd.DataFrame(passages),
        doc_topic=doc_topic,
        model=model,
        vocabulary=vocab,
    )


def topic_capacity(
    paragraphs_df: pd.DataFrame,
    *,
    method: str = "nmf",
    min_df: int | float = 2,
    max_df: float = 0.5,
    min_len: int = 2,
    min_tokens: int = 5,
    stopwords: frozenset[str] | None = None,
) -> int:
    """The largest ``k`` :func:`topics` accepts on these paragraphs (min of usable
    paragraphs and terms); 0 when there is nothing to model."""
    _check_method(method)
    df, docs = _topic_corpus(paragraphs_df, min_len=min_len, min_tokens=min_tokens, stopwords=stopwords)
    if not docs:
        return 0
    try:
        x, _ = _matrix(docs, method, min_df, max_df)
    except ValueError:
        return 0
    return int(min(x.shape))


def _umass(binary_csc, top_idx: np.ndarray) -> float:
    """Mean UMass coherence over topics: Σ log((D(wi, wj) + 1) / D(wj)), j ranked above i."""
    scores = []
    for idx in top_idx:
        sub = binary_csc[:, idx]
        co = (sub.T @ sub).toarray()
        df_ = np.diag(co)
        s = 0.0
        for i in range(1, len(idx)):
            for j in range(i):
                if df_[j] > 0:
                    s += math.log((co[i, j] + 1) / df_[j])
        scores.append(s)
    return float(np.mean(scores)) if scores else float("nan")


def _matched_jaccard(a: list[set], b: list[set]) -> float:
    from scipy.optimize import linear_sum_assignment

    sim = np.array([[len(x & y) / len(x | y) if x | y else 0.0 for y in b] for x in a])
    r, c = linear_sum_assignment(-sim)
    return float(sim[r, c].mean())


# topic stability is fitted on the terms in most paragraphs, at most this many
STABILITY_MAX_TERMS = 5000


@contextlib.contextmanager
def _fit_pool():
    """map(f, items) over the cores on threads (in order), or in this thread when there is one core."""
    import os

    workers = min(4, os.cpu_count() or 1)
    if workers < 2:
        yield lambda f, items: [f(i) for i in items]
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers) as ex:
        yield lambda f, items: list(ex.map(f, items))


def topic_stability(
    paragraphs_df: pd.DataFrame,
    *,
    ks: Iterable[int] = range(2, 11),
    method: str = "nmf",
    n_runs: int = 5,
    sample: float = 0.8,
    seed: int = RANDOM_SEED,
    top_n: int = 10,
    min_df: int | float = 2,
    max_df: float = 0.5,
    min_len: int = 2,
    min_tokens: int = 5,
    stopwords: frozenset[str] | None = None,
    max_terms: int | None = STABILITY_MAX_TERMS,
) -> pd.DataFrame:
    """How stable and coherent the topics are for each k (to help choose k).

    For each k: ``n_runs`` models, each fitted with seed ``seed + run`` on a
    random ``sample`` share of the paragraphs; topics of every pair of runs
    are matched one-to-one (Hungarian) on the Jaccard index of their top
    words. Out: k, stability (mean matched Jaccard, 0–1, higher = more
    stable), stability_sd, coherence_umass (of the model on all paragraphs;
    closer to 0 = more coherent). ``max_terms``: the models are fitted on the
    terms found in most paragraphs, at most this many (a topic's top words
    are among them; on a large corpus the long tail of rare words made each
    of the many fits slow); None keeps every term.
    """
    _check_method(method)
    df, docs = _topic_corpus(paragraphs_df, min_len=min_len, min_tokens=min_tokens, stopwords=stopwords)
    if not docs:
        raise ValueError("no paragraph has enough content tokens for topic modelling")
    x, vocab = _matrix(docs, method, min_df, max_df)
    if max_terms is not None and x.shape[1] > max_terms:
        df_ = np.asarray((x > 0).sum(axis=0)).ravel()
        keep = np.sort(np.argsort(-df_, kind="stable")[:max_terms])
        x, vocab = x[:, keep], vocab[keep]
    binary = (x > 0).astype(np.int64).tocsc()
    rng = np.random.default_rng(seed)
    n = x.shape[0]
    size = max(2, int(round(sample * n)))
    subsets = [np.sort(rng.choice(n, size=size, replace=False)) for _ in range(n_runs)]
    ks = [_check_k(k, min(size, n), x.shape[1]) for k in ks]
    # every fit is independent and seeded: fitted on threads (sklearn's solvers release the GIL), the
    # same models in the same order as one after the other
    jobs = [(k, None, seed) for k in ks] + [(k, idx, seed + run) for k in ks for run, idx in enumerate(subsets)]
    with warnings.catch_warnings(), _fit_pool() as pool:
        warnings.simplefilter("ignore", category=Warning)  # (each fit's own filter is not thread-safe)
        fitted = pool(lambda job: _fit(x if job[1] is None else x[job[1]], method, job[0], job[2])[0], jobs)
    models = dict(zip(((k, run) for k, _, run in jobs), fitted))
    rows = []
    for k in ks:
        full = models[(k, seed)]
        coherence = _umass(binary, _top_word_idx(full, top_n))
        tops = [
            [set(vocab[j] for j in row) for row in _top_word_idx(models[(k, seed + run)], top_n)]
            for run in range(len(subsets))
        ]
        pair = [_matched_jaccard(a, b) for a, b in itertools.combinations(tops, 2)]
        rows.append(
            {
                "k": k,
                "stability": float(np.mean(pair)) if pair else float("nan"),
                "stability_sd": float(np.std(pair)) if pair else float("nan"),
                "coherence_umass": coherence,
            }
        )
    return pd.DataFrame(rows)
