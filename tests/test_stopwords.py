"""Keywords are content words: none of the bundled corpus's top keywords (as
the themes report computes them) is a Chinese function word, and every
stopword added for that is loaded."""

from __future__ import annotations

import pytest

from analysis.methods import themes
from analysis.reporting import views
from analysis.config import NOTEBOOKS_DIR, RESOURCES_DIR
from analysis.reporting.corpus import Corpus
from analysis.reporting.params import REPORTS, notebook_parameters
from analysis.ingest.segment import load_stopwords

# A reference list of Chinese function words, written for this test and kept
# apart from resources/stopwords.txt on purpose: a keyword found here shows a
# gap in the stopword list.
FUNCTION_WORDS: dict[str, list[str]] = {
    "pronouns": "我们 你们 他们 她们 它们 咱们 自己 大家 别人 人家 这些 那些 这里 那里 什么 怎么 怎样 为什么 其他 任何 各位".split(),
    "particles": "的 地 得 了 着 过 吗 呢 吧 啊 罢了 而已 似的 的话".split(),
    "conjunctions": "因为 所以 但是 可是 然而 而且 并且 或者 还是 如果 虽然 即使 不仅 而是 不过 于是 因此 尽管 只要 无论 既有".split(),
    "prepositions": "对于 关于 为了 按照 通过 根据 除了 随着 自从 由于 作为".split(),
    "adverbs of degree": "非常 特别 十分 比较 更加 越来越 有点 稍微 极其 很大".split(),
    "adverbs of frequency": "总是 经常 常常 往往 一直 始终 从来 偶尔 不断".split(),
    "time deixis": "今天 明天 昨天 现在 当时 以后 以前 后来 然后".split(),
    "classifier phrases": "一个 一些 一下 一点 一种 一次 几个 这种 那种 这个 那个 一头 这份 每个".split(),
    "modals and aspect": "不想 不会 不能 可能 可以 能够 应该 有过".split(),
}
REFERENCE = {w for words in FUNCTION_WORDS.values() for w in words}

# Added to stopwords.txt because they still ranked among the top keywords.
ADDED = "不想 既有 有过 很大 而是 几个 总是 经常 往往 今天 一头 这份 各位 其他 任何 人 多 用".split()


def test_reference_list_is_sound():
    words = [w for ws in FUNCTION_WORDS.values() for w in ws]
    assert len(words) == len(REFERENCE) >= 80  # no word listed twice
    assert all(w and not w.isascii() for w in words)


@pytest.fixture(scope="module")
def themes_defaults() -> dict:
    return notebook_parameters(NOTEBOOKS_DIR / REPORTS["themes"].notebook)


@pytest.mark.parametrize("dedupe, framing", [(None, None), (False, True)], ids=["report-defaults", "all-text"])
@pytest.mark.parametrize("top_n", [None, 30], ids=["table", "wordcloud"])
def test_top_keywords_of_the_bundled_corpus_are_no_function_words(seed_build, themes_defaults, dedupe, framing, top_n):
    """The themes report's TF-IDF keywords (its table: the notebook's top_n;
    its word cloud: top 30), with the report's defaults and over every
    paragraph (no deduplication, framing lines kept)."""
    p = themes_defaults
    corpus = Corpus(seed_build.out_dir, pseudonymise=p["pseudonymise"], pseudonymise_all=p["pseudonymise_all"])
    paras = views.recode(
        views.paragraphs(
            corpus,
            dedupe=p["dedupe"] if dedupe is None else dedupe,
            keep_framing=p["keep_framing"] if framing is None else framing,
        ),
        codebook_path=p["codebook_path"],
    )
    keywords = themes.tfidf_keywords(paras, top_n=p["top_n"] if top_n is None else top_n)
    assert len(keywords) > 0
    found = keywords[keywords["word"].isin(REFERENCE)]
    assert found.empty, "function words among the top keywords (add them to stopwords.txt):\n" + found.to_string()


@pytest.mark.parametrize("word", ADDED)
def test_added_stopword_is_loaded(word):
    assert word in load_stopwords()


def test_added_stopwords_keep_the_file_format():
    """One word per line, comments saying each group's kind, no word twice."""
    lines = (RESOURCES_DIR / "stopwords.txt").read_text(encoding="utf-8").splitlines()
    words = [l for l in lines if l and not l.startswith("#")]
    assert all(l == l.strip() and " " not in l for l in words)
    assert len(words) == len(set(words)) == len(load_stopwords())
    comments = [l for l in lines if l.startswith("#")]
    for kind in ("negated modal", "quantity", "frequency", "time deixis", "classifier"):
        assert any(kind in c for c in comments), kind
