"""analysis.ingest.clean on page damage: cut markers, mojibake, double encoding,
quote pairs, paragraph joining and gap flags on real-looking captures."""

from __future__ import annotations

import re

import pytest

from analysis.ingest.clean import (
    Paragraph,
    clean_essay,
    clean_text,
    find_mojibake,
    fix_double_encoding,
    fix_quote_pairs,
    flag_gaps,
    is_cut_line,
    join_broken_paragraphs,
    join_evidence,
    deleted_posts,
    missing_pages,
    numbering_gaps,
    omissions,
    remove_cut_marker,
    remove_ruby,
)
from analysis.resources import load_yaml

CUT_MARKERS = load_yaml("cleaning.yaml")["cut_markers"]
FIRST = "奶奶今年七十岁了，头发全白了。"


# ---------------------------------------------------------------- cut markers

CUT_LINES = [
    (  # session 24 (dev31): a text that stops mid-sentence at a bracketed note that the rest was not brought along
        "有一天，留言板上多了一行字，那是爸爸 〔扫描止于此页，原书第57页起未扫入〕",
        "有一天，留言板上多了一行字，那是爸爸",
        " 〔扫描止于此页，原书第57页起未扫入〕",
    ),
    (  # session 24 (dev31): … a marking app's trial that marked only the start
        "有一次，妈妈的声音特别小，她说 〔体验版仅批改前300字，后文没有上传到批改系统〕",
        "有一次，妈妈的声音特别小，她说",
        " 〔体验版仅批改前300字，后文没有上传到批改系统〕",
    ),
    (  # session 24 (dev31): … a feed's summary-only item, after an ellipsis
        "她拉着妈妈的衣角，一直拉到车门口 ……[本源只输出摘要，其余内容请前往原站查看]",
        "她拉着妈妈的衣角，一直拉到车门口",
        " ……[本源只输出摘要，其余内容请前往原站查看]",
    ),
    (  # session 23 (dev30): an ellipsis before a note in 〔〕 that the rest is read in the app
        "我们在站台上等了很久…… 〔以下内容请在某某阅读App中查看〕",
        "我们在站台上等了很久",
        "…… 〔以下内容请在某某阅读App中查看〕",
    ),
    (  # session 23 (dev30): … in 〖〗, a reader's trial that ended
        "外公把船划到了河中间……〖试读体验已结束，继续阅读请购买〗",
        "外公把船划到了河中间",
        "……〖试读体验已结束，继续阅读请购买〗",
    ),
    (  # session 23 (dev29): a text that stops at an ellipsis before a bracketed note of the wall
        "她把那封信读了三遍，然后…… （余下段落为会员专属，订阅本专栏后可读）",
        "她把那封信读了三遍，然后",
        "…… （余下段落为会员专属，订阅本专栏后可读）",
    ),
    (  # session 23 (dev28): a cached copy that stops short, pointing to the original page
        "大家都跑回了家…… （网页快照未保存全文，剩余内容请访问原网页）",
        "大家都跑回了家",
        "…… （网页快照未保存全文，剩余内容请访问原网页）",
    ),
    (  # session 22 (dev27): a paper's HTML preview wall after the cut text
        "三、研究发现 …… （HTML预览结束，全文共8页，请下载PDF阅读）",
        "三、研究发现 ……",
        "（HTML预览结束，全文共8页，请下载PDF阅读）",
    ),
    (  # session 19 (dev23): a serial's chapter that goes on on the next page
        "小雨把信折好，放进了枕头底下-->>本章未完，请翻到下一页",
        "小雨把信折好，放进了枕头底下",
        "-->>本章未完，请翻到下一页",
    ),
    (  # session 19: a paid document's notice that the piece goes on behind its wall
        "她每个周末都带孩子去镇上的图书馆…… 本篇未完，购买本文档后可复制全文",
        "她每个周末都带孩子去镇上的图书馆",
        "…… 本篇未完，购买本文档后可复制全文",
    ),
    (
        "村支书介绍，视频室开放一个月来，已累计接待……【详细】",
        "村支书介绍，视频室开放一个月来，已累计接待",
        "……【详细】",
    ),
    ("我想对妈妈说……此处隐藏6599个字……", "我想对妈妈说", "……此处隐藏6599个字……"),
    ("那年冬天，爸爸没有回来……余下全文……", "那年冬天，爸爸没有回来", "……余下全文……"),  # a preview's cut
    ("那天晚上，奶奶给我讲了一个很长的故事（未完待续）", "那天晚上，奶奶给我讲了一个很长的故事", "（未完待续）"),
    ("那天晚上，奶奶给我讲了一个很长的故事(未完待续)", "那天晚上，奶奶给我讲了一个很长的故事", "(未完待续)"),
    (
        "爸爸终于回来了，他给我带来了一个新书包……点击查看全文>>",
        "爸爸终于回来了，他给我带来了一个新书包",
        "……点击查看全文>>",
    ),
    (
        "为此，学校向全体教师发出倡议……余下全文请点击“下载”后查看",
        "为此，学校向全体教师发出倡议",
        "……余下全文请点击“下载”后查看",
    ),
    ("我最难忘的一天是去年的春节，剩余2341字，登录后阅读", "我最难忘的一天是去年的春节，", "剩余2341字，登录后阅读"),
    ("全县共有农村留守儿童一千余人。还剩4页未读，继续阅读", "全县共有农村留守儿童一千余人。", "还剩4页未读，继续阅读"),
    (
        "留守儿童的问题越来越受到社会的关注。剩余内容已隐藏，请下载后阅读",
        "留守儿童的问题越来越受到社会的关注。",
        "剩余内容已隐藏，请下载后阅读",
    ),
    ("调查显示，我县留守儿童的数量逐年增加。试读已结束", "调查显示，我县留守儿童的数量逐年增加。", "试读已结束"),
    (
        "关爱留守儿童工作总结。全文共5340字，当前仅显示部分内容",
        "关爱留守儿童工作总结。",
        "全文共5340字，当前仅显示部分内容",
    ),
    ("我们学校开展了一系列的关爱活动。登录后阅读全文", "我们学校开展了一系列的关爱活动。", "登录后阅读全文"),
    ("她的故事感动了所有人。（本文节选）", "她的故事感动了所有人。", "（本文节选）"),
    ("我们决定继续跟踪调查下去。剩余60%内容，请付费后阅读", "我们决定继续跟踪调查下去。", "剩余60%内容，请付费后阅读"),
    ("我们决定继续跟踪调查下去。开通VIP后可查看全部内容", "我们决定继续跟踪调查下去。", "开通VIP后可查看全部内容"),
    (
        "留守儿童的心理问题不容忽视。（第2页为VIP专享内容，开通VIP后可阅读本页）",
        "留守儿童的心理问题不容忽视。",
        "（第2页为VIP专享内容，开通VIP后可阅读本页）",
    ),
    ("她的话让我想了很久。（内容已折叠，点击展开）", "她的话让我想了很久。", "（内容已折叠，点击展开）"),
    (
        "留守儿童的数量在逐年增加。（全文约9600字，此处仅刊登部分内容）",
        "留守儿童的数量在逐年增加。",
        "（全文约9600字，此处仅刊登部分内容）",
    ),
    ("那天，全班同学都哭了。（限于篇幅，有删减）", "那天，全班同学都哭了。", "（限于篇幅，有删减）"),
    ("那天，全班同学都哭了。（本文有删节）", "那天，全班同学都哭了。", "（本文有删节）"),
    (
        "车开出村口的时候，孩子们还在挥手。帖子内容已截断，点击查看完整内容",
        "车开出村口的时候，孩子们还在挥手。",
        "帖子内容已截断，点击查看完整内容",
    ),
    (
        "燕子飞回来了。（本文节选自儿童故事集《屋檐下的燕子》，有删节）",
        "燕子飞回来了。",
        "（本文节选自儿童故事集《屋檐下的燕子》，有删节）",
    ),
    (
        "我咬了一口，甜得发腻。［本帖内容过长已截断，请登录后查看］",
        "我咬了一口，甜得发腻。",
        "［本帖内容过长已截断，请登录后查看］",
    ),
    ("到时候我们一起去。（未完，请点击第2页继续阅读）", "到时候我们一起去。", "（未完，请点击第2页继续阅读）"),
    ("今天先写到这。以下内容仅主人的好友可见", "今天先写到这。", "以下内容仅主人的好友可见"),
    (
        "他一直瞒着我。试读已结束，如需继续阅读或下载全文，请使用下载券或开通VIP会员",
        "他一直瞒着我。",
        "试读已结束，如需继续阅读或下载全文，请使用下载券或开通VIP会员",
    ),
    (
        "我们能不能做得更多？以上为部分内容预览，完整版请下载Word文档查看（共3页）",
        "我们能不能做得更多？",
        "以上为部分内容预览，完整版请下载Word文档查看（共3页）",
    ),
    ("活动取得了预期效果。完整版请下载附件查看", "活动取得了预期效果。", "完整版请下载附件查看"),
    ("外婆的针线盒却一直跟着我。（下转C02版）", "外婆的针线盒却一直跟着我。", "（下转C02版）"),
    # app and paywall walls (dev14)
    (
        "电脑已经用了五年，经常……打开山禾APP，阅读全文并查看更多精彩内容",
        "电脑已经用了五年，经常",
        "……打开山禾APP，阅读全文并查看更多精彩内容",
    ),
    (
        "在工厂里加班加点🔒 本文为付费内容，你已阅读32%，支付3币即可解锁剩余全文",
        "在工厂里加班加点",
        "🔒 本文为付费内容，你已阅读32%，支付3币即可解锁剩余全文",
    ),
    ("他们的不得已我后来才懂。解锁剩余内容", "他们的不得已我后来才懂。", "解锁剩余内容"),
    # a blog excerpt's bracketed ellipsis before its read-more link (dev20, was heldout15)
    ("孩子们早就学会了自己补衣服、[…]", "孩子们早就学会了自己补衣服、", "[…]"),
]


def test_every_cut_marker_form_is_covered():
    markers = [c.values[2] if hasattr(c, "values") else c[2] for c in CUT_LINES]
    uncovered = [p for p in CUT_MARKERS if not any(re.fullmatch(p, m) for m in markers)]
    assert uncovered == []


@pytest.mark.parametrize("line, kept, marker", CUT_LINES)
def test_cut_marker_removed_and_logged(line, kept, marker):
    out, edits = clean_text(line)
    assert out == kept
    assert [(e.rule, e.before) for e in edits] == [("remove_cut_marker", marker)]


@pytest.mark.parametrize("line, kept, marker", CUT_LINES)
def test_clean_essay_flags_truncated_at_the_marker(line, kept, marker):
    essay = clean_essay([FIRST, "", line], line_start=20)
    assert [p.text for p in essay.paragraphs] == [FIRST, kept]
    assert [(f["line"], f["flag"]) for f in essay.flags] == [(22, "truncated")]
    assert [(r["line"], r["before"]) for r in essay.log if r["rule"] == "remove_cut_marker"] == [(22, marker)]


def test_a_cut_marker_on_a_line_of_its_own_flags_the_essay():
    essay = clean_essay([FIRST, "", "……余下全文……"], line_start=20)  # a document preview's cut
    assert [p.text for p in essay.paragraphs] == [FIRST]
    assert [(f["line"], f["flag"]) for f in essay.flags] == [(22, "truncated")]


def test_inline_hidden_marker_keeps_the_text_on_both_sides():
    out, edits = clean_text("我想对妈妈说……此处隐藏6599个字……妈妈，我爱你。")
    assert out == "我想对妈妈说妈妈，我爱你。"
    assert [e.offset for e in edits] == [6]


@pytest.mark.parametrize(
    "text",
    [
        "妈妈说她的故事还没讲完，明天继续讲。",
        "我点击了一下屏幕，看到了妈妈的照片。",
        "全文共分三个部分。",
        "奶奶剩下的饭菜都留给了我。",
        "这就是我的寒假。（其余内容见下一篇。）",  # (the sentence ended before the note)
        "我记得那天下雨 （后面的事我记不清了）",  # (no word for the rest of a text)
        "奶奶把剩余的钱（三十块）存了起来，说要给我交学费",  # (not at the end)
    ],
)
def test_no_cut_marker_in_ordinary_text(text):
    assert remove_cut_marker(text) == (text, [])


def test_a_marker_alone_on_a_line_leaves_no_paragraph_and_stops_joining():
    essay = clean_essay(
        ["每到周末，孩子们只能和年迈的爷爷奶奶待在一起，", "（未完待续）", "心里有很多话却没人可说。"], line_start=5
    )
    assert [p.text for p in essay.paragraphs] == [
        "每到周末，孩子们只能和年迈的爷爷奶奶待在一起，",
        "心里有很多话却没人可说。",
    ]
    assert [(f["line"], f["flag"]) for f in essay.flags] == [(6, "truncated")]


def test_chrome_read_more_line_in_an_essay_is_removed_and_flags_truncated():
    lines = [FIRST, "那一年冬天，爸爸妈妈又要出门打工了，", "查看全文>>", "他们走的那天，我一直送到村口。"]
    essay = clean_essay(lines, line_start=10, chrome={12: ("readmore", "pattern: 查看全文")})
    assert [p.text for p in essay.paragraphs] == [
        FIRST,
        "那一年冬天，爸爸妈妈又要出门打工了，",
        "他们走的那天，我一直送到村口。",
    ]
    assert [(r["line"], r["rule"], r["context"]) for r in essay.log if r["rule"] == "remove_chrome"] == [
        (12, "remove_chrome", "readmore: pattern: 查看全文")
    ]
    assert [(f["line"], f["flag"]) for f in essay.flags] == [(12, "truncated")]


@pytest.mark.parametrize(
    "line, cut",
    [
        ("查看全文>>", True),
        ("点击阅读全文", True),
        ("……此处隐藏2310个字……", True),
        ("（未完待续）", True),
        ("上一篇：我的妈妈", False),
        ("妈妈的信：每当夜深人静的时候，我总是想起远方的妈妈……查看全文>>", False),
        ("相关推荐", False),
    ],
)
def test_is_cut_line(line, cut):
    assert is_cut_line(line) is cut


# ---------------------------------------------------------------- mojibake


@pytest.mark.parametrize(
    "text, found",
    [
        ("奶奶的�头发全白了", ["�"]),
        ("我想妈妈锟斤拷锟斤拷", ["锟斤拷锟斤拷"]),
        ("我?F將來要當老師", ["?F"]),
        ("留守儿童ç•™å®ˆ问题", ["ç•™å®ˆ"]),
        ("我爱我的妈妈。</p>", ["</p>"]),
        ("春天来了&nbsp;燕子回来了", ["&nbsp;"]),
        ("只有春節(jié)才會回家?guī)滋臁", ["?guī)"]),
        ("奶奶說？xiàn)在身體還好", ["？xiàn)"]),
        # negatives: ordinary text, a half-width question mark after a question
        ("奶奶今年七十岁了，头发全白了。", []),
        ("你好吗?我很好", []),
        ("他说：“你好吗？”", []),
        ("我考了100分!", []),
        ("café au lait", []),
    ],
)
def test_find_mojibake(text, found):
    assert [what for _, what, _ in find_mojibake(text)] == found


def test_lost_character_is_found_after_ruby_removal():
    text, _ = remove_ruby("爸爸說?F(xiàn)將來帶我去北京")
    assert text == "爸爸說?F將來帶我去北京"
    assert [what for _, what, _ in find_mojibake(text)] == ["?F"]


def test_clean_essay_flags_mojibake_with_the_file_line():
    essay = clean_essay([FIRST, "我想妈妈锟斤拷锟斤拷"], line_start=3)
    assert [(f["line"], f["flag"]) for f in essay.flags] == [(4, "mojibake")]


@pytest.mark.parametrize(
    "text_in, text_out",
    [
        ("ç•™å®ˆå„¿ç«¥", "留守儿童"),
        ("我们都是ç•™å®ˆå„¿ç«¥，但我们不孤单。", "我们都是留守儿童，但我们不孤单。"),
        # negatives: Latin text and Chinese text stay
        ("café résumé", "café résumé"),
        ("奶奶今年七十岁了", "奶奶今年七十岁了"),
    ],
)
def test_fix_double_encoding(text_in, text_out):
    out, edits = fix_double_encoding(text_in)
    assert out == text_out
    if text_in == text_out:
        assert edits == []
    else:
        assert [(e.rule, e.after) for e in edits] == [("fix_double_encoding", "留守儿童")]
        assert edits[0].before == "ç•™å®ˆå„¿ç«¥"


# ---------------------------------------------------------------- quotes


@pytest.mark.parametrize(
    "text_in, text_out, rule",
    [
        ("大家都叫她“爱心妈妈“。", "大家都叫她“爱心妈妈”。", "fix_quote_pairs"),
        ("大家都叫她”爱心妈妈“。", "大家都叫她“爱心妈妈”。", "fix_quote_pairs"),
        ("“我想妈妈“，小明说，“我也想爸爸“。", "“我想妈妈”，小明说，“我也想爸爸”。", "fix_quote_pairs"),
        ('大家都叫她"爱心妈妈"。', "大家都叫她“爱心妈妈”。", "normalize_quotes"),
        ('他说："我想妈妈。"', "他说：“我想妈妈。”", "normalize_quotes"),
        # negatives: nested quotes, single quotes inside double, a quote carried over, correct pairs
        ("她说：“学校开展了关爱农村“留守”儿童的活动，我很高兴。”", None, None),
        ("她说：“我们不要再叫他们‘留守’孩子了。”", None, None),
        ("她说今天很开心。”接着她又说：“明天见", None, None),
        ("“爱心妈妈”和“代理家长”", None, None),
    ],
)
def test_quote_pairs(text_in, text_out, rule):
    out, edits = fix_quote_pairs(text_in)
    if text_out is None:
        assert (out, edits) == (text_in, [])
    else:
        assert out == text_out
        assert edits and {e.rule for e in edits} == {rule}
        assert clean_text(text_in)[0] == text_out


# ---------------------------------------------------------------- joins


@pytest.mark.parametrize(
    "a, b, why",
    [
        ("每到周末，孩子们只能和年迈的爷爷奶奶待在一起，", "心里有很多话却没人可说。", "comma"),
        (
            "为了让孩子们敞开心扉，王老师成了每一个留守孩子的良师益",
            "友，大家都很喜欢她。",
            "word runs across",
        ),  # 良师益|友
        ("每天放学以后，爷爷总会把我带到他干活的那片玉米地里，让我坐在", "田埂上的大石头上写作业。", "「在」"),
        (
            "妈妈打工的那家工厂离家有两千多公里，她每年只能在春节的时候回来看我们",
            "几天，然后又匆匆地走了。",
            "long line of prose",
        ),
        ("那天晚上，我永远也忘不了奶奶为我熬", "的那碗姜汤。", "「的」"),
        ("她对我说：“孩子，别哭了，你爸爸妈妈过年就回来了。", "”说完，她轻轻地摸了摸我的头。", "closing punctuation"),
    ],
)
def test_join_evidence(a, b, why):
    assert why in join_evidence(a, b)
    out, log = join_broken_paragraphs([Paragraph(a, 3, 3), Paragraph(b, 5, 5)])
    assert [(p.text, p.line_start, p.line_end) for p in out] == [(a + b, 3, 5)]
    assert [(p.line_start, e.rule) for p, e in log] == [(5, "join_broken_paragraphs")]


@pytest.mark.parametrize(
    "a, b",
    [
        ("我一个人坐在门口，看着天一点一点地黑下来，只有孤独......", "远处传来几声狗叫。"),  # ASCII ......
        ("那天晚上，我在日记本上用英文写下了一句话：I miss you.", "然后轻轻地合上了本子。"),  # ASCII .
        ("那天晚上，我一个人坐在门口，看着天一点一点地黑下来…", "远处传来几声狗叫。"),  # …
        ("2023年3月12日", "今天是植树节，老师带我们去后山种树。"),  # a date
        ("青石小学 王丽", "2023年3月12日"),  # a signature
        ("尊敬的各位领导：", "大家好！我今天演讲的题目是《爱在身边》。"),  # a salutation
        ("我的奶奶", "奶奶今年七十岁了，头发全白了。"),  # a short title
        ("这学期，我们学校为留守儿童开展了丰富多彩的活动，主要有以下几项", "一、建立留守儿童档案"),  # a heading
        ("这学期，我们学校为留守儿童开展了丰富多彩的活动，主要有以下几项", "1、每周开展一次谈心活动。"),  # a list item
        ("这学期，我们学校为留守儿童开展了丰富多彩的活动，主要有以下几项", "（一）建立留守儿童档案"),
        ("我是一名乡村小学的老师。", "我爱我的学生。"),  # complete sentences
    ],
)
def test_no_join_evidence(a, b):
    assert join_evidence(a, b) == ""
    out, log = join_broken_paragraphs([Paragraph(a, 3, 3), Paragraph(b, 5, 5)])
    assert [p.text for p in out] == [a, b] and log == []


def test_a_poems_lines_ending_in_commas_are_never_joined_but_a_narrow_columns_are():
    poem = [
        "春天，我等燕子回来，",
        "燕子回来了。",
        "夏天，我等荷花开，",
        "荷花开了。",
        "冬天，我等爸爸妈妈，",
        "雪下了一场又一场。",
    ]
    out, log = join_broken_paragraphs([Paragraph(t, 3 + 2 * k, 3 + 2 * k) for k, t in enumerate(poem)])
    assert [p.text for p in out] == poem and log == []
    column = [
        "他和爷爷住在一起，每到周五，",
        "小松就跑到村口那棵老槐树下，",
        "踮起脚尖往山路上看。",
    ]  # a page's fixed width
    out, log = join_broken_paragraphs([Paragraph(t, 3 + 2 * k, 3 + 2 * k) for k, t in enumerate(column)])
    assert [p.text for p in out] == ["".join(column)]


def test_no_join_across_a_removed_chrome_line():
    a, b = "每到周末，孩子们只能和年迈的爷爷奶奶待在一起，", "心里有很多话却没人可说。"
    assert join_evidence(a, b) != ""  # the text alone would be joined
    out, log = join_broken_paragraphs([Paragraph(a, 3, 3), Paragraph(b, 5, 5, after_removed=True)])
    assert [p.text for p in out] == [a, b] and log == []


# ---------------------------------------------------------------- gaps


@pytest.mark.parametrize(
    "text, flagged",
    [
        ("解情况，主动和她谈心。", True),  # 了|解情况: a subjectless fragment
        ("顾孩子，她辞掉了工作。", True),  # 照|顾孩子
        ("的那碗姜汤，我至今还记得。", True),
        ("了一会儿，她又哭了。", True),
        # negatives: vocatives, time phrases, known openers, a name
        ("奶奶，您辛苦了。", False),
        ("白天，爷爷下地干活，奶奶在家做饭。", False),
        ("散会后，老师把我留了下来。", False),
        ("刚开始，他一句话也不说。", False),
        ("加油，你一定能行！", False),
        ("周秀英，女，汉族，1985年出生。", False),
        ("放学后，我去看奶奶。", False),
        ("爷爷，我想你。", False),
    ],
)
def test_flag_gaps(text, flagged):
    paras = [Paragraph("我是一名乡村小学的老师。", 1, 1), Paragraph(text, 3, 3)]
    flags = flag_gaps(paras)
    assert [p.line_start for p, _ in flags] == ([3] if flagged else [])
    for _, detail in flags:
        assert text[:3] in detail


def test_no_gap_after_an_unfinished_paragraph():
    paras = [
        Paragraph("我想多了解她家里的情况，于是经常去家访，慢慢了", 1, 1),
        Paragraph("解情况，主动和她谈心。", 3, 3),
    ]
    assert flag_gaps(paras) == []


@pytest.mark.parametrize(
    "texts, gaps",
    [
        # a sub-item that is not its item's first: 三、 and （一） were lost before it
        (
            [
                "一、活动目的",
                "让留守儿童感受到温暖。",
                "二、活动对象",
                "全镇留守儿童。",
                "（二）初中组以座谈为主。",
                "四、活动时间",
            ],
            {4: 2},
        ),
        # a skipped item
        (["一、基本情况", "全校共有学生三百人。", "二、主要做法", "四、存在问题"], {3: 2}),
        (["1.建立档案。", "2.结对帮扶。", "4.定期家访。"], {2: 1}),
        # whole numbering: nothing
        (
            [
                "一、基本情况",
                "（一）学生情况",
                "（二）家庭情况",
                "二、主要做法",
                "（一）建立档案",
                "1.逐人登记。",
                "2.每月更新。",
                "三、下一步打算",
            ],
            {},
        ),
        # a list that starts at its second item with no item above it: an excerpt, nothing to say
        (["（二）加强家校联系。", "（三）开展心理辅导。"], {}),
        (["我们班今年来了三个新同学。", "老师说：“二、三年级的同学先回家。”"], {}),
    ],
)
def test_numbering_gaps(texts, gaps):
    assert {k: since for k, (_, since) in numbering_gaps(texts).items()} == gaps


def test_a_skip_in_a_printed_documents_page_numbers_is_a_gap_and_no_join():
    lines = [
        "我的爸爸在很远的城市打工，每年春节才回来一次。每次他走的时候，我都会偷偷躲在门后面",
        "— 1 —",
        "学校组织我们和爸爸妈妈视频，我第一次看见爸爸干活的地方，那里有好多高高的楼",
        "— 3 —",
    ]
    chrome = {2: ("other", "pattern: — 1 —"), 4: ("other", "pattern: — 3 —")}
    lost = missing_pages(lines, chrome)
    assert list(lost) == [3] and "page 2 missing" in lost[3]
    assert len(clean_essay(lines, line_start=1, chrome=chrome).paragraphs) == 1  # read as one broken sentence
    cleaned = clean_essay(lines, line_start=1, chrome=chrome, lost_pages=lost)
    assert len(cleaned.paragraphs) == 2  # not joined across the lost page
    assert [(f["line"], f["flag"]) for f in cleaned.flags] == [(3, "suspected_gap")]
    # page numbers that run on: the sentence broken by the page break is joined, nothing is flagged
    chrome[4] = ("other", "pattern: — 2 —")
    lines[3] = "— 2 —"
    assert missing_pages(lines, chrome) == {}


def test_page_numbers_over_their_pages_put_the_lost_page_after_the_second():
    lines = ["第1页", "奶奶每天早上五点就起床，给我做好早饭再去地里。", "第3页", "后来我也学会了做饭。"]
    assert list(missing_pages(lines, {1, 3})) == [4]


def test_text_after_a_deleted_floor_of_the_thread_is_a_suspected_gap():
    lines = [
        "我从小跟着外婆长大，外婆家门口有一棵很大的枣树。",
        "2楼　此楼层已被管理员删除",
        "3楼　楼主　枣树下的阿青　2024-05-02 21:13",
        "后来我去镇上读初中，一个月才回一次家。",
    ]
    chrome = {2, 3}
    assert list(deleted_posts(lines, chrome)) == [4]
    cleaned = clean_essay(
        lines,
        line_start=1,
        chrome={2: ("comment", "p"), 3: ("publication", "p")},
        lost_pages=deleted_posts(lines, chrome),
    )
    assert [(f["line"], f["flag"]) for f in cleaned.flags] == [(4, "suspected_gap")]
    # an essay's own sentence about a deleted post is no notice; a notice with only more furniture below loses no text
    assert deleted_posts(["那条帖子后来被删除了，我有点难过。", "外婆说没关系。"], set()) == {}
    assert deleted_posts(["2楼　该楼层已被删除", "3楼　山风　2024-05-02", "", "顶一下"], {1, 2, 4}) == {}


# ---- shapes from dev21 (was heldout16) and dev22 (was heldout17), session 19


def test_text_after_an_editors_elision_or_a_page_that_failed_to_load_is_a_gap():
    lines = [
        "外婆每天傍晚都坐在门口，望着村口那条路。",
        "（中略）",
        "后来，外婆学会了用手机视频，每天晚上都要和妈妈说上几句。",
        "— 2 —",
        "第3頁 載入失敗，點擊重新載入",  # (either script)
        "第4页/共5页",
        "现在，外婆说她不用再望着那条路了。",
    ]
    chrome = {2, 4, 5, 6}
    assert {k: v.split("：")[0] for k, v in omissions(lines, chrome).items()}.keys() == {3, 7}
    cleaned = clean_essay(
        lines,
        line_start=1,
        chrome={k: ("other", "p") for k in chrome},
        lost_pages=omissions(lines, chrome),
    )
    assert [(f["line"], f["flag"]) for f in cleaned.flags] == [(3, "suspected_gap"), (7, "suspected_gap")]
    # the essay's own words about leaving things out are no notice
    assert omissions(["老师说，作文里的废话要略去。", "我把第三页撕掉了，加载失败的是我的心情。"], set()) == {}


def test_a_paid_documents_notice_that_the_piece_goes_on_is_a_cut():
    text, edits = remove_cut_marker("她每个周末都带孩子去镇上的图书馆…… 本篇未完，购买本文档后可复制全文")
    assert text == "她每个周末都带孩子去镇上的图书馆" and edits
    assert remove_cut_marker("这篇日记本文未完成的部分，我明天再写。")[1] == []  # (未完成: no notice)


# ---- shapes from dev23 (was heldout18), session 19


def _garbled(text: str) -> str:
    """``text`` as UTF-8 read as GBK (no replacement character when its bytes happen to fit)."""
    return text.encode("utf-8").decode("gbk", errors="replace")


def test_utf8_read_as_gbk_between_clean_text_is_flagged():
    run = _garbled("奶奶在灶台前")  # 18 bytes: decodes whole, ends mid-character
    assert "\ufffd" not in run
    line = "那天晚上，" + run + "煮了一锅红薯粥。"
    found = [(what, why) for _, what, why in find_mojibake(line)]
    assert found and all("GBK" in why for _, why in found) and found[0][0] in run
    assert not fix_double_encoding(line)[1] or "奶奶" in fix_double_encoding(line)[0]  # (never made worse)
    # ordinary text, rare characters and kana are no garbled run
    for clean in [
        "外婆的菜园里种着辣椒、茄子和豆角，夏天一到，满园都是绿油油的。",
        "他读的是《魑魅魍魉》，一本讲山里传说的书。",
        "日语课上我们学了ありがとう，意思是谢谢。",
    ]:
        assert find_mojibake(clean) == []


def test_a_garbled_run_is_found_at_its_offset_inside_a_long_line():
    # one run of non-ASCII characters thousands long (a line without punctuation, an OCR dump):
    # the run is found where it is, and the rest of the line is not flagged
    prose = "奶奶每天早上五点起床喂猪做饭送我上学再下地干活晚上还要给我缝补衣服" * 120
    run = _garbled("奶奶在灶台前")
    line = prose + run + prose
    found = [(at, what) for at, what, why in find_mojibake(line) if "inside clean text" in why]
    assert found and found[0][0] >= len(prose) - 2 and found[0][1] in prose[-2:] + run + prose[:2]
    assert [f for f in find_mojibake(prose * 3)] == []


def test_a_chapter_going_on_on_the_next_page_is_a_cut():
    text, edits = remove_cut_marker("小雨把信折好，放进了枕头底下-->>本章未完，请翻到下一页")
    assert text == "小雨把信折好，放进了枕头底下" and edits
    assert remove_cut_marker("本章未完的故事，我想自己接着写下去。")[1] == []  # (no marker before it)


def test_text_after_a_picture_that_failed_to_load_is_a_gap():
    lines = ["他说，明年还想来。", "[图片加载失败，点击重试]", "所以我们约好了，明年夏天再见。"]
    assert omissions(lines, {2}).keys() == {3}
    assert omissions(["这张图片加载失败了好几次，我只好重新拍。"], set()) == {}


# ---- shapes from dev25 (was heldout20), session 21


def test_text_after_a_folded_floor_or_a_missing_scanned_page_is_a_suspected_gap():
    folded = [
        "外婆家门口有一棵很大的枣树，夏天我们就在树下写作业。",
        "4楼　2024-05-02 21:13",
        "该楼层疑似违规已被系统折叠　查看此楼",
        "枣树下的阿青　楼主",
        "“你外婆今天又去村口等你了。”舅舅在电话里说。",
    ]
    assert list(deleted_posts(folded, {2, 3, 4})) == [5]
    scanned = [
        "我们班有个同学叫小满，她每天都要走一个小时的山路来上学。",
        "23",
        "［原刊第24页扫描件缺失］",
        "从那以后，大家每天轮流在路口等她。",
    ]
    assert list(omissions(scanned, {2, 3})) == [4]
    # negatives: an essay's own sentence about a folded quilt or a missing page is no notice
    assert deleted_posts(["奶奶把被子折叠好，放进了柜子。", "我去上学了。"], set()) == {}
    assert omissions(["那本书第24页缺失了，是弟弟撕的。", "我没有怪他。"], set()) == {}
