"""The bundled corpus's build, summarised table by table: a regression
snapshot that a change of layout, a rename inside the code or a speed-up must
leave as it is (tests/test_build.py compares every build of the suite with it).

Each table is summarised by its row count, its columns and a digest of its
values (floats to nine significant digits, so the last bits of a platform's
arithmetic do not count). The snapshot is in tests/fixtures/seed_snapshot.json.
A change that is meant to change the bundled corpus's tables (a new cleaning
rule, a tuned detector) refreshes it, and the diff shows which tables moved::

    .venv/bin/python tests/seed_snapshot.py          # rebuild the seed, rewrite the snapshot
    .venv/bin/python tests/seed_snapshot.py --check  # compare only (exit 1 on a difference)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

SNAPSHOT = Path(__file__).parent / "fixtures" / "seed_snapshot.json"
# every table a build writes; none of them holds a time, a path or a machine's name
TABLES = (
    "essays",
    "paragraphs",
    "sentences",
    "headings",
    "numbers",
    "cleaning_log",
    "quality_flags",
    "skipped",
    "files",
    "entities",
    "name_candidates",
    "pseudonyms",
    "privacy_review",
    "reuse",
)


def _canonical(value):
    """A cell as JSON-ready data: arrays as lists, floats to nine significant digits, NaN and None alike."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, (np.generic,)):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, float):
        return float(f"{value:.9g}")
    return value


def table_summary(df: pd.DataFrame) -> dict:
    """{"rows", "columns", "digest"} of one table."""
    h = hashlib.sha256()
    for row in df.itertuples(index=False, name=None):
        h.update(json.dumps([_canonical(v) for v in row], ensure_ascii=False, default=str).encode("utf-8"))
        h.update(b"\n")
    return {"rows": len(df), "columns": list(map(str, df.columns)), "digest": h.hexdigest()[:16]}


def summarise(out_dir: Path) -> dict[str, dict]:
    from analysis import io as aio

    return {name: table_summary(aio.read_table(out_dir, name)) for name in TABLES}


def differences(now: dict[str, dict], then: dict[str, dict]) -> list[str]:
    """One line per table whose summary differs (what differs: rows, columns or values)."""
    out = []
    for name in sorted(set(now) | set(then)):
        a, b = now.get(name), then.get(name)
        if a == b:
            continue
        if a is None or b is None:
            out.append(f"{name}: {'missing now' if a is None else 'not in the snapshot'}")
        elif a["columns"] != b["columns"]:
            gone = [c for c in b["columns"] if c not in a["columns"]]
            new = [c for c in a["columns"] if c not in b["columns"]]
            out.append(f"{name}: columns changed (gone {gone}, new {new}, or reordered)")
        elif a["rows"] != b["rows"]:
            out.append(f"{name}: {b['rows']} rows in the snapshot, {a['rows']} now")
        else:
            out.append(f"{name}: same rows and columns, different values")
    return out


def load() -> dict[str, dict]:
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the stored snapshot; do not write")
    args = ap.parse_args(argv)
    from analysis import config
    from analysis.pipeline.build import build

    with tempfile.TemporaryDirectory(prefix="seed-snapshot-") as t:
        build(config.RAW_DIR, Path(t) / "processed", progress=False, warn=lambda _: None)
        now = summarise(Path(t) / "processed")
    if args.check:
        diff = differences(now, load())
        print("\n".join(diff) or "the seed's build matches its snapshot")
        return 1 if diff else 0
    SNAPSHOT.write_text(json.dumps(now, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
