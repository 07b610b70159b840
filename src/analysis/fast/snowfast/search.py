"""The tagging search of :mod:`analysis.fast.snowfast`: SnowNLP's second-order
search over b/m/e/s tags as one plain function over flat arrays
(``_tag_runs``), compiled with numba when enough text is to be segmented,
else run interpreted (see the package doc)."""

from __future__ import annotations

import math
import os

_JIT_MIN_CHARS = 40_000  # interpreted search until this many characters were segmented (~1 s)


def _tag_runs(
    cps, offs, cmap, unk, ulog, bptr, bkeys, bvals, tptr, tkeys, tvals, nc, bos, wcls, tags, back, p, q, t, ends, nends
):
    """Tag the CJK runs ``cps[offs[r]:offs[r+1]]`` (code points) as SnowNLP's
    ``CharacterBasedGenerativeModel.tag`` does and cut them into words as
    ``Seg.seg`` does: the ends of the run's ``nends[r]`` words (offsets in ``cps``)
    are appended to ``ends``; returns how many were written.

    Compiled with numba, or run as plain Python on ``array``/list arguments (the
    same code).  ``tags``, ``back`` (16 per character), ``p``, ``q`` (16) and
    ``t`` (64) are scratch.  State (a, b) = (tag of the previous char, tag of this
    char) sits at index b*4 + a, the order of SnowNLP's ``now`` list; for the new
    state (X, s) the candidates (a, X), a = 0..3, are tried in that order, the
    first is kept and only a strictly greater score replaces it.  BOS is tag 0
    of char ``bos``: before the run only state (BOS, BOS) = index 0 exists, the
    others are -inf, which can never win a comparison (SnowNLP simply does not
    have them), and for a character the model has never seen the new state
    (X, s) copies the score of the last existing predecessor, (3, X) - or
    (BOS, X) for the first two characters."""
    ne = 0
    for r in range(len(offs) - 1):
        start = offs[r]
        stop = offs[r + 1]
        for j in range(16):
            p[j] = -math.inf
        p[0] = 0.0
        c1 = bos
        c2 = bos
        for i in range(start, stop):
            c3 = cmap[cps[i] - 0x4E00]
            row = (i - start) * 16
            if unk[c3] != 0:
                al = 3 if i - start >= 2 else 0
                for s in range(4):
                    for x in range(4):
                        q[s * 4 + x] = p[x * 4 + al]
                        back[row + s * 4 + x] = al
            else:
                # t[a*16 + x*4 + s] = log_prob((c1, a), (c2, x), (c3, s))
                for s in range(4):
                    v = ulog[c3 * 4 + s]
                    for x in range(4):
                        t[x * 4 + s] = v
                lo = bptr[c2]
                end = bptr[c2 + 1]
                hi = end
                key = c3 * 16
                while lo < hi:
                    mid = (lo + hi) >> 1
                    if bkeys[mid] < key:
                        lo = mid + 1
                    else:
                        hi = mid
                while lo < end and bkeys[lo] < key + 16:
                    t[bkeys[lo] - key] = bvals[lo]
                    lo += 1
                for j in range(16, 64):
                    t[j] = t[j & 15]
                lo = tptr[c1]
                end = tptr[c1 + 1]
                hi = end
                key = (c2 * nc + c3) * 64
                while lo < hi:
                    mid = (lo + hi) >> 1
                    if tkeys[mid] < key:
                        lo = mid + 1
                    else:
                        hi = mid
                while lo < end and tkeys[lo] < key + 64:
                    t[tkeys[lo] - key] = tvals[lo]
                    lo += 1
                for s in range(4):
                    for x in range(4):
                        v = p[x * 4] + t[x * 4 + s]
                        b = 0
                        for a in range(1, 4):
                            u = p[x * 4 + a] + t[a * 16 + x * 4 + s]
                            if u > v:
                                v = u
                                b = a
                        q[s * 4 + x] = v
                        back[row + s * 4 + x] = b
            for j in range(16):
                p[j] = q[j]
            c1 = c2
            c2 = c3
        # max(now, key=score): the first maximum; then follow the back-pointers
        best = 0
        for j in range(1, 16):
            if p[j] > p[best]:
                best = j
        n = stop - start
        tags[n - 1] = best // 4
        if n >= 2:
            tags[n - 2] = best % 4
            for i in range(n - 1, 1, -1):
                tags[i - 2] = back[i * 16 + tags[i] * 4 + tags[i - 1]]
        # Seg.seg: 'e' closes a word, 'b'/'s' start one, anything else continues
        cnt = 0
        cur = 0
        for i in range(n):
            cl = wcls[tags[i]]
            if cl == 0:
                ends[ne] = start + i + 1
                ne += 1
                cnt += 1
                cur = 0
            elif cl == 1:
                if cur > 0:
                    ends[ne] = start + i
                    ne += 1
                    cnt += 1
                cur = 1
            else:
                cur += 1
        if cur > 0:
            ends[ne] = stop
            ne += 1
            cnt += 1
        nends[r] = cnt
    return ne


class _Jit:
    kernel = None  # numba dispatcher of _tag_runs, once made
    failed = False  # numba missing or unusable: stay interpreted
    checked = False  # the kernel ran once in this process
    py_chars = 0  # characters segmented by the interpreted search so far


def _kernel_for(nchars: int):
    """The compiled search if it should be used for ``nchars`` more characters, else None.
    ``ANALYSIS_SNOWFAST_JIT=0`` never uses numba, ``=1`` always does."""
    env = os.environ.get("ANALYSIS_SNOWFAST_JIT", "")
    if env == "0":
        return None
    if _Jit.kernel is None and (env == "1" or _Jit.py_chars + nchars > _JIT_MIN_CHARS):
        return _jit_kernel()
    return _Jit.kernel


def _jit_kernel():
    """The compiled ``_tag_runs`` (numba imported on first use), or None."""
    if _Jit.kernel is None and not _Jit.failed:
        try:
            import numba

            try:
                _Jit.kernel = numba.njit(cache=True, nogil=True)(_tag_runs)
            except RuntimeError:  # no writable cache location at all
                _Jit.kernel = numba.njit(nogil=True)(_tag_runs)
        except Exception:  # pragma: no cover - numba is a dependency
            _Jit.failed = True
    return _Jit.kernel
