"""``_Model`` of :mod:`analysis.fast.snowfast`: the loaded compact model, the
driver of the search (batches of CJK runs, compiled or interpreted), the
naive Bayes part, and the memo caches of segmentations and scores."""

from __future__ import annotations

import array
import itertools
import re
import sys
import warnings
from math import exp

from analysis.fast.snowfast.search import _Jit, _kernel_for, _tag_runs

_RE_ZH = re.compile("([\u4e00-\u9fa5]+)")  # same pattern as snownlp.seg / snownlp.normal
_CHUNK_CACHE_MAX = 300_000
_SCORE_CACHE_MAX = 300_000
_BATCH_CHARS = 1_000_000  # characters per compiled call (bounds the scratch memory)


class _Model:
    """The compact model, the search driver, the Bayes part and the memo caches."""

    def __init__(self, arrays: dict, meta: dict, origin: str = "") -> None:
        self.origin = origin
        self.arrays = arrays
        self.nc, self.bos = int(meta["nc"]), int(meta["bos"])
        self.tag_names = tuple(meta["status"])
        self.wcls = array.array("b", [0 if tg == "e" else 1 if tg in ("b", "s") else 2 for tg in self.tag_names])
        self.classes = list(meta["classes"])
        self.prior = [float(x) for x in meta["prior"]]
        self.unseen = tuple(float(x) for x in meta["unseen"])
        nk = len(self.classes)
        w = arrays["wlogs"]
        rows = zip(*(w[k::nk] for k in range(nk)))  # word i -> (log p_neg(w), log p_pos(w))
        self.wtab: dict = dict(zip(meta["vocab"], rows))
        self.wtab.update(dict.fromkeys(meta["stop"]))  # stopwords -> None (normal.filter_stop)
        self.pos = self.classes.index("pos") if "pos" in self.classes else -1
        self._np = None
        self._chunk_cache: dict[str, tuple] = {}  # CJK run -> (words, Bayes rows of its non-stopwords)
        self._score_cache: dict[str, float] = {}

    def clear_caches(self) -> None:
        self._chunk_cache.clear()
        self._score_cache.clear()

    def nbytes(self) -> int:
        return sum(a.itemsize * len(a) for a in self.arrays.values())

    # ---- segmentation

    def _np_arrays(self) -> tuple:
        """numpy views (no copies) of the model arrays, for the compiled search."""
        if self._np is None:
            import numpy as np

            dt = {"b": np.int8, "i": np.int32, "q": np.int64, "d": np.float64}
            a = self.arrays
            self._np = tuple(
                np.frombuffer(a[k], dtype=dt[a[k].typecode]) if len(a[k]) else np.zeros(0, dt[a[k].typecode])
                for k in ("cmap", "unk", "ulog", "bptr", "bkeys", "bvals", "tptr", "tkeys", "tvals")
            ) + (np.frombuffer(self.wcls, dtype=np.int8),)
        return self._np

    def _segment(self, runs: list[str]) -> list[list]:
        """Words of each CJK run (``snownlp.seg.single_seg``), few calls of the search."""
        total = sum(map(len, runs))
        if total <= _BATCH_CHARS:
            return self._segment_batch(runs, total)
        out: list[list] = []
        i = 0
        while i < len(runs):
            j, n = i, 0
            while j < len(runs) and (j == i or n + len(runs[j]) <= _BATCH_CHARS):
                n += len(runs[j])
                j += 1
            out += self._segment_batch(runs[i:j], n)
            i = j
        return out

    def _segment_batch(self, runs: list[str], total: int) -> list[list]:
        """Words of each run, with one call of the compiled or the interpreted search."""
        joined = "".join(runs)
        lens = list(map(len, runs))
        offs = list(itertools.accumulate(lens, initial=0))
        maxlen = max(lens)
        kernel = _kernel_for(total)
        if kernel is not None:
            import numpy as np

            a = self._np_arrays()
            cps = np.frombuffer(
                joined.encode("utf-32-le" if sys.byteorder == "little" else "utf-32-be"), dtype=np.uint32
            )
            ends = np.empty(total, np.int32)
            nends = np.empty(len(runs), np.int32)
            args = (
                cps,
                np.array(offs, np.int64),
                *a[:9],
                self.nc,
                self.bos,
                a[9],
                np.empty(maxlen, np.int8),
                np.empty(maxlen * 16, np.int8),
                np.empty(16),
                np.empty(16),
                np.empty(64),
                ends,
                nends,
            )
            if _Jit.checked:
                kernel(*args)
            else:  # first call: compiles or loads numba's cache; any failure -> interpreted
                try:
                    kernel(*args)
                    _Jit.checked = True
                except Exception as e:  # pragma: no cover - depends on the numba install
                    warnings.warn(
                        f"snowfast: numba unusable ({e!r}); using the interpreted search", RuntimeWarning, stacklevel=2
                    )
                    _Jit.kernel, _Jit.failed = None, True
                    kernel = None
        if kernel is not None:
            nends = nends.tolist()
            ends = ends[: sum(nends)].tolist()
        else:
            a = self.arrays
            ends = [0] * total
            nends = [0] * len(runs)
            ne = _tag_runs(
                list(map(ord, joined)),
                offs,
                a["cmap"],
                a["unk"],
                a["ulog"],
                a["bptr"],
                a["bkeys"],
                a["bvals"],
                a["tptr"],
                a["tkeys"],
                a["tvals"],
                self.nc,
                self.bos,
                self.wcls,
                bytearray(maxlen),
                bytearray(maxlen * 16),
                [0.0] * 16,
                [0.0] * 16,
                [0.0] * 64,
                ends,
                nends,
            )
            del ends[ne:]
            _Jit.py_chars += total
        # every run is covered by its words, so a word starts where the previous one ended
        allw = [joined[i:j] for i, j in zip(itertools.chain((0,), ends), ends)]
        out = []
        k = 0
        for m in nends:
            out.append(allw[k : k + m])
            k += m
        return out

    def _runs(self, runs) -> dict:
        """The run cache, holding run -> (words, Bayes rows of its non-stopwords) for every
        given CJK run (the new ones are segmented together)."""
        cache = self._chunk_cache
        uniq = dict.fromkeys(runs)
        new = [r for r in uniq if r not in cache]
        if new:
            if len(cache) + len(new) > _CHUNK_CACHE_MAX:  # bounded: keep only what this call needs
                keep = {r: cache[r] for r in uniq if r in cache}
                cache.clear()
                cache.update(keep)
            get, unseen = self.wtab.get, self.unseen
            for r, ws in zip(new, self._segment(new)):
                # stopwords map to None (normal.filter_stop), unseen words to the add-one rows
                cache[r] = (ws, tuple(filter(None, map(get, ws, itertools.repeat(unseen)))))
        return cache

    def words(self, sent: str) -> list[str]:
        """snownlp.seg.seg: same regex and string operations (a stripped non-CJK piece
        split on whitespace is the piece split on whitespace)."""
        parts = _RE_ZH.split(sent)
        runs = self._runs(parts[1::2])
        out: list[str] = []
        for i, s in enumerate(parts):
            if i & 1:
                out += runs[s][0]
            else:
                out += s.split()
        return out

    # ---- Bayes

    def _classify(self, tmp: list) -> float:
        nk = len(tmp)
        ret, prob = None, 0  # SnowNLP starts from ret=0 (never "pos")
        for k in range(nk):
            now = 0
            try:
                for other in range(nk):
                    now += exp(tmp[other] - tmp[k])
                now = 1 / now
            except OverflowError:
                now = 0
            if now > prob:
                ret, prob = k, now
        # Sentiment.classify: prob if the winning class is "pos", else 1 - prob
        if ret is not None and ret == self.pos:
            return prob
        return 1 - prob

    def score_texts(self, texts) -> list[float]:
        """Scores of non-blank strings (memoised); new CJK runs of all of them are
        segmented together."""
        sc = self._score_cache
        res = {}
        todo = []
        for t in dict.fromkeys(texts):
            v = sc.get(t)
            if v is None:
                todo.append(t)
            else:
                res[t] = v
        if todo:
            split = _RE_ZH.split
            parts_of = [split(t) for t in todo]
            runs = self._runs([r for parts in parts_of for r in parts[1::2]])
            get, unseen, nk = self.wtab.get, self.unseen, len(self.classes)
            if len(sc) + len(todo) > _SCORE_CACHE_MAX:
                sc.clear()
            for t, parts in zip(todo, parts_of):
                # tmp[k] = log(sum_k) - log(total), then += log(freq_k(w)) word by word;
                # the classes are independent sums, done side by side
                if nk == 2:
                    a0, a1 = self.prior
                    for i, s in enumerate(parts):
                        if i & 1:
                            for v0, v1 in runs[s][1]:
                                a0 += v0
                                a1 += v1
                        elif s:
                            for w in s.split():
                                v = get(w, unseen)
                                if v is not None:
                                    a0 += v[0]
                                    a1 += v[1]
                    tmp = [a0, a1]
                else:
                    tmp = list(self.prior)
                    for i, s in enumerate(parts):
                        for v in runs[s][1] if i & 1 else filter(None, map(get, s.split(), itertools.repeat(unseen))):
                            for k in range(nk):
                                tmp[k] += v[k]
                res[t] = sc[t] = self._classify(tmp)
        return [res[t] for t in texts]

    def score(self, text: str) -> float:
        r = self._score_cache.get(text)
        if r is None:
            r = self.score_texts([text])[0]
        return r
