"""Exploring coded text: code and word co-occurrence, sentiment by code, and the
keyword-in-context concordance."""

from __future__ import annotations

import html
import re
import unicodedata
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.frames import require
from analysis.methods.themes.codebook import Codebook, resolve_codebook
from analysis.methods.themes.coding import code_indicator, code_paragraphs, codes_column
from analysis.methods.themes.keywords import identity, row_tokens

COOCCURRENCE_MEASURES = ("count", "jaccard")
SENTIMENT_LABELS = ("negative", "neutral", "positive")
DEFAULT_KWIC_TERMS = ("留守儿童", "家访", "谈心", "安全")


# --------------------------------------------------------------------------
# Co-occurrence and sentiment by code
# --------------------------------------------------------------------------


def code_cooccurrence(
    paragraphs_df: pd.DataFrame,
    *,
    measure: str = "count",
    codebook: Codebook | Mapping | str | Path | None = None,
) -> pd.DataFrame:
    """Code × code co-occurrence within paragraphs (symmetric).

    ``count``: paragraphs carrying both codes (diagonal: paragraphs with the
    code). ``jaccard``: both / either (diagonal 1 where the code occurs).
    Uses ``themes`` if present, else codes the ``text``.
    """
    if measure not in COOCCURRENCE_MEASURES:
        raise ValueError(f"unknown measure {measure!r}; valid: {', '.join(COOCCURRENCE_MEASURES)}")
    cb = resolve_codebook(codebook)
    m = code_indicator(codes_column(paragraphs_df, cb), cb.ids)
    co = m.T @ m
    if measure == "jaccard":
        n = np.diag(co)
        union = n[:, None] + n[None, :] - co
        co = np.divide(co, union, out=np.zeros(co.shape, dtype=float), where=union > 0)
    return pd.DataFrame(co, index=pd.Index(cb.ids, name="code"), columns=cb.ids)


def word_cooccurrence(
    df: pd.DataFrame,
    *,
    vocab_size: int = 100,
    min_count: int = 2,
    min_len: int = 2,
    stopwords: frozenset[str] | None = None,
) -> pd.DataFrame:
    """Word × word co-occurrence within rows (paragraphs), among the most frequent words.

    The ``vocab_size`` words found in most rows are kept; pairs found together
    in at least ``min_count`` rows are returned. Out: word_a, word_b
    (word_a < word_b), count (rows with both), jaccard, sorted by count desc.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    docs = row_tokens(df, min_len=min_len, stopwords=stopwords)
    cols = ["word_a", "word_b", "count", "jaccard"]
    if not any(docs):
        return pd.DataFrame(columns=cols)
    vec = CountVectorizer(analyzer=identity, binary=True)
    x = vec.fit_transform(docs).tocsc()
    vocab = vec.get_feature_names_out()
    dfreq = np.asarray(x.sum(axis=0)).ravel()
    keep = np.lexsort((vocab, -dfreq))[:vocab_size]
    sub = x[:, keep]
    co = (sub.T @ sub).toarray()
    words = vocab[keep]
    n = np.diag(co)
    iu, ju = np.triu_indices(len(keep), k=1)
    counts = co[iu, ju]
    mask = counts >= min_count
    a, b, c = words[iu[mask]], words[ju[mask]], counts[mask]
    union = n[iu[mask]] + n[ju[mask]] - c
    lo, hi = np.where(a < b, a, b), np.where(a < b, b, a)
    out = pd.DataFrame({"word_a": lo, "word_b": hi, "count": c.astype(int), "jaccard": c / union})
    return out.sort_values(["count", "word_a", "word_b"], ascending=[False, True, True]).reset_index(drop=True)


def code_sentiment(
    paragraphs_df: pd.DataFrame,
    sentences_df: pd.DataFrame,
    *,
    unit: str = "paragraph",
    codebook: Codebook | Mapping | str | Path | None = None,
) -> pd.DataFrame:
    """Sentiment of the sentences under each code.

    ``unit="paragraph"``: a sentence counts under the codes of its paragraph
    (``themes`` of ``paragraphs_df``, joined on paragraph_id).
    ``unit="sentence"``: each sentence is coded on its own text.
    Out: code, label, n_sentences, n_paragraphs and n_essays (when the
    sentences carry paragraph_id, essay_id: how broad the evidence is),
    n_negative, n_neutral, n_positive,
    share_negative, share_neutral, share_positive, plus a last row ``(all)``
    for every sentence as the baseline. Without a ``sentiment_label`` column
    the shares are NaN (with a warning).
    """
    if unit not in ("paragraph", "sentence"):
        raise ValueError(f"unknown unit {unit!r}; valid: paragraph, sentence")
    cb = resolve_codebook(codebook)
    if unit == "paragraph":
        require(paragraphs_df, ["paragraph_id"], "paragraphs table")
        require(sentences_df, ["paragraph_id"], "sentences table")
        para_themes = pd.Series(list(codes_column(paragraphs_df, cb)), index=paragraphs_df["paragraph_id"].to_numpy())
        para_themes = para_themes[~para_themes.index.duplicated()]
        themes = sentences_df["paragraph_id"].map(para_themes).map(lambda v: v if isinstance(v, list) else [])
    else:
        require(sentences_df, ["text"], "sentences table")
        themes = code_paragraphs(sentences_df, codebook=cb)["codes"]
    has_label = "sentiment_label" in sentences_df.columns
    if not has_label:
        warnings.warn("sentences lack a sentiment_label column: shares are NaN", stacklevel=2)
    labels = sentences_df["sentiment_label"].astype(str).to_numpy() if has_label else None
    m = code_indicator(themes.reset_index(drop=True), cb.ids).astype(bool)
    rows = []
    for j, code in enumerate(cb.codes + (None,)):
        sel = m[:, j] if code is not None else np.ones(len(sentences_df), dtype=bool)
        n = int(sel.sum())
        row = {"code": code.id if code else "(all)", "code_label": code.label if code else "全部", "n_sentences": n}
        for col, name in (("paragraph_id", "n_paragraphs"), ("essay_id", "n_essays")):  # how broad the evidence is
            if col in sentences_df.columns:
                row[name] = len(set(sentences_df[col].to_numpy()[sel].tolist()))
        for lab in SENTIMENT_LABELS:
            k = int((labels[sel] == lab).sum()) if has_label else 0
            row[f"n_{lab}"] = k if has_label else pd.NA
            row[f"share_{lab}"] = (k / n if n else float("nan")) if has_label else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------
# Concordance
# --------------------------------------------------------------------------


def kwic(
    df: pd.DataFrame,
    term: str | Sequence[str] = DEFAULT_KWIC_TERMS,
    *,
    window: int = 15,
    regex: bool = False,
) -> pd.DataFrame:
    """Keyword in context: every occurrence of ``term`` in the ``text`` column.

    In: sentences or paragraphs (text; essay_id, paragraph_id, sentence_id
    carried when present). ``term``: a string or several (default 留守儿童,
    家访, 谈心, 安全); ``regex=True`` treats them as regular expressions.
    Out: left, keyword, right (at most ``window`` characters each side,
    newlines as spaces), essay_id, paragraph_id, [sentence_id], term, start.
    """
    require(df, ["text"], "table")
    if window < 0:
        raise ValueError(f"window must be >= 0, got {window}")
    terms = [term] if isinstance(term, str) else list(term)
    if not terms or any(not t for t in terms):
        raise ValueError("kwic needs at least one non-empty term")
    id_cols = [c for c in ("essay_id", "paragraph_id", "sentence_id") if c in df.columns]
    texts = df["text"].fillna("").astype(str).tolist()
    ids = {c: df[c].tolist() for c in id_cols}
    rows = []
    for t in terms:
        pat = re.compile(t if regex else re.escape(t))
        for i, text in enumerate(texts):
            for m in pat.finditer(text):
                if m.end() == m.start():
                    continue
                row = {
                    "left": text[max(0, m.start() - window) : m.start()].replace("\n", " "),
                    "keyword": m.group(0),
                    "right": text[m.end() : m.end() + window].replace("\n", " "),
                }
                row.update({c: ids[c][i] for c in id_cols})
                row.update({"term": t, "start": m.start()})
                rows.append(row)
    cols = ["left", "keyword", "right", "essay_id", "paragraph_id"]
    cols += [c for c in ("sentence_id",) if c in df.columns] + ["term", "start"]
    out = pd.DataFrame(rows, columns=cols)
    for c in ("essay_id", "paragraph_id"):
        if c not in df.columns:
            out[c] = None
    return out[cols]


def display_width(s: str) -> int:
    """Columns ``s`` takes in a CJK monospace font.

    Wide, full-width and East-Asian-ambiguous characters (“ ” … — in Chinese
    text) count 2, others 1.
    """
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 1 for ch in s)


def _pad(s: str, width: int, align: str) -> str:
    gap = max(0, width - display_width(s))
    if align == "right":
        return " " * gap + s
    if align == "left":
        return s + " " * gap
    return " " * (gap // 2) + s + " " * (gap - gap // 2)


def format_kwic(kwic_df: pd.DataFrame, *, html_output: bool = False, id_column: str = "essay_id") -> str:
    """Concordance lines with the keywords centred in one aligned column.

    Plain text (default): ``<id>  <left, right-aligned>【keyword】<right>``,
    padded by display width so CJK lines align in a monospace font.
    ``html_output=True``: an HTML table in a monospace font (left cell
    right-aligned, keyword centred and bold); show it with
    ``IPython.display.HTML``.
    """
    require(kwic_df, ["left", "keyword", "right"], "kwic table")
    ids = kwic_df[id_column].astype(str).tolist() if id_column in kwic_df.columns else [""] * len(kwic_df)
    lefts, kws, rights = (kwic_df[c].astype(str).tolist() for c in ("left", "keyword", "right"))
    if html_output:
        esc = html.escape
        body = "\n".join(
            f'<tr><td style="color:#777;padding-right:1em">{esc(i)}</td>'
            f'<td style="text-align:right;white-space:pre">{esc(l)}</td>'
            f'<td style="text-align:center;font-weight:bold;padding:0 .4em">{esc(k)}</td>'
            f'<td style="text-align:left;white-space:pre">{esc(r)}</td></tr>'
            for i, l, k, r in zip(ids, lefts, kws, rights)
        )
        return f'<table class="kwic" style="font-family:ReportCJK,\'Noto Sans Mono CJK SC\',monospace;border-collapse:collapse">\n{body}\n</table>'
    if not lefts:
        return ""
    wi = max(map(display_width, ids))
    wl = max(map(display_width, lefts))
    wk = max(map(display_width, kws))
    return "\n".join(
        f"{_pad(i, wi, 'left')}  {_pad(l, wl, 'right')}【{_pad(k, wk, 'centre')}】{r}".rstrip()
        for i, l, k, r in zip(ids, lefts, kws, rights)
    )
