"""analysis.pipeline.challenge: the annotated page format, rendering, scoring against
hand-made tables, and the page sets under tests/fixtures/pages/ built by the
real pipeline (the guard of the intake)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from analysis.pipeline.challenge import (
    GOALS,
    PageFormatError,
    evaluate_folder,
    format_score,
    meets_goals,
    parse_page,
    render,
    score_build,
)

PAGES_DIR = Path(__file__).parent / "fixtures" / "pages"


# ---------------------------------------------------------------- parse_page


@pytest.mark.parametrize(
    "text, where, message",
    [
        ("C:nav|首页 | 作文\nX|奶奶的手\nE|奶奶的手很粗糙。", "demo.page:2", "unknown tag"),
        ("C:footer|版权所有 青青范文网\nE|奶奶的手很粗糙。", "demo.page:1", "unknown chrome kind 'footer'"),
        ("H|奶奶的手\nE!cutt|奶奶的手很粗糙。", "demo.page:2", "unknown flag(s) cutt"),
        ("H|奶奶的手\nE|\nE|奶奶的手很粗糙。", "demo.page:2", "an essay line needs text"),
        ("C:copyright|\nE|奶奶的手很粗糙。", "demo.page:1", "a chrome line needs text"),
        ("|奶奶的手很粗糙。", "demo.page:1", "text without a tag"),
        ("E|奶奶的手很粗糙。\n奶奶", "demo.page:2", "no '|' between tag and text"),
        ("# encoding: big5\nE|奶奶的手很粗糙。", "demo.page:1", "encoding must be one of"),
        ("# note: 一个样例\n# newline: crcr\nE|奶奶的手很粗糙。", "demo.page:2", "newline must be one of"),
        ("C:nav|首页 | 作文\nH|奶奶的手\n|", "demo.page", "no essay line"),
        (
            "# note: 两个标题\nH|奶奶的手\nH|爸爸的信\nE|爸爸的信写得很短。",
            "demo.page:2",
            "heading with no essay line under it",
        ),
        (
            "H|奶奶的手\nE|奶奶的手很粗糙。\nH|爸爸的信\nC:copyright|版权所有",
            "demo.page:3",
            "heading with no essay line under it",
        ),
    ],
)
def test_parse_page_rejects(text, where, message):
    with pytest.raises(PageFormatError) as err:
        parse_page("pages/demo.page", text)
    assert where in str(err.value)
    assert message in str(err.value)


DEMO = """# encoding: gb18030
# newline: crlf
# note: 两篇作文，一个手写的样例
C:breadcrumb|当前位置：首页 > 作文 > 正文
H|我的奶奶
E|奶奶今年七十岁了，她每天天不亮就起床给我做饭，
E+|然后送我走很远的山路去上学。
E|奶奶的背有点驼了，可她从来不喊累。
E!cut|那年冬天，奶奶病倒了……此处隐藏812个字……
C:share|分享到：微信 微博 QQ空间
H|我的爸爸
E|爸爸在广州打工，一年只回来一次。
E|每次回来，他都会给我带一本新书。
C:copyright|Copyright © 2023 青青范文网 版权所有"""


def test_parse_page_reads_roles_and_line_numbers():
    page = parse_page("demo.page", DEMO)
    assert (page.encoding, page.newline, page.notes) == ("gb18030", "crlf", ["note: 两篇作文，一个手写的样例"])
    assert [(ln.no, ln.role) for ln in page.lines] == [
        (1, "chrome"),
        (2, "heading"),
        (3, "essay"),
        (4, "essay"),
        (5, "essay"),
        (6, "essay"),
        (7, "chrome"),
        (8, "heading"),
        (9, "essay"),
        (10, "essay"),
        (11, "chrome"),
    ]
    assert page.n_essays == 2
    assert [ln.no for ln in page.essay_lines(1)] == [3, 4, 5, 6]
    assert page.lines[3].continues and not page.lines[2].continues
    assert page.lines[5].flags == frozenset({"cut"})
    assert (page.lines[0].kind, page.lines[6].kind) == ("breadcrumb", "share")


def test_render_gb18030_crlf_decodes_back():
    page = parse_page("demo.page", DEMO)
    data = render(page)
    assert b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n") == len(page.lines)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert data.decode("gb18030").split("\r\n")[:-1] == [ln.text for ln in page.lines]


def test_render_rejects_text_its_encoding_cannot_hold():
    page = parse_page("demo.page", "E|奶奶的手很粗糙。")
    page.lines[0] = type(page.lines[0])(1, "essay", "奶奶\ud800的手", essay=1)  # a lone surrogate
    with pytest.raises(PageFormatError, match="demo.page"):
        render(page)


# ---------------------------------------------------------------- score_build

NAME = "demo.txt"


def _tables(paragraphs, log, flags):
    """Build tables of a build of DEMO by hand: paragraphs (essay_id, line_start, line_end, text),
    log rows (line, rule) and flags (line, flag)."""
    essays = pd.DataFrame({"source_file": [NAME, NAME], "essay_id": ["demo-01", "demo-02"]})
    paras = pd.DataFrame(paragraphs, columns=["essay_id", "line_start", "line_end", "text"])
    log_df = pd.DataFrame(
        [{"source_file": NAME, "line": n, "rule": r} for n, r in log], columns=["source_file", "line", "rule"]
    )
    flags_df = pd.DataFrame(
        [{"source_file": NAME, "line": n, "flag": f} for n, f in flags], columns=["source_file", "line", "flag"]
    )
    return {"essays": essays, "paragraphs": paras, "cleaning_log": log_df, "quality_flags": flags_df}


# a perfect build: chrome (1, 7, 11) removed, the break at 3|4 joined, the cut at 6 removed and flagged
GOOD_PARAS = [
    ("demo-01", 3, 4, "奶奶今年七十岁了，她每天天不亮就起床给我做饭，然后送我走很远的山路去上学。"),
    ("demo-01", 5, 5, "奶奶的背有点驼了，可她从来不喊累。"),
    ("demo-01", 6, 6, "那年冬天，奶奶病倒了"),
    ("demo-02", 9, 9, "爸爸在广州打工，一年只回来一次。"),
    ("demo-02", 10, 10, "每次回来，他都会给我带一本新书。"),
]
GOOD_LOG = [
    (1, "remove_chrome"),
    (4, "join_broken_paragraphs"),
    (6, "remove_cut_marker"),
    (7, "remove_chrome"),
    (11, "remove_chrome"),
]
GOOD_FLAGS = [(6, "truncated")]


def test_score_of_a_perfect_build():
    page = parse_page("demo.page", DEMO)
    score = score_build({NAME: page}, _tables(GOOD_PARAS, GOOD_LOG, GOOD_FLAGS))
    assert (score.essays, score.essays_whole, score.essays_built) == (2, 2, 2)
    assert (score.chrome_lines, score.chrome_removed) == (3, 3)
    assert (score.essay_lines, score.essay_lines_removed) == (5, 0)  # line 6 held only text before the cut
    assert (score.cuts, score.cuts_flagged, score.headings_in_text) == (1, 1, 0)
    assert score.repairs["join_broken_paragraphs"] == {"right": 1, "wrong": 0, "missed": 0}
    assert score.problems == []
    assert meets_goals(score)


@pytest.mark.parametrize(
    "paras, log, flags, expected, problem_line",
    [
        # the share line (7) kept at the end of essay 1
        (
            GOOD_PARAS + [("demo-01", 7, 7, "分享到：微信 微博 QQ空间")],
            [r for r in GOOD_LOG if r[0] != 7],
            GOOD_FLAGS,
            {"chrome_removed": 2},
            7,
        ),
        # an essay line (10) removed as chrome
        (GOOD_PARAS, GOOD_LOG + [(10, "remove_chrome")], GOOD_FLAGS, {"essay_lines_removed": 1}, 10),
        # a wrong join of line 5 onto 3–4, the real one at 4 made too
        (
            [("demo-01", 3, 5, "…然后送我走很远的山路去上学。奶奶的背有点驼了，可她从来不喊累。")] + GOOD_PARAS[2:],
            GOOD_LOG + [(5, "join_broken_paragraphs")],
            GOOD_FLAGS,
            {"wrong_joins": 1},
            5,
        ),
        # the break at 4 not joined
        (
            [("demo-01", 3, 3, "…"), ("demo-01", 4, 4, "…")] + GOOD_PARAS[1:],
            [r for r in GOOD_LOG if r[0] != 4],
            GOOD_FLAGS,
            {"missed_joins": 1},
            4,
        ),
        # the cut at 6 not flagged
        (GOOD_PARAS, GOOD_LOG, [], {"cuts_flagged": 0}, 6),
        # the heading of essay 2 (8) kept as its first paragraph
        (
            GOOD_PARAS + [("demo-02", 8, 8, "我的爸爸")],
            GOOD_LOG,
            GOOD_FLAGS,
            {"headings_in_text": 1, "essays_whole": 1},
            8,
        ),
    ],
    ids=["chrome-kept", "essay-line-removed", "wrong-join", "missed-join", "missed-cut", "heading-kept"],
)
def test_score_counts_each_fault(paras, log, flags, expected, problem_line):
    page = parse_page("demo.page", DEMO)
    score = score_build({NAME: page}, _tables(paras, log, flags))
    joins = score.repairs["join_broken_paragraphs"]
    got = {
        "chrome_removed": score.chrome_removed,
        "essay_lines_removed": score.essay_lines_removed,
        "wrong_joins": joins["wrong"],
        "missed_joins": joins["missed"],
        "cuts_flagged": score.cuts_flagged,
        "headings_in_text": score.headings_in_text,
        "essays_whole": score.essays_whole,
    }
    perfect = {
        "chrome_removed": 3,
        "essay_lines_removed": 0,
        "wrong_joins": 0,
        "missed_joins": 0,
        "cuts_flagged": 1,
        "headings_in_text": 0,
        "essays_whole": 2,
    }
    assert got == perfect | expected
    assert problem_line in {line for _, line, _ in score.problems}
    assert {name for name, _, _ in score.problems} == {NAME}
    if set(expected) - {"wrong_joins", "missed_joins"}:
        assert not meets_goals(score)


def test_score_figures_of_a_flawed_build():
    page = parse_page("demo.page", DEMO)
    paras = GOOD_PARAS + [("demo-01", 7, 7, "分享到：微信 微博 QQ空间")]
    log = [r for r in GOOD_LOG if r[0] != 7] + [(10, "remove_chrome")]
    figures = score_build({NAME: page}, _tables(paras, log, [])).figures()
    assert figures["chrome lines removed (recall)"] == pytest.approx(2 / 3)
    assert figures["essay lines removed wrongly"] == pytest.approx(1 / 5)
    assert figures["cuts flagged"] == 0.0
    assert figures["essays split whole"] == 1.0
    assert math.isnan(figures["mojibake flagged"])  # no line of the page is marked mojibake


# ---------------------------------------------------------------- the page sets

# the development sets the intake rules were tuned on keep meeting the goals; a held-out set (heldoutN/) is
# measured by `make evaluate` and reported in docs/cleaning.md as it is, never tuned on and not asserted here
PAGE_SETS = sorted(
    p.name for p in PAGES_DIR.iterdir() if p.is_dir() and p.name.startswith("dev") and any(p.rglob("*.page"))
)


@pytest.fixture(scope="module")
def page_set_scores(tmp_path_factory):
    """Each page set built once by the real pipeline: {set name: (score, tables)}."""
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = evaluate_folder(PAGES_DIR / name, work_dir=tmp_path_factory.mktemp(name))
        return cache[name]

    return get


def test_there_are_page_sets():
    assert len(PAGE_SETS) >= 3, PAGE_SETS


@pytest.mark.parametrize("name", PAGE_SETS)
def test_page_set_meets_goals(name, page_set_scores):
    score, tables = page_set_scores(name)
    figures = score.figures()
    assert score.essays > 0 and score.chrome_lines > 0, f"{name}: an empty page set"
    missed = []
    for figure, (op, goal) in GOALS.items():
        value = figures[figure]
        if value != value:  # nan: nothing of the kind in this set
            continue
        if not (value >= goal if op == ">=" else value <= goal):
            missed.append(f"{figure} = {value:.3f}, goal {op} {goal}")
    report = "\n".join(format_score(name, score) + [f"  {f}:{n}: {what}" for f, n, what in score.problems[:25]])
    assert missed == [], f"{name} misses its goals: {missed}\n{report}"
    assert meets_goals(score), report
