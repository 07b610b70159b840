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

The package
-----------
``__init__`` holds the public API (``load``, ``score``, ``score_many``,
``words``, ``prepare_compiled``, ``reset``, ``clear_caches``) and where the
model comes from (``_model_arrays``: SnowNLP's live objects, else the disk
cache, else SnowNLP's files); the parts below it:

* ``sources`` - SnowNLP's model, from its live objects or its files, and the
  digest of those files;
* ``compact`` - building the compact model from them (``_compile``);
* ``cachefile`` - the compact model on disk: format, checks, atomic writes;
* ``search`` - the tagging search (``_tag_runs``), compiled with numba or
  interpreted;
* ``model`` - ``_Model``: segmentation driver, Bayes part and memo caches.
"""

from __future__ import annotations

import os

# the parts' names stay importable from here, as before the split (tests use some)
from analysis.fast.snowfast.cachefile import (  # noqa: F401
    _ARRAYS,
    _FORMAT,
    _HEAD,
    _MAGIC,
    _cache_dir,
    _cache_path,
    _check,
    _dump,
    _parse,
    _read_cache,
    _write_cache,
)
from analysis.fast.snowfast.compact import _CJK_FIRST, _CJK_LAST, _NEG_INF, _compile, _div  # noqa: F401
from analysis.fast.snowfast.model import (  # noqa: F401
    _BATCH_CHARS,
    _CHUNK_CACHE_MAX,
    _RE_ZH,
    _SCORE_CACHE_MAX,
    _Model,
)
from analysis.fast.snowfast.search import _JIT_MIN_CHARS, _Jit, _jit_kernel, _kernel_for, _tag_runs  # noqa: F401
from analysis.fast.snowfast.sources import (  # noqa: F401
    _SOURCE_FILES,
    _file_sources,
    _live_sources,
    _load_marshal,
    _snownlp_dir,
    _source_digest,
)

__all__ = ["prepare_compiled", "score", "score_many", "words", "load", "reset", "clear_caches", "NEUTRAL"]

NEUTRAL = 0.5  # score of empty / whitespace-only text (SnowNLP fails on "")

_model: _Model | None = None


# --------------------------------------------------------------------------- where the model comes from


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
