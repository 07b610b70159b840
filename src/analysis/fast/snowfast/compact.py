"""Building the compact model of :mod:`analysis.fast.snowfast` from SnowNLP's
segmenter counts, Bayes counts and stopwords: every transition score and
per-word log-likelihood computed once, with SnowNLP's own expressions (see the
package doc, "The compact model")."""

from __future__ import annotations

import array
import itertools
from math import log

_CJK_FIRST, _CJK_LAST = 0x4E00, 0x9FA5
_NEG_INF = float("-inf")


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
