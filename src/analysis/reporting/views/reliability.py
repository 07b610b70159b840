"""How far to trust a report's figures: which corpus the validation figures
describe (this corpus's own coded sample when it has a current one, else the
reference samples), the figures themselves, per class or code, agreement
between coders, and the coded sentences the methods disagree on."""

from __future__ import annotations

import re

import pandas as pd
from IPython.display import Markdown, display

from analysis.methods import samples, sentiment
from analysis.reporting.corpus import Corpus
from analysis.reporting.views.validation import intercoder

_UNIT_OF_KIND = {"sentiment": "sentences", "themes": "paragraphs", "tags": "essays"}
_SAMPLE_NAMES = {n: samples.title(n) for n, _ in samples.SAMPLES}  # the reference samples in registry order


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
