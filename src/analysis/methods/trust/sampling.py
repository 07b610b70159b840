"""A stratified random sample of a build's sentences, paragraphs or essays, for a coding sheet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.config import RANDOM_SEED
from analysis.methods.trust.common import UNITS, TrustError


def draw_sample(
    data_dir: str | Path, unit: str, n: int, *, seed: int = RANDOM_SEED, pseudonymise: bool = True
) -> pd.DataFrame:
    """A stratified random sample of ``n`` items of a build, reproducible by ``seed``.

    Strata: genre × score range (sentences: the default method's score in
    thirds; paragraphs: their mean sentence score in thirds; essays: genre ×
    narrator). Each stratum gets its share of ``n`` (at least one item when
    ``n`` allows); within a stratum items are taken essay by essay in a
    random order, so the sample spreads over essays. Texts are pseudonymised
    like a report's unless ``pseudonymise`` is false."""
    from analysis.reporting.corpus import Corpus

    if unit not in UNITS:
        raise TrustError(f"--unit {unit!r}: valid units are {', '.join(UNITS)}")
    if n < 1:
        raise TrustError(f"--n {n}: give a positive number of items")
    corpus = Corpus(data_dir, pseudonymise=pseudonymise, pseudonymise_all=True)
    essays = corpus.essays.set_index("essay_id")
    label = dict(zip(corpus.essays["essay_id"], corpus.essays["essay_label"]))
    if unit == "sentences":
        items = corpus.sentences
        items = items[items["text"].astype(str).str.len() >= 6].copy()
        items["item_id"] = items["sentence_id"]
        score = items["sentiment_score"]
    elif unit == "paragraphs":
        items = corpus.paragraphs
        items = items[~items["is_heading"].astype(bool)].copy() if "is_heading" in items else items.copy()
        items["item_id"] = items["paragraph_id"]
        score = items["sentiment_mean"] if "sentiment_mean" in items else pd.Series(0.0, index=items.index)
    else:
        items = corpus.essays.copy()
        items["item_id"] = items["essay_id"]
        score = None
    if items.empty:
        raise TrustError(f"{data_dir}: the build has no {unit} to sample")
    genre = items["essay_id"].map(essays["genre"]).fillna("") if "genre" in essays else pd.Series("", index=items.index)
    if score is not None:
        ranks = score.rank(method="first", pct=True)
        band = pd.cut(ranks, [0, 1 / 3, 2 / 3, 1.0], labels=["low", "middle", "high"], include_lowest=True).astype(str)
        strata = genre.astype(str) + " | score " + band
    else:
        strata = genre.astype(str) + " | " + items["narrator"].astype(str)
    items = items.assign(stratum=strata.to_numpy())
    n = min(n, len(items))
    rng = np.random.default_rng(seed)
    sizes = items["stratum"].value_counts().sort_index()
    quota = _allocate(sizes, n)
    picked = []
    for stratum, k in quota.items():
        pool = items[items["stratum"] == stratum]
        by_essay = {e: list(rng.permutation(g.index.to_numpy())) for e, g in pool.groupby("essay_id", sort=True)}
        order = list(rng.permutation(sorted(by_essay)))
        while k > 0 and any(by_essay.values()):
            for e in order:
                if k == 0:
                    break
                if by_essay[e]:
                    picked.append(by_essay[e].pop())
                    k -= 1
    out = items.loc[picked].copy()
    out["essay"] = out["essay_id"].map(label)
    out = out.iloc[rng.permutation(len(out))]  # coders see the items in random order
    return out.reset_index(drop=True)


def _allocate(sizes: pd.Series, n: int) -> dict[str, int]:
    """Proportional allocation of ``n`` over strata (largest remainders), at
    least one per stratum while ``n`` allows, never more than a stratum holds."""
    total = sizes.sum()
    exact = sizes / total * n
    quota = np.floor(exact).astype(int)
    if n >= len(sizes):
        quota = quota.clip(lower=1)
    quota = np.minimum(quota, sizes)
    rem = (exact - np.floor(exact)).sort_values(ascending=False)
    i = 0
    while quota.sum() < n and i < 10 * len(sizes):
        s = rem.index[i % len(rem)]
        if quota[s] < sizes[s]:
            quota[s] += 1
        i += 1
    while quota.sum() > n:
        s = quota.idxmax()
        quota[s] -= 1
    return {k: int(v) for k, v in quota.items() if v > 0}
