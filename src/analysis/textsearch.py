"""Many strings found in one pass over a text (Aho–Corasick).

One automaton type for every multi-string search of the toolkit: the
candidate names of an essay, the names of a pseudonym map, the phrases of
OpenCC's conversion tables. It wraps ``ahocorasick_rs`` (a compiled
automaton whose cost per character does not grow with the number of
strings: pyahocorasick, used before, scanned the children of a node one by
one, so a map of thousands of names starting with thousands of different
characters cost seconds per million characters).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator


class Automaton:
    """Every occurrence of any of ``words`` (overlapping ones included) in a
    text. Empty strings and repeats are dropped; ``len()`` is the number of
    distinct words."""

    def __init__(self, words: Iterable[str]) -> None:
        import ahocorasick_rs

        self.words = list(dict.fromkeys(w for w in words if w))
        self._ac = ahocorasick_rs.AhoCorasick(self.words) if self.words else None

    def __len__(self) -> int:
        return len(self.words)

    def spans(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, word) of every occurrence, in order of end."""
        if self._ac is None or not text:
            return iter(())
        words = self.words
        return ((s, e, words[i]) for i, s, e in self._ac.find_matches_as_indexes(text, overlapping=True))

    def present(self, text: str) -> set[str]:
        """The words that occur in ``text``."""
        if self._ac is None or not text:
            return set()
        words = self.words
        return {words[i] for i, _, _ in self._ac.find_matches_as_indexes(text, overlapping=True)}


def automaton(words: Iterable[str]) -> Automaton | None:
    """An :class:`Automaton` over ``words``; None when there is no word."""
    a = Automaton(words)
    return a if len(a) else None
