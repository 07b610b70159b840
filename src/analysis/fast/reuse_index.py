"""Incremental template-reuse search: :class:`ReuseIndex` gives what
:func:`analysis.methods.reuse.find_reuse` gives for a corpus that changes a
little between calls (the build in ``--watch`` mode, a notebook), comparing
only the units of new or edited essays. tests/test_reuse.py checks it against
``find_reuse``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from analysis.frames import isin
from analysis.methods.reuse import (
    _candidate_pairs,
    _cap_matches,
    _distinct_cells,
    _gram_starts,
    _matching_units,
    _passages,
    _positions,
    _reuse_frame,
    _unit_frame,
    find_reuse,
    normalise,
)

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
