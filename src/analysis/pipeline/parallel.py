"""Running essays over processes: batches, warm worker pools, tasks split by stage, and
the Dask engine (the same tables on a cluster)."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from collections.abc import Iterable

import pandas as pd

from analysis import procs
from analysis.ingest.intake import EssayInput, FolderEvidence, file_slug, plan_essays, unique_slugs  # noqa: F401
from analysis.pipeline.layers import essay_stages, process_layers

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


def run_local(tasks: list[Task], jobs: int, progress: bool) -> Iterable[dict]:
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


def run_dask(tasks: list[Task], scheduler: str | None, progress: bool) -> Iterable[dict]:
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


def concat_frames(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if p is not None]
    nonempty = [p for p in parts if len(p)]
    if not nonempty:
        return parts[0].iloc[0:0].copy() if parts else pd.DataFrame()
    return pd.concat(nonempty, ignore_index=True)
