"""Genre and narrator from two models fitted on coded essays, blended.

1. **The cue model.** The cue lists of ``resources/tagging_cues.yaml`` say what
   each genre and narrator looks like (尊敬的… for a speech, 记者 for news,
   我是一名留守儿童 for a pupil's own story). Each essay becomes a short vector —
   the score of every genre, narrator and school-level cue list, pronoun rates
   (我, 我们, 他/她, 你 outside quotations), the rates of the ``model_features``
   word families and the rules' own decisions — and a multinomial logistic
   regression turns it into a probability per label.
2. **The character n-gram model.** The essay's character n-grams (``NGRAM``:
   1–3 characters, the ``max_features`` most frequent in the tuning essays that
   occur in at least two of them), weighted by TF-IDF with sublinear term
   frequency and l2-normalised, feed a second logistic regression per target.
   It reads the wording the cue lists never named (的几点体会, 据了解, 镜头).

The probability of a label is ``w·p_ngram + (1 − w)·p_cue`` (``BLEND``, one ``w``
per target). A tag is the most probable label; its confidence is that
probability, and below ``UNCERTAIN_BELOW`` the tag is ``uncertain`` rather than
a forced label. Both models are fitted on the coded essays of
``data/annotations/tag_essays/`` (the tuning folders ``TUNING_FOLDERS``, never
the held-out ``HELD_OUT_FOLDERS``) by ``python -m analysis calibrate``, which
stores plain numbers in ``resources/tagging_model.json``: scaling and
coefficients of the cue model, and the n-gram vocabulary, idf and coefficients.
Scoring (:func:`predict`, the build) is numpy only and never imports
scikit-learn; :func:`char_ngrams` and :func:`tfidf` reproduce scikit-learn's
``TfidfVectorizer`` exactly (tests/test_tag.py checks it).
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter
from pathlib import Path
from collections.abc import Sequence

import numpy as np

from analysis.config import ANNOTATIONS_DIR, RANDOM_SEED, RESOURCES_DIR

MODEL_FILE = "tagging_model.json"
TAG_ESSAYS_DIR = ANNOTATIONS_DIR / "tag_essays"
# dev3 was the held-out test/ until session 21; dev4 the held-out test2/ until session 22; dev5 the held-out
# test4/ until session 23; dev6 the held-out test5/ and dev7 the held-out test6/, both scored once in session 23;
# dev8 the held-out test7/, scored once in session 23 (each scored once, then tuning)
TUNING_FOLDERS = ("bundled", "dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8")
# test3 scored once (session 22); test8 written blind in session 24, not yet scored (a folder not yet there is
# skipped by load_coded)
HELD_OUT_FOLDERS = ("test3", "test8")
TARGETS = ("genre", "narrator")
UNCERTAIN = "uncertain"
UNCERTAIN_BELOW = 0.3  # a label less probable than this is not given (the blend spreads probability over 9 genres)
C = 0.3  # the cue model's regularisation, chosen by cross-validation on the tuning essays (docs/tagging.md)
# The n-gram model and the blend, chosen by folder-grouped cross-validation on the tuning essays (docs/tagging.md).
NGRAM = {"analyzer": "char", "ngram_range": (1, 3), "max_features": 2000, "min_df": 2}
NGRAM_C = {"genre": 30.0, "narrator": 30.0}
BLEND = {"genre": 0.9, "narrator": 0.6}  # weight of the n-gram model's probabilities


def features(text: str, cues) -> np.ndarray:
    """The evidence vector of one essay (see the module docstring)."""
    from analysis.methods import tag

    t = text if isinstance(text, str) else ""
    n = max(len(t), 1)
    bare = tag._QUOTE_RE.sub("", t)
    first, third = tag.pronoun_counts(t, cues=cues)
    v = [
        1000 * first / n,
        1000 * third / n,
        1000 * bare.count("我们") / n,
        1000 * len(re.findall(r"你们?", bare)) / n,
        min(n, 3000) / 1000,
        float(first >= cues.min_first_count),
    ]
    for labels in (cues.genre, cues.narrator, cues.school_level):
        for _, label_cues, _ in labels.labels:
            s = tag.score_cues(t, label_cues, window=cues.window)[0]
            v.append(np.sign(s) * np.log1p(abs(s)))  # a long essay's many hits do not run off the scale
    for _, rx in cues.model_features:
        v.append(1000 * len(rx.findall(t)) / n)
    # what the cue rules decide (their genre bonus ties a training reflection to a teacher)
    person = tag.decide_person(t, cues=cues)[0]
    genre = tag.decide_genre(t, person=person, cues=cues)[0]
    narrator = tag.decide_narrator(t, person=person, genre=genre, cues=cues)[0]
    v += [float(genre == g) for g in tag.GENRES] + [float(narrator == x) for x in tag.NARRATORS]
    return np.asarray(v, float)


def feature_names(cues) -> list[str]:
    names = ["first_per_1000", "third_per_1000", "women_per_1000", "you_per_1000", "length_k", "first_person"]
    for kind, labels in (("genre", cues.genre), ("narrator", cues.narrator), ("level", cues.school_level)):
        names += [f"{kind}:{label}" for label, _, _ in labels.labels]
    from analysis.methods import tag

    return (
        names
        + [f"words:{name}" for name, _ in cues.model_features]
        + [f"rules_genre:{g}" for g in tag.GENRES]
        + [f"rules_narrator:{x}" for x in tag.NARRATORS]
    )


def load_coded(folders: Sequence[str]) -> list[tuple[str, str, dict]]:
    """(item id, text, labels) of the coded essays in ``folders`` of ``data/annotations/tag_essays/``."""
    import pandas as pd

    out = []
    for folder in folders:
        d = TAG_ESSAYS_DIR / folder
        if not (d / "labels.csv").is_file():
            continue
        lab = pd.read_csv(d / "labels.csv", keep_default_na=False, dtype=str)
        for row in lab.to_dict("records"):
            if row.get("source"):  # an essay of a raw file, by its ordinal (the bundled essays)
                out.append((f"{folder}/{row['item_id']}", _essay_text(row["source"], int(row["item_id"])), row))
                continue
            p = d / f"{row['item_id']}.txt"
            if not p.is_file():
                raise FileNotFoundError(f"{d / 'labels.csv'}: no text file {p.name} for item {row['item_id']}")
            out.append((f"{folder}/{row['item_id']}", p.read_text(encoding="utf-8"), row))
    return out


@functools.lru_cache(maxsize=4)
def _essays_of(source: str) -> tuple[str, ...]:
    """The cleaned texts of a raw file's essays, as the build makes them."""
    from analysis import io as aio
    from analysis.ingest.clean import clean_essay
    from analysis.config import ROOT
    from analysis.ingest.intake import plan_essays
    from analysis.ingest.split import compile_patterns

    path = ROOT / source
    raw = aio.read_raw(path, root=path.parent)
    essays, *_ = plan_essays(raw, compile_patterns())
    return tuple(
        "\n".join(
            p.text
            for p in clean_essay(
                e.raw_text.split("\n"), line_start=e.line_start, chrome={n: (k, v) for n, k, v in e.chrome}
            ).paragraphs
        )
        for e in essays
    )


def _essay_text(source: str, ordinal: int) -> str:
    texts = _essays_of(source)
    if not 1 <= ordinal <= len(texts):
        raise ValueError(f"{source}: no essay {ordinal} (it has {len(texts)})")
    return texts[ordinal - 1]


# ------------------------------------------------------ character n-grams ---
_WHITE_SPACES = re.compile(r"\s\s+")  # as scikit-learn's _VectorizerMixin._white_spaces


def char_ngrams(text: str, analyzer: str = "char", ngram_range: Sequence[int] = (1, 3)) -> list[str]:
    """The character n-grams of ``text`` in scikit-learn's order and multiplicity
    (``TfidfVectorizer(analyzer=…, ngram_range=…, lowercase=True)``): lowercased,
    runs of two or more whitespace characters made one space; ``char_wb`` pads
    each whitespace-separated word with a space and counts a word shorter than
    n once."""
    doc = _WHITE_SPACES.sub(" ", text.lower())
    lo, hi = int(ngram_range[0]), int(ngram_range[1])
    out: list[str] = []
    if analyzer == "char":
        size = len(doc)
        if lo == 1:
            out = list(doc)
            lo = 2
        for n in range(lo, min(hi + 1, size + 1)):
            out.extend(doc[i : i + n] for i in range(size - n + 1))
        return out
    if analyzer == "char_wb":
        for w in doc.split():
            w = " " + w + " "
            size = len(w)
            for n in range(lo, hi + 1):
                offset = 0
                out.append(w[offset : offset + n])
                while offset + n < size:
                    offset += 1
                    out.append(w[offset : offset + n])
                if offset == 0:
                    break
        return out
    raise ValueError(f"analyzer must be 'char' or 'char_wb', not {analyzer!r}")


def tfidf(text: str, vectorizer: dict) -> np.ndarray:
    """The TF-IDF row of one text as scikit-learn computes it with
    ``sublinear_tf=True, norm='l2'``: (1 + log count) × idf over the stored
    vocabulary, scaled to unit length (all zeros when no n-gram is known)."""
    index = {g: i for i, g in enumerate(vectorizer["vocabulary"])}
    counts = Counter(
        g
        for g in char_ngrams(text if isinstance(text, str) else "", vectorizer["analyzer"], vectorizer["ngram_range"])
        if g in index
    )
    x = np.zeros(len(index))
    for g, k in counts.items():
        x[index[g]] = 1.0 + math.log(k)
    x *= np.asarray(vectorizer["idf"], float)
    norm = math.sqrt(float(x @ x))
    return x / norm if norm > 0 else x


def _proba(coef, intercept, x: np.ndarray) -> np.ndarray:
    """Class probabilities of a fitted logistic regression (scikit-learn's predict_proba)."""
    logits = np.asarray(coef, float) @ x + np.asarray(intercept, float)
    if logits.shape[0] == 1:  # scikit-learn stores one row for two classes: p1 = sigmoid(z) = softmax(-z/2, z/2)
        logits = np.array([-logits[0], logits[0]]) / 2
    p = np.exp(logits - logits.max())
    return p / p.sum()


def export_vectorizer(vec, *, digits: int | None = 8) -> dict:
    """The JSON-ready numbers of a fitted ``TfidfVectorizer`` that :func:`tfidf` needs."""
    vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
    idf = vec.idf_ if digits is None else vec.idf_.round(digits)
    return {
        "analyzer": vec.analyzer,
        "ngram_range": list(vec.ngram_range),
        "min_df": vec.min_df,
        "max_features": vec.max_features,
        "vocabulary": vocab,
        "idf": idf.tolist(),
    }


def export_classifier(clf, *, digits: int | None = 6) -> dict:
    """The JSON-ready numbers of a fitted ``LogisticRegression`` that :func:`_proba` needs."""
    coef, intercept = (
        (clf.coef_, clf.intercept_) if digits is None else (clf.coef_.round(digits), clf.intercept_.round(digits))
    )
    return {"classes": [str(k) for k in clf.classes_], "coef": coef.tolist(), "intercept": intercept.tolist()}


def _vectorizer(ngram: dict):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer=ngram["analyzer"],
        ngram_range=tuple(ngram["ngram_range"]),
        max_features=ngram["max_features"],
        min_df=ngram["min_df"],
        sublinear_tf=True,
        lowercase=True,
    )


def _classifier(c: float, seed: int):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, class_weight="balanced", max_iter=5000, random_state=seed)


# ------------------------------------------------------------- fit, score ---
def _fit_cue(x: np.ndarray, y, *, c: float, seed: int):
    mean, sd = x.mean(axis=0), x.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    return mean, sd, _classifier(c, seed).fit((x - mean) / sd, list(y))


def fit(
    texts: Sequence[str],
    labels: dict[str, Sequence[str]],
    cues,
    *,
    c: float = C,
    seed: int = RANDOM_SEED,
    ngram: dict | None = None,
    ngram_c: dict[str, float] | None = None,
    blend: dict[str, float] | None = None,
    x: np.ndarray | None = None,
) -> dict:
    """Fit the cue model and the n-gram model of every target; the stored
    mapping (JSON-ready). ``x``: the cue features of ``texts`` if already
    computed. ``blend`` gives the n-gram weight per target (0: the cue model alone)."""
    ngram, ngram_c, blend = ngram or NGRAM, {**NGRAM_C, **(ngram_c or {})}, {**BLEND, **(blend or {})}
    if x is None:
        x = np.array([features(t, cues) for t in texts])
    mean, sd = x.mean(axis=0), x.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    z = (x - mean) / sd
    models = {}
    vec = xn = None
    for target, y in labels.items():
        models[target] = export_classifier(_classifier(c, seed).fit(z, list(y)))
        w = float(blend.get(target, 0.0))
        if w > 0:
            if vec is None:
                vec = _vectorizer(ngram)
                xn = vec.fit_transform(list(texts))
            clf = _classifier(ngram_c[target], seed).fit(xn, list(y))
            part = export_classifier(clf)
            if part["classes"] != models[target]["classes"]:
                raise AssertionError(f"{target}: the two models' classes differ")
            models[target]["ngram"] = {"coef": part["coef"], "intercept": part["intercept"], "c": ngram_c[target]}
            models[target]["blend"] = w
    out = {
        "features": feature_names(cues),
        "mean": mean.round(6).tolist(),
        "sd": sd.round(6).tolist(),
        "models": models,
        "c": c,
        "uncertain_below": UNCERTAIN_BELOW,
    }
    if vec is not None:
        out["ngrams"] = export_vectorizer(vec)
    return out


def probabilities(
    model: dict, text: str, cues, *, x: np.ndarray | None = None
) -> dict[str, tuple[list[str], np.ndarray]]:
    """{target: (classes, blended probabilities)} of one essay (numpy only)."""
    if x is None:
        x = features(text, cues)
    z = (x - np.asarray(model["mean"])) / np.asarray(model["sd"])
    xn = None
    out = {}
    for target, m in model["models"].items():
        p = _proba(m["coef"], m["intercept"], z)
        if "ngram" in m and model.get("ngrams"):
            if xn is None:
                xn = tfidf(text, model["ngrams"])
            w = float(m["blend"])
            p = w * _proba(m["ngram"]["coef"], m["ngram"]["intercept"], xn) + (1 - w) * p
        out[target] = (m["classes"], p)
    return out


def predict(model: dict, text: str, cues, *, x: np.ndarray | None = None) -> dict[str, tuple[str, float]]:
    """{target: (label or 'uncertain', confidence)} of one essay."""
    out = {}
    for target, (classes, p) in probabilities(model, text, cues, x=x).items():
        k = int(p.argmax())
        conf = float(p[k])
        out[target] = (
            classes[k] if conf >= model.get("uncertain_below", UNCERTAIN_BELOW) else UNCERTAIN,
            round(conf, 3),
        )
    return out


@functools.lru_cache(maxsize=2)
def load(path: str | None = None) -> dict | None:
    """The stored model, or None when none has been fitted (the rules decide alone)."""
    p = Path(path) if path is not None else RESOURCES_DIR / MODEL_FILE
    if not p.is_file():
        return None
    return json.loads(p.read_text(encoding="utf-8"))


# ------------------------------------------------------- cross-validation ---
def _splits(kind: str, y: np.ndarray, groups: np.ndarray, *, folds: int, seed: int):
    from sklearn.model_selection import LeaveOneGroupOut, StratifiedKFold

    if kind == "grouped":  # leave one folder (one writer's essays) out
        return list(LeaveOneGroupOut().split(y, y, groups))
    k = max(2, min(folds, min(np.unique(y, return_counts=True)[1])))
    return list(StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(y, y))


def out_of_fold(
    texts: Sequence[str],
    x: np.ndarray,
    y: np.ndarray,
    splits,
    *,
    c: float = C,
    ngram: dict | None = None,
    ngram_cs: Sequence[float] = (),
    seed: int = RANDOM_SEED,
) -> tuple[list[str], np.ndarray, dict[float, np.ndarray]]:
    """(classes, out-of-fold cue-model probabilities, {C: out-of-fold n-gram probabilities})."""
    ngram = ngram or NGRAM
    classes = sorted(set(y))
    p_cue = np.zeros((len(y), len(classes)))
    p_ng = {cn: np.zeros((len(y), len(classes))) for cn in ngram_cs}

    def put(p, rows, clf, probs):
        cols = [classes.index(k) for k in clf.classes_]
        p[np.ix_(rows, cols)] = probs

    for tr, te in splits:
        mean, sd, clf = _fit_cue(x[tr], y[tr], c=c, seed=seed)
        put(p_cue, te, clf, clf.predict_proba((x[te] - mean) / sd))
        if ngram_cs:
            vec = _vectorizer(ngram)
            xtr = vec.fit_transform([texts[i] for i in tr])
            xte = vec.transform([texts[i] for i in te])
            for cn in ngram_cs:
                clf = _classifier(cn, seed).fit(xtr, y[tr])
                put(p_ng[cn], te, clf, clf.predict_proba(xte))
    return classes, p_cue, p_ng


def scores(p: np.ndarray, y: np.ndarray, classes: Sequence[str], *, threshold: float = UNCERTAIN_BELOW) -> dict:
    """Accuracy (uncertain counts as wrong), coverage and accuracy when given of probabilities ``p``."""
    pred = np.asarray(classes, object)[p.argmax(axis=1)]
    given = p.max(axis=1) >= threshold
    right = (pred == y) & given
    return {
        "n": int(len(y)),
        "cv_accuracy": round(float(right.mean()), 3),
        "coverage": round(float(given.mean()), 3),
        "accuracy_when_given": round(float(right[given].mean()) if given.any() else float("nan"), 3),
        "argmax_accuracy": round(float((pred == y).mean()), 3),
    }


def decisions(
    p: np.ndarray,
    classes: Sequence[str],
    rule: Sequence[str],
    default: str,
    *,
    sure: float | Sequence[float],
    found: Sequence[bool] | None = None,
) -> np.ndarray:
    """What :func:`analysis.methods.tag.tag_text` decides from the model's
    probabilities ``p`` and the rules' labels: the model's label below
    :data:`UNCERTAIN_BELOW` is ``uncertain``; the model decides where it agrees
    with the rules, is at least ``sure`` (``tag.MODEL_SURE[target]``) or the rules found
    nothing (``found`` false; by default, the rules' label is ``default``); the rules elsewhere. ``sure``
    may be given per essay (infinite where the rules' label stands whatever the model says: a narrator read
    from a document's signature line)."""
    conf = p.max(axis=1)
    sure = np.asarray(sure, float)
    label = np.where(conf >= UNCERTAIN_BELOW, np.asarray(classes, object)[p.argmax(axis=1)], UNCERTAIN)
    rule = np.asarray(rule, object)
    found = rule != default if found is None else np.asarray(found, bool)
    model_decides = (label == rule) | (conf >= sure) | ~found
    return np.where(model_decides, label, rule)


def per_writer(pred: np.ndarray, y: np.ndarray, groups: np.ndarray) -> dict:
    """Accuracy per tuning folder (each folder is one writer's essays), their mean and minimum."""
    acc = {str(g): round(float((pred == y)[groups == g].mean()), 3) for g in sorted(set(groups))}
    return {"per_folder": acc, "mean": round(float(np.mean(list(acc.values()))), 3), "min": min(acc.values())}


def _rule_labels(texts: Sequence[str], cues) -> tuple[dict[str, list[str]], dict[str, list[bool]], list[bool]]:
    """The rules' labels per target, whether a cue decided each (the genre
    and the narrator ``other`` can be decided by their own cues or be what is left),
    and whether the narrator was read from a document's signature line (it stands)."""
    from analysis.methods import tag

    out: dict[str, list[str]] = {"genre": [], "narrator": []}
    found: dict[str, list[bool]] = {"genre": [], "narrator": []}
    signed: list[bool] = []
    for t in texts:
        person = tag.decide_person(t, cues=cues)[0]
        g, _, g_found = tag._decide_genre(t, person=person, cues=cues)
        out["genre"].append(g)
        found["genre"].append(g_found)
        n, _, n_found = tag._decide_narrator(t, person=person, genre=g, cues=cues)
        out["narrator"].append(n)
        found["narrator"].append(n_found)
        signed.append(tag._signed_narrator(t, g, cues) is not None)
    return out, found, signed


def _tuning_data(cues):
    coded = load_coded(TUNING_FOLDERS)
    texts = [t for _, t, _ in coded]
    x = np.array([features(t, cues) for t in texts])
    groups = np.array([item.split("/")[0] for item, _, _ in coded], object)
    return coded, texts, x, groups


def tune(
    *,
    grid: Sequence[dict] | None = None,
    ngram_cs: Sequence[float] = (1.0, 3.0, 10.0, 30.0),
    weights: Sequence[float] = tuple(np.round(np.arange(0, 1.0001, 0.05), 2)),
    folds: int = 5,
    seed: int = RANDOM_SEED,
) -> list[dict]:
    """The cross-validated figures of every n-gram setting × C × blend weight,
    plain (stratified 5-fold) and grouped (leave one folder out), per target.
    This is how ``NGRAM``, ``NGRAM_C`` and ``BLEND`` were chosen (by the grouped
    figure); it reads only the tuning folders. Slow (minutes)."""
    from analysis.methods.tag import load_tagging_cues

    cues = load_tagging_cues()
    coded, texts, x, groups = _tuning_data(cues)
    grid = grid or [
        {"analyzer": a, "ngram_range": r, "max_features": mf, "min_df": 2}
        for a in ("char", "char_wb")
        for r in ((1, 2), (1, 3), (2, 4))
        for mf in (1000, 2000, 4000)
    ]
    rows = []
    for target in TARGETS:
        y = np.array([lab[target] for _, _, lab in coded], object)
        for kind in ("plain", "grouped"):
            splits = _splits(kind, y, groups, folds=folds, seed=seed)
            for setting in grid:
                classes, p_cue, p_ng = out_of_fold(texts, x, y, splits, ngram=setting, ngram_cs=ngram_cs, seed=seed)
                for cn, p in p_ng.items():
                    for w in weights:
                        rows.append(
                            {"target": target, "cv": kind, **setting, "ngram_c": cn, "blend": float(w)}
                            | scores(w * p + (1 - w) * p_cue, y, classes)
                        )
    return rows


def calibrate(
    *,
    folds: int = 5,
    seed: int = RANDOM_SEED,
    write: bool = True,
    c: float = C,
    ngram: dict | None = None,
    ngram_c: dict[str, float] | None = None,
    blend: dict[str, float] | None = None,
) -> dict:
    """Cross-validate the blended model on the tuning essays — plain (stratified
    ``folds``-fold) and grouped (leave one folder, i.e. one writer, out), the
    blend and the cue model alone — fit it on all of them and (``write``) store
    it; returns the stored mapping (figures under ``cross_validation``)."""
    from analysis import io as aio
    from analysis.methods.tag import load_tagging_cues

    ngram, ngram_c, blend = ngram or NGRAM, {**NGRAM_C, **(ngram_c or {})}, {**BLEND, **(blend or {})}
    cues = load_tagging_cues()
    coded, texts, x, groups = _tuning_data(cues)
    rules, found, signed = _rule_labels(texts, cues)
    figures = {}
    for target in TARGETS:
        y = np.array([lab[target] for _, _, lab in coded], object)
        w = float(blend[target])
        per_kind = {}
        for kind in ("plain", "grouped"):
            splits = _splits(kind, y, groups, folds=folds, seed=seed)
            classes, p_cue, p_ng = out_of_fold(
                texts, x, y, splits, c=c, ngram=ngram, ngram_cs=(ngram_c[target],) if w > 0 else (), seed=seed
            )
            p = w * p_ng[ngram_c[target]] + (1 - w) * p_cue if w > 0 else p_cue
            per_kind[kind] = (scores(p, y, classes), scores(p_cue, y, classes))
            if kind == "grouped":  # the whole decision (model and rules, as tag_text), writer by writer
                from analysis.methods.tag import MODEL_SURE

                default, sure = getattr(cues, target).default, MODEL_SURE[target]
                if target == "narrator":  # a narrator read from a document's signature line stands
                    sure = np.where(signed, np.inf, sure)
                decided = decisions(p, classes, rules[target], default, sure=sure, found=found[target])
                per_kind["writers"] = {
                    "blend_and_rules": per_writer(decided, y, groups),
                    "cue_model_and_rules": per_writer(
                        decisions(p_cue, classes, rules[target], default, sure=sure, found=found[target]), y, groups
                    ),
                    "rules_only": per_writer(np.asarray(rules[target], object), y, groups),
                    "decision_accuracy": round(float((decided == y).mean()), 3),
                }
        (plain, plain_cue), (grouped, grouped_cue) = per_kind["plain"], per_kind["grouped"]
        figures[target] = {
            **plain,  # the blend, stratified folds (what `calibrate` prints)
            "grouped": grouped,  # the blend, one folder (writer) left out per fold
            "cue_only": {"plain": plain_cue, "grouped": grouped_cue},
            "writers": per_kind["writers"],  # leave one writer out: the tag_text decision per writer
        }
    model = fit(
        texts,
        {t: [lab[t] for _, _, lab in coded] for t in TARGETS},
        cues,
        seed=seed,
        c=c,
        ngram=ngram,
        ngram_c=ngram_c,
        blend=blend,
        x=x,
    )
    model["cross_validation"] = figures
    model["tuning_essays"] = len(coded)
    model["tuning_folders"] = list(TUNING_FOLDERS)
    if write:
        aio.write_text(RESOURCES_DIR / MODEL_FILE, _dumps(model))
        load.cache_clear()
    return model


def _dumps(model: dict) -> str:
    """The model as JSON: one key per line, but every list of numbers or n-grams on one line."""
    lines = ["{"]
    items = list(model.items())
    for k, (key, value) in enumerate(items):
        end = "," if k < len(items) - 1 else ""
        if isinstance(value, dict):
            inner = ",\n".join(
                f" {json.dumps(kk, ensure_ascii=False)}: {json.dumps(vv, ensure_ascii=False, separators=(',', ':'))}"
                for kk, vv in value.items()
            )
            lines.append(f" {json.dumps(key)}: {{\n{inner}\n }}{end}")
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False, separators=(',', ':'))}{end}")
    lines.append("}")
    return "\n".join(lines) + "\n"
