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
import re
from dataclasses import dataclass, field
from typing import Callable

from opencc import OpenCC

from analysis.resources import load_yaml

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


def _context(text: str, start: int, end: int) -> str:
    return text[max(0, start - CONTEXT_CHARS):start] + "【" + text[start:end] + "】" + text[end:end + CONTEXT_CHARS]


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
            out.append(text[last:m.start()])
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
    trail = text[len(text.rstrip()):] if text.strip() else ""
    if lead:
        e3.append(Edit("normalize_whitespace", 0, lead, "", "leading space"))
    if trail:
        e3.append(Edit("normalize_whitespace", len(text) - len(trail), trail, "", "trailing space"))
    return text.strip(), e1 + e2 + e3


strip_list_bullet = _regex_rule(
    "strip_list_bullet", re.compile(r"^[-*•·▪●◆]\s+(?=\S)"), lambda m: ""
)
strip_list_bullet.__doc__ = "Remove a list bullet (“- ”) left by the site's markup at the start of a paragraph."


# ------------------------------------------------------------ script

@functools.lru_cache(maxsize=1)
def _opencc() -> OpenCC:
    return OpenCC("t2s")


@functools.lru_cache(maxsize=1)
def _t2s_trigger() -> re.Pattern | None:
    """A pattern that finds any key of OpenCC's t2s dictionaries (a traditional
    character or phrase). OpenCC changes only what matches a key, so a text
    without a match is returned as it is. ``None`` if the dictionaries are not
    where this OpenCC version kept them (then every text is converted)."""
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
    chars = "".join(sorted(re.escape(k) for k in keys if len(k) == 1))
    phrases = sorted((k for k in keys if len(k) > 1), key=len, reverse=True)
    return re.compile("|".join([f"[{chars}]", *map(re.escape, phrases)]))


def to_simplified(text: str) -> tuple[str, list[Edit]]:
    """Traditional → simplified characters with OpenCC (t2s); each changed run logged."""
    trigger = _t2s_trigger()
    if trigger is not None and trigger.search(text) is None:
        return text, []
    new = _opencc().convert(text)
    if new == text:
        return text, []
    if len(new) != len(text):
        return new, [Edit("to_simplified", 0, text, new, text[:20])]
    edits, i = [], 0
    while i < len(text):
        if text[i] != new[i]:
            j = i
            while j < len(text) and text[j] != new[j]:
                j += 1
            edits.append(Edit("to_simplified", i, text[i:j], new[i:j], _context(text, i, j)))
            i = j
        else:
            i += 1
    return new, edits


# ------------------------------------------------------------ stray marks

# ` and ´ never belong in Chinese prose; □ ■ stand for a lost glyph or a mark;
# ’ and ' inside Chinese text without an opening ‘ are anti-copy marks.
_STRAY_RE = re.compile(r"[`´ˋ]+|[□■]+(?=[\w\u3400-\u9fff])|(?<=[\w\u3400-\u9fff])[□■]+|(?<=[\u3400-\u9fff])['’](?=[\u3400-\u9fff“])")


def remove_stray_marks(text: str) -> tuple[str, list[Edit]]:
    """Remove anti-copy marks inside words (祖国的`希望, 代管的’留守, 9月□xx).

    A ’ is kept when the paragraph also has an opening ‘ before it (a real
    single-quoted phrase)."""
    edits: list[Edit] = []
    out: list[str] = []
    last = 0
    for m in _STRAY_RE.finditer(text):
        if m.group(0) == "’" and text.count("‘", 0, m.start()) > text.count("’", 0, m.start()):
            continue  # closes an open ‘…’ quote
        out.append(text[last:m.start()])
        edits.append(Edit("remove_stray_marks", m.start(), m.group(0), "", _context(text, m.start(), m.end())))
        last = m.end()
    if not edits:
        return text, []
    out.append(text[last:])
    return "".join(out), edits


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


def fix_quote_pairs(text: str) -> tuple[str, list[Edit]]:
    """Make Chinese double quotes alternate “ ” when a paragraph holds an even
    number of them that do not (“爱心妈妈“ → “爱心妈妈”); straight quotes "…"
    in Chinese text become “…” the same way. Odd counts are left alone: the
    quote may continue in the next paragraph."""
    use_straight = '"' in text and _CJK_RE.search(text) and not _DQUOTE_RE.search(text)
    regex = _STRAIGHT_DQUOTE_RE if use_straight else _DQUOTE_RE
    marks = [m.start() for m in regex.finditer(text)]
    if len(marks) < 2 or len(marks) % 2:
        return text, []
    want = ["“" if k % 2 == 0 else "”" for k in range(len(marks))]
    if all(text[p] == w for p, w in zip(marks, want)):
        return text, []
    chars = list(text)
    edits = []
    for p, w in zip(marks, want):
        if chars[p] != w:
            edits.append(Edit("fix_quote_pairs", p, chars[p], w, _context(text, p, p + 1)))
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
    to_simplified,
    remove_stray_marks,
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


def _ends_open(text: str) -> bool:
    return bool(text) and text[-1] not in TERMINAL_END and text[-1] not in "：:"


def join_broken_paragraphs(paragraphs: list[Paragraph], *, settings_path: str | None = None) -> tuple[list[Paragraph], list[tuple[Paragraph, Edit]]]:
    """Re-join paragraphs cut mid-sentence by page breaks.

    Paragraph B is joined to the preceding A when neither is a heading, B is
    not a numbered list item, and either B opens with closing punctuation
    (”所以…) or A ends inside a sentence: with ， 、 or with a character and
    A is at least ``min_broken_paragraph_chars`` long (shorter unterminated
    lines are titles or bylines). Returns the new list and (paragraph, edit)
    pairs for the log.
    """
    min_chars = int(_settings(settings_path)["min_broken_paragraph_chars"])
    out: list[Paragraph] = []
    log: list[tuple[Paragraph, Edit]] = []
    for p in paragraphs:
        if out:
            a = out[-1]
            opens_with_closer = p.text[:1] in "”’」』）)，。、；！？"
            a_open = _ends_open(a.text) and (a.text[-1] in "，、," or len(a.text) >= min_chars)
            if not is_heading(a.text) and not is_heading(p.text) and not is_list_item(p.text) and (opens_with_closer or a_open):
                before = a.text[-CONTEXT_CHARS:] + "¶" + p.text[:CONTEXT_CHARS]
                edit = Edit("join_broken_paragraphs", len(a.text), "¶", "", before)
                log.append((p, edit))
                a.text = a.text + p.text
                a.line_end = p.line_end
                a.edits.extend(p.edits)
                continue
        out.append(p)
    return out, log


def flag_gaps(paragraphs: list[Paragraph], *, settings_path: str | None = None) -> list[tuple[Paragraph, str]]:
    """Suspected gaps: a paragraph that opens mid-sentence after a complete one.

    Signals: it opens with a character that never starts a sentence (的, 了 …),
    or its first clause is at most 3 characters and is not a known sentence
    opener (总之，首先，…), e.g. 解状况，与之亲近。 Flags only; nothing is
    invented. Returns (paragraph, detail) pairs.
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
        m = re.match(r"([^，。！？；：、,.!?;:“”\"（）()]+)([，；：、,;:])", t)
        first_clause = m.group(1) if m else ""
        where = "at the start of the essay" if k == 0 else "after a complete paragraph"
        if t[0] in non_initial:
            flags.append((p, f"opens with 「{t[0]}」, which never starts a sentence, {where}: 「{t[:15]}…」"))
        elif m and len(first_clause) <= 3 and first_clause not in openers and _is_cjk(first_clause[:1]) and first_clause[0] not in ordinary_initial:
            flags.append((p, f"opens with a {len(first_clause)}-character clause 「{first_clause}{m.group(2)}」 {where}: 「{t[:15]}…」"))
    return flags


@dataclass
class CleanedEssay:
    paragraphs: list[Paragraph]
    log: list[dict]
    flags: list[dict]


def clean_essay(lines: list[str], *, line_start: int, settings_path: str | None = None) -> CleanedEssay:
    """Clean one essay's raw lines (starting at file line ``line_start``).

    Returns the cleaned paragraphs (with their raw line ranges), the log rows
    (rule, line, before, after, context) and the data-quality flags.
    """
    paragraphs: list[Paragraph] = []
    for k, raw in enumerate(lines):
        if not raw.strip():
            continue
        text, edits = clean_text(raw)
        if not text:
            continue
        paragraphs.append(Paragraph(text, line_start + k, line_start + k, list(edits)))
    log = [
        {"line": p.line_start, "rule": e.rule, "offset": e.offset, "before": e.before, "after": e.after, "context": e.context}
        for p in paragraphs
        for e in p.edits
    ]
    paragraphs, joins = join_broken_paragraphs(paragraphs, settings_path=settings_path)
    log.extend(
        {"line": p.line_start, "rule": e.rule, "offset": e.offset, "before": e.before, "after": e.after, "context": e.context}
        for p, e in joins
    )
    flags = [
        {"line": p.line_start, "flag": "suspected_gap", "detail": detail}
        for p, detail in flag_gaps(paragraphs, settings_path=settings_path)
    ]
    return CleanedEssay(paragraphs, log, flags)
