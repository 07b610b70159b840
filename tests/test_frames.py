"""analysis.frames: grouping rows as pandas' groupby(sort=False) does."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.frames import group_columns, row_groups


def _table():
    return pd.DataFrame(
        {
            "essay_id": ["b-01", "a-01", "b-01", None, "a-01", np.nan, "c-01"],
            "text": ["留守儿童", "父母外出", "奶奶照顾", "无主", "老师关心", "缺失", "快乐成长"],
            "n": range(7),
        }
    )


def test_row_groups_equal_groupby_order_and_drop_missing_keys():
    df = _table()
    got = row_groups(df)
    want = {k: list(g.index) for k, g in df.groupby("essay_id", sort=False)}
    assert got == want and list(got) == ["b-01", "a-01", "c-01"]


def test_group_columns_same_with_and_without_the_fast_path():
    df = _table()
    fast = group_columns(df, ["text", "n"])
    other = df.assign(essay_id=df["essay_id"].map({"b-01": 2, "a-01": 1, "c-01": 3}))  # ints: groupby path
    assert row_groups(other) is None
    slow = group_columns(other, ["text", "n"])
    assert [cols for _, cols in fast] == [cols for _, cols in slow]
    assert fast[0] == ("b-01", [["留守儿童", "奶奶照顾"], [0, 2]])


def test_isin_is_pandas_isin_on_string_ids():
    from analysis.frames import isin
    from seed_data import seed_sentences

    ids = seed_sentences()["sentence_id"]
    chosen = set(ids.iloc[::7]) | {"not-an-id"}
    mask = isin(ids, chosen)
    assert mask.dtype == bool and 0 < mask.sum() < len(ids)
    assert (mask == ids.isin(chosen).to_numpy()).all()
    assert (isin(ids, list(chosen)) == mask).all() and not isin(ids, ()).any()
