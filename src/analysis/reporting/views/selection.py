"""The sentences and paragraphs a report counts: essay metadata merged, framing
lines and copies of an earlier essay left out or kept (``keep_framing``,
``dedupe``), how many each setting leaves out (:func:`accounting`), and
summaries of the counted sentences per group."""

from __future__ import annotations

import numpy as np
import pandas as pd
from IPython.display import Markdown

from analysis.methods import sentiment, themes
from analysis.config import DEDUPE, KEEP_FRAMING
from analysis.reporting.corpus import Corpus

ESSAY_META = ["essay_id", "essay_label", "title", "genre", "narrator", "narrative_person"]


def _essay_meta(corpus: Corpus) -> pd.DataFrame:
    e = corpus.essays
    return e[[c for c in ESSAY_META if c in e.columns]]


def _filter(df: pd.DataFrame, *, essay_id: str = "", genre: str = "") -> pd.DataFrame:
    if essay_id:
        df = df[df["essay_id"] == essay_id]
    if genre:
        if "genre" not in df.columns:
            raise ValueError("genre filter given but the essays are not tagged with a genre")
        df = df[df["genre"] == genre]
    return df


def framing_sentences(corpus: Corpus) -> frozenset[str]:
    """Ids of the sentences the build tagged as framing lines (column
    ``framing``, :func:`analysis.methods.tag.framing_lines`: headings, bylines,
    titles, greetings and thanks)."""

    def compute() -> frozenset[str]:
        s = corpus.table("sentences", [c for c in ("sentence_id", "framing") if c in corpus.columns("sentences")])
        if "framing" not in s.columns:
            raise ValueError(
                f"the sentences table in {corpus.data_dir} has no framing column: run `python -m analysis build` again"
            )
        return frozenset(s.loc[s["framing"].fillna(False).astype(bool).to_numpy(), "sentence_id"])

    return corpus.cached("framing sentences", compute)  # once per build and kernel: every profile asks


def _among(ids: pd.Series, members: frozenset[str] | set[str]) -> np.ndarray:
    """Which of ``ids`` are in ``members``: set look-ups, so the cost follows
    the rows asked about, not the size of the set (``Series.isin`` converts
    the whole set for each call: 20 ms for one essay of a large corpus)."""
    return np.fromiter((i in members for i in ids.tolist()), dtype=bool, count=len(ids))


def framing_paragraphs(corpus: Corpus) -> set[str]:
    """Ids of the paragraphs made only of framing lines (:func:`framing_sentences`)."""
    s = corpus.sentences
    framing = pd.Series(_among(s["sentence_id"], framing_sentences(corpus)), index=s.index)
    whole = framing.groupby(s["paragraph_id"]).all()
    return set(whole.index[whole.to_numpy()])


def framing_note(corpus: Corpus, *, keep_framing: bool) -> Markdown:
    """One line saying how many framing lines the report's figures leave out (or keep)."""
    n_s, n_p = len(framing_sentences(corpus)), len(framing_paragraphs(corpus))
    if keep_framing:
        return Markdown(
            f"The {n_s} framing lines (headings, bylines, greetings) are counted with the prose "
            "(parameter `keep_framing = True`)."
        )
    return Markdown(
        f"**Framing lines left out.** {n_s} sentence(s) that head or frame the prose rather than say "
        f"something — section headings, bylines and titles, greetings and thanks — are left out of the "
        f"sentence figures, and the {n_p} paragraph(s) made only of them out of the paragraph figures "
        "(parameter `keep_framing = True` keeps them). The validation sample keeps them."
    )


def _copied_paragraphs(s: pd.DataFrame) -> set[str]:
    """Ids of the paragraphs whose every sentence repeats an earlier essay's passage."""
    copied = (s["reused_from"].fillna("") != "").groupby(s["paragraph_id"]).all()
    return set(copied.index[copied.to_numpy()])


def accounting(
    corpus: Corpus, *, unit: str = "sentences", dedupe: bool = DEDUPE, keep_framing: bool = KEEP_FRAMING
) -> pd.DataFrame:
    """Per essay (and in total): how many sentences (or paragraphs) the corpus
    has, how many the figures leave out as framing lines (``keep_framing=False``)
    and as copies of an earlier essay's passage (``dedupe``; for paragraphs,
    those made only of copied sentences), and how many they count — the
    numbers :func:`sentences` and :func:`paragraphs` give, so none is dropped
    silently. A line both framing and copied counts as framing."""
    if unit not in ("sentences", "paragraphs"):
        raise ValueError(f"unit {unit!r} is not valid; choose sentences or paragraphs")
    s = corpus.sentences
    reused = (s["reused_from"].fillna("") != "") if "reused_from" in s.columns else pd.Series(False, index=s.index)
    if unit == "sentences":
        t, ids = s, s["sentence_id"]
        is_framing = (
            pd.Series(_among(ids, framing_sentences(corpus)), index=s.index)
            if not keep_framing
            else pd.Series(False, index=s.index)
        )
        is_copy = reused & ~is_framing if dedupe else pd.Series(False, index=s.index)
    else:
        t = corpus.paragraphs
        is_framing = (
            t["paragraph_id"].isin(framing_paragraphs(corpus)) if not keep_framing else pd.Series(False, index=t.index)
        )
        is_copy = (
            t["paragraph_id"].isin(_copied_paragraphs(s)) & ~is_framing if dedupe else pd.Series(False, index=t.index)
        )
    labels = corpus.essays.set_index("essay_id")["essay_label"] if "essay_label" in corpus.essays else None
    key = t["essay_id"].map(labels) if labels is not None else t["essay_id"]
    out = (
        pd.DataFrame(
            {"in corpus": 1, "framing lines left out": is_framing.astype(int), "copies left out": is_copy.astype(int)},
            index=t.index,
        )
        .groupby(key.to_numpy(), sort=False)
        .sum()
    )
    out["counted"] = out["in corpus"] - out["framing lines left out"] - out["copies left out"]
    out.loc["total"] = out.sum()
    out.index.name = "essay"
    return out


def sentences(
    corpus: Corpus,
    *,
    method: str = "",
    neutral_band=None,
    essay_id: str = "",
    genre: str = "",
    dedupe: bool = DEDUPE,
    keep_framing: bool = KEEP_FRAMING,
) -> pd.DataFrame:
    """Scored sentences with essay metadata, for one method and neutral band.

    ``method`` picks the stored ``score_<method>`` as ``sentiment_score``
    (default: the build's default method); ``neutral_band`` [low, high]
    re-labels with that band; ``dedupe`` drops sentences that repeat an
    earlier essay's passage (``reused_from``), so reused text counts once;
    ``keep_framing=False`` drops framing lines (:func:`framing_sentences`).
    """
    # one essay (a profile): the rest of the corpus is neither copied, merged nor labelled
    s = corpus.essay_rows("sentences", essay_id) if essay_id else corpus.sentences
    if not keep_framing:
        s = s[~_among(s["sentence_id"], framing_sentences(corpus))]
    s = s.merge(_essay_meta(corpus), on="essay_id", how="left")
    method = method or sentiment.DEFAULT_METHOD
    if f"score_{method}" not in s.columns:
        raise ValueError(
            f"method {method!r} has no stored scores; valid: "
            + ", ".join(c.removeprefix("score_") for c in s.columns if c.startswith("score_"))
        )
    s["sentiment_score"] = s[f"score_{method}"]
    band = tuple(neutral_band) if neutral_band else sentiment.band_for(method)
    s["sentiment_label"] = [sentiment.label(x, method=method, band=band) for x in s["sentiment_score"]]
    if dedupe and "reused_from" in s.columns:
        s = s[s["reused_from"].fillna("") == ""]
    return _filter(s, essay_id=essay_id, genre=genre).reset_index(drop=True)


_PARAGRAPH_SENTIMENT = [c for c in sentiment.AGGREGATE_COLUMNS if c != "n_sentences"]


def paragraphs(
    corpus: Corpus, *, essay_id: str = "", genre: str = "", dedupe: bool = DEDUPE, keep_framing: bool = KEEP_FRAMING
) -> pd.DataFrame:
    """Paragraphs with their codes and essay metadata. ``dedupe`` counts reused
    text once, sentence by sentence: sentences that repeat an earlier essay's
    passage (``reused_from``) leave their paragraph, whose text, codes and
    sentiment are then those of its own sentences; a paragraph made only of
    reused sentences is dropped. ``keep_framing=False`` drops paragraphs made only
    of framing lines (:func:`framing_paragraphs`)."""
    p = corpus.paragraphs
    if not keep_framing:
        p = p[~p["paragraph_id"].isin(framing_paragraphs(corpus))]
    p = p.merge(_essay_meta(corpus), on="essay_id", how="left")
    if dedupe and "reused_from" in corpus.sentences.columns:
        s = corpus.sentences
        reused = s["reused_from"].fillna("") != ""
        n_reused = reused.groupby(s["paragraph_id"]).sum()
        own = s[~reused]
        p = p[~p["paragraph_id"].isin(_copied_paragraphs(s))]
        mixed = p["paragraph_id"].isin(n_reused.index[n_reused.to_numpy() > 0])
        if mixed.any():
            p = p.copy()
            text = own.groupby("paragraph_id", sort=False)["text"].agg("".join)
            p.loc[mixed, "text"] = p.loc[mixed, "paragraph_id"].map(text)
            if "codes" in p.columns:
                p.loc[mixed, "codes"] = pd.Series(
                    themes.code_paragraphs(p.loc[mixed, ["text"]])["codes"].tolist(), index=p.index[mixed]
                )
            cols = [c for c in _PARAGRAPH_SENTIMENT if c in p.columns]
            if cols and {"sentiment_score", "sentiment_label"} <= set(own.columns):
                agg = sentiment.aggregate(
                    own[own["paragraph_id"].isin(p.loc[mixed, "paragraph_id"])], by="paragraph_id"
                ).set_index("paragraph_id")
                for c in cols:
                    p.loc[mixed, c] = p.loc[mixed, "paragraph_id"].map(agg[c]).to_numpy()
    p = _with_tokens(p, corpus, dedupe=dedupe)
    return _filter(p, essay_id=essay_id, genre=genre).reset_index(drop=True)


def _with_tokens(p: pd.DataFrame, corpus: Corpus, *, dedupe: bool) -> pd.DataFrame:
    """``p`` with a ``tokens`` column: the build's tokens of each paragraph's
    sentences (its own ones with ``dedupe``), pseudonymised as the corpus
    is, so keyword and topic functions need not segment the text again
    (jieba on every paragraph of a large corpus takes most of a report)."""
    s = corpus.sentences
    if "tokens" not in s.columns or "tokens" in p.columns or p.empty:
        return p
    if dedupe and "reused_from" in s.columns:
        s = s[s["reused_from"].fillna("") == ""]
    joined: dict = {}
    for pid, toks in zip(s["paragraph_id"].tolist(), s["tokens"].tolist()):
        if isinstance(toks, (list, tuple, np.ndarray)):
            joined.setdefault(pid, []).extend(toks)
    p = p.copy()
    p["tokens"] = [joined.get(pid, []) for pid in p["paragraph_id"]]
    return p


def essay_key(corpus: Corpus) -> pd.DataFrame:
    """Short essay labels (E01 …) used in figures, with id, genre and narrator."""
    e = corpus.essays
    return e[
        [c for c in ["essay_label", "title", "essay_id", "genre", "narrator", "n_chars"] if c in e.columns]
    ].set_index("essay_label")


def sentiment_by_group(s: pd.DataFrame, *, group: str) -> pd.DataFrame:
    """Essays, sentences, mean score and label shares per group (label, genre or narrator)."""
    if group not in s.columns:
        return pd.DataFrame({"note": [f"no '{group}' column in this build"]})
    g = s.groupby(group, sort=False)
    out = pd.DataFrame(
        {
            "n_essays": g["essay_id"].nunique(),
            "n_sentences": g.size(),
            "mean_score": g["sentiment_score"].mean().round(3),
        }
    )
    shares = pd.crosstab(s[group], s["sentiment_label"], normalize="index").round(3)
    return out.join(shares)
