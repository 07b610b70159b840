"""What every part of :mod:`analysis.methods.trust` shares: the error, the constants,
and how figures are stored (tables as ``orient="split"`` JSON, creation times)."""

from __future__ import annotations

import datetime as _dt
import json

import pandas as pd


VALIDATION_DIR = "validation"  # inside a data folder
FORMAT = 1
N_BOOT = 500
UNITS = ("sentences", "paragraphs", "essays")
TAGS = ("genre", "narrator", "school_level")


class TrustError(ValueError):
    """A coded sheet or sample request that cannot be used (the message says which and why)."""


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


def _records(df: pd.DataFrame) -> dict:
    return json.loads(df.to_json(orient="split", force_ascii=False, index=False))


def table(stored: dict) -> pd.DataFrame:
    """A table stored by this module (``orient="split"``) as a DataFrame."""
    return pd.DataFrame(stored["data"], columns=stored["columns"])


def _codes() -> list[str]:
    from analysis.methods import themes

    return list(themes.load_codebook().ids)
