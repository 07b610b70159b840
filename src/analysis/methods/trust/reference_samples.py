"""The figures of the reference samples the project ships (:mod:`analysis.methods.samples`):
computed once per version of the methods and samples, shipped in ``resources/validation/``
(``python -m analysis validate --refresh`` rewrites them), else cached in the user cache
folder, and copied into each build's ``validation/`` folder."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis.methods import samples, validate
from analysis.config import RESOURCES_DIR, user_cache_dir
from analysis.methods.trust.common import FORMAT, VALIDATION_DIR, TrustError, _now, _records
from analysis.methods.trust.fingerprints import methods_fingerprint, samples_fingerprint
from analysis.methods.trust.metrics import code_figures, label_figures


REFERENCE_DIR = RESOURCES_DIR / "validation"  # the shipped reference figures


def reference(kind: str, *, refresh: bool = False) -> dict:
    """The figures of the reference samples for ``kind`` ("sentiment" or
    "themes"): the shipped file (``resources/validation/``) when it matches
    the methods and samples as they are, else computed once and cached in
    the user cache folder. ``refresh`` recomputes them and rewrites the shipped
    file (``python -m analysis validate --refresh``, after changing a method or
    a coded sample)."""
    from analysis import io as aio
    from analysis.methods.trust.vocabulary import _top_words  # which imports this module

    if kind not in ("sentiment", "themes"):
        raise TrustError(f"kind {kind!r}: valid kinds are sentiment, themes")
    fp, sfp = methods_fingerprint(kind), samples_fingerprint()
    shipped = REFERENCE_DIR / f"reference-{kind}.json"
    cache = user_cache_dir() / f"reference-{kind}-{fp}-{sfp}-v{FORMAT}.json"
    if not refresh:
        for p in (shipped, cache):
            if p.is_file():
                data = json.loads(p.read_text(encoding="utf-8"))
                if (
                    data.get("methods_fingerprint") == fp
                    and data.get("samples_fingerprint") == sfp
                    and data.get("format") == FORMAT
                ):
                    return data
    result = _reference_sentiment() if kind == "sentiment" else _reference_themes()
    result.update(
        kind=kind,
        source="reference",
        format=FORMAT,
        methods_fingerprint=fp,
        samples_fingerprint=sfp,
        created=_now(),
        top_words={n: _top_words(samples.load(n, "sentences")["text"]) for n in samples.names("sentences")},
    )
    text = json.dumps(result, ensure_ascii=False)
    aio.write_text(shipped if refresh else cache, text)
    return result


def is_current(kind: str) -> bool:
    """Does the shipped reference file match the methods and samples as they are?"""
    p = REFERENCE_DIR / f"reference-{kind}.json"
    if not p.is_file():
        return False
    data = json.loads(p.read_text(encoding="utf-8"))
    return (
        data.get("methods_fingerprint") == methods_fingerprint(kind)
        and data.get("samples_fingerprint") == samples_fingerprint()
        and data.get("format") == FORMAT
    )


def _reference_sentiment() -> dict:
    from analysis.methods import sentiment

    ann = sentiment.tuning_annotations()
    cv = sentiment.evaluate_methods(ann)
    pred = cv["predictions"].merge(ann[["item_id", "sample", "group"]], on="item_id", how="left")
    rows = []
    for name in samples.names("sentences", tuning=True):
        sub = pred[pred["sample"] == name]
        for m in sentiment.METHODS:
            rows.append(
                {
                    "sample": name,
                    "domain": samples.SAMPLES[(name, "sentences")].domain,
                    "protocol": "out-of-fold (tuning sample)",
                    "method": m,
                    **label_figures(sub["gold"], sub[f"label_{m}"], sub["group"], labels=sentiment.LABELS),
                }
            )
    per_class, confusion = [], {}
    for name in samples.names("sentences", tuning=False):
        s = samples.load(name, "sentences")
        scored = sentiment.score_sentences(s[["text"]], methods=list(sentiment.METHODS))
        for m in sentiment.METHODS:
            rows.append(
                {
                    "sample": name,
                    "domain": samples.SAMPLES[(name, "sentences")].domain,
                    "protocol": "held out",
                    "method": m,
                    **label_figures(s["label"], scored[f"label_{m}"], s["group"], labels=sentiment.LABELS),
                }
            )
        d = sentiment.DEFAULT_METHOD
        per_class.append(
            validate.per_class_metrics(s["label"], scored[f"label_{d}"], labels=list(sentiment.LABELS)).assign(
                sample=name, method=d
            )
        )
        confusion[name] = _records(
            validate.confusion_frame(s["label"], scored[f"label_{d}"], labels=list(sentiment.LABELS)).reset_index()
        )
    return {
        "default_method": sentiment.DEFAULT_METHOD,
        "figures": _records(pd.DataFrame(rows)),
        "per_class": _records(pd.concat(per_class, ignore_index=True)),
        "confusion": confusion,
        "samples": _sample_notes("sentences"),
    }


def _reference_themes() -> dict:
    from analysis.methods import themes

    codes = list(themes.load_codebook().ids)
    rows, per_code = [], []
    for name in samples.names("paragraphs"):
        p = samples.load(name, "paragraphs")
        pred = [";".join(themes.code_text(t)) for t in p["text"]]
        summary, pc = code_figures(p["codes"], pred, p["group"], codes=codes)
        spec = samples.SAMPLES[(name, "paragraphs")]
        rows.append(
            {
                "sample": name,
                "domain": spec.domain,
                "protocol": "tuning sample (rules written with it)" if spec.tuning else "held out",
                **summary,
            }
        )
        per_code.append(pc.assign(sample=name))
    return {
        "figures": _records(pd.DataFrame(rows)),
        "per_code": _records(pd.concat(per_code, ignore_index=True)),
        "samples": _sample_notes("paragraphs"),
    }


def _sample_notes(unit: str) -> list[dict]:
    return [
        {"sample": s.name, "domain": s.domain, "tuning": s.tuning, "description": s.description}
        for (n, u), s in samples.SAMPLES.items()
        if u == unit
    ]


def write_reference(out_dir: str | Path) -> list[Path]:
    """Copy the reference figures into a build's ``validation/`` folder (done by the build)."""
    from analysis import io as aio

    folder = Path(out_dir) / VALIDATION_DIR
    written = []
    for kind in ("sentiment", "themes"):
        target = folder / f"reference-{kind}.json"
        aio.write_text(target, json.dumps(reference(kind), ensure_ascii=False))
        written.append(target)
    return written
