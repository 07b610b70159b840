"""Tables and figures of the corpus overview report (what was built, how it was cleaned)."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from analysis.reporting.corpus import Corpus
from analysis.reporting.plots import bar
from analysis.ingest.segment import content_tokens


def essay_table(corpus: Corpus) -> pd.DataFrame:
    """One row per essay (short label E01 …): id, source, title, raw line range, size."""
    e = corpus.essays
    cols = [
        "essay_label",
        "essay_id",
        "source_file",
        "ordinal",
        "title",
        "line_start",
        "line_end",
        "n_chars",
        "n_paragraphs",
        "n_sentences",
        "n_placeholders",
        "n_changes",
    ]
    return e[[c for c in cols if c in e.columns]].set_index("essay_label")


def labels(corpus: Corpus) -> dict[str, str]:
    """essay_id → short label (E01 …) for figures."""
    e = corpus.essays
    return dict(zip(e["essay_id"], e["essay_label"])) if "essay_label" in e.columns else {}


def tag_summary(corpus: Corpus) -> pd.DataFrame:
    """Genre, narrator, person and stated gender per essay, each with the quoted
    evidence that decided it (setting, school level and places: see the profiles)."""
    e = corpus.essays
    cols = [
        "essay_label",
        "genre",
        "genre_evidence",
        "narrator",
        "narrator_evidence",
        "narrative_person",
        "narrator_gender",
        "narrator_gender_evidence",
    ]
    return e[[c for c in cols if c in e.columns]].set_index("essay_label")


def corpus_summary(corpus: Corpus) -> pd.DataFrame:
    """Counts that let a reader check nothing was dropped or duplicated."""
    m = corpus.manifest
    e = corpus.essays
    rows = [
        ("source files read", len(m.get("files", []))),
        ("files skipped (unreadable, empty, no text)", len(m.get("skipped", []))),
        ("essays", len(e)),
        ("paragraphs", int(e["n_paragraphs"].sum())),
        ("sentences", int(e["n_sentences"].sum())),
        ("characters (clean text)", int(e["n_chars"].sum())),
        ("essays with traditional characters converted", int(e["is_traditional"].sum())),
        ("cleaning changes logged", len(corpus.cleaning_log)),
        ("data-quality flags", len(corpus.quality_flags)),
    ]
    return pd.DataFrame(rows, columns=["what", "count"]).set_index("what")


def skipped_files(corpus: Corpus) -> pd.DataFrame:
    return corpus.skipped


# Above this many essays, one bar per essay makes a figure as long as the
# corpus: the lengths are shown as a histogram instead.
MAX_BARS = 60


def plot_lengths(corpus: Corpus):
    """Essay length in characters: a bar per essay, or a histogram of lengths
    for a corpus of more than :data:`MAX_BARS` essays."""
    e = corpus.essays
    if len(e) > MAX_BARS:
        import matplotlib.pyplot as plt
        import numpy as np

        from analysis.reporting.plots import finish, setup_cjk_font

        setup_cjk_font()
        fig, ax = plt.subplots(figsize=(7, 3.5))
        ax.hist(e["n_chars"].to_numpy(), bins=min(50, max(10, int(np.sqrt(len(e))))), color="#4C72B0")
        ax.set_xlabel("characters")
        ax.set_ylabel("essays")
        ax.set_title(f"Essay length (characters of clean text), {len(e)} essays; median {int(e['n_chars'].median()):,}")
        return finish(fig)
    s = pd.Series(e["n_chars"].values, index=[f"{r.essay_label} {getattr(r, 'genre', '')}" for r in e.itertuples()])
    return bar(s, title="Essay length (characters of clean text)", xlabel="characters")


def cleaning_summary(corpus: Corpus) -> pd.DataFrame:
    """Changes per essay and rule (rows: essays; columns: rules)."""
    log = corpus.cleaning_log
    if log.empty:
        return pd.DataFrame()
    names = labels(corpus)
    log = log.assign(essay=log["essay_id"].map(lambda i: names.get(i, i)).replace("", "(preamble)"))
    return pd.crosstab(log["essay"], log["rule"], margins=True, margins_name="total")


def _labelled(corpus: Corpus, df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its essay ids as the reports' labels (E01 …; — outside any
    essay), paragraph ids as paragraph numbers and rule names in words."""
    out = df.copy()
    if "essay_id" in out.columns:
        names = labels(corpus)
        ids = out["essay_id"].fillna("").astype(str)
        out.insert(list(out.columns).index("essay_id"), "essay", [names.get(e, e) if e else "—" for e in ids])
        out = out.drop(columns="essay_id")
    if "paragraph_id" in out.columns:
        num = out["paragraph_id"].fillna("").astype(str).str.extract(r"-p0*(\d+)$")[0]
        out["paragraph_id"] = num.fillna("—")
        out = out.rename(columns={"paragraph_id": "paragraph"})
    for col in ("rule", "flag"):
        if col in out.columns:
            out[col] = out[col].astype(str).str.replace("_", " ")
    return out.rename(columns={"line": "raw line"})


def cleaning_examples(corpus: Corpus, *, per_rule: int = 3) -> pd.DataFrame:
    """A few logged changes per rule, before → after with context (the full log is in cleaning_log.csv)."""
    log = corpus.cleaning_log
    log = log[log["rule"] != "drop_preamble"]
    cols = ["rule", "essay_id", "line", "before", "after", "context"]
    return _labelled(corpus, log.groupby("rule", sort=True).head(per_rule)[cols].reset_index(drop=True))


def preamble(corpus: Corpus) -> pd.DataFrame:
    """Text dropped before the first essay heading of each file (collection
    title, site blurb): the preamble as a whole and every page-chrome line
    removed outside an essay, with the rule that removed it."""
    log = corpus.cleaning_log
    outside = log["essay_id"].fillna("").astype(str) == "" if "essay_id" in log.columns else False
    rows = log[(log["rule"] == "drop_preamble") | outside]
    return _labelled(corpus, rows[["source_file", "line", "rule", "before"]].rename(columns={"before": "dropped text"}))


def quality_flags(corpus: Corpus) -> pd.DataFrame:
    return _labelled(corpus, corpus.quality_flags[["essay_id", "paragraph_id", "line", "flag", "detail"]])


def top_words(corpus: Corpus, *, n: int = 30) -> pd.DataFrame:
    """Most frequent content words (stopwords, punctuation, numbers and
    pseudonyms removed: 学生A is a name, not a word of the corpus)."""
    from analysis.methods.privacy import pseudonym_pattern

    pseudo = pseudonym_pattern()
    counts: Counter[str] = Counter()
    for tokens in corpus.sentences["tokens"]:
        counts.update(t for t in content_tokens(list(tokens)) if not pseudo.fullmatch(t) and t != "某家")
    return pd.DataFrame(counts.most_common(n), columns=["word", "count"]).set_index("word")


def entity_counts(corpus: Corpus) -> pd.DataFrame:
    """Named people, places and organisations by type and role: mentions,
    distinct names and essays. A pseudonymised name counts every mention the
    report replaced (a name is replaced wherever it is written, also where
    the detector did not see it); names kept as written (public figures,
    provinces) count their detected mentions. No name is shown."""
    import re

    ents = corpus.table("entities")
    rows = []
    kept = ents[ents["role"].isin(["public_figure", "public"])]
    for (type_, role), g in kept.groupby(["type", "role"]):
        rows.append((type_, role, len(g), g["text"].nunique(), g["essay_id"].nunique()))
    if corpus.pseudonymise:
        m = corpus._map
        kinds = {p: (t, r or "—") for p, t, r in zip(m["pseudonym"], m["type"], m["role"]) if p != "某家"}
        sents = corpus.sentences
        found: dict[tuple[str, str], list] = {}
        if kinds:
            rx = re.compile("|".join(map(re.escape, sorted(kinds, key=len, reverse=True))) + "(?![A-Z])")
            for eid, text in zip(sents["essay_id"], sents["text"]):
                for hit in rx.findall(text if isinstance(text, str) else ""):
                    acc = found.setdefault(kinds[hit], [0, set(), set()])
                    acc[0] += 1
                    acc[1].add(hit)
                    acc[2].add(eid)
        rows += [(t, r, n, len(names), len(eids)) for (t, r), (n, names, eids) in found.items()]
    else:
        for (type_, role), g in ents[~ents["role"].isin(["public_figure", "public"])].groupby(["type", "role"]):
            rows.append((type_, role or "—", len(g), g["text"].nunique(), g["essay_id"].nunique()))
    out = pd.DataFrame(rows, columns=["type", "role", "mentions", "names", "essays"])
    return out.sort_values(["type", "role"]).reset_index(drop=True)


def plot_entity_counts(corpus: Corpus):
    """Bar chart of the mentions per type and role (:func:`entity_counts`)."""
    counts = entity_counts(corpus)
    s = pd.Series(counts["mentions"].to_numpy(), index=[f"{t} / {r}" for t, r in zip(counts["type"], counts["role"])])
    return bar(s, title="Named people, places and organisations: mentions", xlabel="mentions")


def plot_top_words(corpus: Corpus, *, n: int = 30):
    tw = top_words(corpus, n=n)["count"]
    fig = bar(tw, title=f"Top {n} content words", xlabel="occurrences")
    fig.caption = (
        f"The {n} most frequent content words, counted over every sentence of the corpus — a passage "
        "copied into several essays counts in each, and headings and greetings count too; the themes "
        "report's keywords and concordance count reused passages once and leave framing lines out, "
        "so their counts can be lower."
    )
    return fig


def reuse_passages(corpus: Corpus, **kwargs) -> pd.DataFrame:
    """The passages shared between essays (:func:`analysis.methods.reuse.top_passages`),
    the essays named by their labels (E01 …) as in every table."""
    from analysis.methods import reuse

    top = reuse.top_passages(corpus.table("reuse"), **kwargs)
    names = labels(corpus)
    for col in ("essay_a", "essay_b"):
        if col in top.columns:
            top[col] = [names.get(e, e) for e in top[col]]
    return top.rename(columns={"essay_a": "essay", "essay_b": "shared with", "n_units": "sentences"})
