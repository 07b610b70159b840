"""Validation and calibration: the coded samples' features, cross-validation grouped by
essay, the neutral bands and the default method chosen on them, and the calibration file."""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.methods import validate
from analysis.config import ANNOTATIONS_DIR, RANDOM_SEED, RESOURCES_DIR
from analysis.frames import require
from analysis.ingest.segment import tokenize
from analysis.methods.sentiment.labels import (
    LABEL_ALIASES,
    ANNOTATIONS_FILE,
    CALIBRATION_NAME,
    EMOTIONS,
    LABELS,
    METHODS,
    NEUTRAL_SCORE,
    PRIOR_BANDS,
    SCORE_RANGE,
    SIMPLICITY_ORDER,
)
from analysis.methods.sentiment.lexicon import analyse, dominant_emotion, get_lexicon
from analysis.methods.sentiment.scoring import (
    combined_features,
    combined_model,
    combined_scores,
    default_method,
    emotion_matrix,
    labels_array,
    snownlp_score,
)

# --------------------------------------------------------------- validation


def load_annotations(path: str | Path | None = None) -> pd.DataFrame:
    """The hand-coded sentence sample (``data/annotations/sentiment_sentences.csv``).

    Labels are normalised to positive/neutral/negative; rows without a label
    are dropped; an unknown label is an error naming the rows.
    """
    p = Path(path) if path is not None else ANNOTATIONS_DIR / ANNOTATIONS_FILE
    if not p.is_file():
        raise FileNotFoundError(f"annotation file not found: {p}")
    df = pd.read_csv(
        p, encoding="utf-8-sig", dtype={"item_id": str, "text": str, "label": str, "emotion": str, "note": str}
    )
    return prepare_annotations(df)


def prepare_annotations(df: pd.DataFrame) -> pd.DataFrame:
    """Check and normalise an annotation frame (columns text, label; optional
    item_id, essay_ordinal, emotion). Returns a copy with clean labels."""
    require(df, ["text", "label"], "annotations")
    out = df.copy()
    raw = out["label"].astype("string").str.strip().str.lower()
    out = out[raw.notna() & (raw != "")].copy()
    mapped = raw[out.index].map(lambda v: LABEL_ALIASES.get(v))
    bad = mapped.isna()
    if bad.any():
        examples = ", ".join(f"row {i}: {raw[i]!r}" for i in list(mapped.index[bad])[:5])
        raise ValueError(f"annotations: unknown label(s) ({examples}); use positive, neutral or negative")
    out["label"] = mapped.astype(str)
    out["text"] = out["text"].fillna("").astype(str)
    if "item_id" not in out.columns:
        out["item_id"] = [f"row{i}" for i in range(len(out))]
    return out.reset_index(drop=True)


def _shingles(text: str, k: int = 4) -> set[str]:
    t = re.sub(r"\s+", "", text)
    return {t[i : i + k] for i in range(max(1, len(t) - k + 1))}


def essay_groups(
    annotations: pd.DataFrame, *, column: str = "essay_ordinal", threshold: float = 0.6
) -> np.ndarray | None:
    """Cross-validation groups: the essay of each sentence, with essays that share
    near-duplicate sentences (character 4-gram Jaccard ≥ ``threshold``) merged,
    so a copied passage never sits on both sides of a split. None without ``column``."""
    if column not in annotations.columns:
        return None
    essays = annotations[column].astype(str).to_numpy()
    parent = {e: e for e in essays}

    def find(e):
        while parent[e] != e:
            parent[e] = parent[parent[e]]
            e = parent[e]
        return e

    sh = [_shingles(t) for t in annotations["text"].astype(str)]
    for i in range(len(sh)):
        for j in range(i + 1, len(sh)):
            if essays[i] == essays[j] or find(essays[i]) == find(essays[j]):
                continue
            inter = len(sh[i] & sh[j])
            if inter and inter / len(sh[i] | sh[j]) >= threshold:
                parent[find(essays[j])] = find(essays[i])
    return np.array([find(e) for e in essays])


def _band_grid(method: str) -> np.ndarray:
    """Candidate half-widths of the neutral band: 0 … 0.45·range in steps of range/40."""
    lo_r, hi_r = SCORE_RANGE[method]
    step = (hi_r - lo_r) / 40.0
    return np.round(np.arange(0.0, 18 * step + step / 2, step), 4)


def choose_band(scores: np.ndarray, y: np.ndarray, *, method: str) -> tuple[float, float]:
    """Neutral band maximising macro-F1 of ``scores`` against labels ``y``.

    The band is symmetric around the method's neutral score (one parameter,
    so little room to overfit a small sample): (mid − h, mid + h) with h on
    :func:`_band_grid`. Ties go to the h nearest the prior band's.
    """
    codes = {lab: i for i, lab in enumerate(LABELS)}
    yc = np.array([codes[v] for v in y])
    s = np.asarray(scores, float)
    mid = NEUTRAL_SCORE[method]
    prior_h = (PRIOR_BANDS[method][1] - PRIOR_BANDS[method][0]) / 2
    best_h, best_key = prior_h, None
    for h in _band_grid(method):
        pred = np.where(s < mid - h, 0, np.where(s > mid + h, 2, 1))
        key = (round(validate.macro_f1(yc, pred, 3), 10), -abs(h - prior_h))
        if best_key is None or key > best_key:
            best_h, best_key = float(h), key
    return round(mid - best_h, 4), round(mid + best_h, 4)


def _fit_combined(x: np.ndarray, y: np.ndarray, *, seed: int) -> dict:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000, random_state=seed)
    clf.fit(x, y)
    return {
        "coef": clf.coef_.astype(float),
        "intercept": clf.intercept_.astype(float),
        "classes": [str(c) for c in clf.classes_],
    }


def annotation_features(annotations: pd.DataFrame) -> pd.DataFrame:
    """Per annotated sentence: lexicon P and N, score_snownlp, score_lexicon, and
    what the supervised method reads (tokens, emotion counts) — no fitting involved."""
    lex = get_lexicon()
    texts = annotations["text"].fillna("").astype(str).tolist()
    token_lists = [tokenize(t) for t in texts]
    analyses = [analyse(t, lex) for t in token_lists]
    parts = np.array([a[:2] for a in analyses], float).reshape(-1, 2)
    snow = np.array([snownlp_score(t) for t in texts], float)
    empty = np.array([not t.strip() for t in texts])
    emo = emotion_matrix(analyses)
    out = pd.DataFrame(
        {
            "lex_pos": parts[:, 0],
            "lex_neg": parts[:, 1],
            "score_snownlp": snow,
            "score_lexicon": np.where(empty, 0.0, (parts[:, 0] - parts[:, 1]) / (parts.sum(axis=1) + 1.0)),
            "empty": empty,
        },
        index=annotations.index,
    )
    out["tokens"] = token_lists
    for i, e in enumerate(EMOTIONS):
        out[f"emotion_{e}"] = emo[:, i]
    return out


def _supervised_inputs(texts: list[str], feats: pd.DataFrame):
    """(token lists, dense block) of :mod:`analysis.methods.supervised` from :func:`annotation_features`."""
    from analysis.methods import supervised

    emo = feats[[f"emotion_{e}" for e in EMOTIONS]].to_numpy(float)
    dense = supervised.dense_features(
        texts, feats[["lex_pos", "lex_neg"]].to_numpy(float), emo, feats["score_snownlp"].to_numpy(float)
    )
    return list(feats["tokens"]), dense


def _fit_supervised(texts: list[str], feats: pd.DataFrame, y: np.ndarray, idx: np.ndarray, *, seed: int):
    from analysis.methods import supervised

    tl, dense = _supervised_inputs(texts, feats)
    return supervised.fit([texts[i] for i in idx], [tl[i] for i in idx], dense[idx], y[idx], seed=seed)


def _supervised_scores(model, texts: list[str], feats: pd.DataFrame) -> np.ndarray:
    tl, dense = _supervised_inputs(texts, feats)
    return np.where(feats["empty"].to_numpy(bool), NEUTRAL_SCORE["supervised"], model.scores(texts, tl, dense))


def _splits(y: np.ndarray, groups: np.ndarray | None, folds: int, seed: int):
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    min_class = int(pd.Series(y).value_counts().min())
    k = max(2, min(folds, min_class))
    if min_class < 2:
        raise ValueError("each label needs at least 2 annotated sentences for cross-validation")
    if groups is not None and len(set(groups)) >= k:
        cv = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
        return list(
            cv.split(np.zeros(len(y)), y, groups)
        ), f"StratifiedGroupKFold (k={k}, groups = essays, near-duplicate essays merged)"
    cv = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return list(cv.split(np.zeros(len(y)), y)), f"StratifiedKFold (k={k})"


def _cross_validate(annotations: pd.DataFrame, *, folds: int, seed: int) -> dict:
    """Out-of-fold scores and labels of every method: bands (and the combined
    model) are fitted on the training folds only."""
    ann = prepare_annotations(annotations)
    feats = annotation_features(ann)
    y = ann["label"].to_numpy()
    groups = essay_groups(ann)
    splits, scheme = _splits(y, groups, folds, seed)
    x = combined_features(feats["lex_pos"], feats["lex_neg"], feats["score_snownlp"])
    texts = ann["text"].tolist()
    oof_score = {m: np.full(len(y), np.nan) for m in METHODS}
    oof_label = {m: np.empty(len(y), dtype=object) for m in METHODS}
    fold_rows = []
    for f, (tr, te) in enumerate(splits, start=1):
        fold_scores = {"snownlp": feats["score_snownlp"].to_numpy(), "lexicon": feats["score_lexicon"].to_numpy()}
        model = _fit_combined(x[tr], y[tr], seed=seed)
        fold_scores["combined"] = combined_scores(
            feats["lex_pos"], feats["lex_neg"], feats["score_snownlp"], feats["empty"], model
        )
        fold_scores["supervised"] = _supervised_scores(_fit_supervised(texts, feats, y, tr, seed=seed), texts, feats)
        for m in METHODS:
            s = fold_scores[m]
            lo, hi = choose_band(s[tr], y[tr], method=m)
            oof_score[m][te] = s[te]
            oof_label[m][te] = labels_array(s[te], lo, hi)
            met = validate.classification_metrics(y[te], oof_label[m][te], labels=LABELS)
            fold_rows.append(
                {
                    "fold": f,
                    "method": m,
                    "n": len(te),
                    "band_lo": lo,
                    "band_hi": hi,
                    "macro_f1": met["macro_f1"],
                    "accuracy": met["accuracy"],
                    "kappa": met["kappa"],
                }
            )
    return {
        "annotations": ann,
        "features": feats,
        "y": y,
        "groups": groups,
        "scheme": scheme,
        "oof_score": oof_score,
        "oof_label": oof_label,
        "folds": pd.DataFrame(fold_rows),
    }


def _select_default(fold_table: pd.DataFrame) -> tuple[str, pd.DataFrame, str]:
    stats = fold_table.groupby("method")["macro_f1"].agg(["mean", "std", "count"])
    stats["se"] = stats["std"] / np.sqrt(stats["count"])
    best = stats["mean"].idxmax()
    threshold = stats.loc[best, "mean"] - stats.loc[best, "se"]
    chosen = next(m for m in SIMPLICITY_ORDER if m in stats.index and stats.loc[m, "mean"] >= threshold)
    rule = (
        f"highest mean out-of-fold macro-F1 is {best}; the simplest method within one standard error of it "
        f"(order {' < '.join(SIMPLICITY_ORDER)}) is chosen"
    )
    return chosen, stats, rule


def calibrate(annotations_df: pd.DataFrame, *, folds: int = 5, seed: int = RANDOM_SEED) -> dict:
    """Choose each method's neutral band and the default method by cross-validation.

    Stratified k-fold grouped by essay (near-duplicate essays merged): in each
    fold the bands — and the combined model — are fitted on the training
    folds and scored on the held-out essays. The default is the simplest
    method whose mean out-of-fold macro-F1 is within one standard error of the
    best. The bands and the combined model written out are then refitted on
    the whole sample. Returns a plain mapping (YAML-ready) with the
    out-of-fold figures per candidate; nothing in it is a training-set score.
    """
    cv = _cross_validate(annotations_df, folds=folds, seed=seed)
    default, stats, rule = _select_default(cv["folds"])
    y, feats = cv["y"], cv["features"]
    x = combined_features(feats["lex_pos"], feats["lex_neg"], feats["score_snownlp"])
    model = _fit_combined(x, y, seed=seed)
    texts = cv["annotations"]["text"].tolist()
    sup = _fit_supervised(texts, feats, y, np.arange(len(y)), seed=seed)
    full_scores = {
        "snownlp": feats["score_snownlp"].to_numpy(),
        "lexicon": feats["score_lexicon"].to_numpy(),
        "combined": combined_scores(feats["lex_pos"], feats["lex_neg"], feats["score_snownlp"], feats["empty"], model),
        "supervised": _supervised_scores(sup, texts, feats),
    }
    candidates = {}
    for m in METHODS:
        pooled = validate.classification_metrics(y, cv["oof_label"][m], labels=LABELS)
        candidates[m] = {
            "cv_macro_f1": round(pooled["macro_f1"], 4),
            "cv_accuracy": round(pooled["accuracy"], 4),
            "cv_kappa": round(pooled["kappa"], 4),
            "cv_macro_f1_fold_mean": round(float(stats.loc[m, "mean"]), 4),
            "cv_macro_f1_fold_sd": round(float(stats.loc[m, "std"]), 4),
            "fold_macro_f1": [round(float(v), 4) for v in cv["folds"].query("method == @m")["macro_f1"]],
        }
    ann = cv["annotations"]
    samples_used = sorted(ann["sample"].unique().tolist()) if "sample" in ann.columns else ["given frame"]
    return {
        "supervised_model": sup,
        "status": "calibrated",
        "default_method": default,
        "bands": {m: list(choose_band(full_scores[m], y, method=m)) for m in METHODS},
        "combined_model": {
            "features": ["log1p(lexicon P)", "log1p(lexicon N)", "2*snownlp-1"],
            "classes": model["classes"],
            "coef": [[round(float(v), 6) for v in row] for row in model["coef"]],
            "intercept": [round(float(v), 6) for v in model["intercept"]],
        },
        "cross_validation": {
            "scheme": cv["scheme"],
            "folds": int(cv["folds"]["fold"].max()),
            "seed": int(seed),
            "n_groups": int(len(set(cv["groups"]))) if cv["groups"] is not None else None,
            "selection_rule": rule,
            "candidates": candidates,
        },
        "annotations": {
            "samples": samples_used,
            "n": int(len(ann)),
            "label_counts": {k: int(v) for k, v in ann["label"].value_counts().items()},
            "sha256": hashlib.sha256(
                pd.util.hash_pandas_object(ann[["text", "label"]], index=False).to_numpy().tobytes()
            ).hexdigest(),
        },
        "versions": _versions(),
        "created": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
    }


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("snownlp", "cnsenti", "jieba", "scikit-learn"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "missing"
    return out


def write_calibration(result: dict, path: str | Path | None = None) -> Path:
    """Write a :func:`calibrate` result as YAML (default: the bundled calibration.yaml)."""
    import yaml

    from analysis import io as aio
    from analysis.methods import supervised

    target = Path(path) if path is not None else RESOURCES_DIR / CALIBRATION_NAME
    result = dict(result)
    sup = result.pop("supervised_model", None)
    if sup is not None:  # the supervised model's numbers go beside the calibration file
        supervised.save(
            sup,
            target.parent / Path(supervised.MODEL_NAME).name,
            meta={
                "samples": result.get("annotations", {}).get("samples", []),
                "n": result.get("annotations", {}).get("n"),
                "emotions": list(EMOTIONS),
                "c": supervised.C,
                "created": result.get("created"),
                "versions": result.get("versions"),
            },
        )
    header = (
        "# Written by analysis.methods.sentiment.write_calibration (python -m analysis calibrate).\n"
        "# Do not edit by hand: rerun the calibration after changing the lexicon or the annotations.\n"
    )
    aio.write_text(target, header + yaml.safe_dump(result, allow_unicode=True, sort_keys=False, width=110))
    if path is None or target.resolve() == (RESOURCES_DIR / CALIBRATION_NAME).resolve():
        combined_model.cache_clear()
        default_method.cache_clear()
    return target


def tuning_annotations() -> pd.DataFrame:
    """Every coded sentence the methods may be tuned on (:func:`analysis.methods.samples.names`
    with ``tuning=True``: the bundled essays and the out-of-domain tuning parts), with
    ``essay_ordinal`` = sample and document, so folds keep a document together."""
    from analysis.methods import samples

    frames = [samples.load(n, "sentences") for n in samples.names("sentences", tuning=True)]
    df = pd.concat(frames, ignore_index=True)
    df["essay_ordinal"] = df["sample"] + ":" + df["group"].astype(str)
    return prepare_annotations(df)


def run_calibration(annotations_path: str | Path | None = None, out_path: str | Path | None = None) -> dict:
    """Calibrate on the annotation file (default: every tuning sample,
    :func:`tuning_annotations`) and write calibration.yaml and the supervised
    model beside it; returns the result."""
    result = calibrate(load_annotations(annotations_path) if annotations_path is not None else tuning_annotations())
    write_calibration(result, out_path)
    return result


def evaluate_methods(
    annotations_df: pd.DataFrame, *, folds: int = 5, seed: int = RANDOM_SEED, n_disagreements: int = 20
) -> dict[str, pd.DataFrame]:
    """Validation tables, all computed now from the annotation frame.

    Every label is out-of-fold (see :func:`calibrate`): nothing here is a
    training-set score. Keys:

    * ``summary`` — per method: n, accuracy, macro_f1, kappa, f1 per class,
      fold mean/sd of macro-F1; plus ``<method> (prior band)`` rows for the
      untuned methods at their prior bands.
    * ``per_class`` — method, class, precision, recall, f1, support, predicted.
    * ``confusion_<method>`` — confusion matrix (rows gold, columns predicted).
    * ``folds`` — per fold and method: band, macro-F1, accuracy, kappa.
    * ``agreement`` — Cohen's kappa between gold and every method's labels.
    * ``disagreements`` — the sentences where the methods disagree most.
    * ``predictions`` — per sentence: gold, out-of-fold score and label per method, emotion.
    * ``emotion_summary`` / ``confusion_emotion`` — DUTIR emotion against the
      coded emotion (when the frame has an ``emotion`` column; 无 = none).
    """
    cv = _cross_validate(annotations_df, folds=folds, seed=seed)
    ann, y, feats = cv["annotations"], cv["y"], cv["features"]
    rows, per_class, out = [], [], {}

    def add_rows(name: str, pred: np.ndarray, fold_stats: pd.Series | None) -> None:
        met = validate.classification_metrics(y, pred, labels=LABELS)
        pc = validate.per_class_metrics(y, pred, labels=LABELS)
        row = {"method": name, **met}
        row.update({f"f1_{c}": float(v) for c, v in zip(pc["class"], pc["f1"])})
        if fold_stats is not None:
            row["macro_f1_fold_mean"], row["macro_f1_fold_sd"] = float(fold_stats.mean()), float(fold_stats.std())
        rows.append(row)
        per_class.append(pc.assign(method=name))

    for m in METHODS:
        add_rows(m, cv["oof_label"][m], cv["folds"].query("method == @m")["macro_f1"])
        out[f"confusion_{m}"] = validate.confusion_frame(y, cv["oof_label"][m], labels=LABELS)
    for m in ("snownlp", "lexicon"):
        add_rows(f"{m} (prior band)", labels_array(feats[f"score_{m}"], *PRIOR_BANDS[m]), None)
    summary = pd.DataFrame(rows)
    summary.insert(
        1,
        "protocol",
        ["out-of-fold" if "(" not in n else "fixed prior band, nothing fitted" for n in summary["method"]],
    )
    out["summary"] = summary
    out["per_class"] = pd.concat(per_class, ignore_index=True)[
        ["method", "class", "precision", "recall", "f1", "support", "predicted"]
    ]
    out["folds"] = cv["folds"]

    pred = pd.DataFrame({"item_id": ann["item_id"].to_numpy(), "text": ann["text"].to_numpy(), "gold": y})
    if "essay_ordinal" in ann.columns:
        pred.insert(1, "essay_ordinal", ann["essay_ordinal"].to_numpy())
    for m in METHODS:
        pred[f"score_{m}"] = cv["oof_score"][m]
        pred[f"label_{m}"] = cv["oof_label"][m]
    lex = get_lexicon()
    pred["emotion"] = [dominant_emotion(tokenize(t), lex) for t in ann["text"]]
    out["predictions"] = pred
    out["agreement"] = validate.agreement_matrix(
        pred.rename(columns={f"label_{m}": m for m in METHODS}), columns=["gold", *METHODS]
    )
    common = pred.assign(**{f"common_{m}": _common_scale(pred[f"score_{m}"], m) for m in METHODS})
    out["disagreements"] = validate.most_disagreeing(
        common,
        label_columns=[f"label_{m}" for m in METHODS],
        score_columns=[f"common_{m}" for m in METHODS],
        n=n_disagreements,
    ).drop(columns=[f"common_{m}" for m in METHODS])

    if "emotion" in ann.columns:
        gold_e = ann["emotion"].fillna("无").astype(str).str.strip().replace("", "无")
        pred_e = pred["emotion"].replace("", "无")
        cats = [*EMOTIONS, "无"]
        met = validate.classification_metrics(gold_e, pred_e, labels=cats)
        out["emotion_summary"] = pd.DataFrame([{"method": "DUTIR dominant category", **met}])
        out["confusion_emotion"] = validate.confusion_frame(gold_e, pred_e, labels=cats)
    return out


def _common_scale(scores, method: str) -> np.ndarray:
    """Map a method's scores to −1…1 so spreads compare across methods."""
    s = np.asarray(scores, float)
    return 2.0 * s - 1.0 if method == "snownlp" else s
