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
