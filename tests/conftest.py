"""Shared fixtures: one build of the seed corpus per session, and helpers that
write tiny fixture corpora (any encoding, BOM, line ending) into tmp folders.

The seed is built straight from ``data/raw`` (read-only by contract) into a
temporary folder; the raw folder is snapshotted before and after so a test can
check that nothing there was written.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from analysis import config
from analysis.pipeline import build as build_mod
from analysis import io as aio
from analysis.pipeline.build import BuildSummary, build
from analysis.ingest.segment import get_tokenizer

SEED_NAME = "000_b48da6632217a0ce.txt"
SEED_PATH = config.RAW_DIR / SEED_NAME
SEED_SLUG = "000_b48da6632217a0ce"
TABLES = ("essays", "paragraphs", "sentences", "cleaning_log", "quality_flags", "skipped", "files")


def snapshot_folder(folder: Path) -> dict[str, tuple[int, int, str]]:
    """relative path → (size, mtime_ns, sha256) of every file below ``folder``."""
    out = {}
    for p in sorted(Path(folder).rglob("*")):
        if p.is_file():
            st = p.stat()
            out[p.relative_to(folder).as_posix()] = (
                st.st_size,
                st.st_mtime_ns,
                hashlib.sha256(p.read_bytes()).hexdigest(),
            )
    return out


def write_raw(path: Path, text: str, *, encoding: str = "utf-8", newline: str = "\n", bom: bool = False) -> Path:
    """Write ``text`` (written with LF) as raw bytes: any encoding, BOM, line ending."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.replace("\n", newline).encode(encoding)
    if bom:
        data = codecs.BOM_UTF8 + data
    path.write_bytes(data)
    return path


def read_tables(out_dir: Path) -> dict[str, pd.DataFrame]:
    return {name: aio.read_table(out_dir, name) for name in TABLES}


@dataclass
class Built:
    raw_dir: Path
    out_dir: Path
    summary: BuildSummary
    tables: dict[str, pd.DataFrame]
    warnings: list[str]
    raw_before: dict | None = None  # snapshot_folder(raw_dir) around the build, when taken
    raw_after: dict | None = None
    fingerprint: str | None = None  # the settings fingerprint the cache keys were made with


def run_build(raw_dir: Path, out_dir: Path, **kwargs) -> Built:
    """A quiet build (one process unless ``jobs`` is given) and its tables read back."""
    warnings: list[str] = []
    kwargs.setdefault("jobs", 1)
    kwargs.setdefault("progress", False)
    summary = build(raw_dir, out_dir, warn=warnings.append, **kwargs)
    return Built(Path(raw_dir), Path(out_dir), summary, read_tables(out_dir), warnings)


@pytest.fixture(scope="session")
def seed_lines() -> list[str]:
    """The seed's lines, LF-split; ``seed_lines[n - 1]`` is file line n."""
    return SEED_PATH.read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory) -> Built:
    """The seed built once per session, with the default (parallel) worker count."""
    out = tmp_path_factory.mktemp("seed") / "processed"
    get_tokenizer()  # load jieba once here: forked workers inherit it instead of each loading it
    before = snapshot_folder(config.RAW_DIR)
    fingerprint = build_mod.settings_fingerprint()
    built = run_build(config.RAW_DIR, out, jobs=None)
    built.raw_before, built.raw_after = before, snapshot_folder(config.RAW_DIR)
    if build_mod.settings_fingerprint() == fingerprint:  # else a source file changed during the build
        built.fingerprint = fingerprint
    return built


@pytest.fixture
def frozen_fingerprint(monkeypatch):
    """Pin the cache's settings fingerprint (code + resources) for one test, so
    that a source file edited elsewhere while the suite runs cannot turn a
    cache hit into a miss."""
    value = build_mod.settings_fingerprint()
    monkeypatch.setattr(build_mod, "settings_fingerprint", lambda: value)
    return value


@pytest.fixture(scope="session")
def seed_essays(seed_build) -> pd.DataFrame:
    return seed_build.tables["essays"]


@pytest.fixture(scope="session")
def seed_log(seed_build) -> pd.DataFrame:
    return seed_build.tables["cleaning_log"]


# Short, realistic essay bodies for fixture corpora (each paragraph one line).
BODY_A = (
    "我是一名乡村小学的班主任，班上有一半以上的学生是留守儿童。\n"
    "\n"
    "每个星期天，我都会带他们到学校的工作站和父母视频聊天。孩子们看到爸爸妈妈，脸上露出了笑容。\n"
)
BODY_B = (
    "王小明的父母常年在外务工，他跟着年迈的爷爷奶奶生活。\n"
    "\n"
    "我经常去他家家访，和他促膝谈心，他的学习成绩有了明显的进步。\n"
)
BODY_C = "学校成立了兴趣小组，组织留守儿童参加各种活动，丰富他们的课余生活。\n"


@pytest.fixture
def make_corpus(tmp_path):
    """Write files into ``tmp_path/raw``: ``make_corpus({"a.txt": text, "b.txt": (text, {"encoding": "gb18030"})})``."""

    def _make(files: dict, folder: str = "raw") -> Path:
        raw = tmp_path / folder
        raw.mkdir(parents=True, exist_ok=True)
        for name, spec in files.items():
            if isinstance(spec, bytes):
                (raw / name).parent.mkdir(parents=True, exist_ok=True)
                (raw / name).write_bytes(spec)
            elif isinstance(spec, tuple):
                write_raw(raw / name, spec[0], **spec[1])
            else:
                write_raw(raw / name, spec)
        return raw

    return _make


# ---------------------------------------------------------------- fast and slow tests
# Modules whose tests start kernels, render reports, run subprocesses or
# clusters, or check the fast paths bit for bit against the libraries they
# replace: `make test` (CI) runs them, `make test-fast` (the edit loop) does not.
SLOW_MODULES = frozenset(
    {
        "test_kernels",
        "test_params",
        "test_report",
        "test_scale",
        "test_cli",
        "test_snowfast",
        "test_challenge",
        "test_trust",
        "test_segment",
    }
)
# single slow tests in otherwise fast modules
SLOW_TESTS = frozenset(
    {
        "test_render_refuses_a_page_with_a_name_and_keeps_the_old_one",
        "test_each_stage_loads_only_its_own_and_base_files",
        "test_processing_an_essay_imports_no_module_left_out_of_the_fingerprint",
        "test_remembered_tables_give_the_tables_of_a_build_from_scratch",
    }
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        if module in SLOW_MODULES or item.originalname in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
