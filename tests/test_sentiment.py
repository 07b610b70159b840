"""Tests for analysis.methods.sentiment: rules of the lexicon method, edge cases, frames,
calibration. Real Chinese from essays and news about left-behind children."""

import math

import numpy as np
import pandas as pd
import pytest

from analysis.reporting import figures
from analysis.methods import sentiment as S
from analysis.methods import validate
from analysis.ingest.segment import tokenize

WANGYIN = "现在戒掉了网瘾，成为一名品学兼优的好学生"


def lexicon_label(text: str) -> str:
    return S.label(S.score(text, method="lexicon"), method="lexicon")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("不开心", "negative"),
        ("我今天一点也不开心。", "negative"),
        ("没有失去信心", "positive"),
        ("他们不再孤独，不再寂寞。", "positive"),
        ("我奉献着，幸福着，快乐着，无怨无悔！", "positive"),
        ("孩子是没有错的。", "positive"),
        ("留守儿童从小缺乏父母的关爱。", "negative"),
        ("他的成绩不好。", "negative"),
        ("他毫不吝啬地把零花钱捐了出去。", "positive"),
    ],
)
def test_negation_scope(text, expected):
    assert lexicon_label(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        (WANGYIN, "positive"),
        ("在老师的帮助下，他克服了学习上的困难。", "positive"),
        ("帮助留守儿童走出了阴霾，走向了成功。", "positive"),
        ("她终于摆脱了贫困。", "positive"),
        ("他沉迷网络游戏，经常逃学。", "negative"),
    ],
)
def test_problems_resolved_flip(text, expected):
    assert lexicon_label(text) == expected


@pytest.mark.parametrize(
    "stronger, weaker",
    [
        ("非常好", "好"),
        ("很开心", "开心"),
        ("极其痛苦", "痛苦"),
        ("难过", "有点难过"),
        ("温暖", "稍微温暖"),
    ],
)
def test_degree_adverbs(stronger, weaker):
    s, w = S.score(stronger, method="lexicon"), S.score(weaker, method="lexicon")
    assert abs(s) > abs(w) > 0
    assert np.sign(s) == np.sign(w)


@pytest.mark.parametrize("method", S.METHODS)
@pytest.mark.parametrize("text", ["", "   ", "\n\t　"])
def test_empty_text_is_neutral_without_snownlp(method, text, monkeypatch):
    def boom(_):
        raise AssertionError("SnowNLP must not be called on empty text")

    monkeypatch.setattr(S.scoring, "_snownlp_cached", boom)
    s = S.score(text, method=method)
    assert s == S.NEUTRAL_SCORE[method]
    assert S.label(s, method=method) == "neutral"
    assert S.emotion(text) == ""


@pytest.mark.parametrize("method", S.METHODS)
def test_very_long_sentence(method):
    text = ("孩子们在老师的关爱下健康成长，但也有人感到孤独，" * 300)[:5000]
    s = S.score(text, method=method)
    lo, hi = S.SCORE_RANGE[method]
    assert math.isfinite(s) and lo <= s <= hi
    assert S.label(s, method=method) in S.LABELS


@pytest.mark.parametrize("method", S.METHODS)
@pytest.mark.parametrize(
    "text",
    [
        "我们班有23名学生，其中12人是left-behind children，成绩进步很大！",
        "2015年9月XX小学成立了，Wi-Fi覆盖率100%。",
        "OK 123",
    ],
)
def test_mixed_chinese_english_digits(method, text):
    s = S.score(text, method=method)
    lo, hi = S.SCORE_RANGE[method]
    assert math.isfinite(s) and lo <= s <= hi


def test_mixed_text_keeps_its_chinese_sentiment():
    assert lexicon_label("我们班有23名学生，其中12人是left-behind children，成绩进步很大！") == "positive"


def test_wangyin_example_positive_under_default_method():
    assert S.label(S.score(WANGYIN)) == "positive"
    assert S.label(S.score(WANGYIN, method=S.DEFAULT_METHOD), method=S.DEFAULT_METHOD) == "positive"


def test_default_method_is_a_known_method():
    assert S.DEFAULT_METHOD in S.METHODS


@pytest.mark.parametrize(
    "call",
    [
        lambda: S.score("很好", method="bert"),
        lambda: S.label(0.3, method="bert"),
        lambda: S.score_sentences(pd.DataFrame({"text": ["很好"]}), methods=["lexicon", "bert"]),
        lambda: S.annotate_lines(["很好"], method="bert"),
    ],
)
def test_unknown_method_names_the_valid_ones(call):
    with pytest.raises(ValueError, match="bert.*snownlp, lexicon, combined"):
        call()


@pytest.mark.parametrize(
    "score, band, expected",
    [
        (-0.3, (-0.1, 0.1), "negative"),
        (0.0, (-0.1, 0.1), "neutral"),
        (0.1, (-0.1, 0.1), "neutral"),
        (0.11, (-0.1, 0.1), "positive"),
        (0.45, (0.4, 0.6), "neutral"),
        (float("nan"), (-0.1, 0.1), "neutral"),
    ],
)
def test_label_band(score, band, expected):
    assert S.label(score, method="lexicon", band=band) == expected


def test_label_rejects_inverted_band():
    with pytest.raises(ValueError, match="lo <= hi"):
        S.label(0.0, method="lexicon", band=(0.2, -0.2))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("孩子们玩得非常开心，脸上绽放出灿烂的笑容。", "乐"),
        ("他从小就被扔给奶奶照顾，心灵寂寞。", "哀"),
        ("看到他受伤，我吓得心里直发慌，非常害怕。", "惧"),
        ("他们不再孤独，不再寂寞。", "乐"),
        ("我不开心。", "哀"),
        ("本次活动共有30名学生参加。", ""),
    ],
)
def test_emotion(text, expected):
    assert S.emotion(text) == expected
    assert expected == "" or expected in S.EMOTIONS


SENTENCES = pd.DataFrame(
    {
        "essay_id": ["e1", "e1", "e1", "e2", "e2"],
        "paragraph_id": ["e1-p001", "e1-p001", "e1-p002", "e2-p001", "e2-p001"],
        "sentence_id": ["e1-s0001", "e1-s0002", "e1-s0003", "e2-s0001", "e2-s0002"],
        "ordinal": [1, 2, 3, 1, 2],
        "position": [0.1, 0.5, 0.9, 0.25, 0.75],
        "text": [
            "他心灵寂寞，成绩不断下降。",
            "在老师的鼓励下，他的心情好了，成绩有了明显的进步。",
            "本学期共有28名学生。",
            "我们班有两个留守儿童。",
            "孩子们非常开心！",
        ],
    }
)


def with_tokens(df):
    return df.assign(tokens=[tokenize(t) for t in df["text"]])


def test_score_sentences_columns_and_labels():
    out = S.score_sentences(with_tokens(SENTENCES), methods=["snownlp", "lexicon"])
    for col in [
        "sentiment_score",
        "sentiment_label",
        "score_snownlp",
        "score_lexicon",
        "label_snownlp",
        "label_lexicon",
        "emotion",
        f"score_{S.DEFAULT_METHOD}",
        f"label_{S.DEFAULT_METHOD}",
    ]:
        assert col in out.columns
    assert out["sentiment_label"].tolist()[:3] == ["negative", "positive", "neutral"]
    assert (out["sentiment_score"] == out[f"score_{S.DEFAULT_METHOD}"]).all()
    assert len(out) == len(SENTENCES) and "sentiment_score" not in SENTENCES.columns


def test_score_sentences_uses_the_tokens_column():
    df = pd.DataFrame({"text": ["今天下午开会。"], "tokens": [["孩子们", "非常", "开心"]]})
    out = S.score_sentences(df, methods=["lexicon"])
    assert out["score_lexicon"].iloc[0] > 0
    assert S.score_sentences(df.drop(columns="tokens"), methods=["lexicon"])["score_lexicon"].iloc[0] == 0


def test_score_sentences_band_override_applies_to_default():
    df = pd.DataFrame({"text": ["孩子们非常开心！"]})
    wide = (-2.0, 2.0) if S.DEFAULT_METHOD != "snownlp" else (-1.0, 2.0)
    assert S.score_sentences(df, band=wide)["sentiment_label"].iloc[0] == "neutral"


def test_identical_labels_across_two_runs():
    first = S.score_sentences(SENTENCES)
    S.clear_caches()
    second = S.score_sentences(SENTENCES)
    pd.testing.assert_frame_equal(first, second)


def test_score_sentences_missing_text_column():
    with pytest.raises(KeyError, match="text"):
        S.score_sentences(SENTENCES.drop(columns="text"))


def test_aggregate_tiny_frame():
    df = pd.DataFrame(
        {
            "essay_id": ["a", "a", "a", "a", "b"],
            "paragraph_id": ["a-p1", "a-p1", "a-p2", "a-p2", "b-p1"],
            "sentiment_score": [0.5, -0.5, 0.2, 0.0, 0.8],
            "sentiment_label": ["positive", "negative", "positive", "neutral", "positive"],
            "emotion": ["乐", "哀", "乐", "", ""],
        }
    )
    out = S.aggregate(df).set_index("essay_id")
    assert out.loc["a", "n_sentences"] == 4
    assert out.loc["a", "sentiment_mean"] == pytest.approx(0.05)
    assert out.loc["a", "share_positive"] == pytest.approx(0.5)
    assert out.loc["a", "share_negative"] == pytest.approx(0.25)
    assert out.loc["a", "share_neutral"] == pytest.approx(0.25)
    assert out.loc["a", "dominant_emotion"] == "乐"
    assert out.loc["b", "dominant_emotion"] == ""
    paras = S.aggregate(df, by="paragraph_id")
    assert paras["paragraph_id"].tolist() == ["a-p1", "a-p2", "b-p1"]
    assert paras["sentiment_mean"].tolist() == pytest.approx([0.0, 0.1, 0.8])


@pytest.mark.parametrize("missing", ["sentiment_score", "sentiment_label", "essay_id"])
def test_aggregate_missing_column(missing):
    df = pd.DataFrame({"essay_id": ["a"], "sentiment_score": [0.1], "sentiment_label": ["positive"]})
    with pytest.raises(KeyError, match=missing):
        S.aggregate(df.drop(columns=missing))


def test_emotion_profile_counts_and_shares():
    df = pd.DataFrame({"essay_id": ["a", "a", "b"], "emotion": ["乐", "", "哀"]})
    counts = S.emotion_profile(df)
    assert counts.loc["a", "乐"] == 1 and counts.loc["a", "无"] == 1 and counts.loc["b", "哀"] == 1
    shares = S.emotion_profile(df, normalize=True)
    assert shares.loc["a"].sum() == pytest.approx(1.0)


def test_annotate_lines_skips_empty_lines_in_order():
    out = S.annotate_lines(["孩子们非常开心！", "", "   ", "他心灵寂寞。"], method="lexicon")
    assert out.columns.tolist() == ["text", "sentiment_score", "sentiment_label", "emotion"]
    assert out["text"].tolist() == ["孩子们非常开心！", "他心灵寂寞。"]
    assert out["sentiment_label"].tolist() == ["positive", "negative"]
    assert S.annotate_lines([]).empty


# Education and social-news sentences, labelled by the coding guide's rules
# before any method was run on them: a small check that the default method
# is not tied to the essays it was calibrated on.
NEWS = [
    ("教育部等部门联合印发通知，要求各地加强农村留守儿童关爱保护工作。", "neutral"),
    ("据统计，全国农村留守儿童数量约为643万人。", "neutral"),
    ("一名10岁留守儿童在水库游泳时不幸溺水身亡。", "negative"),
    ("志愿者们为山区留守儿童送去了图书和温暖的冬衣，孩子们脸上露出了灿烂的笑容。", "positive"),
    ("调查显示，部分留守儿童存在孤独、自卑等心理问题。", "negative"),
    ("在老师的帮助下，他克服了厌学情绪，成绩稳步提高。", "positive"),
    ("该校建立了留守儿童档案，并定期开展家访。", "neutral"),
    ("长期缺乏父母陪伴，让不少孩子变得沉默寡言。", "negative"),
    ("村里的留守儿童之家正式投入使用，孩子们在这里读书、做游戏，十分开心。", "positive"),
    ("会议于上午九点在县教育局召开。", "neutral"),
    ("校园欺凌事件频发，引发家长担忧。", "negative"),
    ("经过一年的心理辅导，小明变得开朗自信，不再沉迷网络游戏。", "positive"),
    ("由于父母外出务工，她和年迈的奶奶相依为命，生活十分困难。", "negative"),
    ("本次活动共有30名学生参加。", "neutral"),
    ("感谢社会各界爱心人士对留守儿童的关心和支持！", "positive"),
    ("他的父母在外地打工，一年回家一次。", "neutral"),
    ("留守儿童的安全问题不容忽视。", "negative"),
]


def test_default_method_on_news_sentences():
    gold = [g for _, g in NEWS]
    pred = [S.label(S.score(t)) for t, _ in NEWS]
    assert validate.classification_metrics(gold, pred, labels=S.LABELS)["macro_f1"] >= 0.7


# Session 23 (validation on unseen corpora): the team's own invented sentences,
# labelled by the coding guide before the refitted model was run on them. Policy
# and reporting language is neutral unless it evaluates; 还没有 negates what
# follows; an evaluative sentence inside a news report is still positive. They
# guard behaviour the regularisation change (C 3 → 6) must keep; each passes on
# the old model too (the change moves no label among them).
REGISTER_CASES = [
    ("县教育局下发通知，要求各乡镇学校在开学前完成留守儿童信息登记。", "neutral"),
    ("本学期全镇共为留守儿童发放助学金12万元，惠及学生340名。", "neutral"),
    ("活动分为报名、审核和公示三个环节，具体时间另行通知。", "neutral"),
    ("据报道，该县去年新建了三所寄宿制学校。", "neutral"),
    ("各校要注意学生冬季用火用电安全。", "neutral"),
    ("奶奶的病还没有好，家里的农活也没人干。", "negative"),
    ("记者在现场看到，孩子们的笑容格外灿烂，新教室宽敞明亮。", "positive"),
    ("这所山村小学的变化真是令人欣喜。", "positive"),
    ("孩子再也不用一个人走夜路上学了。", "positive"),
]


@pytest.mark.parametrize("text, expected", REGISTER_CASES)
def test_default_method_on_register_cases(text, expected):
    assert S.DEFAULT_METHOD == "supervised"
    assert S.label(S.score(text)) == expected


def test_supervised_model_stores_the_regularisation_it_was_fitted_with():
    from analysis.methods import supervised

    model = supervised.load()
    assert model.spec["meta"]["c"] == supervised.C == 6.0


def tiny_annotations():
    pos = [
        "孩子们非常开心。",
        "他的成绩有了明显的进步。",
        "老师的关爱让他感到温暖。",
        "她变得开朗自信了。",
        "我们的班集体团结友爱。",
        "感谢老师的耐心帮助！",
        "他被评为优秀学生。",
        "孩子们幸福地成长。",
    ]
    neg = [
        "他心灵寂寞，很孤独。",
        "成绩不断下降。",
        "他经常逃学打架。",
        "父母离异后他变得孤僻自卑。",
        "家里十分贫困。",
        "他摔伤了，疼得直哭。",
        "孩子缺乏父母的关爱。",
        "存在严重的安全隐患。",
    ]
    neu = [
        "班级学生有23人。",
        "学校位于镇上。",
        "本学期开学了。",
        "他今年十岁。",
        "我们开了一次班会。",
        "下午三点放学。",
        "他住在爷爷家。",
        "这是第二节课。",
    ]
    texts = pos + neg + neu
    labels = ["positive"] * 8 + ["negative"] * 8 + ["neutral"] * 8
    return pd.DataFrame(
        {
            "item_id": [f"s{i:03d}" for i in range(24)],
            "essay_ordinal": [i % 4 + 1 for i in range(24)],
            "text": texts,
            "label": labels,
            "emotion": ["乐"] * 8 + ["哀"] * 8 + ["无"] * 8,
        }
    )


def test_calibrate_and_write(tmp_path):
    ann = tiny_annotations()
    result = S.calibrate(ann, folds=4, seed=7)
    assert result["default_method"] in S.METHODS
    for m in S.METHODS:
        lo, hi = result["bands"][m]
        assert lo <= S.NEUTRAL_SCORE[m] <= hi
        assert 0 <= result["cross_validation"]["candidates"][m]["cv_macro_f1"] <= 1
    assert result == {**S.calibrate(ann, folds=4, seed=7), "created": result["created"]}
    path = S.write_calibration(result, tmp_path / "calibration.yaml")
    back = S.load_calibration(path)
    assert back["default_method"] == result["default_method"]
    assert back["bands"] == result["bands"]


def test_evaluate_methods_tables():
    res = S.evaluate_methods(tiny_annotations(), folds=4, seed=7)
    for key in [
        "summary",
        "per_class",
        "folds",
        "agreement",
        "disagreements",
        "predictions",
        "emotion_summary",
        *[f"confusion_{m}" for m in S.METHODS],
    ]:
        assert key in res
    assert int(res["confusion_lexicon"].to_numpy().sum()) == 24
    assert set(res["summary"]["method"]) >= set(S.METHODS)
    assert res["agreement"].loc["gold", "gold"] == 1


def test_annotations_with_unknown_label_are_rejected():
    bad = tiny_annotations()
    bad.loc[3, "label"] = "happy"
    with pytest.raises(ValueError, match="happy"):
        S.prepare_annotations(bad)


# ------------------------------------------------ fast paths == plain pandas ---
def _random_scored(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, max(1, n // 7), n).astype(str).astype(object)
    keys[rng.random(n) < 0.05] = None
    scores = rng.normal(0, 0.5, n) * 10.0 ** rng.integers(-6, 6, n)
    scores[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "paragraph_id": pd.Series(keys, dtype="str" if seed % 2 else object),
            "sentiment_score": scores,
            "sentiment_label": rng.choice(list(S.LABELS), n),
            "emotion": rng.choice(["", "", "好", "乐", "哀", None], n),
        }
    )


@pytest.mark.parametrize("seed, n", [(0, 0), (1, 1), (2, 9), (3, 50), (4, 300), (5, 1200)])
def test_aggregate_equals_the_groupby_computation(seed, n):
    df = _random_scored(seed, n)
    cols = ["paragraph_id", *S.AGGREGATE_COLUMNS]
    expected = pd.DataFrame(S.scoring._aggregate_rows_grouped(df, "paragraph_id"), columns=cols)
    pd.testing.assert_frame_equal(S.aggregate(df, by="paragraph_id"), expected, check_exact=True)
    ordered = df.sort_values("paragraph_id", kind="mergesort").reset_index(drop=True)  # consecutive groups
    expected = pd.DataFrame(S.scoring._aggregate_rows_grouped(ordered, "paragraph_id"), columns=cols)
    pd.testing.assert_frame_equal(S.aggregate(ordered, by="paragraph_id"), expected, check_exact=True)


def test_score_sentences_columns_as_setitem_would_add_them():
    df = pd.DataFrame(
        {
            "essay_id": ["e1", "e1", "e2"],
            "text": ["我很开心！", "", "他缺乏关爱。"],
            "tokens": [tokenize("我很开心！"), [], tokenize("他缺乏关爱。")],
        }
    )
    for frame in (df, df.set_axis([3, 3, 4])):  # a duplicate index takes the setitem path
        out = S.score_sentences(frame, methods=S.METHODS)
        expected = frame.copy()
        for c in out.columns[len(frame.columns) :]:
            expected[c] = out[c].to_numpy() if out[c].dtype == np.float64 else out[c].tolist()
        pd.testing.assert_frame_equal(out, expected)
    again = S.score_sentences(S.score_sentences(df), methods=["lexicon"])  # rescoring replaces in place
    assert list(again.columns[:3]) == ["essay_id", "text", "tokens"] and again.columns.is_unique


def test_distribution_plot_of_many_essays_shows_the_extremes(seed_build, monkeypatch):
    """One row per essay would make the figure as long as the corpus: above
    MAX_PLOT_GROUPS essays the lowest and highest by mean score are shown,
    in corpus order, and both titles say of how many."""
    import matplotlib.pyplot as plt

    s = seed_build.tables["sentences"]
    means = s.groupby("essay_id", sort=False)["sentiment_score"].mean().sort_values(kind="stable")
    monkeypatch.setattr(figures, "MAX_PLOT_GROUPS", 4)
    fig = figures.plot_distribution(s, group="essay_id")
    box, shares = fig.axes[0], fig.axes[1]
    shown = [t.get_text() for t in box.get_yticklabels()]
    assert set(shown) == set(means.index[:2]) | set(means.index[-2:])
    assert shown == [e for e in s["essay_id"].unique() if e in shown]
    assert [t.get_text() for t in shares.get_yticklabels()] == shown
    assert "2 lowest and 2 highest mean of 10" in box.get_title() and "of 10" in shares.get_title()
    plt.close(fig)
    monkeypatch.setattr(figures, "MAX_PLOT_GROUPS", 60)
    fig = figures.plot_distribution(s, group="essay_id")
    assert len(fig.axes[0].get_yticklabels()) == 10 and "of" not in fig.axes[0].get_title()
    plt.close(fig)


def test_arc_plot_marks_each_essays_peak_and_trough(seed_build):
    """Small multiples: one panel per essay, its peak (▲) and trough (▼) at the
    points arc_extremes lists; no sentence text written over the dots unless
    asked for, and then inside the panel."""
    import matplotlib.pyplot as plt

    from analysis.methods import sentiment as sent

    s = seed_build.tables["sentences"]
    ext = sent.arc_extremes(s, by="essay_id")
    fig = figures.plot_arcs(s, by="essay_id")
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == list(s["essay_id"].unique())
    for ax in panels:
        marks = {
            ln.get_marker(): (float(ln.get_xdata()[0]), float(ln.get_ydata()[0]))
            for ln in ax.get_lines()
            if ln.get_marker() in ("^", "v")
        }
        mine = ext[ext["essay_id"] == ax.get_title()].set_index("kind")
        assert marks == {
            "^": tuple(mine.loc["peak", ["position", "smoothed"]].astype(float)),
            "v": tuple(mine.loc["trough", ["position", "smoothed"]].astype(float)),
        }
        assert not ax.texts
    plt.close(fig)
    fig = figures.plot_arcs(s, by="essay_id", label_chars=6)
    texts = [t for ax in fig.axes for t in ax.texts]
    assert len(texts) == 2 * len(panels) and all(t.get_annotation_clip() for t in texts)
    assert {t.get_text() for t in texts} == {str(x)[:6] for x in ext["text"]}
    plt.close(fig)
