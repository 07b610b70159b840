"""Genre and narrator from evidence weighed by a model fitted on coded essays.

The cue lists of ``resources/tagging_cues.yaml`` say what each genre and
narrator looks like (尊敬的… for a speech, 记者 for news, 我是一名留守儿童
for a pupil's own story); a rule that takes the best-scoring label reads them
as if every cue were equally reliable everywhere. Here each essay becomes a
short vector — the score of every genre, narrator and school-level cue list,
pronoun rates (我, 我们, 他/她, 你 outside quotations) and the rates of the
``model_features`` word families in the same file — and a multinomial logistic
regression fitted on the coded essays of ``data/annotations/tag_essays/``
(the tuning folders, never ``test/``) turns it into a probability per label.

A tag is the most probable label; its confidence is that probability, and
below ``UNCERTAIN_BELOW`` the tag is ``uncertain`` rather than a forced label.
The fitted numbers live in ``resources/tagging_model.json``, written by
``python -m analysis calibrate``.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from collections.abc import Sequence

import numpy as np

from analysis.config import ANNOTATIONS_DIR, RANDOM_SEED, RESOURCES_DIR

MODEL_FILE = "tagging_model.json"
TAG_ESSAYS_DIR = ANNOTATIONS_DIR / "tag_essays"
TUNING_FOLDERS = ("bundled", "dev", "dev2", "dev3")  # test2/ is held out (dev3 was the held-out test/ until session 21)
HELD_OUT_FOLDERS = ("test2",)
TARGETS = ("genre", "narrator")
UNCERTAIN = "uncertain"
UNCERTAIN_BELOW = 0.4  # a label less probable than this is not given
C = 0.3  # chosen by cross-validation on the tuning essays (docs/tagging.md)


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


def fit(texts: Sequence[str], labels: dict[str, Sequence[str]], cues, *, c: float = C, seed: int = RANDOM_SEED) -> dict:
    """Fit one model per target; the stored mapping (JSON-ready)."""
    from sklearn.linear_model import LogisticRegression

    x = np.array([features(t, cues) for t in texts])
    mean, sd = x.mean(axis=0), x.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    z = (x - mean) / sd
    models = {}
    for target, y in labels.items():
        clf = LogisticRegression(C=c, class_weight="balanced", max_iter=5000, random_state=seed).fit(z, list(y))
        models[target] = {
            "classes": [str(k) for k in clf.classes_],
            "coef": clf.coef_.round(6).tolist(),
            "intercept": clf.intercept_.round(6).tolist(),
        }
    return {
        "features": feature_names(cues),
        "mean": mean.round(6).tolist(),
        "sd": sd.round(6).tolist(),
        "models": models,
        "c": c,
        "uncertain_below": UNCERTAIN_BELOW,
    }


def predict(model: dict, text: str, cues) -> dict[str, tuple[str, float]]:
    """{target: (label or 'uncertain', confidence)} of one essay."""
    z = (features(text, cues) - np.asarray(model["mean"])) / np.asarray(model["sd"])
    out = {}
    for target, m in model["models"].items():
        logits = np.asarray(m["coef"]) @ z + np.asarray(m["intercept"])
        if len(m["classes"]) == 2 and logits.shape[0] == 1:  # scikit-learn stores one row for two classes
            logits = np.array([-logits[0], logits[0]]) / 2
        p = np.exp(logits - logits.max())
        p /= p.sum()
        k = int(p.argmax())
        conf = float(p[k])
        out[target] = (
            m["classes"][k] if conf >= model.get("uncertain_below", UNCERTAIN_BELOW) else UNCERTAIN,
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


def calibrate(*, folds: int = 5, seed: int = RANDOM_SEED, write: bool = True, c: float = C) -> dict:
    """Cross-validate the model on the tuning essays (accuracy, coverage), fit
    it on all of them and (``write``) store it; returns the figures."""
    from sklearn.model_selection import StratifiedKFold

    from analysis import io as aio
    from analysis.methods.tag import load_tagging_cues

    cues = load_tagging_cues()
    coded = load_coded(TUNING_FOLDERS)
    texts = [t for _, t, _ in coded]
    figures = {}
    for target in TARGETS:
        y = np.array([lab[target] for _, _, lab in coded], object)
        pred = np.empty(len(y), object)
        conf = np.zeros(len(y))
        k = max(2, min(folds, min(np.unique(y, return_counts=True)[1])))
        for tr, te in StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(texts, y):
            m = fit([texts[i] for i in tr], {target: y[tr]}, cues, seed=seed, c=c)
            for i in te:
                pred[i], conf[i] = predict(m, texts[i], cues)[target]
        given = pred != UNCERTAIN
        figures[target] = {
            "n": int(len(y)),
            "cv_accuracy": round(float((pred == y).mean()), 3),
            "coverage": round(float(given.mean()), 3),
            "accuracy_when_given": round(float((pred == y)[given].mean()) if given.any() else float("nan"), 3),
        }
    model = fit(texts, {t: [lab[t] for _, _, lab in coded] for t in TARGETS}, cues, seed=seed, c=c)
    model["cross_validation"] = figures
    model["tuning_essays"] = len(coded)
    if write:
        aio.write_text(RESOURCES_DIR / MODEL_FILE, json.dumps(model, ensure_ascii=False, indent=1))
        load.cache_clear()
    return model
