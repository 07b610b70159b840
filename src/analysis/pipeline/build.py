"""Build the corpus tables from the raw folder.

``build(raw_dir, out_dir)`` reads every text file, splits it into essays,
cleans and segments each essay (per-essay work: cached by content hash and
spread over processes), then runs the corpus-level stages and writes the
tables atomically. See docs/data_dictionary.md for the tables.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import os
import shutil
import tempfile
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, UTC
from pathlib import Path
from collections.abc import Callable, Iterable

import pandas as pd

from analysis import __version__
from analysis import io as aio
from analysis import procs
from analysis.ingest.clean import clean_essay, is_heading
from analysis.config import CACHE_DIR_NAME, PACKAGE_DIR, RESOURCES_DIR, git_commit
from analysis.resources import fingerprint
from analysis.ingest.segment import sentences_frame
from analysis.ingest.intake import EssayInput, FolderEvidence, file_slug, plan_essays, unique_slugs  # noqa: F401
from analysis.ingest.split import HeadingPatternError, compile_patterns

ENGINES = ("local", "dask")
# seconds a build waits for another build writing to the same folder
LOCK_TIMEOUT = 600.0


class BuildError(ValueError):
    """A build that cannot go on (strict mode, nothing to build)."""


@dataclass
class BuildSummary:
    out_dir: Path
    n_files: int = 0
    n_essays: int = 0
    n_cached: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    seconds: float = 0.0
    tables: dict[str, int] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    restaged: dict[str, int] = field(default_factory=dict)  # stage -> essays re-run on their cached base

    def lines(self) -> list[str]:
        out = [
            f"built {self.n_essays} essays from {self.n_files} file(s) into {self.out_dir} "
            f"in {self.seconds:.1f} s ({self.n_cached} essay(s) from cache)",
        ]
        out += [
            f"  {stage} re-run on {n} essay(s) (their cleaning and segmentation from cache)"
            for stage, n in self.restaged.items()
        ]
        out += [f"  {name}: {n} rows" for name, n in self.tables.items()]
        for name, reason in self.skipped:
            out.append(f"  skipped {name}: {reason}")
        for name in self.ignored:
            out.append(f"  ignored {name}: not a .txt file")
        return out


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


# Modules that cannot change what an essay's processing gives: reports, views
# and the command line, and the corpus stages (they run on every build, their
# results are not cached). Editing them keeps the essay cache; editing any
# other module empties it. tests/test_build.py checks that processing an
# essay imports none of them.
NOT_PER_ESSAY_MODULES = frozenset(
    {
        "__main__",
        "cli",
        "corpus",
        "figures",
        "kernels",
        "overview",
        "plots",
        "privacy",
        "publish",
        "report",
        "reuse",
        "views",
        "webfont",
    }
)


def module_name(path: Path, package_dir: Path | None = None) -> str:
    """The dotted name of a module file inside the package, relative to it
    (``sentiment``, ``methods.sentiment``, ``fast`` for ``fast/__init__.py``);
    "" for a file outside the package."""
    package_dir = Path(package_dir or PACKAGE_DIR)
    try:
        rel = Path(path).with_suffix("").relative_to(package_dir)
    except ValueError:
        return ""
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(parts)


def _names_module(entry: str, module: str) -> bool:
    """``entry`` (a module or package name, dotted or not) names ``module``
    wherever it sits in the package: ``sentiment`` names ``sentiment``,
    ``methods.sentiment`` and ``methods.sentiment.lexicon``. So the
    declarations below hold when a module moves into a subpackage."""
    mod, ent = module.split("."), entry.split(".")
    return any(mod[i : i + len(ent)] == ent for i in range(len(mod) - len(ent) + 1))


def per_essay_modules(package_dir: Path | None = None) -> list[Path]:
    """Every module file of the package, at any depth, that can change what an
    essay's processing gives (all but :data:`NOT_PER_ESSAY_MODULES`)."""
    package_dir = Path(package_dir or PACKAGE_DIR)
    return sorted(
        p
        for p in package_dir.rglob("*.py")
        if "__pycache__" not in p.parts
        and not any(_names_module(n, module_name(p, package_dir)) for n in NOT_PER_ESSAY_MODULES)
    )


def layer_of(path: Path, package_dir: Path | None = None) -> str:
    """The cache layer a per-essay module or resource file counts for: the
    analysis stage that claims it in :data:`analysis.pipeline.stages.STAGE_INPUTS`, else
    ``"base"`` (cleaning and segmentation, on which every stage builds).
    Modules are matched by name at any depth of the package (see
    :func:`_names_module`), resources by their path under resources/."""
    from analysis.pipeline import stages

    path = Path(path)
    package_dir = Path(package_dir or PACKAGE_DIR)
    resources = package_dir / "resources"
    if path.suffix == ".py" and module_name(path, package_dir) and not path.is_relative_to(resources):
        mod = module_name(path, package_dir)
        return next(
            (s for s, (mods, _) in stages.STAGE_INPUTS.items() if any(_names_module(m, mod) for m in mods)), "base"
        )
    try:
        rel = path.relative_to(resources).as_posix()
    except ValueError:
        return "base"
    return next(
        (
            s
            for s, (_, res) in stages.STAGE_INPUTS.items()
            if any(rel == r or (r.endswith("/") and rel.startswith(r)) for r in res)
        ),
        "base",
    )


def _settings_fingerprint() -> dict[str, str]:
    """One fingerprint per cache layer, over the files :func:`layer_of` assigns
    to it (``"base"`` also covers the code version). Editing a stage's files
    re-runs that stage on the cached segmentation; editing anything else
    re-runs everything. Module files are found at any depth of the package."""
    from analysis.pipeline.stages import CORPUS_ONLY_RESOURCES

    files = sorted(
        p
        for p in RESOURCES_DIR.rglob("*")
        if p.is_file() and p.name not in CORPUS_ONLY_RESOURCES and "__pycache__" not in p.parts
    )
    src = [p for p in per_essay_modules() if not p.is_relative_to(RESOURCES_DIR)]
    owner = {p: layer_of(p) for p in (*src, *files)}
    out = {}
    for layer in ("base", *(name for name, _ in essay_stages())):
        mine = [p for p in (*src, *files) if owner[p] == layer]
        out[layer] = hashlib.sha256(f"{__version__}\0{layer}\0{fingerprint(*mine)}".encode()).hexdigest()
    return out


def _cache_key(e: EssayInput, settings: str) -> str:
    h = hashlib.sha256()
    for part in (
        settings,
        e.essay_id,
        e.source_file,
        str(e.ordinal),
        e.heading,
        e.title,
        str(e.line_start),
        e.encoding,
        e.raw_text,
        *e.key_parts(),
    ):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _layer_keys(e: EssayInput, settings: dict[str, str]) -> dict[str, str]:
    """Cache key of each layer of an essay: the base key hashes the essay's
    text and provenance; a stage's key hashes the base key and the stage's
    own fingerprint."""
    base = _cache_key(e, settings["base"])
    return {"base": base} | {
        layer: hashlib.sha256(f"{fp}\0{layer}\0{base}".encode()).hexdigest()
        for layer, fp in settings.items()
        if layer != "base"
    }


# Below this many characters, starting worker processes (each loads jieba,
# SnowNLP and the lexicons) costs more than it saves.
PARALLEL_MIN_CHARS = 150_000
# Essays go to the workers in batches of about this many characters (at least
# one essay): large enough that pandas' per-call overhead is paid rarely,
# small enough that the cores stay evenly loaded and memory stays bounded.
BATCH_CHARS = 40_000


def make_batches(essays: list[EssayInput], batch_chars: int | None = None, jobs: int = 1) -> list[list[EssayInput]]:
    """Consecutive essays grouped into batches of about ``batch_chars`` characters,
    and at least ``4 * jobs`` batches when there are that many essays (so that
    every core gets work)."""
    if not essays:
        return []
    size = batch_chars or BATCH_CHARS
    total = sum(len(e.raw_text) for e in essays)
    size = max(1, min(size, total // max(1, 4 * jobs)))
    batches, cur, n = [], [], 0
    for e in essays:
        cur.append(e)
        n += len(e.raw_text)
        if n >= size:
            batches.append(cur)
            cur, n = [], 0
    if cur:
        batches.append(cur)
    return batches


_WARM: set[str] = set()  # layers whose models this process has loaded ("base": jieba)


def warm_up(stages: Iterable[str] | None = None) -> None:
    """Load the models of cleaning and segmentation and of the given analysis
    stages (default: all; jieba, POS tables, SnowNLP, lexicons, codebook, cues)
    by processing one short essay, once per process."""
    todo = tuple(name for name, _ in essay_stages() if (stages is None or name in stages) and name not in _WARM)
    if todo or "base" not in _WARM:
        text = "关爱留守儿童\n\n我们班的小明今年十岁，父母在外打工，他和奶奶住在一起。老师经常关心他的学习。"
        process_layers([EssayInput("warm-01", "warm.txt", 1, "", None, "关爱留守儿童", 1, 3, "utf-8", text)], todo)
        _WARM.update(todo, {"base"})


def _pool(jobs: int, stages: Iterable[str] | None = None) -> ProcessPoolExecutor:
    """Worker processes for the given stages. Where fork exists, their models
    are loaded once here and the workers inherit them (shared pages, no load per
    worker); elsewhere each worker loads them when it starts."""
    import multiprocessing as mp

    stages = None if stages is None else tuple(stages)
    if "fork" in mp.get_all_start_methods():
        warm_up(stages)
        if stages is None or "sentiment" in stages:
            from analysis.fast import snowfast

            snowfast.prepare_compiled()  # workers get big batches: they will use the compiled search
        return ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=mp.get_context("fork"),
            initializer=procs.worker_start,  # workers die with this process and never hold its lock
            initargs=(os.getpid(),),
        )
    return ProcessPoolExecutor(
        max_workers=jobs, initializer=procs.worker_start, initargs=(os.getpid(), warm_up, stages)
    )


@dataclass
class Task:
    """Per-essay work for a batch: the ``stages`` to run and, unless ``base``
    (the batch's cached base tables) is given, cleaning and segmentation first."""

    essays: list[EssayInput]
    stages: tuple[str, ...]
    base: dict[str, pd.DataFrame] | None = None
    tokens: bool = True  # False: its stages read no tokens and another task gives the base layer


def run_task(task: Task) -> dict:
    """The layers :func:`process_layers` gives for a task."""
    return process_layers(task.essays, task.stages, task.base, tokens=task.tokens)


def _run_local(tasks: list[Task], jobs: int, progress: bool) -> Iterable[dict]:
    from tqdm.auto import tqdm

    bar = dict(total=sum(len(t.essays) for t in tasks), desc="essays", unit="essay", disable=not progress)
    chars = sum(len(e.raw_text) for t in tasks for e in t.essays)
    parts = _split_stages(tasks, jobs)  # task -> its sub-tasks (one each, unless workers would idle)
    subtasks = [sub for group in parts for sub in group]
    # fewer essays than cores (one huge essay): a task may use the idle cores inside its essay
    with tqdm(**bar) as pbar, procs.sharing_cores(jobs if len(tasks) < jobs else 1):
        if jobs <= 1 or chars < PARALLEL_MIN_CHARS or len(subtasks) < 2:
            for t in tasks:
                res = run_task(t)
                pbar.update(len(t.essays))
                yield res
            return
        with _pool(min(jobs, len(subtasks)), {name for t in subtasks for name in t.stages}) as pool:
            results = pool.map(run_task, subtasks)
            for t, group in zip(tasks, parts):
                res = _merge_results([next(results) for _ in group])
                pbar.update(len(t.essays))
                yield res


# The heaviest per-essay stage: run apart from the others when a build has
# fewer tasks than workers (one huge essay), so both cores work.
_HEAVY_STAGE = "tagging"


def _split_stages(tasks: list[Task], jobs: int) -> list[list[Task]]:
    """Each task as the sub-tasks to run: itself, or — when there are fewer
    tasks than workers (a folder of one huge essay) — its heaviest stage and
    its other stages as two tasks on two workers. Each computes the batch's
    base tables itself when they are not cached (the same tables twice, in
    parallel: wall time for memory) — without tokens for a stage that reads
    none (:data:`analysis.pipeline.stages.TOKEN_FREE_STAGES`): the other task gives the
    base layer."""
    from analysis.pipeline.stages import TOKEN_FREE_STAGES

    if len(tasks) >= jobs:
        return [[t] for t in tasks]
    out = []
    for t in tasks:
        rest = tuple(s for s in t.stages if s != _HEAVY_STAGE)
        if _HEAVY_STAGE in t.stages and rest:
            heavy = Task(t.essays, (_HEAVY_STAGE,), t.base, tokens=_HEAVY_STAGE not in TOKEN_FREE_STAGES)
            out.append([heavy, Task(t.essays, rest, t.base)])
        else:
            out.append([t])
    return out


def _merge_results(results: list[dict]) -> dict:
    """One task's layers from its sub-tasks' (:func:`_split_stages`): each
    stage's layer from the sub-task that ran it, the base tables (identical:
    processing is pure) once, step seconds of the base once."""
    merged: dict = {}
    timings: dict[str, float] = {}
    for res in sorted(results, key=lambda r: "base" not in r):  # base steps timed where the base layer was made
        for k, v in res.get("_timings", {}).items():
            timings.setdefault(k, v)
        for layer, tabs in res.items():
            if layer != "_timings":
                merged.setdefault(layer, tabs)
    merged["_timings"] = timings
    return merged


def _run_dask(tasks: list[Task], scheduler: str | None, progress: bool) -> Iterable[dict]:
    from dask.distributed import Client, LocalCluster

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        futures = client.map(run_task, tasks, pure=False)
        yield from client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if p is not None]
    nonempty = [p for p in parts if len(p)]
    if not nonempty:
        return parts[0].iloc[0:0].copy() if parts else pd.DataFrame()
    return pd.concat(nonempty, ignore_index=True)


def build(
    raw_dir: Path,
    out_dir: Path,
    *,
    heading_patterns: Iterable[str] = (),
    strict: bool = False,
    jobs: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    progress: bool | None = None,
    use_cache: bool = True,
    remember: bool = False,
    keep_chrome: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
    follow_links: bool = False,
    warn: Callable[[str], None] | None = None,
) -> BuildSummary:
    """Build all tables from ``raw_dir`` into ``out_dir``; returns a summary.

    Unusable files are skipped with their reason (fatal with ``strict``).
    ``data/raw`` is only read. Per-essay results are cached in
    ``out_dir/.cache`` by a hash of the essay's raw text, its provenance and
    every resource and source file, so a rebuild after adding one essay
    processes only that essay. With ``remember`` (``build --watch`` uses it),
    this process keeps the per-essay tables in memory, and its next build into
    ``out_dir`` with ``remember`` takes unchanged essays from there instead of
    reading and converting the cache (same tables, see :func:`_remember`).
    Page chrome (navigation, footers …, :mod:`analysis.ingest.pagechrome`) is removed
    from the essays and logged line by line; ``keep_chrome`` keeps it.
    """
    t0 = time.perf_counter()
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    if engine not in ENGINES:
        raise BuildError(f"engine {engine!r} is not valid; choose one of: {', '.join(ENGINES)}")
    if raw_dir.resolve() == out_dir.resolve() or raw_dir.resolve() in out_dir.resolve().parents:
        raise BuildError(f"--out {out_dir} must not be inside --raw {raw_dir}: raw data is never written")
    heading_patterns = tuple(heading_patterns)
    try:
        patterns = compile_patterns(list(heading_patterns))
    except ValueError as exc:
        raise BuildError(str(exc)) from None
    progress = sys.stderr.isatty() if progress is None else progress
    jobs = jobs or os.cpu_count() or 1
    warn = warn or (lambda msg: print(msg, file=sys.stderr))
    summary = BuildSummary(out_dir=out_dir)

    found = aio.scan_raw(raw_dir, follow_links=follow_links)
    lock = procs.folder_lock(out_dir, timeout=lock_timeout, warn=warn, error=BuildError)
    with lock, procs.bulk_allocation():  # one build at a time writes to a folder
        summary.ignored = [aio.relpath(p, raw_dir) for p in found.others]
        essays_in: list[EssayInput] = []
        preamble_log: list[dict] = []
        plan_flags: list[dict] = []
        file_rows = []

        def skip(rel: str, reason: str) -> None:
            if strict:
                raise BuildError(f"{rel}: {reason} (--strict)")
            summary.skipped.append((rel, reason))
            warn(f"skipped {rel}: {reason}")

        for path, reason in found.skipped:
            skip(aio.relpath(path, raw_dir), reason)
        decoded = []  # (relative path, bytes' sha256, decoded file), readable files only
        names: set[str] = set()
        for path in found.texts:
            rel = aio.relpath(path, raw_dir)
            if rel in names:  # a GBK file name that reads as another file's UTF-8 name: its bytes shown
                rel = os.fsencode(path.relative_to(raw_dir).as_posix()).decode("utf-8", "backslashreplace")
            names.add(rel)
            try:
                data = aio.read_bytes(path)
                sha = hashlib.sha256(data).hexdigest()
                held = _MEMORY.decoded.get((rel, sha)) if remember else None
                if held is None:
                    held = aio.read_raw(path, root=raw_dir, data=data)
                    if held.relpath != rel:
                        held = dataclasses.replace(held, relpath=rel)
            except aio.RawFileError as exc:
                skip(rel, exc.reason)
                continue
            decoded.append((rel, sha, held))
        slugs = unique_slugs(rel for rel, _, _ in decoded)  # essay ids unique whatever the file names
        # lines recurring across the folder's files are evidence of page chrome
        evidence = FolderEvidence.of([raw.text for _, _, raw in decoded])
        plans = {}  # (path, sha256, heading patterns, chrome settings, evidence) -> the file's plan
        for rel, sha, raw in decoded:
            key = (rel, sha, slugs[rel], heading_patterns, keep_chrome, evidence.key_for(raw.text))
            if remember and key in _MEMORY.plans:
                plans[key] = _MEMORY.plans[key]
            else:
                try:
                    planned, log, flags, info = plan_essays(
                        raw, patterns, evidence=evidence, keep_chrome=keep_chrome, slug=slugs[rel]
                    )
                except HeadingPatternError as exc:
                    raise BuildError(f"{rel}: {exc}") from None
                plans[key] = (
                    {
                        "source_file": rel,
                        "encoding": raw.encoding,
                        "line_ending": raw.line_ending,
                        "n_bytes": len(raw.raw_bytes),
                        "sha256": sha,
                        "n_essays": len(planned),
                    }
                    | info,
                    planned,
                    log,
                    flags,
                )
            row, planned, log, flags = plans[key]
            essays_in.extend(planned)
            preamble_log.extend(log)
            plan_flags.extend(flags)
            file_rows.append(dict(row))
        if remember:
            _MEMORY.plans = plans
            _MEMORY.decoded = {(rel, sha): raw for rel, sha, raw in decoded}
        summary.n_files = len(file_rows)
        if not essays_in:
            if summary.skipped:
                named = "; ".join(f"{rel} ({why})" for rel, why in summary.skipped[:5])
                more = f" and {len(summary.skipped) - 5} more" if len(summary.skipped) > 5 else ""
                raise BuildError(f"no essays found in {raw_dir}: every text file was skipped: {named}{more}")
            raise BuildError(f"no essays found in {raw_dir}: it holds no .txt or .text file")

        stage_seconds: dict[str, float] = {"read_raw": time.perf_counter() - t0}
        new_fragments: list[str] = []  # cache fragments this build stores
        try:
            tables, summary.n_cached, summary.restaged = _essay_tables(
                essays_in,
                out_dir,
                use_cache=use_cache,
                remember=remember,
                jobs=jobs,
                engine=engine,
                scheduler=scheduler,
                progress=progress,
                timings=stage_seconds,
                warn=warn,
                new_fragments=new_fragments,
            )

            log_cols = list(tables["cleaning_log"].columns)
            tables["cleaning_log"] = _concat([pd.DataFrame(preamble_log, columns=log_cols), tables["cleaning_log"]])
            flag_cols = list(tables["quality_flags"].columns)
            tables["quality_flags"] = _concat([pd.DataFrame(plan_flags, columns=flag_cols), tables["quality_flags"]])
            # a cut marker on the line right after an essay (a "read the rest" link) truncates it too
            cut_after = {f["essay_id"] for f in plan_flags if f.get("flag") == "truncated" and f.get("essay_id")}
            if cut_after and len(tables["essays"]):
                tables["essays"]["truncated"] = tables["essays"]["truncated"] | tables["essays"]["essay_id"].isin(
                    cut_after
                )
            width = max(2, len(str(len(tables["essays"]))))
            tables["essays"].insert(1, "essay_label", [f"E{k:0{width}d}" for k in range(1, len(tables["essays"]) + 1)])
            tables["skipped"] = pd.DataFrame(summary.skipped, columns=["source_file", "reason"])
            tables["files"] = pd.DataFrame(file_rows)
            # a table no later corpus stage changes is written (in the background) while those stages run
            from analysis.pipeline.stages import CORPUS_STAGE_OUTPUTS as stage_outputs

            stages = corpus_stages()
            written: dict[str, pd.DataFrame] = {}
            with aio.TableWriter(out_dir, whole_set=True, discard_later=remember) as writer:
                for i, (name, stage) in enumerate(stages):
                    ts = time.perf_counter()
                    tables = stage(tables, memory=_MEMORY.corpus if remember else None)
                    stage_seconds[name] = time.perf_counter() - ts
                    later = {t for n, _ in stages[i + 1 :] for t in stage_outputs[n]}
                    final = {k: v for k, v in tables.items() if k not in later and k not in written}
                    if any(written[k] is not tables.get(k) for k in written):
                        raise RuntimeError(
                            f"corpus stage {name} changed a table it does not declare in CORPUS_STAGE_OUTPUTS"
                        )
                    writer.submit(final)
                    written.update(final)
                ts = time.perf_counter()
                writer.wait()
                stage_seconds["write_tables"] = (
                    time.perf_counter() - ts
                )  # the writes still running after the last stage
                summary.n_essays = len(tables["essays"])
                summary.tables = {k: len(v) for k, v in tables.items()}
                summary.seconds = time.perf_counter() - t0
                summary.stage_seconds = stage_seconds
                writer.add_json("manifest.json", manifest(tables, file_rows, summary))
            # the figures measured on the reference samples travel with the build (the reports read them)
            from analysis.methods import trust

            trust.write_reference(out_dir)
            return summary
        except OSError as exc:
            if disk_full(exc) and new_fragments:  # a full disk is not left fuller by this build's cache
                EssayCache(out_dir / CACHE_DIR_NAME).discard_fragments(new_fragments)
            raise


def _raw_state(raw_dir: Path) -> dict[str, tuple[int, int]]:
    """(size, modification time) of the files a build lists below ``raw_dir``
    (hidden files, such as an editor's swap files, are not): what :func:`watch` polls."""
    try:
        texts, others = aio.list_raw_files(raw_dir)
    except FileNotFoundError:  # the folder itself is gone: the next build says so
        return {}
    out = {}
    for p in (*texts, *others):
        try:
            st = p.stat()
        except OSError:  # removed while listing
            continue
        out[aio.relpath(p, raw_dir)] = (st.st_size, st.st_mtime_ns)
    return out


class CodeChanged(Exception):
    """A source or resource file changed while :func:`watch` ran: models and
    code loaded in this process are out of date, so it must restart."""


def watch(
    raw_dir: Path,
    out_dir: Path,
    *,
    poll: float = 0.5,
    max_builds: int | None = None,
    on_build: Callable[[BuildSummary], None] | None = None,
    on_error: Callable[[str], None] | None = None,
    **build_kwargs,
) -> int:
    """Build, then build again whenever a file below ``raw_dir`` is added,
    changed or removed, until interrupted (or ``max_builds`` builds). The
    process stays warm between builds: models stay loaded and the per-essay
    tables stay in memory (``remember``), so adding one essay costs that
    essay, the corpus stages and writing — no start-up, no cache read. A
    change is built once the folder has been still for one ``poll`` interval
    (a file being copied is not read half-written). A build that fails with a
    :class:`BuildError` is reported to ``on_error`` and watching goes on.
    Raises :class:`CodeChanged` when a source or resource file changes (the
    command line restarts itself). Returns the number of builds."""
    global _PINNED_SETTINGS
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    on_error = on_error or (lambda msg: print(f"error: {msg}", file=sys.stderr))
    settings = _settings_fingerprint()
    # Cache keys come from the files this process started with: a file edited
    # during a build must not key results the old code computed as the new code's.
    _PINNED_SETTINGS = settings
    try:
        return _watch_loop(raw_dir, out_dir, settings, poll, max_builds, on_build, on_error, build_kwargs)
    finally:
        _PINNED_SETTINGS = None


# The fingerprint a watching process keys its builds with (None: computed per build).
_PINNED_SETTINGS: dict[str, str] | None = None


def _watch_loop(raw_dir, out_dir, settings, poll, max_builds, on_build, on_error, build_kwargs) -> int:
    builds, models_ready = 0, False
    while True:
        state = _raw_state(raw_dir)
        try:
            summary = build(raw_dir, out_dir, remember=True, **build_kwargs)
        except BuildError as exc:
            on_error(str(exc))
        else:
            if on_build is not None:
                on_build(summary)
        builds += 1
        if max_builds is not None and builds >= max_builds:
            return builds
        if not models_ready:  # a build served from the cache loaded no model: load them before the next change
            warm_up()
            models_ready = True
        while True:  # wait for a change, then for the folder to be still
            time.sleep(poll)
            if _settings_fingerprint() != settings:
                raise CodeChanged("source or resource files changed")
            now = _raw_state(raw_dir)
            if now != state:
                time.sleep(poll)
                if _raw_state(raw_dir) == now:
                    break
                state = now


def disk_full(exc: BaseException) -> bool:
    """Is ``exc`` a full disk or quota? (pyarrow's write errors carry the
    errno in their message only: ``… [errno 28] No space left on device``.)"""
    if getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc).lower()
    return "no space left" in text or "quota exceeded" in text or "[errno 28]" in text or "[errno 122]" in text


def _essay_tables(
    essays_in: list[EssayInput],
    out_dir: Path,
    *,
    use_cache: bool,
    remember: bool,
    jobs: int,
    engine: str,
    scheduler: str | None,
    progress: bool,
    timings: dict[str, float],
    warn: Callable[[str], None] = print,
    new_fragments: list[str] | None = None,
) -> tuple[dict, int, dict]:
    """The per-essay tables of every essay, in corpus order. The cache holds each
    essay in layers (the base tables, then each stage's additions, see
    :func:`process_layers`); a layer it lacks is computed — a stage alone on the
    cached base tables when only the stage's files changed — and stored.
    Returns (tables, number of essays taken wholly from the cache, {stage:
    essays whose stage was re-run on their cached base}); adds step seconds to
    ``timings``. Without ``use_cache`` nothing is read from the cache: every
    essay is recomputed and the cache rebuilt from the fresh results (which
    take exactly the path cached ones take). On a full disk the fragments
    this build stored are removed again."""
    settings = _PINNED_SETTINGS or _settings_fingerprint()
    keys = {e.essay_id: _layer_keys(e, settings) for e in essays_in}
    layers = list(settings)
    root = out_dir / CACHE_DIR_NAME
    cache = EssayCache(root, warn=warn)
    # essays whose tables this process still holds from its last build into this folder
    holds = remember and use_cache and _MEMORY.root == root.resolve()
    held = {e.essay_id for e in essays_in if holds and _MEMORY.keys.get(e.essay_id) == keys[e.essay_id]}
    todo_in = [e for e in essays_in if e.essay_id not in held]
    try:
        ts = time.perf_counter()
        parts, missing = {}, {}
        for layer in layers:
            wanted = {keys[e.essay_id][layer] for e in todo_in}
            # without use_cache nothing is read: every essay is recomputed and the cache rebuilt
            parts[layer], missing[layer] = cache.load(wanted) if use_cache else ([], wanted)
        timings["read_cache"] = time.perf_counter() - ts
        groups: dict[tuple, list[EssayInput]] = {}  # (base missing?, stages missing) -> essays
        for e in todo_in:
            todo = tuple(layer for layer in layers[1:] if keys[e.essay_id][layer] in missing[layer])
            need_base = keys[e.essay_id]["base"] in missing["base"]
            if need_base or todo:
                groups.setdefault((need_base, todo), []).append(e)
        tasks = []
        for (need_base, todo), group in groups.items():
            for batch in make_batches(group, jobs=jobs):
                base = None if need_base else _tables_of(parts["base"], [e.essay_id for e in batch])
                tasks.append(Task(batch, todo, base))
        runner = _run_dask(tasks, scheduler, progress) if engine == "dask" else _run_local(tasks, jobs, progress)
        for task, res in zip(tasks, runner):
            for k, v in res.pop("_timings", {}).items():
                timings[k] = timings.get(k, 0.0) + v
            for layer, tabs in res.items():
                parts[layer].append(cache.store(tabs, {e.essay_id: keys[e.essay_id][layer] for e in task.essays}))
        ts = time.perf_counter()
        order = [e.essay_id for e in essays_in]
        assembled = {}
        for layer in layers:
            if len(parts[layer]) > MAX_FRAGMENTS:
                parts[layer] = [cache.compact(parts[layer])]
            assembled[layer] = assemble(parts[layer], [e.essay_id for e in todo_in])
        tables = merge_layers(assembled)
        if held:
            # every remembered essay held (the usual case: an essay added): no row to drop
            tables = _with_held_rows(_MEMORY.tables, None if held >= _MEMORY.keys.keys() else held, tables, order)
        timings["assemble"] = time.perf_counter() - ts
        cache.prune({k for ks in keys.values() for k in ks.values()})
        if remember:
            _remember(root, keys, tables)
    except OSError as exc:
        if disk_full(exc):
            cache.discard_new()  # a full disk is not left fuller by this build's cache
        raise
    finally:
        if new_fragments is not None:
            new_fragments.extend(cache.written)  # the build removes them if it fails later on a full disk
        with contextlib.suppress(OSError):
            cache.flush()
    restaged: dict[str, int] = {}  # stages re-run on a cached base
    for (need_base, todo), group in groups.items():
        if not need_base:
            for layer in todo:
                restaged[layer] = restaged.get(layer, 0) + len(group)
    return tables, len(essays_in) - sum(len(g) for g in groups.values()), restaged


@dataclass
class _Memory:
    """What this process keeps from its last build with ``remember``."""

    root: Path | None = None  # the essay cache the tables belong to
    keys: dict[str, dict[str, str]] = field(default_factory=dict)  # essay -> layer -> cache key
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # the per-essay tables
    plans: dict = field(default_factory=dict)  # (path, sha256, settings, evidence) -> the file split into essays
    decoded: dict = field(default_factory=dict)  # (path, sha256) -> the decoded file
    corpus: dict = field(default_factory=dict)  # what corpus stages keep (the reuse index)


_MEMORY = _Memory()


def _remember(root: Path, keys: dict[str, dict[str, str]], tables: dict[str, pd.DataFrame]) -> None:
    """Keep the per-essay tables of this build in memory, for the next build
    into the same folder from this process (``build --watch``, or a notebook
    calling :func:`build` again): essays whose cache keys are unchanged are
    taken from here, without reading or converting the cache. Only the last
    build is kept, so memory holds one corpus at most. The keys cover the
    essay's text and every code and resource file, so a held row is exactly
    what the cache would give."""
    _MEMORY.root, _MEMORY.keys = Path(root).resolve(), dict(keys)
    _MEMORY.tables = {k: v.copy(deep=False) for k, v in tables.items()}


def forget_last_build() -> None:
    """Drop what :func:`build` keeps with ``remember`` (frees its memory)."""
    global _MEMORY
    _MEMORY = _Memory()


def _with_held_rows(
    held_tables: dict[str, pd.DataFrame], held: set[str] | None, fresh: dict[str, pd.DataFrame], order: list[str]
) -> dict[str, pd.DataFrame]:
    """Corpus tables from the rows of the ``held`` essays in ``held_tables``
    (None: all of them) and every row of ``fresh`` (the other essays), rows in
    essay ``order`` (within an essay, as made) — the tables :func:`assemble`
    gives for all of them."""
    import numpy as np

    from analysis.frames import isin

    rank = pd.Index(order)
    out = {}
    for name in dict.fromkeys([*held_tables, *fresh]):
        old, new = held_tables.get(name), fresh.get(name)
        if old is not None and len(old) and held is not None:
            keep = isin(old["essay_id"], held)
            if not keep.all():
                old = old[keep]
        nonempty = [p for p in (old, new) if p is not None and len(p)]
        if not nonempty:
            out[name] = (new if new is not None else old).iloc[0:0].reset_index(drop=True)
            continue
        df = pd.concat(nonempty, ignore_index=True) if len(nonempty) > 1 else nonempty[0].reset_index(drop=True)
        pos = rank.get_indexer(df["essay_id"])
        if (np.diff(pos) < 0).any():
            df = df.take(np.argsort(pos, kind="stable")).reset_index(drop=True)
        out[name] = df
    return out


def _tables_of(parts: list[dict], essay_ids: list[str]) -> dict[str, pd.DataFrame]:
    """The rows of the given essays in cached fragment tables, as DataFrames."""
    return assemble([{name: _rows_of(t, essay_ids) for name, t in p.items()} for p in parts], essay_ids)


def _mkdir(p: Path) -> Path:
    p.mkdir(parents=True, exist_ok=True)
    return p


# ------------------------------------------------------------------ the essay cache

_KEY_COL = "_cache_key"
SUMS_FILE = "sums.json"  # in each fragment: file name -> SHA-256 of its bytes


def _shape(tabs: dict) -> tuple:
    """A fragment's tables and their column names (types vary with the data:
    an all-null column is typed null)."""
    return tuple(sorted((name, tuple(t.column_names)) for name, t in tabs.items()))


# More fragments than this are merged into one after a build: a later build
# then reads a few large files instead of hundreds of small ones.
MAX_FRAGMENTS = 8
# While a build stores fragments, index.json is rewritten at most this often
# (and once at the end): an interrupted build keeps what it stored before the
# last write, and a small rebuild writes the index once instead of per layer.
INDEX_EVERY_SECONDS = 5.0


class EssayCache:
    """Per-essay results of :func:`process_batch`, kept as Parquet fragments.

    Each processed batch is one fragment: a folder ``<root>/<name>/`` with one
    Parquet file per table, its essays table carrying each essay's cache key.
    ``index.json`` maps cache key -> fragment. Loading takes the rows of the
    wanted essays only, so one fragment may serve a later build partly (an
    edited essay's old rows are skipped); a fragment no wanted key points to is
    deleted by :meth:`prune`. Each fragment records the SHA-256 of its files
    (``sums.json``); a fragment that cannot be read, whose files do not match
    their sums, whose columns differ from the other fragments' or whose
    essays differ from the index's is discarded with a warning: its essays
    are processed again, never trusted.
    """

    def __init__(self, root: Path, warn: Callable[[str], None] | None = None) -> None:
        self.root = Path(root)
        self.warn = warn or (lambda msg: print(msg, file=sys.stderr))
        self.written: list[str] = []  # fragments this instance wrote
        self.index: dict[str, str] = {}
        self._dirty, self._written_at = False, time.monotonic()
        try:
            data = aio.read_json(self.root / "index.json")
            if isinstance(data, dict) and isinstance(data.get("fragments"), dict):
                self.index = {str(k): str(v) for k, v in data["fragments"].items()}
        except (OSError, ValueError):
            pass

    def load(self, wanted: set[str]) -> tuple[list[dict], set[str]]:
        """(one {table: arrow table} per usable fragment, restricted to the wanted
        essays; the wanted keys not found)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        by_frag: dict[str, set[str]] = {}
        for k in wanted:
            frag = self.index.get(k)
            if frag is not None:
                by_frag.setdefault(frag, set()).add(k)
        loaded = []
        for frag, ks in sorted(by_frag.items()):
            try:
                tabs = self._read_fragment(frag)
                essays = tabs["essays"]
                mask = pc.is_in(essays[_KEY_COL], value_set=pa.array(sorted(ks), pa.string()))
                ids = pc.filter(essays["essay_id"], mask)
                got = set(pc.filter(essays[_KEY_COL], mask).to_pylist())
                if got != ks or len(ids) != len(ks):
                    raise ValueError("its essays are not the ones the index lists")
            except Exception as exc:  # unreadable or inconsistent: recompute these essays
                self._discard(frag, len(ks), str(exc) or exc.__class__.__name__)
                continue
            if len(ids) < essays.num_rows:  # the fragment also holds essays no longer wanted
                tabs = {name: _rows_of(t, ids.to_pylist()) for name, t in tabs.items()}
            loaded.append((frag, ks, tabs))
        # every fragment of a layer comes from the same code: columns unlike the others' are damage
        shapes = Counter(_shape(tabs) for _, _, tabs in loaded)
        usual = shapes.most_common(1)[0][0] if shapes else None
        parts, found = [], set()
        for frag, ks, tabs in loaded:
            if _shape(tabs) != usual:
                self._discard(frag, len(ks), "its tables or columns differ from the other fragments'")
                continue
            parts.append(tabs)
            found |= ks
        return parts, wanted - found

    def _read_fragment(self, frag: str) -> dict:
        """A fragment's tables, checked against the sums written with it."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        d = self.root / frag
        sums = aio.read_json(d / SUMS_FILE)
        files = sorted(d.glob("*.parquet"))
        if {f.name for f in files} != set(sums):
            raise ValueError("its files are not the ones it was written with")
        tabs = {}
        for f in files:
            data = f.read_bytes()
            if hashlib.sha256(data).hexdigest() != sums[f.name]:
                raise ValueError(f"{f.name} was changed after it was written")
            tabs[f.stem] = pq.read_table(pa.BufferReader(data))
        return tabs

    def _discard(self, frag: str, n: int, why: str) -> None:
        self.warn(f"cache: fragment {frag} discarded ({why}); its {n} essay layer(s) are recomputed")
        self.index = {k: v for k, v in self.index.items() if v != frag}
        self._dirty = True
        shutil.rmtree(self.root / frag, ignore_errors=True)

    def discard_new(self) -> None:
        """Remove the fragments this instance wrote (after a failed build on a full disk)."""
        self.discard_fragments(self.written)
        self.written.clear()

    def discard_fragments(self, fragments: Iterable[str]) -> None:
        """Remove ``fragments`` and their index entries (the index is written at once)."""
        gone = set(fragments)
        self.index = {k: v for k, v in self.index.items() if v not in gone}
        self._dirty = True
        for frag in gone:
            shutil.rmtree(self.root / frag, ignore_errors=True)
        with contextlib.suppress(OSError):
            self.flush()

    def store(self, tables: dict[str, pd.DataFrame], keys: dict[str, str]) -> dict:
        """Write one batch's tables as a fragment (atomically) and return them as
        arrow tables, exactly as :meth:`load` would give them back."""
        import pyarrow as pa

        tables = dict(tables)
        essays = tables["essays"].copy()
        essays[_KEY_COL] = essays["essay_id"].map(keys)
        tables["essays"] = essays
        arrow = {name: pa.Table.from_pandas(df, preserve_index=False) for name, df in tables.items()}
        self._write_fragment(arrow, list(keys.values()))
        return arrow

    def compact(self, parts: list[dict]) -> dict:
        """Write the given fragment tables (as :meth:`load`/:meth:`store` return
        them) as one fragment, re-point their essays to it and return it."""
        merged = _concat_parts(parts)
        keys = merged["essays"][_KEY_COL].to_pylist()
        self._write_fragment(merged, keys)
        return merged

    def _write_fragment(self, arrow: dict, keys: list[str]) -> None:
        import pyarrow.parquet as pq

        name = "b-" + hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:20]
        staging = Path(tempfile.mkdtemp(prefix=".frag-", dir=_mkdir(self.root)))
        try:
            sums = {}
            for t, tab in arrow.items():
                pq.write_table(tab, staging / f"{t}.parquet")
                sums[f"{t}.parquet"] = hashlib.sha256((staging / f"{t}.parquet").read_bytes()).hexdigest()
            aio.write_json(staging / SUMS_FILE, sums)
            final = self.root / name
            if final.exists():
                shutil.rmtree(final)
            os.replace(staging, final)
            self.written.append(name)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        for k in keys:
            self.index[k] = name
        self._dirty = True
        if time.monotonic() - self._written_at > INDEX_EVERY_SECONDS:  # an interrupted build keeps its work
            self._write_index()

    def flush(self) -> None:
        """Write ``index.json`` if fragments were added since it was last written."""
        if self._dirty:
            self._write_index()

    def prune(self, keep: set[str]) -> None:
        """Forget keys not in ``keep``; delete fragments no kept key points to
        (and anything else in the folder that is not a fragment in use)."""
        self.index = {k: v for k, v in self.index.items() if k in keep}
        live = set(self.index.values())
        self._write_index()
        for p in self.root.iterdir():
            if p.name != "index.json" and p.name not in live:
                shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)

    def _write_index(self) -> None:
        aio.write_json(self.root / "index.json", {"format": 1, "fragments": self.index})
        self._dirty, self._written_at = False, time.monotonic()


def _rows_of(tab, essay_ids: list[str]):
    """The rows of an arrow table that belong to the given essays."""
    import pyarrow as pa
    import pyarrow.compute as pc

    col = tab["essay_id"]
    if tab.num_rows == 0 or pa.types.is_null(col.type):
        return tab.slice(0, 0)
    return tab.filter(pc.is_in(col, value_set=pa.array(essay_ids, col.type)))


def _concat_parts(parts: list[dict]) -> dict:
    """{table: arrow table} of several fragments, one table each (schemas unified)."""
    import pyarrow as pa

    names = list(dict.fromkeys(n for p in parts for n in p))
    out = {}
    for name in names:
        tabs = [p[name] for p in parts if name in p]
        out[name] = pa.concat_tables(tabs, promote_options="permissive") if len(tabs) > 1 else tabs[0]
    return out


def assemble(parts: list[dict], order: list[str]) -> dict[str, pd.DataFrame]:
    """Concatenate fragment tables into corpus tables, rows in essay order
    (``order``: essay ids) and, within an essay, in the order they were made."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    out = {}
    for name, tab in _concat_parts(parts).items():
        if name == "essays" and _KEY_COL in tab.column_names:
            tab = tab.drop_columns([_KEY_COL])
        if tab.num_rows == 0:  # an empty table: untyped (null) columns hold text, as when empty before
            tab = tab.cast(
                pa.schema([pa.field(f.name, pa.large_string()) if pa.types.is_null(f.type) else f for f in tab.schema])
            )
        else:  # rows in essay order (stable: within an essay, as made); sorted in Arrow, before any conversion
            col = tab["essay_id"]
            pos = pc.index_in(col, value_set=pa.array(order, col.type)).to_numpy(zero_copy_only=False)
            idx = np.argsort(pos, kind="stable")
            if (np.diff(idx) != 1).any():
                tab = tab.take(idx)
        # list columns straight to Python lists (as read_table gives them), the rest via pandas
        lists = [f.name for f in tab.schema if pa.types.is_list(f.type) or pa.types.is_large_list(f.type)]
        df = tab.drop_columns(lists).to_pandas() if lists else tab.to_pandas()
        for col in lists:
            df[col] = [v if v is not None else [] for v in tab[col].to_pylist()]
        out[name] = df[tab.column_names]
    return out


def corpus_sha256(file_rows: list[dict]) -> str:
    """One hash for the whole corpus: the sorted (path, sha256) of every file read."""
    h = hashlib.sha256()
    for row in sorted(file_rows, key=lambda r: r["source_file"]):
        h.update(f"{row['source_file']}\0{row['sha256']}\n".encode())
    return h.hexdigest()


def package_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"analysis": __version__, "python": sys.version.split()[0]}
    for pkg in (
        "pandas",
        "pyarrow",
        "jieba",
        "snownlp",
        "cnsenti",
        "opencc-python-reimplemented",
        "scikit-learn",
        "matplotlib",
        "papermill",
        "nbconvert",
    ):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out


def manifest(tables: dict[str, pd.DataFrame], file_rows: list[dict], summary: BuildSummary) -> dict:
    return {
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "corpus_sha256": corpus_sha256(file_rows),
        "files": file_rows,
        "skipped": [{"source_file": n, "reason": r} for n, r in summary.skipped],
        "tables": {k: int(len(v)) for k, v in tables.items()},
        "seconds": round(summary.seconds, 3),
        "stage_seconds": {k: round(v, 3) for k, v in summary.stage_seconds.items()},
        "versions": package_versions(),
        "code_commit": git_commit(),
    }
