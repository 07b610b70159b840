"""Scaling paths give the same tables: processes, the Dask engine, the cache."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis import io as aio
from analysis.build import build

FIXTURE = Path(__file__).parent / "fixtures" / "mini_corpus"
TABLES = ["essays", "paragraphs", "sentences", "cleaning_log", "quality_flags", "entities", "reuse", "pseudonyms"]


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


def test_dask_engine_on_two_worker_local_cluster_gives_identical_tables(local, tmp_path):
    out = tmp_path / "dask"
    summary = build(FIXTURE, out, engine="dask", progress=False, use_cache=False)
    assert summary.n_essays == 3
    _assert_same(local, _tables(out))


def test_process_pool_gives_identical_tables(local, tmp_path, monkeypatch):
    from analysis import build as build_module

    monkeypatch.setattr(build_module, "PARALLEL_MIN_CHARS", 0)  # force worker processes on a tiny corpus
    out = tmp_path / "procs"
    build(FIXTURE, out, jobs=2, progress=False, use_cache=False)
    _assert_same(local, _tables(out))


def test_unknown_engine_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="choose one of: local, dask"):
        build(FIXTURE, tmp_path / "x", engine="spark")
