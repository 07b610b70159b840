"""Numbers in sentences: counts, percentages, years, ages, with Chinese numerals read (:func:`find_numbers`,
:func:`numbers`).
"""

from __future__ import annotations

import bisect
import re
import pandas as pd
from analysis.methods.entities import _set_dtypes
from analysis.frames import require


_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


_CN_UNIT = {"十": 10, "百": 100, "千": 1000}


def cn_number(s: str) -> float | None:
    """Arabic or Chinese numeral → number: 1760, 二十八, 四百零二, 3.5, 1.2万; else None."""
    s = s.strip()
    if not s:
        return None
    try:
        return float(s)
    except ValueError:
        pass
    scale = 1.0
    if s.endswith("万"):
        scale, s = 10000.0, s[:-1]
        try:
            return float(s) * scale
        except ValueError:
            pass
    if not s or any(c not in _CN_DIGIT and c not in _CN_UNIT for c in s):
        return None
    total, current = 0, 0
    for c in s:
        if c in _CN_DIGIT:
            current = _CN_DIGIT[c]
        else:
            total += (current or 1) * _CN_UNIT[c]
            current = 0
    return float(total + current) * scale


_N = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+万?)"


_APPROX = r"(?P<approx>多|余|来|几)?"


_NOT_AFTER_NUMBER = r"(?<![零〇一二两三四五六七八九十百千万几\d.第])"


# 千百次 (countless), 百十 are not numbers: a unit never follows a unit
_BAD_CN_NUMERAL_RE = re.compile(r"^[千百万]|[千百万]{2}|[十百千]{2}")


# (kind, regex): earlier kinds win where spans overlap
NUMBER_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    # (?<!\d): a match inside a digit run would also match from the run's start, so this finds the same
    # numbers, but reads a long run of digits once instead of once per digit
    ("percent", re.compile(r"(?<!\d)(?P<v>\d+(?:\.\d+)?)\s*[%％]|百分之(?P<v2>[零〇一二两三四五六七八九十百点\d.]+)")),
    ("year", re.compile(r"(?<!\d)(?P<v>(?:19|20)(?:\d{2}|XX))\s*年(?!级)(?:\d{1,2}月(?!\d{1,2}日))?")),
    ("date", re.compile(r"(?P<v>\d{1,2}|[一二三四五六七八九十]{1,3})月(?:\d{1,2}|[一二三四五六七八九十]{1,3})[日号]")),
    ("money", re.compile(_NOT_AFTER_NUMBER + rf"(?P<v>{_N}){_APPROX}(?P<wan>万)?元")),
    ("age", re.compile(_NOT_AFTER_NUMBER + rf"(?P<v>{_N}){_APPROX}(?:周)?岁")),
    (
        "duration",
        re.compile(
            _NOT_AFTER_NUMBER
            + rf"(?P<v>{_N}){_APPROX}(?:个)?(?:年(?![级一二三四五六七八九十\d])|个月|天|周(?!岁)|小时|学期|日日夜夜)"
        ),
    ),
    ("distance", re.compile(_NOT_AFTER_NUMBER + rf"(?P<v>{_N}){_APPROX}(?:公里|千米|里(?!面|边)|米)")),
    (
        "count",
        re.compile(
            _NOT_AFTER_NUMBER
            + rf"(?P<v>{_N}){_APPROX}(?:个|名|位(?!数)|人|户|所|家|次|项|篇|本|件|间|台|部|道|批|只|封)"
        ),
    ),
)


NUMBER_COLUMNS = ["essay_id", "sentence_id", "text_span", "kind", "value", "approx", "start", "end", "context"]


# characters of the sentence kept either side of a number in the numbers table's ``context``
NUMBER_CONTEXT_CHARS = 30


def _overlaps_taken(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    """Whether ``span`` overlaps one of ``taken`` — disjoint spans kept sorted,
    so only the last one starting before ``span`` ends can overlap it."""
    i = bisect.bisect_left(taken, (span[1], -1))
    return i > 0 and taken[i - 1][1] > span[0]


def find_numbers(text: str) -> list[dict]:
    """Numbers in one sentence: dicts with text_span, kind, value (float;
    NaN for 19XX and for dates), approx (多/余/几), start, end. A bare Chinese 一 is not a
    count (一个问题), nor a numeral after 第 (an ordinal)."""
    found: list[dict] = []
    taken: list[tuple[int, int]] = []
    for kind, pat in NUMBER_PATTERNS:
        for m in pat.finditer(text):
            span = (m.start(), m.end())
            if _overlaps_taken(span, taken):
                continue
            raw = m.group("v") or (m.groupdict().get("v2") or "")
            if kind in ("count", "duration", "distance", "age", "money") and (
                raw == "一" or _BAD_CN_NUMERAL_RE.search(raw)
            ):
                continue
            value = cn_number(raw.replace("点", ".")) if "XX" not in raw and kind != "date" else None
            if kind == "money" and m.groupdict().get("wan") and value is not None:
                value *= 10000
            approx = bool(m.groupdict().get("approx"))
            bisect.insort(taken, span)
            found.append(
                {
                    "text_span": m.group(0),
                    "kind": kind,
                    "value": float("nan") if value is None else value,
                    "approx": approx,
                    "start": span[0],
                    "end": span[1],
                }
            )
    return sorted(found, key=lambda r: r["start"])


def numbers(sentences: pd.DataFrame) -> pd.DataFrame:
    """Numbers and statistics with their context.

    In: sentences (essay_id, sentence_id, text). Out: essay_id, sentence_id,
    text_span, kind (percent | year | date | money | age | duration |
    distance | count), value (float; NaN for 19XX and dates), approx (bool),
    start, end (offsets in the sentence), context: the number with up to
    ``NUMBER_CONTEXT_CHARS`` characters of its sentence either side (the
    sentence itself is in the sentences table, by sentence_id), so a row's
    size is bounded however long or number-dense the sentence is.
    """
    require(sentences, {"essay_id", "sentence_id", "text"}, "sentences")
    rows = []
    for essay_id, sid, text in zip(sentences["essay_id"], sentences["sentence_id"], sentences["text"]):
        if not isinstance(text, str):
            continue
        for r in find_numbers(text):
            ctx = text[max(0, r["start"] - NUMBER_CONTEXT_CHARS) : r["end"] + NUMBER_CONTEXT_CHARS]
            rows.append({"essay_id": essay_id, "sentence_id": sid, **r, "context": ctx})
    return _set_dtypes(pd.DataFrame(rows, columns=NUMBER_COLUMNS), {"value": "float64", "approx": "bool"})
