"""The tables the sentiment report shows: the validation summary, label shares, the arc
across an essay with its peaks and troughs, the most positive and negative sentences."""

from __future__ import annotations


import numpy as np
import pandas as pd

from analysis.frames import require
from analysis.methods.sentiment.labels import LABELS

# ------------------------------------------------------ report tables


def validation_summary(results: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The headline validation table (from :func:`evaluate_methods`), for
    display: one row per method, rounded to 3 decimals; a fold statistic a
    method has none of (a fixed band: nothing fitted, so no folds) shows '—'."""
    cols = [
        "method",
        "protocol",
        "n",
        "macro_f1",
        "macro_f1_fold_mean",
        "macro_f1_fold_sd",
        "accuracy",
        "kappa",
        "f1_negative",
        "f1_neutral",
        "f1_positive",
    ]
    s = results["summary"]
    out = s[[c for c in cols if c in s.columns]].round(3).set_index("method")
    for c in ("macro_f1_fold_mean", "macro_f1_fold_sd"):
        if c in out and out[c].isna().any():
            out[c] = [("—" if pd.isna(v) else f"{v:.3f}") for v in out[c]]
    return out


def group_keys(df: pd.DataFrame, group: str | None) -> tuple[pd.Series, str]:
    if group and group in df.columns:
        return df[group].fillna("(missing)").astype(str), group
    note = f"all (column '{group}' not available)" if group else "all"
    return pd.Series("all", index=df.index), note


def label_shares(df: pd.DataFrame, *, group: str | None = None, label_column: str = "sentiment_label") -> pd.DataFrame:
    """Share of each label per group (rows: groups; columns negative, neutral, positive; plus n).

    A ``group`` column that the table lacks (genre, narrator not tagged yet)
    gives one row, ``all``.
    """
    require(df, [label_column], "label_shares")
    keys, _ = group_keys(df, group)
    t = pd.crosstab(keys, df[label_column].astype(str), normalize="index").reindex(columns=list(LABELS), fill_value=0.0)
    t["n"] = keys.value_counts().reindex(t.index).to_numpy()
    t.index.name = group if group and group in df.columns else "group"
    return t


def sentiment_arc(
    sentences: pd.DataFrame,
    *,
    by: str = "essay_id",
    score_column: str = "sentiment_score",
    bandwidth: float = 0.1,
    points: int = 51,
) -> pd.DataFrame:
    """Smoothed sentiment along each essay: Gaussian kernel average of sentence
    scores over ``position`` (0–1), evaluated at ``points`` evenly spaced positions.

    Out: ``by``, position, smoothed (long format).
    """
    require(sentences, [by, "position", score_column], "sentiment_arc")
    grid = np.linspace(0, 1, points)
    rows = []
    for key, g in sentences.groupby(by, sort=False):
        pos = g["position"].astype(float).to_numpy()
        s = g[score_column].astype(float).to_numpy()
        w = np.exp(-0.5 * ((grid[:, None] - pos[None, :]) / bandwidth) ** 2)
        sm = (w * s).sum(axis=1) / np.maximum(w.sum(axis=1), 1e-12)
        rows.append(pd.DataFrame({by: key, "position": grid, "smoothed": sm}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=[by, "position", "smoothed"])


def arc_extremes(
    sentences: pd.DataFrame, *, by: str = "essay_id", score_column: str = "sentiment_score", bandwidth: float = 0.1
) -> pd.DataFrame:
    """Per essay, the sentence at the peak and at the trough of the smoothed arc.

    Out: ``by``, kind ('peak'/'trough'), position, smoothed, sentence_id (if
    present), text, score.
    """
    require(sentences, [by, "position", score_column, "text"], "arc_extremes")
    rows = []
    for key, g in sentences.groupby(by, sort=False):
        pos = g["position"].astype(float).to_numpy()
        s = g[score_column].astype(float).to_numpy()
        w = np.exp(-0.5 * ((pos[:, None] - pos[None, :]) / bandwidth) ** 2)
        sm = (w * s).sum(axis=1) / w.sum(axis=1)
        for kind, i in (("peak", int(np.argmax(sm))), ("trough", int(np.argmin(sm)))):
            r = g.iloc[i]
            rows.append(
                {
                    by: key,
                    "kind": kind,
                    "position": float(pos[i]),
                    "smoothed": float(sm[i]),
                    "sentence_id": r.get("sentence_id", None),
                    "text": r["text"],
                    "score": float(s[i]),
                }
            )
    return pd.DataFrame(rows, columns=[by, "kind", "position", "smoothed", "sentence_id", "text", "score"])


def top_sentences(
    sentences: pd.DataFrame,
    *,
    polarity: str = "positive",
    n: int = 10,
    score_column: str = "sentiment_score",
    by: str = "essay_id",
) -> pd.DataFrame:
    """The ``n`` most positive (or negative) sentences with their essay and context.

    Out: ``by``, sentence_id (if present), score, text, previous, next (the
    neighbouring sentences of the same essay; '' at the edges).
    """
    if polarity not in {"positive", "negative"}:
        raise ValueError("polarity must be 'positive' or 'negative'")
    require(sentences, [by, "text", score_column], "top_sentences")
    df = sentences.reset_index(drop=True)
    order_cols = [by] + (["ordinal"] if "ordinal" in df.columns else [])
    df = df.sort_values(order_cols, kind="mergesort") if "ordinal" in df.columns else df
    prev = df.groupby(by, sort=False)["text"].shift(1).fillna("")
    nxt = df.groupby(by, sort=False)["text"].shift(-1).fillna("")
    out = df.assign(previous=prev, next=nxt)
    out = out.sort_values(score_column, ascending=(polarity == "negative"), kind="mergesort").head(n)
    cols = [by] + (["sentence_id"] if "sentence_id" in out.columns else []) + [score_column, "text", "previous", "next"]
    return out[cols].rename(columns={score_column: "score"}).reset_index(drop=True)
