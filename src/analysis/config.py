"""Every path the toolkit uses, in one place.

No other module hard-codes a path: they import these constants (and accept a
parameter that overrides them).
"""

from __future__ import annotations

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
CACHE_DIR_NAME = ".cache"  # under the output folder of a build

KERNEL_NAME = "analysis"
RANDOM_SEED = 20261129
