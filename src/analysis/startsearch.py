"""Regular expressions searched only where a match can start.

Python's ``re`` tries a pattern at every position of a text unless the
pattern opens with a literal or a plain character class. A pattern that
opens with an optional part, an alternation of many words or a look-behind
is tried at each of a long line's characters — the cut markers of the
cleaning settings on a 2,000,000-character line took seconds. Here the
characters a match can start with are read from the pattern itself
(:func:`match_start`); a C-level search for them finds the next position
worth trying, and the pattern is tried there (``Pattern.match``). The
matches are the same, in the same order: a position where no match can
start is one where ``re`` would have found none either.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

# shorter than this, a text is searched with the plain pattern (the same matches; no gain in the scan)
SHORT_TEXT = 500
# flags that leave which characters a match starts with as the pattern says (^ and $ at lines, . at a newline);
# any other (ignoring case, ASCII classes, verbose patterns) and the plain pattern is used
_NEUTRAL_FLAGS = re.UNICODE | re.MULTILINE | re.DOTALL


class StartSearch:
    """``pattern`` searched only at the positions where a match can start.
    ``starts`` holds, for each alternative of the pattern (or for the whole of
    it), a character class and a lead (:func:`match_start`): a match starts at
    most ``lead`` characters before a character of the class. The positions
    are found by a C-level search for each class; the whole pattern is then
    tried at each position in turn (``Pattern.match``, which sees the text
    before the position for a look-behind), so the first match found is the
    one ``re.search`` finds, and the same for every later one."""

    def __init__(self, pattern: str | re.Pattern, starts: list[tuple[str, int]]) -> None:
        self._rx = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern)
        self.pattern = self._rx.pattern
        by_lead: dict[int, list[str]] = {}
        for cls, lead in starts:
            by_lead.setdefault(lead, []).append(cls[1:-1])
        self._starts = [(re.compile("[" + "".join(parts) + "]"), lead) for lead, parts in sorted(by_lead.items())]

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match | None:
        return next(self.finditer(text, pos, endpos), None)

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match]:
        """``Pattern.finditer(text, pos, endpos)``."""
        end = len(text) if endpos is None else max(0, min(endpos, len(text)))
        if end - pos < SHORT_TEXT:
            yield from self._rx.finditer(text, pos, end)
            return
        match, starts = self._rx.match, self._starts
        hits = [-2] * len(starts)  # each class's first character at or after pos (-1: none left)
        while pos <= end:
            at = -1
            for i, (rx, lead) in enumerate(starts):
                hit = hits[i]
                if hit == -1:
                    continue
                if hit < pos:
                    m = rx.search(text, pos, end)
                    hit = hits[i] = m.start() if m is not None else -1
                    if hit < 0:
                        continue
                here = max(pos, hit - lead)
                if at < 0 or here < at:
                    at = here
            if at < 0:
                return
            m = match(text, at, end)
            if m is None:
                pos = at + 1
            else:
                yield m
                pos = m.end()  # never empty: a pattern with a known start matches one character at least


@functools.lru_cache(maxsize=1024)
def start_search(rx: re.Pattern) -> StartSearch | re.Pattern:
    """``rx`` as a :class:`StartSearch` when where its matches start can be
    told (and no flag but ``re.M`` and ``re.S`` changes it), else ``rx`` itself."""
    if rx.flags & ~_NEUTRAL_FLAGS or not isinstance(rx.pattern, str):
        return rx
    start = match_start(rx.pattern)
    return rx if start is None else StartSearch(rx, [start])


def match_start(pattern: str) -> tuple[str, int] | None:
    """Where a match of ``pattern`` can start: (``CLASS``, ``lead``) such that
    every match starts at most ``lead`` characters before a character of
    ``CLASS``, or None where that cannot be told. ``lead`` is 0 when the
    pattern's first characters are known (:func:`first_char_class`); else the
    greatest width of the leading items (a bounded ``\\S{0,6}`` …) that are
    skipped to reach a part whose first characters are known."""
    from re import _parser as P

    first = first_char_class(pattern)
    if first is not None:
        return first, 0
    try:
        tree = P.parse(pattern)
    except re.error:
        return None
    if tree.state.flags & ~_NEUTRAL_FLAGS:
        return None
    lead = 0
    for k, item in enumerate(tree.data):
        width = P.SubPattern(tree.state, [item]).getwidth()[1]
        if width >= P.MAXREPEAT:
            return None
        lead += width
        cls = _first_chars(P.SubPattern(tree.state, tree.data[k + 1 :]))
        if cls is not None:
            return cls, lead
    return None


def first_char_class(pattern: str) -> str | None:
    """A character class (``[…]``, regex syntax) holding every character a
    match of ``pattern`` can start with, or None where that cannot be told
    (a match may be empty or start with any character, flags, back-references).
    ``(?=CLASS)(?:pattern)`` then finds exactly what ``pattern`` finds."""
    from re import _parser as P

    try:
        tree = P.parse(pattern)
    except re.error:
        return None
    if tree.state.flags & ~_NEUTRAL_FLAGS:
        return None
    return _first_chars(tree)


def _first_chars(tree) -> str | None:
    """:func:`first_char_class` of a parsed pattern."""
    from re import _constants as C

    items: list[str] = []
    _GIVE_UP = object()

    def item(op, av) -> str | object:
        if op is C.LITERAL:
            return re.escape(chr(av))
        if op is C.RANGE:
            return f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}"
        if op is C.CATEGORY:
            return {C.CATEGORY_SPACE: r"\s", C.CATEGORY_DIGIT: r"\d", C.CATEGORY_WORD: r"\w"}.get(av, _GIVE_UP)
        return _GIVE_UP

    def first(seq) -> bool | object:
        """Add the first characters of a sequence to ``items``; whether it can match empty."""
        for op, av in seq:
            if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
                continue  # zero width
            if op is C.LITERAL or op is C.IN:
                for got in [item(op, av)] if op is C.LITERAL else [item(o, a) for o, a in av]:
                    if got is _GIVE_UP:
                        return _GIVE_UP
                    items.append(got)
                return False
            if op is C.SUBPATTERN:
                if av[1] or av[2]:  # a group with flags of its own ((?i:…))
                    return _GIVE_UP
                got = first(av[-1])
            elif op is C.BRANCH:
                got = False
                for alt in av[1]:
                    one = first(alt)
                    if one is _GIVE_UP:
                        return _GIVE_UP
                    got = got or one
            elif op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
                got = first(av[2])
                if got is _GIVE_UP:
                    return _GIVE_UP
                got = got or av[0] == 0
            else:  # any character, a negated class, a back-reference …
                return _GIVE_UP
            if got is _GIVE_UP:
                return _GIVE_UP
            if not got:
                return False
        return True  # the whole sequence can match empty

    if first(tree) is not False or not items:
        return None
    return "[" + "".join(dict.fromkeys(items)) + "]"
