"""Small table helpers shared by the stage modules."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd


def require(df: pd.DataFrame, columns: Iterable[str], where: str) -> None:
    """A clear KeyError when ``df`` lacks any of ``columns``: what needed them
    (``where``), which are missing and which the table has."""
    missing = [
        c for c in (sorted(columns) if isinstance(columns, (set, frozenset)) else columns) if c not in df.columns
    ]
    if missing:
        raise KeyError(f"{where}: table lacks columns {', '.join(missing)} (has: {', '.join(map(str, df.columns))})")


def isin(col: pd.Series, values) -> np.ndarray:
    """``col.isin(values).to_numpy()`` for a column of strings (ids) and a large
    set of them: pandas turns each value of ``values`` into an Arrow scalar
    first for an Arrow-backed string column, which takes a noticeable time per
    call for thousands of values; here they are hashed once."""
    values = values if isinstance(values, (set, frozenset, dict)) else set(values)
    return np.fromiter((v in values for v in col.tolist()), dtype=bool, count=len(col))


def row_groups(df: pd.DataFrame, by: str = "essay_id") -> dict[str, list[int]] | None:
    """Row positions per value of ``by``, keys in first-seen order, rows in table
    order, missing keys (None, NaN) dropped: what ``df.groupby(by, sort=False)``
    gives, without a pandas frame per group (a large cost for many small
    groups). None when a key is neither a string nor missing, or the column
    names repeat: callers then use ``groupby`` itself."""
    if not df.columns.is_unique:
        return None
    groups: dict[str, list[int]] = {}
    for i, k in enumerate(df[by].tolist()):
        if isinstance(k, str):
            g = groups.get(k)
            if g is None:
                groups[k] = [i]
            else:
                g.append(i)
        elif not (k is None or (isinstance(k, float) and k != k)):
            return None
    return groups


def group_columns(df: pd.DataFrame, columns: list[str], by: str = "essay_id") -> list[tuple[object, list[list]]]:
    """(key, [values of each of ``columns``]) per group of ``by``, as
    :func:`row_groups` orders them (``groupby`` for other keys)."""
    groups = row_groups(df, by)
    if groups is None:
        return [(k, [g[c].tolist() for c in columns]) for k, g in df.groupby(by, sort=False)]
    values = [df[c].tolist() for c in columns]
    return [(k, [[v[i] for i in idx] for v in values]) for k, idx in groups.items()]
