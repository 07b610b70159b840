"""The seed's sentences straight from data/raw (split at its 篇N lines,
placeholders normalised to XX as the build does, no other cleaning): a
fast stand-in for a full build in the tagging, entity and privacy tests."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis import config
from analysis.segment import split_sentences
from analysis.split import split_essays

SEED = config.RAW_DIR / "000_b48da6632217a0ce.txt"
PLACEHOLDER_RE = re.compile(r"xxx|xx|~~|××", re.IGNORECASE)


def seed_sentences() -> pd.DataFrame:
    """The seed's sentences (essay_id seed-NN), placeholders normalised to XX."""
    if not SEED.is_file():
        pytest.skip("seed corpus not in data/raw")
    _, chunks = split_essays(SEED.read_text(encoding="utf-8"))
    rows = []
    for c in chunks:
        eid = f"seed-{c.ordinal:02d}"
        k = 0
        for line in c.lines:
            for s in split_sentences(PLACEHOLDER_RE.sub("XX", line.strip())):
                k += 1
                rows.append({"essay_id": eid, "sentence_id": f"{eid}-s{k:04d}", "text": s})
    return pd.DataFrame(rows)
