"""analysis.ingest.segment: sentences that respect quotes, tokens that respect the
domain dictionary, stopwords, and the sentences table."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.ingest.clean import clean_text
from analysis.config import RESOURCES_DIR
from analysis.ingest.segment import (
    MAX_QUOTE_CHARS,
    content_tokens,
    load_stopwords,
    pos_tag,
    sentences_frame,
    split_sentences,
    tokenize,
)
from conftest import SEED_PATH


@pytest.mark.parametrize(
    "text, sentences",
    [
        (
            "西方教育流行一句话：“孩子是没有错的。”所以，要尽量寻找孩子们身上的闪光点。",
            ["西方教育流行一句话：“孩子是没有错的。”", "所以，要尽量寻找孩子们身上的闪光点。"],
        ),
        (
            "一路上，我一个劲安慰他：“没事的，别怕！”医生拉骨并找准位置接骨时，我紧紧抱住他不让他乱动。",
            ["一路上，我一个劲安慰他：“没事的，别怕！”", "医生拉骨并找准位置接骨时，我紧紧抱住他不让他乱动。"],
        ),
        # a multi-sentence quote is not split inside
        (
            "他深情地说：“我给您带的药要按时吃。过几天我会抽空来看您！您老放心吧。”说完他就走了。",
            ["他深情地说：“我给您带的药要按时吃。过几天我会抽空来看您！您老放心吧。”", "说完他就走了。"],
        ),
        ("他说‘今天很冷。你多穿点。’我点点头。", ["他说‘今天很冷。你多穿点。’", "我点点头。"]),
        # a quote closed before the sentence mark
        (
            "佛教经典里说：“济事度人”，而的“度”是把自己的脊梁作为“桥”。第三是牢记“度”字。",
            ["佛教经典里说：“济事度人”，而的“度”是把自己的脊梁作为“桥”。", "第三是牢记“度”字。"],
        ),
        ("“你好！”他说。", ["“你好！”", "他说。"]),
        # runs of marks count once
        (
            "到底应不应该搞活动呢！？通过曹教授的讲解我知道了。",
            ["到底应不应该搞活动呢！？", "通过曹教授的讲解我知道了。"],
        ),
        ("真的吗？？？是的。", ["真的吗？？？", "是的。"]),
        ("钱、衣裳、书、球鞋……不说白不说。", ["钱、衣裳、书、球鞋……", "不说白不说。"]),
        # brackets stay with their sentence; semicolons do not end one
        (
            "（大部分学生都是新转来的。）因此，学生的素质千差万别。",
            ["（大部分学生都是新转来的。）", "因此，学生的素质千差万别。"],
        ),
        ("既有知识上的积淀；也有教学技艺的增长。", ["既有知识上的积淀；也有教学技艺的增长。"]),
        ("钟坪小学四1班班主任：王娟", ["钟坪小学四1班班主任：王娟"]),
        ("  关爱留守儿童从你我做起！  ", ["关爱留守儿童从你我做起！"]),
        ("", []),
        ("  \n ", []),
    ],
)
def test_split_sentences(text, sentences):
    assert split_sentences(text) == sentences


@pytest.mark.parametrize("opener", ["他说：“我来了。", "“爱心妈妈“活动开始了。"])
def test_unbalanced_quote_does_not_swallow_a_long_paragraph(opener):
    one = "今天我们一起去学校上课，大家都很开心。"
    sentences = split_sentences(opener + one * 40)
    assert "".join(sentences) == opener + one * 40  # nothing lost
    # the open quote may hold the first MAX_QUOTE_CHARS characters together, no more
    assert len(sentences[0]) <= len(opener) + MAX_QUOTE_CHARS + len(one)
    assert sentences[1:] == [one] * (len(sentences) - 1)
    assert len(sentences) >= 40 - (MAX_QUOTE_CHARS // len(one) + 1)


def test_seed_sentences_respect_quotes(seed_build):
    sents = seed_build.tables["sentences"]
    texts = set(sents.text)
    assert "西方教育流行一句话：“孩子是没有错的。”" in texts
    assert "一路上，我一个劲安慰他：“没事的，别怕！”" in texts
    assert not any(t.startswith("”") for t in texts)
    assert (sents.text.str.len() <= MAX_QUOTE_CHARS + 200).all()


# ---------------------------------------------------------------- tokens


def _userdict_terms() -> list[str]:
    out = []
    for raw in (RESOURCES_DIR / "userdict.txt").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            out.append(line.split()[0])
    return out


USERDICT_TERMS = _userdict_terms()
FRAMES = [
    "近年来，{}问题受到了社会的广泛关注。",
    "老师说：“{}很重要，我们要认真对待。”",
    "在农村学校，{}的情况十分普遍。",
]


def test_userdict_is_not_empty():
    assert len(USERDICT_TERMS) >= 20
    assert "留守儿童" in USERDICT_TERMS


@pytest.mark.parametrize("term", USERDICT_TERMS)
@pytest.mark.parametrize("frame", FRAMES)
def test_userdict_term_is_one_token(term, frame):
    sentence = frame.format(term)
    assert term in tokenize(sentence)


def _seed_sentences_with_terms(per_term: int = 2) -> list[tuple[str, str]]:
    """(term, sentence) pairs: cleaned seed sentences holding a dictionary term
    and no longer dictionary term that contains it (留守 inside 留守儿童)."""
    sentences = [
        s for line in SEED_PATH.read_text(encoding="utf-8").splitlines() for s in split_sentences(clean_text(line)[0])
    ]
    pairs = []
    for term in USERDICT_TERMS:
        longer = [t for t in USERDICT_TERMS if term in t and t != term]
        hits = [s for s in sentences if term in s and not any(t in s for t in longer)]
        pairs.extend((term, s) for s in hits[:per_term])
    return pairs


SEED_TERM_SENTENCES = _seed_sentences_with_terms()


def test_many_terms_occur_in_the_seed():
    assert len({t for t, _ in SEED_TERM_SENTENCES}) >= 30


@pytest.mark.parametrize("term, sentence", SEED_TERM_SENTENCES)
def test_userdict_term_is_one_token_in_seed_sentence(term, sentence):
    assert term in tokenize(sentence)


def test_seed_tokens_column_matches_tokenize(seed_build):
    sents = seed_build.tables["sentences"]
    for row in sents.head(40).itertuples():
        assert row.tokens == tokenize(row.text)
        assert "".join(row.tokens) == row.text.replace(" ", "")


def test_pos_tag_uses_dictionary_tags():
    tags = dict(pos_tag("留守儿童的班主任经常去家访。"))
    assert tags["留守儿童"] == "n"
    assert tags["班主任"] == "n"
    assert tags["家访"] == "v"
    assert pos_tag("   ") == []


def test_custom_userdict(tmp_path):
    custom = tmp_path / "userdict.txt"
    custom.write_text("# 研究自己的术语\n爱心驿站 50000 n\n", encoding="utf-8")
    assert "爱心驿站" in tokenize("我们村建起了爱心驿站。", userdict=custom)
    assert "爱心驿站" not in tokenize("我们村建起了爱心驿站。")


# ---------------------------------------------------------------- stopwords


def test_stopwords_load():
    stop = load_stopwords()
    assert {"的", "了", "我们", "XX"} <= stop
    assert not stop & {"留守儿童", "关爱", "亲情"}
    assert not any(w.startswith("#") for w in stop)


@pytest.mark.parametrize(
    "sentence, kept, dropped",
    [
        ("我们的留守儿童XX在2015年很开心。", ["留守儿童", "开心"], ["我们", "的", "XX", "2015", "很", "。"]),
        ("他经常和爷爷奶奶视频聊天，感受到了亲情！", ["爷爷奶奶", "视频聊天", "亲情"], ["他", "了", "，", "！"]),
    ],
)
def test_content_tokens(sentence, kept, dropped):
    tokens = tokenize(sentence)
    assert set(kept) | set(dropped) <= set(tokens)
    content = content_tokens(tokens)
    assert set(kept) <= set(content)
    assert not set(dropped) & set(content)


def test_content_tokens_custom_stopwords(tmp_path):
    custom = tmp_path / "stop.txt"
    custom.write_text("留守儿童\n", encoding="utf-8")
    stop = load_stopwords(custom)
    assert stop == frozenset({"留守儿童"})
    assert content_tokens(["我们", "留守儿童", "关爱"], stopwords=stop) == ["我们", "关爱"]


def test_content_tokens_drops_single_latin_letters():
    assert content_tokens(["A", "留守儿童", "x", "班"]) == ["留守儿童", "班"]


# ---------------------------------------------------------------- sentences table


@pytest.fixture
def tiny_paragraphs():
    return pd.DataFrame(
        {
            "essay_id": ["a-01", "a-01", "a-01", "a-02"],
            "paragraph_id": ["a-01-p001", "a-01-p002", "a-01-p003", "a-02-p001"],
            "text": [
                "一、诲人不倦，架心灵之桥",
                "我是班主任。他说：“没事的，别怕！”我点点头。",
                "总之，关爱留守儿童。",
                "孩子们很开心！",
            ],
            "is_heading": [True, False, False, False],
        }
    )


def test_sentences_frame(tiny_paragraphs):
    s = sentences_frame(tiny_paragraphs)
    assert list(s.columns) == ["essay_id", "paragraph_id", "sentence_id", "ordinal", "position", "text", "tokens"]
    a = s[s.essay_id == "a-01"]
    assert a.text.tolist() == [
        "一、诲人不倦，架心灵之桥",
        "我是班主任。",
        "他说：“没事的，别怕！”",
        "我点点头。",
        "总之，关爱留守儿童。",
    ]
    assert a.sentence_id.tolist() == [f"a-01-s{k:04d}" for k in range(1, 6)]
    assert a.ordinal.tolist() == [1, 2, 3, 4, 5]
    assert a.paragraph_id.tolist() == ["a-01-p001"] + ["a-01-p002"] * 3 + ["a-01-p003"]
    assert a.position.is_monotonic_increasing and a.position.between(0, 1).all()
    b = s[s.essay_id == "a-02"]
    assert b.sentence_id.tolist() == ["a-02-s0001"] and b.position.tolist() == [0.5]
    assert s.tokens.iloc[0] == tokenize("一、诲人不倦，架心灵之桥")


def test_sentences_frame_missing_column(tiny_paragraphs):
    with pytest.raises(KeyError, match="is_heading"):
        sentences_frame(tiny_paragraphs.drop(columns=["is_heading"]))


def test_sentences_frame_empty():
    empty = pd.DataFrame(columns=["essay_id", "paragraph_id", "text", "is_heading"])
    s = sentences_frame(empty)
    assert len(s) == 0 and "tokens" in s.columns


# ---------------------------------------------------------- jieba dictionary cache


def test_prepared_jieba_dictionary_equals_what_jieba_builds(tmp_path, monkeypatch):
    """The pickled default dictionary (prefix frequencies, total, POS tags) is
    exactly what jieba builds from dict.txt; a damaged cache file is rebuilt."""
    import io

    import jieba
    import jieba.posseg

    from analysis.ingest.segment import _default_dict_tables

    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    freq, total = _default_dict_tables("freq")
    assert len(list(tmp_path.glob("jieba-*.pkl"))) == 2
    data = jieba.Tokenizer().get_dict_file().read()
    want_freq, want_total = jieba.Tokenizer.gen_pfdict(io.BytesIO(data))
    assert (freq, total) == (want_freq, want_total)
    tags = _default_dict_tables("tags")
    assert tags == jieba.posseg.POSTokenizer(jieba.Tokenizer()).word_tag_tab
    assert freq["留守"] > 0 and tags["留守"]
    assert _default_dict_tables("freq")[0] is not freq  # each caller gets its own dicts

    for f in tmp_path.glob("jieba-*.pkl"):
        f.write_bytes(b"damaged")
    assert _default_dict_tables("freq") == (want_freq, want_total)
    assert not any(f.read_bytes() == b"damaged" for f in tmp_path.glob("jieba-*.pkl"))


def test_tokenizer_from_prepared_dictionary_cuts_like_plain_jieba(seed_lines):
    """Tokens and POS tags with the prepared dictionary = a plain jieba tokenizer
    with the same user dictionary, on the seed's text."""
    import jieba
    import jieba.posseg

    from analysis.resources import load_lines
    from analysis.ingest.segment import get_tokenizer, pos_tag

    plain = jieba.Tokenizer()
    plain.load_userdict(str(RESOURCES_DIR / "userdict.txt"))
    for line in load_lines("userdict.txt"):
        plain.suggest_freq(line.split()[0], tune=True)
    plain_pos = jieba.posseg.POSTokenizer(plain)
    tk = get_tokenizer()
    lines = [l for l in seed_lines if l.strip()][:400]
    assert len(lines) > 100
    for line in lines:
        assert tk.lcut(line) == plain.lcut(line), line
        assert pos_tag(line) == [(p.word, p.flag) for p in plain_pos.lcut(line) if p.word.strip()], line


def test_jieba_posseg_imported_by_the_toolkit_tags_like_plain_jieba(seed_lines):
    """analysis.ingest.segment imports jieba.posseg without its import-time parse of
    dict.txt; jieba.posseg's own module-level tagger must still tag the seed's
    text exactly as a POSTokenizer built the plain way (checked in a fresh
    interpreter, where analysis.ingest.segment is the first to import jieba.posseg)."""
    import json
    import subprocess
    import sys

    lines = [l for l in seed_lines if l.strip()][:150]
    code = (
        "import json, sys\n"
        "import analysis.ingest.segment, jieba, jieba.posseg\n"
        "assert type(jieba.posseg.dt) is not jieba.posseg.POSTokenizer  # the lazy path was taken\n"
        "lines = json.loads(sys.stdin.read())\n"
        "got = [[(p.word, p.flag) for p in jieba.posseg.lcut(l)] for l in lines]\n"
        "plain = jieba.posseg.POSTokenizer(jieba.Tokenizer())\n"
        "want = [[(p.word, p.flag) for p in plain.lcut(l)] for l in lines]\n"
        "print(json.dumps([got == want, sum(map(len, got)), len(plain.word_tag_tab) == len(jieba.posseg.dt.word_tag_tab)]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(lines), capture_output=True, text=True, check=True, timeout=120
    )
    same, n_words, same_size = json.loads(out.stdout)
    assert n_words > 1000
    assert same and same_size
