"""The researcher's own coded sample of a corpus: a coded sheet (from
``python -m analysis sample``) matched to the build by item id, every figure the
reports show computed and stored in ``DATA/validation/own-<unit>.json``, keyed by the
build and the methods so that a rebuild or a changed method marks them stale."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from collections.abc import Sequence

import pandas as pd

from analysis.methods import samples, validate
from analysis.methods.trust.common import TAGS, VALIDATION_DIR, TrustError, _codes, _now, _records
from analysis.methods.trust.fingerprints import methods_fingerprint
from analysis.methods.trust.metrics import code_figures, label_figures
from analysis.methods.trust.sheets import _coded, read_sheet, unit_of


def _manifest(data_dir: Path) -> dict:
    p = Path(data_dir) / "manifest.json"
    if not p.is_file():
        raise TrustError(
            f"{data_dir}: not a built data folder (no manifest.json); run `python -m analysis build "
            f"--out {data_dir}` first"
        )
    return json.loads(p.read_text(encoding="utf-8"))


def _build_key(data_dir: Path) -> str:
    m = _manifest(data_dir)
    return str(m.get("corpus_sha256") or m.get("corpus", {}).get("sha256") or m.get("sha256") or "")


def validate_own(data_dir: str | Path, sheet: str | Path, second: str | Path | None = None) -> dict:
    """Validate the build in ``data_dir`` against a coded sheet of its own
    items (and a second coder's sheet), store the figures in
    ``data_dir/validation/own-<unit>.json`` and return them."""
    from analysis import io as aio

    data_dir = Path(data_dir)
    first = read_sheet(sheet)
    unit = unit_of(first.columns)
    if second is None and Path(sheet).suffix.lower() == ".xlsx":
        try:
            other = read_sheet(sheet, sheet="coder 2")
            second_df = other if len(_coded(other, unit)) else None
        except TrustError:
            second_df = None
    else:
        second_df = read_sheet(second) if second is not None else None
    coded = _coded(first, unit)
    if coded.empty:
        raise TrustError(
            f"{sheet}: no coded item yet (fill in the "
            f"{'label' if unit == 'sentences' else 'codes' if unit == 'paragraphs' else 'tag'} column)"
        )
    result = {
        "kind": {"sentences": "sentiment", "paragraphs": "themes", "essays": "tags"}[unit],
        "unit": unit,
        "source": "own",
        "sheets": [_sheet_note(sheet)] + ([_sheet_note(second)] if second else []),
        "build": _build_key(data_dir),
        "created": _now(),
        "methods_fingerprint": methods_fingerprint(
            {"sentences": "sentiment", "paragraphs": "themes", "essays": "tags"}[unit]
        ),
    }
    result["items"] = coded["item_id"].astype(str).tolist()
    result.update(_figures_own(data_dir, coded, unit, sheet))
    if second_df is not None:
        result["intercoder"] = _records(_intercoder(first, second_df, unit))
    aio.write_text(data_dir / VALIDATION_DIR / f"own-{unit}.json", json.dumps(result, ensure_ascii=False))
    return result


def _sheet_note(path) -> dict:
    p = Path(path)
    return {"file": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest()[:16]}


def _intercoder(first: pd.DataFrame, second: pd.DataFrame, unit: str) -> pd.DataFrame:
    a, b = _coded(first, unit), _coded(second, unit)
    both = sorted(set(a["item_id"]) & set(b["item_id"]))
    if not both:
        raise TrustError("the two coders' sheets share no coded item")
    a = a.set_index("item_id").loc[both].reset_index()
    b = b.set_index("item_id").loc[both].reset_index()
    if unit == "sentences":
        from analysis.methods import sentiment

        for f in (a, b):
            f["label"] = f["label"].astype(str).str.strip().str.lower().map(lambda v: samples.LABEL_ALIASES.get(v, v))
        parts = [validate.intercoder_agreement(a, b, "label", labels=sentiment.LABELS)]
        if "emotion" in a.columns and (a["emotion"].astype(str) != "").any():
            parts.append(validate.intercoder_agreement(a, b, "emotion"))
        return pd.concat(parts).reset_index()
    if unit == "paragraphs":
        return validate.intercoder_agreement(a, b, "codes", multi_sep=";", labels=_codes()).reset_index()
    return pd.concat([validate.intercoder_agreement(a, b, t) for t in TAGS if t in a.columns]).reset_index()


def _unknown(ids: Sequence[str], known: set[str], sheet) -> None:
    missing = [i for i in ids if i not in known]
    if missing:
        raise TrustError(
            f"{sheet}: {len(missing)} item id(s) are not in this build ({', '.join(missing[:3])}"
            f"{' …' if len(missing) > 3 else ''}); code a sheet drawn from this data folder with "
            "`python -m analysis sample`"
        )


def _figures_own(data_dir: Path, coded: pd.DataFrame, unit: str, sheet) -> dict:
    from analysis.io import read_table

    if unit == "sentences":
        from analysis.methods import sentiment

        s = read_table(data_dir, "sentences").set_index("sentence_id")
        _unknown(coded["item_id"].tolist(), set(s.index), sheet)
        gold = coded["label"].astype(str).str.strip().str.lower().map(samples.LABEL_ALIASES)
        if gold.isna().any():
            bad = coded["item_id"][gold.isna()].tolist()[:3]
            raise TrustError(
                f"{sheet}: unknown label for item(s) {', '.join(bad)}; valid: {', '.join(sentiment.LABELS)}"
            )
        rows = s.loc[coded["item_id"]]
        groups = rows["essay_id"].to_numpy()
        figures, per_class, confusion = [], [], {}
        for m in sentiment.METHODS:
            if f"label_{m}" not in rows.columns:
                continue
            figures.append({"method": m, **label_figures(gold, rows[f"label_{m}"], groups, labels=sentiment.LABELS)})
            per_class.append(
                validate.per_class_metrics(gold, rows[f"label_{m}"], labels=list(sentiment.LABELS)).assign(method=m)
            )
            confusion[m] = _records(
                validate.confusion_frame(gold, rows[f"label_{m}"], labels=list(sentiment.LABELS)).reset_index()
            )
        out = {
            "figures": _records(pd.DataFrame(figures)),
            "per_class": _records(pd.concat(per_class)),
            "confusion": confusion,
            "default_method": sentiment.DEFAULT_METHOD,
        }
        if "emotion" in coded.columns and (coded["emotion"].astype(str).str.strip() != "").any():
            ge = coded["emotion"].astype(str).str.strip().replace("", "无")
            pe = rows["emotion"].astype(str).replace("", "无")
            met = validate.classification_metrics(ge, pe, labels=[*sentiment.EMOTIONS, "无"])
            out["emotion"] = {k: round(float(v), 3) for k, v in met.items()}
        return out
    if unit == "paragraphs":
        p = read_table(data_dir, "paragraphs").set_index("paragraph_id")
        _unknown(coded["item_id"].tolist(), set(p.index), sheet)
        rows = p.loc[coded["item_id"]]
        pred = [";".join(list(v)) if v is not None and not isinstance(v, str) else (v or "") for v in rows["codes"]]
        summary, per_code = code_figures(coded["codes"], pred, rows["essay_id"].to_numpy(), codes=_codes())
        return {"figures": _records(pd.DataFrame([summary])), "per_code": _records(per_code)}
    e = read_table(data_dir, "essays").set_index("essay_id")
    _unknown(coded["item_id"].tolist(), set(e.index), sheet)
    rows = e.loc[coded["item_id"]]
    figures, confusion = [], {}
    for t in TAGS:
        if t not in coded.columns or t not in rows.columns:
            continue
        g = coded[t].astype(str).str.strip()
        keep = (g != "").to_numpy()
        if not keep.any():
            continue
        pred = rows[t].astype(str).to_numpy()[keep]
        figures.append(
            {
                "tag": t,
                "n": int(keep.sum()),
                "accuracy": round(float((g.to_numpy()[keep] == pred).mean()), 3),
                "uncertain": int((pred == "uncertain").sum()),
            }
        )
        labels = sorted(set(g[keep]) | set(pred))
        confusion[t] = _records(validate.confusion_frame(g[keep], pred, labels=labels).reset_index())
    return {"figures": _records(pd.DataFrame(figures)), "confusion": confusion}


def own(data_dir: str | Path, unit: str) -> dict | None:
    """The stored own-sample figures of a data folder, with ``stale`` set when
    the build or the methods changed since they were computed; None without."""
    p = Path(data_dir) / VALIDATION_DIR / f"own-{unit}.json"
    if not p.is_file():
        return None
    res = json.loads(p.read_text(encoding="utf-8"))
    try:
        build = _build_key(Path(data_dir))
    except TrustError:
        build = ""
    res["stale"] = bool(
        res.get("build") != build
        or res.get("methods_fingerprint")
        != methods_fingerprint({"sentences": "sentiment", "paragraphs": "themes", "essays": "tags"}[unit])
    )
    return res
