"""SnowNLP's model as :mod:`analysis.fast.snowfast` reads it: from SnowNLP's
live objects when ``snownlp`` is imported, else from the files SnowNLP itself
loads, and the digest of those files that keys the disk cache."""

from __future__ import annotations

import codecs
import gzip
import hashlib
import marshal
import os
import sys

_SOURCE_FILES = (("seg", "seg.marshal.3"), ("sentiment", "sentiment.marshal.3"), ("normal", "stopwords.txt"))


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
