"""Tests for analysis.methods.validate: metrics against hand-computed tiny cases."""

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import f1_score

from analysis.methods import validate

LABELS = ["negative", "neutral", "positive"]


def two_by_two(a_yes_b_yes, a_yes_b_no, a_no_b_yes, a_no_b_no):
    a = ["yes"] * (a_yes_b_yes + a_yes_b_no) + ["no"] * (a_no_b_yes + a_no_b_no)
    b = ["yes"] * a_yes_b_yes + ["no"] * a_yes_b_no + ["yes"] * a_no_b_yes + ["no"] * a_no_b_no
    return a, b


@pytest.mark.parametrize(
    "cells, kappa",
    [
        # p_o = 35/50 = 0.7; p_e = 25/50·30/50 + 25/50·20/50 = 0.5; κ = (0.7 − 0.5)/(1 − 0.5) = 0.4
        ((20, 5, 10, 15), 0.4),
        # perfect agreement
        ((10, 0, 0, 10), 1.0),
        # p_o = 0.5, p_e = 0.5 → κ = 0
        ((5, 5, 5, 5), 0.0),
        # p_o = 0; p_e = 0.5 → κ = −1
        ((0, 10, 10, 0), -1.0),
    ],
)
def test_cohen_kappa_hand_computed(cells, kappa):
    a, b = two_by_two(*cells)
    assert validate.cohen_kappa(a, b) == pytest.approx(kappa)


def test_cohen_kappa_undefined_is_nan():
    assert math.isnan(validate.cohen_kappa(["neutral"] * 4, ["neutral"] * 4))


@pytest.mark.parametrize("seed", range(6))
def test_cohen_kappa_equals_scikit_learn(seed):
    # the hand computation stands in for sklearn's (not imported at render time); the oracle is sklearn itself,
    # including items outside ``labels`` (left out by both) and a label nobody used
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(seed)
    pool = ["positive", "neutral", "negative", "无"]
    a = list(rng.choice(pool, 40, p=[0.4, 0.3, 0.2, 0.1]))
    b = [x if rng.random() < 0.6 else str(rng.choice(pool)) for x in a]
    labels = ["positive", "neutral", "negative", "mixed"]
    assert validate.cohen_kappa(a, b, labels=labels) == pytest.approx(cohen_kappa_score(a, b, labels=labels))
    assert validate.cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))


def test_classification_metrics_hand_computed():
    y_true = ["positive", "positive", "negative", "neutral"]
    y_pred = ["positive", "negative", "negative", "neutral"]
    m = validate.classification_metrics(y_true, y_pred, labels=LABELS)
    assert m["n"] == 4
    assert m["accuracy"] == pytest.approx(0.75)
    # F1: positive 2/3 (P 1, R 1/2), negative 2/3 (P 1/2, R 1), neutral 1
    assert m["macro_f1"] == pytest.approx((2 / 3 + 2 / 3 + 1) / 3)
    # p_o = 3/4; p_e = (1·2 + 1·1 + 2·1)/16 = 5/16; κ = (12/16 − 5/16)/(11/16) = 7/11
    assert m["kappa"] == pytest.approx(7 / 11)


def test_per_class_and_confusion_hand_computed():
    y_true = ["positive", "positive", "negative", "neutral"]
    y_pred = ["positive", "negative", "negative", "neutral"]
    pc = validate.per_class_metrics(y_true, y_pred, labels=LABELS).set_index("class")
    assert pc.loc["negative", "precision"] == pytest.approx(0.5)
    assert pc.loc["negative", "recall"] == pytest.approx(1.0)
    assert pc.loc["positive", "recall"] == pytest.approx(0.5)
    assert pc["support"].tolist() == [1, 1, 2]
    assert pc["predicted"].tolist() == [2, 1, 1]
    cm = validate.confusion_frame(y_true, y_pred, labels=LABELS)
    expected = pd.DataFrame([[1, 0, 0], [0, 1, 0], [1, 0, 1]], index=LABELS, columns=LABELS)
    assert (cm.to_numpy() == expected.to_numpy()).all()
    assert list(cm.index) == LABELS and cm.index.name == "true" and cm.columns.name == "predicted"


def test_class_absent_from_both_still_gets_a_row():
    cm = validate.confusion_frame(["positive"], ["positive"], labels=LABELS)
    assert cm.shape == (3, 3) and cm.to_numpy().sum() == 1


def test_length_mismatch_is_an_error():
    with pytest.raises(ValueError, match="length"):
        validate.classification_metrics(["positive"], ["positive", "negative"])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fast_macro_f1_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, 200)
    p = rng.integers(0, 3, 200)
    assert validate.macro_f1(y, p, 3) == pytest.approx(f1_score(y, p, average="macro"))


def test_agreement_matrix_symmetric_with_unit_diagonal():
    frame = pd.DataFrame(
        {
            "gold": ["positive", "negative", "neutral", "positive"],
            "a": ["positive", "negative", "neutral", "positive"],
            "b": ["negative", "negative", "neutral", "positive"],
        }
    )
    k = validate.agreement_matrix(frame)
    assert (np.diag(k.to_numpy()) == 1).all()
    assert k.loc["gold", "a"] == pytest.approx(1.0)
    assert k.loc["a", "b"] == pytest.approx(k.loc["b", "a"])
    pct = validate.agreement_matrix(frame, statistic="percent")
    assert pct.loc["gold", "b"] == pytest.approx(0.75)


def test_agreement_matrix_missing_column():
    with pytest.raises(KeyError, match="nope"):
        validate.agreement_matrix(pd.DataFrame({"a": ["x"]}), columns=["a", "nope"])


def test_most_disagreeing_orders_by_distinct_labels_then_spread():
    frame = pd.DataFrame(
        {
            "text": ["全都同意", "两种意见", "三种意见", "两种意见但分歧大"],
            "l1": ["positive", "positive", "positive", "positive"],
            "l2": ["positive", "negative", "negative", "negative"],
            "l3": ["positive", "positive", "neutral", "positive"],
            "s1": [0.5, 0.2, 0.1, 0.9],
            "s2": [0.5, -0.1, -0.2, -0.9],
        }
    )
    out = validate.most_disagreeing(frame, label_columns=["l1", "l2", "l3"], score_columns=["s1", "s2"])
    assert out["text"].tolist() == ["三种意见", "两种意见但分歧大", "两种意见"]
    assert out["n_distinct_labels"].tolist() == [3, 2, 2]


def test_most_disagreeing_missing_column():
    with pytest.raises(KeyError, match="l9"):
        validate.most_disagreeing(pd.DataFrame({"l1": ["a"]}), label_columns=["l1", "l9"])


# ------------------------------------------------------------ two coders


def _coded_sample():
    from analysis.config import ANNOTATIONS_DIR

    return pd.read_csv(
        ANNOTATIONS_DIR / "sentiment_sentences.csv", encoding="utf-8-sig", keep_default_na=False, dtype=str
    )


def test_intercoder_agreement_single_label_on_the_coded_sentences():
    first = _coded_sample()
    second = first.sample(frac=1, random_state=3).copy()  # another order: matched by item_id
    flip = second.index[::9]
    second.loc[flip, "label"] = ["neutral" if v != "neutral" else "positive" for v in second.loc[flip, "label"]]
    out = validate.intercoder_agreement(first, second, "label", labels=LABELS)
    assert list(out.index) == ["label"] and out.loc["label", "n"] == len(first)
    assert out.loc["label", "agreement"] == pytest.approx(1 - len(flip) / len(first))
    aligned = second.set_index("item_id").loc[first["item_id"], "label"]
    assert out.loc["label", "kappa"] == pytest.approx(validate.cohen_kappa(first["label"], aligned, labels=LABELS))
    assert 0 < out.loc["label", "kappa"] < out.loc["label", "agreement"] < 1
    same = validate.intercoder_agreement(first, first, "emotion")
    assert same.loc["emotion", "agreement"] == 1.0 and same.loc["emotion", "kappa"] == pytest.approx(1.0)


def test_intercoder_agreement_needs_the_same_items():
    first = _coded_sample()
    with pytest.raises(ValueError, match=r"different items \(1 in one only: s00"):
        validate.intercoder_agreement(first, first.iloc[1:], "label")
    with pytest.raises(ValueError, match="repeats item_ids"):
        validate.intercoder_agreement(first, pd.concat([first, first.iloc[:1]]), "label")
    with pytest.raises(KeyError, match="second coding lacks columns: label"):
        validate.intercoder_agreement(first, first.drop(columns="label"), "label")


def test_intercoder_agreement_multi_label_codes():
    first = pd.DataFrame({"item_id": ["p1", "p2", "p3", "p4"], "codes": ["family;emotion", "", "study", "family"]})
    second = pd.DataFrame({"item_id": ["p4", "p3", "p2", "p1"], "codes": ["family", "study;teacher", "", "family"]})
    out = validate.intercoder_agreement(
        first, second, "codes", multi_sep=";", labels=["study", "emotion", "family", "teacher"]
    )
    assert list(out.index) == ["study", "emotion", "family", "teacher", "all (same set)"]
    assert out.loc["family", ["coder_1", "coder_2", "both"]].tolist() == [2, 2, 2]
    assert out.loc["family", "agreement"] == 1.0 and out.loc["family", "kappa"] == pytest.approx(1.0)
    assert out.loc["emotion", ["coder_1", "coder_2", "agreement"]].tolist() == [1, 0, 0.75]
    assert out.loc["emotion", "kappa"] == pytest.approx(0.0)  # p_o .75 = p_e .75
    assert out.loc["all (same set)", "agreement"] == 0.5  # p2 and p4 coded alike
