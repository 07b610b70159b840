"""Tests for analysis.methods.reuse: shared passages, first occurrences, shares."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

from analysis.reporting.figures import plot_reuse_heatmap
from analysis.methods.reuse import (
    REUSE_COLUMNS,
    find_reuse,
    jaccard,
    mark_duplicates,
    normalise,
    original_share,
    reuse_matrix,
    shingles,
    top_passages,
)
from analysis.ingest.segment import split_sentences

from seed_data import seed_tables

matplotlib.use("Agg")


UNRELATED = (
    "春天来了，柳树发芽了，小河里的冰也融化了。田野里开满了金黄的油菜花，蜜蜂在花丛中飞来飞去。"
    "远处的山坡上，几头黄牛正悠闲地吃着青草。放学后，孩子们沿着田埂一路追逐打闹，笑声传得很远很远。"
)


def with_unrelated(essays: pd.DataFrame, sentences: pd.DataFrame):
    extra = split_sentences(UNRELATED)
    e = pd.concat([essays, pd.DataFrame({"essay_id": ["new-01"]})], ignore_index=True)
    s = pd.concat(
        [
            sentences,
            pd.DataFrame(
                {
                    "essay_id": "new-01",
                    "sentence_id": [f"new-01-s{k:04d}" for k in range(1, len(extra) + 1)],
                    "ordinal": range(1, len(extra) + 1),
                    "text": extra,
                }
            ),
        ],
        ignore_index=True,
    )
    return e, s


@pytest.fixture(scope="module")
def seed():
    essays, paragraphs, sentences = seed_tables()
    essays, sentences = with_unrelated(essays, sentences)
    return essays, paragraphs, sentences, find_reuse(sentences)


def pairs(reuse: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(reuse["essay_a"], reuse["essay_b"]))


# ---------------------------------------------------------------- seed ---
def test_seed_pairs(seed):
    *_, reuse = seed
    assert list(reuse.columns) == REUSE_COLUMNS
    assert pairs(reuse) == {("seed-01", "seed-03"), ("seed-01", "seed-05"), ("seed-03", "seed-05")}


@pytest.mark.parametrize(
    "essay_a, essay_b, passage",
    [
        ("seed-01", "seed-05", "凭着特有的执著和坚韧，给“留守儿童”营造了一个健康成长环境"),
        ("seed-03", "seed-05", "凭着特有的执著和坚韧，给“留守儿童”营造了一个健康成长环境"),
        # the 骨折 story, merged over several sentences
        ("seed-01", "seed-05", "口里还一直说：“一会儿就好了，听话好孩子。”看他疼得额头上冷汗直冒"),
        ("seed-01", "seed-05", "固守着这份清贫，守护着这方神圣"),
    ],
)
def test_seed_passages(seed, essay_a, essay_b, passage):
    *_, reuse = seed
    sel = reuse[(reuse["essay_a"] == essay_a) & (reuse["essay_b"] == essay_b)]
    assert sel["passage_a"].str.contains(passage, regex=False).any()


def test_passages_merge_adjacent_sentences(seed):
    *_, reuse = seed
    story = reuse[reuse["passage_a"].str.contains("冷汗直冒", regex=False)].iloc[0]
    assert story["n_units"] >= 3 and len(story["units_a"]) == len(story["units_b"]) == story["n_units"]
    assert story["start_a"] == story["units_a"][0] and story["end_b"] == story["units_b"][-1]
    assert 0 < story["similarity"] <= story["containment"] <= 1


@pytest.mark.parametrize(
    "essay_id", ["seed-02", "seed-04", "seed-06", "seed-07", "seed-08", "seed-09", "seed-10", "new-01"]
)
def test_no_reuse_for_unrelated_essays(seed, essay_id):
    *_, reuse = seed
    assert essay_id not in set(reuse["essay_a"]) | set(reuse["essay_b"])


def test_mark_duplicates_keeps_first_occurrence(seed):
    _, _, sentences, reuse = seed
    out = mark_duplicates(sentences, reuse)
    assert len(out) == len(sentences) and "reused_from" in out
    first = out[out["essay_id"] == "seed-01"]
    assert (first["reused_from"] == "").all()  # the first essay is never a copy
    copies = out[out["reused_from"] != ""]
    assert set(copies["essay_id"]) == {"seed-03", "seed-05"}
    # every copy points to an original in an earlier essay
    order = {sid: i for i, sid in enumerate(out["sentence_id"])}
    assert all(order[src] < order[sid] for sid, src in zip(copies["sentence_id"], copies["reused_from"]))
    assert (out.set_index("sentence_id").loc[copies["reused_from"], "reused_from"] == "").all()
    story = out[out["text"].str.contains("额头上冷汗直冒", regex=False)]
    assert list(story["reused_from"]) == ["", story["sentence_id"].iloc[0]]
    # counting with dedupe: the 骨折 story once
    assert (out.loc[out["reused_from"] == "", "text"].str.contains("额头上冷汗直冒", regex=False)).sum() == 1


def test_original_share(seed):
    essays, _, sentences, reuse = seed
    share = original_share(essays, sentences, reuse).set_index("essay_id")
    assert share.loc["seed-05", "share_original"] < 0.6
    assert share.loc["seed-05", "share_duplicate"] > 0.4
    assert share.loc["seed-01", "share_duplicate"] < 0.1
    for e in ["seed-04", "seed-06", "seed-08", "seed-10", "new-01"]:
        assert share.loc[e, "share_original"] == 1.0
    # given the column mark_duplicates made, the same shares without marking again
    marked = mark_duplicates(sentences, reuse)["reused_from"]
    given = original_share(essays, sentences, reuse, reused_from=marked).set_index("essay_id")
    pd.testing.assert_frame_equal(given, share)


def test_paragraph_units(seed):
    _, paragraphs, _, _ = seed
    reuse = find_reuse(paragraphs)
    assert reuse["start_a"].str.contains("-p").all()
    assert pairs(reuse) <= {("seed-01", "seed-03"), ("seed-01", "seed-05"), ("seed-03", "seed-05")}
    assert ("seed-01", "seed-05") in pairs(reuse)


def test_threshold_is_respected(seed):
    _, _, sentences, reuse = seed
    strict = find_reuse(sentences, threshold=0.95)
    assert len(strict) < len(reuse)
    assert (strict["containment"] >= 0.9).all()


def test_matrix_top_and_heatmap(seed):
    essays, _, sentences, reuse = seed
    mat = reuse_matrix(sentences, reuse)
    assert mat.shape == (11, 11)
    assert mat.loc["seed-05", "seed-01"] > 0.3 and mat.loc["seed-04"].sum() == 0
    assert (mat.to_numpy().diagonal() == 0).all()
    top = top_passages(reuse, n=3, mapping={"王某": "学生C"})
    assert len(top) == 3 and top["chars"].is_monotonic_decreasing
    assert not top["passage"].str.contains("王某").any()
    fig = plot_reuse_heatmap(sentences, reuse)
    assert isinstance(fig, matplotlib.figure.Figure)
    assert fig.axes[0].images[0].get_array().shape == (11, 11)
    matplotlib.pyplot.close(fig)


def test_heatmap_of_a_large_corpus_shows_the_essays_sharing_most(seed, monkeypatch):
    """The figure must not grow with the corpus (975 essays made a 340-inch,
    24 GB figure): above the cap, the essays sharing the most text, in corpus
    order, and the title says how many of how many."""
    from analysis.reporting import figures

    _, _, sentences, reuse = seed
    mat = reuse_matrix(sentences, reuse)
    shared = (mat.sum(axis=1) + mat.sum(axis=0)).sort_values(ascending=False, kind="stable")
    monkeypatch.setattr(figures, "MAX_HEATMAP_ESSAYS", 2)
    fig = plot_reuse_heatmap(sentences, reuse)
    ax = fig.axes[0]
    shown = [t.get_text() for t in ax.get_yticklabels()]
    assert set(shown) == set(shared.index[:2]) and shown == [e for e in mat.index if e in shown]
    assert ax.images[0].get_array().shape == (2, 2)
    assert "the 2 essays sharing the most text, of 11" in ax.get_title()
    assert max(fig.get_size_inches()) < 6
    matplotlib.pyplot.close(fig)
    nothing = reuse.iloc[0:0]
    shown = plot_reuse_heatmap(sentences, nothing)  # no reuse at all: one sentence, no empty map, no error
    assert not hasattr(shown, "axes") and "No essay shares a passage" in shown._repr_markdown_()


# --------------------------------------------------------------- units ---
@pytest.mark.parametrize(
    "text, expected",
    [("“留守儿童”营造了，一个 健康环境。", "留守儿童营造了一个健康环境"), ("19XX年6月", "19XX年6月"), (None, "")],
)
def test_normalise(text, expected):
    assert normalise(text) == expected


def test_shingles_and_jaccard():
    assert shingles("留守儿童", k=5) == {"留守儿童"}
    assert len(shingles("关爱留守儿童的工作", k=5)) == 5
    assert jaccard("我凭着特有的执著和坚韧。", "我凭着特有的执著和坚韧！") == 1.0
    assert jaccard("春天来了，柳树发芽了。", "我凭着特有的执著和坚韧。") == 0.0


def test_same_essay_repeats_are_not_reuse():
    s = "我凭着特有的执著和坚韧，给留守儿童营造了一个健康成长环境。"
    units = pd.DataFrame({"essay_id": ["a", "a"], "sentence_id": ["a-s1", "a-s2"], "text": [s, s]})
    assert find_reuse(units).empty


def test_missing_columns():
    with pytest.raises(KeyError, match="sentence_id or paragraph_id"):
        find_reuse(pd.DataFrame({"essay_id": ["a"], "text": ["x"]}))
    with pytest.raises(KeyError, match="units_a"):
        mark_duplicates(
            pd.DataFrame({"essay_id": ["a"], "sentence_id": ["a-s1"], "text": ["x"]}), pd.DataFrame({"essay_a": ["a"]})
        )


@pytest.mark.parametrize("k", [5, 12])  # 12: the ids overflow 62 bits and are renumbered on the way
def test_shingle_matrix_rows_are_the_shingle_sets(k):
    """Row sums are the shingle-set sizes and row products the shared shingles,
    repeats inside a text counted once."""
    from analysis.methods.reuse import normalise, shingle_matrix

    texts = [
        normalise(t)
        for t in [
            "关爱留守儿童，是全社会的共同责任。",
            "留守儿童留守儿童留守儿童",
            "一二三四五",
            "父母外出打工后，他和奶奶一起生活，每天放学回家都要做饭。",
            "ABCDE12345留守",
            "关爱留守儿童",
        ]
    ]
    texts = [t for t in texts if len(t) >= k]
    x = shingle_matrix(texts, k=k)
    assert x.shape[0] == len(texts)
    prod = (x @ x.T).toarray()
    for i, a in enumerate(texts):
        assert x[i].sum() == len(shingles(a, k=k))
        for j, b in enumerate(texts):
            assert prod[i, j] == len(shingles(a, k=k) & shingles(b, k=k)), (a, b)
    if k == 5:
        assert prod[0, 5] == 2  # 关爱留守儿, 爱留守儿童
    with pytest.raises(ValueError, match=f"at least {k}"):
        shingle_matrix(["我爱我家"], k=k)


# ---------------------------------------------------------------- ReuseIndex


def _with_copy(sentences: pd.DataFrame, source: str, new_id: str, *, first: bool = False) -> pd.DataFrame:
    """The sentences plus an essay ``new_id`` that copies essay ``source`` (its
    sentences reversed in order, so passages are re-chained), placed first or last."""
    src = sentences[sentences.essay_id == source].iloc[::-1]
    copy = pd.DataFrame(
        {
            "essay_id": new_id,
            "paragraph_id": [f"{new_id}-p001"] * len(src),
            "sentence_id": [f"{new_id}-s{k:04d}" for k in range(1, len(src) + 1)],
            "ordinal": range(1, len(src) + 1),
            "text": src["text"].tolist(),
        }
    )
    parts = [copy, sentences] if first else [sentences, copy]
    return pd.concat(parts, ignore_index=True)


def test_reuse_index_gives_find_reuse_after_every_change():
    """The watch-mode build searches reuse incrementally: after additions, an
    edit, a removal and an essay inserted first, the result is exactly
    find_reuse's on the whole corpus, and only the first call is a full one."""
    from analysis.fast.reuse_index import ReuseIndex

    _, _, sents = seed_tables()
    index = ReuseIndex()
    steps = []
    corpus = sents[sents.essay_id != "seed-10"]
    steps.append(("start", corpus, "full"))
    corpus = sents
    steps.append(("seed-10 added", corpus, "incremental"))
    corpus = _with_copy(corpus, "seed-03", "zz-01")
    steps.append(("a copy of seed-03 appended", corpus, "incremental"))
    corpus = corpus.copy()
    row = corpus.index[(corpus.essay_id == "seed-05")][3]
    corpus.loc[row, "text"] = corpus.loc[row, "text"][::-1]
    steps.append(("a sentence of seed-05 edited", corpus, "incremental"))
    corpus = corpus[corpus.essay_id != "seed-02"].reset_index(drop=True)
    steps.append(("seed-02 removed", corpus, "incremental"))
    corpus = _with_copy(corpus, "seed-07", "aa-01", first=True)
    steps.append(("a copy of seed-07 inserted first", corpus, "incremental"))
    for what, units, mode in steps:
        got = index.find(units)
        assert index.last_mode == mode, what
        pd.testing.assert_frame_equal(got, find_reuse(units), obj=what)
    assert len(got) and set(got.essay_b) >= {"zz-01"} and set(got.essay_a) >= {"aa-01"}


def test_reuse_index_starts_afresh_when_an_unchanged_pair_could_change():
    """A shingle crossing max_df, reordered essays, other parameters, and
    essays whose rows are not together each force a full search — with the
    same result as find_reuse."""
    from analysis.fast.reuse_index import ReuseIndex

    _, paragraphs, sents = seed_tables()
    index = ReuseIndex()
    base = sents[sents.essay_id != "seed-09"]
    index.find(base, max_df=2)
    grown = _with_copy(base, "seed-03", "zz-01")  # seed-03's shared shingles now occur 3 times: above max_df
    pd.testing.assert_frame_equal(index.find(grown, max_df=2), find_reuse(grown, max_df=2))
    assert index.last_mode == "full"

    index.find(sents)
    swapped = pd.concat([sents[sents.essay_id == "seed-04"], sents[sents.essay_id != "seed-04"]], ignore_index=True)
    pd.testing.assert_frame_equal(index.find(swapped), find_reuse(swapped))
    assert index.last_mode == "full"

    pd.testing.assert_frame_equal(index.find(sents, threshold=0.8), find_reuse(sents, threshold=0.8))
    assert index.last_mode == "full"

    scattered = pd.concat([sents.iloc[::2], sents.iloc[1::2]], ignore_index=True)
    pd.testing.assert_frame_equal(index.find(scattered), find_reuse(scattered))

    index = ReuseIndex()  # paragraphs as units
    index.find(paragraphs[paragraphs.essay_id != "seed-06"])
    pd.testing.assert_frame_equal(index.find(paragraphs), find_reuse(paragraphs))
    assert index.last_mode == "incremental"
