"""Cleaning rules: small, named, pure functions; every change is logged.

Each paragraph rule takes a paragraph's text and returns ``(new_text, edits)``
where each :class:`Edit` records the rule, the offset, the text before and
after, and some context, so the cleaning log writes itself. Rules never delete
content words: stray marks and layout noise only.

Paragraph rules, in order (:data:`PARAGRAPH_RULES`):
  ``normalize_whitespace``  full-width/odd spaces, zero-width characters
  ``strip_list_bullet``     "- " bullets the site's list markup left behind
  ``to_simplified``         traditional → simplified (OpenCC t2s)
  ``remove_stray_marks``    anti-copy marks inside words: 祖国的`希望, 代管的’留守, 9月□XX
  ``restore_yi``            "—" typed for the numeral 一: —个群体, —切 (not ——, not 1—2)
  ``normalize_punctuation`` half-width ,;:?!() in Chinese text → full width; ，。 → 。
  ``fix_quote_pairs``       “爱心妈妈“ → “爱心妈妈” when a paragraph's quotes do not alternate
  ``mark_placeholders``     anonymisation placeholders xx, xxx, ~~, ××, 19xx → XX, 19XX

Paragraph-list steps: :func:`join_broken_paragraphs` (page breaks inside a
sentence; headings are never joined) and :func:`flag_gaps` (a paragraph that
opens mid-sentence after a complete one: flagged, never repaired).
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from collections.abc import Callable, Iterable, Iterator

from opencc import OpenCC

from analysis.resources import load_yaml
from analysis.startsearch import StartSearch, first_char_class, match_start  # noqa: F401 (first_char_class: tests)

CJK = r"\u3400-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{CJK}]")
TERMINAL_END = "。！？!?…；;”’」』）)】》"
CONTEXT_CHARS = 8


@dataclass(frozen=True)
class Edit:
    rule: str
    offset: int
    before: str
    after: str
    context: str


@dataclass
class Paragraph:
    text: str
    line_start: int
    line_end: int
    edits: list[Edit] = field(default_factory=list)
    after_removed: bool = False  # a chrome line or cut marker was removed right before it
    cut_after: bool = False  # the page cut the text at its end (a paywall marker was removed there)
    after_break: bool = False  # a page break (page number, running head, subtitle cue's number and timing) before it


def _context(text: str, start: int, end: int) -> str:
    return text[max(0, start - CONTEXT_CHARS) : start] + "【" + text[start:end] + "】" + text[end : end + CONTEXT_CHARS]


def _regex_rule(name: str, pattern: re.Pattern, repl: Callable[[re.Match], str | None]):
    """Build a rule that replaces matches of ``pattern`` by ``repl(match)``
    (``None`` keeps the match) and logs each replacement."""

    def rule(text: str) -> tuple[str, list[Edit]]:
        edits: list[Edit] = []
        out: list[str] = []
        last = 0
        for m in pattern.finditer(text):
            new = repl(m)
            if new is None or new == m.group(0):
                continue
            out.append(text[last : m.start()])
            out.append(new)
            edits.append(Edit(name, m.start(), m.group(0), new, _context(text, m.start(), m.end())))
            last = m.end()
        if not edits:
            return text, []
        out.append(text[last:])
        return "".join(out), edits

    rule.__name__ = name
    return rule


def _is_cjk(ch: str) -> bool:
    return bool(ch) and bool(_CJK_RE.match(ch))


# ------------------------------------------------------------ whitespace

_ODD_SPACE_RE = re.compile(r"[\u3000\u00a0\u2002-\u200a\u202f\u205f\t]+|[\u200b-\u200d\u2060\ufeff]+| {2,}")


def _space_repl(m: re.Match) -> str:
    s = m.group(0)
    return "" if s[0] in "\u200b\u200c\u200d\u2060\ufeff" else " "


_normalize_inner_space = _regex_rule("normalize_whitespace", _ODD_SPACE_RE, _space_repl)
_SPACE_NEAR_PUNCT_RE = re.compile(r" +(?=[，。！？；：、”’）》】])|(?<=[，。！？；：、“‘（《【]) +")
_strip_space_punct = _regex_rule("normalize_whitespace", _SPACE_NEAR_PUNCT_RE, lambda m: "")


def normalize_whitespace(text: str) -> tuple[str, list[Edit]]:
    """Full-width, no-break and tab spaces → one space; zero-width characters
    removed; spaces next to Chinese punctuation and at both ends removed.
    Spaces between words are kept (they may separate two titles)."""
    text, e1 = _normalize_inner_space(text)
    text, e2 = _strip_space_punct(text)
    e3 = []
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :] if text.strip() else ""
    if lead:
        e3.append(Edit("normalize_whitespace", 0, lead, "", "leading space"))
    if trail:
        e3.append(Edit("normalize_whitespace", len(text) - len(trail), trail, "", "trailing space"))
    return text.strip(), e1 + e2 + e3


strip_list_bullet = _regex_rule("strip_list_bullet", re.compile(r"^[-*•·▪●◆]\s+(?=\S)"), lambda m: "")
strip_list_bullet.__doc__ = "Remove a list bullet (“- ”) left by the site's markup at the start of a paragraph."


# ------------------------------------------------------------ page damage


def remove_ruby(text: str) -> tuple[str, list[Edit]]:
    """Remove pinyin ruby that some sites print after each character
    (學(xué)校 → 學校, 關(guān)愛 → 關愛): a parenthesised pinyin syllable right
    after a character. Parenthesised words that are not pinyin stay."""
    from analysis.ingest.pagechrome import RUBY_RE, is_ruby

    if "(" not in text and "（" not in text:
        return text, []
    edits: list[Edit] = []
    out: list[str] = []
    last = 0
    for m in RUBY_RE.finditer(text):
        if not is_ruby(m):
            continue
        out.append(text[last : m.start()])
        edits.append(Edit("remove_ruby", m.start(), m.group(0), "", _context(text, m.start(), m.end())))
        last = m.end()
    if not edits:
        return text, []
    out.append(text[last:])
    return "".join(out), edits


def fix_double_encoding(text: str) -> tuple[str, list[Edit]]:
    """Repair UTF-8 that was decoded in the wrong encoding on the way to the
    page: as Latin-1/Windows-1252 (ç•™å®ˆ → 留守, with ftfy) or as GBK
    (鍏崇埍 → 关爱, when the bytes are valid UTF-8 of ordinary Chinese);
    each repaired run logged. Other damage is flagged
    (:func:`find_mojibake`), never guessed at."""
    spans = []
    if _LATIN_RUN_RE.search(text):
        import ftfy

        for m in _LATIN_RUN_RE.finditer(text):
            fixed = ftfy.fix_encoding(m.group(0))
            if fixed != m.group(0) and _CJK_RE.search(fixed):
                spans.append((m.start(), m.end(), fixed))
    spans.extend(_gbk_mojibake(text))
    if not spans:
        return text, []
    edits: list[Edit] = []
    out: list[str] = []
    last = 0
    for start, end, fixed in sorted(spans):
        if start < last:
            continue
        out.append(text[last:start])
        out.append(fixed)
        edits.append(Edit("fix_double_encoding", start, text[start:end], fixed, _context(text, start, end)))
        last = end
    if not edits:
        return text, []
    out.append(text[last:])
    return "".join(out), edits


# a run of Latin-1 / Windows-1252 characters as UTF-8 bytes of CJK text leave them
_LATIN_RUN_RE = re.compile(
    r"[ÃÂâäåæçèéêëìíîïðñòóôõöøùúûüýþÿ][\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]+"
    r"(?:[ÃÂâäåæçèéêëìíîïðñòóôõöøùúûüýþÿ][\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]+)*"
)
_MOJIBAKE_RES = (
    (re.compile(r"\ufffd+"), "replacement character"),
    (re.compile(r"(?:锟斤拷)+|(?:烫){2,}|(?:屯){3,}"), "GBK/UTF-8 mix-up (锟斤拷, 烫烫)"),
    (re.compile(r"銆[€傚亐]|锛[屾歭燂]|鈥[溿滄檯]|鍙戝竷|鐨勭"), "UTF-8 read as GBK"),
    (
        re.compile(r"\?[A-Za-z](?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff])\?[A-Z](?![A-Za-z])"),
        "a character lost as ? plus a letter (?F將)",
    ),
    (
        re.compile(r"[?？][a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*\)?"),
        "a character lost as ? before its pinyin reading (回家?guī)滋)",
    ),
    (re.compile(r"(?<=[\u3400-\u9fff])\?{2,}|\?{2,}(?=[\u3400-\u9fff])"), "characters lost as ??"),
    (re.compile(r"(?<=[\u3400-\u9fff])(?<![吗呢吧么啊呀哪谁])\?(?=[\u3400-\u9fff])"), "a character lost as ?"),
    (_LATIN_RUN_RE, "UTF-8 read as Latin-1 (ç•™å®ˆ)"),
    (
        re.compile(r"</?(?:p|br|div|span|a|strong|b|img)\b[^>]{0,40}>|&(?:nbsp|lt|gt|amp|quot|#\d{2,5});"),
        "HTML markup left in the text",
    ),
)


def find_mojibake(text: str) -> list[tuple[int, str, str]]:
    """Garbled characters in ``text``: (offset, what, why) for each run —
    replacement characters, 锟斤拷, ``?`` standing for a lost character,
    UTF-8 read in the wrong encoding, HTML left over. Flagged, not changed."""
    found = []
    for rx, why in _MOJIBAKE_RES:
        for m in rx.finditer(text):
            found.append((m.start(), m.group(0), why))
    for start, end, _ in _gbk_mojibake(text):
        found.append((start, text[start:end], "UTF-8 read as GBK (鍏崇埍 for 关爱)"))
    for start, end in _gbk_garbled_spans(text):
        found.append((start, text[start:end], "UTF-8 read as GBK inside clean text"))
    return sorted(set(found))


# a run of characters that UTF-8 read as GBK may yield: anything but ASCII and spaces (CJK, kana, bopomofo,
# full-width forms: 锛屽ス for ，她, 鍦ㄧ for 在)
_GARBLE_RUN_RE = re.compile(r"[^\x00-\x7f\s\ufffd]{4,}")
_UTF8_CJK_LEAD = range(0xE3, 0xF0)  # the lead byte of UTF-8 CJK text and full-width punctuation (U+3000-U+FFFF)
_UTF8_TRAIL = range(0x80, 0xC0)


def _utf8_chars_at(data: bytes, pos: int) -> int:
    """How many three-byte UTF-8 characters (CJK, full-width punctuation) follow one another in ``data``
    from byte ``pos``."""
    n = 0
    while (
        pos + 2 < len(data)
        and data[pos] in _UTF8_CJK_LEAD
        and data[pos + 1] in _UTF8_TRAIL
        and data[pos + 2] in _UTF8_TRAIL
    ):
        n, pos = n + 1, pos + 3
    return n


def _gbk_runs(text: str, min_chars: int) -> Iterator[tuple[int, str]]:
    """(start, run): the runs of ``text`` that GBK can encode, non-ASCII, at least ``min_chars`` long."""
    for m in _GARBLE_RUN_RE.finditer(text):
        try:  # the common case: the whole run encodes (one call, not one per character)
            m.group(0).encode("gbk")
        except UnicodeEncodeError:
            pass
        else:
            if len(m.group(0)) >= min_chars:
                yield m.start(), m.group(0)
            continue
        start = m.start()
        piece = ""
        for k, c in enumerate(m.group(0)):
            try:
                c.encode("gbk")
                piece += c
            except UnicodeEncodeError:
                if len(piece) >= min_chars:
                    yield start, piece
                start, piece = m.start() + k + 1, ""
        if len(piece) >= min_chars:
            yield start, piece


def _gbk_garbled_spans(text: str, *, min_chars: int = 4) -> list[tuple[int, int]]:
    """Spans (start, end) of UTF-8 Chinese read as GBK between clean text, where the run's ends do not
    fall on whole characters (那天晚上，濂跺ザ鍦ㄧ伓鍙板墠煮了…: clean text on both sides, no U+FFFD): the run's
    GBK bytes hold at least ``min_chars`` UTF-8 characters in a row that are CJK text far more ordinary
    than the run (:func:`_char_plausibility`). Only flagged: the run's ends cannot be repaired."""
    out = []
    # every byte offset where min_chars three-byte UTF-8 characters start (overlapping): one C-level scan
    # of the run's bytes, so a long line costs no Python step per character
    utf8_at = re.compile(rb"(?=(?:[\xe3-\xef][\x80-\xbf]{2}){%d})" % min_chars)
    for at, run in _gbk_runs(text, min_chars):
        data = run.encode("gbk")
        offsets = [m.start() for m in utf8_at.finditer(data)]
        if not offsets:
            continue
        if len(data) == 2 * len(run):  # every character two bytes (the common case): no table of offsets
            starts: range | list[int] = range(0, len(data) + 1, 2)
            at_chars = [b // 2 for b in offsets if not b % 2]
        else:
            starts = list(itertools.accumulate((len(c.encode("gbk")) for c in run), initial=0))
            char_at = {b: k for k, b in enumerate(starts)}
            at_chars = [char_at[b] for b in offsets if b in char_at]
        floor = 0
        for i in at_chars:  # the run's characters where such bytes start
            if i < floor:
                continue
            n = _utf8_chars_at(data, starts[i])
            end_byte = starts[i] + 3 * n
            j = next(k for k in range(i, len(run) + 1) if starts[k] >= end_byte)
            decoded = data[starts[i] : end_byte].decode("utf-8", errors="replace")
            if (
                len(_CJK_RE.findall(decoded)) >= 0.6 * n
                and _char_plausibility(decoded) - _char_plausibility(run[i:j]) >= 2.0
            ):
                out.append((at + i, at + j))
                floor = j
    return out


_CJK_RUN_RE = re.compile(r"[\u3400-\u9fff]{4,}")


def _char_plausibility(text: str) -> float:
    """Mean log frequency of the characters in jieba's dictionary: ordinary
    text scores about 9, text garbled through the wrong encoding about 5."""
    from analysis.ingest.segment import get_tokenizer

    freq = get_tokenizer().FREQ
    return sum(math.log1p(freq.get(c, 0)) for c in text) / max(1, len(text))


def _gbk_mojibake(text: str) -> list[tuple[int, int, str]]:
    """Runs of UTF-8 Chinese that were decoded as GBK (关爱 → 鍏崇埍):
    (start, end, repaired text). A run counts only when its GBK bytes are
    valid UTF-8 of CJK text far more ordinary than the run itself."""
    out = []
    for m in _CJK_RUN_RE.finditer(text):
        run = m.group(0)
        for a, b in ((0, len(run)), (0, len(run) - 1), (1, len(run)), (1, len(run) - 1)):
            seg = run[a:b]
            try:
                fixed = seg.encode("gbk").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            if (
                len(_CJK_RE.findall(fixed)) >= max(2, 0.8 * len(fixed))
                and _char_plausibility(fixed) - _char_plausibility(seg) >= 2.0
            ):
                out.append((m.start() + a, m.start() + b, fixed))
            break
    return out


@functools.lru_cache(maxsize=4)
def cut_marker_re(path: str | None) -> re.Pattern | StartSearch:
    """The cut markers of the settings as one pattern (``(?:m1)|(?:m2)|…``),
    searched only where a marker can start (:class:`analysis.startsearch.StartSearch`):
    the same matches as the plain pattern, but a long line is read in C from
    one possible start to the next, where every marker was otherwise tried at
    every character. The plain pattern where a marker's start cannot be told."""
    markers = _settings(path)["cut_markers"]
    body = "|".join(f"(?:{p})" for p in markers)
    starts = [match_start(p) for p in markers]
    if any(st is None for st in starts):
        return re.compile(body)
    return StartSearch(body, starts)


def remove_cut_marker(text: str, *, settings_path: str | None = None) -> tuple[str, list[Edit]]:
    """Remove a paywall or truncation marker (……此处隐藏6599个字……,
    （未完待续）, 点击查看全文 …); the essay is flagged truncated there."""
    rx = cut_marker_re(settings_path)
    edits: list[Edit] = []
    out: list[str] = []
    last = 0
    # matched on the simplified text (節錄 is 节录), removed from the text as written
    simple = to_simplified(text)[0]
    probe = simple if len(simple) == len(text) else text
    for m in rx.finditer(probe):
        out.append(text[last : m.start()])
        edits.append(
            Edit("remove_cut_marker", m.start(), text[m.start() : m.end()], "", _context(text, m.start(), m.end()))
        )
        last = m.end()
    if not edits:
        return text, []
    out.append(text[last:])
    return "".join(out).strip(), edits


# ------------------------------------------------------------ script


@functools.lru_cache(maxsize=1)
def _opencc() -> OpenCC:
    return OpenCC("t2s")


class _T2SKeys:
    """Finds whether a text holds a key of OpenCC's t2s dictionaries (a
    traditional character or phrase): a set look-up per character, and a
    substring search for the few phrases (有序, 沈默 …) that hold none of the
    single-character keys — every other phrase is found by its characters."""

    def __init__(self, single: frozenset[str], phrases: tuple[str, ...]) -> None:
        self.single, self.phrases = single, phrases

    def search(self, text: str) -> bool | None:
        """True when ``text`` holds a key, else None (as ``re.search`` reads)."""
        if not self.single.isdisjoint(text) or any(p in text for p in self.phrases):
            return True
        return None


@functools.lru_cache(maxsize=1)
def _t2s_trigger() -> _T2SKeys | None:
    """What finds a key of OpenCC's t2s dictionaries in a text (:class:`_T2SKeys`).
    OpenCC changes only what matches a key, so a text without one is returned
    as it is. ``None`` if the dictionaries are not where this OpenCC version
    kept them (then every text is converted)."""
    cc = _opencc()
    cc.convert("")  # loads the dictionaries
    keys: set[str] = set()

    def walk(x) -> None:
        if isinstance(x, dict):
            keys.update(k for k in x if k)
        elif isinstance(x, (list, tuple)):
            for y in x:
                walk(y)

    walk(getattr(cc, "_dict_chain_data", None))
    if not keys:
        return None
    single = frozenset(k for k in keys if len(k) == 1)
    return _T2SKeys(single, tuple(sorted(k for k in keys if len(k) > 1 and single.isdisjoint(k))))


class _Phrases:
    """Every occurrence of a key of one dictionary, as (start, length, value)."""

    def __init__(self, mapping: dict[str, str]) -> None:
        from analysis.textsearch import Automaton

        self._map = mapping
        self._a = Automaton(mapping)

    def hits(self, text: str):
        return ((s, e - s, self._map[w]) for s, e, w in self._a.spans(text))


class _CharTable:
    """:class:`_Phrases` for a dictionary of single characters."""

    def __init__(self, mapping: dict[str, str]) -> None:
        self._map = mapping
        self.table = str.maketrans(mapping)
        self._rx = re.compile("[" + "".join(re.escape(k) for k in sorted(mapping)) + "]")

    def hits(self, text: str):
        return ((m.start(), 1, self._map[m.group()]) for m in self._rx.finditer(text))


class _FastConverter:
    """OpenCC's conversion, the same result in time linear in the text.

    The pure-Python OpenCC converts each run between punctuation marks by
    finding the longest dictionary key in it (the leftmost of equal length),
    then the longest in the text left and right of it, and so on — a cost
    that grows with the run's length times the keys it holds (a long
    unpunctuated line took minutes). Here every occurrence of a key comes
    from one Aho–Corasick pass, and taking them longest first, leftmost
    first, skipping any that overlaps one already taken, picks the same
    keys: each one taken is the longest in the gap it falls in. Dictionaries
    of a group apply in turn to what the earlier ones left unmatched;
    elements of the chain apply to the whole text in turn; a key with
    several values takes the first, as OpenCC does."""

    def __init__(self, cc: OpenCC) -> None:
        cc.convert("")  # loads the dictionaries
        self._split = cc.split_chars_re
        self._chain = []
        for group in cc._dict_chain_data:
            matchers = []
            for max_len, _min_len, mapping in group if isinstance(group, list) else [group]:
                first = {key: value.split(" ")[0] for key, value in mapping.items() if key}
                if max_len == 1:
                    # a character table: one character class finds its keys
                    # (an automaton whose root holds thousands of keys walks
                    # them at every character: 4 s on 2 million characters)
                    matchers.append(_CharTable(first))
                    continue
                matchers.append(_Phrases(first))
            self._chain.append(matchers)

    def convert(self, text: str) -> str:
        parts = self._split.split(text)
        for i in range(0, len(parts), 2):  # the runs between separators (split keeps the separators)
            for automata in self._chain:
                parts[i] = self._group(parts[i], automata)
        return "".join(parts)

    @staticmethod
    def _group(text: str, automata) -> str:
        if not text:
            return text
        # pieces: (start, end, value or None for text not matched yet)
        pieces = [(0, len(text), None)]
        for i, a in enumerate(automata):
            if isinstance(a, _CharTable) and i == len(automata) - 1:
                # the last dictionary, of single characters: what is left unmatched
                # is translated character by character
                pieces = [(s, e, text[s:e].translate(a.table) if v is None else v) for s, e, v in pieces]
                break
            hits = sorted(a.hits(text), key=lambda h: (-h[1], h[0]))
            if not hits:
                continue
            open_spans = [(s, e) for s, e, v in pieces if v is None]
            taken: list[tuple[int, int, str]] = []
            free = bytearray(len(text))  # 1 where text is matched already (by this or an earlier dictionary)
            for s, e in open_spans:
                free[s:e] = b"\x01" * (e - s)
            for start, n, value in hits:
                if free[start : start + n] == b"\x01" * n:
                    free[start : start + n] = bytes(n)
                    taken.append((start, start + n, value))
            if not taken:
                continue
            taken.sort()
            new, k = [], 0
            for s, e, v in pieces:
                if v is not None:
                    new.append((s, e, v))
                    continue
                pos = s
                while k < len(taken) and taken[k][0] < e:
                    ts, te, tv = taken[k]
                    if ts > pos:
                        new.append((pos, ts, None))
                    new.append((ts, te, tv))
                    pos, k = te, k + 1
                if pos < e:
                    new.append((pos, e, None))
            pieces = new
        return "".join(text[s:e] if v is None else v for s, e, v in pieces)


@functools.lru_cache(maxsize=1)
def _fast_t2s() -> _FastConverter | None:
    """:class:`_FastConverter` over OpenCC's t2s dictionaries; None if this
    OpenCC version keeps them elsewhere (then OpenCC itself converts)."""
    try:
        return _FastConverter(_opencc())
    except (AttributeError, TypeError, ValueError):
        return None


def _t2s(text: str) -> str:
    """OpenCC t2s of ``text``."""
    fast = _fast_t2s()
    return fast.convert(text) if fast is not None else _opencc().convert(text)


def to_simplified(text: str) -> tuple[str, list[Edit]]:
    """Traditional → simplified characters with OpenCC (t2s); each changed run logged."""
    trigger = _t2s_trigger()
    if trigger is not None and trigger.search(text) is None:
        return text, []
    new = _t2s(text)
    if new == text:
        return text, []
    if len(new) != len(text):
        return new, [Edit("to_simplified", 0, text, new, text[:20])]
    return new, [
        Edit("to_simplified", i, text[i:j], new[i:j], _context(text, i, j)) for i, j in _changed_runs(text, new)
    ]


def _changed_runs(a: str, b: str) -> list[tuple[int, int]]:
    """The maximal runs [i, j) where strings of equal length differ."""
    import numpy as np

    diff = np.frombuffer(a.encode("utf-32-le"), np.uint32) != np.frombuffer(b.encode("utf-32-le"), np.uint32)
    edges = np.flatnonzero(np.diff(np.concatenate(([False], diff, [False])).astype(np.int8)))
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist()))


# ------------------------------------------------------------ stray marks

# ` and ´ never belong in Chinese prose; □ ■ stand for a lost glyph or a mark;
# ’ and ' inside Chinese text without an opening ‘ are anti-copy marks.
_STRAY_RE = re.compile(
    r"[`´ˋ]+|[□■]+(?=[\w\u3400-\u9fff])|(?<=[\w\u3400-\u9fff])[□■]+|(?<=[\u3400-\u9fff])['’](?=[\u3400-\u9fff“])"
    r"|(?<=[\u3400-\u9fff])\.(?=[\u3400-\u9fff])|\(\)|（）"
)


def remove_stray_marks(text: str) -> tuple[str, list[Edit]]:
    """Remove anti-copy marks inside words (祖国的`希望, 代管的’留守, 9月□xx,
    会鸣唱的.鸟儿) and empty brackets left where a site cut a link (，()最终).

    A ’ is kept when the paragraph also has an opening ‘ before it (a real
    single-quoted phrase)."""
    edits: list[Edit] = []
    out: list[str] = []
    last = 0
    for m in _STRAY_RE.finditer(text):
        if m.group(0) == "’" and text.count("‘", 0, m.start()) > text.count("’", 0, m.start()):
            continue  # closes an open ‘…’ quote
        out.append(text[last : m.start()])
        edits.append(Edit("remove_stray_marks", m.start(), m.group(0), "", _context(text, m.start(), m.end())))
        last = m.end()
    if not edits:
        return text, []
    out.append(text[last:])
    return "".join(out), edits


# a forum's anti-copy "jammer" text, hidden on the page and copied with the post: runs of
# random one- and two-character ASCII tokens (8 D, ~+ p. @. X" Y$ ]6 {. R8 S一喊我的心)
_JAMMER_RE = re.compile(r"(?<![!-~])(?:[!-~]{1,2} ){5,}[!-~]{1,2}(?![!-~])")


def _jammer_repl(m: re.Match) -> str | None:
    chars = m.group(0).replace(" ", "")
    alnum = sum(c.isalnum() for c in chars)
    return "" if alnum >= 3 and len(chars) - alnum >= 2 else None  # letters and marks mixed, not 1 + 2 = 3


remove_jammer = _regex_rule("remove_jammer", _JAMMER_RE, _jammer_repl)
remove_jammer.__doc__ = (
    "A forum's hidden anti-copy text (random ASCII tokens: 8 D, ~+ p. @. X\" Y$ ]6 {. R8 S), removed: "
    "six or more tokens of one or two characters, letters and marks mixed."
)


# ------------------------------------------------------------ dash for 一

_DASH_RE = re.compile(r"(?<![—―─-])[—―─](?![—―─])")


def _yi_repl(m: re.Match) -> str | None:
    s = m.string
    prev = s[m.start() - 1] if m.start() > 0 else ""
    nxt = s[m.end()] if m.end() < len(s) else ""
    # a range or compound between digits/Latin (1—2, A—B) is a real dash
    if (prev.isascii() and prev.isalnum()) or (nxt.isascii() and nxt.isalnum()):
        return None
    if _is_cjk(nxt) or (_is_cjk(prev) and (nxt in "”’」』，。、；：！？" or nxt == "")):
        return "一"
    return None


restore_yi = _regex_rule("restore_yi", _DASH_RE, _yi_repl)
restore_yi.__doc__ = (
    "A single dash (— ― ─) touching Chinese characters stands for the numeral 一 "
    "(—个群体, 十个—”); doubled dashes (——) and ranges between digits stay."
)


# ------------------------------------------------------------ punctuation width

_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_HALF_PUNCT_RE = re.compile(r"[,;:?!]")


def _half_repl(m: re.Match) -> str | None:
    s, i = m.string, m.start()
    prev = s[i - 1] if i > 0 else ""
    nxt = s[i + 1] if i + 1 < len(s) else ""
    if m.group(0) in ",:" and prev.isdigit() and nxt.isdigit():
        return None  # 1,000 and 10:30
    if _is_cjk(prev) or _is_cjk(nxt) or prev in "”）" or nxt in "“（":
        return _HALF_TO_FULL[m.group(0)]
    return None


_half_width = _regex_rule("normalize_punctuation", _HALF_PUNCT_RE, _half_repl)
_PAREN_RE = re.compile(r"\(([^()]*)\)")


def _paren_repl(m: re.Match) -> str | None:
    s = m.string
    prev = s[m.start() - 1] if m.start() > 0 else ""
    nxt = s[m.end()] if m.end() < len(s) else ""
    if _CJK_RE.search(m.group(1)) or _is_cjk(prev) or _is_cjk(nxt):
        return f"（{m.group(1)}）"
    return None


_parens = _regex_rule("normalize_punctuation", _PAREN_RE, _paren_repl)
# a comma or enumeration mark right before a sentence end is a typo: 活动，。 → 活动。
_DOUBLE_PUNCT_RE = re.compile(r"[，、；：]+(?=[。！？])|([，。、；])\1+")
_double = _regex_rule("normalize_punctuation", _DOUBLE_PUNCT_RE, lambda m: m.group(1) or "")


def normalize_punctuation(text: str) -> tuple[str, list[Edit]]:
    """Half-width , ; : ? ! and () in Chinese text → full width (not 1,000 or
    10:30); ，。 → 。 and doubled ，， → ，. Quotes and dashes are left to
    their own rules."""
    text, e1 = _half_width(text)
    text, e2 = _parens(text)
    text, e3 = _double(text)
    return text, e1 + e2 + e3


# ------------------------------------------------------------ quotes

_DQUOTE_RE = re.compile(r"[“”]")
_STRAIGHT_DQUOTE_RE = re.compile(r'"')


def _balanced(marks) -> bool:
    """Do the quotes open and close like brackets (nesting allowed)?"""
    depth = 0
    for m in marks:
        depth += 1 if m == "“" else -1
        if depth < 0:
            return False
    return depth == 0


def _certain_mark(text: str, pos: int) -> str:
    """The quote a position must hold whatever the paragraph's count: a
    closer right after a sentence-final mark (…。”), an opener right after
    a colon (说：“); '' when the position does not tell."""
    prev = text[pos - 1] if pos > 0 else ""
    if prev and prev in "。！？!?…":
        return "”"
    if prev and prev in "：:":
        return "“"
    return ""


def fix_quote_pairs(text: str) -> tuple[str, list[Edit]]:
    """Make Chinese double quotes alternate “ ” when a paragraph holds an even
    number of them that do not (“爱心妈妈“ → “爱心妈妈”); straight quotes "…"
    in Chinese text become “…” the same way. Odd counts are left alone (the
    quote may continue in the next paragraph), and so are quotes that open
    and close like brackets: nested quotations are correct as they are."""
    use_straight = '"' in text and _CJK_RE.search(text) and not _DQUOTE_RE.search(text)
    regex = _STRAIGHT_DQUOTE_RE if use_straight else _DQUOTE_RE
    marks = [m.start() for m in regex.finditer(text)]
    if len(marks) < 2 or len(marks) % 2:
        return text, []
    if not use_straight and _balanced(text[p] for p in marks):
        return text, []  # nested quotes: “…关爱农村“留守”儿童…”
    want = ["“" if k % 2 == 0 else "”" for k in range(len(marks))]
    if any(_certain_mark(text, p) not in ("", w) for p, w in zip(marks, want)):
        return text, []  # a quote carried over from or into another paragraph: …。”她又说：“…
    if all(text[p] == w for p, w in zip(marks, want)):
        return text, []
    chars = list(text)
    edits = []
    rule = "normalize_quotes" if use_straight else "fix_quote_pairs"
    for p, w in zip(marks, want):
        if chars[p] != w:
            edits.append(Edit(rule, p, chars[p], w, _context(text, p, p + 1)))
            chars[p] = w
    return "".join(chars), edits


# ------------------------------------------------------------ placeholders

PLACEHOLDER = "XX"
_PLACEHOLDER_RE = re.compile(
    r"(?<![A-Za-z])(?:(?P<year>1[89]|20)[xXｘＸ]{2}|[xXｘＸ]{2,}|×{2,}|[~～]{2,}|[*＊]{2,})(?![A-Za-z])"
)


def _placeholder_repl(m: re.Match) -> str:
    return (m.group("year") or "") + PLACEHOLDER


mark_placeholders = _regex_rule("mark_placeholders", _PLACEHOLDER_RE, _placeholder_repl)
mark_placeholders.__doc__ = (
    "Anonymisation placeholders (xx, xxx, XX, ××, ~~, **) → XX and years 19xx/20xx → 19XX/20XX: "
    "marked consistently, never deleted."
)

PARAGRAPH_RULES: tuple[Callable[[str], tuple[str, list[Edit]]], ...] = (
    normalize_whitespace,
    strip_list_bullet,
    remove_ruby,
    fix_double_encoding,
    to_simplified,
    remove_cut_marker,
    remove_stray_marks,
    remove_jammer,
    restore_yi,
    normalize_punctuation,
    fix_quote_pairs,
    mark_placeholders,
)


def clean_text(text: str, *, rules=PARAGRAPH_RULES) -> tuple[str, list[Edit]]:
    """Apply the paragraph rules in order; returns the text and all edits."""
    edits: list[Edit] = []
    for rule in rules:
        text, e = rule(text)
        edits.extend(e)
    return text, edits


# ------------------------------------------------------------ headings

SECTION_MARKER_RE = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[、．]|\d{1,2}\.(?!\d)"
    r"|第[一二三四五六七八九十\d]{1,3}[部分章节条点]|[①-⑳])"
)
MAX_HEADING_CHARS = 40


def is_heading(text: str) -> bool:
    """A section heading: a section marker (一、 (一) 1、 ①) and a short line
    with at most one sentence, e.g. 一、诲人不倦，架心灵之桥 or 三、激发留守儿童的学习兴趣。"""
    s = text.strip()
    if not SECTION_MARKER_RE.match(s) or len(s) > MAX_HEADING_CHARS:
        return False
    body = s.rstrip("。！？!?")
    return not re.search(r"[。！？!?]", body)


def is_list_item(text: str) -> bool:
    return bool(SECTION_MARKER_RE.match(text.strip()))


# ------------------------------------------------------------ paragraph list


@functools.lru_cache(maxsize=4)
def _settings(path: str | None) -> dict:
    return load_yaml("cleaning.yaml", path)


# A sentence ends at a final mark, also ASCII: 只有孤独...... / I miss you.
_FINAL_RE = re.compile(r"(?:[。！？!?…；;”’」』）)】》]|\.)$")
# A line that is a date, a signature or a salutation: never part of a sentence across lines
_DATE_LINE_RE = re.compile(
    r"^(?:\d{2,4}|[〇零一二三四五六七八九]{2,4}|XX|19XX|20XX)\s*[年./-]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3}|XX)\s*[月./-]?"
    r"\s*(?:(?:\d{1,2}|[一二三四五六七八九十]{1,3}|XX)\s*[日号]?)?$"
)
_SALUTATION_RE = re.compile(r"^(?:尊敬的|亲爱的|敬爱的|各位).{0,30}[：:]$|^(?:此致|敬礼[！!]?|谢谢[！!]?)$")
# what opens a new sentence (a line starting so is no continuation)
_NEW_SENTENCE_RE = re.compile(
    r"^(?:我们|我|你们|你|他们|他|她们|她|它|咱们|大家|同学们|老师们|这|那|但是|但|可是|然而|因为|所以|因此|如果|虽然|首先|其次|再次|最后|"
    r"此外|另外|同时|总之|今天|今年|去年|现在|后来|从此|于是|其实|当然|记得|有一次|一天|每天|每当|为了|通过|随着|近年来|目前|"
    # (a time, a return or a turn that opens the next paragraph: 上个月，…; 回到学校，…; 可我知道，…; 据此，…)
    r"上个月|上周|那天|那年|第二天|回到家|回到学校|据此|可我|可他|可她|"
    # (a time of day, thanks that close a talk: 晚上我在营地…; 谢谢大家听我说完。)
    # (not a time that a sentence goes on with: …每天 | 早上都会在教室门口等他)
    r"(?:早上|上午|中午|下午|傍晚|晚上|夜里|半夜)(?=[，,]|我|你|他|她|大家)|谢谢|感谢|"
    # (a script's speaker mark: （女）叔叔阿姨们，…; someone and the verb that reports the words: 爸爸说，…, not an
    # act that goes on the sentence: …我们 | 抢着说：)
    r"[（(](?:男|女|合|齐|甲|乙|丙|丁|众)[)）]|(?![对跟和向给与把被])[^\W\d着地又就也都还便才再先忙紧快抢笑]{1,3}(?:说|问)[，,：:])"
)
# characters a sentence does not end on: prepositions, conjunctions, particles (…会留我们在 | 他的宿舍里)
_DANGLING_END = frozenset(
    "在和与及或把被给向对从为将让使跟同比以于的地得着之而且并若如因所其每各该此这那些很太更最都也还就又才不没要会能应需"
)


def _ends_open(text: str) -> bool:
    return bool(text) and not _FINAL_RE.search(text) and text[-1] not in "：:"


def _framing_line(text: str) -> bool:
    """A date, a salutation or closing, or a short line without a clause
    mark (a title, a signature, a poem line): a line break after it is a
    real paragraph end."""
    t = text.strip()
    return bool(_DATE_LINE_RE.match(t) or _SALUTATION_RE.match(t)) or (
        len(t) <= 25
        and not re.search(r"[，、；,;]", t)
        and not _FINAL_RE.search(t)
        and not re.search(r"[。！？!?]", t)  # (…肩上。我问他: a sentence ended inside, the next one cut)
    )


@functools.lru_cache(maxsize=4096)
def _word_across(left: str, right: str) -> bool:
    """Does a dictionary word run across the break (良师益|友, 建立一|种)?"""
    from analysis.ingest.segment import tokenize

    joined, cut = left[-4:] + right[:4], len(left[-4:])
    pos = 0
    for tok in tokenize(joined):
        if pos < cut < pos + len(tok) and len(tok) >= 2 and _CJK_RE.match(tok):
            return True
        pos += len(tok)
    return False


# a piece of a numbered series named in a line: a genre word and the piece's number (演讲稿精选（三）,
# 范文二篇, 心得体会之一) — a title, not a sentence broken by a page
_SERIES_TITLE_RE = re.compile(
    r"(演讲稿|范文|作文|心得体会|心得|事迹材料|发言稿|倡议书|讲话稿|征文|精选|例文|选登|汇编)\s*"
    r"(?:[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]|[一二三四五六七八九十\d]{1,3}\s*篇|之[一二三四五六七八九十])"
)


def join_evidence(a: str, b: str, *, min_chars: int = 20, non_initial: str = "的了地得着过吗呢吧么啦嘛") -> str:
    """Why paragraph ``b`` continues the sentence of ``a`` (a page break
    inside a sentence), or '' when the evidence is not strong.

    Never across a heading, a list item, a date, a signature, a salutation
    or a short title-like line. Evidence: ``b`` opens with closing
    punctuation (”所以…) or with a character that never starts a sentence
    (的…); ``a`` ends with a comma; a word runs across the break (良师益|友);
    or ``a`` is a long line of prose that stops without a final mark (none,
    not even ASCII ``.`` or ``......``) and ``b`` does not open a new
    sentence (我…, 但是…, 今天…)."""
    if not a or not b or is_heading(a) or is_heading(b) or is_list_item(b):
        return ""
    if b[:1] in "”’」』）)" or (b[:1] in "，。、；！？" and a[-1:] not in "。！？!?…"):
        # (after a sentence's end only a closing quote or bracket continues it: ？F在 is garbled text)
        return "the next line opens with closing punctuation"
    if not _ends_open(a) or _framing_line(a) and not a.endswith(("，", "、", ",")):
        return ""
    if re.search(r"[?\ufffd]", a[-3:]):
        return ""  # the line ends in garbled text (…班车?;): what it ended with is lost
    if _SERIES_TITLE_RE.search(a[:40]):
        return ""  # a numbered piece's title (关爱留守儿童演讲稿精选（三）让我们…): never joined to its text
    if b[0] in non_initial:
        return f"the next line opens with 「{b[0]}」, which never starts a sentence"
    if _framing_line(b):
        return ""
    if a[-1] in "，、,":
        return "the line ends with a comma"
    if _word_across(a, b):
        return "a word runs across the break"
    if a[-1] in _DANGLING_END and len(a) >= min_chars:
        return f"the line stops on 「{a[-1]}」, which does not end a sentence"
    if len(a) >= min_chars and re.search(r"[，、；,;。！？]", a) and not _NEW_SENTENCE_RE.match(b):
        return "a long line of prose stops without a final mark"
    return ""


MIN_WRAP_WIDTH = 16  # a fixed-width page (a scan's OCR, a PDF's column) is at least this wide
MIN_WRAP_LINES = 4  # …and this many of the text's lines fill it


def wrap_width(widths: list[int]) -> int | None:
    """The width (characters, indentation included) at which a fixed-width capture wraps its lines, when
    at least ``MIN_WRAP_LINES`` lines and 40% of the lines of 10 characters or more share it (give or take
    one: a line may not start with ，。): an OCR'd scan's or a PDF's column. None for text a web page
    wraps itself, whose lines are paragraphs of any length."""
    long = [w for w in widths if w >= 10]
    if not long:
        return None
    best, n = Counter(long).most_common(1)[0]
    near = sum(1 for w in long if abs(w - best) <= 1)
    if best < MIN_WRAP_WIDTH or n < MIN_WRAP_LINES or near < 0.4 * len(long):
        return None
    return best


def join_broken_paragraphs(
    paragraphs: list[Paragraph], *, settings_path: str | None = None, widths: dict[int, int] | None = None
) -> tuple[list[Paragraph], list[tuple[Paragraph, Edit]]]:
    """Re-join paragraphs cut mid-sentence by page breaks, where
    :func:`join_evidence` is strong; never across a removed chrome line
    (``Paragraph.after_removed``). ``widths``: {line: characters of the raw line, indentation included}; where
    the text wraps at a fixed width (:func:`wrap_width`), a line that fills it and stops without a final mark
    goes on in the next line. Returns the new list and (paragraph, edit)
    pairs for the log (the edit's context names the evidence)."""
    cfg = _settings(settings_path)
    min_chars = int(cfg["min_broken_paragraph_chars"])
    non_initial = cfg["non_initial_chars"]
    out: list[Paragraph] = []
    log: list[tuple[Paragraph, Edit]] = []
    verse = _verse_lines(paragraphs)
    widths = widths or {}
    wrap = wrap_width([widths.get(p.line_start, 0) for p in paragraphs if p.line_start == p.line_end])
    for i, p in enumerate(paragraphs):
        if out and not p.after_removed and not out[-1].cut_after and not {i - 1, i} & verse:
            a = out[-1]
            why = join_evidence(a.text, p.text, min_chars=min_chars, non_initial=non_initial)
            if (
                not why
                and wrap is not None
                and abs(widths.get(a.line_end, 0) - wrap) <= 1
                and _ends_open(a.text)
                and re.search(r"[，、；,;。！？]", a.text)
                and not (is_heading(p.text) or is_list_item(p.text) or _framing_line(p.text))
            ):
                why = "the line fills the page's fixed width and stops without a final mark"
            if why:
                before = a.text[-CONTEXT_CHARS:] + "¶" + p.text[:CONTEXT_CHARS]
                edit = Edit("join_broken_paragraphs", len(a.text), "¶", "", before)
                log.append((p, edit))
                a.text = a.text + p.text
                a.line_end = p.line_end
                a.edits.extend(p.edits)
                continue
        out.append(p)
    return out, log


VERSE_LINE_CHARS = 16  # a poem's line is short; a page's line broken by a page or column break rarely is


def _verse_lines(paragraphs: list[Paragraph], *, min_run: int = 3) -> set[int]:
    """Indexes of paragraphs in runs of at least ``min_run`` short lines of
    uneven length: a poem's lines, broken on purpose (春天，我等燕子回来， /
    燕子回来了。), never joined. A narrow column's lines are mostly of one
    full width (a page's wrapping): no verse. Lines each set apart by a page
    break (a subtitle track's cues, each under its number and timing) are no
    poem's run: a break ends the run."""
    out: set[int] = set()
    run: list[int] = []
    for i, p in enumerate([*paragraphs, None]):
        short = p is not None and 0 < len(p.text.strip()) <= VERSE_LINE_CHARS
        if short and not (p.after_break and run):
            run.append(i)
            continue
        widths = [len(paragraphs[k].text.strip()) for k in run[:-1]]
        if len(run) >= min_run and widths.count(max(widths)) < 0.5 * len(widths):
            out.update(run)
        run = [i] if short else []
    return out


_TIME_OR_PLACE_END = tuple("后前时初来中里上下间末底头")


def _predicate_fragment(clause: str) -> bool:
    """A short first clause that starts with a verb, adjective or adverb and
    has no subject (解状况，特挑食，说：) — the tail of a lost sentence. Topics,
    vocatives, names and time phrases (奶奶，白天，周秀英，散会后，) are
    ordinary sentence starts."""
    from analysis.ingest.segment import pos_tag

    if clause.endswith(_TIME_OR_PLACE_END):
        return False
    tags = pos_tag(clause)
    if len(tags) == 1 and len(clause) >= 2 and tags[0][1][:1] in ("d", "c"):
        return False  # a sentence adverb or conjunction of its own (诚然，其实，)
    return bool(tags) and tags[0][1][:1] in ("v", "a", "d")


def _first_token(text: str) -> str:
    """The first word of ``text`` (过去 in 过去我总以为, not 过)."""
    from analysis.ingest.segment import tokenize

    toks = tokenize(text[:8])
    return toks[0] if toks else ""


def flag_gaps(paragraphs: list[Paragraph], *, settings_path: str | None = None) -> list[tuple[Paragraph, str]]:
    """Suspected gaps: a paragraph that opens mid-sentence after a complete one.

    Signals: it opens with a character that never starts a sentence (的, 了 …),
    or its first clause is at most 3 characters, is not a known sentence
    opener (总之，首先，…) and is a predicate without a subject
    (:func:`_predicate_fragment`), e.g. 解状况，与之亲近。 Flags only; nothing
    is invented. Returns (paragraph, detail) pairs.
    """
    cfg = _settings(settings_path)
    openers = set(cfg["sentence_openers"])
    non_initial = set(cfg["non_initial_chars"])
    ordinary_initial = set(cfg.get("sentence_initial_chars", ""))
    flags = []
    for k, p in enumerate(paragraphs):
        t = p.text
        if not t or is_heading(t) or is_list_item(t):
            continue
        prev_complete = k == 0 or not _ends_open(paragraphs[k - 1].text) or is_heading(paragraphs[k - 1].text)
        if not prev_complete:
            continue
        if k > 0 and paragraphs[k - 1].text.rstrip().endswith(("：", ":")):
            continue  # under a salutation (同学们：) a speech may open on its theme word: 分享，是我们班的…
        m = re.match(r"([^，。！？；：、,.!?;:“”\"（）()]+)([，；：、,;:])", t)
        first_clause = m.group(1) if m else ""
        where = "at the start of the essay" if k == 0 else "after a complete paragraph"
        if t[0] in non_initial and _first_token(t) == t[0]:
            flags.append((p, f"opens with 「{t[0]}」, which never starts a sentence, {where}: 「{t[:15]}…」"))
        elif (
            m
            and len(first_clause) <= 3
            and first_clause not in openers
            and _is_cjk(first_clause[:1])
            and first_clause[0] not in ordinary_initial
            and _predicate_fragment(first_clause)
            # (a typeset field label, its characters spaced out, before its colon: 摘　要：…, 按　语：…)
            and not (m.group(2) in "：:" and re.fullmatch(r"[\u3400-\u9fff](\s+[\u3400-\u9fff])+", first_clause))
        ):
            flags.append(
                (
                    p,
                    f"opens with a {len(first_clause)}-character clause 「{first_clause}{m.group(2)}」 {where}: 「{t[:15]}…」",
                )
            )
    return flags


# the numbered items of a notice or a report, by level: 一、  （一）  1.  （1）
_ITEM_LEVELS = (
    re.compile(r"^(?P<n>[一二三四五六七八九十]{1,3})[、.．]"),
    re.compile(r"^[（(](?P<n>[一二三四五六七八九十]{1,3})[）)]"),
    re.compile(r"^(?P<n>\d{1,2})(?:[、．]|\.(?!\d))"),
    re.compile(r"^[（(](?P<n>\d{1,2})[）)]"),
)


def numbering_gaps(texts: list[str]) -> dict[int, tuple[str, int]]:
    """{index: (detail, since)} of the items whose numbering says text is
    lost between item ``since`` and them: a sub-item that is not the first
    of its item ((二) right under 二、), or an item whose number skips one or
    more (一、 二、 四、) — unless that skip is the same loss already flagged
    under the item before."""
    from analysis.ingest.split import cn_to_int

    last: list[int | None] = [None] * len(_ITEM_LEVELS)
    where = [0] * len(_ITEM_LEVELS)  # the index of the last item of each level
    seen_parent = [False] * len(_ITEM_LEVELS)
    out: dict[int, tuple[str, int]] = {}
    flagged_since = [False] * len(_ITEM_LEVELS)
    for i, t in enumerate(texts):
        t = t.strip().lstrip("\u3000")
        for level, rx in enumerate(_ITEM_LEVELS):
            m = rx.match(t)
            n = cn_to_int(m.group("n")) if m else None
            if n is None:
                continue
            marker = t[: m.end()]
            before = last[level]
            if before is None and n >= 2 and level > 0 and any(seen_parent[:level]):
                parent = max(where[up] for up in range(level) if seen_parent[up])
                out[i] = (f"item 「{marker}」 opens its section: the items before it are missing", parent)
                for up in range(level):
                    flagged_since[up] = True
            elif before is not None and 2 <= n - before <= 5 and not flagged_since[level]:
                out[i] = (f"the numbering skips from {before} to {n} before 「{marker}」", where[level])
            last[level], seen_parent[level], flagged_since[level], where[level] = n, True, False, i
            for low in range(level + 1, len(_ITEM_LEVELS)):  # a new item starts its sub-items afresh
                last[low], seen_parent[low], flagged_since[low] = None, False, False
            break
    return out


@dataclass
class CleanedEssay:
    paragraphs: list[Paragraph]
    log: list[dict]
    flags: list[dict]


def _log_row(line: int, e: Edit) -> dict:
    return {
        "line": line,
        "rule": e.rule,
        "offset": e.offset,
        "before": e.before,
        "after": e.after,
        "context": e.context,
    }


# a chrome line that is only a "read the rest" link or a paywall notice: the page cut the essay there
_BARE_READMORE_RE = re.compile(
    r"^[…\.。\s]*(?:点击|请)?(?:查看|阅读|展开|显示)(?:全文|全部|更多|剩余)(?:内容)?\s*(?:>>|》》|>|»|→)*\s*$"
)


def is_cut_line(line: str) -> bool:
    """A line that is only a 查看全文>> link (a cut, not a related-article teaser)."""
    from analysis.ingest.pagechrome import normalise

    norm = normalise(line)
    if _BARE_READMORE_RE.match(norm):
        return True
    m = cut_marker_re(None).search(norm)
    if not m:
        return False
    rest = (norm[: m.start()] + norm[m.end() :]).strip(" .…。·()（）[]【】<>《》-—")
    return len(rest) <= 2  # (……（全文共1560字，…点击下载查看全文）: dots and brackets around the marker)


def truncation_flag(line: int, marker: str, before: str) -> dict:
    return {
        "line": line,
        "flag": "truncated",
        "detail": f"the page cuts the essay at line {line}: 「{marker.strip()}」 after 「{before[-12:]}」",
    }


_PAGE_NUMBER_RE = re.compile(r"^\s*[-—–]?\s*(第\s*)?[\dⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩIVXivx]{1,4}\s*(页|頁)?\s*[-—–]?\s*$")


# chrome a printed or previewed page puts around its number: footnotes, running heads, a reader's prompts
_PAGE_APPARATUS = frozenset({"other", "pagination", "recurring", "ad", "control", "infobox"})


# a subtitle track's cue timing (SRT 00:00:03,200 --> 00:00:06,600; WebVTT 00:03.200 --> 00:06.600)
CUE_TIMING_RE = re.compile(r"^(\d{1,2}:)?\d{2}:\d{2}[,.]\d{1,3}\s*-->\s*(\d{1,2}:)?\d{2}:\d{2}[,.]\d{1,3}(\s+\S.*)?$")


def _page_break(kind: str, raw: str) -> bool:
    """A chrome line a printed page puts between two halves of a sentence:
    a page number or a header or footer that recurs on every page; so does a subtitle track between two cues
    (its cue number and timing: 我叫小风，今年十岁， / 2 / 00:00:06,900 --> 00:00:09,900 / 跟奶奶住在某村。)."""
    s = raw.replace("\u3000", " ").strip()
    return kind in ("pagination", "recurring") or bool(_PAGE_NUMBER_RE.match(s) or CUE_TIMING_RE.match(s))


def _numbering_gap_flags(
    paragraphs: list[Paragraph], lines: list[str], line_start: int, chrome: dict
) -> list[tuple[Paragraph, str]]:
    """(paragraph, detail) for the losses the items' numbering shows
    (:func:`numbering_gaps`): at the first paragraph since the item before
    that follows removed furniture (a page break, a paywall notice: where
    text goes missing), else at the item itself when the text above it ends
    whole (else the loss is inside that text, and nothing is flagged)."""

    def after_furniture(p: Paragraph) -> bool:
        no = p.line_start - 1
        while no >= line_start and not lines[no - line_start].strip() and no not in chrome:
            no -= 1
        return no in chrome

    out = []
    for k, (detail, since) in numbering_gaps([p.text for p in paragraphs]).items():
        at = next((j for j in range(since + 1, k + 1) if after_furniture(paragraphs[j])), None)
        if at is None and k > 0 and not _ends_open(paragraphs[k - 1].text):
            at = k
        if at is not None:
            out.append((paragraphs[at], detail))
    return out


def missing_pages(lines: list[str], chrome: Iterable[int]) -> dict[int, str]:
    """{line: detail} for the first text line after pages a printed document
    lost (``lines``: a file's lines, numbered from 1; ``chrome``: the numbers
    of its furniture lines): its page numbers skip (— 3 —, then — 5 —). Page
    numbers under their page's text (footers, the usual case: text comes
    before the first one) put the lost page right after the first number;
    numbers over their page's text (headers) right after the second."""
    chrome = set(chrome)
    numbers: list[tuple[int, int]] = []
    first_text = None
    for no, raw in enumerate(lines, start=1):
        if no in chrome:
            plain = raw.replace("\u3000", " ")
            if _PAGE_NUMBER_RE.match(plain) and (m := re.search(r"\d{1,4}", plain)):
                numbers.append((no, int(m.group())))
        elif raw.strip() and first_text is None:
            first_text = no
    footers = first_text is not None and bool(numbers) and first_text < numbers[0][0]
    out: dict[int, str] = {}
    for (l1, n1), (l2, n2) in zip(numbers, numbers[1:]):
        if not 1 < n2 - n1 <= 20:
            continue
        at = l1 if footers else l2
        nxt = next((no for no in range(at + 1, len(lines) + 1) if no not in chrome and lines[no - 1].strip()), None)
        if nxt is not None:
            lost = f"page {n1 + 1}" if n2 - n1 == 2 else f"pages {n1 + 1}–{n2 - 1}"
            out[nxt] = f"{lost} missing: the page numbers go from {n1} to {n2}"
    return out


# a forum's notice that a post was deleted (2楼　该楼层已被删除, 此回复已被管理员删除) or folded away by the system
# (该楼层疑似违规已被系统折叠): what the post held is lost
_DELETED_POST_RE = re.compile(
    r"(该楼层|此楼层|本楼层|该楼|此楼|该帖子?|此帖子?|该回复|此回复)\S{0,6}(已被|被|已)(系统|管理员|版主|吧务|楼主)?\s*(删除|屏蔽|折叠)"
)


def deleted_posts(lines: list[str], chrome: Iterable[int], *, reach: int = 4) -> dict[int, str]:
    """{line: detail} for the first text line after a forum's notice that a post was deleted
    (``lines``: a file's lines, numbered from 1; ``chrome``: its furniture lines), when only furniture
    stands between them (the next floor's header, the poster's 接上楼…) within ``reach`` lines: the
    thread's text goes on there after a post that is lost."""
    return _text_after_notices(lines, chrome, _DELETED_POST_RE, "a deleted post", reach=reach)


# a page's notice that part of the text is left out: an editor's elision mark ((中略), (下略)), a printed
# page the viewer failed to load (第3页 加载失败，点击重新加载), a picture (a long image's slice) that did not
# ([图片加载失败，点击重试], [图片2加载失败…]), a scanned page the capture lacks (［原刊第14页扫描件缺失］)
_OMISSION_RE = re.compile(
    r"^[(（]\s*(中略|下略|前略|略)\s*[)）]$|第\s*\d{1,4}\s*[页頁]\s*\S{0,4}(加载失败|载入失败|无法加载|未能加载|无法显示)"
    r"|^[\[［【(（]?\s*(此处的?)?(图片|图像|长图)\s*\d{0,3}\s*(加载失败|载入失败|无法加载|未能加载|无法显示)"
    # an exported page of the writing whose file was damaged (【附件：作品3-第2页.jpg（文件已损坏，无法导出）】)
    r"|^[\[［【(（][^\]］】]{0,30}第\s*\d{1,4}\s*[页頁][^\]］】]{0,16}(损坏|无法导出|未能导出|无法打开)[^\]］】]{0,10}[\]］】)）]$"
    # a note in brackets that the writing there cannot be read (（家长注：后面的两页…字都晕开了，实在认不出来。）)
    r"|^[(（][^()（）]{0,60}(认不出|无法辨认|难以辨认|辨认不清|看不清楚?|无法识别|字迹模糊|无法辨识)[^()（）]{0,20}[)）]$"
    # a scan's or a printed page's note that a page is missing (［原刊第14页扫描件缺失］, （此处缺一页）)
    r"|^[\[［【(（〔]\s*[^\]］】)）〕]{0,12}(第\s*\d{1,4}\s*[页頁]|扫描件|原件|原稿|原文|此处|本页|一页|[\d一二三四五六七八九十]\s*页)"
    r"[^\]］】)）〕]{0,10}(缺失|缺页|缺一页|丢失|遗失|残缺|漏印|无法识别)\s*[\]］】)）〕]$"
    # a note that a picture of the text did not show ((此处原文为图片格式，网页版未能显示)), a chat export's
    # message that expired ([该消息已过期或已被清理])
    r"|^[(（\[［【][^()（）]{0,30}(图片|图像)[^()（）]{0,20}(未能显示|无法显示|未显示|不能显示)[^()（）]{0,10}[)）\]］】]$"
    r"|^[\[［]\s*(该|此)?(消息|图片|文件)(已过期|已被清理|已失效)\S{0,10}[\]］]$"
    # a note that a passage of the text was taken out there (〔此处一段涉及住址的内容已删去〕, 【此處有兩句話，編輯已隱去】)
    r"|^[\[［【(（〔]\s*(此处|此處|这里|這裡|以下|下面)[^\]］】)）〕]{0,40}(已|被)(隐去|隱去|删去|刪去|略去|隐藏|隱藏|删除|刪除)\s*[\]］】)）〕]$"
    # (who took it out and when, a link to the history after a dot: 〔此处原有一段，已被协作者 赵老师 于 3月12日 删除　·　查看历史版本〕)
    r"|^[\[［【(（〔]\s*(此处|这里|以下|下面)[^\]］】)）〕]{0,40}(已被|被)[^\]］】)）〕]{1,30}?(隐去|删去|略去|隐藏|删除)"
    r"(\s*[·|｜]\s*[^\]］】)）〕·|｜]{1,12})?\s*[\]］】)）〕]$"
    # a chat's message its sender recalled (李老师撤回了一条消息): what it said is gone
    r"|^\S{1,20}撤回了一条消息$"
    # a picture the site blocked or removed ((该图片因违反相关规定已被屏蔽)): what it showed of the text is gone
    r"|^[\[［【(（〔]?\s*(该|此)?(图片|图像)[^\]］】)）〕]{0,16}(已被|被)(屏蔽|删除|隐藏)\s*[\]］】)）〕]?$"
    # a note that the original is damaged and words are lost there (〔此处原件第2页右下角破损，缺约三十字〕)
    r"|^[\[［【(（〔][^\]］】)）〕]{0,16}(破损|残缺|污损|虫蛀|霉烂|撕去|撕掉)\S{0,4}[,，]?\s*(缺|脱|漏)约?"
    r"[\d一二三四五六七八九十百]{1,4}个?字\s*[\]］】)）〕]$"
)


def omissions(lines: list[str], chrome: Iterable[int], *, reach: int = 4) -> dict[int, str]:
    """{line: detail} for the first text line after furniture that says text was left out there (an
    editor's （中略）, a page that failed to load), only furniture between them within ``reach`` lines."""
    return _text_after_notices(lines, chrome, _OMISSION_RE, "a notice that text is left out", reach=reach)


def _text_after_notices(lines: list[str], chrome: Iterable[int], notice: re.Pattern, what: str, *, reach: int):
    """{line: detail} for the first text line within ``reach`` lines under each furniture line that
    ``notice`` finds (in its simplified form), with only furniture between."""
    chrome = set(chrome)
    out: dict[int, str] = {}
    for no, raw in enumerate(lines, start=1):
        if no not in chrome or not notice.search(to_simplified(raw.strip())[0]):
            continue
        below = [k for k in range(no + 1, min(len(lines), no + reach) + 1) if lines[k - 1].strip()]
        nxt = next((k for k in below if k not in chrome), None)
        if nxt is not None:
            out[nxt] = f"{what} stood above it: 「{raw.strip()[:24]}」"
    return out


def clean_essay(
    lines: list[str],
    *,
    line_start: int,
    chrome: dict[int, tuple[str, str]] | None = None,
    lost_pages: dict[int, str] | None = None,
    settings_path: str | None = None,
) -> CleanedEssay:
    """Clean one essay's raw lines (starting at file line ``line_start``).

    ``chrome``: {line number: (kind, evidence)} of page-chrome lines inside
    the essay's span (:mod:`analysis.ingest.pagechrome`): each is removed and
    logged (rule ``remove_chrome``). ``lost_pages``: {line: detail} of the
    lines right after pages a printed document lost (:func:`missing_pages`):
    each is flagged ``suspected_gap`` and never joined to the text above. Returns the cleaned paragraphs (with
    their raw line ranges), the log rows (rule, line, before, after, context)
    and the data-quality flags: ``truncated`` where a paywall or cut marker
    stood, ``mojibake`` for garbled characters, ``suspected_gap``.
    """
    chrome = chrome or {}
    paragraphs: list[Paragraph] = []
    log: list[dict] = []
    flags: list[dict] = []
    removed_before = False
    run_page = run_apparatus = False  # the chrome lines since the last text line: a page number; other apparatus
    lost_pages = lost_pages or {}
    for k, raw in enumerate(lines):
        no = line_start + k
        if no in lost_pages:  # text is missing right before this line: flagged, and never joined across
            flags.append({"line": no, "flag": "suspected_gap", "detail": lost_pages[no]})
            removed_before = True
        if no in chrome:
            kind, evidence = chrome[no]
            log.append(
                {
                    "line": no,
                    "rule": "remove_chrome",
                    "offset": 0,
                    "before": raw.strip(),
                    "after": "",
                    "context": f"{kind}: {evidence}",
                }
            )
            if is_cut_line(raw):
                flags.append(truncation_flag(no, raw, paragraphs[-1].text if paragraphs else ""))
            # a printed document's page break (page number, running header) may cut a sentence that goes on after
            # it; so may the page's apparatus around its number (footnotes, a reader's download prompt between
            # pages): a run of such lines breaks no sentence when it holds a page number
            if _page_break(kind, raw):
                run_page = True
            elif kind in _PAGE_APPARATUS and not is_cut_line(raw):
                run_apparatus = True
            else:
                removed_before = True
            continue
        if not raw.strip():
            continue
        for offset, what, why in find_mojibake(remove_ruby(raw)[0]):
            flags.append({"line": no, "flag": "mojibake", "detail": f"{why}: 「{what[:20]}」 at character {offset}"})
        text, edits = clean_text(raw)
        log.extend(_log_row(no, e) for e in edits)
        for e in edits:
            if e.rule == "remove_cut_marker":
                flags.append(
                    truncation_flag(no, e.before, text[: e.offset] or (paragraphs[-1].text if paragraphs else ""))
                )
        if not text:
            removed_before = removed_before or any(e.rule == "remove_cut_marker" for e in edits)
            continue
        cut_at_end = any(
            e.rule == "remove_cut_marker" and e.offset + len(e.before) >= len(raw.strip()) - 2 for e in edits
        )
        removed_before = removed_before or (run_apparatus and not run_page)
        paragraphs.append(
            Paragraph(
                text, no, no, list(edits), after_removed=removed_before, cut_after=cut_at_end, after_break=run_page
            )
        )
        removed_before = run_page = run_apparatus = False
    widths = {line_start + k: len(raw.rstrip()) for k, raw in enumerate(lines)}
    paragraphs, joins = join_broken_paragraphs(paragraphs, settings_path=settings_path, widths=widths)
    log.extend(_log_row(p.line_start, e) for p, e in joins)
    gaps = dict(lost_pages)
    for p, detail in [
        *_numbering_gap_flags(paragraphs, lines, line_start, chrome),
        *flag_gaps(paragraphs, settings_path=settings_path),
    ]:
        gaps.setdefault(p.line_start, detail)
        if gaps[p.line_start] == detail and p.line_start not in lost_pages:
            flags.append({"line": p.line_start, "flag": "suspected_gap", "detail": detail})
    return CleanedEssay(paragraphs, log, flags)
