"""Faults and misuse: a build killed at any step, killed workers, damaged
caches, awkward folders (links, loops, unreadable and colliding files).

The cases a hostile tester tried (issue "nothing lost, nothing hung, nothing
half-written"); scripts/abuse.py runs the slow ones and prints a table.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis import io as aio
from analysis import procs
from analysis.pipeline.build import BuildError, build
from analysis.ingest.intake import unique_slugs

ESSAY = (
    "关爱留守儿童\n\n我们班的小明今年十岁，父母在外打工，他和奶奶住在一起。老师经常关心他的学习，同学们也常常帮助他。\n"
)
OTHER = "第一篇：奶奶的手\n\n奶奶的手很粗糙，那是干了一辈子农活留下的。每天放学，奶奶都在村口等我回家。\n"


def _raw(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        p = folder / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return folder


def _visible(out: Path) -> dict[str, str]:
    """What a reader sees in ``out``: every table file's SHA-256 (through the links)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.iterdir())
        if p.is_file() and p.suffix in (".parquet", ".csv")
    }


def _quiet_build(raw, out, **kw):
    return build(raw, out, jobs=1, progress=False, warn=lambda m: None, **kw)


# ---------------------------------------------------------------- atomic sets

STEPS = ["write", "write#5", "staged", "link", "link#20", "before-switch", "after-switch"]


@pytest.mark.slow
@pytest.mark.parametrize("step", STEPS + ["adopt", "adopt#7"])
def test_a_build_killed_at_any_step_leaves_the_old_set_or_the_new(tmp_path, step):
    """The process kills itself (SIGKILL) at a step of writing its tables:
    readers see every table of the old build or every table of the new one,
    and the next build cleans up and gives the new set."""
    raw_a = _raw(tmp_path / "raw_a", {"a.txt": ESSAY})
    raw_b = _raw(tmp_path / "raw_b", {"a.txt": ESSAY, "b.txt": OTHER})
    _quiet_build(raw_b, tmp_path / "want_b")
    new = _visible(tmp_path / "want_b")
    out = tmp_path / "out"
    _quiet_build(raw_a, out)
    if step.startswith("adopt"):  # a folder of plain files, as builds before generations wrote them
        plain = tmp_path / "plain"
        shutil.copytree(out, plain, ignore=shutil.ignore_patterns(aio.GENERATIONS_DIR, aio.CURRENT_LINK))
        shutil.rmtree(out)
        plain.rename(out)
        assert not (out / "essays.parquet").is_symlink()
    old = _visible(out)
    assert old != new and set(old) <= set(new)

    code = (
        "import sys; from analysis.pipeline.build import build; build(sys.argv[1], sys.argv[2], jobs=1, progress=False)"
    )
    env = {**os.environ, aio.FAULT_ENV: step}
    done = subprocess.run([sys.executable, "-c", code, str(raw_b), str(out)], env=env, capture_output=True)
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()[-500:]

    seen = _visible(out)
    assert seen in (old, new), f"killed at {step}: a mix of two builds"
    man = aio.read_json(out / "manifest.json")  # the manifest belongs to the set it describes
    assert man["tables"] == {n: len(aio.read_table(out, n)) for n in man["tables"]}

    summary = _quiet_build(raw_b, out, lock_timeout=5)  # not blocked: the killed build holds no lock
    assert summary.n_essays == 2
    assert _visible(out) == new
    assert not [p for p in out.iterdir() if p.name.startswith((".staging", ".link-"))]
    assert len(list((out / aio.GENERATIONS_DIR).iterdir())) <= 2  # the new set and the one it replaced


def test_readers_take_every_table_from_one_build(tmp_path):
    """A Corpus resolves the build's generation once: a build switched in
    while it reads does not mix into what it has not read yet."""
    from analysis.reporting.corpus import Corpus

    out = tmp_path / "out"
    _quiet_build(_raw(tmp_path / "raw_a", {"a.txt": ESSAY}), out)
    corpus = Corpus(out)
    before = corpus.essays["title"].tolist()
    _quiet_build(_raw(tmp_path / "raw_b", {"a.txt": ESSAY, "b.txt": OTHER}), out)
    assert len(corpus.table("sentences", ["essay_id"])["essay_id"].unique()) == len(before) == 1
    assert len(Corpus(out).essays) == 2


def test_a_copy_made_through_the_links_builds_again(tmp_path):
    """`cp -rL` (or shutil.copytree) turns the links into plain files and the
    current generation into a folder: the copy reads, and builds into it work."""
    out = tmp_path / "out"
    _quiet_build(_raw(tmp_path / "raw", {"a.txt": ESSAY}), out)
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    assert aio.read_table(copy, "essays")["title"].tolist() == ["关爱留守儿童"]
    _quiet_build(_raw(tmp_path / "raw_b", {"a.txt": ESSAY, "b.txt": OTHER}), copy)
    assert len(aio.read_table(copy, "essays")) == 2 and (copy / aio.CURRENT_LINK).is_symlink()


# ---------------------------------------------------------- process hygiene


@pytest.mark.slow
def test_killed_build_leaves_no_worker_and_no_lock(tmp_path):
    """kill -9 of a build with worker processes: the workers die with it and
    the next build into the folder starts at once."""
    raw = _raw(tmp_path / "raw", {f"f{i}.txt": ESSAY.replace("小明", f"小明{i}") * 3 for i in range(8)})
    out = tmp_path / "out"
    code = (
        "import sys, time; from analysis import build as b, parallel\n"
        "parallel.PARALLEL_MIN_CHARS, parallel.BATCH_CHARS = 0, 50\n"
        "real = parallel.run_task\n"
        "def slow(t):\n    time.sleep(30); return real(t)\n"
        "parallel.run_task = slow\n"
        "b.build(sys.argv[1], sys.argv[2], jobs=2, progress=False, use_cache=False)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(raw), str(out)], stderr=subprocess.DEVNULL)
    try:
        workers: list[int] = []
        for _ in range(200):
            time.sleep(0.1)
            workers = _children(proc.pid)
            if len(workers) >= 2:
                break
        assert len(workers) >= 2, "the build started no workers"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        for _ in range(50):
            if not [w for w in workers if _alive(w)]:
                break
            time.sleep(0.1)
        assert not [w for w in workers if _alive(w)], "workers outlived the killed build"
    finally:
        for w in _children(proc.pid):
            os.kill(w, signal.SIGKILL)
    assert _quiet_build(raw, out, lock_timeout=2).n_essays == 8


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"  # a zombie is dead
    except FileNotFoundError:
        return False


def test_a_worker_closes_the_lock_it_inherits(tmp_path):
    """A forked worker must not keep the folder locked: worker_start closes the
    lock descriptors of its parent."""
    with procs.folder_lock(tmp_path, timeout=1, warn=lambda m: None):
        held = list(procs._HELD)
        assert held
        pid = os.fork()
        if pid == 0:  # the worker
            procs.worker_start(os.getppid())
            ok = all(_closed(fd) for fd in held)
            os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def _closed(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return True
    return False


# ------------------------------------------------------------ per-file input


def test_awkward_files_are_skipped_each_with_its_reason(tmp_path):
    raw = _raw(tmp_path / "raw", {"a.txt": ESSAY})
    (raw / "outside.txt").symlink_to("/etc/hostname")
    (raw / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    (raw / "sub").mkdir()
    (raw / "sub" / "loop").symlink_to("..")
    (raw / "again.txt").symlink_to(raw / "a.txt")
    os.mkfifo(raw / "pipe.txt")
    (raw / "mixed.txt").write_bytes("留守儿童的故事\n".encode() + "奶奶每天都在村口等我。\n".encode("gbk"))
    (raw / "big5.txt").write_bytes("關愛留守兒童，老師經常關心他的學習。\n".encode("big5"))
    summary = _quiet_build(raw, tmp_path / "out")
    reasons = dict(summary.skipped)
    assert reasons["outside.txt"].startswith("symbolic link to outside the raw folder")
    assert reasons["broken.txt"] == "broken symbolic link"
    assert reasons["sub/loop"].startswith("symbolic link loop")
    assert reasons["again.txt"] == "the same file as a.txt (read once)"
    assert reasons["pipe.txt"].startswith("not a regular file")
    assert reasons["mixed.txt"].startswith("mixed encodings: line 2 is not UTF-8 while line 1 is")
    assert reasons["big5.txt"].startswith("undecodable")
    assert summary.n_essays == 1
    skipped = aio.read_table(tmp_path / "out", "skipped")
    assert sorted(skipped["source_file"]) == sorted(reasons)


def test_a_link_leaving_the_folder_is_followed_when_asked(tmp_path):
    elsewhere = _raw(tmp_path / "elsewhere", {"b.txt": OTHER})
    raw = _raw(tmp_path / "raw", {"a.txt": ESSAY})
    (raw / "b.txt").symlink_to(elsewhere / "b.txt")
    (raw / "more").symlink_to(elsewhere)
    summary = _quiet_build(raw, tmp_path / "out", follow_links=True)
    assert summary.n_essays == 2 and [r for _, r in summary.skipped] == ["the same file as b.txt (read once)"]


def test_strict_makes_a_skipped_file_fatal(tmp_path):
    raw = _raw(tmp_path / "raw", {"a.txt": ESSAY})
    (raw / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    with pytest.raises(BuildError, match=r"^broken.txt: broken symbolic link \(--strict\)$"):
        _quiet_build(raw, tmp_path / "out", strict=True)


def test_an_unreadable_file_is_skipped_not_fatal(tmp_path, monkeypatch):
    raw = _raw(tmp_path / "raw", {"a.txt": ESSAY, "b.txt": OTHER})
    real = Path.read_bytes

    def read_bytes(self):
        if self.name == "b.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    summary = _quiet_build(raw, tmp_path / "out")
    assert summary.skipped == [("b.txt", "unreadable (permission denied)")] and summary.n_essays == 1


def test_a_folder_of_skipped_files_names_them(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "noise.txt").write_bytes(bytes(range(256)) * 8)
    with pytest.raises(BuildError, match=r"every text file was skipped: noise.txt \(not a text file"):
        _quiet_build(raw, tmp_path / "out")


def test_essay_ids_are_unique_whatever_the_file_names(tmp_path):
    files = {
        "x.txt": ESSAY,
        "x.TXT": ESSAY.replace("小明", "小红"),
        "x.text": ESSAY.replace("小明", "小刚"),
        "a/b.txt": OTHER,
        "a_b.txt": OTHER.replace("奶奶", "外婆"),
    }
    summary = _quiet_build(_raw(tmp_path / "raw", files), tmp_path / "out")
    essays = aio.read_table(tmp_path / "out", "essays")
    sentences = aio.read_table(tmp_path / "out", "sentences")
    assert summary.n_essays == 5 and essays["essay_id"].is_unique and sentences["sentence_id"].is_unique
    assert essays.groupby("essay_id")["source_file"].nunique().eq(1).all()  # one file per essay
    # the same names always give the same ids, and a name without a clash keeps its plain slug
    assert unique_slugs(files) == unique_slugs(sorted(files, reverse=True))
    assert unique_slugs(["x.txt", "y.txt"]) == {"x.txt": "x", "y.txt": "y"}


# ------------------------------------------------------------------- cache


def _damage_a_fragment(out: Path) -> Path:
    for f in sorted((out / ".cache").glob("b-*/sentences.parquet")):
        t = pq.read_table(f)
        if "text" in t.column_names:
            pq.write_table(t.rename_columns(["txt" if c == "text" else c for c in t.column_names]), f)
            return f
    raise AssertionError("no fragment with sentence texts")


def test_a_damaged_cache_fragment_is_discarded_with_a_warning(tmp_path):
    raw = _raw(tmp_path / "raw", {"a.txt": ESSAY, "b.txt": OTHER})
    out = tmp_path / "out"
    _quiet_build(raw, out)
    want = aio.read_table(out, "sentences")
    damaged = _damage_a_fragment(out)
    said = []
    summary = build(raw, out, jobs=1, progress=False, warn=said.append)
    assert [m for m in said if m.startswith(f"cache: fragment {damaged.parent.name} discarded")]
    got = aio.read_table(out, "sentences")
    assert list(got.columns) == list(want.columns) and got["text"].notna().all()
    pd.testing.assert_frame_equal(got, want)
    assert summary.n_cached < 2 and "text" in pq.read_schema(damaged).names  # stored afresh


def test_no_cache_rebuilds_the_cache(tmp_path):
    raw = _raw(tmp_path / "raw", {"a.txt": ESSAY, "b.txt": OTHER})
    out = tmp_path / "out"
    _quiet_build(raw, out)
    _damage_a_fragment(out)
    assert _quiet_build(raw, out, use_cache=False).n_cached == 0
    said = []
    again = build(raw, out, jobs=1, progress=False, warn=said.append)
    assert again.n_cached == 2 and not said  # the rebuilt cache serves every essay, nothing damaged


@pytest.mark.parametrize("where", ["cache", "tables"])
def test_a_full_disk_leaves_no_partial_cache_and_the_old_tables(where, tmp_path, monkeypatch):
    """The disk fills while the build stores its cache (an OSError with
    errno ENOSPC) or later while it writes its tables (pyarrow says
    "[errno 28]" in its message only): what this build stored in the cache is
    removed, the old tables stay."""
    import errno

    from analysis.pipeline import build as build_mod
    from analysis import io as aio

    raw = _raw(tmp_path / "raw", {"a.txt": ESSAY})
    out = tmp_path / "out"
    _quiet_build(raw, out)
    old = _visible(out)
    frags = sorted(p.name for p in (out / ".cache").iterdir())
    _raw(raw, {"b.txt": OTHER})
    if where == "cache":
        real = build_mod.EssayCache._write_fragment
        calls = []

        def full(self, arrow, keys):
            calls.append(1)
            if len(calls) > 1:  # the second fragment no longer fits
                raise OSError(errno.ENOSPC, "No space left on device")
            return real(self, arrow, keys)

        monkeypatch.setattr(build_mod.EssayCache, "_write_fragment", full)
    else:

        def full(self, tables):
            raise OSError("error writing bytes to file. detail: [errno 28] No space left on device")

        monkeypatch.setattr(aio.TableWriter, "submit", full)
    with pytest.raises(OSError) as exc:
        _quiet_build(raw, out)
    assert build_mod.disk_full(exc.value)
    assert sorted(p.name for p in (out / ".cache").iterdir()) == frags  # what this build stored is gone
    assert _visible(out) == old


def test_only_a_full_disk_reads_as_one():
    from analysis.pipeline.build import disk_full

    assert disk_full(OSError("detail: [errno 28] No space left on device"))
    assert not disk_full(OSError("permission denied"))
    assert not disk_full(PermissionError(13, "Permission denied"))


def test_file_names_that_are_not_utf8(tmp_path):
    """A GBK file name (from a Windows zip) is shown decoded; one that reads as
    another file's name is shown with its bytes; both are built."""
    raw = _raw(tmp_path / "raw", {"关爱.txt": ESSAY, "new\nline.txt": OTHER})
    with open(os.fsencode(raw) + b"/" + "关爱.txt".encode("gbk"), "wb") as fh:
        fh.write(ESSAY.replace("小明", "小刚").encode())
    summary = _quiet_build(raw, tmp_path / "out")
    essays = aio.read_table(tmp_path / "out", "essays")
    assert summary.n_essays == 3 and essays["essay_id"].is_unique
    names = sorted(essays["source_file"])
    assert "关爱.txt" in names and "new\nline.txt" in names
    assert all(n.encode("utf-8") for n in names)  # every name can be written to a table


def test_a_killed_reports_kernel_folders_are_removed_by_the_next(tmp_path):
    import subprocess
    import sys

    from analysis.reporting.kernels import KERNEL_DIR_PREFIX, OWNER_FILE, sweep_stale_dirs

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = tmp_path / f"{KERNEL_DIR_PREFIX}dead"
    live = tmp_path / f"{KERNEL_DIR_PREFIX}live"
    unowned = tmp_path / f"{KERNEL_DIR_PREFIX}unowned"
    for d in (dead, live, unowned):
        d.mkdir()
        (d / "connection.json").write_text("{}", encoding="utf-8")
    (dead / OWNER_FILE).write_text(str(gone.pid), encoding="ascii")
    (live / OWNER_FILE).write_text(str(os.getpid()), encoding="ascii")
    assert sweep_stale_dirs(tmp_path) == [dead]
    assert not dead.exists() and live.exists() and unowned.exists()


def test_a_second_report_into_a_folder_waits_and_then_says_who_holds_it(tmp_path, monkeypatch):
    from analysis import procs
    from analysis.reporting import report

    monkeypatch.setattr(report, "REPORT_LOCK_TIMEOUT", 0.3)
    said = []
    with procs.folder_lock(tmp_path, timeout=1, warn=said.append):
        with pytest.raises(report.ParamError, match=rf"another report \(pid {os.getpid()}\)"):
            report.render_reports(data_dir=tmp_path / "nothing", out_dir=tmp_path, echo=said.append)
    assert any("waiting for it" in s for s in said)
    # free again: the report goes on to its own checks
    with pytest.raises(report.ParamError, match="no built corpus"):
        report.render_reports(data_dir=tmp_path / "nothing", out_dir=tmp_path, echo=said.append)
