"""analysis.cli: every user error is one line on stderr and exit code 2,
naming the file or parameter and what is valid — before any kernel or build
starts; an unexpected error is one line and exit code 1 (``--debug``: the
traceback)."""

from __future__ import annotations

import errno
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from analysis.cli import build as cli_build, checks as cli_checks
from analysis.pipeline.build import BuildSummary
from analysis.cli import main
from analysis.config import RESOURCES_DIR

ESSAY = "关爱留守儿童\n\n我们班的小明今年十岁，父母在外打工。他跟着爷爷奶奶生活，每天放学后都要帮忙做家务。\n"


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture
def raw(tmp_path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "a.txt").write_text(ESSAY, encoding="utf-8")
    return folder


@pytest.fixture
def no_kernel(monkeypatch):
    """A report test fails if a kernel would start."""
    from analysis.reporting import report

    def started(*args, **kwargs):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(report, "execute_notebook", started)


@pytest.fixture
def fake_data(tmp_path) -> Path:
    """A folder that passes the report's 'built corpus' check (param files are read next)."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "essays.parquet").touch()
    return data


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A one-essay corpus, built once (without the reference figures, which the checks never read)."""
    from analysis.methods import trust
    from analysis.pipeline.build import build

    base = tmp_path_factory.mktemp("cli_errors")
    (base / "raw").mkdir()
    (base / "raw" / "a.txt").write_text(ESSAY, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(trust, "write_reference", lambda out_dir: None)
        build(base / "raw", base / "data", jobs=1, progress=False, warn=lambda msg: None)
    return base / "data"


# ------------------------------------------------------------ 1. parameter files


@pytest.mark.parametrize(
    "content, named",
    [
        (b"themes: {k: 3\n", "not valid YAML at line 2"),
        ("themes:\n  group_by: 性别\n".encode("gbk"), "not UTF-8 text (line 2)"),
        (b"- k\n- 3\n", "expected a mapping of parameters, got a list"),
        (b"themes:\n  k: 8\ntop_n: 5\n", "mixes report sections (themes) with other keys (top_n)"),
        (b"themes: 8\n", "themes: expected a mapping of parameters"),
        ("themes:\n  k: 三\n".encode(), "themes.k: '三' is not valid; valid: a whole number"),
        (b"themes:\n  terms: 5\n", "themes.terms: 5 is not valid; valid: a list of words"),
        ("sentiment:\n  dedupe: 是\n".encode(), "sentiment.dedupe: '是' is not valid; valid: true or false"),
        ("top_n: 很多\n".encode(), "top_n: '很多' is not valid; valid: a whole number"),
        (b"profile:\n  essay_id: 001\n", "profile.essay_id: 1 is not valid; valid: text"),
    ],
    ids=["yaml-syntax", "gbk", "list", "mixed", "section-not-mapping", "int", "list-type", "bool", "flat", "id-number"],
)
def test_bad_param_file_is_one_line_naming_the_file(tmp_path, capsys, fake_data, no_kernel, content, named):
    f = tmp_path / "我的参数.yaml"
    f.write_bytes(content)
    assert main(["report", "--data", str(fake_data), "--out", str(tmp_path / "rep"), "-f", str(f)]) == 2
    line = one_error_line(capsys)
    assert str(f) in line and named in line


# ------------------------------------------------------- 2. codebook and resources


@pytest.mark.parametrize(
    "content, named",
    [
        (None, "resource file not found"),
        (b"codes: [study, care\n", "not valid YAML at line 2"),
        (
            "codes:\n  study:\n    label: 学习\n    rules: [{any: [学习成绩]}]\n# 留守儿童\n".encode("gbk"),
            "not UTF-8 text",
        ),
        (b"version: 1\n", "a codebook needs a non-empty 'codes' mapping"),
    ],
    ids=["missing", "yaml-syntax", "gbk", "no-codes"],
)
def test_bad_codebook_parameter_is_found_before_any_kernel(tmp_path, capsys, built, no_kernel, content, named):
    cb = tmp_path / "codebook.yaml"
    if content is not None:
        cb.write_bytes(content)
    argv = ["report", "themes", "--data", str(built), "--out", str(tmp_path / "rep"), "-p", "codebook_path", str(cb)]
    assert main(argv) == 2
    line = one_error_line(capsys)
    assert "codebook_path" in line and "codebook.yaml" in line and named in line


def test_codebook_in_a_param_file_is_checked_too(tmp_path, capsys, built, no_kernel):
    f = tmp_path / "p.yaml"
    f.write_text("themes:\n  codebook_path: 没有这个文件.yaml\n", encoding="utf-8")
    assert main(["report", "themes", "--data", str(built), "--out", str(tmp_path / "rep"), "-f", str(f)]) == 2
    assert "没有这个文件.yaml" in one_error_line(capsys)


def test_relative_codebook_path_is_made_absolute_for_the_kernel(tmp_path, monkeypatch, built):
    from analysis.reporting.report import resolve_params

    shutil.copy(RESOURCES_DIR / "codebook.yaml", tmp_path / "mine.yaml")
    monkeypatch.chdir(tmp_path)
    params = resolve_params("themes", {"codebook_path": "mine.yaml"}, {}, built)
    assert params["codebook_path"] == str((tmp_path / "mine.yaml").resolve())


@pytest.fixture
def resources_copy(tmp_path, monkeypatch) -> Path:
    """A copy of the bundled resources that the loaders use instead."""
    from analysis import resources

    copy = tmp_path / "resources"
    shutil.copytree(RESOURCES_DIR, copy)
    monkeypatch.setattr(resources, "RESOURCES_DIR", copy)
    return copy


@pytest.mark.parametrize(
    "name, damage, named",
    [
        ("userdict.txt", lambda p: p.write_bytes("留守儿童\n家访\n".encode("gbk")), "not UTF-8 text (line 1)"),
        ("stopwords.txt", lambda p: p.unlink(), "not found"),
        ("codebook.yaml", lambda p: p.write_text("codes: {study: 学习", encoding="utf-8"), "not valid YAML"),
        ("cleaning.yaml", lambda p: p.write_text("- 一\n- 二\n", encoding="utf-8"), "expected a YAML mapping"),
    ],
    ids=["userdict-gbk", "stopwords-missing", "codebook-syntax", "yaml-not-mapping"],
)
@pytest.mark.parametrize("command", ["build", "report", "annotate"])
def test_damaged_resource_file_is_one_line_before_any_work(
    tmp_path, capsys, raw, fake_data, no_kernel, resources_copy, monkeypatch, name, damage, named, command
):
    from analysis.pipeline import build as build_mod

    monkeypatch.setattr(build_mod, "build", lambda *a, **k: pytest.fail("the build started"))
    damage(resources_copy / name)
    argv = {
        "build": ["build", "--raw", str(raw), "--out", str(tmp_path / "out")],
        "report": ["report", "--data", str(fake_data), "--out", str(tmp_path / "rep")],
        "annotate": ["annotate", str(raw / "a.txt")],
    }[command]
    assert main(argv) == 2
    line = one_error_line(capsys)
    assert name in line and named in line


# ------------------------------------------------------------ 3. output folders


@pytest.mark.parametrize(
    "command",
    [
        lambda raw, out, data: ["build", "--raw", str(raw), "--out", str(out)],
        lambda raw, out, data: ["report", "--data", str(data), "--out", str(out)],
    ],
    ids=["build", "report"],
)
@pytest.mark.parametrize("where", ["file", "below-a-file"])
def test_out_folder_that_is_a_file(tmp_path, capsys, raw, fake_data, no_kernel, command, where):
    blocker = tmp_path / "报告.txt"
    blocker.write_text("不是文件夹", encoding="utf-8")
    out = blocker if where == "file" else blocker / "sub"
    assert main(command(raw, out, fake_data)) == 2
    line = one_error_line(capsys)
    assert f"--out {out}" in line and "is a file" in line


@pytest.mark.parametrize(
    "code, reason",
    [
        (errno.EACCES, "not writable (permission denied)"),
        (errno.EROFS, "not writable (read-only file system)"),
        (errno.ENOSPC, "not writable (no space left on device)"),
    ],
)
@pytest.mark.parametrize("command", ["build", "report"])
def test_out_folder_not_writable(tmp_path, capsys, raw, fake_data, no_kernel, monkeypatch, code, reason, command):
    """Simulated (tests run as root, where chmod does not stop writes)."""
    out = tmp_path / "out"
    out.mkdir()

    def refuse(folder):
        raise OSError(code, __import__("os").strerror(code), str(folder))

    monkeypatch.setattr(cli_checks, "_probe", refuse)
    argv = (
        ["build", "--raw", str(raw), "--out", str(out)]
        if command == "build"
        else ["report", "--data", str(fake_data), "--out", str(out)]
    )
    assert main(argv) == 2
    assert one_error_line(capsys) == f"error: --out {out}: {reason}"


def _full_disk(path: str) -> OSError:
    """Two chained ENOSPC errors, as a failed table write and its clean-up give them."""
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device", path)
        except OSError:
            raise OSError(errno.ENOSPC, "No space left on device", path + ".csv")  # noqa: B904 - chained on purpose
    except OSError as exc:
        return exc


def test_disk_full_during_build_is_one_line(tmp_path, capsys, raw, monkeypatch):
    from analysis.pipeline import build as build_mod

    out = tmp_path / "out"

    def full(*args, **kwargs):
        raise _full_disk(str(out / ".gen" / "x" / "essays.parquet"))

    monkeypatch.setattr(build_mod, "build", full)
    assert main(["build", "--raw", str(raw), "--out", str(out)]) == 2
    assert one_error_line(capsys) == f"error: --out {out}: not writable (no space left on device)"


def test_arrow_disk_full_without_errno_is_one_line(tmp_path, capsys, raw, monkeypatch):
    """Arrow's writers raise a plain OSError whose message only says it."""
    from analysis.pipeline import build as build_mod

    def full(*args, **kwargs):
        raise OSError("error writing file: No space left on device")

    monkeypatch.setattr(build_mod, "build", full)
    assert main(["build", "--raw", str(raw), "--out", str(tmp_path / "out")]) == 2
    assert "--out" in (line := one_error_line(capsys)) and "no space left on device" in line


@pytest.mark.slow
def test_disk_full_in_a_real_build_is_one_line(tmp_path, capsys, raw, monkeypatch):
    import pyarrow.parquet as pq

    from analysis.methods import trust

    def full(table, where, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(where))

    monkeypatch.setattr(pq, "write_table", full)
    monkeypatch.setattr(trust, "write_reference", lambda out_dir: None)
    out = tmp_path / "out"
    assert main(["build", "--raw", str(raw), "--out", str(out), "--jobs", "1"]) == 2
    line = one_error_line(capsys)
    assert "no space left on device" in line and str(out) in line


# ------------------------------------------------------------ 4. jobs and scheduler


@pytest.mark.parametrize("value", ["-3", "0", "两个", "1.5"])
@pytest.mark.parametrize("command", ["build", "report"])
def test_jobs_must_be_a_positive_whole_number(capsys, command, value):
    assert main([command, "--jobs", value]) == 2
    line = one_error_line(capsys)
    assert f"--jobs {value}" in line and "valid: a positive whole number" in line


@pytest.mark.parametrize("option", ["--lock-timeout", "--scheduler-timeout"])
def test_timeouts_must_be_seconds(capsys, option):
    assert main(["build", option, "-1"]) == 2
    assert f"{option} -1" in one_error_line(capsys)


def test_scheduler_without_dask_engine(capsys, raw, tmp_path):
    assert main(["build", "--raw", str(raw), "--out", str(tmp_path / "o"), "--scheduler", "tcp://127.0.0.1:8786"]) == 2
    line = one_error_line(capsys)
    assert "--scheduler tcp://127.0.0.1:8786" in line and "--engine dask" in line


@pytest.mark.parametrize(
    "address", ["foo", "tcp://", "tcp://host:notaport", "tcp://host:0", "tcp://:8786", "http://host:8786"]
)
def test_malformed_scheduler_address(capsys, raw, tmp_path, address):
    argv = ["build", "--raw", str(raw), "--out", str(tmp_path / "o"), "--engine", "dask", "--scheduler", address]
    assert main(argv) == 2
    line = one_error_line(capsys)
    assert f"--scheduler {address}:" in line and "valid: tcp://HOST:PORT" in line


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def listener():
    """A port that accepts connections and answers like a web server, not a Dask scheduler."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n" * 4)
                time.sleep(0.2)

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1]
    server.close()


@pytest.fixture
def silent():
    """A port that accepts connections (the backlog) and never says anything."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield server.getsockname()[1]
    server.close()


@pytest.mark.parametrize(
    "port, extra, named",
    [
        ("free", [], "no scheduler there (connection refused)"),
        ("listener", [], "no Dask scheduler answers"),
        ("silent", ["--scheduler-timeout", "0.5"], "no Dask scheduler answers (no answer in time)"),
    ],
)
def test_dead_scheduler_is_found_fast(request, capsys, raw, tmp_path, port, extra, named):
    number = _free_port() if port == "free" else request.getfixturevalue(port)
    address = f"tcp://127.0.0.1:{number}"
    argv = ["build", "--raw", str(raw), "--out", str(tmp_path / "o"), "--engine", "dask", "--scheduler", address]
    t0 = time.perf_counter()
    assert main(argv + extra) == 2
    assert time.perf_counter() - t0 < 8
    line = one_error_line(capsys)
    assert f"--scheduler {address}" in line and named in line


# ------------------------------------------------------------ 5. annotate


@pytest.mark.parametrize(
    "data, reason",
    [
        ("我們班的小明今年十歲，父母在外打工。\n他跟著爺爺奶奶生活。\n".encode("big5"), "undecodable"),
        (b"", "empty file"),
        (b"\x00\x01\x02" * 50, "not a text file"),
    ],
    ids=["big5", "empty", "binary"],
)
def test_annotate_applies_the_builds_decoding_checks(tmp_path, capsys, data, reason):
    f = tmp_path / "作文.txt"
    f.write_bytes(data)
    assert main(["annotate", str(f)]) == 2
    line = one_error_line(capsys)
    assert str(f) in line and reason in line
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("where", ["missing-folder", "a-folder", "below-a-file"])
def test_annotate_out_that_cannot_be_written(tmp_path, capsys, raw, where):
    (tmp_path / "笔记.txt").write_text("文件", encoding="utf-8")
    out = {
        "missing-folder": tmp_path / "没有" / "scores.csv",
        "a-folder": tmp_path,
        "below-a-file": tmp_path / "笔记.txt" / "scores.csv",
    }[where]
    assert main(["annotate", str(raw / "a.txt"), "--out", str(out)]) == 2
    assert f"--out {out}" in one_error_line(capsys)
    assert not (tmp_path / "没有").exists()


def test_annotate_out_read_only(tmp_path, capsys, raw, monkeypatch):
    def refuse(folder):
        raise PermissionError(errno.EACCES, "Permission denied", str(folder))

    monkeypatch.setattr(cli_checks, "_probe", refuse)
    out = tmp_path / "scores.csv"
    assert main(["annotate", str(raw / "a.txt"), "--out", str(out)]) == 2
    assert one_error_line(capsys) == f"error: --out {out}: folder {tmp_path} not writable (permission denied)"


# ------------------------------------------------------------ 7. unexpected errors


def test_unexpected_error_is_one_line_exit_1_and_debug_shows_it(capsys, monkeypatch):
    def broken(args):
        raise RuntimeError("第一行\n第二行")

    monkeypatch.setattr(cli_build, "_cmd_build", broken)
    assert main(["build"]) == 1
    line = one_error_line(capsys)
    assert line == "error: RuntimeError: 第一行 第二行 (run with --debug for the traceback)"
    with pytest.raises(RuntimeError, match="第一行"):
        main(["--debug", "build"])


def test_interrupt_still_exits_130(capsys, monkeypatch):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_build, "_cmd_build", interrupted)
    assert main(["build"]) == 130
    assert capsys.readouterr().err.strip() == "interrupted"


def test_usage_errors_are_one_line(capsys):
    assert main(["build", "--engine", "spark"]) == 2
    line = one_error_line(capsys)
    assert "--engine" in line and "'spark'" in line and "--help" in line


# ------------------------------------------------ 8. lock timeout, links, warnings


def test_build_options_and_warnings_reach_the_user(tmp_path, capsys, raw, monkeypatch):
    from analysis.pipeline import build as build_mod

    seen = {}

    def fake_build(raw_dir, out_dir, *, lock_timeout=600.0, follow_links=False, warn=None, **kwargs):
        seen.update(lock_timeout=lock_timeout, follow_links=follow_links)
        warn(f"another build is writing to {out_dir}; waiting (pid 4242)")
        warn("skipped 空.txt: empty file (0 bytes)")
        return BuildSummary(out_dir=out_dir, n_files=2, n_essays=1, skipped=[("空.txt", "empty file (0 bytes)")])

    monkeypatch.setattr(build_mod, "build", fake_build)
    out = tmp_path / "out"
    argv = ["build", "--raw", str(raw), "--out", str(out), "--lock-timeout", "5", "--follow-links"]
    assert main(argv) == 0
    assert seen == {"lock_timeout": 5.0, "follow_links": True}
    captured = capsys.readouterr()
    assert captured.err == f"another build is writing to {out}; waiting (pid 4242)\n"
    assert captured.out.count("skipped 空.txt") == 1  # in the summary only


def test_build_defaults_for_lock_timeout_and_links(tmp_path, raw, monkeypatch):
    from analysis.pipeline import build as build_mod

    seen = {}

    def fake_build(raw_dir, out_dir, *, lock_timeout=600.0, follow_links=False, **kwargs):
        seen.update(lock_timeout=lock_timeout, follow_links=follow_links)
        return BuildSummary(out_dir=out_dir)

    monkeypatch.setattr(build_mod, "build", fake_build)
    assert main(["build", "--raw", str(raw), "--out", str(tmp_path / "out")]) == 0
    assert seen == {"lock_timeout": 600.0, "follow_links": False}
