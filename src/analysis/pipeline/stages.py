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
    from analysis.methods import sentiment

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
    from analysis.methods import themes

    t["paragraphs"] = themes.code_paragraphs(t["paragraphs"])
    counts = themes.essay_code_counts(t["paragraphs"])
    t["essays"] = _merge(t["essays"], counts, "essay_id")
    return t


def tagging_stage(t: Tables) -> Tables:
    """Entities (jieba POS + domain cues), essay tags with evidence, section
    structure, which sentences are framing lines (``framing``), and
    numbers/statistics with their context (a window of their sentence)."""
    from analysis.methods import entities, tag

    ents = entities.extract_entities(t["sentences"])
    t["entities"] = ents
    t["name_candidates"] = entities.name_candidates(t["sentences"])  # for privacy_review (private)
    t["essays"] = tag.tag_essays(t["essays"], t["sentences"], entities=ents)
    t["headings"] = tag.structure(t["paragraphs"])
    t["sentences"] = t["sentences"].assign(framing=tag.framing_lines(t["sentences"], t["headings"]).to_numpy())
    t["numbers"] = tag.numbers(t["sentences"])
    return t


def reuse_stage(t: Tables, memory: dict | None = None) -> Tables:
    """Template reuse across essays: the reuse table, each sentence's first
    occurrence (``reused_from``) and each essay's share of original text.
    With a ``memory`` (kept by the build between builds in one process), the
    search is incremental (:class:`analysis.fast.reuse_index.ReuseIndex`, same result)."""
    from analysis.fast.reuse_index import ReuseIndex
    from analysis.methods import reuse

    if memory is None:
        found = reuse.find_reuse(t["sentences"])
    else:
        found = memory.setdefault("reuse_index", ReuseIndex()).find(t["sentences"])
    t["reuse"] = found
    t["sentences"] = reuse.mark_duplicates(t["sentences"], found)
    share = reuse.original_share(t["essays"], t["sentences"], found, reused_from=t["sentences"]["reused_from"])
    keep = [c for c in share.columns if c == "essay_id" or c not in t["essays"].columns]
    t["essays"] = _merge(t["essays"], share[keep], "essay_id")
    return t


def pseudonym_stage(t: Tables, memory: dict | None = None) -> Tables:
    """The private name → pseudonym map (children, adults, places, organisations;
    reports replace children's names by default, the rest by option)."""
    from analysis.methods import privacy

    always, never = privacy.load_lists()
    found = pd.concat([t["entities"], privacy.page_entities(t), privacy.listed_entities(t, always)], ignore_index=True)
    found = found[~found["text"].isin(never)]
    found = pd.concat([found, privacy.stem_entities(t, found)], ignore_index=True)
    m = privacy.build_pseudonym_map(found, roles=("child", "adult"), types=("person", "place", "organisation"))
    t["pseudonyms"] = m[~m["original"].isin(never)].reset_index(drop=True)
    t["privacy_review"] = privacy.review_candidates(t, set(m["original"]), never)
    return t


ESSAY_STAGES: list = [
    ("sentiment", sentiment_stage),
    ("themes", themes_stage),
    ("tagging", tagging_stage),
]
# What each per-essay stage reads besides the cleaned and segmented tables (and
# the modules and resources they depend on): its own modules and resource
# files (a folder ends in '/'). Each stage sees only the cleaned and segmented
# tables, never another stage's columns, so editing a stage's modules or
# resources re-runs that stage alone, on the cached segmentation. Anything not
# listed here counts for every stage. tests/test_build.py checks the lists
# against the modules and resources each stage really loads.
STAGE_INPUTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "sentiment": (("sentiment", "snowfast", "validate", "supervised"), ("sentiment/",)),
    "themes": (("themes",), ("codebook.yaml",)),
    "tagging": (("tag", "tagmodel", "entities"), ("tagging_cues.yaml", "tagging_model.json", "entity_cues.yaml")),
}
# Stages that read no tokens: a worker that runs only these (one huge essay's
# heaviest stage on a worker of its own, build._split_stages) does not tokenise.
# tests/test_build.py checks that each gives the same tables without tokens.
TOKEN_FREE_STAGES = frozenset({"tagging"})
CORPUS_STAGES: list = [
    ("reuse", reuse_stage),
    ("pseudonyms", pseudonym_stage),
]
# The tables each corpus stage adds or replaces: the build writes a table as
# soon as no later stage will change it (and checks this declaration).
CORPUS_STAGE_OUTPUTS = {"reuse": ("reuse", "sentences", "essays"), "pseudonyms": ("pseudonyms", "privacy_review")}
# resource files read by corpus stages only (every build runs them): editing one re-runs no essay
CORPUS_ONLY_RESOURCES = ("privacy_always.txt", "privacy_never.txt", "romanised_english.txt")
