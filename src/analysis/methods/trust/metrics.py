"""The figures themselves: accuracy, macro-F1 and κ of labels, micro/macro-F1 of
code sets and the per-code table, each F1 with a 95% interval from resampling
whole essays."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.methods import validate
from analysis.config import RANDOM_SEED
from analysis.methods.trust.common import N_BOOT


def _bootstrap(groups: np.ndarray, stat, *, n_boot: int = N_BOOT, seed: int = RANDOM_SEED) -> tuple[float, float]:
    """95% interval of ``stat(index array)`` from resampling whole groups (essays)."""
    uniq = pd.unique(groups)
    if len(uniq) < 2:
        return float("nan"), float("nan")
    members = {g: np.flatnonzero(groups == g) for g in uniq}
    rng = np.random.default_rng(seed)
    vals = []
    for _ in range(n_boot):
        idx = np.concatenate([members[g] for g in rng.choice(uniq, size=len(uniq), replace=True)])
        vals.append(stat(idx))
    lo, hi = np.nanpercentile(vals, [2.5, 97.5])
    return round(float(lo), 3), round(float(hi), 3)


def label_figures(gold: Sequence[str], pred: Sequence[str], groups: Sequence, *, labels: Sequence[str]) -> dict:
    """n, accuracy, macro-F1 (with a 95% interval over essays) and Cohen's κ."""
    gold, pred, groups = np.asarray(gold, object), np.asarray(pred, object), np.asarray(groups, object)
    met = validate.classification_metrics(gold, pred, labels=list(labels))
    lo, hi = _bootstrap(
        groups, lambda i: validate.classification_metrics(gold[i], pred[i], labels=list(labels))["macro_f1"]
    )
    return {
        "n": int(len(gold)),
        "n_essays": int(len(pd.unique(groups))),
        "accuracy": round(met["accuracy"], 3),
        "macro_f1": round(met["macro_f1"], 3),
        "macro_f1_low": lo,
        "macro_f1_high": hi,
        "kappa": round(met["kappa"], 3),
    }


def _split_codes(values: Sequence[str]) -> list[set[str]]:
    return [set(x for x in re.split(r"[;；,，\s]+", str(v)) if x) for v in values]


def code_figures(
    gold: Sequence[str], pred: Sequence[str], groups: Sequence, *, codes: Sequence[str]
) -> tuple[dict, pd.DataFrame]:
    """Micro- and macro-F1 of codes (``;``-separated sets) with a 95% interval
    of the micro-F1 over essays, and the per-code table."""
    g, p = _split_codes(gold), _split_codes(pred)
    Y = np.array([[c in s for c in codes] for s in g], bool).reshape(len(g), len(codes))
    P = np.array([[c in s for c in codes] for s in p], bool).reshape(len(p), len(codes))

    def micro(i) -> float:
        tp = (Y[i] & P[i]).sum()
        denom = Y[i].sum() + P[i].sum()
        return 2 * tp / denom if denom else float("nan")

    rows = []
    for k, c in enumerate(codes):
        tp, fp, fn = int((Y[:, k] & P[:, k]).sum()), int((~Y[:, k] & P[:, k]).sum()), int((Y[:, k] & ~P[:, k]).sum())
        prec = tp / (tp + fp) if tp + fp else float("nan")
        rec = tp / (tp + fn) if tp + fn else float("nan")
        f1 = 2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else float("nan")
        rows.append(
            {
                "code": c,
                "coded": int(Y[:, k].sum()),
                "found": int(P[:, k].sum()),
                "precision": round(prec, 3),
                "recall": round(rec, 3),
                "f1": round(f1, 3),
            }
        )
    per_code = pd.DataFrame(rows)
    idx = np.arange(len(g))
    lo, hi = _bootstrap(np.asarray(groups, object), micro)
    summary = {
        "n": int(len(g)),
        "n_essays": int(len(pd.unique(np.asarray(groups, object)))),
        "micro_f1": round(micro(idx), 3),
        "micro_f1_low": lo,
        "micro_f1_high": hi,
        "macro_f1": round(float(np.nanmean(per_code["f1"])) if len(per_code) else float("nan"), 3),
        "exact_match": round(float((Y == P).all(axis=1).mean()) if len(g) else float("nan"), 3),
    }
    return summary, per_code
