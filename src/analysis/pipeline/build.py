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
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, UTC
from pathlib import Path
from collections.abc import Callable, Iterable

import pandas as pd

from analysis import __version__
from analysis import io as aio
from analysis import procs
from analysis.config import CACHE_DIR_NAME, git_commit
from analysis.ingest.intake import EssayInput, FolderEvidence, file_slug, plan_essays, unique_slugs  # noqa: F401
from analysis.ingest.split import HeadingPatternError, compile_patterns
from analysis.pipeline.cache import (
    EssayCache,
    KEY_COL,
    MAX_FRAGMENTS,
    concat_parts,
    layer_keys,
    rows_of,
    settings_fingerprint,
)
from analysis.pipeline.layers import corpus_stages, merge_layers
from analysis.pipeline.parallel import Task, concat_frames, make_batches, run_dask, run_local

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
    settings: dict[str, str] | None = None,
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
    ``settings`` is the code and resources fingerprint to key cache entries with
    (:func:`analysis.pipeline.cache.settings_fingerprint`; computed now when None):
    a watching process passes the one it started with, so a file edited during a
    build cannot key the old code's results as the new code's.
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
        keys = [
            (rel, sha, slugs[rel], heading_patterns, keep_chrome, evidence.key_for(raw.text))
            for rel, sha, raw in decoded
        ]
        todo = []
        for key, item in zip(keys, decoded):
            if remember and key in _MEMORY.plans:
                plans[key] = _MEMORY.plans[key]
            else:
                todo.append((key, item))
        plans.update(_plan_files(todo, patterns, evidence, keep_chrome, slugs, jobs))
        for key, (rel, sha, raw) in zip(keys, decoded):
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
                settings=settings,
            )

            log_cols = list(tables["cleaning_log"].columns)
            tables["cleaning_log"] = concat_frames(
                [pd.DataFrame(preamble_log, columns=log_cols), tables["cleaning_log"]]
            )
            flag_cols = list(tables["quality_flags"].columns)
            tables["quality_flags"] = concat_frames(
                [pd.DataFrame(plan_flags, columns=flag_cols), tables["quality_flags"]]
            )
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
    settings: dict[str, str] | None = None,
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
    settings = settings or settings_fingerprint()
    keys = {e.essay_id: layer_keys(e, settings) for e in essays_in}
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
        runner = run_dask(tasks, scheduler, progress) if engine == "dask" else run_local(tasks, jobs, progress)
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
    return assemble([{name: rows_of(t, essay_ids) for name, t in p.items()} for p in parts], essay_ids)


def assemble(parts: list[dict], order: list[str]) -> dict[str, pd.DataFrame]:
    """Concatenate fragment tables into corpus tables, rows in essay order
    (``order``: essay ids) and, within an essay, in the order they were made."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    out = {}
    for name, tab in concat_parts(parts).items():
        if name == "essays" and KEY_COL in tab.column_names:
            tab = tab.drop_columns([KEY_COL])
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


# below this many characters in the files to plan, forking costs more than it saves
PLAN_IN_PARALLEL_ABOVE = 400_000


def _plan_file(item: tuple, patterns, evidence, keep_chrome: bool, slugs: dict) -> tuple:
    """One file's plan: (file row, its essays, preamble log, flags), or raises BuildError."""
    rel, sha, raw = item
    try:
        planned, log, flags, info = plan_essays(
            raw, patterns, evidence=evidence, keep_chrome=keep_chrome, slug=slugs[rel]
        )
    except HeadingPatternError as exc:
        raise BuildError(f"{rel}: {exc}") from None
    row = {
        "source_file": rel,
        "encoding": raw.encoding,
        "line_ending": raw.line_ending,
        "n_bytes": len(raw.raw_bytes),
        "sha256": sha,
        "n_essays": len(planned),
    }
    return row | info, planned, log, flags


def _plan_run(todo: list, patterns, evidence, keep_chrome: bool, slugs: dict, n: int, i: int) -> list:
    return [
        (key, _plan_file(item, patterns, evidence, keep_chrome, slugs))
        for key, item in procs.run_of(todo, n, i, size=lambda t: len(t[1][2].text))
    ]


def _plan_files(todo: list, patterns, evidence, keep_chrome: bool, slugs: dict, jobs: int) -> dict:
    """{key: plan} of the files in ``todo`` ((key, (rel, sha, raw)) pairs): splitting pages and finding
    their chrome runs in this process before any worker starts, so a large corpus's files are planned
    on ``jobs`` forked processes (the same plans, in any order; the caller keeps the files' order)."""
    size = sum(len(raw.text) for _, (_, _, raw) in todo)
    n = min(jobs, len(todo)) if size > PLAN_IN_PARALLEL_ABOVE else 1
    if n < 2:
        return dict(_plan_run(todo, patterns, evidence, keep_chrome, slugs, 1, 0))
    parts = procs.fork_map(_plan_run, (todo, patterns, evidence, keep_chrome, slugs, n), n, n)
    return {key: plan for part in parts for key, plan in part}


def _current_commit() -> str:
    git_commit.cache_clear()  # a watching build runs for hours: ask git again
    return git_commit()


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
        "code_commit": _current_commit(),
    }
