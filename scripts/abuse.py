"""The fault-and-abuse cases, run as a user would meet them: each case sets up
a folder, runs a command, and checks what happened. Prints a table — case,
expected, observed, ok — and exits 1 if any case fails.

    .venv/bin/python scripts/abuse.py            # every case (a few minutes)
    .venv/bin/python scripts/abuse.py -k lock    # the cases whose name holds 'lock'

The fast versions of these cases are tests (tests/test_faults.py,
tests/test_cli_errors.py, tests/test_long_input.py); this script adds the
slow ones (killed processes, a two-million-character line, a full disk where
a small tmpfs can be mounted) and shows the whole list to the next tester.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
ESSAY = (
    "关爱留守儿童\n\n我们班的小明今年十岁，父母在外打工，他和奶奶住在一起。老师经常关心他的学习，同学们也常常帮助他。\n"
)
OTHER = "第一篇：奶奶的手\n\n奶奶的手很粗糙，那是干了一辈子农活留下的。每天放学，奶奶都在村口等我回家。\n"


@dataclass
class Case:
    name: str
    expected: str
    run: Callable[[Path], str | None]  # returns what was observed when it went wrong, None when as expected


CASES: list[Case] = []


def case(name: str, expected: str):
    def add(fn):
        CASES.append(Case(name, expected, fn))
        return fn

    return add


def cli(*args: str, env: dict | None = None, timeout: float = 300, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PY, "-m", "analysis", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )


def raw_folder(tmp: Path, files: dict[str, str | bytes], name: str = "raw") -> Path:
    raw = tmp / name
    raw.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        p = raw / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return raw


def one_line_error(r: subprocess.CompletedProcess, *must: str, code: int = 2) -> str | None:
    """None when ``r`` exited with ``code`` and one stderr line naming each of ``must``."""
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    if r.returncode != code or len(lines) != 1 or "Traceback" in r.stderr:
        return f"exit {r.returncode}, {len(lines)} stderr line(s): {r.stderr.strip()[-160:]!r}"
    missing = [m for m in must if m not in lines[0]]
    return f"message lacks {missing}: {lines[0][:160]!r}" if missing else None


def visible(out: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.iterdir())
        if p.is_file() and p.suffix in (".parquet", ".csv")
    }


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def descendants(pid: int) -> list[int]:
    out = []
    for c in children(pid):
        out += [c, *descendants(c)]
    return out


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def kill_and_count_survivors(proc: subprocess.Popen, sig: int, wait_for: int) -> tuple[int, int]:
    """Wait until ``proc`` has ``wait_for`` descendants, send ``sig``; (descendants seen, alive 3 s later)."""
    seen: list[int] = []
    for _ in range(600):
        time.sleep(0.1)
        seen = descendants(proc.pid)
        if len(seen) >= wait_for:
            break
    os.kill(proc.pid, sig)
    proc.wait()
    time.sleep(3)
    left = [p for p in seen if alive(p)]
    for p in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(p, signal.SIGKILL)
    return len(seen), len(left)


def many_essays(n: int) -> dict[str, str]:
    return {f"f{i:02d}.txt": ESSAY.replace("小明", f"小明{i}") * 150 for i in range(n)}


# ------------------------------------------------------------------ processes


@case("build killed (SIGKILL) mid-way", "its workers die with it; the next build starts at once")
def _killed_build(tmp: Path):
    return _kill_build(tmp, signal.SIGKILL)


@case("build killed (SIGTERM) mid-way", "its workers die with it; the next build starts at once")
def _termed_build(tmp: Path):
    return _kill_build(tmp, signal.SIGTERM)


def _kill_build(tmp: Path, sig: int):
    raw = raw_folder(tmp, many_essays(24))
    out = tmp / "out"
    proc = subprocess.Popen(
        [PY, "-m", "analysis", "build", "--raw", str(raw), "--out", str(out), "--no-cache", "--jobs", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    seen, left = kill_and_count_survivors(proc, sig, 2)
    if seen < 2:
        return f"the build started {seen} worker(s) before it was killed"
    if left:
        return f"{left} of {seen} processes outlived the build"
    t = time.monotonic()
    r = cli("build", "--raw", str(raw), "--out", str(out), "--lock-timeout", "5")
    if r.returncode:
        return f"next build failed: {r.stderr.strip()[-200:]}"
    return None if time.monotonic() - t < 60 else "the next build waited"


@case("report killed (SIGKILL) while rendering", "no worker, kernel or resource tracker left")
def _killed_report(tmp: Path):
    out = tmp / "data"
    r = cli("build", "--raw", str(ROOT / "data" / "raw"), "--out", str(out))
    if r.returncode:
        return f"build failed: {r.stderr[-200:]}"
    proc = subprocess.Popen(
        [PY, "-m", "analysis", "report", "--data", str(out), "--out", str(tmp / "reports"), "--jobs", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    seen, left = kill_and_count_survivors(proc, signal.SIGKILL, 5)
    return None if seen >= 3 and not left else f"{left} of {seen} processes left behind"


@case("a second build into a locked folder", "says who holds it (pid), gives up after --lock-timeout, exit 2")
def _locked(tmp: Path):
    import fcntl

    raw = raw_folder(tmp, {"a.txt": ESSAY})
    out = tmp / "out"
    out.mkdir()
    fd = os.open(out / ".lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, b"4242\n")
    try:
        t = time.monotonic()
        r = cli("build", "--raw", str(raw), "--out", str(out), "--lock-timeout", "2")
        took = time.monotonic() - t
    finally:
        os.close(fd)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    if r.returncode != 2 or not any("pid 4242" in ln and "waiting" in ln for ln in lines):
        return f"exit {r.returncode}: {r.stderr.strip()[-200:]!r}"
    return None if took < 30 and "--lock-timeout" in lines[-1] else f"took {took:.0f} s: {lines[-1]!r}"


# --------------------------------------------------------------- atomic sets

FAULT_STEPS = ("write", "write#9", "staged", "link", "link#15", "before-switch", "after-switch")


@case("build killed at each step of writing its tables", "readers see the old set or the new set, never a mix")
def _atomic(tmp: Path):
    raw_a = raw_folder(tmp, {"a.txt": ESSAY}, "raw_a")
    raw_b = raw_folder(tmp, {"a.txt": ESSAY, "b.txt": OTHER}, "raw_b")
    cli("build", "--raw", str(raw_b), "--out", str(tmp / "want"))
    new = visible(tmp / "want")
    bad = []
    for step in FAULT_STEPS:
        out = tmp / f"out-{step.replace('#', '-')}"
        cli("build", "--raw", str(raw_a), "--out", str(out))
        old = visible(out)
        r = cli("build", "--raw", str(raw_b), "--out", str(out), env={"ANALYSIS_FAULT_AT": step})
        if r.returncode != -signal.SIGKILL:
            bad.append(f"{step}: not killed (exit {r.returncode})")
            continue
        if visible(out) not in (old, new):
            bad.append(f"{step}: a mix")
        cli("build", "--raw", str(raw_b), "--out", str(out))
        if visible(out) != new or any(p.name.startswith((".staging", ".link-")) for p in out.iterdir()):
            bad.append(f"{step}: the next build did not clean up")
    return "; ".join(bad) or None


# ----------------------------------------------------------------- raw input


@case("link to /etc/passwd, broken link, link loop", "each skipped with its reason; the rest built")
def _links(tmp: Path):
    raw = raw_folder(tmp, {"a.txt": ESSAY})
    (raw / "passwd.txt").symlink_to("/etc/passwd")
    (raw / "broken.txt").symlink_to(tmp / "nowhere")
    (raw / "sub").mkdir()
    (raw / "sub" / "loop").symlink_to("..")
    r = cli("build", "--raw", str(raw), "--out", str(tmp / "out"))
    want = ("skipped passwd.txt: symbolic link to outside", "skipped broken.txt: broken", "skipped sub/loop: symbolic")
    missing = [w for w in want if w not in r.stdout + r.stderr]
    return f"exit {r.returncode}; missing {missing}" if r.returncode or missing else None


@case("x.txt, x.TXT and x.text in one folder", "three essays with unique ids")
def _collide(tmp: Path):
    import pandas as pd

    raw = raw_folder(tmp, {"x.txt": ESSAY, "x.TXT": ESSAY.replace("小明", "小红"), "x.text": OTHER})
    r = cli("build", "--raw", str(raw), "--out", str(tmp / "out"))
    if r.returncode:
        return r.stderr[-200:]
    e = pd.read_parquet(tmp / "out" / "essays.parquet")
    s = pd.read_parquet(tmp / "out" / "sentences.parquet")
    ok = len(e) == 3 and e["essay_id"].is_unique and s["sentence_id"].is_unique
    return None if ok else f"{len(e)} essays, ids {e['essay_id'].tolist()}"


@case("a file of random bytes alone in the folder", "exit 2, the file named with its reason")
def _random_bytes(tmp: Path):
    raw = raw_folder(tmp, {"noise.txt": os.urandom(4000)})
    return one_line_error(cli("build", "--raw", str(raw), "--out", str(tmp / "out")), "noise.txt")


@case("a file mixing UTF-8 and GBK lines", "skipped; the first line that is not UTF-8 named")
def _mixed(tmp: Path):
    raw = raw_folder(
        tmp, {"a.txt": ESSAY, "m.txt": "留守儿童的故事\n".encode() + "奶奶每天都在村口等我。\n".encode("gbk")}
    )
    r = cli("build", "--raw", str(raw), "--out", str(tmp / "out"))
    return None if "skipped m.txt: mixed encodings: line 2" in r.stdout + r.stderr else r.stdout[-300:]


@case("an unreadable file (chmod 000)", "skipped with 'permission denied'; the rest built")
def _unreadable(tmp: Path):
    if os.geteuid() == 0:
        return "n/a as root (root reads every file; tests/test_faults.py covers it by simulation)"
    raw = raw_folder(tmp, {"a.txt": ESSAY, "b.txt": OTHER})
    (raw / "b.txt").chmod(0)
    r = cli("build", "--raw", str(raw), "--out", str(tmp / "out"))
    return None if r.returncode == 0 and "permission denied" in r.stdout + r.stderr else r.stderr[-200:]


@case("headings ending in ！ ； ？", "each essay split at its heading")
def _punct_headings(tmp: Path):
    import pandas as pd

    text = (
        "第一篇：妈妈，我想你！\n\n妈妈去城里打工已经三年了，我每天晚上都会想起她。\n\n"
        "第二篇：爸爸，你什么时候回来？\n\n爸爸在工地上干活，过年才回来一次。\n\n"
        "第三篇：我的心愿；\n\n我希望一家人能在一起吃顿团圆饭。\n"
    )
    raw = raw_folder(tmp, {"a.txt": text})
    cli("build", "--raw", str(raw), "--out", str(tmp / "out"))
    e = pd.read_parquet(tmp / "out" / "essays.parquet")
    return None if len(e) == 3 else f"{len(e)} essays: {e['title'].tolist()}"


@case("a heading pattern that backtracks without end ((啊|啊啊)+$)", "a one-line error naming it, exit 2, at once")
def _catastrophic_heading_pattern(tmp: Path):
    raw = raw_folder(tmp, {"a.txt": "第一篇 妈妈\n我想念妈妈。\n" + "啊" * 40 + "！\n"})
    t0 = time.monotonic()
    r = cli("build", "--raw", str(raw), "--out", str(tmp / "out"), "--heading-pattern", "(啊|啊啊)+$")
    took = time.monotonic() - t0
    ok = r.returncode == 2 and "took more than" in r.stderr and "Traceback" not in r.stderr and took < 30
    return None if ok else f"exit {r.returncode} after {took:.0f} s: {r.stderr[-200:]}"


# ---------------------------------------------------------------------- cache


@case("a cache fragment with a renamed column", "discarded with a warning; the tables as before")
def _damaged_cache(tmp: Path):
    import pyarrow.parquet as pq

    raw = raw_folder(tmp, {"a.txt": ESSAY, "b.txt": OTHER})
    out = tmp / "out"
    cli("build", "--raw", str(raw), "--out", str(out))
    before = visible(out)
    for f in sorted((out / ".cache").glob("b-*/sentences.parquet")):
        t = pq.read_table(f)
        if "text" in t.column_names:
            pq.write_table(t.rename_columns(["txt" if c == "text" else c for c in t.column_names]), f)
            break
    r = cli("build", "--raw", str(raw), "--out", str(out))
    after = {k: v for k, v in visible(out).items() if k in before}
    if "discarded" not in r.stderr:
        return f"no warning: {r.stderr[-200:]!r}"
    data_tables = {k: v for k, v in before.items() if not k.startswith("manifest")}
    return None if {k: after[k] for k in data_tables} == data_tables else "the tables changed"


@case("build on a full disk (a 3 MB tmpfs)", "exit 2, one line; no partial cache or tables left")
def _full_disk(tmp: Path):
    mnt = tmp / "small"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)], capture_output=True).returncode:
        return "n/a (cannot mount a tmpfs here)"
    try:
        raw = raw_folder(tmp, many_essays(30))
        r = cli("build", "--raw", str(raw), "--out", str(mnt / "out"))
        bad = one_line_error(r, "space")
        used = sum(p.stat().st_size for p in (mnt / "out").rglob("*") if p.is_file())
        return bad or (None if used < 64_000 else f"{used} bytes left on the full disk")
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


# ---------------------------------------------------------------- long input


@case("one line of 2,000,000 characters without punctuation", "builds in under a minute, bounded memory")
def _long_line(tmp: Path):
    words = "我们班的小明今年十岁父母在外打工他和奶奶住在一起老师经常关心他的学习同学们也常常帮助他"
    text = "关爱留守儿童\n\n" + (words * (2_000_000 // len(words) + 1))[:2_000_000] + "\n"
    raw = raw_folder(tmp, {"long.txt": text})
    t = time.monotonic()
    r = cli("build", "--raw", str(raw), "--out", str(tmp / "out"), "--no-cache", timeout=600)
    took = time.monotonic() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if r.returncode:
        return f"exit {r.returncode}: {r.stderr[-200:]}"
    return None if took < 60 else f"{took:.0f} s (peak {peak:.0f} MB)"


# ------------------------------------------------------------------- the CLI


@case("annotate a Big5 file", "exit 2, one line naming the file and why")
def _annotate_big5(tmp: Path):
    f = tmp / "big5.txt"
    f.write_bytes("關愛留守兒童，老師經常關心他的學習。\n".encode("big5"))
    return one_line_error(cli("annotate", str(f)), "big5.txt")


@case("report -f with malformed YAML", "exit 2, one line naming the file")
def _bad_yaml(tmp: Path):
    f = tmp / "p.yaml"
    f.write_text("sentiment: [method: snownlp\n", encoding="utf-8")
    return one_line_error(cli("report", "sentiment", "-f", str(f), "--out", str(tmp / "r")), "p.yaml")


@case("report -f with a GBK file", "exit 2, one line naming the file")
def _gbk_yaml(tmp: Path):
    f = tmp / "p.yaml"
    f.write_bytes("sentiment:\n  title: 留守儿童\n".encode("gbk"))
    return one_line_error(cli("report", "sentiment", "-f", str(f), "--out", str(tmp / "r")), "p.yaml")


@case("build --jobs -3", "exit 2, one line naming --jobs")
def _jobs(tmp: Path):
    raw = raw_folder(tmp, {"a.txt": ESSAY})
    return one_line_error(cli("build", "--raw", str(raw), "--out", str(tmp / "o"), "--jobs", "-3"), "--jobs")


@case("build --scheduler without --engine dask", "exit 2, one line")
def _scheduler_alone(tmp: Path):
    raw = raw_folder(tmp, {"a.txt": ESSAY})
    r = cli("build", "--raw", str(raw), "--out", str(tmp / "o"), "--scheduler", "tcp://127.0.0.1:8786")
    return one_line_error(r, "--scheduler")


@case("build --engine dask with a dead scheduler", "exit 2, one line, within the timeout")
def _dead_scheduler(tmp: Path):
    raw = raw_folder(tmp, {"a.txt": ESSAY})
    t = time.monotonic()
    r = cli("build", "--raw", str(raw), "--out", str(tmp / "o"), "--engine", "dask", "--scheduler", "tcp://127.0.0.1:1")
    bad = one_line_error(r, "127.0.0.1:1")
    return bad or (None if time.monotonic() - t < 25 else f"took {time.monotonic() - t:.0f} s")


@case("build --engine dask with a malformed address", "exit 2 at once, one line")
def _bad_scheduler(tmp: Path):
    raw = raw_folder(tmp, {"a.txt": ESSAY})
    r = cli("build", "--raw", str(raw), "--out", str(tmp / "o"), "--engine", "dask", "--scheduler", "tcp://host:port")
    return one_line_error(r, "--scheduler")


@case("--out is a file", "exit 2, one line naming it")
def _out_is_file(tmp: Path):
    raw = raw_folder(tmp, {"a.txt": ESSAY})
    f = tmp / "file"
    f.write_text("x")
    return one_line_error(cli("build", "--raw", str(raw), "--out", str(f / "out")), str(f))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-k", default="", help="run only the cases whose name contains this text")
    args = ap.parse_args(argv)
    rows = []
    for c in CASES:
        if args.k.lower() not in c.name.lower():
            continue
        tmp = Path(tempfile.mkdtemp(prefix="abuse-"))
        t = time.monotonic()
        try:
            wrong = c.run(tmp)
        except Exception as exc:  # noqa: BLE001 — a case that crashes is reported, the others still run
            wrong = f"the case crashed: {exc.__class__.__name__}: {exc}"
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        status = "n/a" if wrong and wrong.startswith("n/a") else ("ok" if wrong is None else "FAIL")
        rows.append((c.name, c.expected, "as expected" if wrong is None else wrong, status, time.monotonic() - t))
        print(f"{status:>4}  {c.name}  ({rows[-1][4]:.1f} s)", file=sys.stderr, flush=True)
    width = max(len(r[0]) for r in rows) if rows else 10
    print(f"\n{'case':<{width}}  {'ok':<4}  expected / observed")
    for name, expected, observed, status, _ in rows:
        print(f"{name:<{width}}  {status:<4}  expected: {expected}")
        print(f"{'':<{width}}        observed: {observed}")
    return 1 if any(r[3] == "FAIL" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
