"""The analysis stages of a build, in order, wired to the stage modules.

Per-essay stages take the dict of one essay's tables and return it with
columns or tables added (they run in worker processes and are cached with the
essay); corpus stages do the same on the concatenated corpus.
"""

from __future__ import annotations

import pandas as pd

Tables = dict[str, pd.DataFrame]
_AGG_COLUMNS = ["sentiment_mean", "share_positive", "share_neutral", "share_negative", "dominant_emotion"]


def _merge(left: pd.DataFrame, right: pd.DataFrame, on: str) -> pd.DataFrame:
    """Left join that keeps row order and never duplicates rows."""
    right = right.drop_duplicates(on)
    out = left.merge(right, on=on, how="left", validate="many_to_one")
    assert len(out) == len(left)
    return out


def sentiment_stage(t: Tables) -> Tables:
    """Score sentences with every method; aggregate to paragraphs and the essay."""
    from analysis import sentiment

    sents = sentiment.score_sentences(t["sentences"], methods=sentiment.METHODS)
    t["sentences"] = sents
    paras = t["paragraphs"].drop(columns=[c for c in _AGG_COLUMNS if c in t["paragraphs"]])
    if len(sents):
        agg_p = sentiment.aggregate(sents, by="paragraph_id")[["paragraph_id", *_AGG_COLUMNS]]
        agg_e = sentiment.aggregate(sents, by="essay_id")[["essay_id", *_AGG_COLUMNS]]
    else:
        agg_p = pd.DataFrame(columns=["paragraph_id", *_AGG_COLUMNS])
        agg_e = pd.DataFrame(columns=["essay_id", *_AGG_COLUMNS])
    t["paragraphs"] = _merge(paras, agg_p, "paragraph_id")
    t["essays"] = _merge(t["essays"], agg_e, "essay_id")
    return t


def themes_stage(t: Tables) -> Tables:
    """Code paragraphs with the codebook; code counts and shares per essay."""
    from analysis import themes

    t["paragraphs"] = themes.code_paragraphs(t["paragraphs"])
    counts = themes.essay_code_counts(t["paragraphs"])
    t["essays"] = _merge(t["essays"], counts, "essay_id")
    return t


ESSAY_STAGES: list = [
    ("sentiment", sentiment_stage),
    ("themes", themes_stage),
]
CORPUS_STAGES: list = []
