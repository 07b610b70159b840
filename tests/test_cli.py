"""analysis.cli: ``python -m analysis build`` — user errors are one line and
exit code 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis import config
from analysis.cli import main
from analysis.io import read_table
from conftest import BODY_A, BODY_B, write_raw


def test_missing_raw_folder_subprocess():
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "build", "--raw", "/nonexistent"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=config.ROOT,
        timeout=60,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert lines[0].startswith("error:") and "/nonexistent" in lines[0] and "not found" in lines[0]
    assert proc.stdout == ""


def test_build_subprocess_prints_its_summary_and_leaves_complete_tables(tmp_path):
    """``python -m analysis`` leaves without the interpreter's teardown
    (os._exit after the exit handlers): the summary must still be printed in
    full and every table be complete."""
    raw = tmp_path / "raw"
    write_raw(raw / "a.txt", f"关爱留守儿童工作总结篇一\n\n{BODY_A}\n关爱留守儿童工作总结篇二\n\n{BODY_B}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "build", "--raw", str(raw), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("built 2 essays") and any(l.strip().startswith("pseudonyms:") for l in lines)
    assert len(read_table(tmp_path / "out", "sentences")) == int(
        next(l for l in lines if l.strip().startswith("sentences:")).split()[1]
    )
    assert (tmp_path / "out" / "manifest.json").read_text(encoding="utf-8").rstrip().endswith("}")


def test_report_help_names_the_profile_cap(capsys):
    from analysis.reporting.report import MAX_PROFILES

    with pytest.raises(SystemExit):
        main(["report", "--help"])
    shown = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert "--max-profiles N" in shown and f"(default: {MAX_PROFILES}; 0: every essay)" in shown


def test_help_subprocess():
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "build", "--help"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert proc.returncode == 0
    for option in ("--raw", "--out", "--heading-pattern", "--strict", "--no-cache", "--jobs"):
        assert option in proc.stdout


def _corpus(tmp_path, files):
    raw = tmp_path / "raw"
    for name, data in files.items():
        if isinstance(data, bytes):
            raw.mkdir(exist_ok=True)
            (raw / name).write_bytes(data)
        else:
            write_raw(raw / name, data)
    return raw


def _one_error_line(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("error:") and "Traceback" not in err[0]
    return err[0]


def test_build_ok(tmp_path, capsys):
    raw = _corpus(tmp_path, {"a.txt": f"关爱留守儿童工作总结篇一\n\n{BODY_A}\n关爱留守儿童工作总结篇二\n\n{BODY_B}"})
    out = tmp_path / "out"
    assert main(["build", "--raw", str(raw), "--out", str(out), "--jobs", "1"]) == 0
    stdout = capsys.readouterr().out
    assert stdout.startswith("built 2 essays from 1 file(s)")
    assert "essays: 2 rows" in stdout
    assert read_table(out, "essays").essay_id.tolist() == ["a-01", "a-02"]


def test_heading_pattern_option(tmp_path, capsys):
    raw = _corpus(tmp_path, {"a.txt": f"=== 我的爷爷 ===\n{BODY_A}\n=== 我的妈妈 ===\n{BODY_B}"})
    assert main(["build", "--raw", str(raw), "--out", str(tmp_path / "plain"), "--jobs", "1"]) == 0
    assert len(read_table(tmp_path / "plain", "essays")) == 1  # no built-in style matches
    assert (
        main(
            [
                "build",
                "--raw",
                str(raw),
                "--out",
                str(tmp_path / "custom"),
                "--jobs",
                "1",
                "--heading-pattern",
                r"^=== (?P<title>.+) ===$",
            ]
        )
        == 0
    )
    essays = read_table(tmp_path / "custom", "essays")
    assert essays.title.tolist() == ["我的爷爷", "我的妈妈"]


@pytest.mark.parametrize(
    "files, extra, message",
    [
        ({"a.txt": BODY_A}, ["--heading-pattern", "(篇"], "not a valid regular expression"),
        (
            {"a.txt": "第一篇 妈妈\n我想念妈妈。\n" + "啊" * 40 + "！\n"},
            ["--heading-pattern", "(啊|啊啊)+$"],
            "a.txt: --heading-pattern '(啊|啊啊)+$' took more than",
        ),
        ({"a.txt": BODY_A, "empty.txt": b""}, ["--strict"], "empty.txt: empty file"),
        ({"notes.md": "留守儿童"}, [], "no essays found"),
        ({"a.txt": BODY_A}, ["--out", "INSIDE"], "must not be inside"),
        ({"a.txt": BODY_A}, ["--watch", "--no-cache"], "--watch works with the local engine and the cache"),
    ],
    ids=["bad-regex", "catastrophic-regex", "strict", "no-text-files", "out-inside-raw", "watch-no-cache"],
)
def test_user_errors_are_one_line_exit_2(tmp_path, capsys, files, extra, message):
    raw = _corpus(tmp_path, files)
    extra = [str(raw / "processed") if x == "INSIDE" else x for x in extra]
    argv = ["build", "--raw", str(raw), "--jobs", "1"]
    if "--out" not in extra:
        argv += ["--out", str(tmp_path / "out")]
    assert main(argv + extra) == 2
    assert message in _one_error_line(capsys)
    assert not (tmp_path / "out" / "essays.parquet").exists()


def test_bad_file_without_strict_is_reported_not_fatal(tmp_path, capsys):
    raw = _corpus(tmp_path, {"a.txt": BODY_A, "blank.txt": "\n\u3000\u3000\n"})
    assert main(["build", "--raw", str(raw), "--out", str(tmp_path / "out"), "--jobs", "1"]) == 0
    captured = capsys.readouterr()
    assert "skipped blank.txt: no text" in captured.out
    assert read_table(tmp_path / "out", "skipped").source_file.tolist() == ["blank.txt"]


def test_build_watch_subprocess_rebuilds_on_a_new_file_and_stops_on_interrupt(tmp_path):
    """``build --watch``: builds, says it is watching, rebuilds when an essay
    file appears (from the cache but for the new essay), and a Ctrl-C ends it
    with exit code 0 — also when started as a background job, which ignores
    SIGINT unless the command installs its own handler (as here: the child
    starts with SIGINT ignored)."""
    import re
    import signal

    raw = _corpus(tmp_path, {"a.txt": "关爱留守儿童篇一\n\n" + BODY_A + "\n"})
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-u",
            "-m",
            "analysis",
            "build",
            "--watch",
            "--raw",
            str(raw),
            "--out",
            str(out),
            "--jobs",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=config.ROOT,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("watching"):
                if sum("built" in x for x in lines) == 1:
                    write_raw(raw / "b.txt", "关爱留守儿童篇一\n\n" + BODY_B + "\n")
                else:
                    break
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    built = [x for x in lines if re.match(r"\[\d\d:\d\d:\d\d\] built ", x)]
    assert len(built) == 2, lines
    assert "built 1 essays from 1 file(s)" in built[0] and "(0 essay(s) from cache)" in built[0]
    assert "built 2 essays from 2 file(s)" in built[1] and "(1 essay(s) from cache)" in built[1]
    assert proc.returncode == 0 and "stopped watching" in err
    assert read_table(out, "essays").source_file.tolist() == ["a.txt", "b.txt"]
