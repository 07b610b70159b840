"""Fast, exact re-implementation of SnowNLP's sentiment score.

``score(text)`` returns the same float as ``snownlp.SnowNLP(text).sentiments``
(bit-identical: the floating-point operations are the same ones, in the same
order) and ``words(text)`` the same tokens as ``snownlp.seg.seg(text)``.
``score_many(texts)`` scores a batch: each distinct text once, and all new CJK
runs of the batch segmented by one call of a compiled (numba) search.  The
model is taken when first needed (``load()``): from a compact disk cache
(12 MB, loaded in about 0.1 s) built once from SnowNLP's model files, or from
SnowNLP's own in-memory objects when ``snownlp`` is already imported (then
nothing is read from or written to the disk cache).  If SnowNLP's models are
re-trained or re-loaded later in the process, call ``reset()`` to pick them up.

What SnowNLP does (snownlp 0.12.3), and how it is reproduced here
------------------------------------------------------------------
``SnowNLP(s).sentiments`` is ``snownlp.sentiment.classify(s)``:

1. **Segmentation** ``snownlp.seg.seg``: the text is split with
   ``re.compile('([\\u4E00-\\u9FA5]+)')``; every piece is ``strip()``-ed;
   runs of CJK characters go to SnowNLP's own character-based generative
   segmenter (``seg/y09_2047.py`` ``CharacterBasedGenerativeModel.tag``, model
   ``seg/seg.marshal.3``); other pieces are split on whitespace.  The same
   regex and the same string operations are used here.

   The segmenter tags each character b/m/e/s with a second-order search: its
   states are (tag of the previous character, tag of this character), the
   score of a transition is ``log_prob(c1t1, c2t2, c3t3) = log(uni + bi + tri)``
   with ``uni = l1*n(c3t3)/N``, ``bi = l2*n(c2t2,c3t3)/n(c2t2)``,
   ``tri = l3*n(c1t1,c2t2,c3t3)/n(c1t1,c2t2)`` (a zero denominator gives 0,
   a zero sum gives -inf).  A transition score depends only on its three
   tokens, and only three cases exist: the trigram is in the model, else the
   bigram (c2t2, c3t3) is, else neither (then ``bi`` and ``tri`` are 0 and the
   score is ``log(uni + 0 + 0)``, a function of c3t3 alone; likewise a missing
   trigram leaves ``log(uni + bi + 0)``, a function of the bigram).  So the
   compact model stores, computed once with SnowNLP's *own expression* (the
   same float operations in the same order, counts converted as Python
   converts them, Python's ``math.log``), the score of every trigram and bigram
   of the model and of every (character, tag); the search just looks them up.
   The search is re-implemented with the same state order, the same "first
   candidate kept, replaced only on strictly greater" tie-breaking, the same
   handling of characters the model has never seen (SnowNLP copies the score
   of the *last* predecessor without adding anything), and the same final
   ``max`` (first maximum wins), so the chosen tag sequence - and therefore
   the words - are identical.

2. **Stopwords** ``snownlp.normal.filter_stop``: words in
   ``normal/stopwords.txt`` (lines ``strip()``-ed) are dropped.

3. **Naive Bayes** ``snownlp.sentiment`` / ``snownlp.classification.bayes``
   (model ``sentiment/sentiment.marshal.3``, add-one smoothing): for each class
   k (in the model's dict order, neg then pos) ``tmp[k] = log(sum_k) -
   log(total)`` then ``tmp[k] += log(count_k(w)/sum_k)`` word by word (unseen
   words count 1); ``prob_k = 1/sum_j exp(tmp[j]-tmp[k])`` (0 on
   OverflowError); the class with the largest ``prob`` (first on ties) wins and
   the score is ``prob`` if it is "pos", else ``1-prob``.  Here the per-word
   ``log(count/sum)`` values are looked up from a table filled with the very
   same expression, and the additions and the exp part are done in the same
   order.

The compact model
-----------------
Only CJK characters of the model (``\\u4E00-\\u9FA5``, the only ones the
segmenter ever sees) get an integer id; BOS and "not in the model" get one id
each.  ``ulog[id*4 + s]`` holds the unigram-only score; bigram scores sit in
one float64 array, sorted by (first char, key) with ``key = c3*16 + t2*4 + t3``
(int32), with ``bptr[c2]`` the start of c2's block; trigram scores likewise
with ``key = (c2*n + c3)*64 + t1*16 + t2*4 + t3`` in blocks of c1.  A search
step finds the (at most 16 and 64) entries of (c2, c3) and (c1, c2, c3) by
binary search inside the first character's block.  The Bayes part is a dict
word -> tuple of per-class log-likelihoods (``None`` for stopwords).

The disk cache lives in ``$ANALYSIS_CACHE_DIR``, else ``$XDG_CACHE_HOME/analysis``,
else ``~/.cache/analysis``; its name carries the format version and the
sha256 of SnowNLP's ``seg.marshal.3``, ``sentiment.marshal.3`` and
``stopwords.txt``.  It is written atomically (temporary file + ``os.replace``),
checked on load (magic, version, source hash, byte order, crc32 of the
whole payload, array sizes) and rebuilt when anything is off; if the
directory is not writable the model just stays in memory.  Loading needs only
the standard library (``array``), not numpy.

The compact model is built (on a cache miss, or from SnowNLP's live objects)
with the scores computed elementwise in numpy - only ``+ - * /`` on float64,
which are exactly Python's float operations - and the logarithms with Python's
``math.log`` itself (never numpy's vectorised log, which may differ in the last
bit).  It takes about 4 s (plus about 4 s for SnowNLP's own unmarshalling of
its model files when they are read).

The search (``_tag_runs``) is one plain function over flat arrays, compiled with
``numba.njit(cache=True)`` (no fastmath; it only adds and compares: every
logarithm is already in the tables) and run on numpy views of the model arrays.
The decorator is applied when the compiled search is first needed rather than
at import: importing numba and fetching the compiled code from numba's cache
costs about 1.2 s and 155 MB RSS here, more than the whole rest of a small job,
so a process that only scores a few thousand characters (e.g. a rebuild after
one new essay) runs the very same function interpreted, on ``array``/list
arguments, at 35,000-45,000 characters/s.  numba takes over once
``_JIT_MIN_CHARS`` (40,000) characters have been segmented in the process, or
at once for a batch that large; ``ANALYSIS_SNOWFAST_JIT=1`` / ``=0`` force it
on / off.  Without a writable ``__pycache__`` numba caches in
``$NUMBA_CACHE_DIR`` or its user cache, and without any it compiles in memory
(about 3 s).

Where the speed comes from
--------------------------
SnowNLP spends almost all its time in the segmenter: for every character it
calls ``log_prob`` 64 times (about 6 method calls and 6 look-ups of freshly
built nested-tuple keys each), and copies the growing path list for each of
the 64 candidates, which makes long CJK runs quadratic.  Here:

* every transition score is precomputed once into the compact model (the
  disk cache), so per character the compiled search does two short binary
  searches, 64 additions and comparisons, and keeps back-pointers (linear in
  the run length, no path copies, no logarithm, no Python object); it runs at
  about 2 million characters/s;
* ``score_many`` collects the distinct, not yet segmented CJK runs of all its
  texts and segments them with one compiled call (per million characters),
  then does the Bayes sums in Python with one dict look-up per word (the
  per-word rows are cached per run); this Python part is now most of the time;
* no ``SnowNLP`` object is built per text (SnowNLP also builds a BM25 index
  of every text, which the sentiment never uses), the model is never loaded
  twice, and segmentations of CJK runs and whole-text scores are memoised
  (bounded dicts).

Measured on the shared 2-core machine (``benchmarks/bench_snowfast.py``, CPU
seconds, all 43,790 distinct People's Daily sentences = 1.83 million
characters; runs vary by about 15 %): ``score_many`` with cold caches
430,000-570,000 characters/s (the previous pure-Python version: about 20,000;
SnowNLP: about 4,000), 1.5-2.2 million with the segmentations memoised; a
fresh process does ``load()`` + a first ``score`` in 0.12-0.17 s with +32-38 MB
RSS (previously 4-6 s and +340 MB, like SnowNLP), the first compiled call
adds the 1.2 s above.  All 45,080 sentences (and the sentences of
``benchmarks/bench_build.py``) give scores and words identical to the previous
implementation, with the compiled and with the interpreted search; 3,000 of
them were compared with SnowNLP itself: bit-identical.

Empty or whitespace-only text
-----------------------------
SnowNLP raises ``ZeroDivisionError`` on ``""`` (in the BM25 index it builds)
and returns the bare class prior (0.5262...) for whitespace-only text.  Like
``analysis.methods.sentiment.snownlp_score``, ``score`` returns the neutral 0.5 for
both (``NEUTRAL``).  Every other text, including punctuation-only or
digit-only text, gets exactly SnowNLP's value.
"""

from __future__ import annotations

import array
import codecs
import gzip
import hashlib
import itertools
import json
import marshal
import math
import os
import re
import struct
import sys
import warnings
import zlib
from math import exp, log

__all__ = ["prepare_compiled", "score", "score_many", "words", "load", "reset", "clear_caches", "NEUTRAL"]

NEUTRAL = 0.5  # score of empty / whitespace-only text (SnowNLP fails on "")

_RE_ZH = re.compile("([\u4e00-\u9fa5]+)")  # same pattern as snownlp.seg / snownlp.normal
_CJK_FIRST, _CJK_LAST = 0x4E00, 0x9FA5
_NEG_INF = float("-inf")
_CHUNK_CACHE_MAX = 300_000
_SCORE_CACHE_MAX = 300_000
_BATCH_CHARS = 1_000_000  # characters per compiled call (bounds the scratch memory)
_JIT_MIN_CHARS = 40_000  # interpreted search until this many characters were segmented (~1 s)

_FORMAT = 1
_MAGIC = b"SNOWFAST"
_HEAD = struct.Struct("<8sIIQ")  # magic, format, crc32 of everything after it, header length
_SOURCE_FILES = (("seg", "seg.marshal.3"), ("sentiment", "sentiment.marshal.3"), ("normal", "stopwords.txt"))
_ARRAYS = ("cmap", "unk", "ulog", "bptr", "bkeys", "bvals", "tptr", "tkeys", "tvals", "wlogs")

_model: _Model | None = None


# --------------------------------------------------------------------------- the search


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


# --------------------------------------------------------------------------- model sources


def _snownlp_dir() -> str:
    from analysis.config import package_dir

    return str(package_dir("snownlp"))


def _load_marshal(fname: str) -> dict:
    """Exactly what snownlp's ``load(fname, iszip=True)`` does on Python 3."""
    try:
        with gzip.open(fname, "rb") as f:
            return marshal.loads(f.read())
    except OSError:
        with open(fname, "rb") as f:
            return marshal.loads(f.read())


def _live_sources():
    """(segmenter dict, bayes dict, stopword set) from SnowNLP's live objects if it
    is already imported (no second load, and a re-trained model is honoured)."""
    seg_mod = sys.modules.get("snownlp.seg")
    sent_mod = sys.modules.get("snownlp.sentiment")
    norm_mod = sys.modules.get("snownlp.normal")
    if seg_mod is None or sent_mod is None or norm_mod is None:
        return None
    m = seg_mod.segger.segger
    segd = {
        "l1": m.l1,
        "l2": m.l2,
        "l3": m.l3,
        "status": tuple(m.status),
        "uni": m.uni.__dict__,
        "bi": m.bi.__dict__,
        "tri": m.tri.__dict__,
    }
    c = sent_mod.classifier.classifier
    bayesd = {"total": c.total, "d": {k: v.__dict__ for k, v in c.d.items()}}
    return segd, bayesd, set(norm_mod.stop)


def _file_sources(base: str):
    """The same three things from the files SnowNLP itself loads."""
    segd = _load_marshal(os.path.join(base, "seg", "seg.marshal.3"))
    bayesd = _load_marshal(os.path.join(base, "sentiment", "sentiment.marshal.3"))
    stop = set()
    fr = codecs.open(os.path.join(base, "normal", "stopwords.txt"), "r", "utf-8")
    for word in fr:
        stop.add(word.strip())
    fr.close()
    return segd, bayesd, stop


def _source_digest(base: str) -> str:
    h = hashlib.sha256(b"snowfast-sources\0")
    for sub, name in _SOURCE_FILES:
        with open(os.path.join(base, sub, name), "rb") as f:
            h.update(f"{sub}/{name}\0".encode())
            h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


def _div(v1, v2):  # CharacterBasedGenerativeModel.div
    if v2 == 0:
        return 0
    return float(v1) / v2


# --------------------------------------------------------------------------- building the compact model


def _compile(segd: dict, bayesd: dict, stop: set) -> tuple[dict, dict]:
    """(arrays, meta) of the compact model (see the module doc)."""
    l1, l2, l3 = segd["l1"], segd["l2"], segd["l3"]
    status = tuple(segd["status"])
    if len(status) != 4:
        raise ValueError(f"unexpected SnowNLP segmenter tags {status!r}")
    uni, bi, tri = segd["uni"], segd["bi"], segd["tri"]
    U, B, T = uni["d"], bi["d"], tri["d"]
    un, bn, tn, utotal = uni["none"], bi["none"], tri["none"], uni["total"]
    if un != 0 or bn != 0 or tn != 0:
        raise ValueError("SnowNLP segmenter counts with a nonzero default are not supported")

    import numpy as np  # only to build the model (elementwise IEEE + - * /, no numpy log)

    # Tokens the search can meet: (CJK char, tag) and BOS; each gets a code char*4 + tag
    # (BOS: tag 0 of its own char).  Anything else in the model is never looked up.
    bos_tok = ("", "BOS")
    tagi = {tg: i for i, tg in enumerate(status)}

    # Provisional codes in order of discovery (one hash per token: the count dicts are
    # huge and their key tuples scattered in memory), then renumbered by character.
    chars: list[str] = []
    first_id: dict[str, int] = {}

    class Codes(dict):
        def __missing__(self, tok):
            if tok == bos_tok:
                c = 0
            elif (
                type(tok) is tuple
                and len(tok) == 2
                and type(tok[0]) is str
                and len(tok[0]) == 1
                and _CJK_FIRST <= ord(tok[0]) <= _CJK_LAST
                and tok[1] in tagi
            ):
                i = first_id.get(tok[0])
                if i is None:
                    i = first_id[tok[0]] = len(chars) + 1
                    chars.append(tok[0])
                c = i * 4 + tagi[tok[1]]
            else:
                c = -1
            self[tok] = c
            return c

    provisional = Codes()

    def codes(d: dict, width: int) -> np.ndarray:
        """Provisional codes of the tokens of the keys of ``d``, shape (len(d), width);
        keys of another shape get -1 (never looked up)."""
        keys = list(d)
        if width == 1:
            return np.fromiter(map(provisional.__getitem__, keys), np.int64, len(keys)).reshape(-1, 1)
        if all(type(k) is tuple for k in keys) and set(map(len, keys)) <= {width}:
            flat = itertools.chain.from_iterable(keys)
            return np.fromiter(map(provisional.__getitem__, flat), np.int64, len(keys) * width).reshape(-1, width)
        return np.array(
            [[provisional[x] for x in k] if type(k) is tuple and len(k) == width else [-1] * width for k in keys],
            np.int64,
        ).reshape(-1, width)

    ucode = codes(U, 1)[:, 0]
    bcodes = codes(B, 2).T
    tcodes = codes(T, 3).T
    order = sorted(range(len(chars)), key=chars.__getitem__)
    cid = {chars[i]: k for k, i in enumerate(order)}
    bos = len(chars)
    oov = bos + 1
    nc = bos + 2
    nt = nc * 4
    remap = np.empty((len(chars) + 1) * 4 + 1, np.int64)  # provisional code + 1 -> code
    remap[0] = -1
    remap[1:5] = bos * 4
    for c, k in cid.items():
        i = first_id[c]
        remap[i * 4 + 1 : i * 4 + 5] = np.arange(k * 4, k * 4 + 4)
    ucode = remap[ucode + 1]
    bcodes = [remap[x + 1] for x in bcodes]
    tcodes = [remap[x + 1] for x in tcodes]

    def counts(d: dict) -> np.ndarray:  # float(count), as Python converts an int count
        return np.array([float(v) for v in d.values()], np.float64)

    cmap = array.array("i", [oov]) * (_CJK_LAST - _CJK_FIRST + 1)
    for c, i in cid.items():
        cmap[ord(c) - _CJK_FIRST] = i

    # The three kinds of transition score, each with the expressions of
    # CharacterBasedGenerativeModel.log_prob (NormalProb.get/freq and div inlined),
    # elementwise in the same order:
    #   uni = l1*freq(s3) = l1 * (float(n(s3)) / N)
    #   bi  = div(l2 * n(s2, s3), n(s2))          div(v1, v2) = 0 if v2 == 0 else float(v1)/v2
    #   tri = div(l3 * n(s1, s2, s3), n(s1, s2))
    #   -inf if uni + bi + tri == 0 else math.log(uni + bi + tri)
    # A missing count is the default 0: then div gives 0 (int) or 0.0, which adds as +0.0,
    # so a missing trigram leaves uni + bi and a missing bigram uni.
    ok = ucode >= 0
    ucnt = np.zeros(nt)
    ucnt[ucode[ok]] = counts(U)[ok]
    with np.errstate(divide="ignore", invalid="ignore"):
        uterm = l1 * (ucnt / utotal)
        unk = array.array("b", (((ucnt / utotal).reshape(nc, 4) != 0).any(axis=1) == 0).astype(np.int8).tobytes())
        unk[bos] = 0  # (`not_found` of tag(); BOS is never tagged)
        ulog = array.array("d", [_NEG_INF if x == 0 else log(x) for x in (uterm + 0 + 0).tolist()])
        ulog[bos * 4 : bos * 4 + 4] = array.array("d", [_NEG_INF] * 4)  # never "this character"

        a, b = bcodes
        cnt = counts(B)
        ok = (a >= 0) & (b >= 0)
        a, b, cnt = a[ok], b[ok], cnt[ok]
        pair = a * nt + b
        order = np.argsort(pair, kind="stable")
        bpair, bcnt = pair[order], cnt[order]  # n(s1, s2) by pair, for the trigrams
        den = ucnt[a[order]]
        bterm = np.where(den == 0, 0.0, (l2 * bcnt) / den)  # bi by pair
        cur = b < bos * 4  # BOS is never "this character"
        bfirst, brel = a[cur] >> 2, (b[cur] >> 2) * 16 + (a[cur] & 3) * 4 + (b[cur] & 3)
        den = ucnt[a[cur]]
        bsum = uterm[b[cur]] + np.where(den == 0, 0.0, (l2 * cnt[cur]) / den) + 0

        a, b, c = tcodes
        cnt = counts(T)
        ok = (a >= 0) & (b >= 0) & (c >= 0) & (c < bos * 4)
        a, b, c, cnt = a[ok], b[ok], c[ok], cnt[ok]

        def by_pair(keys, vals):  # vals[pair], 0.0 for pairs without a bigram count
            if not len(bpair):  # noqa: F821 — bpair of the enclosing scope (deleted after use)
                return np.zeros(len(keys))
            i = np.minimum(np.searchsorted(bpair, keys), len(bpair) - 1)  # noqa: F821 — bpair of the enclosing scope (deleted after use)
            return np.where(bpair[i] == keys, vals[i], 0.0)  # noqa: F821 — bpair of the enclosing scope (deleted after use)

        bi = by_pair(b * nt + c, bterm)
        den = by_pair(a * nt + b, bcnt)
        tri = np.where(den == 0, 0.0, (l3 * cnt) / den)
        tsum = uterm[c] + bi + tri
        tfirst = a >> 2
        trel = ((b >> 2) * nc + (c >> 2)) * 64 + (a & 3) * 16 + (b & 3) * 4 + (c & 3)
    del bcodes, tcodes, a, b, c, cnt, pair, order, bpair, bcnt, bterm, den, bi, tri

    def blocks(first, rel, sums, bound):
        order = np.argsort(first * bound + rel, kind="stable")
        ptr = np.zeros(nc + 1, np.int64)
        np.cumsum(np.bincount(first, minlength=nc), out=ptr[1:])
        kt, kd = ("q", np.int64) if bound > 2**31 - 1 else ("i", np.int32)
        keys = array.array(kt, rel[order].astype(kd).tobytes())
        vals = array.array("d", [_NEG_INF if x == 0 else log(x) for x in sums[order].tolist()])
        return array.array("q", ptr.tobytes()), keys, vals

    bptr, bkeys, bvals = blocks(bfirst, brel, bsum, nc * 16)
    tptr, tkeys, tvals = blocks(tfirst, trel, tsum, nc * nc * 64)

    # Bayes (snownlp.classification.bayes.Bayes), classes in the model's order
    classes = list(bayesd["d"].keys())
    cls = [bayesd["d"][k] for k in classes]
    prior = [log(c["total"]) - log(bayesd["total"]) for c in cls]
    vocab = sorted({w for c in cls for w in c["d"]} - set(stop))
    wlogs = array.array("d")
    for w in vocab:
        for c in cls:  # AddOneProb.freq: float(get(key)[1]) / total
            d = c["d"]
            wlogs.append(log(float(d[w] if w in d else c["none"]) / c["total"]))
    unseen = [log(float(c["none"]) / c["total"]) for c in cls]
    arrays = {
        "cmap": cmap,
        "unk": unk,
        "ulog": ulog,
        "bptr": bptr,
        "bkeys": bkeys,
        "bvals": bvals,
        "tptr": tptr,
        "tkeys": tkeys,
        "tvals": tvals,
        "wlogs": wlogs,
    }
    meta = {
        "nc": nc,
        "bos": bos,
        "status": list(status),
        "classes": classes,
        "prior": prior,
        "unseen": unseen,
        "vocab": vocab,
        "stop": sorted(stop),
    }
    return arrays, meta


# --------------------------------------------------------------------------- disk cache


def _cache_dir() -> str:
    from analysis.config import user_cache_dir

    return str(user_cache_dir())


def _cache_path(digest: str) -> str:
    return os.path.join(_cache_dir(), f"snowfast-v{_FORMAT}-{digest[:32]}.bin")


def _dump(arrays: dict, meta: dict, digest: str) -> bytes:
    layout = []
    off = 0
    for name in _ARRAYS:
        a = arrays[name]
        layout.append([name, a.typecode, off, len(a)])
        off += -(-len(a) * a.itemsize // 8) * 8
    header = {
        "format": _FORMAT,
        "source": digest,
        "byteorder": sys.byteorder,
        "itemsize": {tc: array.array(tc).itemsize for tc in "bidq"},
        "arrays": layout,
        "meta": meta,
    }
    hb = json.dumps(header, ensure_ascii=False).encode("utf-8")
    hb += b" " * (-(len(hb) + _HEAD.size) % 8)
    body = bytearray(hb)
    for name in _ARRAYS:
        raw = arrays[name].tobytes()
        body += raw + bytes(-len(raw) % 8)
    tail = struct.pack("<Q", len(hb)) + bytes(body)
    return _HEAD.pack(_MAGIC, _FORMAT, zlib.crc32(tail), len(hb)) + tail[8:]


def _parse(data: bytes, digest: str) -> tuple[dict, dict]:
    """Arrays and meta of a cache file; ValueError if it is not exactly what we wrote."""
    if len(data) < _HEAD.size:
        raise ValueError("truncated")
    magic, fmt, crc, hlen = _HEAD.unpack_from(data)
    if magic != _MAGIC or fmt != _FORMAT:
        raise ValueError("not a snowfast model of this format")
    if zlib.crc32(memoryview(data)[16:]) != crc:
        raise ValueError("checksum mismatch")
    body = memoryview(data)[_HEAD.size :]
    if hlen > len(body):
        raise ValueError("truncated")
    header = json.loads(bytes(body[:hlen]).decode("utf-8"))
    if (
        header.get("format") != _FORMAT
        or header.get("source") != digest
        or header.get("byteorder") != sys.byteorder
        or header.get("itemsize") != {tc: array.array(tc).itemsize for tc in "bidq"}
    ):
        raise ValueError("cache made for other sources or another platform")
    arrays = {}
    base = hlen
    for name, tc, off, n in header["arrays"]:
        a = array.array(tc)
        lo = base + off
        hi = lo + n * a.itemsize
        if hi > len(body):
            raise ValueError("truncated")
        a.frombytes(body[lo:hi])
        arrays[name] = a
    if set(arrays) != set(_ARRAYS):
        raise ValueError("missing arrays")
    return arrays, header["meta"]


def _check(arrays: dict, meta: dict) -> None:
    """Cheap consistency checks of the compact model (sizes and index ranges)."""
    nc, bos = meta["nc"], meta["bos"]
    ok = (
        len(arrays["cmap"]) == _CJK_LAST - _CJK_FIRST + 1
        and 0 <= min(arrays["cmap"])
        and max(arrays["cmap"]) < nc
        and bos == nc - 2
        and len(arrays["unk"]) == nc
        and len(arrays["ulog"]) == nc * 4
        and len(meta["status"]) == 4
        and len(meta["prior"]) == len(meta["classes"]) == len(meta["unseen"])
        and len(arrays["wlogs"]) == len(meta["vocab"]) * len(meta["classes"])
    )
    for pre in ("b", "t"):  # the search reads only inside [ptr[c], ptr[c+1])
        ptr, keys, vals = arrays[pre + "ptr"], arrays[pre + "keys"], arrays[pre + "vals"]
        ok = (
            ok
            and len(ptr) == nc + 1
            and ptr[0] == 0
            and ptr[nc] == len(keys) == len(vals)
            and all(ptr[i] <= ptr[i + 1] for i in range(nc))
        )
    if not ok:
        raise ValueError("inconsistent snowfast model")


def _read_cache(path: str, digest: str):
    try:
        with open(path, "rb") as f:
            data = f.read()
        arrays, meta = _parse(data, digest)
        _check(arrays, meta)
        return arrays, meta
    except (OSError, ValueError, KeyError, TypeError, IndexError, UnicodeDecodeError, struct.error):
        return None


def _write_cache(path: str, blob: bytes) -> bool:
    """Atomically write ``blob`` to ``path``; False (and nothing left behind) if that fails."""
    import tempfile

    tmp = None
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".snowfast-", suffix=".tmp", dir=os.path.dirname(path))
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        return True
    except OSError:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        return False


def _model_arrays():
    """(arrays, meta, origin): live objects, else the disk cache, else the files (and
    then the cache is written)."""
    live = _live_sources()
    if live is not None:
        arrays, meta = _compile(*live)
        _check(arrays, meta)
        return arrays, meta, "snownlp objects"
    base = _snownlp_dir()
    digest = _source_digest(base)
    path = _cache_path(digest)
    got = _read_cache(path, digest)
    if got is not None:
        return got[0], got[1], "disk cache"
    arrays, meta = _compile(*_file_sources(base))
    _check(arrays, meta)
    written = _write_cache(path, _dump(arrays, meta, digest))
    return arrays, meta, "snownlp files" + ("" if written else " (cache not writable)")


# --------------------------------------------------------------------------- model


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


# --------------------------------------------------------------------------- public API


def load() -> _Model:
    """Load (once) and return the model; called implicitly by the other functions."""
    global _model
    if _model is None:
        arrays, meta, origin = _model_arrays()
        _model = _Model(arrays, meta, origin)
    return _model


def words(text: str) -> list[str]:
    """SnowNLP's sentiment tokens before stopword filtering (== ``snownlp.seg.seg(text)``)."""
    return load().words(text)


def score(text: str) -> float:
    """``SnowNLP(text).sentiments``, exactly; ``NEUTRAL`` (0.5) for empty/whitespace-only."""
    if text is None or not str(text).strip():
        return NEUTRAL
    return load().score(str(text))


def score_many(texts) -> list[float]:
    """``[score(t) for t in texts]``; each distinct text is scored once and the new CJK
    runs of the whole batch are segmented together."""
    m = load()
    keys = []
    for t in texts:
        keys.append(None if t is None or not str(t).strip() else str(t))
    scored = m.score_texts([k for k in keys if k is not None])
    it = iter(scored)
    return [NEUTRAL if k is None else next(it) for k in keys]


def prepare_compiled() -> bool:
    """Load the model and the compiled search now (numba's cache, one tiny call),
    as a parent process does before forking workers that will all need it:
    they then share it instead of each loading it. Returns whether the compiled
    search is in use (False with ``ANALYSIS_SNOWFAST_JIT=0`` or without numba).
    Results are the same either way."""
    m = load()
    if os.environ.get("ANALYSIS_SNOWFAST_JIT", "") == "0" or _jit_kernel() is None:
        return False
    if not _Jit.checked:
        m._segment_batch(["留守儿童"], 4)
    return _Jit.kernel is not None


def reset() -> None:
    """Drop the loaded model; the next call loads it again (e.g. after snownlp.seg.load)."""
    global _model
    _model = None


def clear_caches() -> None:
    """Forget memoised segmentations and scores (results do not change)."""
    if _model is not None:
        _model.clear_caches()
