"""Fit the learned line model (src/analysis/ingest/linemodel.py) on the annotated page sets.

    python scripts/train_linemodel.py                 # fit on every tuning set, write resources/linemodel.json
    python scripts/train_linemodel.py --check         # refit as the stored model says and compare
    python scripts/train_linemodel.py --sets dev dev2 --out /tmp/m.json   # a model of chosen sets

The training sets are every folder of tests/fixtures/pages/ that is a dev set (dev, dev2 …) or
holds a MEASURED.md (a held-out set scored once); a blind held-out set (no MEASURED.md) is never
read. Each page is rendered as the capture it describes and planned exactly as the build plans it
(folder evidence, headings, the rules' verdicts, with the line model off); every non-blank line
that is not an essay heading the splitter found is one example, labelled chrome (1) or essay
text / heading (0) by the page's truth. Features are those of :func:`linemodel.page_features`;
a feature counts only if it occurs in at least ``MIN_FILES`` files. The fit is scikit-learn's
liblinear logistic regression (deterministic: sorted inputs, fixed seed), stored as plain numbers.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from analysis import __version__  # noqa: E402
from analysis.config import RANDOM_SEED  # noqa: E402
from analysis.ingest import linemodel, pagechrome  # noqa: E402

PAGES_DIR = ROOT / "tests" / "fixtures" / "pages"
C = 2.0  # regularisation (inverse strength)
MIN_FILES = 2  # a feature seen in fewer files is dropped (it would only memorise one page)
THRESHOLD = 0.995  # P(chrome) at which a line the rules leave as text becomes chrome
DECIMALS = 4  # weights are stored rounded …
PRUNE = 0.01  # … and a weight smaller than this is not stored (it moves no line near the threshold)
HIDE = 0.4  # share of the rules' verdicts hidden in the second copy of each training page (see examples)


def set_order(p) -> tuple:
    """dev, dev2 … dev31, then heldout11 …: by prefix, then number."""
    name = Path(p).name
    m = re.match(r"^(\D*)(\d*)$", name)
    return (m.group(1), int(m.group(2) or 1)) if m else (name, 0)


def default_sets(pages_dir: Path = PAGES_DIR) -> list[str]:
    """Names of the tuning sets: dev sets and sets scored once (with a MEASURED.md), sorted."""
    out = []
    for p in sorted(pages_dir.iterdir(), key=set_order):
        if not p.is_dir() or not any(p.glob("*.page")):
            continue
        if p.name.startswith("dev") or (p / "MEASURED.md").is_file():
            out.append(p.name)
    return out


def plan_folder(folder: Path):
    """[(capture name, lines, rule verdict kinds, kept headings, folder counts, n_files, page)] of a set:
    each page planned as the build plans it, the line model off."""
    from analysis import io as aio
    from analysis.ingest import intake
    from analysis.ingest.split import compile_patterns
    from analysis.pipeline.challenge import load_pages, write_captures

    pages = load_pages(folder)
    with tempfile.TemporaryDirectory() as tmp:
        names = write_captures(pages, tmp)
        raws = {name: aio.read_raw(Path(tmp) / name, root=Path(tmp)) for name in sorted(names)}
    evidence = intake.FolderEvidence.of([r.text for r in raws.values()])
    patterns = compile_patterns([])
    original = pagechrome.classify_lines
    seen: list = []

    def recorder(lines, **kw):
        kw["line_model"] = False
        out = original(lines, **kw)
        if "keep" in kw:
            seen.append((set(kw["keep"]), out))
        return out

    rows = []
    pagechrome.classify_lines = recorder
    try:
        for name in sorted(raws):
            seen.clear()
            intake.plan_essays(raws[name], patterns, evidence=evidence, slug=Path(name).stem)
            keep, out = seen[-1]
            rows.append(
                (
                    name,
                    raws[name].text.split("\n"),
                    {no: v.kind for no, v in out.items()},
                    keep,
                    evidence.counts,
                    evidence.n_files,
                    names[name],
                )
            )
    finally:
        pagechrome.classify_lines = original
    return rows


def hidden_verdicts(kinds: dict[int, str], share: float, seed: str) -> dict[int, str]:
    """``kinds`` with a share of the verdicts hidden (drawn by a generator seeded with ``seed``): the rules as
    they stand on a page set they were not tuned on, which miss some of its furniture."""
    import random

    rng = random.Random(f"{RANDOM_SEED}:{seed}")
    return {no: k for no, k in sorted(kinds.items()) if rng.random() >= share}


def examples(sets: list[str], pages_dir: Path = PAGES_DIR, log=print, *, hide: float = HIDE):
    """[(set, file, line, features, label, the rules call it chrome)] of the sets, in a fixed order.

    Each page gives its lines twice when ``hide`` > 0: once with the rules' verdicts as they are, once
    with a share ``hide`` of them hidden (:func:`hidden_verdicts`), so that the model learns furniture
    next to furniture the rules missed, as on a page set they were never tuned on."""
    out = []
    for s in sets:
        n0 = len(out)
        for name, lines, kinds, keep, counts, n_files, page in plan_folder(pages_dir / s):
            truth = {ln.no: ln for ln in page.lines}
            norms = [pagechrome.normalise(x) for x in lines]
            variants = [kinds] + ([hidden_verdicts(kinds, hide, f"{s}/{name}")] if hide > 0 else [])
            for seen in variants:
                feats = linemodel.page_features(lines, norms, seen, keep, folder=counts, n_files=n_files)
                for no in sorted(feats):
                    ln = truth.get(no)
                    if ln is None or no in keep or ln.role == "blank":
                        continue
                    out.append((s, name, no, feats[no], int(ln.role == "chrome"), no in seen))
        log(f"  {s}: {len(out) - n0} lines, {sum(e[4] for e in out[n0:])} chrome")
    return out


def fit(rows, *, c: float = C, min_files: int = MIN_FILES) -> dict:
    """Weights and intercept of a logistic regression on ``rows`` (see :func:`examples`)."""
    import numpy as np
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    files_of: dict[str, set] = {}
    for s, name, _, feats, *_ in rows:
        for f, _ in feats:
            files_of.setdefault(f, set()).add((s, name))
    vocab = sorted(f for f, fs in files_of.items() if len(fs) >= min_files)
    index = {f: k for k, f in enumerate(vocab)}
    data, ind, ptr = [], [], [0]
    for _, _, _, feats, *_ in rows:
        acc: dict[int, float] = {}
        for f, v in feats:
            k = index.get(f)
            if k is not None:
                acc[k] = acc.get(k, 0.0) + v
        for k in sorted(acc):
            ind.append(k)
            data.append(acc[k])
        ptr.append(len(ind))
    X = sparse.csr_matrix((np.array(data), np.array(ind), np.array(ptr)), shape=(len(rows), len(vocab)))
    y = np.array([r[4] for r in rows])
    clf = LogisticRegression(C=c, solver="liblinear", random_state=RANDOM_SEED, max_iter=1000, tol=1e-6)
    clf.fit(X, y)
    coef = clf.coef_[0]
    weights = {f: round(float(w), DECIMALS) for f, w in zip(vocab, coef) if abs(float(w)) >= PRUNE}
    return {"weights": weights, "intercept": round(float(clf.intercept_[0]), DECIMALS)}


def build_model(
    sets: list[str],
    *,
    c: float = C,
    min_files: int = MIN_FILES,
    threshold: float = THRESHOLD,
    hide: float = HIDE,
    pages_dir: Path = PAGES_DIR,
    log=print,
) -> dict:
    import sklearn

    rows = examples(sets, pages_dir, log=log, hide=hide)
    fitted = fit(rows, c=c, min_files=min_files)
    return {
        "model": "logistic regression, P(chrome) of a line the rules leave as essay text",
        "features_version": linemodel.FEATURES_VERSION,
        "threshold": threshold,
        "c": c,
        "min_files": min_files,
        "hide": hide,
        "training_sets": sets,
        "n_training_sets": len(sets),
        "n_lines": len(rows),
        "n_chrome": sum(r[4] for r in rows),
        "code_version": __version__,
        "scikit_learn": sklearn.__version__,
        "fitted": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d"),
        "intercept": fitted["intercept"],
        "weights": fitted["weights"],
    }


def same_model(a: dict, b: dict, tol: float = 2 * 10**-DECIMALS) -> list[str]:
    """Differences between two stored models (the fit date aside); [] when they agree."""
    diffs = []
    for k in ("features_version", "threshold", "c", "min_files", "hide", "training_sets", "n_lines", "n_chrome"):
        if a.get(k) != b.get(k):
            diffs.append(f"{k}: {a.get(k)!r} != {b.get(k)!r}")
    if abs(a["intercept"] - b["intercept"]) > tol:
        diffs.append(f"intercept: {a['intercept']} != {b['intercept']}")
    wa, wb = a["weights"], b["weights"]
    off = [f for f in sorted(set(wa) | set(wb)) if abs(wa.get(f, 0.0) - wb.get(f, 0.0)) > tol]
    if off:
        diffs.append(f"{len(off)} weights differ (first: {off[0]!r} {wa.get(off[0])} != {wb.get(off[0])})")
    return diffs


def write_model(model: dict, path: Path) -> None:
    path.write_text(
        json.dumps(model, ensure_ascii=False, separators=(",", ":"), sort_keys=False) + "\n", encoding="utf-8"
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--sets", nargs="+", help="training sets (names under tests/fixtures/pages); default: all tuning sets"
    )
    ap.add_argument("--out", type=Path, default=linemodel.model_path(), help="where to write the model")
    ap.add_argument("--check", action="store_true", help="refit as the stored model says; exit 1 if it differs")
    ap.add_argument("--c", type=float, default=C)
    ap.add_argument("--threshold", type=float, default=THRESHOLD)
    ap.add_argument("--hide", type=float, default=HIDE)
    args = ap.parse_args(argv)
    if args.check:
        stored = json.loads(args.out.read_text(encoding="utf-8"))
        again = build_model(
            stored["training_sets"],
            c=stored["c"],
            min_files=stored["min_files"],
            threshold=stored["threshold"],
            hide=stored["hide"],
        )
        diffs = same_model(stored, again)
        print("\n".join(diffs) if diffs else f"{args.out}: reproduced ({len(stored['weights'])} weights)")
        return 1 if diffs else 0
    sets = args.sets or default_sets()
    bad = [s for s in sets if s.startswith("heldout") and not (PAGES_DIR / s / "MEASURED.md").is_file()]
    if bad:
        ap.error(f"blind held-out sets are never trained on: {', '.join(bad)}")
    model = build_model(sets, c=args.c, threshold=args.threshold, hide=args.hide)
    write_model(model, args.out)
    print(
        f"wrote {args.out}: {len(model['weights'])} weights from {model['n_lines']} lines "
        f"({model['n_chrome']} chrome) of {len(sets)} sets"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
