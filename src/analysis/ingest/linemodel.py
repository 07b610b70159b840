"""A learned line model beside the chrome rules: P(chrome) of one line in its page.

The rules of :mod:`analysis.ingest.pagechrome` are tuned page set by page set
and miss furniture they have never seen. This model reads what a line looks
like and where it stands — the character n-grams of the line (digits folded,
Latin letters lower-cased), its first and last characters, its length and
its shares of CJK characters, digits, punctuation and Latin letters, whether
it ends like a sentence, its place in the page, the same few facts of its
nearest non-blank neighbours together with what the rules made of them
(their chrome kind, essay text, an essay heading, the file's edge), how many
rule-chrome lines stand near it, how far the nearest essay heading is, and
whether it recurs in the file or across the folder — and scores it with a
logistic regression fitted on the team's annotated page sets
(``scripts/train_linemodel.py``, scikit-learn used there only).

The stored model (``resources/linemodel.json``) is plain numbers: a weight per
feature string and an intercept. Scoring is pure Python (no scikit-learn, no
numpy). :func:`add_chrome` is the only way the toolkit uses it: a line the rules
leave as essay text, that the splitter did not take as an essay heading,
becomes chrome (kind ``model``) when its probability reaches the stored
threshold. It never turns a line of chrome back into text.
"""

from __future__ import annotations

import functools
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

MODEL_FILE = "linemodel.json"
KIND = "model"  # the verdict kind of a line the model adds
FEATURES_VERSION = 1  # bump when :func:`page_features` changes (a stored model of another version is not used)

_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_RE = re.compile(r"[A-Za-z]")
_DIGIT_RE = re.compile(r"\d")
_DIGITS_RE = re.compile(r"\d+")
_FINAL_RE = re.compile(r"[。！？!?…」”』\"]$|\.{3,}$")
_SENTENCE_MARK_RE = re.compile(r"[。！？!?]")
_CLAUSE_RE = re.compile(r"[，,；;、]")
_GAP_RE = re.compile(r" \| ")
NGRAM_CHARS = 80  # n-grams from the first 80 characters of a long line (its opening says what it is)


def _bucket(x: float, edges: Iterable[float]) -> int:
    k = 0
    for e in edges:
        if x >= e:
            k += 1
    return k


def shape(norm: str) -> str:
    """The line as the n-grams read it: digit runs as 0, Latin lower-cased, spaces dropped."""
    return _DIGITS_RE.sub("0", norm.lower()).replace(" ", "")


def _share_buckets(norm: str) -> tuple[int, int, int, int]:
    n = max(len(norm), 1)
    cjk = len(_CJK_RE.findall(norm)) / n
    dig = len(_DIGIT_RE.findall(norm)) / n
    lat = len(_LATIN_RE.findall(norm)) / n
    pun = sum(1 for c in norm if unicodedata.category(c)[0] in "PS") / n
    edges = (0.05, 0.2, 0.5, 0.8)
    return _bucket(cjk, edges), _bucket(dig, edges), _bucket(lat, edges), _bucket(pun, edges)


def _len_bucket(norm: str) -> int:
    return _bucket(len(norm), (2, 4, 7, 11, 16, 24, 36, 60, 100, 200))


def _own(norm: str) -> list[tuple[str, float]]:
    """Features of a line by itself."""
    s = shape(norm)
    feats: list[tuple[str, float]] = []
    head = s[:NGRAM_CHARS]
    grams = set()
    for n in (1, 2, 3):
        for i in range(len(head) - n + 1):
            grams.add(head[i : i + n])
    if grams:
        w = 1.0 / math.sqrt(len(grams))
        feats += [("g:" + g, w) for g in sorted(grams)]
    for n in (1, 2, 3, 4):
        if len(s) >= n:
            feats.append((f"p{n}:" + s[:n], 1.0))
    for n in (1, 2, 3):
        if len(s) >= n:
            feats.append((f"s{n}:" + s[-n:], 1.0))
    cjk, dig, lat, pun = _share_buckets(norm)
    feats += [
        (f"len:{_len_bucket(norm)}", 1.0),
        (f"cjk:{cjk}", 1.0),
        (f"dig:{dig}", 1.0),
        (f"lat:{lat}", 1.0),
        (f"pun:{pun}", 1.0),
        (f"end:{int(bool(_FINAL_RE.search(norm)))}", 1.0),
        (f"marks:{_bucket(len(_SENTENCE_MARK_RE.findall(norm)), (1, 2, 4))}", 1.0),
        (f"clause:{_bucket(len(_CLAUSE_RE.findall(norm)), (1, 2, 4))}", 1.0),
        (f"gaps:{_bucket(len(_GAP_RE.findall(norm)), (1, 2, 4))}", 1.0),
    ]
    return feats


def _brief(norm: str) -> list[str]:
    """The few facts of a neighbour that its feature names carry."""
    cjk, dig, lat, pun = _share_buckets(norm)
    s = shape(norm)
    return [
        f"len:{_len_bucket(norm)}",
        f"end:{int(bool(_FINAL_RE.search(norm)))}",
        f"cjk:{cjk}",
        f"dig:{dig}",
        "p2:" + s[:2],
    ]


def page_features(
    lines: list[str],
    norms: list[str],
    verdict_kinds: dict[int, str],
    keep: set[int],
    *,
    folder: Counter | None = None,
    n_files: int = 1,
) -> dict[int, list[tuple[str, float]]]:
    """Feature list of every non-blank line of a page ({1-based line number: [(name, value)]}).

    ``norms``: the lines as the rules normalise them; ``verdict_kinds``: {line: chrome kind} of the
    rules' verdicts; ``keep``: the essay headings the splitter found; ``folder``/``n_files``: the
    folder's recurrence counts (:func:`analysis.ingest.pagechrome.folder_counts`)."""
    from analysis.ingest.pagechrome import recurrence_key

    filled = [i for i, s in enumerate(norms) if s]
    if not filled:
        return {}
    in_file = Counter(recurrence_key(norms[i]) for i in filled)
    heads = sorted(no - 1 for no in keep)
    rule_chrome = [i for i in filled if (i + 1) in verdict_kinds]

    def kind_of(i: int) -> str:
        no = i + 1
        if no in keep:
            return "head"
        k = verdict_kinds.get(no)
        return ("c:" + k) if k is not None else "text"

    briefs = {i: _brief(norms[i]) for i in filled}
    out = {}
    m = len(filled)
    import bisect

    for rank, i in enumerate(filled):
        norm = norms[i]
        feats = _own(norm)
        feats.append((f"pos:{min(9, int(10 * rank / m))}", 1.0))
        if rank < 3:
            feats.append((f"first:{rank}", 1.0))
        if m - rank <= 3:
            feats.append((f"last:{m - rank}", 1.0))
        feats.append((f"blank_above:{int(i == 0 or not norms[i - 1])}", 1.0))
        feats.append((f"blank_below:{int(i == len(norms) - 1 or not norms[i + 1])}", 1.0))
        for d in (-2, -1, 1, 2):
            r = rank + d
            if 0 <= r < m:
                j = filled[r]
                k = kind_of(j)
                feats.append((f"n{d}k:{k}", 1.0))
                for b in briefs[j]:
                    feats.append((f"n{d}{b}", 1.0))
                if abs(d) == 1:
                    feats.append((f"n{d}k:{k}|self_end:{int(bool(_FINAL_RE.search(norm)))}", 1.0))
            else:
                feats.append((f"n{d}k:edge", 1.0))
        lo, hi = bisect.bisect_left(rule_chrome, i - 4), bisect.bisect_right(rule_chrome, i + 4)
        near = sum(1 for j in rule_chrome[lo:hi] if j != i)
        feats.append((f"near_chrome:{min(near, 6)}", 1.0))
        k = bisect.bisect_left(heads, i)
        above = i - heads[k - 1] if k > 0 else None
        below = heads[k] - i if k < len(heads) and heads[k] != i else (heads[k + 1] - i if k + 1 < len(heads) else None)
        feats.append((f"head_above:{'none' if above is None else _bucket(above, (2, 4, 8, 16))}", 1.0))
        feats.append((f"head_below:{'none' if below is None else _bucket(below, (2, 4, 8, 16))}", 1.0))
        feats.append(("heads:" + str(min(len(heads), 3)), 1.0))
        key = recurrence_key(norm)
        feats.append((f"rep_file:{_bucket(in_file[key], (2, 3, 5))}", 1.0))
        in_folder = folder.get(key, 0) if (folder is not None and n_files > 1) else 0
        feats.append((f"rep_folder:{_bucket(in_folder, (2, 3, 5))}", 1.0))
        out[i + 1] = feats
    return out


# ----------------------------------------------------------------- the model ---
class LineModel:
    """Weights of the fitted model; :meth:`prob` scores a feature list."""

    def __init__(self, data: dict) -> None:
        self.data = data
        self.weights: dict[str, float] = data["weights"]
        self.intercept: float = float(data["intercept"])
        self.threshold: float = float(data["threshold"])

    def prob(self, feats: list[tuple[str, float]]) -> float:
        w = self.weights
        z = self.intercept + sum(w.get(name, 0.0) * v for name, v in feats)
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def model_path() -> Path:
    from analysis.config import RESOURCES_DIR

    return RESOURCES_DIR / MODEL_FILE  # (may be absent: the rules then work alone)


@functools.lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> LineModel | None:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("features_version") != FEATURES_VERSION:
        return None
    return LineModel(data)


def load_model(path: str | Path | None = None) -> LineModel | None:
    """The stored model, or None when there is none (the rules then work alone)."""
    p = Path(path) if path is not None else model_path()
    try:
        mtime = p.stat().st_mtime
    except OSError:
        return None
    return _load(str(p), mtime)


def score_page(
    lines: list[str],
    verdict_kinds: dict[int, str],
    keep: Iterable[int] = (),
    *,
    folder: Counter | None = None,
    n_files: int = 1,
    model: LineModel | None = None,
) -> dict[int, float]:
    """P(chrome) of every non-blank line ({line number: p})."""
    from analysis.ingest.pagechrome import normalise

    model = model or load_model()
    if model is None:
        return {}
    norms = [normalise(x) for x in lines]
    feats = page_features(lines, norms, verdict_kinds, set(keep), folder=folder, n_files=n_files)
    return {no: model.prob(f) for no, f in feats.items()}


def add_chrome(
    lines: list[str],
    verdict_kinds: dict[int, str],
    keep: Iterable[int] = (),
    *,
    folder: Counter | None = None,
    n_files: int = 1,
    model: LineModel | None = None,
    threshold: float | None = None,
) -> dict[int, float]:
    """{line number: p} of the lines the model adds as chrome: non-blank, not a rule's chrome, not a
    kept essay heading, and p ≥ the threshold (the stored one unless given)."""
    model = model or load_model()
    if model is None:
        return {}
    keep = set(keep)
    thr = model.threshold if threshold is None else threshold
    probs = score_page(lines, verdict_kinds, keep, folder=folder, n_files=n_files, model=model)
    return {no: p for no, p in probs.items() if no not in verdict_kinds and no not in keep and p >= thr}
