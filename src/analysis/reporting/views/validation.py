"""The methods against the hand-coded samples: what the validation can show
(:func:`caveat`), agreement between two coders, each method's figures computed
now (texts pseudonymised like the corpus), their intervals and the sentences
the methods disagree on."""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown

from analysis.methods import sentiment, themes
from analysis.config import ANNOTATIONS_DIR
from analysis.reporting.corpus import Corpus

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
