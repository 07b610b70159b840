"""The seed's sentences straight from data/raw (split at its 篇N lines,
placeholders normalised to XX as the build does, no other cleaning): a
fast stand-in for a full build in the tagging, entity and privacy tests."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis import config
from analysis.ingest.segment import split_sentences
from analysis.ingest.split import split_essays

SEED = config.RAW_DIR / "000_b48da6632217a0ce.txt"
PLACEHOLDER_RE = re.compile(r"xxx|xx|~~|××", re.IGNORECASE)


def seed_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(essays, paragraphs, sentences) of the seed: essay_id seed-NN; essays
    with text (paragraphs joined by "\n"); paragraphs with paragraph_id and
    ordinal; sentences with paragraph_id, sentence_id and ordinal."""
    if not SEED.is_file():
        pytest.skip("seed corpus not in data/raw")
    _, chunks = split_essays(SEED.read_text(encoding="utf-8"))
    essays, paragraphs, sentences = [], [], []
    for c in chunks:
        eid = f"seed-{c.ordinal:02d}"
        paras = [PLACEHOLDER_RE.sub("XX", line.strip()) for line in c.lines if line.strip()]
        essays.append({"essay_id": eid, "text": "\n".join(paras)})
        k = 0
        for j, p in enumerate(paras, 1):
            pid = f"{eid}-p{j:03d}"
            paragraphs.append({"essay_id": eid, "paragraph_id": pid, "ordinal": j, "text": p})
            for s in split_sentences(p):
                k += 1
                sentences.append(
                    {"essay_id": eid, "paragraph_id": pid, "sentence_id": f"{eid}-s{k:04d}", "ordinal": k, "text": s}
                )
    return pd.DataFrame(essays), pd.DataFrame(paragraphs), pd.DataFrame(sentences)


def seed_sentences() -> pd.DataFrame:
    """The seed's sentences (essay_id, sentence_id, text)."""
    return seed_tables()[2][["essay_id", "sentence_id", "text"]]
