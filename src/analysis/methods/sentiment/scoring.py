"""Scores, labels and emotions of texts and of sentence tables by each method, with the
calibrated default method and neutral bands (``resources/sentiment/calibration.yaml``);
per-essay and per-paragraph aggregates."""

from __future__ import annotations

import functools
import math
from pathlib import Path
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from analysis.frames import require, row_groups
from analysis.resources import ResourceError, load_yaml
from analysis.ingest.segment import tokenize
from analysis.methods.sentiment.labels import (
    CALIBRATION_NAME,
    EMOTIONS,
    METHODS,
    NEUTRAL_SCORE,
    NO_EMOTION,
    PRIOR_BANDS,
)
from analysis.methods.sentiment.lexicon import (
    analyse,
    dominant_category,
    dominant_emotion,
    get_lexicon,
    lexicon_parts,
    lexicon_score_from_parts,
)

# --------------------------------------------------------------- calibration


def load_calibration(path: str | Path | None = None) -> dict:
    """The calibration mapping (``resources/sentiment/calibration.yaml``).

    Without that file (nothing calibrated yet): default method ``lexicon`` and
    the prior bands, with ``status: prior``.
    """
    try:
        cal = load_yaml(CALIBRATION_NAME, path)
    except ResourceError:
        if path is not None:
            raise
        cal = None
    if not cal:
        return {"status": "prior", "default_method": "lexicon", "bands": {m: list(b) for m, b in PRIOR_BANDS.items()}}
    return cal


@functools.lru_cache(maxsize=1)
def default_method() -> str:
    """The cross-validated default method: ``default_method`` of the
    calibration (``lexicon`` without one), read when first asked for."""
    m = load_calibration().get("default_method", "lexicon")
    return m if m in METHODS else "lexicon"


def _check_method(method: str | None) -> str:
    method = default_method() if method is None else method
    if method not in METHODS:
        raise ValueError(f"unknown sentiment method {method!r}; valid methods: {', '.join(METHODS)}")
    return method


def band_for(method: str) -> tuple[float, float]:
    """The neutral band of ``method``: calibrated if available, else the prior band."""
    method = _check_method(method)
    b = load_calibration().get("bands", {}).get(method) or PRIOR_BANDS[method]
    return float(b[0]), float(b[1])


def _tokens_of(text: str, tokens: Sequence[str] | None) -> list[str]:
    if tokens is not None:
        return [str(t) for t in tokens]
    return tokenize(text)


@functools.lru_cache(maxsize=200_000)
def _snownlp_cached(text: str) -> float:
    # analysis.fast.snowfast reproduces SnowNLP(text).sentiments bit for bit, ~10x faster
    from analysis.fast import snowfast

    return float(snowfast.score(text))


def snownlp_score(text: str) -> float:
    """SnowNLP's sentiment (0–1); 0.5 for empty or whitespace-only text (SnowNLP
    fails on those). Cached per text: reused template sentences cost nothing."""
    text = "" if text is None else str(text).strip()
    if not text:
        return NEUTRAL_SCORE["snownlp"]
    return _snownlp_cached(text)


@functools.lru_cache(maxsize=1)
def combined_model() -> dict:
    model = load_calibration().get("combined_model")
    if not model:
        raise RuntimeError(
            "the 'combined' method is not fitted yet: run `python -m analysis calibrate` "
            "(sentiment.run_calibration) on the annotation sample first"
        )
    return {
        "coef": np.asarray(model["coef"], float),
        "intercept": np.asarray(model["intercept"], float),
        "classes": list(model["classes"]),
    }


def combined_features(pos, neg, snow) -> np.ndarray:
    return np.column_stack(
        [np.log1p(np.asarray(pos, float)), np.log1p(np.asarray(neg, float)), 2.0 * np.asarray(snow, float) - 1.0]
    )


def _softmax_score(x: np.ndarray, coef: np.ndarray, intercept: np.ndarray, classes: list[str]) -> np.ndarray:
    z = x @ coef.T + intercept
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    return p[:, classes.index("positive")] - p[:, classes.index("negative")]


def combined_scores(pos, neg, snow, empty, model: dict | None = None) -> np.ndarray:
    m = model or combined_model()
    s = _softmax_score(combined_features(pos, neg, snow), m["coef"], m["intercept"], m["classes"])
    return np.where(np.asarray(empty, bool), NEUTRAL_SCORE["combined"], s)


def score(text: str, *, method: str | None = None, tokens: Sequence[str] | None = None) -> float:
    """Sentiment score of one text by ``method`` (default: ``DEFAULT_METHOD``).

    Empty or whitespace-only text gives the method's neutral score
    (``NEUTRAL_SCORE``) without running SnowNLP. ``tokens`` (jieba tokens of
    ``text``) avoids re-tokenising. Ranges: snownlp 0–1, lexicon and combined −1…1.
    """
    method = _check_method(method)
    text = "" if text is None else str(text)
    if not text.strip():
        return NEUTRAL_SCORE[method]
    if method == "snownlp":
        return snownlp_score(text)
    toks = _tokens_of(text, tokens)
    if method == "supervised":
        return float(_method_scores([text], [analyse(toks, get_lexicon())], ["supervised"], [toks])["supervised"][0])
    pos, neg = lexicon_parts(toks)
    if method == "lexicon":
        return lexicon_score_from_parts(pos, neg)
    return float(combined_scores([pos], [neg], [snownlp_score(text)], [False])[0])


def label(score: float, *, method: str | None = None, band: tuple[float, float] | None = None) -> str:
    """'negative' if score < lo, 'positive' if score > hi, else 'neutral'.

    ``band`` defaults to the calibrated band of ``method`` (:func:`band_for`).
    A missing score (NaN) is neutral.
    """
    lo, hi = band if band is not None else band_for(_check_method(method))
    if lo > hi:
        raise ValueError(f"neutral band must have lo <= hi, got {(lo, hi)}")
    if score is None or score != score:
        return "neutral"
    return "negative" if score < lo else "positive" if score > hi else "neutral"


def labels_array(scores: np.ndarray, lo: float, hi: float) -> np.ndarray:
    s = np.asarray(scores, float)
    return np.where(s < lo, "negative", np.where(s > hi, "positive", "neutral"))


def emotion(text: str, *, tokens: Sequence[str] | None = None) -> str:
    """Dominant DUTIR category (好 乐 哀 怒 惧 恶 惊) of a text, or '' when none.

    The category whose emotion words carry the largest summed sentiment
    weight (words without polarity count ``DUTIR_WEIGHT``); a tie goes to the
    category met first. Negated or resolved words stand for relief (乐) or
    loss (哀): 不再孤独 → 乐, 不开心 → 哀.
    """
    text = "" if text is None else str(text)
    if not text.strip():
        return NO_EMOTION
    return dominant_emotion(_tokens_of(text, tokens), get_lexicon())


# ------------------------------------------------------------ frame level


def _resolve_methods(methods: Iterable[str] | None) -> list[str]:
    if methods is None:
        methods = ["snownlp", "lexicon"]
    elif isinstance(methods, str):
        methods = [methods]
    methods = [_check_method(m) for m in methods]
    if default_method() not in methods:
        methods.append(default_method())
    return [m for m in METHODS if m in methods]


def _method_scores(
    texts: list[str],
    analyses: list[tuple[float, float, list]],
    methods: Sequence[str],
    token_lists: Sequence[Sequence[str]] | None = None,
) -> dict[str, np.ndarray]:
    """Scores of every requested method from texts and their :func:`analyse` results
    (``token_lists``: the tokens each analysis read, for the supervised method)."""
    empty = np.array([not t.strip() for t in texts], bool)
    out: dict[str, np.ndarray] = {}
    parts = np.array([a[:2] for a in analyses], float).reshape(-1, 2)
    pos, neg = parts[:, 0], parts[:, 1]
    if any(m in ("snownlp", "combined", "supervised") for m in methods):
        from analysis.fast import snowfast

        stripped = [t.strip() for t in texts]
        scored = snowfast.score_many([t for t in stripped if t])
        it = iter(scored)
        snow = np.array([next(it) if t else NEUTRAL_SCORE["snownlp"] for t in stripped], float)
    if "snownlp" in methods:
        out["snownlp"] = snow
    if "lexicon" in methods:
        out["lexicon"] = np.where(empty, NEUTRAL_SCORE["lexicon"], (pos - neg) / (pos + neg + 1.0))
    if "combined" in methods:
        out["combined"] = combined_scores(pos, neg, snow, empty)
    if "supervised" in methods:
        from analysis.methods import supervised

        tl = token_lists if token_lists is not None else [tokenize(t) for t in texts]
        dense = supervised.dense_features(texts, parts, emotion_matrix(analyses), snow)
        out["supervised"] = np.where(empty, NEUTRAL_SCORE["supervised"], supervised.load().scores(texts, tl, dense))
    return out


def emotion_matrix(analyses: Sequence[tuple[float, float, list]]) -> np.ndarray:
    """Per analysis, the count of emotion words in each DUTIR category (order of ``EMOTIONS``)."""
    out = np.zeros((len(analyses), len(EMOTIONS)))
    col = {e: i for i, e in enumerate(EMOTIONS)}
    for r, a in enumerate(analyses):
        for cat, _, _ in a[2]:
            out[r, col[cat]] += 1
    return out


def score_sentences(
    sentences: pd.DataFrame, *, methods: Iterable[str] | None = None, band: tuple[float, float] | None = None
) -> pd.DataFrame:
    """Add sentiment and emotion columns to a sentences table.

    In: a ``text`` column; ``tokens`` (list of jieba tokens) is used when
    present. ``methods``: which methods to add (default snownlp and lexicon);
    the default method is always added. ``band`` overrides the neutral band of
    the default method only (the scales differ between methods).
    Out: a copy with ``sentiment_score``, ``sentiment_label`` (default method),
    ``score_<method>`` and ``label_<method>`` per method, and ``emotion``.
    """
    require(sentences, ["text"], "score_sentences")
    methods = _resolve_methods(methods)
    lex = get_lexicon()
    texts = ["" if t is None or (isinstance(t, float) and math.isnan(t)) else str(t) for t in sentences["text"]]
    if "tokens" in sentences.columns:
        token_lists = [
            [str(x) for x in t] if t is not None and not (isinstance(t, float) and math.isnan(t)) else []
            for t in sentences["tokens"]
        ]
    else:
        token_lists = [tokenize(t) for t in texts]
    analyses = [analyse(t, lex) for t in token_lists]
    scores = _method_scores(texts, analyses, methods, token_lists)
    default = default_method()
    dlo, dhi = band if band is not None else band_for(default)
    new: dict[str, object] = {}
    new["sentiment_score"] = scores[default]
    new["sentiment_label"] = labels_array(scores[default], dlo, dhi)
    for m in methods:
        new[f"score_{m}"] = scores[m]
    for m in methods:
        lo, hi = (dlo, dhi) if m == default else band_for(m)
        new[f"label_{m}"] = labels_array(scores[m], lo, hi)
    new["emotion"] = [dominant_category(a[2]) for a in analyses]
    return _with_columns(sentences, new)


def _with_columns(df: pd.DataFrame, new: dict[str, object]) -> pd.DataFrame:
    """A copy of ``df`` with the columns of ``new`` set in order, as
    ``out = df.copy(); out[c] = v ...`` would, but in one concat when the
    columns are all new (the usual case)."""
    if df.columns.is_unique and df.index.is_unique and len(df.columns) and not any(c in df.columns for c in new):
        return pd.concat([df, pd.DataFrame(new, index=df.index)], axis=1)
    out = df.copy()
    for c, v in new.items():
        out[c] = v
    return out


# what :func:`aggregate` gives per group, after the group column
AGGREGATE_COLUMNS = (
    "n_sentences",
    "sentiment_mean",
    "share_positive",
    "share_neutral",
    "share_negative",
    "dominant_emotion",
)


def aggregate(sentences: pd.DataFrame, *, by: str = "essay_id") -> pd.DataFrame:
    """Sentiment of paragraphs or essays from scored sentences.

    In: a table from :func:`score_sentences` with ``by`` ("essay_id" or
    "paragraph_id"), ``sentiment_score``, ``sentiment_label`` and optionally
    ``emotion``. Out, one row per group in first-seen order: ``by``,
    ``n_sentences``, ``sentiment_mean`` (mean sentence score),
    ``share_positive``, ``share_neutral``, ``share_negative`` and
    ``dominant_emotion`` (most frequent non-empty emotion; '' when none; ties
    go to the emotion met first).
    """
    require(sentences, [by, "sentiment_score", "sentiment_label"], "aggregate")
    cols = [by, *AGGREGATE_COLUMNS]
    rows = _aggregate_rows(sentences, by)
    if rows is None:
        rows = _aggregate_rows_grouped(sentences, by)
    return pd.DataFrame(rows, columns=cols)


def _aggregate_rows(sentences: pd.DataFrame, by: str) -> list[dict] | None:
    """The rows of :func:`aggregate` without a pandas group per key; the same
    numbers as the groupby version (each mean is numpy's sum of the group's
    scores, NaN as 0, over the number of non-NaN scores — exactly what
    ``Series.mean`` computes). None where that equivalence is not certain
    (non-string keys, non-float64 scores, duplicate column names)."""
    if not sentences.columns.is_unique:
        return None
    keys = sentences[by]
    score_col = sentences["sentiment_score"]
    if score_col.dtype != np.float64 or not (keys.dtype == object or isinstance(keys.dtype, pd.StringDtype)):
        return None
    groups = row_groups(sentences, by)
    if groups is None:  # a key of another type: use groupby
        return None
    scores = score_col.to_numpy(dtype=np.float64, copy=True)
    nan = np.isnan(scores)
    valid = (~nan).astype(np.float64)
    scores[nan] = 0.0
    labels = sentences["sentiment_label"].astype(str)
    if labels.isna().any():  # a missing label: leave its (NA-skipping) share to pandas
        return None
    labels = labels.tolist()
    emotions = sentences["emotion"].fillna("").astype(str).tolist() if "emotion" in sentences.columns else None
    rows = []
    for key, idx in groups.items():
        n = len(idx)
        first, last = idx[0], idx[-1]
        if last - first + 1 == n:  # rows of the group are consecutive: a view, as contiguous as a copy
            sl = slice(first, last + 1)
        else:
            sl = np.asarray(idx, dtype=np.intp)
        count = valid[sl].sum()
        mean = float(scores[sl].sum() / count) if count > 0 else float("nan")
        row = {by: key, "n_sentences": n, "sentiment_mean": mean}
        group_labels = [labels[i] for i in idx]
        for lab in ("positive", "neutral", "negative"):
            row[f"share_{lab}"] = float(group_labels.count(lab) / n)
        dominant = NO_EMOTION
        if emotions is not None:
            counts: dict[str, int] = {}
            for i in idx:
                e = emotions[i]
                if e:
                    counts[e] = counts.get(e, 0) + 1
            if counts:
                dominant = max(counts, key=counts.__getitem__)  # first seen wins a tie
        row["dominant_emotion"] = dominant
        rows.append(row)
    return rows


def _aggregate_rows_grouped(sentences: pd.DataFrame, by: str) -> list[dict]:
    rows = []
    for key, g in sentences.groupby(by, sort=False):
        labels = g["sentiment_label"].astype(str)
        row = {by: key, "n_sentences": len(g), "sentiment_mean": float(g["sentiment_score"].astype(float).mean())}
        for lab in ("positive", "neutral", "negative"):
            row[f"share_{lab}"] = float((labels == lab).mean())
        emo = [e for e in g["emotion"].fillna("").astype(str) if e] if "emotion" in g.columns else []
        row["dominant_emotion"] = max(dict.fromkeys(emo), key=emo.count) if emo else NO_EMOTION
        rows.append(row)
    return rows


def emotion_profile(sentences: pd.DataFrame, *, by: str | None = "essay_id", normalize: bool = False) -> pd.DataFrame:
    """Sentences per DUTIR emotion (columns 好 乐 哀 怒 惧 恶 惊, plus 无 for none).

    ``by=None`` profiles the whole table in one row. ``normalize`` gives shares
    of the group's sentences instead of counts. Index: the group keys.
    """
    require(sentences, ["emotion"] + ([by] if by else []), "emotion_profile")
    emo = sentences["emotion"].fillna("").astype(str).replace("", "无")
    keys = sentences[by] if by else pd.Series("all", index=sentences.index, name="group")
    table = pd.crosstab(keys, emo).reindex(columns=[*EMOTIONS, "无"], fill_value=0)
    table = table.reindex(pd.unique(keys))
    table.columns.name = "emotion"
    if normalize:
        table = table.div(table.sum(axis=1).replace(0, np.nan), axis=0).fillna(0.0)
    return table


def annotate_lines(lines: list[str], *, method: str | None = None) -> pd.DataFrame:
    """One row per non-empty line (stripped, input order): text, sentiment_score,
    sentiment_label (by ``method``, default ``DEFAULT_METHOD``) and emotion."""
    method = _check_method(method)
    texts = [str(x).strip() for x in lines if x is not None and str(x).strip()]
    lex = get_lexicon()
    analyses = [analyse(tokenize(t), lex) for t in texts]
    s = _method_scores(texts, analyses, [method])[method] if texts else np.array([], float)
    lo, hi = band_for(method)
    return pd.DataFrame(
        {
            "text": texts,
            "sentiment_score": s.astype(float),
            "sentiment_label": labels_array(s, lo, hi) if texts else np.array([], str),
            "emotion": [dominant_category(a[2]) for a in analyses],
        },
        columns=["text", "sentiment_score", "sentiment_label", "emotion"],
    )
