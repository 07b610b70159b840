"""`python -m analysis annotate FILE`: one scored row per non-empty line, in order."""

from __future__ import annotations

import codecs
import io
import subprocess
import sys

import pandas as pd
import pytest

LINES = [
    "现在戒掉了网瘾，成为一名品学兼优的好学生。",
    "",
    "   ",
    "他的父母常年在外打工，由爷爷奶奶抚养，他感到十分孤独。",
    "学校共有留守儿童128人，占学生总数的35%。",
    "Mixed 中文 and English 123 文本。",
]
NON_EMPTY = [l.strip() for l in LINES if l.strip()]


def run(*args, input_bytes: bytes | None = None):
    return subprocess.run(
        [sys.executable, "-m", "analysis", "annotate", *args], capture_output=True, input=input_bytes, timeout=300
    )


@pytest.fixture(scope="module")
def gb_file(tmp_path_factory):
    p = tmp_path_factory.mktemp("ann") / "lines_gb18030.txt"
    p.write_bytes("\r\n".join(LINES).encode("gb18030"))
    return p


def test_one_row_per_nonempty_line_in_order_with_bom(gb_file, tmp_path):
    out = tmp_path / "scored.csv"
    r = run(str(gb_file), "--out", str(out))
    assert r.returncode == 0, r.stderr.decode()
    raw = out.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    df = pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False)
    assert df["text"].tolist() == NON_EMPTY
    assert {"text", "sentiment_score", "sentiment_label", "emotion", "codes"} <= set(df.columns)
    assert set(df["sentiment_label"]) <= {"positive", "neutral", "negative"}
    labels = dict(zip(df["text"], df["sentiment_label"]))
    assert labels[NON_EMPTY[0]] == "positive"
    assert labels[NON_EMPTY[1]] == "negative"
    # themes are codebook codes joined by ';'
    assert "family" in df.loc[df["text"] == NON_EMPTY[1], "codes"].iloc[0].split(";")


def test_stdout_and_method_option(gb_file):
    r = run(str(gb_file), "--method", "snownlp")
    assert r.returncode == 0, r.stderr.decode()
    df = pd.read_csv(io.StringIO(r.stdout.decode("utf-8")), keep_default_na=False)
    assert len(df) == len(NON_EMPTY)
    assert df["sentiment_score"].between(0, 1).all()  # SnowNLP's probability scale


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--method", "bogus"], "valid methods: snownlp, lexicon, combined"),
        (["/no/such/file.txt"], "file not found"),
    ],
)
def test_bad_input_is_one_line_error(gb_file, args, needle):
    full = [a for a in args if a.startswith("/")] or [str(gb_file)]
    r = run(*full, *[a for a in args if not a.startswith("/")])
    err = r.stderr.decode().strip()
    assert r.returncode == 2 and needle in err and len(err.splitlines()) == 1


def test_undecodable_file(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_bytes(b"\xff\xfe\x00\x81\x00\xff" * 10 + b"\x81")
    r = run(str(p))
    assert r.returncode == 2 and "undecodable" in r.stderr.decode()
