"""Split a raw dump into essays at heading lines.

Built-in heading styles (one line each, at most ``MAX_HEADING_CHARS``):
  * a title ending in 篇一 … 篇十, 篇十一 … (or 篇1): ``小学教师关爱留守儿童工作总结篇三``
  * a lone ``篇一``
  * ``第一篇`` / ``第1篇``, optionally followed by a title after ``：`` ``:`` or a space
  * ``【篇一】`` / ``【第1篇】`` (also 〖〗 and [ ]), optionally followed by a title
  * ``范文1`` / ``模板1`` (also ``范文一``), optionally with a title before or after
  * a kind of piece, its number and a colon: ``演讲稿一：关爱留守儿童，我们在行动``

Numbered series (no user pattern needed): lines that share a title and end
in a number — ``留守儿童演讲稿1``, ``…演讲稿 2``, ``…事迹材料（一）``,
``…心得体会(3)``, ``…之一`` — rising in file order with text between them.

A single-article page without such headings may still have a title line at
the top (after the page chrome): :func:`find_page_title`.

The parts: ``headings`` (heading patterns, numerals, the records), ``lines``
(line helpers shared by the detectors), ``titles`` (a page's title and title
shapes), ``series`` (numbered series, repeated and set-off titles), ``listed``
(titles a page lists or dates), ``pieces`` (pieces strung together without
numbered headings) and ``core`` (:func:`find_headings`, :func:`split_essays`).
Every public name is importable from ``analysis.ingest.split``.

Text before the first heading (collection title, site blurb) is returned
separately as the preamble; a file with no heading is one essay. Each
heading records the rule that found it (user, builtin, series, page_title).
"""

from __future__ import annotations

from analysis.ingest.split.headings import (
    BUILTIN_PATTERNS,
    EssayChunk,
    Heading,
    HeadingPatternError,
    MAX_HEADING_CHARS,
    USER_PATTERN_TIMEOUT,
    cn_to_int,
    compile_patterns,
    marked_heading,
    match_heading,
)
from analysis.ingest.split.lines import (
    LETTER_FORMULA_RE,
    MAX_SERIES_HEADING_CHARS,
    MAX_TITLE_CHARS,
    appended_title,
    bare_name_under_title,
    expected_count,
    find_numbered_titles,
    find_toc_titles,
    is_bare_name,
    is_salutation,
    prev_text_line,
    text_chars,
)
from analysis.ingest.split.titles import (
    DATE_IN_PARENS_RE,
    MIN_PREAMBLE_ESSAY_CHARS,
    MIN_WRAPPED_CHARS,
    PART_LABEL_RE,
    UNIT_OR_SPEAKER_RE,
    WRAP_WIDTH_SLACK,
    essay_above,
    find_page_title,
    title_over_author,
)
from analysis.ingest.split.series import (
    PAGE_NO_RE,
    find_repeated_titles,
    find_series,
    find_set_off_titles,
    series_number,
)
from analysis.ingest.split.listed import open_list_items
from analysis.ingest.split.pieces import ANSWER_WRAPPER_RE, _TITLE_WITH_WRITER_RE, labelled_series
from analysis.ingest.split.core import find_headings, split_essays

__all__ = [
    "ANSWER_WRAPPER_RE",
    "BUILTIN_PATTERNS",
    "DATE_IN_PARENS_RE",
    "EssayChunk",
    "Heading",
    "HeadingPatternError",
    "LETTER_FORMULA_RE",
    "MAX_HEADING_CHARS",
    "MAX_SERIES_HEADING_CHARS",
    "MAX_TITLE_CHARS",
    "MIN_PREAMBLE_ESSAY_CHARS",
    "MIN_WRAPPED_CHARS",
    "PAGE_NO_RE",
    "PART_LABEL_RE",
    "UNIT_OR_SPEAKER_RE",
    "USER_PATTERN_TIMEOUT",
    "WRAP_WIDTH_SLACK",
    "_TITLE_WITH_WRITER_RE",
    "appended_title",
    "bare_name_under_title",
    "cn_to_int",
    "compile_patterns",
    "essay_above",
    "expected_count",
    "find_headings",
    "find_numbered_titles",
    "find_page_title",
    "find_repeated_titles",
    "find_series",
    "find_set_off_titles",
    "find_toc_titles",
    "is_bare_name",
    "is_salutation",
    "labelled_series",
    "marked_heading",
    "match_heading",
    "open_list_items",
    "prev_text_line",
    "series_number",
    "split_essays",
    "text_chars",
    "title_over_author",
]
