"""analysis.ingest.split: essays at heading lines, preamble apart, exact line numbers."""

from __future__ import annotations

import pytest

from analysis.ingest.split import cn_to_int, compile_patterns, match_heading, split_essays

PATTERNS = compile_patterns()


@pytest.mark.parametrize(
    "text, number",
    [
        ("一", 1),
        ("九", 9),
        ("十", 10),
        ("十一", 11),
        ("十二", 12),
        ("二十", 20),
        ("二十三", 23),
        ("两", 2),
        ("一百零五", 105),
        ("12", 12),
        (" 3 ", 3),
        ("", None),
        ("篇", None),
        ("abc", None),
    ],
)
def test_cn_to_int(text, number):
    assert cn_to_int(text) == number


@pytest.mark.parametrize(
    "line, number, title",
    [
        ("小学教师关爱留守儿童工作总结篇一", 1, "小学教师关爱留守儿童工作总结"),
        ("小学教师关爱留守儿童工作总结篇十", 10, "小学教师关爱留守儿童工作总结"),
        ("关爱留守儿童心得体会篇十二", 12, "关爱留守儿童心得体会"),
        ("关爱留守儿童心得体会篇3", 3, "关爱留守儿童心得体会"),
        ("关爱留守儿童（篇五）", 5, "关爱留守儿童"),
        ("\u3000\u3000小学教师关爱留守儿童工作总结篇二  ", 2, "小学教师关爱留守儿童工作总结"),
        ("篇一", 1, ""),
        ("篇二十三", 23, ""),
        ("第一篇", 1, ""),
        ("第1篇：我的老师", 1, "我的老师"),
        ("第十一篇 留守的日子", 11, "留守的日子"),
        ("【篇一】", 1, ""),
        ("【第1篇】", 1, ""),
        ("【第2篇】我的妈妈", 2, "我的妈妈"),
        ("〖篇三〗", 3, ""),
        ("[篇4]", 4, ""),
        ("范文1", 1, ""),
        ("范文一：留守儿童的心声", 1, "留守儿童的心声"),
        ("模板2", 2, ""),
        ("留守儿童工作总结范文3", 3, "留守儿童工作总结"),
    ],
)
def test_heading_styles(line, number, title):
    assert match_heading(line, PATTERNS) == (number, title)


@pytest.mark.parametrize(
    "line, number, title",
    [
        ("篇三：「老师，明天你还来吗？」", 3, "「老师，明天你还来吗？」"),
        ("第二篇：“爸爸，我能去找你吗？”", 2, "“爸爸，我能去找你吗？”"),
    ],
)
def test_a_numbered_title_may_quote_a_question(line, number, title):
    # session 18 (heldout14): the question is quoted, so the line is still a title
    assert match_heading(line, PATTERNS) == (number, title)
    # outside quotes, a question mark still ends a sentence, never a title
    assert match_heading("第二篇：爸爸，我能去找你吗？我想你了。", PATTERNS) is None


@pytest.mark.parametrize(
    "line",
    [
        "一、诲人不倦，架心灵之桥",  # a section heading inside an essay
        "三、视同己子，沐爱之阳光",
        "1、开展师生谈心活动。",
        "钟坪小学四1班班主任：王娟",  # byline
        "我读了第三篇",
        "这是一篇",
        "篇一。",  # sentence punctuation: not a heading
        "关爱留守儿童从你我做起！",
        "小学教师关爱留守儿童工作总结" * 5 + "篇一",  # longer than a heading can be
        "",
        "\u3000\u3000",
    ],
)
def test_not_headings(line):
    assert match_heading(line, PATTERNS) is None


@pytest.mark.parametrize("line", ["【一】诲人不倦", "【1】开展师生谈心活动", "[1] 参考文献"])
def test_bracketed_section_numbers_are_not_essay_headings(line):
    assert match_heading(line, PATTERNS) is None


def test_user_pattern_is_tried_first_and_may_lack_groups():
    pats = compile_patterns([r"^作文(?P<num>\d+)[:：](?P<title>.+)$", r"^=+ 留守.*=+$"])
    assert match_heading("作文7：我的爷爷", pats) == (7, "我的爷爷")
    assert match_heading("=== 留守的日子 ===", pats) == (None, "=== 留守的日子 ===")
    assert match_heading("作文7：我的爷爷", PATTERNS) is None
    assert match_heading("篇二", pats) == (2, "")  # built-ins still apply


def test_invalid_user_pattern_names_it():
    with pytest.raises(ValueError, match=r"'\(篇' is not a valid regular expression"):
        compile_patterns(["(篇"])


def test_split_keeps_preamble_apart_and_line_numbers_exact():
    text = (
        "最新关爱留守儿童工作总结(优秀3篇)\n"  # 1
        "\n"  # 2
        "以下是一些范文，供参考。\n"  # 3
        "关爱留守儿童工作总结篇一\n"  # 4
        "\n"  # 5
        "我是班主任。\n"  # 6
        "孩子们很开心。\n"  # 7
        "\n"  # 8
        "关爱留守儿童工作总结篇二\n"  # 9
        "第二篇的正文。\n"  # 10
        "\n"  # 11
    )
    preamble, chunks = split_essays(text, patterns=PATTERNS)
    assert preamble == ["最新关爱留守儿童工作总结(优秀3篇)", "", "以下是一些范文，供参考。"]
    assert [(c.ordinal, c.heading.number, c.heading.line_no, c.line_start, c.line_end) for c in chunks] == [
        (1, 1, 4, 6, 7),
        (2, 2, 9, 10, 10),
    ]
    assert chunks[0].raw_text == "我是班主任。\n孩子们很开心。"
    lines = text.split("\n")
    for c in chunks:
        assert lines[c.line_start - 1 : c.line_end] == c.lines


def test_no_heading_is_one_essay():
    text = "\n\n我的爷爷奶奶\n\n我是一名留守儿童。\n爸爸妈妈在外打工。\n\n"
    preamble, chunks = split_essays(text, patterns=PATTERNS)
    assert preamble == []
    assert len(chunks) == 1
    c = chunks[0]
    assert (c.heading, c.line_start, c.line_end) == (None, 3, 6)
    assert c.raw_text == "我的爷爷奶奶\n\n我是一名留守儿童。\n爸爸妈妈在外打工。"


def test_twelve_essays_beyond_ten():
    text = (
        "\n".join(
            f"关爱留守儿童心得体会篇{n}\n这是第{k}篇的正文。" for k, n in enumerate("一二三四五六七八九十", start=1)
        )
        + "\n关爱留守儿童心得体会篇十一\n正文十一。\n关爱留守儿童心得体会篇十二\n正文十二。"
    )
    _, chunks = split_essays(text, patterns=PATTERNS)
    assert [c.heading.number for c in chunks] == list(range(1, 13))
    assert chunks[-1].lines == ["正文十二。"]


def test_heading_without_body_gives_no_inverted_range():
    _, chunks = split_essays("篇一\n正文。\n篇二\n", patterns=PATTERNS)
    assert all(c.line_start <= c.line_end and c.lines for c in chunks)


def test_seed_splits_into_ten(seed_lines):
    text = "\n".join(seed_lines)
    preamble, chunks = split_essays(text, patterns=PATTERNS)
    assert [c.heading.number for c in chunks] == list(range(1, 11))
    assert all(c.heading.title == "小学教师关爱留守儿童工作总结" for c in chunks)
    assert any("试用期总结" in line for line in preamble)
    assert not any("试用期总结" in c.raw_text or "护师总结" in c.raw_text for c in chunks)
    for c in chunks:
        assert seed_lines[c.heading.line_no - 1].endswith(f"篇{'一二三四五六七八九十'[c.ordinal - 1]}")
        assert seed_lines[c.line_start - 1 : c.line_end] == c.lines


def test_a_model_piece_numbered_between_marks_is_a_heading():
    assert match_heading("◆范文二◆　一位外婆的发言", compile_patterns()) == (2, "一位外婆的发言")
    assert match_heading("★范文3★ 留守的冬天", compile_patterns()) == (3, "留守的冬天")
