"""analysis.split and analysis.intake on page captures: numbered series in
every form, repeated titles, a single page's title, and plan_essays on a
rendered page (chrome inside essays, log rows for chrome outside them)."""

from __future__ import annotations

import pytest

from analysis.intake import DOUBTFUL_SPLIT_CHARS, plan_essays
from analysis.io import read_raw
from analysis.split import (
    compile_patterns,
    find_headings,
    find_page_title,
    find_repeated_titles,
    find_series,
    series_number,
    split_essays,
)

PATTERNS = compile_patterns()
BODY_A = "奶奶今年七十岁了，她的头发全白了，可她每天天不亮就起床给我做饭，送我上学。"
BODY_B = "爸爸在广州的工地上干活，一年只回来一次，每次回来都会给我带一本新书。"
BODY_C = "王老师像妈妈一样关心我们，冬天她把自己的围巾给了班上最小的女孩。"


# ---------------------------------------------------------------- series


@pytest.mark.parametrize(
    "line, stem, number",
    [
        ("留守儿童演讲稿1", "留守儿童演讲稿", 1),
        ("留守儿童演讲稿 2", "留守儿童演讲稿", 2),
        ("关爱留守儿童事迹材料（一）", "关爱留守儿童事迹材料", 1),
        ("留守儿童心得体会(3)", "留守儿童心得体会", 3),
        ("留守儿童作文【一】", "留守儿童作文", 1),
        ("关爱留守儿童心得体会之一", "关爱留守儿童心得体会", 1),
        ("留守儿童演讲稿一", "留守儿童演讲稿", 1),
        ("留守儿童演讲稿十二", "留守儿童演讲稿", 12),
    ],
)
def test_series_number(line, stem, number):
    assert series_number(line)[:2] == (stem, number)


@pytest.mark.parametrize(
    "line",
    [
        "一、用爱心走进孩子的内心",
        "（二）开展丰富多彩的关爱活动",
        "妈妈，我想你1",
        "留守儿童作文400字",
        "关爱留守儿童演讲稿（精选5篇）",
        "2023年3月12日",
        "二年级一班",
        "留守儿童演讲稿1。",
        "我的学习计划：",
        "",
    ],
)
def test_not_series_number(line):
    assert series_number(line) is None


@pytest.mark.parametrize(
    "first, second, stem, numbers",
    [
        ("留守儿童演讲稿1", "留守儿童演讲稿2", "留守儿童演讲稿", (1, 2)),
        ("留守儿童演讲稿 1", "留守儿童演讲稿 2", "留守儿童演讲稿", (1, 2)),
        ("关爱留守儿童事迹材料（一）", "关爱留守儿童事迹材料（二）", "关爱留守儿童事迹材料", (1, 2)),
        ("留守儿童心得体会(2)", "留守儿童心得体会(3)", "留守儿童心得体会", (2, 3)),
        ("留守儿童作文【一】", "留守儿童作文【二】", "留守儿童作文", (1, 2)),
        ("关爱留守儿童心得体会之一", "关爱留守儿童心得体会之二", "关爱留守儿童心得体会", (1, 2)),
        ("留守儿童演讲稿一", "留守儿童演讲稿二", "留守儿童演讲稿", (1, 2)),
    ],
)
def test_series_headings_split_essays(first, second, stem, numbers):
    text = "\n".join([first, BODY_A, "", second, BODY_B])
    heads = find_headings(text.split("\n"), PATTERNS)
    assert [(h.line_no, h.number, h.title, h.rule) for h in heads] == [
        (1, numbers[0], stem, "series"),
        (4, numbers[1], stem, "series"),
    ]
    preamble, chunks = split_essays(text, headings=heads)
    assert preamble == []
    assert [c.lines for c in chunks] == [[BODY_A], [BODY_B]]
    assert not any(first in c.raw_text or second in c.raw_text for c in chunks)


@pytest.mark.parametrize(
    "lines",
    [
        # a single title with a number
        ["留守儿童演讲稿1", BODY_A, BODY_B],
        # titles listed one under the other with no text between: a list of links
        ["留守儿童演讲稿1", "留守儿童演讲稿2", "留守儿童演讲稿3", BODY_A],
        # numbers that fall
        ["留守儿童演讲稿2", BODY_A, "留守儿童演讲稿1", BODY_B],
    ],
)
def test_not_a_series(lines):
    assert find_series(lines) == {}


@pytest.mark.parametrize(
    "lines",
    [
        ["关爱留守儿童", "一、用爱心走进孩子的内心", BODY_A, "二、用耐心帮助孩子成长", BODY_B],
        ["关爱留守儿童", "（一）用爱心走进孩子的内心", BODY_A, "（二）用耐心帮助孩子成长", BODY_B],
    ],
)
def test_section_headings_inside_an_essay_do_not_split_it(lines):
    heads = find_headings(lines, PATTERNS, page_title=True)
    assert [(h.line_no, h.rule) for h in heads] == [(1, "page_title")]


def test_series_next_to_a_builtin_heading():
    lines = ["留守儿童演讲稿1", BODY_A, "", "留守儿童演讲稿2", BODY_B, "", "范文三", BODY_C]
    assert [h.line_no for h in find_headings(lines, PATTERNS)] == [1, 4, 7]


# ---------------------------------------------------------------- repeated titles


def test_repeated_title_above_each_essay_splits():
    title = "留守儿童作文400字"
    lines = [title, BODY_A + BODY_B, "", title, BODY_B + BODY_C, "", title, BODY_C + BODY_A]
    heads = find_headings(lines, PATTERNS)
    assert [(h.line_no, h.number, h.title, h.rule) for h in heads] == [
        (1, 1, title, "repeated_title"),
        (4, 2, title, "repeated_title"),
        (7, 3, title, "repeated_title"),
    ]


def test_repeated_title_that_is_also_the_page_title():
    # the page's own title, then the same title over each essay
    title = "留守儿童作文400字"
    lines = [title, title, BODY_A + BODY_B, "", title, BODY_B + BODY_C]
    assert find_repeated_titles(lines) == {2: title, 5: title}
    _, chunks = split_essays("\n".join(lines), headings=find_headings(lines, PATTERNS))
    assert [c.lines for c in chunks] == [[BODY_A + BODY_B], [BODY_B + BODY_C]]


STANZA_1 = "月亮弯弯挂天上，奶奶的背影像月亮，我躲在被窝里偷偷地想着远方的妈妈，想着她温暖的怀抱。"
STANZA_2 = "星星一闪一闪亮，妈妈的眼睛像星星，我趴在窗台上数着回家的日子，数着数着就睡着了。"
STANZA_3 = "小河哗哗向前流，流到妈妈打工的城市，请你替我告诉妈妈，我已经长大了，我会照顾好奶奶。"


def test_a_poems_refrain_does_not_split_it():
    poem = ["想念", "妈妈你在哪里", STANZA_1, STANZA_2, "妈妈你在哪里", STANZA_2, STANZA_3, "妈妈你在哪里", STANZA_3]
    assert find_repeated_titles(poem) == {}
    assert [(h.line_no, h.rule) for h in find_headings(poem, PATTERNS, page_title=True)] == [(1, "page_title")]


def test_a_poem_titled_by_its_refrain_is_one_essay():
    poem = ["妈妈你在哪里", STANZA_1, STANZA_2, "妈妈你在哪里", STANZA_2, STANZA_3, "妈妈你在哪里", STANZA_3, STANZA_1]
    assert len(find_headings(poem, PATTERNS, page_title=True)) == 1


# ---------------------------------------------------------------- page title


@pytest.mark.parametrize(
    "lines, title_line",
    [
        (["我的奶奶", BODY_A, BODY_B], 1),
        (["", "  我的奶奶  ", BODY_A], 2),
        (["尊敬的各位领导：", BODY_A, BODY_B], None),  # a salutation
        (["亲爱的爸爸妈妈：", BODY_A], None),
        ([BODY_A, BODY_B], None),  # prose first
        (["我的奶奶"], None),  # no text under it
    ],
)
def test_find_page_title(lines, title_line):
    assert find_page_title(lines) == title_line


# ---------------------------------------------------------------- plan_essays

PAGE = [
    "关爱留守儿童演讲稿_青青范文网",  # 1 site_title
    "当前位置：首页 > 演讲稿 > 正文",  # 2 breadcrumb
    "关爱留守儿童演讲稿（精选2篇）",  # 3 collection_title
    "时间：2023-05-12 10:21  作者：李明",  # 4 publication
    "下面是小编为大家整理的关爱留守儿童演讲稿，仅供参考，欢迎阅读。",  # 5 blurb
    "",
    "关爱留守儿童演讲稿1",  # 7
    "尊敬的各位老师，亲爱的同学们：",  # 8
    "我们学校有一百多名留守儿童，他们的父母远在广东打工，一年才回来一次。",  # 9
    "【广告】暑假辅导班火热招生中",  # 10 ad inside essay 1
    "每到周末，孩子们只能和年迈的爷爷奶奶待在一起，心里有很多话却没人可说。",  # 11
    "谢谢大家！",  # 12
    "",
    "关爱留守儿童演讲稿2",  # 14
    "亲爱的同学们：",  # 15
    "我的同桌小宇的爸爸妈妈在浙江打工，已经两年没有回家过年了，他很少说话。",  # 16
    "从那天起，我每天课间都拉他去跳绳，慢慢地，小宇的话多了起来，脸上也有了笑容。",  # 17
    "分享到：微信 微博 QQ空间",  # 18 share
    "上一篇：教师节演讲稿",  # 19 prevnext
    "Copyright © 2023 青青范文网 版权所有",  # 20 copyright
]
OUTSIDE_CHROME = {
    1: "site_title",
    2: "breadcrumb",
    3: "collection_title",
    4: "publication",
    5: "blurb",
    18: "share",
    19: "prevnext",
    20: "copyright",
}


def _raw(tmp_path, lines, name="page.txt", *, encoding="gb18030", newline="\r\n"):
    path = tmp_path / name
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return read_raw(path)


def test_plan_essays_splits_and_accounts_for_every_line(tmp_path):
    essays, log, flags, info = plan_essays(_raw(tmp_path, PAGE), PATTERNS)
    assert [(e.heading, e.heading_number, e.title, e.split_rule, e.line_start, e.line_end) for e in essays] == [
        ("关爱留守儿童演讲稿1", 1, "关爱留守儿童演讲稿", "series", 8, 12),
        ("关爱留守儿童演讲稿2", 2, "关爱留守儿童演讲稿", "series", 15, 17),
    ]
    assert essays[0].raw_text.split("\n") == PAGE[7:12]
    assert not any(e.heading in e.raw_text for e in essays)
    # chrome inside an essay travels with it; chrome outside is logged, one row per line
    assert [(no, kind) for no, kind, _ in essays[0].chrome] == [(10, "ad")]
    assert essays[1].chrome == ()
    assert sorted((r["line"], r["rule"], r["context"].split(":")[0]) for r in log) == [
        (no, "remove_chrome", kind) for no, kind in sorted(OUTSIDE_CHROME.items())
    ]
    assert all(r["before"] == PAGE[r["line"] - 1] for r in log)
    # every non-blank line is in an essay, is an essay's heading, or is logged
    spans = {n for e in essays for n in range(e.line_start, e.line_end + 1)}
    headings = {e.line_start - 1 for e in essays}
    logged = [r["line"] for r in log]
    assert len(logged) == len(set(logged))
    unaccounted = {no for no, line in enumerate(PAGE, start=1) if line.strip()} - spans - headings - set(logged)
    assert unaccounted == set()
    assert spans & set(logged) == set()
    # metadata from the publication line above the essays
    assert dict(essays[0].metadata) == {"author": "李明", "date": "2023-05-12"}
    assert info["split_rule"] == "series" and flags == []


def test_plan_essays_keep_chrome(tmp_path):
    essays, log, _, info = plan_essays(_raw(tmp_path, PAGE), PATTERNS, keep_chrome=True)
    assert [e.chrome for e in essays] == [(), ()]
    assert "【广告】暑假辅导班火热招生中" in essays[0].raw_text
    assert essays[1].raw_text.split("\n")[-3:] == PAGE[17:20]  # the page's footer stays in the last essay
    assert not any(r["rule"] == "remove_chrome" and r["line"] > 7 for r in log)
    assert info["n_chrome_lines"] == 0


def test_breadcrumb_ending_in_a_heading_style_does_not_split(tmp_path):
    page = [
        "当前位置：首页 > 心得体会 > 关爱留守儿童心得体会篇二",
        "关爱留守儿童心得体会",
        "这学期我担任了三年级的班主任，班上有十二个孩子的父母常年在外地打工，平时跟着爷爷奶奶生活。",
        "我每周都会找他们谈一次心，听他们说说学校和家里的事，慢慢地，他们愿意把心里话告诉我了。",
        "上一篇：关爱留守儿童心得体会篇一",
    ]
    essays, log, _, _ = plan_essays(_raw(tmp_path, page, encoding="utf-8", newline="\n"), PATTERNS)
    assert [(e.heading, e.split_rule, e.line_start, e.line_end) for e in essays] == [
        ("关爱留守儿童心得体会", "page_title", 3, 4)
    ]
    assert [(r["line"], r["context"].split(":")[0]) for r in log] == [(1, "breadcrumb"), (5, "prevnext")]


def test_a_salutation_first_line_is_not_a_page_title(tmp_path):
    lines = ["当前位置：首页 > 演讲稿 > 正文", "尊敬的各位领导：", BODY_A, BODY_B]
    essays, log, _, info = plan_essays(_raw(tmp_path, lines, encoding="utf-8", newline="\n"), PATTERNS)
    assert [(e.heading, e.split_rule, e.line_start, e.line_end) for e in essays] == [("", "none", 2, 4)]
    assert essays[0].raw_text.startswith("尊敬的各位领导：")
    assert [r["line"] for r in log] == [1]


def test_long_essay_with_repeated_title_lines_is_a_doubtful_split(tmp_path):
    sentences = [
        "奶奶每天天不亮就起床，先给鸡喂食，再给我做早饭，然后送我走很远的山路去上学。",
        "放学回家，我总是先帮奶奶把柴火抱进屋里，再坐在小板凳上写作业，等着天黑下来。",
        "爸爸妈妈在深圳的工厂里上班，每个星期天晚上都会打电话回来，问我学习怎么样。",
        "我很想告诉他们，我一个人也能照顾好自己，可一听到妈妈的声音，我就忍不住哭了。",
    ]
    body = []
    for k in range(40):
        if k % 10 == 0:
            body.append("爷爷的小院")  # a sub-title that recurs: the page may hold several essays
        body.extend(sentences)
    assert sum(map(len, body)) > DOUBTFUL_SPLIT_CHARS
    essays, _, flags, _ = plan_essays(_raw(tmp_path, ["留守的日子", *body], encoding="utf-8", newline="\n"), PATTERNS)
    assert len(essays) == 1
    assert [(f["flag"], f["essay_id"]) for f in flags] == [("doubtful_split", essays[0].essay_id)]
    assert "爷爷的小院" in flags[0]["detail"]


def test_short_essay_is_not_a_doubtful_split(tmp_path):
    lines = ["留守的日子", "爷爷的小院", BODY_A, "爷爷的小院", BODY_B]
    _, _, flags, _ = plan_essays(_raw(tmp_path, lines, encoding="utf-8", newline="\n"), PATTERNS)
    assert [f for f in flags if f["flag"] == "doubtful_split"] == []
