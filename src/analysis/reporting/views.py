"""What the report notebooks show: tables and figures composed from a
:class:`~analysis.reporting.corpus.Corpus` and the report parameters.

Notebooks stay thin — one call per output — and never recompute what the
build stored (sentiment scores, codes): they select, filter and arrange.
Everything returned is pseudonymised when the corpus is.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown, display

from analysis.methods import sentiment, themes
from analysis.reporting import plots  # noqa: F401 — plots imports pyplot: notebooks then display Figures inline
from analysis.config import ANNOTATIONS_DIR, DEDUPE, KEEP_FRAMING
from analysis.reporting.corpus import Corpus

ESSAY_META = ["essay_id", "essay_label", "title", "genre", "narrator", "narrative_person"]


def _display_figures_as_png() -> None:
    """In a notebook, show every matplotlib Figure a cell returns as one PNG —
    also figures made without pyplot (the themes plots), which IPython would
    otherwise print as '<Figure size …>'."""
    try:
        from IPython import get_ipython
        from IPython.core.pylabtools import print_figure
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover
        return
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["image/png"].for_type(
            Figure, lambda fig: print_figure(fig, "png", bbox_inches="tight")
        )


def setup_display() -> None:
    """Show this notebook's tables and figures as the reports do: numbered from
    Table 1 and Figure 1 (again at every call: each report's notebook calls it
    first, also in a kernel that rendered another report before), captioned,
    downloadable; long texts truncated (the full text is in the CSV tables),
    numbers to three decimals. Nothing is changed by importing this module."""
    pd.set_option("display.max_colwidth", 70)
    pd.set_option("display.precision", 3)
    pd.set_option("display.max_rows", 200)
    _display_figures_as_png()
    from analysis.reporting import publish

    publish.install()  # a no-op outside IPython


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


# The hand-coded samples, and the independent second coding of each (same items, coded blind)
CODINGS = {
    "sentiment": ("sentiment_sentences.csv", "sentiment_sentences_coder2.csv"),
    "themes": ("theme_paragraphs.csv", "theme_paragraphs_coder2.csv"),
}


def caveat(kind: str, sample: str | None = None) -> Markdown:
    """What the validation can and cannot show, printed above the figures.
    ``sample`` ("sentiment" or "themes") says which hand-coded sample, so the
    text says whether a second coder coded it too (:data:`CODINGS`)."""
    two = sample in CODINGS and (ANNOTATIONS_DIR / CODINGS[sample][1]).is_file()
    coders = (
        "was coded by two coders working independently — both AI assistants following the same coding guide, "
        "so their agreement (shown below) overstates what two people would reach, and no human has coded it; "
        "the figures against the methods use the first coder's labels"
        if two
        else "was coded by a single coder (no inter-coder agreement)"
    )
    texts = {
        "sample": (
            f"**Read with care.** The validation sample is drawn from the same essays the report describes and "
            f"{coders}. The lexicons and codebook were written by "
            "people who had read these essays; cross-validation protects the choice of method and thresholds, "
            "not the word lists. Expect lower agreement on other essays, and read the per-class figures, "
            "not only the averages."
        ),
        "groups": (
            "**Small groups.** Mind the number of essays beside each group: a genre or narrator represented "
            "by one essay describes that essay, not the genre."
        ),
    }
    return Markdown(texts[kind])


def settings_table(**params) -> pd.DataFrame:
    """The parameters of this rendering, as a table at the top of a report."""
    return pd.DataFrame({"value": {k: ("(default)" if v in ("", None) else v) for k, v in params.items()}})


# ---------------------------------------------------------------- sentiment


def sentiment_validation(corpus: Corpus) -> dict[str, pd.DataFrame]:
    """Validation of every method against the hand-coded sentences, computed now
    (sentence texts pseudonymised like the corpus)."""
    ann = sentiment.load_annotations()
    return corpus.protect_external(sentiment.evaluate_methods(ann), list(ann["text"]))


def disagreements(validation: dict[str, pd.DataFrame], *, n: int = 15) -> pd.DataFrame:
    """The coded sentences on which the methods disagree most (most distinct labels,
    then the largest spread of scores on a common −1…1 scale): text, the coded label,
    each method's out-of-fold label."""
    d = validation["disagreements"].sort_values(
        ["n_distinct_labels", "score_spread"], ascending=False, kind="mergesort"
    )
    cols = ["essay_ordinal", "text", "gold"] + [c for c in d.columns if c.startswith("label_")] + ["score_spread"]
    return d[cols].head(n).rename(columns={"gold": "coded"}).set_index("essay_ordinal")


def essay_bootstrap(validation: dict[str, pd.DataFrame], *, n_boot: int = 500, seed: int = 20261129) -> pd.DataFrame:
    """95% intervals of each method's out-of-fold macro-F1, resampling whole
    essays (sentences of one essay are not independent)."""
    import numpy as np

    from analysis.methods import validate

    pred = validation["predictions"]
    methods = [c.removeprefix("label_") for c in pred.columns if c.startswith("label_")]
    essays_ = pred["essay_ordinal"].unique()
    rng = np.random.default_rng(seed)
    groups = {e: pred.index[pred["essay_ordinal"] == e].to_numpy() for e in essays_}
    rows = []
    for m in methods:
        scores = []
        for _ in range(n_boot):
            idx = np.concatenate([groups[e] for e in rng.choice(essays_, size=len(essays_), replace=True)])
            sub = pred.loc[idx]
            scores.append(
                validate.classification_metrics(sub["gold"], sub[f"label_{m}"], labels=list(sentiment.LABELS))[
                    "macro_f1"
                ]
            )
        lo, hi = np.percentile(scores, [2.5, 97.5])
        rows.append({"method": m, "macro_f1_ci_low": round(float(lo), 3), "macro_f1_ci_high": round(float(hi), 3)})
    return pd.DataFrame(rows).set_index("method")


def sentiment_sample_description() -> pd.DataFrame:
    ann = sentiment.load_annotations()
    table = pd.crosstab(ann["essay_ordinal"], ann["label"], margins=True, margins_name="total")
    table.index.name = "essay (ordinal in the seed)"
    return table


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


# ---------------------------------------------------------------- themes


def intercoder(kind: str) -> pd.DataFrame | Markdown:
    """How far two coders who coded the validation sample independently agree
    (:func:`analysis.methods.validate.intercoder_agreement`): for ``"sentiment"`` the
    sentence label and the emotion, for ``"themes"`` each code's presence.
    Without a second coding, a note saying agreement was not measured."""
    from analysis.methods.validate import intercoder_agreement

    first_name, second_name = CODINGS[kind]
    if not (ANNOTATIONS_DIR / second_name).is_file():
        return Markdown(
            f"No second coding (`data/annotations/{second_name}`): agreement between coders is not "
            "measured, and every validation figure rests on one coder's judgement."
        )
    read = lambda name: pd.read_csv(ANNOTATIONS_DIR / name, encoding="utf-8-sig", keep_default_na=False, dtype=str)
    first, second = read(first_name), read(second_name)
    if kind == "sentiment":
        for f in (first, second):
            f["label"] = f["label"].str.strip().str.lower()
        return pd.concat(
            [
                intercoder_agreement(first, second, "label", labels=sentiment.LABELS),
                intercoder_agreement(first, second, "emotion"),
            ]
        )
    return intercoder_agreement(first, second, "codes", multi_sep=";", labels=list(themes.load_codebook().ids))


def codebook_validation(corpus: Corpus, codebook_path: str = "") -> dict[str, pd.DataFrame]:
    """Per-code precision, recall, F1 of the codebook against the hand-coded
    paragraphs, computed now (texts pseudonymised like the corpus)."""
    ann = pd.read_csv(ANNOTATIONS_DIR / "theme_paragraphs.csv", encoding="utf-8-sig", keep_default_na=False)
    return corpus.protect_external(themes.evaluate_codebook(ann, codebook=codebook_path or None), list(ann["text"]))


def recode(p: pd.DataFrame, *, codebook_path: str = "") -> pd.DataFrame:
    """Paragraphs coded with another codebook file (the build's codes otherwise)."""
    return themes.code_paragraphs(p, codebook=codebook_path) if codebook_path else p


def topic_models(p: pd.DataFrame, *, k: int, method: str) -> dict:
    """Stability across k around the requested one, and the model for ``k``.

    A corpus too small for ``k`` topics gets the largest feasible k, and the
    note says so (a report on a small corpus still renders)."""
    upper = themes.topic_capacity(p, method=method)
    if upper < 2:
        return {
            "note": Markdown("Too few paragraphs with enough content words for topic modelling."),
            "stability": pd.DataFrame(),
            "model": None,
        }
    used = min(k, upper)
    note = f"Topic model: {method.upper()} with k = {used}." + (
        f" (k = {k} was requested, but this corpus supports at most {upper}.)" if used != k else ""
    )
    # stability refits on 80% subsamples, which support fewer topics
    sub_upper = int(upper * 0.8)
    ks = range(max(2, used - 2), min(sub_upper, used + 2) + 1)
    stability = themes.topic_stability(p, ks=ks, method=method, sample=0.8) if len(ks) else pd.DataFrame()
    return {"note": Markdown(note), "stability": stability, "model": themes.topics(p, k=used, method=method)}


def code_matrix(m: pd.DataFrame) -> pd.DataFrame:
    """A code × code table (e.g. :func:`analysis.methods.themes.code_cooccurrence`) with
    the codes named as in every figure: Chinese label with the id."""
    out = m.copy()
    out.index = pd.Index([themes.code_name(c) for c in out.index], name="code")
    out.columns = [themes.code_name(c) for c in out.columns]
    return out


def code_passages(p: pd.DataFrame, *, per_code: int = 3, chars: int = 120) -> pd.DataFrame:
    """For every code, the first paragraphs that carry it (the passages behind the code)."""
    rows = []
    for code in themes.load_codebook().ids:
        hits = p[p["codes"].map(lambda t, code=code: code in list(t))]
        for r in hits.head(per_code).itertuples():
            para = re.search(r"-p0*(\d+)$", str(r.paragraph_id))
            rows.append(
                {
                    "code": themes.code_name(code),
                    "n_paragraphs": len(hits),
                    "essay": getattr(r, "essay_label", None) or r.essay_id,
                    "paragraph": int(para.group(1)) if para else r.paragraph_id,
                    "text": r.text[:chars] + ("…" if len(r.text) > chars else ""),
                }
            )
    return pd.DataFrame(rows)


def concordance(p: pd.DataFrame, terms: list[str], *, window: int = 15, max_lines: int = 15) -> HTML:
    """Aligned keyword-in-context lines for each term (at most ``max_lines``,
    spread over the essays), each naming its essay."""
    parts = [
        '<p class="note">Counted in the paragraphs this report analyses (with its <code>dedupe</code> and '
        "<code>keep_framing</code> settings): a passage copied into several essays counts once, so a count can be lower "
        "than the overview's top words, which count every sentence.</p>"
    ]
    for term in terms:
        k = themes.kwic(p, term, window=window)
        shown = (
            k.groupby("essay_id", sort=False).head(max(1, max_lines // max(1, k["essay_id"].nunique())))
            if len(k)
            else k
        )
        shown = shown.head(max_lines)
        parts.append(
            f"<h3>{html.escape(term)}: {len(k)} occurrences in {k['essay_id'].nunique() if len(k) else 0} essays"
            + (f" (showing {len(shown)})" if len(shown) < len(k) else "")
            + "</h3>"
        )
        if len(k) and "essay_label" in p.columns:  # essays named E01 … as in every table
            shown = shown.assign(
                essay=shown["essay_id"].map(p.drop_duplicates("essay_id").set_index("essay_id")["essay_label"])
            )
        parts.append(
            themes.format_kwic(shown, html_output=True, id_column="essay" if "essay" in shown.columns else "essay_id")
            if len(k)
            else "<p>No occurrences.</p>"
        )
    return HTML("".join(parts))


# ---------------------------------------------------------------- essay profile

_LABEL_COLOURS = {"positive": "#d8f0d8", "neutral": "#f2f2f2", "negative": "#f9d6d5"}


def essay_metadata(corpus: Corpus, essay_id: str) -> pd.DataFrame:
    """Provenance and tags (with the evidence that decided each) of one essay."""
    e = corpus.essays
    row = e[e["essay_id"] == essay_id]
    if row.empty:
        raise ValueError(f"unknown essay_id {essay_id!r}; valid: {', '.join(e['essay_id'])}")
    r = row.iloc[0]
    # sentiment is summarised under Text, with the report's settings (one set of numbers)
    fields = [
        "essay_label",
        "essay_id",
        "title",
        "source_file",
        "ordinal",
        "line_start",
        "line_end",
        "encoding",
        "sha256",
        "n_chars",
        "n_paragraphs",
        "n_sentences",
        "n_placeholders",
        "n_changes",
        "share_original",
    ]
    rows = [(f, r[f], "") for f in fields if f in r.index]
    for tag in ["genre", "narrator", "person", "narrator_gender", "school_level", "setting", "places"]:
        if tag in r.index:
            rows.append((tag, r[tag], r.get(f"{tag}_evidence", "")))
    return pd.DataFrame(rows, columns=["field", "value", "evidence"]).set_index("field")


def essay_heading(corpus: Corpus, essay_id: str) -> Markdown:
    """The profile's heading line: the essay's label, title and id."""
    e = corpus.essays
    r = e[e["essay_id"] == essay_id]
    if r.empty:
        raise ValueError(f"unknown essay_id {essay_id!r}; valid: {', '.join(e['essay_id'])}")
    r = r.iloc[0]
    return Markdown(
        f"**{r.get('essay_label') or essay_id}** {html.escape(str(r.get('title') or ''))} "
        f"(essay id `{essay_id}`; every report calls it {r.get('essay_label') or essay_id})"
    )


def _left_out(corpus: Corpus, s: pd.DataFrame, *, dedupe: bool, keep_framing: bool) -> pd.Series:
    """Why each sentence of ``s`` is left out of the figures with these
    settings — "framing line", "copied from an earlier essay" — or "" when it
    is counted: the rule of :func:`sentences` (framing first, then copies)."""
    frames = framing_sentences(corpus) if not keep_framing else frozenset()
    is_frame = _among(s["sentence_id"], frames)
    copied = (
        (s["reused_from"].fillna("") != "").to_numpy() if dedupe and "reused_from" in s.columns else is_frame & False
    )
    why = ["framing line" if f else "copied from an earlier essay" if c else "" for f, c in zip(is_frame, copied)]
    return pd.Series(why, index=s.index, dtype=object)


def essay_sentiment(
    corpus: Corpus, essay_id: str, *, method: str = "", dedupe: bool = DEDUPE, keep_framing: bool = KEEP_FRAMING
) -> Markdown:
    """The essay's sentiment summary, computed exactly as the sentiment report
    computes its row (same method, dedupe and framing settings), with what was
    left out and why — so the two pages give one set of numbers."""
    every = sentences(corpus, method=method, essay_id=essay_id, dedupe=False, keep_framing=True)
    why = _left_out(corpus, every, dedupe=dedupe, keep_framing=keep_framing)
    counted = every[why == ""]
    parts = []
    if (why == "framing line").any():
        parts.append(f"{int((why == 'framing line').sum())} framing line(s) (headings, bylines, greetings)")
    if (why == "copied from an earlier essay").any():
        n = int((why == "copied from an earlier essay").sum())
        parts.append(f"{n} sentence(s) copied from an earlier essay (counted there)")
    settings = (
        f"method {method or sentiment.DEFAULT_METHOD}; reused passages "
        + ("counted once" if dedupe else "counted in every essay")
        + "; framing lines "
        + ("counted" if keep_framing else "left out")
    )
    if counted.empty:
        return Markdown(
            f"No sentence of this essay is counted with these settings ({settings}): "
            + ("; ".join(parts) or "it has no sentences")
            + "."
        )
    shares = counted["sentiment_label"].value_counts(normalize=True)
    text = (
        f"**{len(counted)} of {len(every)} sentences counted**, as in the sentiment report ({settings})"
        + (": left out " + " and ".join(parts) if parts else "")
        + ". "
        f"Mean score {counted['sentiment_score'].mean():.3f}; "
        + ", ".join(f"{shares.get(k, 0):.0%} {k}" for k in ("positive", "neutral", "negative"))
        + ". The arc below uses the same sentences; the text shows every sentence, those not counted in grey."
    )
    return Markdown(text)


def shaded_text(
    corpus: Corpus, essay_id: str, *, method: str = "", dedupe: bool = DEDUPE, keep_framing: bool = KEEP_FRAMING
) -> HTML:
    """The clean essay, each sentence shaded by its sentiment label (hover for the
    score) and each paragraph tagged with its codes. Sentences the sentiment
    figures leave out with these ``dedupe``/``keep_framing`` settings are grey,
    with the reason on hover. All corpus text is escaped."""
    s = sentences(corpus, method=method, essay_id=essay_id, dedupe=False, keep_framing=True)
    why = dict(zip(s["sentence_id"], _left_out(corpus, s, dedupe=dedupe, keep_framing=keep_framing)))
    p = corpus.essay_rows("paragraphs", essay_id)
    by_para: dict = {}  # paragraph id → its sentences (id, label, score, text), in order
    for row in zip(s["paragraph_id"], s["sentence_id"], s["sentiment_label"], s["sentiment_score"], s["text"]):
        by_para.setdefault(row[0], []).append(row[1:])
    legend = " ".join(f'<span style="background:{c};padding:0 .4em">{lab}</span>' for lab, c in _LABEL_COLOURS.items())
    out = [
        f'<p data-static style="font-size:.9em">Sentence shading: {legend}; <span style="color:#8c959f">grey: not counted '
        f"(a framing line, or copied from an earlier essay)</span>; codes of each paragraph in [brackets].</p>"
    ]
    codes_of = p["codes"].tolist() if "codes" in p.columns else [[]] * len(p)
    for pid, heading, para_codes in zip(p["paragraph_id"], p["is_heading"], codes_of):
        codes = [themes.code_name(c) for c in list(para_codes if para_codes is not None else [])]
        badge = (
            f'<span style="color:#0b6bcb;font-size:.85em">[{html.escape(", ".join(codes))}]</span> ' if codes else ""
        )
        spans = []
        for sid, label, score, text in by_para.get(pid, []):
            if not why.get(sid):
                colour = _LABEL_COLOURS.get(label, "#ffffff")
                spans.append(
                    f'<span title="{label} {score:.2f}" style="background:{colour}">{html.escape(text)}</span>'
                )
            else:
                spans.append(f'<span title="not counted: {why[sid]}" style="color:#8c959f">{html.escape(text)}</span>')
        weight = "font-weight:bold;" if heading else ""
        out.append(f'<p style="line-height:1.9;{weight}">{badge}{"".join(spans)}</p>')
    return HTML("".join(out))


# The keyword tables kept in the user cache: the most recently used ones stay,
# older ones (earlier corpora, earlier code) are deleted when a new one is written.
KEYWORD_CACHE_KEEP = 16


def _prune(folder: Path, keep: int) -> None:
    """Delete all but the ``keep`` most recently used files of ``folder``."""
    files = []
    for f in folder.glob("*.parquet"):
        try:
            files.append((f.stat().st_mtime, f))
        except OSError:  # deleted meanwhile
            pass
    for _, f in sorted(files, reverse=True)[keep:]:
        f.unlink(missing_ok=True)


_KEYWORDS_READ: dict = {}  # the last keyword table read from the cache, kept for the next profile


def corpus_tfidf_keywords(corpus: Corpus, *, top_n: int = 15) -> pd.DataFrame:
    """Every essay's TF-IDF keywords (themes.tfidf_keywords on the corpus's
    paragraphs, pseudonymised as the corpus is). The IDF needs the whole corpus
    tokenised, which takes seconds per hundred thousand characters, and every
    essay profile is a kernel of its own: the result is kept in the user cache
    (``report-keywords/``), keyed by the paragraphs' text, ``top_n``, the
    tokeniser's and keyword code's files and the library versions, so the
    other profiles of the same corpus read it. A corpus read without
    pseudonyms is never cached (its keywords may be real names). The cache
    keeps the :data:`KEYWORD_CACHE_KEEP` most recently used tables."""
    import hashlib
    import os
    from importlib.metadata import version

    from analysis import __version__
    from analysis.ingest import segment
    from analysis.config import user_cache_dir
    from analysis.io import atomic_path
    from analysis.resources import fingerprint, resource_path

    p = corpus.paragraphs
    if not corpus.pseudonymise:
        return themes.tfidf_keywords(p, top_n=top_n)

    def cache_key() -> str:  # hashing every paragraph takes 60 ms on a large corpus: once per kernel
        h = hashlib.sha256(f"{__version__}\0{top_n}\0{version('jieba')}\0{version('scikit-learn')}\0".encode())
        h.update(
            fingerprint(
                Path(themes.keywords.__file__),
                Path(segment.__file__),
                resource_path("userdict.txt"),
                resource_path("stopwords.txt"),
            ).encode()
        )
        h.update(pd.util.hash_pandas_object(p[["essay_id", "text"]], index=False).to_numpy().tobytes())
        return h.hexdigest()[:32]

    path = user_cache_dir() / "report-keywords" / f"{corpus.cached(f'keyword cache key {top_n}', cache_key)}.parquet"
    if path in _KEYWORDS_READ:  # read before in this process (a warm kernel's earlier profile)
        return _KEYWORDS_READ[path].copy()
    try:
        cached = pd.read_parquet(path)
        os.utime(path)  # recently used: kept by the pruning
        _KEYWORDS_READ.clear()
        _KEYWORDS_READ[path] = cached
        return cached.copy()
    except Exception:  # not there yet, or damaged: computed below
        pass
    tf = themes.tfidf_keywords(p, top_n=top_n)
    try:
        with atomic_path(path) as tmp:
            tf.to_parquet(tmp, index=False)
        _prune(path.parent, KEYWORD_CACHE_KEEP)
    except OSError:  # an unwritable cache only costs time
        pass
    return tf


def essay_keywords(corpus: Corpus, essay_id: str, *, top_n: int = 15) -> pd.DataFrame:
    """This essay's TF-IDF keywords (IDF over the whole corpus) and TextRank keywords."""
    tf = corpus_tfidf_keywords(corpus, top_n=top_n)
    tr = themes.textrank_keywords(corpus.essay_rows("paragraphs", essay_id), top_n=top_n)
    tf = tf[tf["essay_id"] == essay_id].reset_index(drop=True)
    return pd.DataFrame(
        {
            "tfidf_word": tf["word"],
            "tfidf": tf.get("score", tf.iloc[:, -1]).round(3),
            "textrank_word": tr["word"].reset_index(drop=True),
        }
    )


def essay_reuse(corpus: Corpus, essay_id: str) -> pd.DataFrame:
    """Passages this essay shares with other essays (template reuse)."""
    if not corpus.has("reuse"):
        return pd.DataFrame({"note": ["no reuse table in this build"]})
    r = corpus.table("reuse")
    mine = r[(r["essay_a"] == essay_id) | (r["essay_b"] == essay_id)]
    if mine.empty:
        return pd.DataFrame({"note": ["no passage of this essay is shared with another essay"]})
    cols = [c for c in ["essay_a", "essay_b", "similarity", "passage_a", "passage_b"] if c in mine.columns]
    out = mine[cols].reset_index(drop=True)
    names = dict(zip(corpus.essays["essay_id"], corpus.essays["essay_label"])) if "essay_label" in corpus.essays else {}
    for col in ("essay_a", "essay_b"):  # E01 … as in every table
        out[col] = [names.get(e, e) for e in out[col]]
    return out.rename(
        columns={
            "essay_a": "essay",
            "essay_b": "shared with",
            "passage_a": "passage",
            "passage_b": "passage in the other essay",
        }
    )


def essay_entities(corpus: Corpus, essay_id: str) -> pd.DataFrame:
    """Named people, places and organisations in this essay (pseudonymised)."""
    if not corpus.has("entities"):
        return pd.DataFrame({"note": ["no entities table in this build"]})
    e = corpus.essay_rows("entities", essay_id)
    if e.empty:
        return pd.DataFrame({"note": ["no entities found"]})
    return (
        e.groupby(["text", "type", "role"])
        .size()
        .rename("mentions")
        .reset_index()
        .sort_values("mentions", ascending=False, kind="mergesort")
        .reset_index(drop=True)
    )


def essay_cleaning(corpus: Corpus, essay_id: str) -> pd.DataFrame:
    """Every cleaning change made to this essay, and its data-quality flags."""
    log = corpus.essay_rows("cleaning_log", essay_id)[["line", "rule", "before", "after", "context"]]
    flags = corpus.essay_rows("quality_flags", essay_id)
    rows = [log.assign(kind="change")]
    if len(flags):
        rows.append(
            pd.DataFrame(
                {
                    "line": flags["line"],
                    "rule": flags["flag"],
                    "before": "",
                    "after": "",
                    "context": flags["detail"],
                    "kind": "flag",
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def keyword_grid(
    keywords: pd.DataFrame,
    *,
    value: str = "score",
    decimals: int = 3,
    essays: pd.DataFrame | None = None,
    star_below_q: float | None = None,
) -> pd.DataFrame:
    """A long keyword table (group or essay, word, score) as one row per group
    and one column per rank (1, 2, …), each cell ``word (score)``: compact
    enough to read many essays at once, and no cell long enough to be cut.
    With ``essays``, essay ids are shown as their short labels (E01 …) and genre,
    and groups with their number of essays.
    With ``star_below_q`` (keyness tables), a word whose ``q_value`` is below it
    gets a star: ``word* (score)``."""
    key = next(c for c in keywords.columns if c not in {"rank", "word", value})
    if star_below_q is not None and "q_value" not in keywords.columns:
        raise KeyError("star_below_q needs a q_value column (themes.keyness gives one)")
    star = (keywords["q_value"] < star_below_q) if star_below_q is not None else pd.Series(False, keywords.index)
    keywords = keywords.assign(_shown=[f"{w}*" if s else w for w, s in zip(keywords["word"], star)])
    names = {}
    if essays is not None and key == "essay_id":
        names = {r.essay_id: f"{r.essay_label} {getattr(r, 'genre', '')}".strip() for r in essays.itertuples()}
    elif essays is not None and key in essays.columns:  # a group: its size beside its name
        sizes = essays[key].value_counts()
        names = {g: f"{g} ({n} essay{'s' if n != 1 else ''})" for g, n in sizes.items()}
    rows = {}
    for k, g in keywords.groupby(key, sort=False):
        rows[names.get(k, k)] = [f"{w} ({v:.{decimals}f})" for w, v in zip(g["_shown"], g[value])]
    width = max((len(r) for r in rows.values()), default=0)
    grid = pd.DataFrame(
        [r + [""] * (width - len(r)) for r in rows.values()],
        index=list(rows),
        columns=[str(i) for i in range(1, width + 1)],
    )
    return grid.rename_axis("essay" if key == "essay_id" and names else key)


# ------------------------------------------------------------- how far to trust ---
_UNIT_OF_KIND = {"sentiment": "sentences", "themes": "paragraphs", "tags": "essays"}
_SAMPLE_NAMES = {
    "bundled": "bundled essays (teachers' work summaries)",
    "ood_dev": "other registers, tuning part",
    "ood_test": "other registers, held out",
    "pd_dev": "People's Daily 1998 news, tuning part",
    "pd_test": "People's Daily 1998 news, held out",
}


def _reference(corpus: Corpus, kind: str) -> dict:
    """The reference figures the build stored beside its tables (the methods it
    scored with), else the package's."""
    import json

    from analysis.methods import trust

    p = corpus.data_dir / trust.VALIDATION_DIR / f"reference-{kind}.json"
    return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else trust.reference(kind)


def _own(corpus: Corpus, kind: str) -> dict | None:
    from analysis.methods import trust

    res = trust.own(corpus.data_dir, _UNIT_OF_KIND[kind])
    return res if res is not None and not res.get("stale") else None


def trust_statement(corpus: Corpus, kind: str) -> Markdown:
    """Which corpus the validation figures below describe, in plain words, and
    how to measure them on this corpus when they describe another."""
    from analysis.methods import trust

    unit = _UNIT_OF_KIND[kind]
    stored = trust.own(corpus.data_dir, unit)
    folder = corpus.data_dir
    how = (
        f"To measure them on these essays: `python -m analysis sample --data {folder} --unit {unit} --n 200 "
        f"--out coding.xlsx`, code the sheet (its guide sheet summarises the coding guide), then "
        f"`python -m analysis validate --data {folder} --annotations coding.xlsx`."
    )
    if stored is not None and not stored.get("stale"):
        figures = trust.table(stored["figures"])
        n = int(figures["n"].max()) if "n" in figures and len(figures) else 0
        coders = "two coders" if "intercoder" in stored else "one coder"
        return Markdown(
            f"**These figures describe this corpus.** They compare the methods with {n} {unit} of these "
            f"essays, drawn at random and coded by {coders} ({', '.join(s['file'] for s in stored['sheets'])}, "
            f"validated {stored['created'][:10]})."
        )
    if _contains_bundled(corpus):
        return Markdown(
            "**This corpus holds the bundled essays**, whose sentences and paragraphs the project coded: "
            "the bundled-essays figures below describe them (out-of-fold for the methods fitted on them; "
            "the lexicons and codebook were written by people who had read them). The other samples say "
            f"how the methods do on other kinds of text. {how}"
        )
    stale = (
        "A coded sample of this corpus exists, but the build or the methods have changed since it was "
        "validated: run the `validate` command again. "
        if stored is not None
        else ""
    )
    return Markdown(
        f"**These figures do not describe this corpus.** {stale}They were measured on the project's "
        "reference samples — the ten bundled essays (teachers' work summaries about left-behind children) "
        "and held-out texts of other registers (compositions, speeches, reports, news, letters; "
        "People's Daily news of 1998) — not on these essays. The table of shared vocabulary below says how "
        f"close this corpus is to each. {how}"
    )


def _contains_bundled(corpus: Corpus) -> bool:
    """Does this corpus hold (nearly all of) the bundled essays the reference sample was coded from?"""
    from analysis.methods import samples
    from analysis.ingest.clean import to_simplified

    def key(t) -> str:  # the characters alone: cleaning changes punctuation and spaces, not the words
        return "".join(re.findall(r"[\u3400-\u9fff]", to_simplified(str(t))[0]))

    ref = {key(t) for t in samples.load("bundled", "sentences")["text"]} - {""}
    mine = {key(t) for t in corpus.sentences["text"]}
    return len(ref & mine) >= 0.8 * len(ref)


def corpus_similarity(corpus: Corpus) -> pd.DataFrame:
    """The share of this corpus's 300 most frequent content words among each reference sample's."""
    from analysis.methods import trust

    table = trust.similarity(corpus.sentences["tokens"])
    table["sample"] = table["sample"].map(lambda s: _SAMPLE_NAMES.get(s, s))
    return table.drop(columns=["what it is"]).set_index("sample")


def trust_figures(corpus: Corpus, kind: str) -> pd.DataFrame:
    """The validation figures the report rests on: this corpus's own when it has
    a current coded sample, else the reference samples' (in-domain and
    out-of-domain side by side, each with its protocol)."""
    from analysis.methods import trust

    own = _own(corpus, kind)
    if own is not None:
        t = trust.table(own["figures"])
        return t.set_index(t.columns[0])
    ref = _reference(corpus, kind)
    t = trust.table(ref["figures"])
    t["sample"] = t["sample"].map(lambda s: _SAMPLE_NAMES.get(s, s))
    if kind == "sentiment":
        t["macro-F1 (95% interval)"] = [
            f"{f:.2f} ({lo:.2f}–{hi:.2f})" for f, lo, hi in zip(t["macro_f1"], t["macro_f1_low"], t["macro_f1_high"])
        ]
        wide = t.pivot_table(index="method", columns="sample", values="macro-F1 (95% interval)", aggfunc="first")
        order = [m for m in sentiment.METHODS if m in wide.index]
        return wide.loc[order, [_SAMPLE_NAMES[s] for s in _SAMPLE_NAMES if _SAMPLE_NAMES[s] in wide.columns]]
    t["micro-F1 (95% interval)"] = [
        f"{f:.2f} ({lo:.2f}–{hi:.2f})" for f, lo, hi in zip(t["micro_f1"], t["micro_f1_low"], t["micro_f1_high"])
    ]
    return t[["sample", "protocol", "n", "micro-F1 (95% interval)", "macro_f1"]].set_index("sample")


def trust_details(corpus: Corpus, kind: str) -> pd.DataFrame:
    """Per class (sentiment) or per code (themes): this corpus's own sample, or
    the held-out reference samples for the default method."""
    from analysis.methods import trust

    own = _own(corpus, kind)
    key = "per_class" if kind == "sentiment" else "per_code"
    src = own if own is not None else _reference(corpus, kind)
    t = trust.table(src[key])
    first = "class" if kind == "sentiment" else "code"
    if "sample" in t:
        t["sample"] = t["sample"].map(lambda s: _SAMPLE_NAMES.get(s, s))
        if kind == "themes":
            t = t[t["sample"].str.contains("held out|bundled")]
        return t.set_index(["sample", first])
    return t.set_index([c for c in ("method", first) if c in t.columns])


def trust_intercoder(corpus: Corpus, kind: str) -> pd.DataFrame | Markdown:
    """Agreement between two coders: on this corpus's own sample when a second
    coder coded it, else on the bundled reference sample (said so)."""
    own = _own(corpus, kind)
    if own is not None:
        from analysis.methods import trust

        if "intercoder" not in own:
            return Markdown(
                "One coder coded this corpus's sample: agreement between coders is not measured, and "
                "every figure above rests on one coder's judgement."
            )
        return trust.table(own["intercoder"])
    out = intercoder(kind)
    if isinstance(out, pd.DataFrame):
        display(Markdown("On the bundled reference sample (two AI coders following the same guide):"))
    return out


def trust_disagreements(corpus: Corpus, *, n: int = 15) -> pd.DataFrame | Markdown:
    """This corpus's coded sentences on which the methods disagree most (only
    with a coded sample of its own: a report never shows another corpus's text)."""

    own = _own(corpus, "sentiment")
    if own is None:
        return Markdown("Shown once this corpus has a coded sample of its own (see above).")
    sents = corpus.sentences
    cols = [c for c in sents.columns if c.startswith("label_")]
    sents = sents[sents["sentence_id"].isin(set(own.get("items", [])))]
    d = sents.assign(n_labels=sents[cols].nunique(axis=1)).sort_values("n_labels", ascending=False, kind="mergesort")
    d = d.assign(essay=d["essay_id"].map(dict(zip(corpus.essays["essay_id"], corpus.essays["essay_label"]))))
    return d[["essay", "text", *cols]].head(n).set_index("essay")
