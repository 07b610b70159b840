"""Numbered series (留守儿童演讲稿1, 2, …) and titles repeated or set off between essays."""

from __future__ import annotations

import re

from analysis.ingest.split.headings import _SENTENCE_END, cn_to_int
from analysis.ingest.split.lines import (
    LETTER_FORMULA_RE,
    MAX_SERIES_HEADING_CHARS,
    _SECTION_START_RE,
    _STEM_OK_RE,
    _exclaimed_title,
    _has_body,
    _next_text_line,
    _stem_key,
    _title_like,
    is_salutation,
    prev_text_line,
    text_chars,
)
from analysis.ingest.split.titles import _GREETING_RE, _MENU_GAP_RE

# A title followed by a number in any common form: 留守儿童演讲稿1, …演讲稿 2,
# …事迹材料（一）, …心得体会(3), …作文【一】, …之一, …演讲稿一.
_SERIES_RE = re.compile(
    r"^(?P<stem>.*?\S)\s*(?:[（(【\[〖]\s*(?P<n1>\d{1,3}|[一二三四五六七八九十]{1,3})\s*[）)】\]〗]"
    r"|之(?P<n2>[一二三四五六七八九十]{1,3})|(?P<n3>\d{1,3})|(?P<n4>[一二三四五六七八九十]{1,3}))$"
)


_SUBTITLED_SERIES_RE = re.compile(
    r"^(?P<stem>[^：:]{2,24}?)之(?P<n>[一二三四五六七八九十]{1,3}|\d{1,2})(?:\s*[：:｜|]\s*|[ \u3000]+)(?P<rest>\S.{0,30})$"
)


def series_number(line: str) -> tuple[str, int, str] | None:
    """(stem, number, form) if ``line`` is a title followed by a number, else None."""
    s = line.strip().strip("\u3000").rstrip("！？!? ")  # a title may exclaim or ask: …演讲稿（一）！
    sub = _SUBTITLED_SERIES_RE.match(s)  # 阿嬤帶大的孩子之一：我的孫仔: a series title and the piece's own
    if sub and not _SENTENCE_END.search(sub.group("rest")):
        stem = sub.group("stem").strip(" 　-_—:：、.")
        n = cn_to_int(sub.group("n"))
        if n is not None and _STEM_OK_RE.search(stem) and not re.search(r"[，,；;：:]", stem):
            return stem, n, "之n"
    if not s or len(s) > MAX_SERIES_HEADING_CHARS or _SENTENCE_END.search(s) or s.endswith(("：", ":")):
        return None
    m = _SERIES_RE.match(s)
    if not m:
        return None
    stem = m.group("stem").strip(" 　-_—:：、.")
    if not _STEM_OK_RE.search(stem) or re.search(r"[，,；;]", stem):
        return None
    for form in ("n1", "n2", "n3", "n4"):
        if m.group(form):
            n = cn_to_int(m.group(form))
            if n is None:
                return None
            return stem, n, {"n1": "(n)", "n2": "之n", "n3": "n", "n4": "n (Chinese)"}[form]
    return None


def find_series(
    lines: list[str], *, skip: set[int] = frozenset(), seeds: set[str] = frozenset()
) -> dict[int, tuple[str, int]]:
    """Essay headings of a numbered series: {line number: (stem, number)}.

    Lines that share a title and end in a number (``留守儿童演讲稿1`` …
    ``留守儿童演讲稿2``) head essays when there are at least two, their
    numbers rise in file order from 1 or 2, and text stands between them
    (consecutive titles with nothing under them are a list of links).
    ``skip``: line numbers that cannot be headings (page chrome); ``seeds``:
    titles of headings found otherwise, whose series members count even
    alone (支教日记之一 before 支教日记篇二)."""
    groups: dict[str, list[tuple[int, int]]] = {}
    for no, line in enumerate(lines, start=1):
        if no in skip:
            continue
        hit = series_number(line)
        if hit:
            groups.setdefault(_stem_key(hit[0]), []).append((no, hit[1]))
    out: dict[int, tuple[str, int]] = {}
    for stem, members in groups.items():
        seeded = stem in seeds
        if len(members) < 2 and not seeded:
            continue
        numbers = [n for _, n in members]
        if (numbers[0] > 2 and not seeded) or any(b <= a for a, b in zip(numbers, numbers[1:])):
            continue
        ends = [no for no, _ in members[1:]] + [len(lines) + 1]
        if not all(_has_body(lines, no, end, skip) for (no, _), end in zip(members, ends)):
            continue
        for no, n in members:
            out[no] = (series_number(lines[no - 1])[0], n)
    return out


def find_repeated_titles(lines: list[str], *, skip: set[int] = frozenset(), min_body: int = 60) -> dict[int, str]:
    """Essay headings that are the same title line repeated (a site printing
    ``留守儿童作文400字`` above each of its essays): a title-like line found
    at least twice, each time with at least ``min_body`` characters of text
    under it before the next. {line number: title}."""
    seen: dict[str, list[int]] = {}
    for no, line in enumerate(lines, start=1):
        s = line.strip().strip("\u3000")
        if no in skip or not s:
            continue
        # a refrain of a poem repeats too (and may title the poem): only a title naming a genre counts;
        # a PDF's running header sits next to a page number
        near = lines[max(0, no - 3) : no + 2]
        if _title_like(s) and _GENRE_TITLE_RE.search(s) and not any(PAGE_NO_RE.match(x.strip()) for x in near):
            seen.setdefault(_stem_key(s), []).append(no)
    out: dict[int, str] = {}
    for key, nos in seen.items():
        if len(nos) < 2:
            continue
        ends = nos[1:] + [len(lines) + 1]
        bodies = [sum(len(lines[k - 1].strip()) for k in range(a + 1, b) if k not in skip) for a, b in zip(nos, ends)]
        # the first occurrence may be the page's own title with the first essay's heading right under it
        while len(nos) >= 2 and bodies[0] < min_body and all(b >= min_body for b in bodies[1:]):
            nos, bodies = nos[1:], bodies[1:]
        if len(nos) >= 2 and all(b >= min_body for b in bodies):
            for no in nos:
                out[no] = lines[no - 1].strip().strip("\u3000")
    return out


PAGE_NO_RE = re.compile(r"^[-—–]?\s*(第\s*)?\d{1,3}\s*(页)?\s*([/,，|]?\s*共\s*\d{1,3}\s*页)?\s*[-—–]?$")


_GENRE_TITLE_RE = re.compile(
    r"(作文|演讲稿|发言稿|讲话稿?|范文|总结|汇报|心得|体会|感想|材料|事迹|倡议书|日记|周记|书信|一封信|"
    r"报告|方案|计划|征文|\d+字)"
)


def find_set_off_titles(lines: list[str], *, skip: set[int] = frozenset()) -> list[int]:
    """Title-like lines (short, no sentence-final mark or comma, no date or
    section number) with a blank line, a chrome line or the file's start
    right above them and text under them: the bare titles of a collection,
    when the page says how many essays it holds."""
    out = []
    for no in range(1, len(lines) + 1):
        s = lines[no - 1].strip().strip("\u3000")
        if no in skip or not _exclaimed_title(s) or _SECTION_START_RE.match(s) or PAGE_NO_RE.match(s):
            continue
        if no > 1 and lines[no - 2].strip() and (no - 1) not in skip:
            continue
        nxt = no + 1  # the text under it, past a byline or other chrome right under it
        while nxt in skip and nxt <= len(lines) and lines[nxt - 1].strip():
            nxt += 1
        if nxt > len(lines) or not lines[nxt - 1].strip() or nxt in skip:
            continue
        if _has_body(lines, no, min(len(lines) + 1, no + 4), skip):
            out.append(no)
    return out


def _set_off_titles_after(lines: list[str], last: int, skip: set[int], *, min_body: int = 60) -> list[int]:
    """Below the heading ``last`` (and at least ``min_body`` characters of its essay's text), bare titles (a
    question or an exclamation too) set off by a blank or chrome line above, under a line that ends a
    sentence, right over a paragraph of prose with ``min_body`` characters of text below: the unnumbered
    pieces that close a collection."""
    out = []
    for no in range(last + 2, len(lines) + 1):
        s = lines[no - 1].strip().strip("\u3000")
        if (
            no in skip
            or (lines[no - 2].strip() and (no - 1) not in skip)
            or not _exclaimed_title(s)
            or _GREETING_RE.search(s)
            or _SECTION_START_RE.match(s)
            or PAGE_NO_RE.match(s)
            or is_salutation(s)
            or LETTER_FORMULA_RE.match(s)
        ):
            continue
        prev = prev_text_line(lines, no)
        while prev is not None and prev in skip:
            prev = prev_text_line(lines, prev)
        nxt = _next_text_line(lines, no)
        if (
            prev is None
            or not (
                re.search(r"[。！？!?…”」]$", lines[prev - 1].strip())
                or len(_MENU_GAP_RE.findall(lines[prev - 1].strip())) >= 2  # (a row of links between the pieces)
            )
            or nxt is None
            or nxt in skip
            or len(lines[nxt - 1].strip()) < 2 * len(s)
            or not _SENTENCE_END.search(lines[nxt - 1])
            or text_chars(lines[last : no - 1], skip={k - last for k in skip if k > last}) < min_body
            or text_chars(lines[no:], skip={k - no for k in skip if k > no}) < min_body
        ):
            continue
        out.append(no)
    return out
