"""Split a raw dump into essays at heading lines.

Built-in heading styles (one line each, at most ``MAX_HEADING_CHARS``):
  * a title ending in 篇一 … 篇十, 篇十一 … (or 篇1): ``小学教师关爱留守儿童工作总结篇三``
  * a lone ``篇一``
  * ``第一篇`` / ``第1篇``, optionally followed by a title after ``：`` ``:`` or a space
  * ``【篇一】`` / ``【第1篇】`` (also 〖〗 and [ ]), optionally followed by a title
  * ``范文1`` / ``模板1`` (also ``范文一``), optionally with a title before or after

Text before the first heading (collection title, site blurb) is returned
separately as the preamble; a file with no heading is one essay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_HEADING_CHARS = 60
_NUM = r"[一二三四五六七八九十百零〇两\d]+"
_SEP = r"[：:\s、.．-]*"

BUILTIN_PATTERNS: tuple[str, ...] = (
    # 【篇一】 / 【第1篇】 / [篇1] / 〖第一篇〗 + optional title (篇 required: 【一】 is a section)
    rf"^[【〖\[](?:篇(?P<num>{_NUM})|第(?P<num2>{_NUM})篇)[】〗\]]{_SEP}(?P<title>.*)$",
    # 第一篇 / 第1篇 + optional title
    rf"^第(?P<num>{_NUM})篇{_SEP}(?P<title>.*)$",
    # title ending in 篇一 (or a lone 篇一), optional closing bracket
    rf"^(?P<title>.*?)[（(【]?篇(?P<num>{_NUM})[）)】]?$",
    # 范文1 / 模板1, title before, or after a separator (not 范文一样的写法)
    rf"^(?P<pre>.*?)(?:范文|模板)\s*(?P<num>{_NUM})(?:[：:\s、.．-]+(?P<title>.*))?$",
)

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SENTENCE_END = re.compile(r"[。！？!?；;]")


def cn_to_int(s: str) -> int | None:
    """Parse 一, 十, 十一, 二十三, 一百零五 or Arabic digits; ``None`` if not a number."""
    s = s.strip()
    if s.isdecimal():  # not isdigit(): '①'.isdigit() is True but int('①') fails
        return int(s)
    if not s or any(c not in _CN_DIGITS and c not in "十百" for c in s):
        return None
    total, current = 0, 0
    for c in s:
        if c in _CN_DIGITS:
            current = _CN_DIGITS[c]
        elif c == "十":
            total += (current or 1) * 10
            current = 0
        elif c == "百":
            total += (current or 1) * 100
            current = 0
    return total + current


@dataclass(frozen=True)
class Heading:
    line_no: int  # 1-based line number in the file
    line: str
    number: int | None
    title: str


@dataclass(frozen=True)
class EssayChunk:
    ordinal: int
    heading: Heading | None
    line_start: int  # first line of the body (1-based, inclusive)
    line_end: int  # last line of the body (inclusive)
    lines: list[str]

    @property
    def raw_text(self) -> str:
        return "\n".join(self.lines)


def compile_patterns(extra: list[str] | tuple[str, ...] = ()) -> list[re.Pattern]:
    """Built-in heading patterns plus ``extra`` user regexes (tried first).

    A user pattern may define groups ``num`` and ``title``; otherwise the
    whole line is the title. Invalid regexes raise ``ValueError`` naming them.
    """
    compiled = []
    for pat in list(extra):
        try:
            compiled.append(re.compile(pat))
        except re.error as exc:
            raise ValueError(f"--heading-pattern {pat!r} is not a valid regular expression: {exc}") from None
    compiled.extend(re.compile(p) for p in BUILTIN_PATTERNS)
    return compiled


def match_heading(line: str, patterns: list[re.Pattern]) -> tuple[int | None, str] | None:
    """(number, title) if ``line`` is an essay heading, else ``None``."""
    s = line.strip().strip("\u3000")
    if not s or len(s) > MAX_HEADING_CHARS or _SENTENCE_END.search(s):
        return None
    for pat in patterns:
        m = pat.match(s)
        if not m:
            continue
        groups = m.groupdict()
        num_text = groups.get("num") or groups.get("num2")
        number = cn_to_int(num_text) if num_text else None
        if num_text and number is None:
            continue
        title = " ".join(x.strip() for x in (groups.get("pre"), groups.get("title")) if x and x.strip())
        if "num" not in groups and "title" not in groups:
            title = s
        return number, title.strip(" ：:-")
    return None


def split_essays(text: str, *, patterns: list[re.Pattern] | None = None,
                 dropped: list[Heading] | None = None) -> tuple[list[str], list[EssayChunk]]:
    """Split LF-normalised ``text`` into (preamble lines, essays).

    Each essay runs from the line after its heading to the line before the
    next heading; line numbers are 1-based. With no heading, the whole file
    (minus leading/trailing blank lines) is one essay without heading. A
    heading with no text under it is not an essay: it is appended to
    ``dropped`` (when given) so the caller can log it; ordinals count the
    essays kept.
    """
    pats = patterns if patterns is not None else compile_patterns()
    lines = text.split("\n")
    heads: list[Heading] = []
    for i, line in enumerate(lines, start=1):
        hit = match_heading(line, pats)
        if hit:
            heads.append(Heading(i, line.strip(), hit[0], hit[1]))
    if not heads:
        first = next((i for i, l in enumerate(lines) if l.strip()), 0)
        last = max((i for i, l in enumerate(lines) if l.strip()), default=0)
        return [], [EssayChunk(1, None, first + 1, last + 1, lines[first:last + 1])]
    preamble = lines[: heads[0].line_no - 1]
    chunks: list[EssayChunk] = []
    for k, h in enumerate(heads):
        end = heads[k + 1].line_no - 1 if k + 1 < len(heads) else len(lines)
        body = lines[h.line_no:end]
        # trim blank lines at both ends but keep line numbers exact
        lo, hi = 0, len(body)
        while lo < hi and not body[lo].strip():
            lo += 1
        while hi > lo and not body[hi - 1].strip():
            hi -= 1
        if lo == hi:
            if dropped is not None:
                dropped.append(h)
            continue
        chunks.append(EssayChunk(len(chunks) + 1, h, h.line_no + 1 + lo, h.line_no + hi, body[lo:hi]))
    return preamble, chunks
