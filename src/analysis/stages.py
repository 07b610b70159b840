"""The analysis stages of a build, in order, wired to the stage modules.

Per-essay stages take the dict of one essay's tables and return it with
columns or tables added; corpus stages do the same on the whole corpus.
"""

from __future__ import annotations

import pandas as pd

Tables = dict[str, pd.DataFrame]

ESSAY_STAGES: list = []
CORPUS_STAGES: list = []
