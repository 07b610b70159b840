"""Scaling paths give the same tables: processes, the Dask engine, the cache."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis import io as aio
from analysis.pipeline.build import build

FIXTURE = Path(__file__).parent / "fixtures" / "mini_corpus"
TABLES = [
    "essays",
    "paragraphs",
    "sentences",
    "cleaning_log",
    "quality_flags",
    "entities",
    "headings",
    "numbers",
    "reuse",
    "pseudonyms",
]


def _tables(d: Path) -> dict[str, pd.DataFrame]:
    return {t: aio.read_table(d, t) for t in TABLES}


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    build(FIXTURE, out, jobs=1, progress=False, use_cache=False)
    return _tables(out)


def _assert_same(a: dict, b: dict) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)


def _stages_edited(monkeypatch, *stages: str) -> None:
    """As if the given stages' lexicon/codebook/cues had been edited (their
    cache fingerprints change; their results do not)."""
    from analysis.pipeline import build as build_module

    value = build_module.settings_fingerprint()
    monkeypatch.setattr(build_module, "settings_fingerprint", lambda: value | {s: f"edited {s}" for s in stages})


def test_dask_engine_on_two_worker_local_cluster_gives_identical_tables(local, tmp_path, monkeypatch):
    out = tmp_path / "dask"
    summary = build(FIXTURE, out, engine="dask", progress=False)
    assert summary.n_essays == 3
    _assert_same(local, _tables(out))
    # stages re-run on cached base tables, which travel to the Dask workers with the task
    _stages_edited(monkeypatch, "sentiment", "tagging")
    again = build(FIXTURE, out, engine="dask", progress=False)
    assert again.restaged == {"sentiment": 3, "tagging": 3}
    _assert_same(local, _tables(out))


def test_process_pool_gives_identical_tables(local, tmp_path, monkeypatch):
    from analysis.pipeline import parallel as parallel_module

    monkeypatch.setattr(parallel_module, "PARALLEL_MIN_CHARS", 0)  # force worker processes on a tiny corpus
    out = tmp_path / "procs"
    build(FIXTURE, out, jobs=2, progress=False)
    _assert_same(local, _tables(out))
    _stages_edited(monkeypatch, "themes")
    again = build(FIXTURE, out, jobs=2, progress=False)
    assert again.restaged == {"themes": 3} and again.n_cached == 0
    _assert_same(local, _tables(out))


def test_unknown_engine_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="choose one of: local, dask"):
        build(FIXTURE, tmp_path / "x", engine="spark")


def test_one_batch_of_all_essays_gives_the_tables_of_one_essay_per_batch(local, tmp_path, monkeypatch):
    """Stages run on batches of essays; a batch must give the rows its essays give alone."""
    from analysis.pipeline import build as build_module

    assert [len(b) for b in build_module.make_batches(_essays(), jobs=1)] == [1, 1, 1]  # how `local` ran
    monkeypatch.setattr(build_module, "make_batches", lambda todo, **kw: [todo])
    out = tmp_path / "one_batch"
    build(FIXTURE, out, jobs=1, progress=False, use_cache=False)
    _assert_same(local, _tables(out))


def test_batches_keep_essay_order_and_cover_every_essay():
    from analysis.pipeline.build import make_batches

    essays = _essays()
    for jobs in (1, 2, 8):
        batches = make_batches(essays, jobs=jobs)
        assert [e.essay_id for b in batches for e in b] == [e.essay_id for e in essays]
        assert all(batches)
    assert make_batches([], jobs=2) == []


def _essays():
    from analysis.pipeline.build import plan_essays
    from analysis.ingest.split import compile_patterns

    raw = aio.read_raw(FIXTURE / "essays.txt", root=FIXTURE)
    return plan_essays(raw, compile_patterns([]))[0]


def test_one_task_is_split_by_stage_over_two_workers_with_identical_tables(local, tmp_path, monkeypatch):
    """A folder of fewer batches than workers (one huge essay): its heaviest
    stage runs on one worker and the others on another; the tables are the
    ones of one process, and the cache stores every layer once."""
    from analysis.pipeline import build as build_module
    from analysis.pipeline import parallel as parallel_module

    monkeypatch.setattr(parallel_module, "PARALLEL_MIN_CHARS", 0)
    monkeypatch.setattr(build_module, "make_batches", lambda todo, **kw: [todo])  # one task
    tasks = [build_module.Task(_essays(), ("sentiment", "themes", "tagging"))]
    split = parallel_module._split_stages(tasks, jobs=2)
    assert [[sub.stages for sub in group] for group in split] == [[("tagging",), ("sentiment", "themes")]]
    assert parallel_module._split_stages(tasks * 2, jobs=2) == [[t] for t in tasks * 2]
    out = tmp_path / "split"
    build(FIXTURE, out, jobs=2, progress=False)
    _assert_same(local, _tables(out))
    again = build(FIXTURE, out, jobs=2, progress=False)
    assert again.n_cached == 3
    _assert_same(local, _tables(out))
