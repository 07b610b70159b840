"""Section structure: numbered and marked headings of paragraphs and their nesting; framing lines (salutations,
closings).
"""

from __future__ import annotations

import re
import pandas as pd
from analysis.methods.entities import _set_dtypes
from analysis.frames import group_columns
from analysis.frames import require

from analysis.methods.tag.quantities import cn_number

_CN_NUM = "一二三四五六七八九十"


# (rank, style name, regex): a lower rank is a higher section level
HEADING_STYLES: tuple[tuple[int, str, re.Pattern], ...] = (
    (1, "一、", re.compile(rf"^(?P<marker>(?P<num>[{_CN_NUM}]{{1,3}})\s*[、.．])")),
    (1, "第一", re.compile(rf"^(?P<marker>第(?P<num>[{_CN_NUM}]{{1,3}})(?:[、，,：:]|部分|点))")),
    (2, "（一）", re.compile(rf"^(?P<marker>[（(]\s*(?P<num>[{_CN_NUM}]{{1,3}})\s*[)）][、.．]?)")),
    (3, "1、", re.compile(r"^(?P<marker>(?P<num>\d{1,2})\s*(?:[、．]|\.(?!\d)))")),
    (4, "（1）", re.compile(r"^(?P<marker>[（(]\s*(?P<num>\d{1,2})\s*[)）][、.．]?)")),
    (5, "①", re.compile(r"^(?P<marker>(?P<num>[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]))")),
)


_LIST_BULLET_RE = re.compile(r"^\s*(?:[-*•·]\s+)?")


_HEADING_END_RE = re.compile(r"[。！？；!?;]")


STRUCTURE_COLUMNS = ["essay_id", "paragraph_id", "level", "marker", "number", "heading_text", "parent"]


MAX_HEADING_CHARS = 60


def _marker_number(num: str) -> int:
    if num.isdecimal():  # not isdigit(): '①'.isdigit() is True but int('①') fails
        return int(num)
    if num in "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳":
        return "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳".index(num) + 1
    return int(cn_number(num) or 0)


def find_heading(paragraph: str) -> tuple[int, str, int, str] | None:
    """(rank, marker, number, heading text) if a paragraph opens with a section marker."""
    text = _LIST_BULLET_RE.sub("", paragraph, count=1).strip()
    for rank, _, pat in HEADING_STYLES:
        m = pat.match(text)
        if not m:
            continue
        rest = text[m.end() :].strip()
        if not rest:
            return None
        cut = _HEADING_END_RE.search(rest)
        head = rest[: cut.start()] if cut else rest
        return rank, m.group("marker").strip(), _marker_number(m.group("num")), head[:MAX_HEADING_CHARS]
    return None


def structure(paragraphs: pd.DataFrame) -> pd.DataFrame:
    """Section headings and numbered items with their nesting.

    In: paragraphs (essay_id, paragraph_id, text), in essay order. Out:
    essay_id, paragraph_id, level (1 = top), marker (一、 / （一） / 1、 …),
    number, heading_text (up to the first full stop), parent (paragraph_id
    of the enclosing heading, '' at the top). Styles rank 一、 > （一） > 1、 >
    （1） > ①; a heading nests under the nearest earlier heading of a higher
    rank, so a 1、 list after 三、 is level 2 under it.
    """
    require(paragraphs, {"essay_id", "paragraph_id", "text"}, "paragraphs")
    rows = []
    for essay_id, pids, texts in _essay_groups(paragraphs, "paragraph_id"):
        stack: list[tuple[int, str]] = []  # (rank, paragraph_id)
        for pid, text in zip(pids, texts):
            hit = find_heading(text if isinstance(text, str) else "")
            if hit is None:
                continue
            rank, marker, number, head = hit
            while stack and stack[-1][0] >= rank:
                stack.pop()
            parent = stack[-1][1] if stack else ""
            rows.append(
                {
                    "essay_id": essay_id,
                    "paragraph_id": pid,
                    "level": len(stack) + 1,
                    "marker": marker,
                    "number": number,
                    "heading_text": head,
                    "parent": parent,
                }
            )
            stack.append((rank, pid))
    if not rows:  # the usual case: a copy of the one empty table
        global _EMPTY_STRUCTURE
        if _EMPTY_STRUCTURE is None:
            _EMPTY_STRUCTURE = _set_dtypes(
                pd.DataFrame([], columns=STRUCTURE_COLUMNS), {"level": "int64", "number": "int64"}
            )
        return _EMPTY_STRUCTURE.copy()
    return _set_dtypes(pd.DataFrame(rows, columns=STRUCTURE_COLUMNS), {"level": "int64", "number": "int64"})


_EMPTY_STRUCTURE: pd.DataFrame | None = None


# Framing lines: sentences that head or frame the prose rather than say
# something — section headings, bylines, titles, greetings and thanks
# (大家上午好！ 谢谢大家). They carry the writer's rhetoric (一、诲人不倦，架心灵之桥
# scores +0.33) but are not statements about anything; reports leave them out
# of sentence and paragraph figures unless asked.
_FINAL_MARK_RE = re.compile(r"[。！？!?…；;][”’」』\"')）]*\s*$")


_FORMULA_RE = re.compile(
    r"(?:尊敬的|亲爱的|各位|大家)[^。！？!?]{0,12}(?:好|：|:)[！!。]?"
    r"|(?:谢谢|感谢)(?:大家|各位|您|你们)?[^。！？!?，,]{0,6}[！!。]?"
)


FRAMING_MAX_CHARS = 30


def framing_lines(sentences: pd.DataFrame, headings: pd.DataFrame) -> pd.Series:
    """True for the sentences that are framing lines, not prose: the first
    sentence of a paragraph ``headings`` lists (:func:`structure`: a numbered
    heading, alone or run into its paragraph) of at most ``FRAMING_MAX_CHARS``
    characters; a paragraph's only sentence without a sentence-final mark and
    at most that long (titles, bylines, unnumbered headings); and greeting or
    thanks formulas (尊敬的各位领导：, 大家上午好！, 谢谢大家). Index: the sentences'."""
    require(sentences, {"paragraph_id", "text"}, "sentences")
    text = sentences["text"].fillna("").astype(str).str.strip()
    short = (text.str.len() <= FRAMING_MAX_CHARS).to_numpy()
    pid = sentences["paragraph_id"]
    first = ~pid.duplicated().to_numpy()
    alone = first & ~pid.duplicated(keep="last").to_numpy()
    heading = first & pid.isin(set(headings["paragraph_id"])).to_numpy() & short
    unmarked = alone & short & ~text.str.contains(_FINAL_MARK_RE).to_numpy(dtype=bool)
    formula = text.str.fullmatch(_FORMULA_RE).fillna(False).to_numpy(dtype=bool)
    return pd.Series(heading | unmarked | formula, index=sentences.index, name="framing")


def _essay_groups(table: pd.DataFrame, id_column: str) -> list[tuple[str, list, list]]:
    """(essay_id, ids, texts) per essay, as ``groupby("essay_id", sort=False)``."""
    return [(k, ids, texts) for k, (ids, texts) in group_columns(table, [id_column, "text"])]
