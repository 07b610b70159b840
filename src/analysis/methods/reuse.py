"""Template reuse: passages that several essays share.

Method. Each unit (a sentence, or a paragraph) is reduced to its letters,
digits and CJK characters and cut into character k-grams ("shingles",
k = 5 by default). Units are compared through a sparse unit × shingle
matrix: its product with its own transpose gives, for every pair of units
that share a shingle, how many they share — the pairs that share none are
never looked at, so the cost grows with the number of candidate pairs, not
with n². Shingles found in more than ``max_df`` units (stock phrases) are
left out of the index. A pair of units from different essays matches when
the shared shingles cover at least ``threshold`` of the shorter unit
(containment; a copied sentence with a new opening still matches) and number
at least ``min_shared``. Matching units that follow each other in both
essays (gaps of up to ``gap`` units allowed; one side may stay on the same
unit where the other essay split a sentence in two) are merged into
passages.

Frame level: :func:`find_reuse`, :func:`mark_duplicates` (``reused_from``:
keep the first occurrence in corpus order), :func:`original_share`,
:func:`reuse_matrix`, :func:`top_passages` (its figure: :mod:`analysis.reporting.figures`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from analysis.frames import isin, require

REUSE_COLUMNS = [
    "essay_a",
    "essay_b",
    "start_a",
    "end_a",
    "start_b",
    "end_b",
    "units_a",
    "units_b",
    "n_units",
    "chars_a",
    "chars_b",
    "similarity",
    "containment",
    "passage_a",
    "passage_b",
]
_KEEP_RE = re.compile(r"[^0-9A-Za-z\u3400-\u9fff]+")


def normalise(text: str) -> str:
    """Letters, digits and CJK only: punctuation, quotes and spaces removed."""
    return _KEEP_RE.sub("", text) if isinstance(text, str) else ""


def shingles(text: str, *, k: int = 5) -> set[str]:
    """Character k-grams of the normalised text (the whole text if shorter)."""
    s = normalise(text)
    if len(s) <= k:
        return {s} if s else set()
    return {s[i : i + k] for i in range(len(s) - k + 1)}


def jaccard(a: str, b: str, *, k: int = 5) -> float:
    """Jaccard similarity of two texts' shingle sets."""
    sa, sb = shingles(a, k=k), shingles(b, k=k)
    return len(sa & sb) / len(sa | sb) if sa or sb else 0.0


def _unit_id_column(units: pd.DataFrame) -> str:
    for col in ("sentence_id", "paragraph_id"):
        if col in units.columns:
            return col
    raise KeyError("units table needs a sentence_id or paragraph_id column")


def _gram_starts(lengths: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(offset of every k-gram in the joined texts, number of k-grams per text)."""
    n_grams = lengths - k + 1
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    # start of every k-gram: offset of its text + 0 .. n_grams - 1
    starts = np.repeat(offsets, n_grams) + (np.arange(n_grams.sum()) - np.repeat(np.cumsum(n_grams) - n_grams, n_grams))
    return starts, n_grams


def _distinct_cells(n_grams: np.ndarray, cols: np.ndarray, n_cols: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every distinct (text, shingle) pair, rows in order,
    from the column of each k-gram in text order."""
    rows = np.repeat(np.arange(len(n_grams), dtype=np.int64), n_grams)
    cells = pd.unique(rows * n_cols + cols)  # first occurrences, so rows stay in order
    return np.divmod(cells, n_cols)


def shingle_matrix(texts: list[str], *, k: int = 5) -> sparse.csr_matrix:
    """Unit × shingle incidence matrix (1 where the k-gram occurs in the text),
    for normalised texts of at least ``k`` characters: row i holds exactly
    ``shingles(texts[i], k=k)``, columns in no particular order. Vectorised:
    each k-gram is its k character ids as digits of one integer (renumbered
    by factorising whenever the next digit would overflow 62 bits), so no
    string is made per k-gram."""
    n = len(texts)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=n)
    if n == 0 or (lengths < k).any():
        raise ValueError(f"shingle_matrix needs texts of at least {k} characters")
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    char_id = pd.factorize(codes)[0].astype(np.int64)  # hashing: ids in order of first sight
    starts, n_grams = _gram_starts(lengths, k)
    n_chars = int(char_id.max()) + 1
    gram, bound = char_id[starts], n_chars  # gram < bound
    for j in range(1, k):
        if bound * n_chars >= 2**62:  # the next character would overflow: renumber first
            gram = pd.factorize(gram)[0].astype(np.int64)
            bound = int(gram.max()) + 1
        gram = gram * n_chars + char_id[starts + j]  # exact: base-n_chars digits
        bound *= n_chars
    gram = pd.factorize(gram)[0].astype(np.int64)
    n_cols = int(gram.max()) + 1
    r, c = _distinct_cells(n_grams, gram, n_cols)
    return sparse.csr_matrix((np.ones(len(r), dtype=np.int32), (r, c)), shape=(n, n_cols))


def _candidate_pairs(x: sparse.csr_matrix, *, max_df: int, min_shared: int, block: int = 4000):
    """(i, j, shared) for rows i < j of a unit × shingle matrix sharing
    ≥ min_shared indexed shingles."""
    n = x.shape[0]
    if x.nnz == 0:
        return np.empty(0, int), np.empty(0, int), np.empty(0, int)
    df = np.asarray(x.sum(axis=0)).ravel()
    useful = np.flatnonzero((df >= 2) & (df <= max_df))
    x = x[:, useful].tocsr()
    xt = x.T.tocsr()
    out_i, out_j, out_c = [], [], []
    for lo in range(0, n, block):  # row blocks bound the memory of the product
        # local row r is global row lo + r: keep columns j > lo + r
        prod = sparse.triu(x[lo : lo + block] @ xt, k=lo + 1).tocoo()
        keep = prod.data >= min_shared
        out_i.append(prod.row[keep] + lo)
        out_j.append(prod.col[keep])
        out_c.append(prod.data[keep])
    return np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_c)


def _unit_frame(units: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    id_col = _unit_id_column(units)
    require(units, {"essay_id", "text"}, "units")
    cols = ["essay_id", id_col, "text"] + (["ordinal"] if "ordinal" in units else [])
    return units[cols].reset_index(drop=True), id_col


def _positions(frame: pd.DataFrame) -> list[int]:
    if "ordinal" in frame:
        return frame["ordinal"].tolist()
    return (frame.groupby("essay_id", sort=False).cumcount() + 1).tolist()


def _matching_units(ii, jj, shared, sizes, usable_arr, rank, threshold):
    """Candidate unit pairs (rows ii, jj of the matrix of usable units, sharing
    ``shared`` indexed shingles) → (ua, ub, shared) in frame rows, the pairs of
    different essays whose containment reaches ``threshold``, ua in the earlier essay."""
    if not len(ii):
        return (np.empty(0, dtype=np.int64),) * 3
    ua, ub = usable_arr[ii], usable_arr[jj]
    keep = (rank[ua] != rank[ub]) & (shared / np.minimum(sizes[ii], sizes[jj]) >= threshold)
    ua, ub, shared = ua[keep], ub[keep], shared[keep]
    swap = rank[ua] > rank[ub]  # essay_a is the earlier essay
    return np.where(swap, ub, ua), np.where(swap, ua, ub), shared


# A unit is paired with at most this many units of any one earlier essay: those
# sharing the most shingles with it, then the nearest in position. Real text
# pairs a unit with one to five units of an essay (a dateline or a template
# line repeated: People's Daily, 1998); text that repeats itself (one sentence
# or one character again and again) would pair every unit with every unit of
# the other essay — pairs and passages quadratic in the essays' length.
MAX_MATCHES_PER_UNIT = 8


def _cap_matches(ua, ub, shared, pos, rank, cap: int = MAX_MATCHES_PER_UNIT):
    """The pairs (ua, ub, shared) of :func:`_matching_units`, keeping for each
    unit ``ub`` and each earlier essay the ``cap`` units ``ua`` that share the
    most shingles with it (ties: the nearest position, then the first)."""
    if len(ua) <= cap:
        return ua, ub, shared
    pos = np.asarray(pos, dtype=np.int64)
    group = ub.astype(np.int64) * (int(rank.max()) + 1) + rank[ua]
    order = np.lexsort((ua, np.abs(pos[ua] - pos[ub]), -shared, group))
    g = group[order]
    first = np.r_[True, g[1:] != g[:-1]]
    idx = np.arange(len(g))
    within = idx - np.maximum.accumulate(np.where(first, idx, 0))
    keep = np.sort(order[within < cap])
    return ua[keep], ub[keep], shared[keep]


def _passages(
    frame: pd.DataFrame, id_col: str, pos: list[int], ua, ub, shared, n_shingles, essay_rank: dict, *, k: int, gap: int
) -> list[dict]:
    """Matched unit pairs chained into passages, one row dict each, in order of
    (essay_a, essay_b) rank."""
    essays, texts, ids = frame["essay_id"].tolist(), frame["text"].tolist(), frame[id_col].tolist()
    overlap = {(a, b): c for a, b, c in zip(ua.tolist(), ub.tolist(), shared.tolist())}
    pairs: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for a, b in overlap:
        pairs[(essays[a], essays[b])].append((a, b))
    rows = []
    for (ea, eb), plist in sorted(pairs.items(), key=lambda kv: (essay_rank[kv[0][0]], essay_rank[kv[0][1]])):
        chains: list[list[tuple[int, int]]] = []
        # (positions of a chain's last pair) → chains ending there: a pair joins the first chain (in
        # order of creation) whose last pair lies 0 … gap + 1 units before it on both sides (one side
        # may stay put: a sentence split in two in the other essay), found by looking up those few
        # positions rather than by trying every chain (which was quadratic in the pairs)
        ends: dict[tuple[int, int], list[int]] = defaultdict(list)
        for ua_, ub_ in sorted(plist, key=lambda p: (pos[p[0]], pos[p[1]])):
            pa_, pb_ = pos[ua_], pos[ub_]
            best = min(
                (
                    c
                    for da in range(gap + 2)
                    for db in range(gap + 2)
                    if da + db > 0
                    for c in ends.get((pa_ - da, pb_ - db), ())
                ),
                default=None,
            )
            if best is None:
                best = len(chains)
                chains.append([])
            else:
                la, lb = chains[best][-1]
                ends[(pos[la], pos[lb])].remove(best)
            chains[best].append((ua_, ub_))
            ends[(pa_, pb_)].append(best)
        for chain in chains:
            a_units = list(dict.fromkeys(p[0] for p in chain))
            b_units = list(dict.fromkeys(p[1] for p in chain))
            pa = "".join(texts[u] for u in a_units)
            pb = "".join(texts[u] for u in b_units)
            if len(chain) == 1:  # most passages: the pair's counts are known
                inter, size_a, size_b = overlap[chain[0]], n_shingles[a_units[0]], n_shingles[b_units[0]]
            else:
                sa, sb = shingles(pa, k=k), shingles(pb, k=k)
                inter, size_a, size_b = len(sa & sb), len(sa), len(sb)
            rows.append(
                {
                    "essay_a": ea,
                    "essay_b": eb,
                    "start_a": ids[a_units[0]],
                    "end_a": ids[a_units[-1]],
                    "start_b": ids[b_units[0]],
                    "end_b": ids[b_units[-1]],
                    "units_a": [ids[p[0]] for p in chain],
                    "units_b": [ids[p[1]] for p in chain],
                    "n_units": len(chain),
                    "chars_a": len(pa),
                    "chars_b": len(pb),
                    "similarity": round(inter / (size_a + size_b - inter), 4),
                    "containment": round(inter / min(size_a, size_b), 4),
                    "passage_a": pa,
                    "passage_b": pb,
                }
            )
    return rows


def _reuse_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=REUSE_COLUMNS).astype(
        {"n_units": "int64", "chars_a": "int64", "chars_b": "int64", "similarity": "float64", "containment": "float64"}
    )


def find_reuse(
    units: pd.DataFrame,
    *,
    k: int = 5,
    threshold: float = 0.5,
    min_shared: int = 6,
    min_chars: int = 10,
    max_df: int = 500,
    gap: int = 1,
) -> pd.DataFrame:
    """Passages shared between essays.

    In: a sentences (or paragraphs) table with essay_id, sentence_id (or
    paragraph_id), text, rows in corpus order (``ordinal`` orders units
    within an essay if present). Units shorter than ``min_chars`` normalised
    characters are ignored. Out, one row per passage: essay_a (the earlier
    essay in corpus order), essay_b, start_a/end_a and start_b/end_b (first
    and last unit ids), units_a/units_b (aligned lists of matched unit ids),
    n_units, chars_a, chars_b, similarity (Jaccard of the two passages'
    shingles), containment (shared shingles / those of the shorter
    passage), passage_a, passage_b (the matched units' text).
    """
    frame, id_col = _unit_frame(units)
    essay_rank = {e: r for r, e in enumerate(dict.fromkeys(frame["essay_id"]))}
    norm = [normalise(t) for t in frame["text"].tolist()]
    usable = [i for i, s in enumerate(norm) if len(s) >= max(min_chars, k)]
    if usable:
        x = shingle_matrix([norm[i] for i in usable], k=k)
        ii, jj, shared = _candidate_pairs(x, max_df=max_df, min_shared=min_shared)
        sizes = np.diff(x.indptr)  # distinct shingles per unit
    else:
        ii = jj = shared = sizes = np.empty(0, dtype=np.int64)
    usable_arr = np.asarray(usable, dtype=np.int64)
    rank = np.array([essay_rank[e] for e in frame["essay_id"].tolist()], dtype=np.int64)
    n_shingles = np.zeros(len(frame), dtype=np.int64)
    n_shingles[usable_arr] = sizes
    ua, ub, shared = _matching_units(ii, jj, shared, sizes, usable_arr, rank, threshold)
    pos = _positions(frame)
    ua, ub, shared = _cap_matches(ua, ub, shared, pos, rank)
    return _reuse_frame(_passages(frame, id_col, pos, ua, ub, shared, n_shingles, essay_rank, k=k, gap=gap))


# ---------------------------------------------------------------- incremental

_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_CJK_FIRST, _CJK_END = 0x3400, 0xA000  # the CJK range normalise keeps
_CODE_BITS = 15  # every character normalise keeps has a code below 2**15


def _char_codes() -> np.ndarray:
    """Code points (below U+A000) → a 15-bit code for each character that
    :func:`normalise` keeps (1 … 27,710), 0 elsewhere."""
    lut = np.zeros(_CJK_END, dtype=np.int64)
    for i, ch in enumerate(_ALNUM, start=1):
        lut[ord(ch)] = i
    lut[_CJK_FIRST:_CJK_END] = len(_ALNUM) + 1 + np.arange(_CJK_END - _CJK_FIRST)
    assert int(lut.max()) < 2**_CODE_BITS
    return lut


_CODES = _char_codes()


def _gram_parts(texts: list[str], k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For normalised texts of at least k (≤ 5) characters: each k-gram's first
    min(k, 4) characters packed into one integer (60 bits at most), its fifth
    character's code (0 when k < 5), and the number of k-grams per text. The
    pair identifies the k-gram exactly."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    code = _CODES[np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)]
    starts, n_grams = _gram_starts(lengths, k)
    head = np.zeros(len(starts), dtype=np.int64)
    for j in range(min(k, 4)):
        head = (head << _CODE_BITS) | code[starts + j]
    tail = code[starts + 4] if k == 5 else np.zeros(len(starts), dtype=np.int64)
    return head, tail, n_grams


class _Numbering:
    """Integers → consecutive numbers, stable as integers are added: those
    numbered at once (``base``, vectorised lookups) and those added one by one."""

    def __init__(self, base: np.ndarray | None = None) -> None:
        self._index = pd.Index(np.asarray(base if base is not None else [], dtype=np.int64))
        self._index.get_indexer(self._index[:1])  # its hash table is built now, with the full run, not at the next call
        self._added: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._index) + len(self._added)

    def numbers(self, keys: np.ndarray) -> np.ndarray:
        out = self._index.get_indexer(keys).astype(np.int64)
        for i in np.flatnonzero(out < 0).tolist():
            out[i] = self._added.setdefault(int(keys[i]), len(self))
        return out


@dataclass
class _EssayShingles:
    units: tuple  # (ids, texts, positions) of the essay's units: unchanged means equal
    usable: np.ndarray  # rows (within the essay) of units long enough to compare
    cols: np.ndarray  # distinct shingle columns of each usable unit, one after the other
    lens: np.ndarray  # number of distinct shingles of each usable unit


class ReuseIndex:
    """:func:`find_reuse` for a corpus that changes a little between calls (the
    build in ``--watch`` mode, or a notebook): it keeps every essay's shingles
    under stable column numbers, the shingles' document frequencies and the
    last result. A call compares only the units of new or edited essays with
    the corpus, keeps the passages between unchanged essays, and returns
    exactly what :func:`find_reuse` returns (tested on edits, additions,
    removals and reordering). It computes everything afresh when the
    parameters change, when more than a quarter of the units are new, when
    essays changed order, or when a shingle crosses ``max_df`` (a shingle
    dropped from or added to the index changes pairs of unchanged essays).
    """

    FRESH_LIMIT = 0.25

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._params: tuple | None = None
        self._essays: dict[str, _EssayShingles] = {}
        # packed first characters → prefix number; (prefix number, fifth character) → column.
        # Each is the numbering of the last full run (an index) plus the ones added since (a dict).
        self._heads = _Numbering()
        self._cols = _Numbering()
        self._df = np.zeros(0, dtype=np.int64)
        self._rank: dict[str, int] = {}
        self._result: pd.DataFrame | None = None
        self.last_mode = ""  # "full" or "incremental": how the last call ran (for tests and timings)

    def find(
        self,
        units: pd.DataFrame,
        *,
        k: int = 5,
        threshold: float = 0.5,
        min_shared: int = 6,
        min_chars: int = 10,
        max_df: int = 500,
        gap: int = 1,
    ) -> pd.DataFrame:
        """As :func:`find_reuse` (same parameters, same result)."""
        params = (k, threshold, min_shared, min_chars, max_df, gap)
        frame, id_col = _unit_frame(units)
        essays = frame["essay_id"].tolist()
        order = list(dict.fromkeys(essays))
        codes = pd.factorize(frame["essay_id"])[0]
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else np.empty(0, dtype=np.int64)
        if k > 5 or len(starts) != len(order):  # long shingles, or an essay's rows not together: no index
            self._reset()
            self.last_mode = "full"
            return find_reuse(
                units, k=k, threshold=threshold, min_shared=min_shared, min_chars=min_chars, max_df=max_df, gap=gap
            )
        bounds = dict(zip(order, zip(starts.tolist(), np.r_[starts[1:], len(essays)].astype(int).tolist())))
        ids, texts, pos = frame[id_col].tolist(), frame["text"].tolist(), _positions(frame)
        signature = {e: (tuple(ids[a:b]), tuple(texts[a:b]), tuple(pos[a:b])) for e, (a, b) in bounds.items()}
        kept = [e for e in order if e in self._essays and self._essays[e].units == signature[e]]
        kept_set = set(kept)
        fresh = [e for e in order if e not in kept_set]
        n_fresh = sum(bounds[e][1] - bounds[e][0] for e in fresh)
        kept_ranks = [self._rank[e] for e in kept]
        incremental = (
            params == self._params
            and self._result is not None
            and kept_ranks == sorted(kept_ranks)
            and n_fresh <= self.FRESH_LIMIT * max(1, len(frame))
        )
        gone = [e for e in self._essays if e not in kept_set]  # removed or edited since the last call
        if incremental:
            new_shingles = {e: self._shingles(signature[e], k, min_chars) for e in fresh}
            df = self._df.copy()
            df.resize(len(self._cols), refcheck=False)
            for e in gone:
                df -= np.bincount(self._essays[e].cols, minlength=len(df))
            for e in fresh:
                df += np.bincount(new_shingles[e].cols, minlength=len(df))
            old_df = np.zeros(len(df), dtype=np.int64)
            old_df[: len(self._df)] = self._df
            incremental = not ((old_df <= max_df) != (df <= max_df)).any()
        if not incremental:
            return self._full(frame, id_col, order, bounds, signature, params)
        self.last_mode = "incremental"
        for e in gone:
            del self._essays[e]
        self._essays.update(new_shingles)
        self._df = df
        return self._update(frame, id_col, order, bounds, set(fresh), params)

    # -- internals

    def _shingles(self, sig: tuple, k: int, min_chars: int) -> _EssayShingles:
        """One essay's shingles, numbered with the index's columns (new shingles get new columns)."""
        norm = [normalise(t) for t in sig[1]]
        usable = np.array([i for i, t in enumerate(norm) if len(t) >= max(min_chars, k)], dtype=np.int64)
        if not len(usable):
            return _EssayShingles(sig, usable, np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
        head, tail, n_grams = _gram_parts([norm[i] for i in usable], k)
        pid = self._heads.numbers(head)
        col = self._cols.numbers((pid << _CODE_BITS) | tail)
        r, c = _distinct_cells(n_grams, col, len(self._cols))
        return _EssayShingles(sig, usable, c, np.bincount(r, minlength=len(usable)))

    def _full(self, frame, id_col, order, bounds, signature, params) -> pd.DataFrame:
        k, threshold, min_shared, min_chars, max_df, gap = params
        self._reset()
        self.last_mode = "full"
        self._params = params
        norm = [normalise(t) for t in frame["text"].tolist()]
        usable = [i for i, t in enumerate(norm) if len(t) >= max(min_chars, k)]
        essay_of_row = np.repeat(np.arange(len(order)), [bounds[e][1] - bounds[e][0] for e in order])
        if usable:
            head, tail, n_grams = _gram_parts([norm[i] for i in usable], k)
            pid, head_uniques = pd.factorize(head)
            col, col_uniques = pd.factorize((pid.astype(np.int64) << _CODE_BITS) | tail)
            self._heads, self._cols = _Numbering(head_uniques), _Numbering(col_uniques)
            r, c = _distinct_cells(n_grams, col.astype(np.int64), len(col_uniques))
            lens = np.bincount(r, minlength=len(usable))
        else:
            r = c = lens = np.empty(0, dtype=np.int64)
        usable_arr = np.asarray(usable, dtype=np.int64)
        unit_essay = essay_of_row[usable_arr]  # essay number of each usable unit
        cell_ends = np.cumsum(lens)
        for n, e in enumerate(order):
            lo, hi = np.searchsorted(unit_essay, [n, n + 1])
            a = int(cell_ends[lo - 1]) if lo else 0
            b = int(cell_ends[hi - 1]) if hi else 0
            self._essays[e] = _EssayShingles(signature[e], usable_arr[lo:hi] - bounds[e][0], c[a:b], lens[lo:hi])
        self._df = np.bincount(c, minlength=len(self._cols)).astype(np.int64)
        if usable:
            x = sparse.csr_matrix(
                (np.ones(len(c), dtype=np.int32), c, np.r_[0, cell_ends]), shape=(len(usable), len(self._cols))
            )
            ii, jj, shared = _candidate_pairs(x, max_df=max_df, min_shared=min_shared)
        else:
            ii = jj = shared = np.empty(0, dtype=np.int64)
        return self._finish(frame, id_col, order, usable_arr, lens, ii, jj, shared, None)

    def _update(self, frame, id_col, order, bounds, fresh: set, params) -> pd.DataFrame:
        k, threshold, min_shared, min_chars, max_df, gap = params
        parts = [self._essays[e] for e in order]
        usable_arr = np.concatenate([p.usable + bounds[e][0] for e, p in zip(order, parts)]).astype(np.int64)
        lens = np.concatenate([p.lens for p in parts]).astype(np.int64)
        cols = np.concatenate([p.cols for p in parts]).astype(np.int64)
        n = len(usable_arr)
        ii = jj = shared = np.empty(0, dtype=np.int64)
        if n:
            x = sparse.csr_matrix(
                (np.ones(len(cols), dtype=np.int32), cols, np.r_[0, np.cumsum(lens)]), shape=(n, len(self._cols))
            )
            n_units = np.array([len(p.usable) for p in parts])
            is_fresh = np.repeat(np.array([e in fresh for e in order], dtype=bool), n_units)
            rows = np.flatnonzero(is_fresh)
            if len(rows):
                useful = (self._df >= 2) & (self._df <= max_df)
                xf = x[rows].tocsr()
                xf.data = xf.data * useful[xf.indices]
                xf.eliminate_zeros()
                prod = (xf @ x.T).tocoo()  # fresh units × every unit: shared indexed shingles
                f, j, cnt = rows[prod.row], prod.col, prod.data
                keep = (cnt >= min_shared) & (f != j) & (~is_fresh[j] | (f < j))
                f, j, cnt = f[keep], j[keep], cnt[keep]
                ii, jj, shared = np.minimum(f, j), np.maximum(f, j), cnt.astype(np.int64)
        kept_rows = None
        if self._result is not None and len(self._result):
            old = self._result
            mask = ~(isin(old["essay_a"], fresh) | isin(old["essay_b"], fresh))
            mask &= isin(old["essay_a"], self._essays) & isin(old["essay_b"], self._essays)
            kept_rows = old[mask]
        return self._finish(frame, id_col, order, usable_arr, lens, ii, jj, shared, kept_rows)

    def _finish(self, frame, id_col, order, usable_arr, sizes, ii, jj, shared, kept_rows) -> pd.DataFrame:
        k, threshold, min_shared, min_chars, max_df, gap = self._params
        essay_rank = {e: r for r, e in enumerate(order)}
        rank = (
            np.repeat(
                np.arange(len(order), dtype=np.int64),
                frame.groupby("essay_id", sort=False).size().reindex(order).to_numpy(),
            )
            if len(frame)
            else np.empty(0, dtype=np.int64)
        )
        n_shingles = np.zeros(len(frame), dtype=np.int64)
        n_shingles[usable_arr] = sizes
        ua, ub, shared = _matching_units(ii, jj, shared, sizes, usable_arr, rank, threshold)
        pos = _positions(frame)
        ua, ub, shared = _cap_matches(ua, ub, shared, pos, rank)
        new = _reuse_frame(_passages(frame, id_col, pos, ua, ub, shared, n_shingles, essay_rank, k=k, gap=gap))
        if kept_rows is not None and len(kept_rows):
            both = pd.concat([kept_rows, new], ignore_index=True) if len(new) else kept_rows.reset_index(drop=True)
            key = both["essay_a"].map(essay_rank).to_numpy() * len(order) + both["essay_b"].map(essay_rank).to_numpy()
            new = both.take(np.argsort(key, kind="stable")).reset_index(drop=True)
        self._rank = essay_rank
        self._result = new
        return new.copy()


def _unit_pairs(reuse: pd.DataFrame):
    require(reuse, {"units_a", "units_b"}, "reuse")
    for ua, ub in zip(reuse["units_a"], reuse["units_b"]):
        yield from zip(list(ua), list(ub))


def mark_duplicates(units: pd.DataFrame, reuse: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``units`` with ``reused_from``: for a unit that repeats a unit
    of an earlier essay (row order of ``units`` is corpus order), the id of
    the first occurrence; '' for originals and first occurrences.
    Aggregations that skip rows with ``reused_from != ''`` count each reused
    passage once. Copies of copies point to the original: if B copies A and C
    copies B, C points to A."""
    id_col = _unit_id_column(units)
    ids = units[id_col].tolist()
    order = {u: r for r, u in enumerate(ids)}
    later_to_earlier: dict[str, set[str]] = defaultdict(set)
    for a, b in _unit_pairs(reuse):
        if a in order and b in order and a != b:
            first, later = (a, b) if order[a] < order[b] else (b, a)
            later_to_earlier[later].add(first)
    source: dict[str, str] = {}
    # in corpus order, so an earlier unit's own source is known when it is used
    for later in sorted(later_to_earlier, key=order.__getitem__):
        candidates = {source.get(a, a) for a in later_to_earlier[later]}
        source[later] = min(candidates, key=order.__getitem__)
    return units.assign(reused_from=[source.get(u, "") for u in ids])


def _reused_units_by_essay(reuse: pd.DataFrame) -> dict[str, dict[str, set[str]]]:
    """essay → other essay → ids of this essay's units matched with it."""
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for ea, eb, ua, ub in zip(reuse["essay_a"], reuse["essay_b"], reuse["units_a"], reuse["units_b"]):
        out[ea][eb].update(ua)
        out[eb][ea].update(ub)
    return out


def original_share(
    essays: pd.DataFrame, units: pd.DataFrame, reuse: pd.DataFrame, *, reused_from: pd.Series | None = None
) -> pd.DataFrame:
    """Per essay: essay_id, n_chars (of its units), share_original (characters
    in units shared with no other essay), share_duplicate (characters in
    units that repeat an earlier essay: ``reused_from != ''``). Essays
    without units get n_chars 0 and NaN shares. ``reused_from``: the column
    :func:`mark_duplicates` gives for these units and ``reuse``, if the caller
    has it already (else it is computed)."""
    require(essays, {"essay_id"}, "essays")
    id_col = _unit_id_column(units)
    require(units, {"essay_id", "text"}, "units")
    require(reuse, {"essay_a", "essay_b", "units_a", "units_b"}, "reuse")
    matched = {u for pair in _unit_pairs(reuse) for u in pair}
    if reused_from is None:
        reused_from = mark_duplicates(units, reuse)["reused_from"]
    length = (
        units["text"].astype(object).map(lambda t: len(t) if isinstance(t, str) else 0).to_numpy()
        if units["text"].dtype == object
        else units["text"].str.len().fillna(0).astype("int64").to_numpy()
    )
    frame = pd.DataFrame(
        {
            "essay_id": units["essay_id"].to_numpy(),
            "n_chars": length,
            "shared": length * isin(units[id_col], matched),
            "copied": length * (reused_from != "").to_numpy(),
        }
    )
    sums = frame.groupby("essay_id", sort=False)[["n_chars", "shared", "copied"]].sum()
    sums = sums.reindex(essays["essay_id"]).fillna(0)
    total = sums["n_chars"].where(sums["n_chars"] > 0)
    out = pd.DataFrame(
        {
            "essay_id": essays["essay_id"].to_numpy(),
            "n_chars": sums["n_chars"].astype("int64").to_numpy(),
            "share_original": (1 - sums["shared"] / total).round(4).to_numpy(),
            "share_duplicate": (sums["copied"] / total).round(4).to_numpy(),
        }
    )
    return out


def reuse_matrix(units: pd.DataFrame, reuse: pd.DataFrame, *, essays: list[str] | None = None) -> pd.DataFrame:
    """Essay × essay: share of the row essay's characters in units matched
    with the column essay (0 on the diagonal)."""
    id_col = _unit_id_column(units)
    require(units, {"essay_id", "text"}, "units")
    order = essays or list(dict.fromkeys(units["essay_id"]))
    lengths = dict(zip(units[id_col], units["text"].map(lambda t: len(t) if isinstance(t, str) else 0)))
    totals = units.assign(_len=units[id_col].map(lengths)).groupby("essay_id")["_len"].sum()
    mat = pd.DataFrame(0.0, index=pd.Index(order, name="essay"), columns=pd.Index(order, name="reused_in"))
    for ea, others in _reused_units_by_essay(reuse).items():
        for eb, ids in others.items():
            if ea in mat.index and eb in mat.columns and totals.get(ea, 0):
                mat.loc[ea, eb] = round(sum(lengths.get(u, 0) for u in ids) / totals[ea], 4)
    return mat


def top_passages(reuse: pd.DataFrame, *, n: int = 10, mapping=None, max_chars: int = 120) -> pd.DataFrame:
    """The ``n`` longest reused passages (by chars_a): essay_a, essay_b,
    n_units, chars, similarity, passage (from essay_a, cut to ``max_chars``),
    pseudonymised with ``mapping`` if given."""
    require(reuse, {"essay_a", "essay_b", "passage_a", "chars_a", "similarity", "n_units"}, "reuse")
    top = reuse.sort_values(["chars_a", "similarity"], ascending=False).head(n)
    passage = top["passage_a"]
    if mapping is not None:
        from analysis.methods.privacy import pseudonymise

        passage = passage.map(lambda t: pseudonymise(t, mapping))
    passage = passage.map(lambda t: t if len(t) <= max_chars else t[:max_chars] + "…")
    return pd.DataFrame(
        {
            "essay_a": top["essay_a"],
            "essay_b": top["essay_b"],
            "n_units": top["n_units"],
            "chars": top["chars_a"],
            "similarity": top["similarity"],
            "passage": passage,
        }
    ).reset_index(drop=True)
