"""Heading lines: the built-in and user heading patterns, Chinese numerals, and the records of a heading and an
essay.
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
    # 题目：等春天 / 作文题目：… (a title announced as one)
    # (a mailbox's letter: 信件标题：关于…的建议)
    # (not a task that names the title: 作文题目：以“那一次，我读懂了奶奶”为题，写一篇…)
    r"^(?:作文|信件|来信|留言)?(?:题目|标题|文题)\s*[：:]\s*(?!以\s*[“\"「『])(?P<title>\S.{0,38})$",
    # 演讲稿一：title / 【日记3】：title — a kind of piece, its number and a colon (a kind alone needs the colon);
    # the kind may be qualified by a word or two (党员心得1：…, 满分作文一：…), and a kind and number closed in
    # brackets need no colon (【满分作文二】title)
    # (作文 and 习作 only so qualified: a bare 作文7：… is a style a user names, --heading-pattern)
    # (a log's or a notebook's entries may set the title off by a bar: 日志一｜下次见, 手记2丨…)
    rf"^[【〖\[]?(?:[\u4e00-\u9fff]{{0,4}}?(?:演讲稿|发言稿|讲话稿|日记|周记|心得体会|心得|例文|事迹材料|材料|倡议书|读后感|"
    rf"观后感|总结|感言|故事|书信|诗歌|小诗|日志|手记|随笔)|[\u4e00-\u9fff]{{1,4}}?(?:作文|习作))(?P<num>{_NUM})[】〗\]]?"
    rf"\s*[：:｜|丨]\s*(?P<title>\S.*)$",
    rf"^[【〖\[](?:[\u4e00-\u9fff]{{0,4}}?(?:演讲稿|发言稿|讲话稿|日记|周记|心得体会|心得|例文|事迹材料|倡议书|读后感|"
    rf"观后感|感言|故事|书信|诗歌|小诗|日志|手记|随笔)|[\u4e00-\u9fff]{{1,4}}?(?:作文|习作))(?P<num>{_NUM})[】〗\]]\s*(?P<title>\S.*)$",
    # 篇一：title / 篇1 title (a separator is required: 篇幅 is no heading)
    rf"^[【〖\[]?篇(?P<num>{_NUM})[】〗\]]?[：:\s、.．-]+(?P<title>\S.*)$",
    # 范文1 / 模板1 / 【范文一】 (範文 in traditional script), title before, or after a separator or a
    # closing bracket (not 范文一样的写法)
    # (also set between marks: ◆范文一◆　title)
    rf"^(?P<pre>.*?)[【〖\[（(◆◇■□●○★☆]?(?:范文|範文|模板)\s*(?P<num>{_NUM})"
    rf"(?:(?:[】〗\]）)◆◇■□●○★☆][：:\s、.．-]*|[：:\s、.．-]+)(?P<title>.*))?$",
)


_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


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
    rule: str = "builtin"  # user | builtin | series | page_title


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
            compiled.append(_UserPattern(pat))
        except re.error as exc:
            raise ValueError(f"--heading-pattern {pat!r} is not a valid regular expression: {exc}") from None
    compiled.extend(re.compile(p) for p in BUILTIN_PATTERNS)
    return compiled


# seconds a user's heading regex may take on one line (a heading is at most
# MAX_HEADING_CHARS long: any sane pattern takes microseconds)
USER_PATTERN_TIMEOUT = 0.5


class HeadingPatternError(ValueError):
    """A user's heading regex that takes too long on a line (catastrophic backtracking)."""


class _UserPattern:
    """A user's heading regex (behaves as the compiled pattern; marked as the
    user's). Matched with the ``regex`` package and a time limit: a pattern
    with nested repetition such as ``(a|aa)+$`` can take exponential time on
    a short line, which would hang the build without a word."""

    def __init__(self, pattern: str):
        import regex

        re.compile(pattern)  # the standard syntax (and its error messages) decide what is valid
        try:
            self._re = regex.compile(pattern)
        except regex.error as exc:
            raise re.error(str(exc)) from None
        self.pattern = pattern

    def match(self, s: str):
        try:
            return self._re.match(s, timeout=USER_PATTERN_TIMEOUT)
        except TimeoutError:
            raise HeadingPatternError(
                f"--heading-pattern {self.pattern!r} took more than {USER_PATTERN_TIMEOUT:g} s on the line "
                f"{s[:30]!r}: nested repetition such as (a+)+ backtracks without end; simplify the pattern"
            ) from None

    def __eq__(self, other):
        return isinstance(other, _UserPattern) and other.pattern == self.pattern

    def __hash__(self):
        return hash(("user", self.pattern))


# punctuation a heading may end in (第三篇：妈妈，我想你！), Chinese and ASCII
_TRAILING_PUNCT = "。！？!?；;…~～，,、.．"


# a quoted span inside a title (「姐姐，你明年还来吗？」, “谢谢叔叔阿姨！”)
_QUOTED_SPAN_RE = re.compile(r"「[^「」]{1,30}」|“[^“”]{1,30}”|『[^『』]{1,30}』")


_TITLE_SEP = set("：:、.．-】〗]）) \u3000")


# a mark a site sets before a numbered heading (▲第五篇　…, ■篇三：…): the heading is what follows it
_HEADING_MARK_RE = re.compile(r"^[▲△▼▽■□◆◇●○★☆▶►◎※]\s*(?=[【〖\[]?(?:第\s*\S{1,3}\s*篇|篇\S{1,3}|范文|範文|模板))")


def _heading_match(line: str, patterns: list) -> tuple[int | None, str, str] | None:
    s = _HEADING_MARK_RE.sub("", line.strip().strip("\u3000"))
    core = s.rstrip(_TRAILING_PUNCT + " ")
    # (a title may quote a question or an exclamation: 篇二：「姐姐，你明年还来吗？」)
    if not core or len(s) > MAX_HEADING_CHARS or _SENTENCE_END.search(_QUOTED_SPAN_RE.sub("“”", core)):
        return None
    for pat in patterns:
        m = pat.match(s)
        if not m:
            continue
        groups = m.groupdict()
        if core != s and groups.get("title") and not isinstance(pat, _UserPattern):
            # a line ending in punctuation is a heading only where its title is set apart from
            # the number (第三篇：妈妈，我想你！), never a sentence that starts so (第一篇文章是我写的。)
            at = m.start("title")
            if at == 0 or s[at - 1] not in _TITLE_SEP:
                continue
        num_text = groups.get("num") or groups.get("num2")
        number = cn_to_int(num_text) if num_text else None
        if num_text and number is None:
            continue
        title = " ".join(x.strip() for x in (groups.get("pre"), groups.get("title")) if x and x.strip())
        if "num" not in groups and "title" not in groups:
            title = s
        return number, title.strip(" ：:-").rstrip("；;，,、"), "user" if isinstance(pat, _UserPattern) else "builtin"
    return None


def marked_heading(line: str, patterns: list | None = None) -> bool:
    """Is ``line`` a numbered essay heading behind a mark (▲第五篇　留守儿童教育工作心得): a heading, though
    the mark alone reads as a caption's or a byline's?"""
    s = line.strip().strip("\u3000")
    if not _HEADING_MARK_RE.match(s):
        return False
    hit = _heading_match(s, patterns if patterns is not None else compile_patterns())
    return hit is not None and hit[0] is not None


def match_heading(line: str, patterns: list) -> tuple[int | None, str] | None:
    """(number, title) if ``line`` is an essay heading of a built-in or user
    style, else ``None``."""
    hit = _heading_match(line, patterns)
    return None if hit is None else hit[:2]
