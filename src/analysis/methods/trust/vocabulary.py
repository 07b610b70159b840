"""How close a corpus is to the reference samples: the share of its most frequent
content words among theirs."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.methods import samples
from analysis.methods.trust.reference_samples import reference


def _top_words(texts: Sequence[str] | None = None, k: int = 300, *, token_lists=None) -> list[str]:
    from collections import Counter

    from analysis.ingest.segment import content_tokens, tokenize

    counts: Counter = Counter()
    lists = token_lists if token_lists is not None else (tokenize(str(t)) for t in texts)
    for toks in lists:
        counts.update(w for w in content_tokens(list(toks)) if len(w) >= 2)
    return [w for w, _ in counts.most_common(k)]


def similarity(token_lists, *, k: int = 300) -> pd.DataFrame:
    """How close a corpus is to each reference sample: the share of the
    corpus's ``k`` most frequent content words (two characters or more) that
    are among the sample's ``k`` most frequent — 1 when the vocabularies
    coincide, 0 when they share nothing."""
    mine = set(_top_words(token_lists=token_lists, k=k))
    ref = reference("sentiment")["top_words"]
    rows = []
    for name in samples.names("sentences"):
        spec = samples.SAMPLES[(name, "sentences")]
        rows.append(
            {
                "sample": name,
                "what it is": spec.description,
                "shared top words": round(len(mine & set(ref.get(name, [])[:k])) / max(1, len(mine)), 2),
            }
        )
    return pd.DataFrame(rows)
