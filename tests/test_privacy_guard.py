"""Tests of the privacy guard: names replaced in every written form, scoped
short forms, the page check before a report is written (fail closed), the
researcher's always/never lists, the review table of likely names the
detector missed, and the overview's counts and top words.

Every name and place below is invented. One small corpus (eight essays of my
own, built once per module with ``jobs=1`` and the researcher's lists given
through :func:`analysis.methods.privacy.load_lists`' path arguments) serves the tests
that need a data folder; the seed build of ``conftest`` serves one check on
real text. Expected texts are written by hand from the sentences below.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis import io as aio
from analysis.methods import privacy
from analysis.reporting import overview, report
from analysis.reporting.corpus import Corpus
from analysis.methods.entities import extract_entities
from analysis.methods.privacy import (
    MapError,
    NameReplacer,
    build_pseudonym_map,
    listed_entities,
    load_lists,
    load_map,
    page_leaks,
    pseudonym_pattern,
    replacer,
    review_candidates,
    romanisations,
    selected,
    shadow,
)
from conftest import run_build, write_raw

# ------------------------------------------------------------------ the corpus ---
# One file, named after a village (the name reaches the report footer), eight essays:
#   1  a child 张晓明 with the short forms 小张, 晓明, 阿明 and a romanised name; a town, a
#      village, a school, a teacher (adult)
#   2  a child 刘海燕, called 海燕 (an ordinary word: the petrel of Gorky's poem)
#   3  海燕 the bird and 小张老师 (another person); 江涛 (waves; the detector takes it for a
#      name: on the never list); 尚国强 and 冷小军, names the detector misses (冷小军 on
#      the always list, 尚国强 left for the review)
#   4  尚国强 and 冷小军 again; 石门坎, a place the detector misses (always list, place)
#   5  a repost of part of essay 2 (刘海燕 and 海燕 again: template reuse)
#   6  traditional characters: 張曉明, and 張 曉明 with a space
#   7  pinyin ruby on every character of 张晓明
#   8  the township's party committee: 青石乡党委 (jieba: 青石 | 乡党委)
FILE_NAME = "柳湾村留守儿童作文选.txt"
CORPUS = """柳湾村留守儿童作文选

我的好朋友篇一

留守儿童张晓明今年十岁，家住青石镇柳湾村，在柳湾小学读四年级。他的爸爸妈妈都在广东打工，小张跟着奶奶生活。

每天放学后，晓明都帮奶奶喂鸡、做饭。班主任王丽华老师经常去他家家访。

阿明说：“我最想念妈妈。”张晓明的作文写得很好，老师常常表扬张晓明。他的英文名字是 Zhang Xiaoming。

我的同桌篇二

学生刘海燕的父母常年在外打工，她和弟弟跟着爷爷奶奶生活。

海燕很懂事，经常照顾弟弟，每天放学回家都帮爷爷奶奶喂猪、洗衣服、做晚饭。

刘海燕每天早上五点就起床，她说长大了要当一名医生。

读书笔记篇三

高尔基笔下的海燕在暴风雨中飞翔。我们学习了这篇课文，海燕勇敢地迎接风暴。

小张老师给我们上课，大家都很认真。远处传来阵阵江涛。

那天尚国强跑到河边去玩，冷小军也跟着去了。

周末见闻篇四

放学后尚国强一个人走回家。下课铃一响冷小军就冲出教室。

远处传来阵阵江涛，我们坐在岸边听了很久。周末我们去石门坎看望外婆。

我的同桌篇五

学生刘海燕的父母常年在外打工，她和奶奶住在一起。

海燕很懂事，经常照顾弟弟，每天放学回家都帮爷爷奶奶喂猪、洗衣服、做晚饭。

我的鄰居篇六

我的鄰居張曉明是留守兒童，他的爸爸媽媽在廣東打工。張 曉明每天晚上都給媽媽打電話。

拼音作文篇七

我的好朋友叫张(zhāng)晓(xiǎo)明(míng)，他家住在柳湾村。

乡里的关怀篇八

青石乡党委书记来学校看望我们。青石乡党委还给我们送来了新书。
"""
ALWAYS = "# names the detector misses\n冷小军\n石门坎 place\n"  # 冷小军: no kind given, a child
NEVER = "# an ordinary word the detector took for a name\n江涛\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The corpus above, built once (one process) with the researcher's lists."""
    root = tmp_path_factory.mktemp("guard")
    write_raw(root / "raw" / FILE_NAME, CORPUS)
    always, never = root / "lists" / "privacy_always.txt", root / "lists" / "privacy_never.txt"
    write_raw(always, ALWAYS)
    write_raw(never, NEVER)
    with pytest.MonkeyPatch.context() as mp:
        # the documented override: every resource loader takes a path replacing the bundled file
        mp.setattr(privacy, "load_lists", functools.partial(privacy.load_lists, always, never))
        b = run_build(root / "raw", root / "data", jobs=1)
    assert b.summary.n_essays == 8
    return b


@pytest.fixture(scope="module")
def data(built) -> Path:
    return built.out_dir


@pytest.fixture(scope="module")
def pmap(data) -> pd.DataFrame:
    return aio.read_table(data, "pseudonyms")


@pytest.fixture(scope="module")
def pseudo(pmap) -> dict[str, str]:
    return dict(zip(pmap["original"], pmap["pseudonym"]))


@pytest.fixture(scope="module")
def eid(built) -> dict[int, str]:
    """essay ordinal (1-8, as in the file) -> essay id."""
    e = built.tables["essays"]
    return dict(zip(e["ordinal"].astype(int), e["essay_id"]))


def sentences_of(corpus: Corpus, essay_id: str) -> list[str]:
    s = corpus.sentences
    return s.loc[s["essay_id"] == essay_id, "text"].tolist()


def data_copy(data: Path, tmp_path: Path) -> Path:
    out = tmp_path / "data"
    shutil.copytree(data, out, ignore=shutil.ignore_patterns(".cache"))
    return out


# ------------------------------------------------------------ 1. written forms ---
@pytest.fixture(scope="module")
def xm_map() -> pd.DataFrame:
    """The map the build makes for one child, 张晓明 (学生A: the first and only child)."""
    ent = pd.DataFrame(
        {
            "essay_id": ["e1"],
            "sentence_id": ["e1-s0001"],
            "text": ["张晓明"],
            "type": ["person"],
            "role": ["child"],
            "start": [0],
        }
    )
    m = build_pseudonym_map(ent)
    assert dict(zip(m["original"], m["pseudonym"]))["张晓明"] == "学生A"
    return m


@pytest.mark.parametrize(
    "text, expected",
    [
        ("张晓明今天很开心。", "学生A今天很开心。"),
        # traditional: the name is matched simplified, the rest of the sentence stays as written
        ("張曉明今天很開心。", "学生A今天很開心。"),
        ("老師說張曉明進步了！", "老師說学生A進步了！"),
        # spaces inside the name: ASCII, full-width (U+3000), no-break
        ("张 晓 明说：“我想妈妈。”", "学生A说：“我想妈妈。”"),
        ("张　晓明在写作业，写得很认真。", "学生A在写作业，写得很认真。"),
        ("放学后张\u00a0晓明回家了。", "放学后学生A回家了。"),
        # pinyin ruby inside the name, ASCII or full-width brackets
        ("我和张(zhāng)晓明是同学。", "我和学生A是同学。"),
        ("我和張（zhāng）曉（xiǎo）明是同學。", "我和学生A是同學。"),
        # romanised, surname first or last, any case and separator
        ("Zhang Xiaoming is my friend.", "学生A is my friend."),
        ("zhang xiao-ming said hello", "学生A said hello"),
        ("ZHANG Xiaoming, 10 岁", "学生A, 10 岁"),
        ("I am Xiaoming Zhang.", "I am 学生A."),
        ("签名：“ZhangXiaoming”", "签名：“学生A”"),
        ("Zhang_Xiao_Ming 的作业", "学生A 的作业"),
        # the given name alone and the child's family
        ("每天放学后，晓明都帮奶奶喂鸡。", "每天放学后，学生A都帮奶奶喂鸡。"),
        ("张家奶奶今年七十岁。", "某家奶奶今年七十岁。"),
        ("张家的孩子都很懂事。", "某家的孩子都很懂事。"),
        ("放学后我去了张家。", "放学后我去了某家。"),
        # ...but not another person's name, a place or a longer word that starts like the family
        ("我的同桌叫张家豪。", "我的同桌叫张家豪。"),
        ("张家口的冬天很冷。", "张家口的冬天很冷。"),
        ("他们去张家界旅游了。", "他们去张家界旅游了。"),
        # a romanised name inside a longer word is no name
        ("Zhangxiaomingfan", "Zhangxiaomingfan"),
        ("mrzhangxiaoming", "mrzhangxiaoming"),
        ("没有名字的句子。", "没有名字的句子。"),
    ],
)
def test_every_written_form_is_replaced_and_the_sentence_kept(xm_map, text, expected):
    assert replacer(xm_map)(text) == expected


def test_romanisations_of_a_name():
    # 晓 is read xiao, 明 ming; 张 zhang: surname first and given name first
    forms = romanisations("张晓明")
    assert "zhang xiao ming" in forms and "xiao ming zhang" in forms
    assert romanisations("王某") == [] and romanisations("Tom") == []


def test_ruby_on_the_last_character_goes_with_the_name(xm_map):
    assert replacer(xm_map)("我和张(zhāng)晓(xiǎo)明(míng)是同学。") == "我和学生A是同学。"


def test_romanised_given_name_alone_is_replaced(xm_map):
    assert replacer(xm_map)("XIAOMING wrote a letter to his mother.") == "学生A wrote a letter to his mother."
    assert replacer(xm_map)("Xiaoming's grandmother") == "学生A's grandmother"


def test_full_width_romanised_name_is_replaced(xm_map):
    assert replacer(xm_map)("他叫Ｚｈａｎｇ Ｘｉａｏｍｉｎｇ。") == "他叫学生A。"


def test_shadow_maps_each_character_back_to_the_text():
    text = "張 曉(xiǎo)明"
    sh, where = shadow(text)
    assert sh == "张晓明" and where == [0, 2, 9]
    assert [text[i] for i in where] == ["張", "曉", "明"]
    assert shadow("Ｚｈａｎｇ")[0] == "zhang"
    # only a space between two CJK characters is left out; full-width punctuation is read NFKC
    assert shadow("a b 张 c，")[0] == "a b 张 c,"
    assert shadow("张 。晓")[0] == "张 。晓"
    spans = NameReplacer((("张晓明", "学生A"),)).spans("我和張 曉明。")
    assert spans == [(2, 6, "学生A")]


def test_short_forms_are_linked_to_the_full_name_and_scoped_when_they_are_words():
    """小张 (小 + surname), 阿明 (阿 + last character) and 晓明 (given name) in
    an essay that names 张晓明 share his pseudonym; 海燕 in 刘海燕's essay too.
    A short form that is an ordinary word (小张, 阿明, 海燕) counts only in the
    essay where it was linked; 晓明, no word, counts everywhere."""
    essays = {
        "e1": ["留守儿童张晓明今年十岁。", "小张每天都帮奶奶喂鸡。", "晓明说他想妈妈。", "阿明的作文写得很好。"],
        "e2": ["学生刘海燕的父母在外打工。", "海燕很懂事。"],
        "e3": ["高尔基笔下的海燕在暴风雨中飞翔。"],
    }
    sents = pd.DataFrame(
        [
            {"essay_id": e, "sentence_id": f"{e}-s{i:04d}", "text": t}
            for e, ts in essays.items()
            for i, t in enumerate(ts, 1)
        ]
    )
    m = build_pseudonym_map(extract_entities(sents)).set_index("original")
    for form in ("小张", "阿明", "晓明"):
        assert m.loc[form, "variant_of"] == "张晓明", form
        assert m.loc[form, "pseudonym"] == m.loc["张晓明", "pseudonym"], form
    assert m.loc["海燕", "pseudonym"] == m.loc["刘海燕", "pseudonym"] != m.loc["张晓明", "pseudonym"]
    assert m.loc["小张", "scope"] == m.loc["阿明", "scope"] == "e1"
    assert m.loc["海燕", "scope"] == "e2"  # not e3: there it is the bird
    assert m.loc["晓明", "scope"] == ""


# ----------------------------------------------- 2. no false positives (scope, weak) ---
def test_a_weak_short_form_is_not_replaced_inside_a_longer_word():
    """A two-character original that is a dictionary word (a given name 文明, a
    nickname 天天) is no name inside a longer dictionary word (精神文明, 天天向上),
    but is one where it stands alone."""
    r = replacer({"文明": "学生D", "天天": "学生E"})
    assert r("我们要建设精神文明。") == "我们要建设精神文明。"
    assert r("好好学习，天天向上。") == "好好学习，天天向上。"
    assert r("文明今天没来上学。") == "学生D今天没来上学。"
    assert r("天天说他想妈妈。") == "学生E说他想妈妈。"


def test_the_docstring_example_of_a_weak_form():
    assert replacer({"小马": "学生D"})("我们读了小马过河的故事。") == "我们读了小马过河的故事。"


def test_a_short_form_that_is_no_word_is_left_inside_a_longer_word():
    # 一帆 (of 韦一帆) is no dictionary word, but 一帆风顺 is: a wish, not the boy
    r = replacer({"一帆": "学生D"})
    assert r("祝楼主一帆风顺。") == "祝楼主一帆风顺。"
    assert r("一帆今天又没交作业。") == "学生D今天又没交作业。"


def test_scoped_short_forms_only_in_their_essays(data, eid, pseudo):
    c = Corpus(data, pseudonymise_all=False)
    a, b = pseudo["张晓明"], pseudo["刘海燕"]
    assert sentences_of(c, eid[1])[1] == f"他的爸爸妈妈都在广东打工，{a}跟着奶奶生活。"
    assert sentences_of(c, eid[2])[1] == f"{b}很懂事，经常照顾弟弟，每天放学回家都帮爷爷奶奶喂猪、洗衣服、做晚饭。"
    # essay 3: the petrel and another 小张 are no child of this corpus
    assert sentences_of(c, eid[3])[:3] == [
        "高尔基笔下的海燕在暴风雨中飞翔。",
        "我们学习了这篇课文，海燕勇敢地迎接风暴。",
        "小张老师给我们上课，大家都很认真。",
    ]
    # the paragraphs and the essay text follow the same scopes
    p = c.paragraphs
    assert (
        p.loc[p["essay_id"] == eid[3], "text"].iloc[0]
        == "高尔基笔下的海燕在暴风雨中飞翔。我们学习了这篇课文，海燕勇敢地迎接风暴。"
    )
    e = c.essays.set_index("essay_id")
    assert "海燕" not in e.loc[eid[2], "text"] and "海燕" in e.loc[eid[3], "text"]


def test_every_form_of_a_childs_name_is_gone_from_the_tables(data, eid, pseudo):
    c = Corpus(data, pseudonymise_all=False)
    a = pseudo["张晓明"]
    assert sentences_of(c, eid[1]) == [
        f"留守儿童{a}今年十岁，家住青石镇柳湾村，在柳湾小学读四年级。",  # places and schools stay: children only
        f"他的爸爸妈妈都在广东打工，{a}跟着奶奶生活。",
        f"每天放学后，{a}都帮奶奶喂鸡、做饭。",
        "班主任王丽华老师经常去他家家访。",
        f"{a}说：“我最想念妈妈。”",
        f"{a}的作文写得很好，老师常常表扬{a}。",
        f"他的英文名字是 {a}。",
    ]
    assert sentences_of(c, eid[6]) == [
        f"我的邻居{a}是留守儿童，他的爸爸妈妈在广东打工。",
        f"{a}每天晚上都给妈妈打电话。",
    ]
    raw = c.table("essays").set_index("essay_id")["raw_text"]
    assert raw[eid[6]] == f"我的鄰居{a}是留守兒童，他的爸爸媽媽在廣東打工。{a}每天晚上都給媽媽打電話。"
    texts = "\n".join(
        [
            *c.sentences["text"],
            *c.paragraphs["text"],
            *c.essays["text"],
            *c.table("essays")["raw_text"],
            *c.table("entities")["text"],
            *c.table("entities")["evidence"],
        ]
    )
    for name in (
        "张晓明",
        "張曉明",
        "张 晓明",
        "張 曉明",
        "Zhang Xiaoming",
        "小张跟着",
        "晓明都",
        "阿明说",
        "刘海燕",
        "海燕很懂事",
        "冷小军",
    ):
        assert name not in texts, name
    # token lists too: a name is one pseudonym token (小张 stays a word in essay 3: 小张老师)
    s = c.sentences
    tokens = {t for toks in s["tokens"] for t in toks}
    assert not tokens & {"张晓明", "晓明", "阿明", "刘海燕", "冷小军", "Zhang", "Xiaoming"}
    assert "小张" not in {t for toks in s.loc[s["essay_id"] == eid[1], "tokens"] for t in toks}
    assert {a, pseudo["刘海燕"], pseudo["冷小军"]} <= tokens


def test_scoped_short_forms_are_replaced_in_reuse_passages(data, eid):
    r = Corpus(data).table("reuse")
    pair = r[(r["essay_a"] == eid[2]) & (r["essay_b"] == eid[5])]
    assert len(pair) == 1  # the repost shares its passage
    assert "海燕" not in pair["passage_a"].item() and "海燕" not in pair["passage_b"].item()


def test_names_in_cleaning_log_contexts_are_replaced(data):
    log = Corpus(data, pseudonymise_all=True).cleaning_log
    for context in log["context"]:
        assert page_leaks(context.replace("【", "").replace("】", ""), data, roles=None) == {}, context


def test_ruby_name_in_raw_text_is_replaced_whole(data, eid, pseudo):
    raw = Corpus(data, pseudonymise_all=False).table("essays").set_index("essay_id")["raw_text"]
    assert raw[eid[7]] == f"我的好朋友叫{pseudo['张晓明']}，他家住在柳湾村。"


def test_a_heading_marker_is_no_part_of_a_name(data, eid, pmap):
    assert "关怀篇" not in set(pmap["original"])
    assert Corpus(data).essays.set_index("essay_id").loc[eid[8], "heading"] == "乡里的关怀篇八"


def test_the_map_and_the_review_are_never_served_to_a_report(data):
    for pseudonymise in (True, False):
        c = Corpus(data, pseudonymise=pseudonymise)
        for name in ("pseudonyms", "privacy_review"):
            with pytest.raises(PermissionError, match="names real people"):
                c.table(name)


def test_selected_rows_by_role():
    m = pd.DataFrame(
        {
            "original": ["张晓明", "王丽华", "柳湾村", "柳湾小学"],
            "pseudonym": ["学生A", "成人A", "村A", "学校A"],
            "role": ["child", "adult", "", ""],
            "type": ["person", "person", "place", "organisation"],
        }
    )
    assert selected(m, ("child",))["original"].tolist() == ["张晓明"]
    assert selected(m, ("child", "adult"))["original"].tolist() == ["张晓明", "王丽华", "柳湾村", "柳湾小学"]
    assert selected(m, None)["original"].tolist() == ["张晓明", "王丽华", "柳湾村", "柳湾小学"]


# -------------------------------------------------------------- 3. page_leaks ---
@pytest.mark.parametrize(
    "page",
    [
        "<p>张晓明今天很开心</p>",
        "<td>張曉明今天很開心</td>",
        "<p>张 晓 明</p>",
        "<p>张　晓明</p>",
        "<p>张(zhāng)晓(xiǎo)明(míng)说</p>",
        "<p>Zhang Xiaoming</p>",
        "<li>zhang xiao-ming</li>",
        "<p>&#24352;&#26195;&#26126;</p>",  # HTML entities
        '<img alt="张晓明的画" src="figure.png">',  # an attribute
        '<a title="ZHANGXIAOMING">链接</a>',
        "<p>晓明说</p>",  # the given name, mapped everywhere
    ],
)
def test_page_leaks_finds_a_childs_name_in_any_form(data, page):
    assert page_leaks(page, data) == {"child": 1}


def test_page_leaks_counts_by_kind_and_never_names(data):
    page = "<h2>张晓明</h2><p>張曉明和班主任王丽华在柳湾村的柳湾小学。</p><p>冷小军去了石门坎。</p>"
    assert page_leaks(page, data, roles=None) == {"child": 3, "adult": 1, "place": 2, "organisation": 1}
    assert page_leaks(page, data) == {"child": 3}  # children only
    assert page_leaks(page, data, roles=("child", "adult")) == {"child": 3, "adult": 1, "place": 2, "organisation": 1}


@pytest.mark.parametrize(
    "page",
    [
        "<p>学生A今天很开心，他住在村A，在学校A读书。</p>",
        "<p>高尔基笔下的海燕在暴风雨中飞翔。</p>",  # 海燕: a short form scoped to 刘海燕's essays
        "<p>小张老师给我们上课。远处传来阵阵江涛。</p>",
        # the name only in a stylesheet and in base64 data (a font, a figure)
        "<style>.x::after{content:'张晓明'} .y{font-family:'Zhang Xiaoming'}</style><p>学生A</p>",
        '<img src="data:image/png;base64,iVBORw0KGgo/ZhangXiaoming+8AAAA=">',
        "<style>@font-face{src:url(data:font/woff;base64,AAAA/Zhang+Xiaoming/AAAA)}</style>",
        "",
    ],
)
def test_page_leaks_is_quiet_on_a_clean_page(data, page):
    assert page_leaks(page, data, roles=None) == {}


def test_page_leaks_style_and_data_are_left_out_but_text_is_not(data):
    hidden = "<style>.x::after{content:'张晓明'}</style>" + '<img src="data:image/png;base64,AAAA/ZhangXiaoming+AAAA=">'
    assert page_leaks(hidden + "<p>张晓明</p>", data) == {"child": 1}
    assert page_leaks(hidden.replace("<style>", "<div>").replace("</style>", "</div>"), data) == {"child": 1}


def test_a_blocking_review_candidate_stops_a_page(data, tmp_path):
    """An unreplaced candidate the review marks as blocking counts as a leak
    until the researcher decides (always or never list); a non-blocking one does not."""
    assert page_leaks("<p>尚国强</p>", data) == {}  # in the review, not blocking
    d = data_copy(data, tmp_path)
    r = aio.read_table(d, "privacy_review")
    r.loc[r["candidate"] == "尚国强", "blocks_pages"] = True
    aio.write_table(r, d, "privacy_review")
    assert page_leaks("<p>放学后尚国强一个人走回家。</p>", d) == {"unreviewed candidate": 1}


# -------------------------------------------------------------- 4. fail closed ---
def test_load_map_refuses_a_missing_stale_or_unreadable_map(data, tmp_path):
    d = data_copy(data, tmp_path)
    assert len(load_map(d)) > 0
    essays, mp = d / "essays.parquet", d / "pseudonyms.parquet"

    os.utime(essays, (mp.stat().st_mtime + 10,) * 2)  # the tables were rebuilt, the map was not
    with pytest.raises(MapError, match="older than its tables") as exc:
        load_map(d)
    assert "\n" not in str(exc.value) and "rebuild" in str(exc.value)
    os.utime(essays, (mp.stat().st_mtime,) * 2)
    load_map(d)

    mp.write_bytes(b"not a parquet file")
    with pytest.raises(MapError, match="cannot be read") as exc:
        load_map(d)
    assert "\n" not in str(exc.value)

    aio.write_table(pd.DataFrame({"original": ["张晓明"], "pseudonym": ["学生A"]}), d, "pseudonyms")
    with pytest.raises(MapError, match="lacks role, type"):
        load_map(d)

    mp.unlink()
    with pytest.raises(MapError, match="no pseudonym map") as exc:
        load_map(d)
    assert "\n" not in str(exc.value)
    # a corpus without its map shows nothing that should be pseudonymised, but may be read unprotected
    with pytest.raises(MapError):
        Corpus(d).sentences
    assert "张晓明" in "".join(Corpus(d, pseudonymise=False).sentences["text"])


def _fake_notebook(html_output: str):
    """A stand-in for papermill: the executed notebook shows ``html_output`` (no kernel starts)."""
    import nbformat

    def execute_notebook(spec, params, workdir, **kwargs):
        return nbformat.v4.new_notebook(
            cells=[
                nbformat.v4.new_markdown_cell("# 概览"),
                nbformat.v4.new_code_cell(
                    "show()",
                    outputs=[
                        nbformat.v4.new_output("display_data", data={"text/html": html_output, "text/plain": "table"})
                    ],
                ),
            ]
        )

    return execute_notebook


def test_render_refuses_a_page_with_a_name_and_keeps_the_old_one(data, tmp_path, monkeypatch, pseudo):
    out = tmp_path / "reports"
    a = pseudo["张晓明"]
    monkeypatch.setattr(report, "execute_notebook", _fake_notebook(f"<table><tr><td>{a}今天很开心。</td></tr></table>"))
    [ok] = report.render_reports(["overview"], data_dir=data, out_dir=out, echo=lambda s: None, jobs=1)
    assert ok.status == "ok"
    page = (out / "overview.html").read_text(encoding="utf-8")
    assert f"{a}今天很开心" in page and "not-pseudonymised" not in page
    # the footer names the source file, whose village is pseudonymised too
    assert f"{pseudo['柳湾村']}留守儿童作文选.txt" in page and "柳湾村" not in page

    monkeypatch.setattr(
        report,
        "execute_notebook",
        _fake_notebook('<table><tr><td>張曉明今天很開心。</td><td title="Zhang Xiaoming">王丽华</td></tr></table>'),
    )
    [bad] = report.render_reports(["overview"], data_dir=data, out_dir=out, echo=lambda s: None, jobs=1, force=True)
    assert bad.status == "failed"
    assert "\n" not in bad.error
    assert (
        "PrivacyError" in bad.error and "3 name(s)" in bad.error and "2 child" in bad.error and "1 adult" in bad.error
    )
    assert "overview.html" in bad.error
    assert not re.search(r"[张張]|王丽华|Zhang", bad.error)  # the error never repeats a name
    assert (out / "overview.html").read_text(encoding="utf-8") == page  # the previous page stays
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "FAILED" in index and "privacy check" in index and "張曉明" not in index


def test_render_refuses_to_start_without_a_sound_map(data, tmp_path, monkeypatch):
    def no_kernel(*args, **kwargs):
        raise AssertionError("a notebook was executed")

    monkeypatch.setattr(report, "execute_notebook", no_kernel)
    d = data_copy(data, tmp_path)
    (d / "pseudonyms.parquet").unlink()
    with pytest.raises(report.ParamError, match="no pseudonym map") as exc:
        report.render_reports(["overview"], data_dir=d, out_dir=tmp_path / "reports", echo=lambda s: None, jobs=1)
    assert "\n" not in str(exc.value)
    assert not (tmp_path / "reports" / "overview.html").exists()


def test_privacy_check_follows_the_report_parameters(data):
    page = "<p>班主任王丽华</p>"
    report.privacy_check(page, {"pseudonymise_all": False}, data, "x.html")  # adults kept: no error
    with pytest.raises(report.PrivacyError, match=r"^privacy check: 1 name\(s\) \(1 adult\) would appear in x\.html"):
        report.privacy_check(page, {}, data, "x.html")  # pseudonymise_all is the notebooks' default
    report.privacy_check("<p>张晓明</p>", {"pseudonymise": False}, data, "x.html")  # private exploration


def test_a_page_without_pseudonyms_carries_the_banner(data, tmp_path, monkeypatch):
    out = tmp_path / "reports"
    monkeypatch.setattr(report, "execute_notebook", _fake_notebook("<p>張曉明今天很開心。</p>"))
    [o] = report.render_reports(
        ["overview"], data_dir=data, out_dir=out, echo=lambda s: None, jobs=1, params={"pseudonymise": False}
    )
    assert o.status == "ok"
    page = (out / "overview.html").read_text(encoding="utf-8")
    banner = re.search(r'<div class="not-pseudonymised">(.*?)</div>', page, re.S)
    assert (
        banner and "Names are not pseudonymised in this page" in banner.group(1) and "Do not share" in banner.group(1)
    )
    # the banner is the first thing in the body, before the table of contents and the output
    body = page[page.index("<body") :]
    assert body.index("not-pseudonymised") < body.index("張曉明")


# ------------------------------------------------------------------- 5. lists ---
def test_load_lists_reads_names_kinds_and_never_words(tmp_path):
    always, never = tmp_path / "a.txt", tmp_path / "n.txt"
    write_raw(always, "# comment\n冷小军\n王丽华 adult\n石门坎\tplace\n柳湾小学 school  # a note\n")
    write_raw(never, "江涛\n\n# comment\n高翔 雄鹰在蓝天上高翔\n")
    got_always, got_never = load_lists(always, never)
    assert got_always == {
        "冷小军": ("person", "child"),
        "王丽华": ("person", "adult"),
        "石门坎": ("place", ""),
        "柳湾小学": ("organisation", ""),
    }
    assert got_never == {"江涛", "高翔"}
    write_raw(always, "冷小军 pupil\n")
    with pytest.raises(ValueError, match="pupil"):
        load_lists(always, never)
    # the packaged lists' comments give an example (王小丫 child): a comment is no entry
    assert "王小丫" not in load_lists()[0]


def test_listed_entities_map_names_not_in_the_corpus_too():
    sents = pd.DataFrame(
        {
            "essay_id": ["e1", "e2"],
            "sentence_id": ["e1-s0001", "e2-s0001"],
            "text": ["今天天气很好。", "下课铃一响冷小军就冲出教室。"],
        }
    )
    rows = listed_entities({"sentences": sents}, {"冷小军": ("person", "child"), "黑石坳": ("place", "")})
    got = rows.set_index("text")
    assert (got.loc["冷小军", "essay_id"], got.loc["冷小军", "role"]) == ("e2", "child")
    assert got.loc["黑石坳", "essay_id"] == "~list" and got.loc["黑石坳", "type"] == "place"


def test_an_always_name_is_replaced_though_the_detector_missed_it(data, eid, pmap, pseudo):
    detected = set(aio.read_table(data, "entities")["text"])
    assert "冷小军" not in detected and "石门坎" not in detected  # the detector missed both
    rows = pmap.set_index("original")
    assert rows.loc["冷小军", "role"] == "child" and rows.loc["冷小军", "pseudonym"].startswith("学生")
    assert rows.loc["石门坎", "type"] == "place"
    c = Corpus(data, pseudonymise_all=False)
    k = pseudo["冷小军"]
    assert sentences_of(c, eid[3])[-1] == f"那天尚国强跑到河边去玩，{k}也跟着去了。"
    assert sentences_of(c, eid[4])[:2] == ["放学后尚国强一个人走回家。", f"下课铃一响{k}就冲出教室。"]
    # a listed place is a place: replaced with the adults and places
    assert "石门坎" in "".join(c.sentences["text"])
    assert "石门坎" not in "".join(Corpus(data, pseudonymise_all=True).sentences["text"])


def test_a_never_word_is_never_replaced(data, eid, pmap):
    entities = aio.read_table(data, "entities")
    assert "江涛" in set(entities["text"])  # the detector took the waves for a name …
    assert "江涛" not in set(pmap["original"])  # … the list keeps it out of the map
    c = Corpus(data, pseudonymise_all=True)
    assert "远处传来阵阵江涛。" in sentences_of(c, eid[3])
    assert page_leaks("<p>远处传来阵阵江涛。</p>", data, roles=None) == {}
    review = aio.read_table(data, "privacy_review")
    assert "江涛" not in set(review["candidate"])


# -------------------------------------------------------------- 6. the review ---
def test_a_missed_name_is_listed_for_review(data, eid, pmap):
    review = aio.read_table(data, "privacy_review")
    assert list(review.columns) == privacy.REVIEW_COLUMNS
    assert "尚国强" not in set(pmap["original"])  # missed: not replaced …
    row = review.set_index("candidate").loc["尚国强"]  # … but listed for the researcher
    assert isinstance(row["score"], float) and row["n_mentions"] == 2 and row["n_essays"] == 2
    assert set(row["essays"].split()) == {eid[3], eid[4]}
    assert "尚国强" in row["context"]
    # no candidate is a name found otherwise or a part of one
    known = set(pmap["original"]) | set(aio.read_table(data, "entities")["text"])
    for cand in review["candidate"]:
        assert not any(cand in k for k in known if isinstance(k, str)), cand


def test_review_leaves_out_parts_of_known_names_and_never_words():
    """jieba reads 左斌 as a name in 左斌彬 (左斌|彬的, 左斌|彬跑): a strong, frequent
    candidate on its own, none once 左斌彬 is known or 左斌 is on the never list."""
    sents = pd.DataFrame(
        {
            "essay_id": ["a", "b"],
            "sentence_id": ["a-s0001", "b-s0001"],
            "text": ["左斌彬的爸爸在外打工。", "那天左斌彬跑到河边去玩。"],
        }
    )
    none = extract_entities(sents.iloc[:0])
    alone = review_candidates({"sentences": sents, "entities": none}, set(), set())
    row = alone.set_index("candidate").loc["左斌"]
    assert row["n_mentions"] == 2 and row["n_essays"] == 2 and row["essays"] == "a b"
    assert row["score"] >= privacy.BLOCK_MIN_SCORE and bool(row["blocks_pages"])
    assert review_candidates({"sentences": sents, "entities": none}, {"左斌彬"}, set()).empty
    assert review_candidates({"sentences": sents, "entities": none}, set(), {"左斌"}).empty
    known = pd.DataFrame({"essay_id": ["a"], "text": ["左斌彬"]})  # found by the detector
    assert review_candidates({"sentences": sents, "entities": known}, set(), set()).empty
    # the build gives the candidates per essay (name_candidates, from the tagging stage): the same review
    from analysis.methods.entities import name_candidates

    cands = name_candidates(sents)
    assert list(cands["candidate"]) == ["左斌", "左斌"] and cands["context"][0] == "左斌彬的爸爸在外打工。"
    built = review_candidates({"sentences": sents, "entities": none, "name_candidates": cands}, set(), set())
    pd.testing.assert_frame_equal(built, alone)


# ------------------------------------------------------------ 7. the overview ---
def test_entity_counts_count_replaced_mentions_by_kind(data):
    """Counted by hand from the corpus above.

    Children: essay 1 张晓明, 小张, 晓明, 阿明, 张晓明 ×2, Zhang Xiaoming (7); essay 2
    刘海燕, 海燕, 刘海燕 (3); essays 3 and 4 冷小军 (1 each); essay 5 刘海燕, 海燕 (2);
    essay 6 張曉明, 張 曉明 (2); essay 7 张晓明 (1): 17 mentions of 3 children in 7 essays.
    Places: 青石镇, 柳湾村 (essay 1), 石门坎 (4), 柳湾村 (7), 青石乡 ×2 (8): 6 mentions of 4
    places in 4 essays. One school (柳湾小学) and one adult (王丽华), in essay 1."""
    counts = overview.entity_counts(Corpus(data, pseudonymise_all=True)).set_index(["type", "role"])
    assert counts.loc[("person", "child")].tolist() == [17, 3, 7]
    assert counts.loc[("person", "adult")].tolist() == [1, 1, 1]
    assert counts.loc[("place", "—")].tolist() == [6, 4, 4]
    assert counts.loc[("organisation", "—")].tolist() == [1, 1, 1]
    assert counts.loc[("person", "public_figure")].tolist() == [1, 1, 1]  # 高尔基, kept as written
    children_only = overview.entity_counts(Corpus(data, pseudonymise_all=False)).set_index(["type", "role"])
    assert children_only.loc[("person", "child")].tolist() == [17, 3, 7]
    assert ("person", "adult") not in children_only.index and ("place", "—") not in children_only.index
    # no name in the table
    cells = {str(v) for v in counts.reset_index().to_numpy().ravel()}
    assert not cells & {"张晓明", "刘海燕", "冷小军", "王丽华", "柳湾村", "柳湾小学", "高尔基"}


def test_plot_entity_counts_shows_kinds_not_names(data):
    import matplotlib

    matplotlib.use("Agg")
    fig = overview.plot_entity_counts(Corpus(data, pseudonymise_all=True))
    labels = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    assert "person / child" in labels
    assert not any(re.search(r"[\u4e00-\u9fff]", t) for t in labels)
    matplotlib.pyplot.close(fig)


def test_top_words_list_no_name_and_no_pseudonym(data, pmap):
    pattern = pseudonym_pattern()
    for kwargs, roles in (({}, ("child",)), ({"pseudonymise_all": True}, None)):
        top = overview.top_words(Corpus(data, **kwargs), n=200)  # every word of this small corpus
        words = set(top.index)
        m = selected(pmap, roles)
        originals = set(m.loc[m["scope"] == "", "original"])
        assert not words & originals, words & originals
        assert not {w for w in words if pattern.fullmatch(w) or w == "某家"}
        # 海燕 (scoped to 刘海燕's essays) is counted where it is the bird only: essay 3, twice
        assert top.loc["海燕", "count"] == 2
    # the test can fail: without pseudonyms the children are among the top words; jieba cuts
    # 刘|海燕, so 海燕 counts 刘海燕 ×3 and 海燕 ×2 (essays 2 and 5) and the bird ×2 (essay 3)
    plain = overview.top_words(Corpus(data, pseudonymise=False), n=200)
    assert "张晓明" in set(plain.index) and plain.loc["海燕", "count"] == 7


def test_top_words_never_show_a_pseudonym_inside_a_word(data):
    pattern = pseudonym_pattern()
    words = overview.top_words(Corpus(data, pseudonymise_all=True), n=10_000).index
    assert [w for w in words if pattern.search(w)] == []


def test_seed_overview_shows_no_child(seed_build):
    """On the seed (real essays), the top words show none of its children and the
    entity counts cover at least every mention the detector found."""
    d = seed_build.out_dir
    m = aio.read_table(d, "pseudonyms")
    children = set(m.loc[(m["role"] == "child") & (m["scope"].fillna("") == ""), "original"])
    assert {"钟美怡", "王文悦", "左斌彬", "何梦凡", "胡亮"} <= children
    plain = set(overview.top_words(Corpus(d, pseudonymise=False), n=300).index)
    assert plain & children  # names are frequent enough to be top words …
    words = set(overview.top_words(Corpus(d), n=300).index)
    assert not words & children  # … and none is once replaced
    counts = overview.entity_counts(Corpus(d)).set_index(["type", "role"])
    ents = aio.read_table(d, "entities")
    assert counts.loc[("person", "child"), "mentions"] >= (ents["role"] == "child").sum()


def test_a_romanised_name_that_is_an_english_word_is_the_word_when_written_as_one():
    """何热 romanises as "he re": "here" in a report's English is the word, while
    the name written as a name (separated or CamelCase) is still found."""
    from analysis.methods.privacy import romanisations

    forms = romanisations("何热")
    assert "he re" in forms
    rep = replacer({"何热": "学生A", **{f: "学生A" for f in forms}})
    for english in ("Each page links back here.", "Here is the index.", "CLICK HERE"):
        assert rep(english) == english
    for named in ("He Re wrote a letter.", "HeRe is my classmate.", "我的同学何热。"):
        assert "学生A" in rep(named), named


def test_the_page_check_skips_the_toolkits_own_text_only(data):
    """A citation's authors (Wang Rui, Sun Junyi) are the toolkit's fixed text,
    marked data-static: a corpus whose map romanises a child's name the same
    way must not block every page. A name anywhere else still does."""
    child = "<td>張曉明今天很開心。</td>"
    static = '<aside class="methods" data-static><p>Zhang Xiaoming. 张晓明 (ed.) A book, 2001.</p></aside>'
    assert page_leaks(f"<html><body>{static}</body></html>", data, roles=None) == {}
    assert page_leaks(f"<html><body>{static}<table><tr>{child}</tr></table></body></html>", data, roles=None)
    # the marker on an element of corpus text would not hide it: only the marked element is skipped
    marked_then_text = '<p data-static>引用</p><p title="Zhang Xiaoming">正文</p>'
    assert page_leaks(marked_then_text, data, roles=None)


@pytest.mark.parametrize("name", ["张晓明", "单雨涵", "曾乐乐", "欧阳长青", "解放", "朴重阳", "查理", "区小明", "乐行"])
def test_name_readings_are_pypinyins(name):
    """The per-character shortcut gives what pypinyin gives for the whole name,
    phrases (长青, 重阳, 解放) included."""
    from pypinyin import Style, pinyin

    from analysis.methods.privacy import _name_readings

    want = tuple(tuple(r) for r in pinyin(name, style=Style.NORMAL, heteronym=True))
    assert _name_readings(name) == want


def test_a_name_form_made_by_text_and_a_pseudonym_is_no_leak():
    """On a page, 同志 + 成人GC reads 志成 and 黑海和 + 县J reads 和县: forms of
    names in the map, but made by the pseudonyms themselves. The check leaves
    pseudonyms out before it looks; a real name beside one is still found."""
    from analysis.methods.privacy import NameReplacer, _automaton, _mask_pseudonyms

    names = NameReplacer((("李志成", "学生A"), ("志成", "学生A"), ("和县", "县B")))
    pseudonyms = _automaton({"学生A", "成人GC", "县B", "县J"})
    artefacts = "薄一波同志成人GC讲话。加强黑海和县J国家的合作。"
    assert len(names.spans(artefacts)) == 2  # what the check found before
    assert names.spans(_mask_pseudonyms(artefacts, pseudonyms)) == []
    real = "志成和成人GC去了和县。"
    assert [real[s:e] for s, e, _ in names.spans(_mask_pseudonyms(real, pseudonyms))] == ["志成", "和县"]


def test_page_machinery_is_no_leak():
    """A commit id's letters (…414dea83…) are no romanised name; 奈尔 kept
    beside the pseudonym of 麦康 (the replacer read 麦康奈尔, Cornell's
    康奈尔) is the rest of a word; a real name beside a pseudonym still counts."""
    from analysis.methods.privacy import NameReplacer, _automaton, _page_names

    names = NameReplacer((("de a", "学生A"), ("奈尔", "学生B"), ("周晓明", "学生C")))
    pseudonyms = _automaton({"学生A", "学生B", "学生C", "学生D"})
    assert "奈尔" in names.weak  # an ordinary word: jieba knows it
    page = "commit 35c95e4557e86561414dea83ca598c559cda5；主席学生D奈尔、参院"
    assert _page_names(page, names, pseudonyms) == []
    assert [x[2] for x in _page_names("De A 和学生D周晓明", names, pseudonyms)] == ["学生A", "学生C"]


def test_a_family_form_out_of_context_hides_no_name_after_it():
    """王家贤 holds the family form 王家 (of a child 王章平) and the given name
    家贤 (of a child 孙家贤): 王家 is no family there, and 家贤 is replaced."""
    from analysis.methods.privacy import NameReplacer

    names = NameReplacer((("王家", "某家"), ("孙家贤", "学生A"), ("家贤", "学生A")))
    assert names("王家贤（黎族）") == "王学生A（黎族）"
    assert names("王家奶奶来了") == "某家奶奶来了"


def test_a_word_counted_as_a_thing_is_left_where_a_name_form_is_replaced():
    # 红梅 (of 岑红梅) is a girl in one sentence and a plum branch, counted with 枝, in the next
    r = replacer({"红梅": "学生A", "豆芽": "学生B"})
    assert r("门口的一枝红梅开了。") == "门口的一枝红梅开了。"
    assert r("晚饭炒了一盘豆芽。") == "晚饭炒了一盘豆芽。"
    assert r("红梅今天没来上学。") == "学生A今天没来上学。"
    assert r("他送给红梅一枝花。") == "他送给学生A一枝花。"
