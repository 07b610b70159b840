"""An essay's tables: the base tables (cleaning, paragraphs, sentences, tokens) and the
layer each analysis stage adds to them, merged back into one set (one cache layer each)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import pandas as pd

from analysis.ingest.clean import clean_essay, is_heading
from analysis.ingest.segment import sentences_frame
from analysis.ingest.intake import EssayInput, FolderEvidence, file_slug, plan_essays, unique_slugs  # noqa: F401

# ------------------------------------------------------------------ per essay

_ESSAY_TABLES = ("essays", "paragraphs", "cleaning_log", "quality_flags")
# metadata read from page chrome (author, date …), one essays column each
METADATA_FIELDS = ("author", "date", "source", "editor", "guidance")
_PARA_COLS = ["essay_id", "paragraph_id", "ordinal", "text", "is_heading", "line_start", "line_end"]
_LOG_COLS = ["source_file", "essay_id", "paragraph_id", "line", "rule", "offset", "before", "after", "context"]
_FLAG_COLS = ["source_file", "essay_id", "paragraph_id", "line", "flag", "detail"]


def _clean_rows(e: EssayInput) -> dict[str, list]:
    """Clean one essay: its paragraph, log, flag and essay rows (plain dicts)."""
    cleaned = clean_essay(
        e.raw_text.split("\n"),
        line_start=e.line_start,
        chrome={line: (kind, evidence) for line, kind, evidence in e.chrome},
        lost_pages=dict(e.lost_pages),
    )
    paras = [
        {
            "essay_id": e.essay_id,
            "paragraph_id": f"{e.essay_id}-p{k:03d}",
            "ordinal": k,
            "text": p.text,
            "is_heading": is_heading(p.text),
            "line_start": p.line_start,
            "line_end": p.line_end,
        }
        for k, p in enumerate(cleaned.paragraphs, start=1)
    ]
    line_to_para = {}
    for row in paras:
        for ln in range(row["line_start"], row["line_end"] + 1):
            line_to_para[ln] = row["paragraph_id"]
    head = {"source_file": e.source_file, "essay_id": e.essay_id}
    log = [head | {"paragraph_id": line_to_para.get(r["line"], "")} | r for r in cleaned.log]
    flags = [head | {"paragraph_id": line_to_para.get(r["line"], "")} | r for r in cleaned.flags]
    text = "\n".join(p["text"] for p in paras)
    essay = {
        "essay_id": e.essay_id,
        "source_file": e.source_file,
        "ordinal": e.ordinal,
        "heading": e.heading,
        "heading_number": e.heading_number,
        "title": e.title,
        "line_start": e.line_start,
        "line_end": e.line_end,
        "encoding": e.encoding,
        "sha256": e.sha256,
        "raw_text": e.raw_text,
        "text": text,
        "is_traditional": any(r["rule"] == "to_simplified" for r in log),
        "n_chars": len(text.replace("\n", "")),
        "n_paragraphs": len(paras),
        "n_sentences": 0,
        "n_placeholders": text.count("XX"),
        "n_changes": len(log),
        "split_rule": e.split_rule,
        "n_chrome_lines": len(e.chrome),
        "truncated": any(f["flag"] == "truncated" for f in cleaned.flags),
    } | {field: meta.get(field, "") for meta in [dict(e.metadata)] for field in METADATA_FIELDS}
    return {"essays": [essay], "paragraphs": paras, "cleaning_log": log, "quality_flags": flags}


def _typed(df: pd.DataFrame, ints: tuple[str, ...] = ()) -> pd.DataFrame:
    """An empty table still gets its column types (text, and the integer ``ints``)."""
    if len(df):
        return df
    return df.astype({c: ("int64" if c in ints else "str") for c in df.columns})


def _base_tables(batch: list[EssayInput], tokens: bool = True) -> tuple[dict[str, pd.DataFrame], dict[str, float]]:
    """Clean and segment a batch: the tables every analysis stage starts from
    (essays, paragraphs, sentences with tokens — without, unless ``tokens`` —,
    cleaning_log, quality_flags)."""
    t0 = time.perf_counter()
    rows: dict[str, list] = {name: [] for name in _ESSAY_TABLES}
    for e in batch:
        for name, part in _clean_rows(e).items():
            rows[name].extend(part)
    essays = pd.DataFrame(rows["essays"])
    paras = pd.DataFrame(rows["paragraphs"], columns=_PARA_COLS)
    log = _typed(pd.DataFrame(rows["cleaning_log"], columns=_LOG_COLS), ints=("line", "offset"))
    t1 = time.perf_counter()
    cut: list[dict] = []  # sentences cut from over-long runs (segment.MAX_SENTENCE_CHARS)
    sents = sentences_frame(paras, flags=cut, tokens=tokens)
    if cut:
        src = dict(zip(essays["essay_id"], essays["source_file"]))
        first = dict(zip(paras["paragraph_id"], paras["line_start"]))
        rows["quality_flags"] += [
            {"source_file": src[f["essay_id"]], "line": first[f["paragraph_id"]]} | f for f in cut
        ]
    flags = _typed(pd.DataFrame(rows["quality_flags"], columns=_FLAG_COLS), ints=("line",))
    essays["n_sentences"] = essays["essay_id"].map(sents["essay_id"].value_counts()).fillna(0).astype("int64")
    t2 = time.perf_counter()
    base = {"essays": essays, "paragraphs": paras, "sentences": sents, "cleaning_log": log, "quality_flags": flags}
    return base, {"clean": t1 - t0, "segment": t2 - t1}


# Row id of each table a stage may add columns to (the rows themselves are the base's).
_ROW_IDS = {"essays": "essay_id", "paragraphs": "paragraph_id", "sentences": "sentence_id"}


def _stage_delta(base: dict[str, pd.DataFrame], stage: Stage) -> dict[str, pd.DataFrame]:
    """Run one analysis stage on the base tables and keep what it adds: new
    tables whole, and for essays/paragraphs/sentences their ids plus the new
    columns. Stages see the base tables only, never another stage's output."""
    out = stage({name: df.copy(deep=False) for name, df in base.items()})
    delta: dict[str, pd.DataFrame] = {}
    for name, df in out.items():
        if name not in base:
            delta[name] = df
            continue
        added = [c for c in df.columns if c not in base[name].columns]
        if not added and name != "essays":  # the essays part carries the layer's cache key
            continue
        rid = _ROW_IDS.get(name)
        if rid is None or len(df) != len(base[name]) or df[rid].tolist() != base[name][rid].tolist():
            raise RuntimeError(f"a stage changed the rows of the {name} table: stages may only add columns and tables")
        ids = ["essay_id"] if rid == "essay_id" else ["essay_id", rid]
        delta[name] = df[ids + added].reset_index(drop=True)
    return delta


def merge_layers(layers: dict[str, dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """The base tables with every stage's additions, in stage order: the tables
    of running the stages one after the other."""
    out = dict(layers["base"])
    for name, _ in essay_stages():
        for tname, df in layers.get(name, {}).items():
            if tname not in out:
                out[tname] = df
                continue
            rid, have = _ROW_IDS[tname], out[tname]
            if len(df) != len(have) or df[rid].tolist() != have[rid].tolist():
                raise RuntimeError(f"the {name} stage's {tname} rows do not match the base rows")
            added = [c for c in df.columns if c not in ("essay_id", rid)]
            if added:
                out[tname] = pd.concat([have.reset_index(drop=True), df[added].reset_index(drop=True)], axis=1)
    return out


def process_layers(
    batch: list[EssayInput],
    stages: Iterable[str] | None = None,
    base: dict[str, pd.DataFrame] | None = None,
    tokens: bool = True,
) -> dict:
    """Per-essay work for a batch, layer by layer: ``"base"`` (clean, segment,
    tokenise; skipped when the batch's ``base`` tables are given) and the
    additions of each analysis stage in ``stages`` (default: all of
    :data:`analysis.pipeline.stages.ESSAY_STAGES`). Stages work row by row or essay by
    essay, so a batch gives the rows of its essays processed one at a time.
    Pure: same input, same output. ``_timings`` (seconds per step) rides along.
    Without ``tokens`` (stages that read none), the base tables made here lack
    the tokens and are not given back as a layer."""
    wanted = None if stages is None else set(stages)
    layers: dict = {}
    if base is None:
        base, timings = _base_tables(batch, tokens=tokens)
        if tokens:
            layers["base"] = base
    else:
        timings = {}
    for name, stage in essay_stages():
        if wanted is None or name in wanted:
            ts = time.perf_counter()
            layers[name] = _stage_delta(base, stage)
            timings[name] = time.perf_counter() - ts
    layers["_timings"] = timings
    return layers


def process_batch(batch: list[EssayInput]) -> dict[str, pd.DataFrame]:
    """All per-essay work for a batch of essays: clean, segment, tokenise, and the
    analysis stages registered in :data:`ESSAY_STAGES` — the corpus tables of
    these essays before the corpus stages. ``_timings`` (seconds per stage)
    rides along for the benchmark; it is not a table."""
    layers = process_layers(batch)
    timings = layers.pop("_timings")
    return merge_layers(layers) | {"_timings": timings}


Stage = Callable[[dict[str, pd.DataFrame]], dict[str, pd.DataFrame]]


def essay_stages() -> list[tuple[str, Stage]]:
    """Analysis stages run per essay after segmentation, in order. Each takes
    and returns the dict of per-essay tables (see :mod:`analysis.pipeline.stages`)."""
    from analysis.pipeline import stages

    return stages.ESSAY_STAGES


def corpus_stages() -> list[tuple[str, Stage]]:
    """Stages that need the whole corpus (reuse, pseudonyms), after concatenation."""
    from analysis.pipeline import stages

    return stages.CORPUS_STAGES
