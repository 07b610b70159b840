"""Generic classification metrics and agreement tables (scikit-learn underneath).

Nothing here knows about sentiment: every function takes label sequences (or a
frame of label columns) and returns numbers or DataFrames, so the same helpers
serve any hand-coded validation sample. ``labels`` fixes the order of classes
in every table; classes absent from both sequences still get a row/column.

* :func:`classification_metrics` — accuracy, macro-F1, Cohen's kappa, n.
* :func:`per_class_metrics` — precision, recall, F1, support per class.
* :func:`confusion_frame` — confusion matrix (rows true, columns predicted).
* :func:`cohen_kappa` — Cohen's kappa of two raters (NaN when undefined).
* :func:`agreement_matrix` — kappa or percent agreement for every pair of columns.
* :func:`most_disagreeing` — rows where label columns disagree most.
* :func:`intercoder_agreement` — two coders' independent coding of the same items.
* :func:`macro_f1` — fast macro-F1 (numpy) for grid searches.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

# scikit-learn is imported inside the functions that use it: it takes over a
# second to import, and a corpus build (which imports this module through
# analysis.methods.sentiment) never calls them.


def _labels(y_true: Sequence, y_pred: Sequence, labels: Sequence | None) -> list:
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true and y_pred differ in length ({len(y_true)} vs {len(y_pred)})")
    if labels is not None:
        return list(labels)
    return sorted(set(map(str, y_true)) | set(map(str, y_pred)))


def cohen_kappa(a: Sequence, b: Sequence, *, labels: Sequence | None = None) -> float:
    """Cohen's kappa between two label sequences: (p_o − p_e) / (1 − p_e).

    NaN when chance agreement is 1 (both raters used one and the same class),
    where kappa is undefined, rather than scikit-learn's warning and 0. Items
    whose label either rater gave is not in ``labels`` are left out, as
    scikit-learn's ``cohen_kappa_score`` does (a test holds the two equal);
    computed here because importing scikit-learn costs a report's kernel a
    second for five lines of arithmetic.
    """
    labels = [str(x) for x in _labels(a, b, labels)]
    if len(a) == 0:
        return float("nan")
    a, b = list(map(str, a)), list(map(str, b))
    pa = pd.Series(a).value_counts(normalize=True)
    pb = pd.Series(b).value_counts(normalize=True)
    p_e = float(sum(pa.get(k, 0.0) * pb.get(k, 0.0) for k in set(pa.index) | set(pb.index)))
    if np.isclose(p_e, 1.0):
        return float("nan")
    index = {k: i for i, k in enumerate(labels)}
    pairs = [(index[x], index[y]) for x, y in zip(a, b) if x in index and y in index]
    if not pairs:
        return float("nan")
    cm = np.zeros((len(labels), len(labels)))
    np.add.at(cm, tuple(np.array(pairs).T), 1)
    n = cm.sum()
    p_o = np.trace(cm) / n
    p_chance = float(cm.sum(axis=1) @ cm.sum(axis=0)) / n**2
    if np.isclose(p_chance, 1.0):
        return float("nan")
    return float((p_o - p_chance) / (1 - p_chance))


def classification_metrics(y_true: Sequence, y_pred: Sequence, *, labels: Sequence | None = None) -> dict[str, float]:
    """{'n', 'accuracy', 'macro_f1', 'kappa'} of predictions against gold labels.

    Macro-F1 averages the F1 of the classes that occur in ``y_true`` (a class
    nobody coded cannot be scored fairly); a predicted class absent from the
    gold standard still costs precision in the classes it was taken from.
    """
    from sklearn.metrics import accuracy_score, f1_score

    labels = _labels(y_true, y_pred, labels)
    y_true, y_pred = list(map(str, y_true)), list(map(str, y_pred))
    present = [str(c) for c in labels if str(c) in set(y_true)]
    if not y_true:
        return {"n": 0, "accuracy": float("nan"), "macro_f1": float("nan"), "kappa": float("nan")}
    return {
        "n": len(y_true),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)),
        "kappa": cohen_kappa(y_true, y_pred, labels=[str(c) for c in labels]),
    }


def per_class_metrics(y_true: Sequence, y_pred: Sequence, *, labels: Sequence | None = None) -> pd.DataFrame:
    """One row per class: class, precision, recall, f1, support (gold count), predicted (count)."""
    from sklearn.metrics import precision_recall_fscore_support

    labels = [str(c) for c in _labels(y_true, y_pred, labels)]
    y_true, y_pred = list(map(str, y_true)), list(map(str, y_pred))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    predicted = pd.Series(y_pred).value_counts()
    return pd.DataFrame(
        {
            "class": labels,
            "precision": p.astype(float),
            "recall": r.astype(float),
            "f1": f.astype(float),
            "support": s.astype(int),
            "predicted": [int(predicted.get(c, 0)) for c in labels],
        }
    )


def confusion_frame(y_true: Sequence, y_pred: Sequence, *, labels: Sequence | None = None) -> pd.DataFrame:
    """Confusion matrix as a DataFrame: index ``true``, columns ``predicted``, counts."""
    from sklearn.metrics import confusion_matrix

    labels = [str(c) for c in _labels(y_true, y_pred, labels)]
    m = confusion_matrix(list(map(str, y_true)), list(map(str, y_pred)), labels=labels)
    return pd.DataFrame(m, index=pd.Index(labels, name="true"), columns=pd.Index(labels, name="predicted"))


def macro_f1(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> float:
    """Macro-F1 over the classes present in ``y_true``; integer-coded labels 0..n_classes-1.

    Same value as :func:`classification_metrics` ['macro_f1'], about 100× faster:
    meant for grid searches inside cross-validation.
    """
    y_true = np.asarray(y_true, dtype=int)
    y_pred = np.asarray(y_pred, dtype=int)
    cm = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes).reshape(n_classes, n_classes)
    tp = np.diag(cm).astype(float)
    support = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    denom = support + predicted
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    present = support > 0
    return float(f1[present].mean()) if present.any() else float("nan")


def agreement_matrix(
    frame: pd.DataFrame, *, columns: Sequence[str] | None = None, statistic: str = "kappa"
) -> pd.DataFrame:
    """Pairwise agreement between label columns of ``frame``.

    ``statistic``: "kappa" (Cohen's kappa; diagonal 1) or "percent" (share of
    rows with equal labels). Rows with a missing label in a pair are skipped for
    that pair.
    """
    columns = list(columns) if columns is not None else list(frame.columns)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"agreement_matrix: columns not in frame: {', '.join(missing)}")
    if statistic not in {"kappa", "percent"}:
        raise ValueError(f"statistic must be 'kappa' or 'percent', not {statistic!r}")
    out = pd.DataFrame(np.nan, index=pd.Index(columns), columns=pd.Index(columns), dtype=float)
    for i, a in enumerate(columns):
        for b in columns[i:]:
            if a == b:
                out.loc[a, a] = 1.0
                continue
            pair = frame[[a, b]].dropna()
            if statistic == "kappa":
                v = cohen_kappa(pair[a].astype(str), pair[b].astype(str))
            else:
                v = float((pair[a].astype(str) == pair[b].astype(str)).mean()) if len(pair) else float("nan")
            out.loc[a, b] = out.loc[b, a] = v
    return out


def most_disagreeing(
    frame: pd.DataFrame, *, label_columns: Sequence[str], score_columns: Sequence[str] | None = None, n: int = 20
) -> pd.DataFrame:
    """The ``n`` rows of ``frame`` where the label columns disagree most.

    Adds ``n_distinct_labels`` (how many different labels the columns give)
    and, when ``score_columns`` are given (each already on a common −1…1
    scale), ``score_spread`` (max − min). Sorted by both, descending; rows
    where every column agrees are left out.
    """
    missing = [c for c in [*label_columns, *(score_columns or [])] if c not in frame.columns]
    if missing:
        raise KeyError(f"most_disagreeing: columns not in frame: {', '.join(missing)}")
    out = frame.copy()
    out["n_distinct_labels"] = out[list(label_columns)].astype(str).nunique(axis=1)
    sort_by = ["n_distinct_labels"]
    if score_columns:
        scores = out[list(score_columns)].astype(float)
        out["score_spread"] = scores.max(axis=1) - scores.min(axis=1)
        sort_by.append("score_spread")
    out = out[out["n_distinct_labels"] > 1]
    return out.sort_values(sort_by, ascending=False, kind="mergesort").head(n).reset_index(drop=True)


def intercoder_agreement(
    first: pd.DataFrame,
    second: pd.DataFrame,
    column: str,
    *,
    id_column: str = "item_id",
    multi_sep: str | None = None,
    labels: Sequence | None = None,
) -> pd.DataFrame:
    """Agreement between two coders who coded the same items independently.

    Items are matched on ``id_column``; both frames must hold the same items
    (a one-line error names those only one coder has). Single-label codes:
    one row (``column``) with n, agreement (share of items given the same
    label) and Cohen's kappa. Multi-label codes (cells joined with
    ``multi_sep``, '' for none): one row per label, with how many items each
    coder gave it (coder_1, coder_2), both, agreement and kappa on its
    presence, and a last row "all (same set)" with the share of items given
    exactly the same set (kappa NaN). ``labels`` fixes the rows' order.
    """
    for name, f in (("first", first), ("second", second)):
        missing = {id_column, column} - set(f.columns)
        if missing:
            raise KeyError(f"{name} coding lacks columns: {', '.join(sorted(missing))}")
    a = first.set_index(first[id_column].astype(str))[column]
    b = second.set_index(second[id_column].astype(str))[column]
    for name, f in (("first", a), ("second", b)):
        if not f.index.is_unique:
            raise ValueError(f"{name} coding repeats {id_column}s: {', '.join(f.index[f.index.duplicated()][:5])}")
    only = sorted(set(a.index) ^ set(b.index))
    if only:
        raise ValueError(f"the two codings cover different items ({len(only)} in one only: {', '.join(only[:5])})")
    b = b.reindex(a.index)
    clean = lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()
    if multi_sep is None:
        x, y = [clean(v) for v in a], [clean(v) for v in b]
        return pd.DataFrame(
            {
                "n": [len(x)],
                "agreement": [float(np.mean([p == q for p, q in zip(x, y)])) if x else np.nan],
                "kappa": [cohen_kappa(x, y, labels=labels)],
            },
            index=pd.Index([column], name="code"),
        )
    sets_a = [frozenset(t for t in clean(v).split(multi_sep) if t.strip()) for v in a]
    sets_b = [frozenset(t for t in clean(v).split(multi_sep) if t.strip()) for v in b]
    names = list(labels) if labels is not None else sorted(set().union(*sets_a, *sets_b))
    rows = []
    for code in names:
        x = [code in s for s in sets_a]
        y = [code in s for s in sets_b]
        rows.append(
            {
                "code": code,
                "n": len(x),
                "coder_1": sum(x),
                "coder_2": sum(y),
                "both": sum(p and q for p, q in zip(x, y)),
                "agreement": float(np.mean([p == q for p, q in zip(x, y)])) if x else np.nan,
                "kappa": cohen_kappa(x, y, labels=[False, True]),
            }
        )
    rows.append(
        {
            "code": "all (same set)",
            "n": len(sets_a),
            "coder_1": np.nan,
            "coder_2": np.nan,
            "both": np.nan,
            "agreement": float(np.mean([p == q for p, q in zip(sets_a, sets_b)])) if sets_a else np.nan,
            "kappa": np.nan,
        }
    )
    return pd.DataFrame(rows).astype({"coder_1": "Int64", "coder_2": "Int64", "both": "Int64"}).set_index("code")
