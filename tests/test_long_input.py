"""Long and pathological input (issue 19, "linear cost"): over-long runs are cut
into bounded sentences and flagged, the stages' output stays bounded per row,
and repeated text gives a bounded reuse result. Timing belongs to
benchmarks/bench_pathological.py; these tests assert sizes and results."""

from __future__ import annotations

import random
import re

import pandas as pd
import pytest

from analysis.pipeline import build as build_mod
from analysis.pipeline import layers as layers_mod
from analysis.ingest import segment
from analysis.methods import entities, reuse, tag
from analysis.ingest.clean import (
    _opencc,
    _t2s,
    _t2s_trigger,
    clean_text,
    cut_marker_re,
    first_char_class,
    to_simplified,
)
from analysis.ingest.intake import EssayInput
from analysis.ingest.segment import (
    LONG_SENTENCE_FLAG,
    MAX_SENTENCE_CHARS,
    sentences_frame,
    split_long,
    split_sentences,
    split_sentences_marked,
)
from conftest import SEED_PATH

# ordinary essay text (the kind of the bundled corpus), with names and numbers
ESSAY = (
    "我是四年级一班的班主任，班里有23个学生，其中留守儿童有一半以上。"
    "王小明今年十岁，父母在外务工，他和奶奶住在一起，每天放学后要走3公里山路回家。"
    "25岁的李老师和我一起每周家访两次，帮助孩子们感受到家庭的温暖。"
    "经过一个学期的努力，班里孩子的学习成绩有了明显的进步，张伟还在全县作文比赛中获得了一等奖。"
)
_PUNCT_RE = re.compile(r"[\W_]+")
UNPUNCTUATED = _PUNCT_RE.sub("", ESSAY)


def _run(n: int, text: str = UNPUNCTUATED) -> str:
    return (text * (n // len(text) + 1))[:n]


def _paragraphs(text: str, essay_id: str = "e-01") -> pd.DataFrame:
    return pd.DataFrame(
        {"essay_id": [essay_id], "paragraph_id": [f"{essay_id}-p001"], "text": [text], "is_heading": [False]}
    )


# ------------------------------------------------------------------ splitter
def test_unpunctuated_run_is_cut_into_bounded_pieces():
    text = _run(5000)
    pieces = split_sentences(text)
    assert len(pieces) >= 5000 // MAX_SENTENCE_CHARS
    assert max(len(p) for p in pieces) <= MAX_SENTENCE_CHARS
    assert "".join(pieces) == text  # nothing lost, nothing added
    marked = split_sentences_marked(text)
    assert [s for s, _ in marked] == pieces
    cuts = [c for _, c in marked]
    assert all(c is not None for c in cuts)
    assert [c[0] for c in cuts] == list(range(1, len(pieces) + 1))
    assert {c[1] for c in cuts} == {len(pieces)} and {c[2] for c in cuts} == {5000}
    assert cuts[-1][3] == "end"


def test_long_run_is_cut_at_commas_where_it_has_them():
    clause = "我们一起在操场上做游戏，"  # 12 characters, a comma, no sentence end
    text = clause * 400
    pieces = split_long(text)
    assert all(len(p) <= MAX_SENTENCE_CHARS for p, _ in pieces)
    assert all(p.endswith("，") and how == "，" for p, how in pieces[:-1])
    assert len(pieces[0][0]) > MAX_SENTENCE_CHARS - len(clause)  # the last comma before the limit, not the first
    assert "".join(p for p, _ in pieces) == text


def test_hard_cut_keeps_names_and_numbers_whole():
    for word in ("王小明", "1998年", "ABCDEFG"):
        text = "的" * (MAX_SENTENCE_CHARS - 1) + word + "的" * 600
        pieces = split_long(text)
        assert any(word in p for p, _ in pieces), word
        assert all(len(p) <= MAX_SENTENCE_CHARS for p, _ in pieces)


@pytest.mark.parametrize("char", ["的", "哈"])
def test_one_repeated_character_is_cut_near_the_limit(char):
    pieces = split_long(char * 2001)
    lengths = [len(p) for p, _ in pieces]
    assert sum(lengths) == 2001 and len(pieces) == 5
    assert all(MAX_SENTENCE_CHARS - 5 <= n <= MAX_SENTENCE_CHARS for n in lengths[:-1])


def test_short_sentences_and_quotes_are_as_before():
    text = "他说：“我们走吧。”我点点头。" + "，".join(["今天天气很好"] * 10) + "。"
    assert split_sentences(text) == ["他说：“我们走吧。”", "我点点头。", "，".join(["今天天气很好"] * 10) + "。"]
    assert all(c is None for _, c in split_sentences_marked(text))


def test_split_long_rejects_a_useless_limit():
    with pytest.raises(ValueError):
        split_long("我们", limit=1)


def test_bundled_corpus_has_no_sentence_near_the_limit():
    """The limit changes nothing on real essays: the seed's longest sentence
    is far below it, and its sentences are those of the unlimited splitter."""
    paras = [clean_text(line)[0] for line in SEED_PATH.read_text(encoding="utf-8").splitlines()]
    longest = max(len(s) for p in paras for s in segment._split_at_ends(p))
    assert longest < MAX_SENTENCE_CHARS * 0.7
    assert all(split_sentences(p) == segment._split_at_ends(p) for p in paras)


# ------------------------------------------------------------------ flags
def test_sentences_frame_flags_every_cut_sentence():
    flags: list[dict] = []
    s = sentences_frame(_paragraphs(_run(5000)), flags=flags)
    assert s["text"].str.len().max() <= MAX_SENTENCE_CHARS
    assert len(flags) == len(s) >= 10
    assert {f["flag"] for f in flags} == {LONG_SENTENCE_FLAG}
    for f, sid in zip(flags, s["sentence_id"]):
        assert f["detail"].startswith(f"{sid}: piece ") and "5,000-character run" in f["detail"]
        assert f["essay_id"] == "e-01" and f["paragraph_id"] == "e-01-p001"
    flags.clear()
    sentences_frame(_paragraphs(ESSAY), flags=flags)
    assert flags == []


def test_build_writes_the_flags_to_quality_flags():
    raw = "关爱留守儿童\n\n" + ESSAY + "\n\n" + _run(3000) + "\n"
    e = EssayInput("f-01", "f.txt", 1, "", None, "关爱留守儿童", 1, 5, "utf-8", raw)
    base, _ = layers_mod._base_tables([e])
    flags = base["quality_flags"]
    cut = flags[flags["flag"] == LONG_SENTENCE_FLAG]
    long_para = base["sentences"][base["sentences"]["text"].map(lambda t: t in raw.split("\n")[4])]
    assert len(cut) == len(long_para) >= -(-3000 // MAX_SENTENCE_CHARS)
    assert set(cut["source_file"]) == {"f.txt"} and set(cut["line"]) == {5}
    para = base["paragraphs"].set_index("paragraph_id")
    assert all(para.loc[p, "line_start"] == 5 for p in cut["paragraph_id"])
    assert base["sentences"]["text"].str.len().max() <= MAX_SENTENCE_CHARS


# ------------------------------------------------------------------ entities, numbers
@pytest.fixture(scope="module")
def long_sentences() -> pd.DataFrame:
    """A 20,000-character unpunctuated line of essay text, as the build cuts it."""
    return sentences_frame(_paragraphs(_run(20_000)))


def test_numbers_context_is_bounded(long_sentences):
    nums = tag.numbers(long_sentences)
    assert {"23个", "25岁", "3公里"} <= set(nums["text_span"])
    assert "sentence" not in nums.columns
    assert (nums["context"].str.len() <= nums["text_span"].str.len() + 2 * tag.NUMBER_CONTEXT_CHARS).all()
    # each context is the number with its neighbours in its sentence
    text = dict(zip(long_sentences["sentence_id"], long_sentences["text"]))
    for sid, span, start, end, ctx in (
        nums[["sentence_id", "text_span", "start", "end", "context"]].head(50).itertuples(index=False)
    ):
        assert text[sid][start:end] == span and span in ctx and ctx in text[sid]


def test_numbers_of_one_long_sentence_are_bounded_rows():
    """Even a sentence that was never cut gives rows of bounded size."""
    s = pd.DataFrame({"essay_id": ["e-01"], "sentence_id": ["e-01-s0001"], "text": [_run(20_000)]})
    nums = tag.numbers(s)
    assert len(nums) > 100
    assert nums["context"].str.len().max() <= 10 + 2 * tag.NUMBER_CONTEXT_CHARS


def test_dense_digits_find_the_same_numbers():
    """Overlap checks by binary search, and the percent pattern read once per
    digit run: the same numbers as before on digit-heavy text."""
    text = "1" * 3000 + "5%和百分之二十" + "，23个同学和3名老师走了12公里"
    got = tag.find_numbers(text)
    assert [(r["text_span"], r["kind"]) for r in got] == [
        ("1" * 3000 + "5%", "percent"),
        ("百分之二十", "percent"),
        ("23个", "count"),
        ("3名", "count"),
        ("12公里", "distance"),
    ]


def test_entities_on_a_long_unpunctuated_line_are_bounded(long_sentences):
    ents = entities.extract_entities(long_sentences)
    assert {"王小明", "张伟"} <= set(ents[ents["type"] == "person"]["text"])
    lengths = dict(zip(long_sentences["sentence_id"], long_sentences["text"].str.len()))
    assert (ents["end"] <= ents["sentence_id"].map(lengths)).all()
    assert ents["evidence"].str.len().max() <= 100
    assert ents["text"].str.len().max() <= 20


def test_occurrence_index_answers_as_the_string_searches():
    rng = random.Random(7)
    text = "".join(rng.choice("王小明李华的了是村") for _ in range(3000))
    occ = entities._Occurrences(text, ["王小", "小明", "明", "李华"])
    for w in ("王小", "小明", "明", "李华", "的的", "村村村", "华的了"):
        assert occ.count(w) == text.count(w)
        for before in ("王", "李", "的了"):
            assert occ.occurs_not_after(w, before) == bool(re.search(f"(?<!{before}){w}", text))
        for other in ("王小明", "小明", "的", "村"):
            got, want = occ.occurs_outside(w, other), w in text.replace(other, "")
            assert got == want or (want and not got)  # only a word made by the removal can be missed


def test_span_index_answers_as_a_scan():
    spans = entities._token_spans("王小明和李华在村里的小学读书，他们每天一起走三公里山路")
    for at in range(len("王小明和李华在村里的小学读书，他们每天一起走三公里山路") + 1):
        assert spans.covering(at) == next((t for t in spans if t[2] < at < t[3]), None)
        for end in range(at, at + 6):
            assert spans.overlapping(at, end) == [t for t in spans if t[3] > at and t[2] < end]


# ------------------------------------------------------------------ reuse
def _essays(text: str, n_essays: int = 3) -> pd.DataFrame:
    rows = []
    for k in range(1, n_essays + 1):
        eid = f"r{k}-01"
        for j, s in enumerate(split_sentences(text), start=1):
            rows.append({"essay_id": eid, "sentence_id": f"{eid}-s{j:04d}", "ordinal": j, "text": s})
    return pd.DataFrame(rows)


def test_repeated_character_files_give_a_sane_reuse_result():
    found = reuse.find_reuse(_essays("的" * 60_000))
    assert len(found) == 0  # one distinct shingle per unit: nothing to share


def test_repeated_sentence_gives_bounded_passages():
    """Every unit of one essay matches every unit of the next: without the cap
    per unit that is units² pairs and as many passages."""
    units = _essays(_run(60_000))
    n_units = len(units) // 3
    found = reuse.find_reuse(units)
    assert 0 < len(found) <= 3 * reuse.MAX_MATCHES_PER_UNIT
    assert found["n_units"].sum() <= 3 * reuse.MAX_MATCHES_PER_UNIT * n_units
    assert (found["chars_a"] <= 60_000).all()
    # the incremental index gives the same
    from analysis.fast.reuse_index import ReuseIndex

    pd.testing.assert_frame_equal(ReuseIndex().find(units), found)


def test_cap_keeps_the_best_and_nearest_units():
    import numpy as np

    ua = np.array([0, 1, 2, 3, 4, 0, 1])
    ub = np.array([10, 10, 10, 10, 10, 11, 11])
    shared = np.array([6, 9, 9, 9, 7, 6, 6])
    pos = list(range(12))
    rank = np.array([0] * 5 + [1] * 7)
    a, b, s = reuse._cap_matches(ua, ub, shared, pos, rank, cap=2)
    assert list(zip(a.tolist(), b.tolist())) == [(2, 10), (3, 10), (0, 11), (1, 11)]


# ------------------------------------------------------------------ cleaning
def test_cut_markers_behind_the_look_ahead_match_as_before():
    from analysis.ingest.clean import _settings

    plain = re.compile("|".join(f"(?:{p})" for p in _settings(None)["cut_markers"]))
    lines = [
        "（未完待续）",
        "……此处隐藏6599个字……",
        "点击查看全文>>",
        "剩余80%内容已隐藏",
        "(本文有删节)",
        "全文共3000字，阅读约5分钟",
        ESSAY,
        _run(5000),
    ]
    for line in lines:
        assert [m.span() for m in cut_marker_re(None).finditer(line)] == [m.span() for m in plain.finditer(line)]
    assert first_char_class(r"a*") is None and first_char_class(r".x") is None
    assert first_char_class(r"\s*(ab|c)d?") == r"[\sac]"


def test_cut_markers_at_a_long_lines_end_are_still_found():
    """A long line is searched only where a marker can start (analysis.startsearch): a marker at its end is
    found as the plain pattern finds it — one that up to seven characters of any kind may open (HTML预览结束…,
    the class of its 预 then tried seven characters back), the one behind a look-behind (a note of what was not
    brought along, after a word: 车门口 〔…〕), and not that one after a sentence's end (。〔…〕)."""
    from analysis.ingest.clean import _settings, remove_cut_marker

    plain = re.compile("|".join(f"(?:{p})" for p in _settings(None)["cut_markers"]))
    body = _run(5000)
    for tail, found in (
        # (its \S{0,6} takes in the last characters of the text before it too, as the plain pattern does)
        ("（HTML预览结束，全文共8页，请下载PDF阅读）", "（HTML预览结束，全文共8页，请下载PDF阅读）"),
        ("HTML预览结束，请下载全文阅读", "HTML预览结束，请下载全文阅读"),
        ("车门口 〔本源只输出摘要，其余内容请前往原站查看〕", " 〔本源只输出摘要，其余内容请前往原站查看〕"),
        ("。〔本源只输出摘要，其余内容请前往原站查看〕", None),
    ):
        line = body + tail
        want = [(m.span(), m.group()) for m in plain.finditer(line)]
        assert [(m.span(), m.group()) for m in cut_marker_re(None).finditer(line)] == want
        if found is None:
            assert want == [] and remove_cut_marker(line) == (line, [])
            continue
        assert len(want) == 1 and want[0][1].endswith(found) and want[0][0][1] == len(line)
        text, edits = remove_cut_marker(line)
        assert [e.before for e in edits] == [want[0][1]] and text == line[: want[0][0][0]].strip()


def test_long_traditional_text_converts_as_a_whole():
    simplified = ESSAY * 40
    traditional = _opencc().__class__("s2t").convert(simplified)
    assert len(traditional) > 4000
    assert _t2s(traditional) == _opencc().convert(traditional)
    new, edits = to_simplified(traditional)
    assert new == simplified and edits
    assert _t2s_trigger().search("大家有序进入") and not _t2s_trigger().search(ESSAY)


# ------------------------------------------------------------------ slow: a whole build
@pytest.mark.slow
def test_build_of_a_long_unpunctuated_line(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "line.txt").write_text(_run(100_000) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    build_mod.build(raw, out, use_cache=False, jobs=1, progress=False)
    from analysis import io as aio

    sents = aio.read_table(out, "sentences")
    flags = aio.read_table(out, "quality_flags")
    nums = aio.read_table(out, "numbers")
    assert sents["text"].str.len().max() <= MAX_SENTENCE_CHARS
    assert (flags["flag"] == LONG_SENTENCE_FLAG).sum() == len(sents)
    assert (out / "numbers.csv").stat().st_size < 400 * len(nums) + 10_000  # a whole sentence a row: ~1,500 bytes


# ------------------------------------------------------------- POS tagger
def test_runs_that_are_not_prose_are_tagged_character_by_character():
    """jieba's POS HMM costs ~1 ms per character it has never seen; a run of
    such characters (random text, mojibake) is tagged one character at a time,
    while prose — names with rare characters included — keeps jieba's reading."""
    import jieba.posseg as P

    rare = [c for c in map(chr, range(0x4E00, 0x9FA6)) if c not in P.char_state_tab_P]
    rnd = random.Random(5)
    run = "".join(rnd.choice(rare) for _ in range(segment.MAX_HMM_STRANGERS + 3))
    assert segment._hmm_strangers(run) > segment.MAX_HMM_STRANGERS
    assert [w for w, _ in segment.pos_tag(run)] == list(run)
    # a name of two characters the HMM lacks stays within the limit: same as plain jieba
    name_sentence = "我们班的吴珺珹在作文比赛中获得了一等奖。"
    plain = [(p.word, p.flag) for p in P.POSTokenizer(segment.get_tokenizer()).lcut(name_sentence)]
    assert segment.pos_tag(name_sentence) == [(w, f) for w, f in plain if w.strip()]


def test_an_over_long_run_of_single_characters_skips_the_hmm():
    import jieba.posseg as P

    known = sorted(c for c in P.char_state_tab_P if "\u4e00" <= c <= "\u9fff")
    rnd = random.Random(8)
    tk = segment.get_tokenizer()
    # single characters that form no word with their neighbours, longer than the limit
    run = ""
    while len(run) <= segment.MAX_POS_HMM_RUN:
        c = rnd.choice(known)
        if not any(tk.FREQ.get(run[-k:] + c) for k in (1, 2, 3) if len(run) >= k):
            run += c
    pieces = [p for p, is_run in tk.pieces(run) if is_run]
    assert max(map(len, pieces)) > segment.MAX_POS_HMM_RUN
    assert [w for w, _ in segment.pos_tag(run)] == list(run)


def test_the_word_tokenizer_skips_its_hmm_on_runs_that_are_not_prose():
    import jieba.posseg as P

    rare = [c for c in map(chr, range(0x4E00, 0x9FA6)) if c not in P.char_state_tab_P]
    rnd = random.Random(6)
    run = "".join(rnd.choice(rare) for _ in range(segment.MAX_HMM_STRANGERS + 5))
    assert segment.tokenize(run) == list(run)


def test_a_long_block_of_random_characters_skips_the_hmms_and_prose_does_not():
    """A block of 100+ characters that dictionary words barely cover (random characters, ~2%) is
    read character by character, without the HMMs; a long unpunctuated block of prose, names
    included, is read exactly as plain jieba reads it."""
    import jieba.posseg as P

    tk = segment.get_tokenizer()
    singles = sorted(((f, w) for w, f in tk.FREQ.items() if len(w) == 1 and "\u4e00" <= w <= "\u9fff"), reverse=True)
    rnd = random.Random(11)
    noise = "".join(rnd.choice([w for _, w in singles[:3500]]) for _ in range(300))
    assert not tk.is_prose(noise)
    multi = [w for w, _ in segment.pos_tag(noise) if len(w) > 1]
    assert all(tk.FREQ.get(w) for w in multi)  # dictionary words only: no word the HMM guessed
    assert all(tk.FREQ.get(w) for w in segment.tokenize(noise) if len(w) > 1)
    prose = (
        "我们村的留守儿童王小雨今年十岁她的爸爸妈妈都在外地打工每年只有过年才回来一次"
        "平时她和奶奶住在一起每天放学回家先喂鸡再做作业晚上还要帮奶奶烧火做饭"
        "班主任李芳老师经常去她家家访给她带去书本和文具还教她怎么给远方的妈妈写信"
    )
    assert len(prose) >= segment.NO_PROSE_MIN_CHARS and tk.is_prose(prose)
    assert [w for w, _ in segment.pos_tag(prose)] == [p.word for p in P.POSTokenizer(tk).lcut(prose)]
    assert "王小雨" in "".join(w for w, f in segment.pos_tag(prose) if f == "nr")  # the HMM read the name
