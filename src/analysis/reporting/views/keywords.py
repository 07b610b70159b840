"""Keyword tables: every essay's TF-IDF keywords over the whole corpus, kept in
the user cache for the other profiles of the same corpus, and the compact grid
(one row per essay or group, one column per rank) the reports show."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.methods import themes
from analysis.reporting.corpus import Corpus

# The keyword tables kept in the user cache: the most recently used ones stay,
# older ones (earlier corpora, earlier code) are deleted when a new one is written.
KEYWORD_CACHE_KEEP = 16


def _prune(folder: Path, keep: int) -> None:
    """Delete all but the ``keep`` most recently used files of ``folder``."""
    files = []
    for f in folder.glob("*.parquet"):
        try:
            files.append((f.stat().st_mtime, f))
        except OSError:  # deleted meanwhile
            pass
    for _, f in sorted(files, reverse=True)[keep:]:
        f.unlink(missing_ok=True)


_KEYWORDS_READ: dict = {}  # the last keyword table read from the cache, kept for the next profile


def corpus_tfidf_keywords(corpus: Corpus, *, top_n: int = 15) -> pd.DataFrame:
    """Every essay's TF-IDF keywords (themes.tfidf_keywords on the corpus's
    paragraphs, pseudonymised as the corpus is). The IDF needs the whole corpus
    tokenised, which takes seconds per hundred thousand characters, and every
    essay profile is a kernel of its own: the result is kept in the user cache
    (``report-keywords/``), keyed by the paragraphs' text, ``top_n``, the
    tokeniser's and keyword code's files and the library versions, so the
    other profiles of the same corpus read it. A corpus read without
    pseudonyms is never cached (its keywords may be real names). The cache
    keeps the :data:`KEYWORD_CACHE_KEEP` most recently used tables."""
    import hashlib
    import os
    from importlib.metadata import version

    from analysis import __version__
    from analysis.ingest import segment
    from analysis.config import user_cache_dir
    from analysis.io import atomic_path
    from analysis.resources import fingerprint, resource_path

    p = corpus.paragraphs
    if not corpus.pseudonymise:
        return themes.tfidf_keywords(p, top_n=top_n)

    def cache_key() -> str:  # hashing every paragraph takes 60 ms on a large corpus: once per kernel
        h = hashlib.sha256(f"{__version__}\0{top_n}\0{version('jieba')}\0{version('scikit-learn')}\0".encode())
        h.update(
            fingerprint(
                Path(themes.keywords.__file__),
                Path(segment.__file__),
                resource_path("userdict.txt"),
                resource_path("stopwords.txt"),
            ).encode()
        )
        h.update(pd.util.hash_pandas_object(p[["essay_id", "text"]], index=False).to_numpy().tobytes())
        return h.hexdigest()[:32]

    path = user_cache_dir() / "report-keywords" / f"{corpus.cached(f'keyword cache key {top_n}', cache_key)}.parquet"
    if path in _KEYWORDS_READ:  # read before in this process (a warm kernel's earlier profile)
        return _KEYWORDS_READ[path].copy()
    try:
        cached = pd.read_parquet(path)
        os.utime(path)  # recently used: kept by the pruning
        _KEYWORDS_READ.clear()
        _KEYWORDS_READ[path] = cached
        return cached.copy()
    except Exception:  # not there yet, or damaged: computed below
        pass
    tf = themes.tfidf_keywords(p, top_n=top_n)
    try:
        with atomic_path(path) as tmp:
            tf.to_parquet(tmp, index=False)
        _prune(path.parent, KEYWORD_CACHE_KEEP)
    except OSError:  # an unwritable cache only costs time
        pass
    return tf


def keyword_grid(
    keywords: pd.DataFrame,
    *,
    value: str = "score",
    decimals: int = 3,
    essays: pd.DataFrame | None = None,
    star_below_q: float | None = None,
) -> pd.DataFrame:
    """A long keyword table (group or essay, word, score) as one row per group
    and one column per rank (1, 2, …), each cell ``word (score)``: compact
    enough to read many essays at once, and no cell long enough to be cut.
    With ``essays``, essay ids are shown as their short labels (E01 …) and genre,
    and groups with their number of essays.
    With ``star_below_q`` (keyness tables), a word whose ``q_value`` is below it
    gets a star: ``word* (score)``."""
    key = next(c for c in keywords.columns if c not in {"rank", "word", value})
    if star_below_q is not None and "q_value" not in keywords.columns:
        raise KeyError("star_below_q needs a q_value column (themes.keyness gives one)")
    star = (keywords["q_value"] < star_below_q) if star_below_q is not None else pd.Series(False, keywords.index)
    keywords = keywords.assign(_shown=[f"{w}*" if s else w for w, s in zip(keywords["word"], star)])
    names = {}
    if essays is not None and key == "essay_id":
        names = {r.essay_id: f"{r.essay_label} {getattr(r, 'genre', '')}".strip() for r in essays.itertuples()}
    elif essays is not None and key in essays.columns:  # a group: its size beside its name
        sizes = essays[key].value_counts()
        names = {g: f"{g} ({n} essay{'s' if n != 1 else ''})" for g, n in sizes.items()}
    rows = {}
    for k, g in keywords.groupby(key, sort=False):
        rows[names.get(k, k)] = [f"{w} ({v:.{decimals}f})" for w, v in zip(g["_shown"], g[value])]
    width = max((len(r) for r in rows.values()), default=0)
    grid = pd.DataFrame(
        [r + [""] * (width - len(r)) for r in rows.values()],
        index=list(rows),
        columns=[str(i) for i in range(1, width + 1)],
    )
    return grid.rename_axis("essay" if key == "essay_id" and names else key)
