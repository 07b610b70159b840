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


# ---- shapes from dev24 (was heldout19), session 20

from analysis.ingest.split import find_headings, find_numbered_titles, marked_heading  # noqa: E402

_PROSE = "那年秋天，村小的操场上只剩下几个孩子在踢毽子，他们的爸爸妈妈都去了很远的城市打工。"
_PROSE2 = "老师每周都会陪他们给家里打一次电话，电话那头的声音总是很吵，可孩子们听得很认真。"
_LONG = _PROSE + _PROSE2  # (a piece's text: at least 60 characters under its title)


@pytest.mark.parametrize(
    "line, marked",
    [
        ("▲第三篇　我和留守孩子的约定", True),
        ("■篇四：一封没有寄出的信", True),
        ("◆范文2　走进山村小学", True),
        ("▲志愿者在教室里为孩子们辅导作业", False),  # a photo's caption
        ("▲第三篇文章是我最喜欢的，因为它写了奶奶。", False),  # (a sentence after the mark: no title)
        ("第三篇　我和留守孩子的约定", False),  # no mark: an ordinary heading, not a marked one
    ],
)
def test_a_numbered_heading_behind_a_mark_is_a_heading(line, marked):
    assert marked_heading(line, PATTERNS) is marked
    if marked:
        assert match_heading(line, PATTERNS)[0] in (2, 3, 4)


def _collection(*tail):
    return ["篇一：留守的日子", _PROSE, _PROSE2, "", "篇二：奶奶的老花镜", _PROSE, _PROSE2, "", *tail]


def test_the_last_bare_titles_a_collection_still_lacks_head_its_last_pieces():
    lines = _collection("你听见他们的心声了吗？", _PROSE, _PROSE2, "", "一起把孩子们的手牵起来！", _PROSE, _PROSE2)
    heads = find_headings(lines, PATTERNS, expected=4)
    assert [h.line_no for h in heads] == [1, 5, 9, 13]
    # negatives: more bare titles than the count lacks, or no count at all: no guess
    assert [h.line_no for h in find_headings(lines, PATTERNS, expected=5)] == [1, 5]
    assert [h.line_no for h in find_headings(lines, PATTERNS)] == [1, 5]


def test_a_closing_line_of_a_piece_is_no_bare_title():
    # (a speech's thanks, a letter's wish, a line that runs on from the text above)
    lines = _collection("谢谢大家！", _PROSE, "", "祝你", "天天开心！", _PROSE2)
    assert [h.line_no for h in find_headings(lines, PATTERNS, expected=3)] == [1, 5]


def test_numbered_titles_may_hold_a_comma_when_the_page_gives_the_count():
    lines = [
        "（一）春天，我等你回家",
        _LONG,
        "（二）爷爷的旱烟袋",
        _LONG,
        "（三）别哭，我们一起长大",
        _LONG,
    ]
    assert sorted(find_numbered_titles(lines, 3)) == [1, 3, 5]
    # negative: numbered points inside one essay end their sentence (（一）建好档案，做到心中有数。)
    points = ["（一）摸清底数，建立台账。", _LONG, "（二）结对帮扶，落实责任。", _LONG]
    assert find_numbered_titles(points, 2) == {}


def test_numbered_section_marks_under_one_articles_title_are_its_sections():
    sections = [
        "那个在桥头等妈妈的男孩",
        "编者按：今天想和大家讲一个孩子的故事。",
        "01｜桥头",
        _LONG,
        "02｜电话",
        _LONG,
        "03｜回家",
        _LONG,
    ]
    assert all(h.rule != "numbered_titles" for h in find_headings(sections, PATTERNS))
    # …but where the page announces several pieces they head the pieces
    pieces = ["编者按：本期选登三篇孩子们的习作。", *sections[2:]]
    assert [h.line_no for h in find_headings(pieces, PATTERNS)] == [2, 4, 6]
    assert all(h.rule == "numbered_titles" for h in find_headings(pieces, PATTERNS))


# ---- shapes from real speech pages (session 20)
from analysis.ingest.split import is_salutation  # noqa: E402


@pytest.mark.parametrize(
    "line, expected",
    [
        ("各位领导，老师，同学们：", True),  # a role word alone after the first addressee
        ("各位领导,老师,同学们:", True),  # ASCII punctuation of a traditional page, simplified
        ("尊敬的评委、观众朋友们：", True),
        ("各位家长和老师：", True),
        ("老师说：", False),
        ("同学们都说：", False),
        ("各位同学，老师说了：明天放假", False),
    ],
)
def test_a_speech_salutation_is_recognised_with_bare_role_words(line, expected):
    assert is_salutation(line) is expected


def test_a_salutation_shared_by_two_files_of_a_folder_stays_in_both(tmp_path):
    from analysis.ingest.intake import plan_essays  # noqa: F401  (the build's own reading)
    from analysis.pipeline.build import build

    raw = tmp_path / "raw"
    raw.mkdir()
    body = "据统计，我们镇上有三百多名留守儿童，他们的父母常年在外地打工。我们每个人都应该伸出双手，关心身边的小伙伴。"
    (raw / "a.txt").write_text(
        f"关爱留守儿童演讲稿\n\n各位领导，老师，同学们：\n\n大家好！\n\n{body}\n", encoding="utf-8"
    )
    (raw / "b.txt").write_text(
        f"让爱陪伴成长\n\n各位领导，老师，同学们：\n\n早上好！\n\n{body[::-1]}。\n", encoding="utf-8"
    )
    build(raw, tmp_path / "out", use_cache=False, jobs=1, progress=False)
    import pandas as pd

    paras = pd.read_parquet(tmp_path / "out" / "paragraphs.parquet")
    assert (paras["text"] == "各位领导，老师，同学们：").sum() == 2


# ---- shapes from dev25 (was heldout20), session 21

from analysis.ingest.split import find_page_title  # noqa: E402


def test_titles_in_tortoise_shell_brackets_are_numbered_titles():
    lines = ["〔一〕老屋的门槛", _LONG, "〔二〕井边的桂花树", _LONG, "〔三〕写给十年后的自己", _LONG]
    assert sorted(find_numbered_titles(lines, 3)) == [1, 3, 5]
    # negative: a bracketed note inside the text is no title (it ends a sentence)
    assert find_numbered_titles(["〔一〕这是奶奶的原话。", _LONG, "〔二〕这是我后来听说的。", _LONG], 2) == {}


def test_a_no_numbered_piece_fills_its_place_in_a_counted_collection():
    lines = [
        "【荐】山里的读书声（一）",
        _LONG,
        "【荐】山里的读书声（二）",
        _LONG,
        "精品范文 NO.3　小河",
        _LONG,
        "第4篇 写给远方的爸爸",
        _LONG,
    ]
    heads = find_headings(lines, PATTERNS, expected=4)
    assert [h.line_no for h in heads] == [1, 3, 5, 7]
    # negative: a sentence that says No.3 is no heading
    lines[4] = "我穿的球衣是NO.3，那是哥哥留给我的。"
    assert 5 not in [h.line_no for h in find_headings(lines, PATTERNS, expected=4)]


def test_titles_under_each_pieces_author_line_head_pieces_furniture_between_them_aside():
    lines = [
        "河边的老水车",  # 1
        _PROSE,
        _PROSE2,
        "作者：某镇中学　初一（2）班　杜小芽",  # 4
        "【广告】暑假练字班，报名立减＞＞",  # 5 (furniture between the author's line and the next title)
        "",
        "奶奶，别再等了",  # 7 (a title with a comma)
        _PROSE2,
        _PROSE,
        "作者：某县实验中学　八年级（3）班　黄小满",  # 10
        "",
        "雨天的伞",  # 12
        _PROSE,
        _PROSE2,
    ]
    heads = find_headings(lines, PATTERNS, skip={4, 5, 10}, author_lines={4, 10})
    assert [h.line_no for h in heads] == [1, 7, 12]
    # negative: a clause with a comma under the author's line that runs on is no title
    lines[6] = "后来，我长大了，"
    assert [h.line_no for h in find_headings(lines, PATTERNS, skip={4, 5, 10}, author_lines={4, 10})] != [1, 7, 12]


def test_a_topic_label_over_a_place_led_headline_is_no_title():
    lines = ["关爱“小候鸟”", "某镇：退休教师办起“周末课堂”", "2024年08月02日 09:10 | 来源：某某日报", _PROSE, _PROSE2]
    assert find_page_title(lines, skip={3}) == 2
    # negative: a title over its poem's first line is still the title
    poem = ["外婆的河", "河水清清", _PROSE, _PROSE2]
    assert find_page_title(poem) == 1


def test_a_forum_posters_rank_is_no_page_title():
    lines = ["【原创】外婆家的那条河", "溪边的鹅卵石　楼主", "留守儿童吧　9级", _PROSE, _PROSE2]
    assert find_page_title(lines, skip={2}) == 1
