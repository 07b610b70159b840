"""Keywords: TF-IDF within the corpus, TextRank, and keyness (G² with Log Ratio) of one
group against the rest; on tokens (the domain user dictionary, minus stopwords)."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.frames import require
from analysis.ingest.segment import content_tokens, load_stopwords, tokenize

_LATIN_RE = re.compile(r"^[A-Za-z]+$")


# --------------------------------------------------------------------------
# Tokens for keywords and topics
# --------------------------------------------------------------------------


@functools.lru_cache(maxsize=200_000)
def _text_content_tokens(text: str, min_len: int) -> tuple[str, ...]:
    return tuple(t for t in content_tokens(tokenize(text)) if len(t) >= min_len and not _LATIN_RE.match(t))


def _filter_tokens(tokens: Iterable[str], min_len: int, stop: frozenset[str]) -> list[str]:
    return [t for t in content_tokens(list(tokens), stopwords=stop) if len(t) >= min_len and not _LATIN_RE.match(t)]


def row_tokens(df: pd.DataFrame, *, min_len: int = 2, stopwords: frozenset[str] | None = None) -> list[list[str]]:
    """Content tokens of each row: the ``tokens`` column if present, else jieba on
    ``text``. Pseudonyms (学生A, 村B … in pseudonymised tables) are not words:
    they are dropped whole, before jieba could split 学生A into a word 学生."""
    from analysis.methods.privacy import pseudonym_pattern  # keyword functions only, never in a build

    pseudonym = pseudonym_pattern()
    if "tokens" in df.columns:
        stop = load_stopwords() if stopwords is None else stopwords
        return [
            _filter_tokens(
                [t for t in v if not pseudonym.fullmatch(t)] if isinstance(v, (list, tuple, np.ndarray)) else [],
                min_len,
                stop,
            )
            for v in df["tokens"]
        ]
    require(df, ["text"], "table")
    texts = [pseudonym.sub(" ", t) for t in df["text"].fillna("").astype(str)]
    if stopwords is None:
        return [list(_text_content_tokens(t, min_len)) for t in texts]
    return [_filter_tokens(tokenize(t), min_len, stopwords) for t in texts]


def attach_group(df: pd.DataFrame, group: str | None, essays: pd.DataFrame | None) -> pd.DataFrame:
    if group is None or group in df.columns:
        return df
    if essays is None or group not in essays.columns:
        raise KeyError(f"group column {group!r} is neither in the table nor in `essays`")
    require(df, ["essay_id"], "table")
    return df.merge(essays[["essay_id", group]].drop_duplicates("essay_id"), on="essay_id", how="left")


def _documents(df: pd.DataFrame, by: str, *, min_len: int, stopwords) -> tuple[list, list[list[str]]]:
    """Concatenated content tokens per value of ``by`` (in order of first appearance)."""
    require(df, [by], "table")
    toks = row_tokens(df, min_len=min_len, stopwords=stopwords)
    docs: dict[Any, list[str]] = {}
    for key, t in zip(df[by].tolist(), toks):
        docs.setdefault(key, []).extend(t)
    return list(docs), list(docs.values())


def identity(x):
    return x


def _top_rows(keys: Sequence, matrix, vocab: np.ndarray, top_n: int, key_name: str) -> pd.DataFrame:
    rows = []
    dense = not hasattr(matrix, "tocsr")
    m = matrix if dense else matrix.tocsr()
    for i, key in enumerate(keys):
        if dense:
            idx = np.nonzero(m[i])[0]
            vals = m[i][idx]
        else:
            start, end = m.indptr[i], m.indptr[i + 1]
            idx, vals = m.indices[start:end], m.data[start:end]
        if len(vals) == 0:
            continue
        order = np.lexsort((vocab[idx], -vals))[:top_n]  # score desc, then word for ties
        for rank, o in enumerate(order, start=1):
            rows.append({key_name: key, "rank": rank, "word": vocab[idx[o]], "score": float(vals[o])})
    return pd.DataFrame(rows, columns=[key_name, "rank", "word", "score"])


# --------------------------------------------------------------------------
# Keywords
# --------------------------------------------------------------------------


def tfidf_keywords(
    df: pd.DataFrame,
    *,
    group: str | None = None,
    essays: pd.DataFrame | None = None,
    top_n: int = 10,
    min_len: int = 2,
    min_df: int = 1,
    max_df: float = 1.0,
    sublinear_tf: bool = True,
    stopwords: frozenset[str] | None = None,
) -> pd.DataFrame:
    """Top TF-IDF words per essay, or per group.

    In: paragraphs or sentences (essay_id plus tokens or text) or essays
    (essay_id, text). Each essay is one document; IDF is computed within this
    corpus. With ``group`` (a column of ``df``, or of ``essays`` merged on
    essay_id), a group's score is the mean of its essays' l2-normalised vectors.
    Out: essay_id (or the group column), rank, word, score.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    df = attach_group(df, group, essays)
    require(df, ["essay_id"], "table")
    keys, docs = _documents(df, "essay_id", min_len=min_len, stopwords=stopwords)
    if not any(docs):
        raise ValueError("no content tokens in the table")
    vec = TfidfVectorizer(analyzer=identity, min_df=min_df, max_df=max_df, sublinear_tf=sublinear_tf)
    x = vec.fit_transform(docs)
    vocab = vec.get_feature_names_out()
    if group is None:
        return _top_rows(keys, x, vocab, top_n, "essay_id")
    essay_group = df.drop_duplicates("essay_id").set_index("essay_id")[group]
    labels = essay_group.reindex(keys).to_numpy()
    groups = list(pd.unique(labels))
    mean = np.vstack([np.asarray(x[labels == gv].mean(axis=0)).ravel() for gv in groups])
    return _top_rows(groups, mean, vocab, top_n, group)


def _textrank_scores(sequences: Iterable[list[str]], *, window: int, damping: float) -> dict[str, float]:
    weights: Counter = Counter()
    for seq in sequences:
        for i, w in enumerate(seq):
            for v in seq[i + 1 : i + window]:
                if v != w:
                    weights[(w, v) if w < v else (v, w)] += 1
    if not weights:
        return {w: 1.0 for seq in sequences for w in seq}
    return weighted_pagerank(weights, alpha=damping)


def weighted_pagerank(
    weights: Mapping[tuple[str, str], float], *, alpha: float = 0.85, max_iter: int = 100, tol: float = 1.0e-6
) -> dict[str, float]:
    """PageRank of the undirected graph whose edges and weights are
    ``weights`` ({(a, b): w}): networkx's ``pagerank`` (scipy variant, uniform
    start and teleport, dangling nodes to all, the same stopping rule),
    computed on a sparse matrix built at once instead of through a networkx
    Graph — building that graph was most of a TextRank on a large corpus."""
    import scipy.sparse as sp

    nodes: dict[str, int] = {}
    for a, b in weights:
        nodes.setdefault(a, len(nodes))
        nodes.setdefault(b, len(nodes))
    n = len(nodes)
    rows = np.fromiter((nodes[a] for a, _ in weights), dtype=np.int64, count=len(weights))
    cols = np.fromiter((nodes[b] for _, b in weights), dtype=np.int64, count=len(weights))
    vals = np.fromiter(weights.values(), dtype=float, count=len(weights))
    a = sp.csr_array(
        (np.concatenate([vals, vals]), (np.concatenate([rows, cols]), np.concatenate([cols, rows]))), shape=(n, n)
    )
    out_w = np.asarray(a.sum(axis=1)).ravel()
    inv = np.divide(1.0, out_w, out=np.zeros_like(out_w), where=out_w != 0)
    a = sp.csr_array(sp.diags(inv) @ a)
    x = np.full(n, 1.0 / n)
    p = np.full(n, 1.0 / n)
    dangling = np.where(out_w == 0)[0]
    for _ in range(max_iter):
        last = x
        x = alpha * (x @ a + x[dangling].sum() * p) + (1 - alpha) * p
        if np.absolute(x - last).sum() < n * tol:
            return dict(zip(nodes, map(float, x)))
    raise RuntimeError(f"pagerank did not converge in {max_iter} iterations")


def textrank_keywords(
    df: pd.DataFrame,
    *,
    group: str | None = None,
    essays: pd.DataFrame | None = None,
    top_n: int = 10,
    window: int = 5,
    damping: float = 0.85,
    min_len: int = 2,
    stopwords: frozenset[str] | None = None,
) -> pd.DataFrame:
    """Top TextRank words per essay, or per group.

    Each row of ``df`` (sentence or paragraph) is a token sequence; words
    within ``window`` positions of each other (after removing stopwords) are
    linked, with weights summed over the essay (or group), and ranked by
    weighted PageRank. Out: essay_id (or the group column), rank, word, score.
    """
    df = attach_group(df, group, essays)
    key = group or "essay_id"
    require(df, [key], "table")
    toks = row_tokens(df, min_len=min_len, stopwords=stopwords)
    seqs: dict[Any, list[list[str]]] = {}
    for k, t in zip(df[key].tolist(), toks):
        seqs.setdefault(k, []).append(t)
    rows = []
    for k, s in seqs.items():
        scores = _textrank_scores(s, window=window, damping=damping)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:top_n]
        rows.extend({key: k, "rank": r, "word": w, "score": float(v)} for r, (w, v) in enumerate(ranked, start=1))
    return pd.DataFrame(rows, columns=[key, "rank", "word", "score"])


def _g2(a: np.ndarray, b: np.ndarray, c: float, d: float) -> np.ndarray:
    """Dunning's log-likelihood for frequencies a (target, size c) and b (reference, size d)."""
    e1 = c * (a + b) / (c + d)
    e2 = d * (a + b) / (c + d)
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = np.where(a > 0, a * np.log(a / e1), 0.0)
        t2 = np.where(b > 0, b * np.log(b / e2), 0.0)
    return 2 * (t1 + t2)


def keyness(
    df: pd.DataFrame,
    *,
    group: str,
    target: Any = None,
    essays: pd.DataFrame | None = None,
    min_freq: int = 3,
    top_n: int | None = None,
    min_len: int = 2,
    stopwords: frozenset[str] | None = None,
) -> pd.DataFrame:
    """Keywords of one group against the rest: log-likelihood G² and Log Ratio.

    ``target``: one value of ``group``; ``None`` compares every group with the
    rest in turn. Words with target + reference frequency < ``min_freq`` are
    dropped. Out: group, word, freq_target, freq_reference, per_10k_target,
    per_10k_reference, g2, keyness (G² signed: + over-used in the target,
    − under-used), p_value (χ², 1 df), q_value (p adjusted by
    Benjamini–Hochberg over every word compared for that group, before
    ``top_n``: hundreds of words are tested at once, and q < 0.05 keeps the
    expected share of false discoveries under 5 %), log_ratio (log2 of the
    ratio of relative frequencies, 0.5 added to zero counts); sorted by
    keyness desc.
    """
    from scipy.stats import chi2, false_discovery_control
    from sklearn.feature_extraction.text import CountVectorizer

    df = attach_group(df, group, essays)
    require(df, [group], "table")
    keys, docs = _documents(df, group, min_len=min_len, stopwords=stopwords)
    if len(keys) < 2:
        raise ValueError(f"keyness needs at least two values of {group!r}, found {len(keys)}")
    targets = keys if target is None else [target]
    if target is not None and target not in keys:
        raise ValueError(f"target {target!r} is not a value of {group!r}; values: {', '.join(map(str, keys))}")
    vec = CountVectorizer(analyzer=identity)
    counts = vec.fit_transform(docs).toarray().astype(float)
    vocab = vec.get_feature_names_out()
    total = counts.sum(axis=0)
    out = []
    for t in targets:
        i = keys.index(t)
        a = counts[i]
        b = total - a
        c, d = a.sum(), b.sum()
        if c == 0 or d == 0:  # a group without content tokens has no keywords
            continue
        keep = (a + b) >= min_freq
        a, b, words = a[keep], b[keep], vocab[keep]
        g2 = _g2(a, b, c, d)
        p = chi2.sf(g2, 1)
        ra, rb = a / c, b / d
        sign = np.where(ra >= rb, 1.0, -1.0)
        log_ratio = np.log2((np.where(a > 0, a, 0.5) / c) / (np.where(b > 0, b, 0.5) / d))
        frame = pd.DataFrame(
            {
                group: t,
                "word": words,
                "freq_target": a.astype(int),
                "freq_reference": b.astype(int),
                "per_10k_target": ra * 1e4,
                "per_10k_reference": rb * 1e4,
                "g2": g2,
                "keyness": sign * g2,
                "p_value": p,
                "q_value": false_discovery_control(p, method="bh") if len(p) else p,
                "log_ratio": log_ratio,
            }
        ).sort_values(["keyness", "word"], ascending=[False, True])
        out.append(frame.head(top_n) if top_n else frame)
    if not out:
        raise ValueError(f"no content tokens to compare across {group!r}")
    return pd.concat(out, ignore_index=True)
