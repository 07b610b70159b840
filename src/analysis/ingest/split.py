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

Text before the first heading (collection title, site blurb) is returned
separately as the preamble; a file with no heading is one essay. Each
heading records the rule that found it (user, builtin, series, page_title).
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


# ------------------------------------------------------------ numbered series
# A title followed by a number in any common form: 留守儿童演讲稿1, …演讲稿 2,
# …事迹材料（一）, …心得体会(3), …作文【一】, …之一, …演讲稿一.
_SERIES_RE = re.compile(
    r"^(?P<stem>.*?\S)\s*(?:[（(【\[〖]\s*(?P<n1>\d{1,3}|[一二三四五六七八九十]{1,3})\s*[）)】\]〗]"
    r"|之(?P<n2>[一二三四五六七八九十]{1,3})|(?P<n3>\d{1,3})|(?P<n4>[一二三四五六七八九十]{1,3}))$"
)
_STEM_OK_RE = re.compile(r"[\u3400-\u9fff]{2}")
MAX_SERIES_HEADING_CHARS = 40
# this much text (not chrome) before the first heading is an essay of its own, never a dropped preamble
MIN_PREAMBLE_ESSAY_CHARS = 200
# …unless it is a collection's preface (前言, 序, 编者按), which is no essay of the collection
_PREFACE_RE = re.compile(
    r"^(前\s*言|序(\s*言)?(?![\u4e00-\u9fff])|编者按|编者的话|卷首语|导\s*语|引\s*言)\s*[:：]?"
)  # (not 序号)


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


# a diary's date and weather line (3月11日　晴) opens an entry; it is no title
_DATE_LINE_RE = re.compile(
    r"^((\d{2,4}|[〇零一二三四五六七八九]{2,4})\s*年\s*)?[\d一二三四五六七八九十]{1,3}\s*月\s*[\d一二三四五六七八九十]{1,3}\s*[日号]"
    r"[\s\u3000，,]*((星期|礼拜|周)[一二三四五六日天])?[\s\u3000，,]*(\S{0,6}([\s\u3000]+\S{1,6}){0,2})?$"
)  # (…　清明　雨: a day's name and its weather)


def _title_like(s: str, *, commas: bool = False) -> bool:
    """Short, no sentence-final mark, not a salutation; with ``commas``, a
    title may hold a comma (那一次，我哭了)."""
    return (
        bool(s)
        and len(s) <= MAX_TITLE_CHARS
        and not _SENTENCE_END.search(s)
        and not s.endswith(("：", ":", "，", ",", "、"))  # (a clause that goes on is no title)
        and not _DATE_LINE_RE.match(s)
        and not s.startswith(_NOT_TITLE_START)
        and len(re.findall(r"[\u3400-\u9fff]", s)) >= 2
        and (commas or not re.search(r"[，,；;]", s))
    )


def _stem_key(stem: str) -> str:
    return re.sub(r"\s+", "", stem)


def _has_body(lines: list[str], heading_no: int, end: int, skip: set[int]) -> bool:
    """Some text (a line of at least 8 characters, not chrome) between a
    heading and ``end``."""
    return any(len(lines[k - 1].strip()) >= 8 and k not in skip for k in range(heading_no + 1, end))


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


# ------------------------------------------------------------ page title
MAX_TITLE_CHARS = 40
_SITE_NAME_RE = re.compile(
    r"(网|(?<![车驿])站|厅|局|委员会|政府|门户|平台|论坛|社区|博客|日报|晚报|频道|空间|文库|书屋|之家|公众号|在线|百科|贴吧|知道|个人资料|个人图书馆)$"
)
# a WeChat article's numbered section mark (01｜村口的站牌, 2丨一部旧手机)
_SECTION_MARK_RE = re.compile(r"^\d{1,2}\s*[｜|丨]\s*\S")
_SECTION_START_RE = re.compile(
    r"^([一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[、.．](?!\d)|[①-⑳])"
)
_NOT_TITLE_START = ("尊敬", "亲爱", "各位", "敬爱")


def _exclaimed_title(s: str) -> bool:
    """A title, or one that ends in ！ or ？ (妈妈，你什么时候回来？, 爸爸，我为你骄傲！)."""
    return _title_like(s) or (s.endswith(("？", "?", "！", "!")) and _title_like(s[:-1].rstrip("？?！!"), commas=True))


# a notice's or letter's title that names whom it addresses and ends in a colon (暑假将至，县妇联致外出务工家长：)
_ADDRESSED_TITLE_RE = re.compile(r"(致|写给|告)[^，,。！？]{2,20}[：:]$")


def _addressed_title(s: str) -> bool:
    return bool(_ADDRESSED_TITLE_RE.search(s)) and _title_like(s[:-1], commas=True)


_FILE_NAME_END_RE = re.compile(r"\.(docx?|xlsx?|pptx?|pdf|wps|et|zip|rar|7z|txt|jpe?g|png)$", re.I)


def title_over_author(line: str) -> bool:
    """Can ``line`` be an essay's title when an author's line is right under
    it: a title (commas allowed), one ending in ！ or ？, or one naming whom it
    addresses; never an attachment's file name."""
    t = line.strip().strip("\u3000")
    return (
        not _FILE_NAME_END_RE.search(t)
        and not _GREETING_RE.search(t)
        and len(_MENU_GAP_RE.findall(t)) < 2  # 评论　　重要提示：…　　[发评论]: a row of a page's furniture
        and (
            _title_like(t, commas=True)
            or _exclaimed_title(t)
            or _addressed_title(t)
            or bool(re.fullmatch(r"[\u4e00-\u9fff]", t))
            or _book_title(t)
        )
    )  # (a poem's title may be one character: 等)


def _book_title(t: str) -> bool:
    """A title wrapped whole in book-title marks, which may ask, exclaim or trail off inside them
    (《月亮知道我想家吗？》, 《妈妈，你什么时候回来……》)."""
    m = re.fullmatch(r"《([^《》]{2,38})》", t)
    return bool(m) and _title_like(m.group(1).rstrip("…？?！!").rstrip("…？?！!"), commas=True)


# an official document's title, often longer than other titles (…办公室关于印发《…实施方案（2024—2026年）》的通知)
_OFFICIAL_TITLE_RE = re.compile(
    r"关于[^。！？!?；;]{2,56}的(通知|意见|实施意见|指导意见|决定|通报|批复|报告|请示|复函|函|办法|规定|方案|公告|通告|决议|公示)$"
)


def _official_title(s: str) -> bool:
    return len(s) <= MAX_HEADING_CHARS and bool(_OFFICIAL_TITLE_RE.search(s)) and not s.startswith(_NOT_TITLE_START)


def _title_or_question(s: str) -> bool:
    """A title, or a question as a Q&A page's title (…对你最大的影响是什么？)."""
    return _title_like(s) or (s.endswith(("？", "?")) and _title_like(s[:-1], commas=True))


# a greeting that opens a speech (同学们，大家好！): no title
_GREETING_RE = re.compile(
    r"(大家|你们|您|你)好\s*[！!。]?$|^(谢谢|感谢|多谢)(大家|各位|你们|您)?(的聆听|的倾听|的阅读)?\s*[！!。]?$"
)
_QUOTED_RE = re.compile(r"“[^“”]{1,24}”")


def _headline(s: str) -> bool:
    """A news headline that quotes a sentence, with a subtitle after a dash
    (“山那边的爸爸妈妈，看得见我们吗？”——鹤岭镇“云上家长会”见闻): a title
    once the quoted words are set aside."""
    if (
        len(s) <= MAX_TITLE_CHARS + 4
        and (s.startswith("“") or "——" in s)
        and bool(_QUOTED_RE.search(s))
        and _title_like(_QUOTED_RE.sub("“”", s), commas=True)
    ):
        return True
    # a headline in two parts, the first exclaiming or asking, the second stating the news
    # (“周末爸妈”来了！南峪县千名干部结对农村留守儿童; 留守娃的暑假去哪儿？这个村办起了“四点半课堂”)
    parts = re.split(r"[！？!?]", _QUOTED_RE.sub("“”", s))
    return (
        len(s) <= MAX_TITLE_CHARS + 4
        and len(parts) == 2
        and len(re.findall(r"[\u3400-\u9fff]", parts[0])) >= 2
        and len(re.findall(r"[\u3400-\u9fff]", parts[1])) >= 6
        and _title_like(parts[0], commas=True)
        and _title_like(parts[1])
    )


# a unit (白沙河乡人民政府, 县政协…调研组), or a unit or post and a name (副县长　覃文华), alone on a line
# under a title: who wrote or gave the piece, no title of its own
UNIT_OR_SPEAKER_RE = re.compile(
    r"^(\S{2,24}?(政府|委员会|委|局|办公室|办|中心|小学|中学|学校|中心校|完小|教学点|幼儿园|调研组|课题组|工作组|党委|党支部|"
    r"团委|妇联|关工委|协会|基金会|服务站|社工站|村委会|居委会)"
    r"|\S{1,16}(县长|镇长|乡长|局长|书记|主任|校长|园长|老师|教师|主席|会长|站长|社工|志愿者)[ \u3000]+[\u4e00-\u9fff·]{2,4}"
    r"|\S{2,24}(政府|委员会|局|小学|中学|学校|中心校|完小|教学点|幼儿园)[ \u3000]+[\u4e00-\u9fff·]([ \u3000]?[\u4e00-\u9fff·]){1,3}"
    # (a unit, the writer's standing in it and the name: 县教育局机关第二党支部　党员　林　芳)
    r"|\S{2,24}(委员会|局|小学|中学|学校|中心|党委|党支部|支部|团委|工会|妇联|协会)[ \u3000]+"
    r"(党员|团员|教师|职工|干部|志愿者|社工|会员|队员)[ \u3000]+[\u4e00-\u9fff·]([ \u3000]?[\u4e00-\u9fff·]){1,3})$"
)
# a date in brackets under a speech's title (（2023年10月26日）, （二〇二二年六月）)
DATE_IN_PARENS_RE = re.compile(
    r"^[(（\[【]\s*([\d〇零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,2}\s*月"
    r"(\s*[\d一二三四五六七八九十]{1,3}\s*日)?\s*[)）\]】]$"
)
# a label alone in brackets (【教学目标】, 【工作动态】)
_BRACKETED_LABEL_RE = re.compile(r"^【[^【】。！？]{2,12}】$")
_BRACKETED_NOTE_RE = re.compile(r"[（(][^（()）]{1,20}[)）]")
# a gap between the items of a menu or a row of fields (full-width or several spaces)
_MENU_GAP_RE = re.compile(r"\u3000+|\s{2,}")


def _page_facts(s: str) -> bool:
    """A row of page facts (云溪县吧　关注：23,410　贴子：612,337; 报告.docx　　共6页　　326人下载): two or
    more colons, or three or more fields apart, no sentence."""
    fields = len(re.findall(r"[：:]", s)) >= 2 or len(_MENU_GAP_RE.findall(s)) >= 2
    return fields and not _SENTENCE_END.search(s) and len(s) <= 100


# two or more short "key：value" fields on one line, no sentence: page facts, not text
_KEY_VALUES_RE = re.compile(
    r"^(?:[^\s：:。！？]{1,6}[：:]\s*[^\s：:。！？]{1,24}\s+){1,}[^\s：:。！？]{1,6}[：:]\s*[^：:。！？]{1,24}$"
)


def essay_above(lines: list[str], end: int, chrome: set[int] | dict) -> bool:
    """Is the text above line ``end`` (numbered from 1) an essay of its own:
    at least ``MIN_PREAMBLE_ESSAY_CHARS`` characters that are not chrome, and
    no collection's preface (前言, 编者按)? (An editor's note of one line that the chrome rules took, set off
    from what follows by a blank line, is the page's note over an article, no preface running into the text:
    编者按：…本期图片故事带你走进… / (blank) / 捏一个“家”.)"""
    body = [k for k in range(1, end) if lines[k - 1].strip()]
    if any(
        _PREFACE_RE.match(lines[k - 1].strip().strip("\u3000"))
        and not (k in chrome and k < len(lines) and not lines[k].strip())
        for k in body
    ):
        return False
    text = [k for k in body if k not in chrome]
    if sum(len(lines[k - 1].strip()) for k in text) >= MIN_PREAMBLE_ESSAY_CHARS:
        return True
    # a printed page's first lines that finish a piece from the page before: hard-wrapped prose (lines that
    # stop mid-sentence at one width) ending a sentence right above the heading
    run = text[-3:]
    return (
        len(run) == 3
        and run == list(range(run[0], run[0] + 3))
        and run[-1] == end - 1
        and all(
            not _SENTENCE_END.search(lines[k - 1].strip()[-1:]) and len(lines[k - 1].strip()) >= 16 for k in run[:-1]
        )
        and lines[run[-1] - 1].strip().endswith(("。", "！", "？", "”"))
    )


# a cover's fields under a report's title: its team, members, teacher, unit, the month it was written
_COVER_FIELD_RE = re.compile(
    r"^(实践团队|调研团队|团队名称|团队成员|小组成员|成员|指导教师|指导老师|学院|院系|专业|班级|学号|姓名|报告人|执笔人|撰稿人)"
    r"\s*[:：]|^[\d〇零一二三四五六七八九]{4}\s*年(\s*[\d一二三四五六七八九十]{1,2}\s*月)?$"
)


# a line a PDF's column width broke off: this long at least, holding a clause (为全面了解…状况，2022年)
MIN_WRAPPED_CHARS = 24
# characters two lines broken at one width may differ by (digits and Latin letters are narrower)
WRAP_WIDTH_SLACK = 4


def _wrapped_line(lines: list[str], no: int) -> bool:
    """Is line ``no`` the first line of a paragraph a printed page broke at its width, not a title with a
    comma? It is long (``MIN_WRAPPED_CHARS``), holds a clause but no sentence's end, stops without a mark,
    and the line right under it is as wide (``WRAP_WIDTH_SLACK``) and stops mid-sentence too
    (为全面了解我县…状况，2022年 / 4月至6月，…采取问卷调查、)."""
    s = lines[no - 1].strip()
    if (
        len(s) < MIN_WRAPPED_CHARS
        or not re.search(r"[，,、]", s)
        or _SENTENCE_END.search(s)
        or s[-1] in _TRAILING_PUNCT + "”」"
    ):
        return False
    nxt = lines[no].strip() if no < len(lines) else ""
    return abs(len(nxt) - len(s)) <= WRAP_WIDTH_SLACK and not _SENTENCE_END.search(nxt[-1:] or "。")


def _at_wrap_width(
    lines: list[str], no: int, *, reach: int = 8, min_lines: int = 2, skip: set[int] = frozenset()
) -> bool:
    """Is line ``no`` (a clause that stops without a mark) as wide as the text under it, a text broken at
    a fixed width (an OCR'd long image: 每年开学的第一天，班上总有几 over lines as wide that
    stop mid-sentence too)? At least ``min_lines`` of the next ``reach`` lines stop without a mark and are as
    wide (``WRAP_WIDTH_SLACK``); a title's width is its own. A comma inside a quotation (“小书包，大梦想”——…)
    is no clause of the line's own, and page furniture under it (``skip``: a project's figures) is no text."""
    s = lines[no - 1].strip()
    if (
        not re.search(r"[，,、]", _QUOTED_SPAN_RE.sub("“”", s))
        or _SENTENCE_END.search(s)
        or s[-1] in _TRAILING_PUNCT + "”」"
    ):
        return False
    below = [ln.strip() for k, ln in enumerate(lines[no : no + reach], start=no + 1) if k not in skip]
    return (
        sum(
            1
            for t in below
            if t and abs(len(t) - len(s)) <= WRAP_WIDTH_SLACK and t[-1] not in _TRAILING_PUNCT + "”」：:"
        )
        >= min_lines
    )


# a forum poster's rank or level shown under or beside the name (留守儿童吧　8级, Lv.9)
_FORUM_RANK_RE = re.compile(r"(?<![\d一二三四五六七八九十])\d{1,2}\s*级$|\b(Lv|LV|lv)\.?\s*\d{1,2}$")
# a news headline led by its place and a colon (某县：乡村“爱心妈妈”陪留守儿童过暑假)
_PLACE_LED_HEADLINE_RE = re.compile(r"^[\u4e00-\u9fff]{2,8}[：:]\s*\S[^：:。！？!?]{7,40}$")


def find_page_title(lines: list[str], *, skip: set[int] = frozenset(), soft: set[int] = frozenset()) -> int | None:
    """Line number of a single-article page's own title, or None.

    The title sits above the text, with only chrome (publication line,
    controls) or blank lines between: going up from the first line of text,
    the first title-like line (short, no sentence-final mark, not a
    salutation; a question may be one) that does not name a site (…网,
    …教育厅). When the line right above it is title-like too, that one is
    the title and the lower one a subtitle or the text's first line (a
    poem's). ``soft``: short lines between page furniture (a Q&A page's
    question) — a title maybe, never the text's first line."""
    first_text = None
    for no, line in enumerate(lines, start=1):
        s = line.strip().strip("\u3000")
        if not s or no in skip or no in soft or _KEY_VALUES_RE.match(s) or _page_facts(s):
            continue  # (页数：6页  大小：35.2KB  上传时间：…: a document site's facts, above the title)
        titled = (
            _title_or_question(s)
            or (_title_like(s, commas=True) and len(s) <= 30)
            or _headline(s)
            or (_exclaimed_title(s) and not _GREETING_RE.search(s))
            or _official_title(s)
        )
        if (
            not titled
            or len(re.findall(r"[：:]", s)) >= 2
            or _SECTION_START_RE.match(s)
            or _SECTION_MARK_RE.match(s)  # (01｜村口的站牌: the text's first section, under the title)
            or _wrapped_line(lines, no)
            or _at_wrap_width(lines, no, skip=skip)
        ):
            first_text = no
            break
    if first_text is None:
        return None

    def ok(no: int) -> bool:
        s = lines[no - 1].strip().strip("\u3000")
        nxt = _next_text_line(lines, no)
        return (
            bool(s)
            and no not in skip
            and not UNIT_OR_SPEAKER_RE.match(s)
            and not DATE_IN_PARENS_RE.match(s)
            and not _BRACKETED_NOTE_RE.fullmatch(s)  # （本文为节选）: a note, no title
            and not PART_LABEL_RE.match(s)  # 【案由】: a label of the text's part, no title
            and not _BRACKETED_LABEL_RE.match(s)  # 【教学目标】, 【工作动态】: a part's or a column's label, no title
            and not _CONTENTS_HEADER_RE.match(s)  # 目　　录 over a report's contents
            and not _COVER_FIELD_RE.match(s)  # a cover's fields under the title (实践团队：…, 二〇二四年九月)
            and len(_MENU_GAP_RE.findall(s)) < 2  # 只看楼主　收藏　回复, 网页　资讯　视频: a menu
            and not (nxt is not None and lines[nxt - 1].strip().startswith("楼主"))  # a poster's name
            and not _FORUM_RANK_RE.search(s)  # 留守儿童吧　8级: a poster's rank beside the name, no title
            and (
                _title_or_question(s)
                or _title_like(s, commas=True)
                and len(s) <= 30
                or _headline(s)
                or _exclaimed_title(s)
                or _official_title(s)
            )
            and not _GREETING_RE.search(s)
            and not _SITE_NAME_RE.search(s)
            and len(re.findall(r"[：:]", s)) < 2
        )

    no = first_text - 1
    while no >= 1 and (not lines[no - 1].strip() or no in skip):
        no -= 1
    while no >= 1 and not ok(no):
        no -= 1
        while no >= 1 and (not lines[no - 1].strip() or no in skip):
            no -= 1
    if no < 1:
        return None
    upper = lines[no - 2].strip().strip("\u3000") if no > 1 else ""
    if (
        no > 1
        and ok(no - 1)
        and re.fullmatch(r"[\u3400-\u9fff“”‘’《》·]+", upper)
        # (not a topic's label over a news headline led by its place: 守望“小候鸟” / 某县：乡村“爱心妈妈”…)
        and not _PLACE_LED_HEADLINE_RE.match(lines[no - 1].strip().strip("\u3000"))
        # (not a column's or a site's name the page gives again: 首发于 乡村教育观察 / 乡村教育观察)
        and not any(upper in other and other.strip() != upper for k, other in enumerate(lines, start=1) if k != no - 1)
    ):
        no -= 1
    elif (
        no > 1
        and ok(no - 1)
        and _exclaimed_title(upper)
        and upper.endswith(("！", "!", "？", "?"))
        and re.search(r"[，,]", lines[no - 1])
        and (no == 2 or not lines[no - 3].strip() or (no - 2) in skip)
    ):  # a set-off title that ends in ！ over the text's first clause (支教第二年，…教会我的事！ / 姐妹们，今天想…)
        no -= 1
    return no if _has_body(lines, no, len(lines) + 1, skip) else None


# ------------------------------------------------------------ split
def _line_heading(lines: list[str], no: int, number: int | None, rule: str) -> Heading:
    """A heading whose title is its whole line (full-width spaces at its ends aside)."""
    return Heading(no, lines[no - 1].strip(), number, lines[no - 1].strip().strip("\u3000"), rule)


def find_headings(
    lines: list[str],
    patterns: list | None = None,
    *,
    skip: set[int] = frozenset(),
    page_title: bool = False,
    expected: int | None = None,
    author_lines: set[int] = frozenset(),
    soft: set[int] = frozenset(),
) -> list[Heading]:
    """Essay headings of a file, from every rule at once: built-in and user
    styles; numbered series (a series sharing a built-in heading's title may
    mix forms: 支教日记之一, 支教日记篇二); failing those, a title repeated
    above each essay; titles numbered in a form sections do not use
    (``之一 小燕子的来信``, ``【第一章】…``, ``01｜…``); titles numbered in
    any form (``1.奶奶的老屋`` … ``5.…``) when the page says how many essays
    it holds (``expected``, from ``（精选5篇）``); the titles a table of
    contents lists; titles each followed by an author line
    (``author_lines``), and beside a numbered collection a piece appended
    under its title and author's line; the mails of an archive page
    (``主题：…`` over ``发件人：…``); with ``page_title``, a single-article
    page's title when nothing else is found, and under it a second document
    (titled under the first's signed date, or an official answer:
    ``…关于…提案的答复``). ``skip``: line numbers that are page chrome;
    ``soft``: short lines between chrome (see :func:`find_page_title`)."""
    pats = patterns if patterns is not None else compile_patterns()
    heads: dict[int, Heading] = {}
    for i, line in enumerate(lines, start=1):
        if i in skip:
            continue
        hit = _heading_match(line, pats)
        if hit:
            heads[i] = Heading(i, line.strip(), hit[0], hit[1], hit[2])
    # a numbered series of pieces under their labels (作品1：… 作品2：…, ◆版块一◆ …, 其一　…)
    for no, (n, title) in labelled_series(lines, skip=set(skip) | set(heads)).items():
        heads[no] = Heading(no, lines[no - 1].strip(), n, title, "labelled_series")
    seeds = {_stem_key(h.title) for h in heads.values() if h.title}
    for no, (stem, n) in find_series(lines, skip=set(skip) | set(heads), seeds=seeds).items():
        line = lines[no - 1].strip().strip("\u3000")
        # (a piece's own title after the series number is its title: 阿嬤帶大的孩子之一：我的孫仔)
        heads[no] = Heading(no, lines[no - 1].strip(), n, line if _SUBTITLED_SERIES_RE.match(line) else stem, "series")
    if heads and expected:
        # the pieces a collection numbers in another style (想念妈妈的作文（一）, 写妈妈的作文 3)
        for no, n in _numbers_between(lines, heads, skip, expected).items():
            heads[no] = Heading(no, lines[no - 1].strip(), n, lines[no - 1].strip().strip("\u3000"), "series")
    if heads and expected and len(heads) < expected:
        # the collection's last pieces under bare titles, as many as it still lacks (… / 心得6 / 他们需要的，究竟是什么？ /
        # 让每一个孩子都被看见！ under …（精选8篇））: each set off by a blank or chrome line, over a paragraph
        bare = _set_off_titles_after(lines, max(heads), skip)
        if len(bare) == expected - len(heads):
            for no in bare:
                heads[no] = _line_heading(lines, no, None, "set_off_titles")
    if heads and author_lines:
        # after a numbered collection, a piece appended under its own title and author's line
        # (范文3 … / 扩展阅读：关爱留守儿童演讲稿 / 让爱不再留守 / 作者：…)
        for no in _appended_pieces_over_authors(lines, max(heads), skip, author_lines):
            heads[no] = _line_heading(lines, no, None, "title_with_author")
    if heads:
        # after a collection, a speech or a letter appended under its bare title, right above its salutation
        # (【拓展阅读】… / 别让孩子的童年只剩等待！ / 老师们、同学们：)
        for no in _appended_speeches(lines, max(heads), skip, author_lines):
            heads[no] = _line_heading(lines, no, None, "title_with_salutation")
        # … and a piece posted after them under its title with its writer's grade and name in brackets
        # (桥头（五年级　小禾）)
        for no, title in _titles_with_writer(lines, max(heads), skip).items():
            heads[no] = Heading(no, lines[no - 1].strip(), None, title, "title_with_writer")
    if not heads:
        for k, no in enumerate(find_toc_titles(lines, skip=skip), start=1):
            heads[no] = _line_heading(lines, no, k, "table_of_contents")
    if not heads:
        for k, (no, title) in enumerate(sorted(find_repeated_titles(lines, skip=skip).items()), start=1):
            heads[no] = Heading(no, lines[no - 1].strip(), k, title, "repeated_title")
    if not heads:
        for no, (n, title) in find_numbered_titles(
            lines, None, skip=skip, strong_only=True, author_lines=author_lines
        ).items():
            heads[no] = Heading(no, lines[no - 1].strip(), n, title, "numbered_titles")
    if expected and expected >= 2 and len(heads) < expected:
        numbered = find_numbered_titles(lines, expected, skip=set(skip) | set(heads))
        if numbered and not heads:
            for no, (n, title) in numbered.items():
                heads[no] = Heading(no, lines[no - 1].strip(), n, title, "numbered_titles")
    if not heads and expected and expected >= 2:
        # as many bare titles as the page announces, each set off by a blank or chrome line above
        # (留守日記 … 橋那邊的媽媽 under 留守兒童日記 精選兩篇)
        titled = find_set_off_titles(lines, skip=skip)
        if len(titled) == expected:
            for k, no in enumerate(titled, start=1):
                heads[no] = _line_heading(lines, no, k, "set_off_titles")
    if not heads and expected and expected >= 2:
        # a collection of dated entries, as many as the page announces (我的留守日记（五则） / 2023年9月1日　星期五　晴):
        # each date heads an entry. Without the count, dates are a diary's own lines.
        dated = [
            no
            for no in range(1, len(lines) + 1)
            if no not in skip
            and _DATE_LINE_RE.match(lines[no - 1].strip().strip("\u3000"))
            and (no == 1 or not lines[no - 2].strip() or (no - 1) in skip)
            and _has_body(lines, no, min(len(lines) + 1, no + 4), skip)
        ]
        if len(dated) == expected:
            for k, no in enumerate(dated, start=1):
                heads[no] = _line_heading(lines, no, k, "dated_entries")
    if not heads and author_lines:
        # titles numbered as sections are (1、我想妈妈 …), each with its author's line in its text
        numbered = find_numbered_titles(lines, None, skip=skip)
        nos = sorted(numbered)
        ends = nos[1:] + [len(lines) + 1]
        if len(nos) >= 2 and all(any(k in author_lines for k in range(a + 1, b)) for a, b in zip(nos, ends)):
            for no in nos:
                heads[no] = Heading(no, lines[no - 1].strip(), numbered[no][0], numbered[no][1], "numbered_titles")
    if not heads:
        # a newsletter's items, each titled behind its column's label (【关爱行动】…, 【网格走访】…)
        for k, no in enumerate(_labelled_titles(lines, skip), start=1):
            heads[no] = _line_heading(lines, no, k, "labelled_title")
    if not heads:
        # news items each under its title, their leads opening with the paper's dateline (本报讯（记者 何川）…)
        titled = [
            no
            for no in range(1, len(lines) + 1)
            if no not in skip
            and title_over_author(lines[no - 1])
            and (nxt := _next_text_line(lines, no, skip=skip)) is not None
            and _NEWS_LEAD_RE.match(lines[nxt - 1].strip())
        ]
        if len(titled) >= 2:
            for k, no in enumerate(titled, start=1):
                heads[no] = _line_heading(lines, no, k, "title_over_news_lead")
    if not heads:
        # contest entries each titled right under its entry number (作品编号：DX-2024-017　　奖项：一等奖 / 灶台上的手机)
        titled = [
            no
            for no in range(2, len(lines) + 1)
            if no not in skip
            and title_over_author(lines[no - 1])
            and (above := prev_text_line(lines, no)) is not None
            and _ENTRY_NUMBER_RE.match(lines[above - 1].strip())
            and _has_body(lines, no, len(lines) + 1, skip)
        ]
        if len(titled) >= 2:
            for k, no in enumerate(titled, start=1):
                heads[no] = _line_heading(lines, no, k, "title_under_entry_number")
    if not heads and author_lines:
        titled = [
            no
            for no in range(1, len(lines) + 1)
            if no not in skip and title_over_author(lines[no - 1]) and _next_text_line(lines, no) in author_lines
        ]
        if len(titled) >= 2:
            titled = sorted({*titled, *_untitled_pieces(lines, skip, titled)})
            for k, no in enumerate(titled, start=1):
                heads[no] = _line_heading(lines, no, k, "title_with_author")
            # after them, a letter appended under its bare title, right above its salutation (受助孩子来信 /
            # 给捐款叔叔阿姨的一封信 / 亲爱的叔叔阿姨：)
            for no in _appended_speeches(lines, max(heads), skip, author_lines):
                heads.setdefault(no, _line_heading(lines, no, None, "title_with_salutation"))
    if not heads:
        # a speech's or a letter's title (or a separator line, ＊＊＊) right above its salutation
        # (老师们、同学们：), the salutation on a line of its own or opening the first paragraph
        titled = [
            no
            for no in range(1, len(lines) + 1)
            if no not in skip
            and no not in author_lines
            and (
                _title_like(s := lines[no - 1].strip().strip("\u3000"), commas=True)
                or _exclaimed_title(s)
                or _SEPARATOR_LINE_RE.match(s)
            )
            and (nxt := _next_text_line(lines, no, skip=set(skip) | set(author_lines))) is not None
            and (is_salutation(t := lines[nxt - 1].strip().strip("\u3000")) or _letter_opening(s.rstrip("。！？!?"), t))
            and _has_body(lines, nxt - 1, len(lines) + 1, skip)
        ]
        if len(titled) >= 2 or (titled and _text_before(lines, titled[0], skip) >= MIN_PREAMBLE_ESSAY_CHARS):
            for k, no in enumerate(titled, start=1):
                title = lines[no - 1].strip().strip("\u3000")
                heads[no] = Heading(
                    no,
                    lines[no - 1].strip(),
                    k,
                    "" if _SEPARATOR_LINE_RE.match(title) else title.lstrip(_TITLE_MARKS),  # ＊＊＊: untitled
                    "title_with_salutation",
                )
    if not heads or all(h.rule == "title_with_salutation" for h in heads.values()):
        # (also beside speeches and letters found by their salutations: a thread's 【长文】 reply above a
        # letter posted further down)
        # a piece appended to a page's article, or posted under it (附：学生习作《妈妈的声音》,
        # 【馆主附记】…, a title alone in book-title marks: 《那一条路》, 〈課本裡的照片〉)
        titled = [
            no
            for no in range(1, len(lines) + 1)
            if no not in skip
            and (t := appended_title(lines[no - 1].strip().strip("\u3000")))
            and _title_like(t, commas=True)
            and sum(len(lines[k - 1].strip()) for k in range(no + 1, len(lines) + 1) if k not in skip) >= 60
        ]
        if len(titled) >= 2 or heads or (titled and _text_before(lines, titled[0], skip) >= MIN_PREAMBLE_ESSAY_CHARS):
            for k, no in enumerate(titled, start=1):
                t = appended_title(lines[no - 1].strip().strip("\u3000"))
                heads.setdefault(no, Heading(no, lines[no - 1].strip(), k, t, "appended_title"))
        if heads and author_lines:
            # beside them, a piece titled over its author's line (九岁的账本 / 口述：向秀秀（九岁）　整理：…)
            for no in range(1, len(lines) + 1):
                if no not in heads and _titled_over_author(lines, no, skip, author_lines):
                    heads[no] = _line_heading(lines, no, None, "title_with_author")
    if not heads and author_lines:
        heads = {h.line_no: h for h in _titles_after_signatures(lines, skip, author_lines)}
    if not heads:
        # the mails of a list archive's page, each under its subject and sender (主题：… / 发件人：…)
        for k, no in enumerate(_mail_subjects(lines, skip), start=1):
            title = _MAIL_SUBJECT_RE.match(lines[no - 1].strip()).group("title")
            heads[no] = Heading(no, lines[no - 1].strip(), k, title, "mail_subject")
    if not heads:
        # a Q&A page's answers, each a piece under the answerer's words (再给你一篇，题目可以自己改： / 留守的滋味)
        titled = [
            no
            for no in range(1, len(lines) + 1)
            if no not in skip
            and title_over_author(lines[no - 1])
            and (above := prev_text_line(lines, no)) is not None
            and ANSWER_WRAPPER_RE.search(lines[above - 1].strip())
            and _has_body(lines, no, len(lines) + 1, skip)
        ]
        for k, no in enumerate(titled, start=1):
            heads[no] = _line_heading(lines, no, k, "answer_title")
        if titled:
            # further answers, each a piece under its answerer's name and date (热心网友　　2023-10-15 / 留守的滋味)
            for no in _later_answers(lines, skip, after=titled[-1]):
                heads.setdefault(no, _line_heading(lines, no, len(heads) + 1, "answer_title"))
    if not heads:
        # a marking page's draft and revised draft under the title its task names (以“…”为题 / 那一刻，我长大了 /
        # … / 那一刻，我长大了（修改稿）)
        for k, no in enumerate(_titles_named_by_task(lines, skip), start=1):
            heads[no] = _line_heading(lines, no, k, "task_title")
    if not heads and page_title:
        no = find_page_title(lines, skip=skip, soft=soft)
        if no is not None:
            heads[no] = _line_heading(lines, no, None, "page_title")
            # a second document in the same capture, titled under the first one's signed date
            # (…德育处 / 2024年1月12日 / 第 4 页 / 2024年春季学期留守儿童工作计划), or the official answer
            # to the proposal or letter the page holds (县民政局关于…第0037号提案的答复)
            # (an answer's or an interpretation's own title names its rule first, a date above it or not)
            later = dict.fromkeys(_reply_titles(lines, skip, after=no), "reply_title")
            for nxt in _titles_after_dates(lines, skip, after=no):
                later.setdefault(nxt, "title_after_date")
            for nxt in _titles_under_dated_lines(lines, skip, after=no):
                later.setdefault(nxt, "title_under_date")
            for nxt in _titles_under_column_labels(lines, skip, after=no):
                later.setdefault(nxt, "column_title")
            for nxt in _later_parts(lines, skip, after=no):  # 第三部分　… / 第四部分　…
                later.setdefault(nxt, "page_title")
            for k, nxt in enumerate(sorted(later), start=2):
                heads[nxt] = _line_heading(lines, nxt, k, later[nxt])
    elif heads and not page_title:
        # a blog archive's posts each titled right under its date line (2024-11-30 22:41 / [原]…), beside
        # the post another rule found (a letter under its salutation)
        dated = _titles_under_dated_lines(lines, skip, after=0)
        if len(dated) >= 2 and not any(a < no < b for no in heads for a, b in zip(dated, dated[1:])):
            for nxt in dated:
                heads.setdefault(nxt, _line_heading(lines, nxt, None, "title_under_date"))
        # a newspaper page's further article under its column label (读者来函 / 一位打工父亲的心里话)
        for nxt in _titles_under_column_labels(lines, skip, after=min(heads)):
            heads.setdefault(nxt, _line_heading(lines, nxt, None, "column_title"))
    return [heads[k] for k in sorted(heads)]


# a title with its writer's grade or class and name in brackets (桥头（五年级　小禾）, 我的外婆（三(2)班 李想）)
_TITLE_WITH_WRITER_RE = re.compile(
    r"^(?P<title>[^\s，。！？,!?：:（()）]{2,16})\s*[（(]\s*(?:[^\s（()）]{0,10}(?:小学|中学|学校))?\s*"
    r"(?:[一二三四五六七八九]年级|初[一二三]|高[一二三])(?:\s*[（(]?\d{1,2}[)）]?\s*班)?[ \t\u3000·]*[\u4e00-\u9fff·]{2,4}\s*[)）]$"
)


def _titles_with_writer(lines: list[str], after: int, skip: set[int], *, min_body: int = 60) -> dict[int, str]:
    """After the pieces found, a further piece under its title with its writer's grade and name in brackets
    (桥头（五年级　小禾）): {line number: title}, where over ``min_body`` characters of text follow it before the
    next blank line or the page's end (chrome and blank lines between its lines aside)."""
    out: dict[int, str] = {}
    for no in range(after + 1, len(lines) + 1):
        if no in skip or not (m := _TITLE_WITH_WRITER_RE.match(lines[no - 1].strip())):
            continue
        body = 0
        for j in range(no + 1, len(lines) + 1):
            t = lines[j - 1].strip()
            if not t or _TITLE_WITH_WRITER_RE.match(t):
                break
            if j not in skip:
                body += len(t)
        if body >= min_body:
            out[no] = m.group("title")
    return out


def _titled_over_author(lines: list[str], no: int, skip: set[int], author_lines: set[int]) -> bool:
    """Is line ``no`` a piece's title with its author's line right under it and text below
    (九岁的账本 / 口述：覃秀秀（九岁）)?"""
    return (
        no not in skip
        and title_over_author(lines[no - 1])
        and _next_text_line(lines, no) in author_lines
        and _has_body(lines, no + 1, len(lines) + 1, skip)
    )


def _appended_pieces_over_authors(
    lines: list[str], last: int, skip: set[int], author_lines: set[int], *, min_body: int = 60
) -> list[int]:
    """Below the last heading ``last`` (and at least ``min_body`` characters of its essay's text), titles
    set off by a blank or chrome line above, each over its author's line
    (:func:`_titled_over_author`): pieces a page appends to a collection (扩展阅读：… / 让爱不再留守 / 作者：…)."""
    out = []
    for no in range(last + 2, len(lines) + 1):
        if (
            (not lines[no - 2].strip() or (no - 1) in skip)
            and text_chars(lines[last : no - 1], skip={k - last for k in skip if k > last}) >= min_body
            and _titled_over_author(lines, no, skip, author_lines)
        ):
            out.append(no)
    return out


# a page's short label over what it appends (受助孩子来信, 学生来信): a few characters, no mark
_SET_OFF_LABEL_RE = re.compile(r"^[\u4e00-\u9fff]{2,8}$")


def _set_off_label(lines: list[str], no: int, skip: set[int]) -> bool:
    """Is line ``no`` a short label set off above (a blank or chrome line over it) — a label over the title
    under it (受助孩子来信 / 给捐款叔叔阿姨的一封信), which sets that title off as a blank line would?"""
    return (
        bool(_SET_OFF_LABEL_RE.match(lines[no - 1].strip().strip("\u3000")))
        and no >= 2
        and (not lines[no - 2].strip() or (no - 1) in skip)
    )


def _appended_speeches(
    lines: list[str], last: int, skip: set[int], author_lines: set[int], *, min_body: int = 60
) -> list[int]:
    """Below the last heading ``last`` (and at least ``min_body`` characters of its essay's text), bare
    titles set off by a blank or chrome line above, right above a salutation (its own line) with text
    under it: a speech or a letter a page appends to a collection."""
    out = []
    for no in range(last + 2, len(lines) + 1):
        s = lines[no - 1].strip().strip("\u3000")
        if (
            no in skip
            or no in author_lines
            or (lines[no - 2].strip() and (no - 1) not in skip and not _set_off_label(lines, no - 1, skip))
            or not (_title_like(s, commas=True) or _exclaimed_title(s))
            or _GREETING_RE.search(s)
            or _SECTION_START_RE.match(s)
        ):
            continue
        nxt = _next_text_line(lines, no, skip=set(skip) | set(author_lines))
        if (
            nxt is not None
            and is_salutation(lines[nxt - 1].strip().strip("\u3000"))
            and text_chars(lines[last : no - 1], skip={k - last for k in skip if k > last}) >= min_body
            and _has_body(lines, nxt, len(lines) + 1, skip)
        ):
            out.append(no)
    return out


def _untitled_pieces(lines: list[str], skip: set[int], titled: list[int]) -> list[int]:
    """Among pieces each titled over its author's line, a piece whose title
    has no author's line (留守不孤单): a short title-like line under a line
    that ends a sentence, over a line of prose, with text under it."""
    out = []
    ends = set(titled)
    for no in range(titled[0] + 1, len(lines) + 1):
        s = lines[no - 1].strip().strip("\u3000")
        if (
            no in skip
            or no in ends
            or len(s) > 20
            or not _title_like(s)
            or _SECTION_START_RE.match(s)
            or s.endswith(("—", "…", "-", "~", "～"))
        ):
            continue  # (a plain title: 我想大声告诉他们：谁说我们不快乐？ is a sentence, 叮咚—— a sound)
        prev = next((k for k in range(no - 1, 0, -1) if lines[k - 1].strip() and k not in skip), None)
        nxt = _next_text_line(lines, no)  # (its text right under it, no furniture between)
        if (
            prev is None
            or prev in ends
            or nxt is None
            or nxt in skip
            or not _SENTENCE_END.search(lines[prev - 1].strip()[-2:])
        ):
            continue
        t = lines[nxt - 1].strip()
        if len(t) < 15 or not re.search(r"[，。！？]", t):
            continue
        stop = next((k for k in sorted(ends) if k > no), len(lines) + 1)
        if text_chars(lines[no : stop - 1], skip={k - no for k in skip if no < k < stop}) >= 60:
            out.append(no)
    return out


_ENTRY_NUMBER_RE = re.compile(r"^(参赛编号|作品编号|参赛号|参赛作品编号|作品序号|报名编号|投稿编号)\s*[:：]")
# a news item's lead opening with its dateline (本报讯（记者 何川）…, 本网讯, 新华社北京1月8日电, 雁汀讯)
_NEWS_LEAD_RE = re.compile(
    r"^(?:本报|本网|本台|本刊|新华社|中新网|[\u4e00-\u9fff]{2,6})(?:讯|电)\s*[（(　 ]|^[\u4e00-\u9fff]{2,8}\d{1,2}月\d{1,2}日电"
)


# an answerer's words over the piece they give (给你写了一篇，可以参考： / 再给你一篇： / 我也写了一篇短的，供参考：),
# ending in a colon or in a plea to take it (给你写了一篇，写的是同桌，望采纳。)
ANSWER_WRAPPER_RE = re.compile(
    r"^(?:(?:我|我也|我来|再|又|也)?(?:给你|帮你|为你|替你|送你)(?:写|找|整理|编|改|发|推荐)?"
    r"|(?:我|我也|我来|再|又|也)(?:写|找|整理|编|改|发))了?\s*(?:一篇|一份|一段|篇|份)"
    r"(?:\S{0,30}[：:]|[^。！？!?]{0,40}(?:望采纳|请采纳|求采纳|供参考|仅供参考|可以参考|希望(?:对你)?有(?:所)?帮助)[。！!~～]*)$"
)


# an answerer's line on a Q&A page: a user's name and the answer's date (热心网友　　2023-10-15)
_ANSWERER_RE = re.compile(r"^[^\s，。！？,.!?：:]{2,16}[ \t\u3000]+\d{4}-\d{1,2}-\d{1,2}(\s+\d{1,2}:\d{2})?$")


def _later_answers(lines: list[str], skip: set[int], *, after: int) -> list[int]:
    """Below the first answer's piece on a Q&A page, the titles of further answers' pieces: a title right
    under its answerer's name-and-date line, over text of its own (其他回答（3） / 热心网友　　2023-10-15 /
    留守的滋味 / …); a scolding reply under its answerer (作业自己写，何必来这问) has no text under it."""
    answerers = [no for no in range(after + 1, len(lines) + 1) if _ANSWERER_RE.match(lines[no - 1].strip())]
    out = []
    for k, no in enumerate(answerers):
        title = _next_text_line(lines, no)
        if title is None or title in skip or not title_over_author(lines[title - 1]):
            continue
        end = answerers[k + 1] if k + 1 < len(answerers) else len(lines) + 1
        body = [j for j in range(title + 1, end) if j not in skip and len(lines[j - 1].strip()) >= 8]
        if len(body) >= 2 and sum(len(lines[j - 1].strip()) for j in body) >= 60:
            out.append(title)
    return out


# a labelled item of a newsletter or a bulletin: a column's label in brackets and the item's title (【关爱行动】
# “四点半课堂”迎来新伙伴, 【居民心声】一封来自外省的感谢信)
_LABELLED_TITLE_RE = re.compile(r"^【[\u4e00-\u9fff]{2,6}】\s*(?P<title>\S.{1,38})$")


# a piece's label and its number before its own title (作品1：…, 学生分享二：…, 其一　…, ◆版块三◆ …, 手记二｜…,
# 【第10周·周三】…): a mark may open and close the label, a day or a weekday may follow the number
# (a research sample's code may put a letter before the number: 样本C-1　…, 案例A2：…)
_LABEL_NUMBER_RE = re.compile(
    rf"^(?P<open>[【〖\[◆◇■□●○★☆])?(?P<label>[\u4e00-\u9fff]{{1,4}}?)(?P<code>[A-Za-z]{{1,2}}\s*[-－.．]?\s*)?"
    rf"(?P<num>{_NUM})(?P<unit>[周期讲课天次回]?)"
    r"(?:[·・][^】〗\]◆◇■□●○★☆：:｜|丨\s]{1,8})?"
    r"(?:[】〗\]◆◇■□●○★☆]\s*[：:｜|丨]?\s*|\s*[：:｜|丨]\s*|[ \u3000]+)(?P<title>[^\s：:｜|丨].{1,30})$"
)
# a list's number before a piece's title in book-title marks, maybe its writer after a dash (1.《想》　——小石头)
_NUMBERED_BOOK_TITLE_RE = re.compile(
    r"^(?P<num>\d{1,2})\s*[.、．]\s*《(?P<title>[^《》]{1,20})》\s*(?:(?:——|—|－－|--)\s*[^\s，。！？,.!?]{1,10})?$"
)
_BOOK_TITLE_ONLY_RE = re.compile(r"^《[^《》]{1,24}》$")
# labels of a text's own parts, not of pieces (措施一：…, 第二部分　…, 步骤三：…)
_PART_LABEL_END_RE = re.compile(
    r"(部分|章|节|条|步|点|方面|阶段|措施|做法|方法|对策|策略|原因|问题|建议|目标|任务|要求|环节|单元|项|层|段|题|小题|"
    r"问|案|附件|图|表)$"
)


def labelled_series(
    lines: list[str], *, skip: set[int] = frozenset(), min_body: int = 40
) -> dict[int, tuple[int, str]]:
    """Headings of a numbered series of pieces, each a label and its number before the piece's own title
    (作品1：电话那头的秋天 … 作品2：…, 其一　… 其二　…, ◆版块一◆ … ◆版块二◆ …, 【第9周·周三】… 【第10周·周三】…):
    {line number: (number, title)}. Two or more lines of one label (and mark) whose numbers go up by one (from
    1 or 2, or three or more of them from any number), each set off by a blank or chrome line above and over
    ``min_body`` characters of text; the label names no part of a text (措施一：…, 第二部分　…) and a bare
    第 takes a unit of time (第9周). Titles are short and end no sentence."""
    groups: dict[tuple[str, str, str], list[tuple[int, int, str]]] = {}
    booked: list[tuple[int, int, str]] = []  # 1.《想》　——小石头 …
    for no, line in enumerate(lines, start=1):
        s = line.strip().strip("\u3000")
        if no in skip or len(s) > MAX_HEADING_CHARS:
            continue
        m = _LABEL_NUMBER_RE.match(s)
        if not m:
            if b := _NUMBERED_BOOK_TITLE_RE.match(s):
                booked.append((no, int(b.group("num")), b.group("title").strip()))
            continue
        label, unit, t = m.group("label"), m.group("unit"), m.group("title").strip()
        if _PART_LABEL_END_RE.search(label) or (label == "第" and not unit):
            continue
        if not (_title_like(t, commas=True) or _exclaimed_title(t)):
            continue
        code = re.sub(r"[\s\-－.．]", "", m.group("code") or "").upper()
        if code and not m.group("num").isdigit():
            continue
        # (a title whole in book-title marks needs no blank above: a lead-in may run into 其一：《门槛》)
        above = lines[no - 2].strip() if no > 1 else ""
        if above and (no - 1) not in skip and not _SEPARATOR_LINE_RE.match(above) and not _BOOK_TITLE_ONLY_RE.match(t):
            continue
        n = cn_to_int(m.group("num"))
        if n is not None:
            groups.setdefault((m.group("open") or "", label, unit, code), []).append((no, n, t))
    out: dict[int, tuple[int, str]] = {}
    for members in groups.values():
        numbers = [n for _, n, _ in members]
        if len(members) < 2 or any(b != a + 1 for a, b in zip(numbers, numbers[1:])):
            continue
        if numbers[0] > 2 and len(members) < 3:
            continue
        ends = [no for no, _, _ in members[1:]] + [len(lines) + 1]
        if not all(
            sum(len(lines[j - 1].strip()) for j in range(no + 1, end) if j not in skip) >= min_body
            for (no, _, _), end in zip(members, ends)
        ):
            continue
        out.update({no: (n, t) for no, n, t in members})
    out.update(_numbered_book_titles(lines, booked, skip, min_body=min_body // 2))
    out.update(open_list_items(lines, skip=skip, min_body=min_body))
    out.update(_bare_series(lines, skip, min_body=min_body // 2))
    out.update(_letters_under_titles(lines, skip, min_body=min_body))
    out.update(_writers_titles_repeated(lines, skip, min_body=min_body))
    return out


# a piece's label and number alone on its line (其一, 其二), and a book's running number before a piece's title
# (17　门前的路, 18　小船（诗）)
_BARE_LABEL_RE = re.compile(r"^其(?P<num>[一二三四五六七八九十]{1,2})$")
_RUNNING_NUMBER_RE = re.compile(r"^(?P<num>\d{1,3})[ \u3000]+(?P<title>[^\s\d].{1,24})$")


def _set_off_above(lines: list[str], no: int, skip: set[int]) -> bool:
    above = lines[no - 2].strip() if no > 1 else ""
    return not above or (no - 1) in skip or bool(_SEPARATOR_LINE_RE.match(above))


def _bodies_over(lines: list[str], heads: list[int], skip: set[int], min_body: int) -> bool:
    ends = heads[1:] + [len(lines) + 1]
    return all(
        sum(len(lines[j - 1].strip()) for j in range(no + 1, end) if j not in skip) >= min_body
        for no, end in zip(heads, ends)
    )


def _bare_series(lines: list[str], skip: set[int], *, min_body: int) -> dict[int, tuple[int, str]]:
    """Pieces under a label and its number alone (其一 / 其二 …, from 1) or under a book's running numbers before
    their titles (17　门前的路 / 18　小船（诗） …, three or more from any number): each number one more than the last,
    each line set off by a blank, chrome or rule line above, each over ``min_body`` characters of text of its own
    (a child's poem may be six short lines); a list of such lines with nothing under them heads nothing."""
    bare: list[tuple[int, int, str]] = []
    running: list[tuple[int, int, str]] = []
    for no, line in enumerate(lines, start=1):
        s = line.strip().strip("\u3000")
        if no in skip or not _set_off_above(lines, no, skip):
            continue
        if m := _BARE_LABEL_RE.match(s):
            if (n := cn_to_int(m.group("num"))) is not None:
                bare.append((no, n, s))
        elif (m := _RUNNING_NUMBER_RE.match(s)) and _title_like(
            re.sub(r"[(（][^()（）]{1,6}[)）]$", "", m.group("title"))
        ):
            running.append((no, int(m.group("num")), m.group("title").strip()))
    out: dict[int, tuple[int, str]] = {}
    for members, least, first in ((bare, 2, 1), (running, 3, None)):
        numbers = [n for _, n, _ in members]
        if len(members) < least or any(b != a + 1 for a, b in zip(numbers, numbers[1:])):
            continue
        if first is not None and numbers[0] != first:
            continue
        if _bodies_over(lines, [no for no, _, _ in members], skip, min_body):
            out.update({no: (n, t) for no, n, t in members})
    return out


# a letter's title on a page of letters, maybe its writer's name before a colon (小禾：我想要一个书包,
# 阿明的信：谢谢你们！)
_WRITER_BEFORE_TITLE_RE = re.compile(r"^(?P<writer>[\u4e00-\u9fff·]{1,6})[：:]\s*(?P<title>\S.{1,30})$")


def _letter_salutation(s: str) -> bool:
    """A letter's salutation in either script (親愛的叔叔阿姨：, 叔叔阿姨們好：)."""
    from analysis.ingest.clean import to_simplified

    s = to_simplified(s)[0]
    return is_salutation(s) or bool(_KIN_GREETING_RE.match(s))


def _letters_under_titles(lines: list[str], skip: set[int], *, min_body: int) -> dict[int, tuple[None, str]]:
    """A page of letters, each under its writer's name and its title right above its salutation (小禾：我想要一个
    书包 / 亲爱的叔叔阿姨：, 阿明的信：谢谢你们！ / 叔叔阿姨们好：): two or more such lines, each set off by a blank
    or chrome line above, a name and a colon before a title (maybe ending in ！ or ？) whose next text line is a
    salutation of its own in either script, over ``min_body`` characters of text each; the title keeps the name."""
    heads: list[int] = []
    for no, line in enumerate(lines, start=1):
        s = line.strip().strip("\u3000")
        if no in skip or not s or not _set_off_above(lines, no, skip) or is_salutation(s):
            continue
        m = _WRITER_BEFORE_TITLE_RE.match(s)
        if not m or not (_title_like(t := m.group("title"), commas=True) or _exclaimed_title(t)):
            continue
        nxt = _next_text_line(lines, no, skip=skip)
        if nxt is not None and _letter_salutation(lines[nxt - 1].strip().strip("\u3000")):
            heads.append(no)
    if len(heads) < 2 or not _bodies_over(lines, heads, skip, min_body):
        return {}
    return {no: (None, lines[no - 1].strip().strip("\u3000")) for no in heads}


def _core(s: str) -> str:
    return re.sub(r"[。！？!?…~～.，,\s]+$", "", s)


def _writers_titles_repeated(lines: list[str], skip: set[int], *, min_body: int) -> dict[int, tuple[None, str]]:
    """A feed of pupils' pieces, each under its writer's name and its title (小芸：我家的狗叫旺财！), the child's
    first sentence often repeating the title (我家的狗叫旺财！): two or more such lines, each set off by a blank or
    chrome line above, a name and a colon before a title (maybe ending in ！, ？ or ……), over ``min_body``
    characters of text each, and at least two of them, and at least half, with their next text line repeating
    their title; the title keeps the name."""
    heads: list[int] = []
    repeated = 0
    for no, line in enumerate(lines, start=1):
        s = line.strip().strip("\u3000")
        if no in skip or not s or not _set_off_above(lines, no, skip) or is_salutation(s):
            continue
        m = _WRITER_BEFORE_TITLE_RE.match(s)
        if not m or not (_title_like(t := m.group("title"), commas=True) or _exclaimed_title(t)):
            continue
        heads.append(no)
        nxt = _next_text_line(lines, no, skip=skip)
        if nxt is not None and len(_core(t)) >= 4 and _core(lines[nxt - 1].strip().strip("\u3000")) == _core(t):
            repeated += 1
    if len(heads) < 2 or repeated < 2 or 2 * repeated < len(heads) or not _bodies_over(lines, heads, skip, min_body):
        return {}
    return {no: (None, lines[no - 1].strip().strip("\u3000")) for no in heads}


# a list page's rows: a closed item, its mark, title and date (▶ 某镇召开防汛工作部署会　　2024-05-31), and an item
# opened in place under its mark (▼ 某镇开展关爱留守儿童主题活动)
_CLOSED_ROW_RE = re.compile(r"^[▶▷►▸+＋]\s*\S.{1,60}?[ \t\u3000]+\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?$")
_OPEN_ROW_RE = re.compile(r"^[▼▽▾]\s*(?P<title>[^\s▼▽▾].{1,40})$")


def open_list_items(
    lines: list[str], *, skip: set[int] = frozenset(), min_body: int = 40
) -> dict[int, tuple[None, str]]:
    """Items a list page opens in place, among its closed rows (▶ 标题　2024-05-31 … ▼ 标题 / its text …
    ▶ 标题　2024-05-29): {line number: (None, title)}. Two or more closed rows, each a mark, a title and a date,
    stand on the page; an open row is a mark of its own (▼, ▽) before a title, and over ``min_body`` characters of
    text stand between it and the next row, open or closed."""
    closed = [no for no, line in enumerate(lines, start=1) if _CLOSED_ROW_RE.match(line.strip())]
    if len(closed) < 2:
        return {}
    opened = {
        no: m.group("title").strip()
        for no, line in enumerate(lines, start=1)
        if no not in skip
        and (m := _OPEN_ROW_RE.match(line.strip()))
        and _title_like(m.group("title").strip(), commas=True)
    }
    rows = sorted(set(closed) | set(opened)) + [len(lines) + 1]
    out: dict[int, tuple[None, str]] = {}
    for no, end in zip(rows, rows[1:]):
        if no in opened and sum(len(lines[j - 1].strip()) for j in range(no + 1, end) if j not in skip) >= min_body:
            out[no] = (None, opened[no])
    return out


def _numbered_book_titles(
    lines: list[str], members: list[tuple[int, int, str]], skip: set[int], *, min_body: int
) -> dict[int, tuple[int, str]]:
    """A list's pieces, each its number and its title in book-title marks, maybe its writer after a dash
    (1.《想》　——小石头 … 2.《奶奶的手》　——朵朵): two or more numbered from 1 by one, each but the first set
    off by a blank or chrome line above and over ``min_body`` characters of text of its own (a child's piece
    may be four short lines); a list of books with nothing under them heads nothing."""
    numbers = [n for _, n, _ in members]
    if len(members) < 2 or numbers[0] != 1 or any(b != a + 1 for a, b in zip(numbers, numbers[1:])):
        return {}
    for no, _, _ in members[1:]:
        above = lines[no - 2].strip() if no > 1 else ""
        if above and (no - 1) not in skip and not _SEPARATOR_LINE_RE.match(above):
            return {}
    ends = [no for no, _, _ in members[1:]] + [len(lines) + 1]
    if not all(
        sum(len(lines[j - 1].strip()) for j in range(no + 1, end) if j not in skip) >= min_body
        for (no, _, _), end in zip(members, ends)
    ):
        return {}
    return {no: (n, t) for no, n, t in members}


def _labelled_titles(lines: list[str], skip: set[int]) -> list[int]:
    """Items of a newsletter, each a title behind its column's label in brackets, set off from the item above
    (a blank or chrome line) and over text of its own; two or more of them, or none. A label with a sentence
    after it (【案由】近年来，…。) or a row of data (【基金】…（编号：…）) heads nothing."""
    found = []
    for no in range(1, len(lines) + 1):
        s = lines[no - 1].strip().strip("\u3000")
        m = _LABELLED_TITLE_RE.match(s)
        if not m or no in skip or not (no == 1 or not lines[no - 2].strip() or (no - 1) in skip):
            continue
        t = m.group("title")
        if (_title_like(t, commas=True) or _exclaimed_title(t)) and not re.search(r"[：:]\s*\d|编号|\d{4}", t):
            found.append(no)
    ends = found[1:] + [len(lines) + 1]
    found = [
        no
        for no, end in zip(found, ends)
        if sum(len(lines[j - 1].strip()) for j in range(no + 1, end) if j not in skip) >= 40
    ]
    return found if len(found) >= 2 else []


# a writing task that names the essay's title (作文题目：以“那一刻，我长大了”为题，写一篇…)
_TASK_TITLE_RE = re.compile(r"以\s*[“\"「『](?P<title>[^”\"」』]{2,30})[”\"」』]\s*为题")
_DRAFT_NOTE_RE = re.compile(r"\s*[（(][^（）()]{1,10}[)）]$")


def _titles_named_by_task(lines: list[str], skip: set[int]) -> list[int]:
    """The essays a marking page shows under the title its task names (以“那一刻，我长大了”为题): each line
    that is that title, maybe with a note of the draft in brackets (那一刻，我长大了（修改稿）), over text."""
    named = {m.group("title").strip() for line in lines if (m := _TASK_TITLE_RE.search(line))}
    if not named:
        return []
    return [
        no
        for no in range(1, len(lines) + 1)
        if no not in skip
        and _DRAFT_NOTE_RE.sub("", s := lines[no - 1].strip().strip("\u3000")) in named
        and len(s) <= MAX_TITLE_CHARS
        and _has_body(lines, no, len(lines) + 1, skip)
    ]


# a mail's subject (主题：[list] 家访手记…, 主题：回复：…, Subject: Re: …) and, under it, its sender's line
_MAIL_SUBJECT_RE = re.compile(r"^(?:主题|标题|Subject)\s*[:：]\s*(?P<title>\S.{1,58})$")
_MAIL_SENDER_RE = re.compile(r"^(?:发件人|寄件人|发信人|From)\s*[:：]")


def _mail_subjects(lines: list[str], skip: set[int]) -> list[int]:
    """Subject lines of the mails on a page (a list archive's message, a thread of replies): each a
    subject field with its sender's line right under it and the mail's text below."""
    return [
        no
        for no in range(1, len(lines) + 1)
        if no not in skip
        and _MAIL_SUBJECT_RE.match(lines[no - 1].strip())
        and (nxt := _next_text_line(lines, no)) is not None
        and _MAIL_SENDER_RE.match(lines[nxt - 1].strip())
        and _has_body(lines, nxt, len(lines) + 1, skip)
    ]


# the title of an official answer to a proposal, a letter or a message on the page (县民政局关于…第0037号提案的答复,
# 关于…建议的复函): a second document under the first
_REPLY_TITLE_RE = re.compile(
    r"(?:关于|对)[^。！？!?]{2,50}(?:提案|建议|议案|来信|留言|信件|诉求)[^。！？!?]{0,12}的(?:答复|回复|复函)(?:函|意见)?$"
)
# the interpretation a government page prints under the policy it explains (《…实施方案》政策解读, 一图读懂…)
_INTERPRETATION_TITLE_RE = re.compile(
    r"^(关于)?《[^《》。！？!?]{2,50}》(的)?(政策|文件)?解读$|^[^。！？!?：:]{2,40}(的)?政策解读$|^(图解|一图(读懂|看懂|了解))\s*[:：]?\s*《"
)
# the labelled parts of a proposal or a case report (【案由】, 【建议】, 【主要做法】): the text's own section labels,
# neither a column's label nor a title
PART_LABEL_RE = re.compile(
    r"^[【\[]\s*(案由|理由|建议|具体建议|意见建议|对策建议|办法|具体办法|措施|对策|现状|问题|存在问题|主要问题|原因|背景|"
    r"基本情况|主要做法|做法|成效|依据|目标|结论)\s*[】\]]$"
)


def _reply_titles(lines: list[str], skip: set[int], *, after: int) -> list[int]:
    """Lines below line ``after`` that title an official answer (:data:`_REPLY_TITLE_RE`), with text
    under them: the answer a page prints under the proposal or letter it answers."""
    return [
        no
        for no in range(after + 1, len(lines) + 1)
        if no not in skip
        and (
            _REPLY_TITLE_RE.search(s := lines[no - 1].strip().strip("\u3000"))
            and len(s) <= MAX_TITLE_CHARS
            or _INTERPRETATION_TITLE_RE.search(s)
            and len(s) <= MAX_HEADING_CHARS
        )
        and _has_body(lines, no, len(lines) + 1, skip)
    ]


# a document's signed date on a line of its own (2024年1月12日, 二〇二三年十二月二十日)
_SIGNED_DATE_RE = re.compile(
    r"^(\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,2}\s*月\s*[\d一二三四五六七八九十]{1,3}\s*日$"
)


def _titles_after_dates(lines: list[str], skip: set[int], *, after: int) -> list[int]:
    """Title-like lines below line ``after`` whose nearest text line above
    (chrome and blank lines skipped) is a signed date, with text under them:
    the next document's title, the one above being signed and dated."""
    out = []
    for no in range(after + 1, len(lines) + 1):
        s = lines[no - 1].strip().strip("\u3000")
        if no in skip or not _title_like(s) or _SECTION_START_RE.match(s) or PAGE_NO_RE.match(s):
            continue
        if re.match(r"(又及|再及|附言|附注|备注|注|PS|P\.S\.)\s*[:：]?", s, re.I) or _BRACKETED_NOTE_RE.fullmatch(s):
            continue  # a postscript under the date belongs to the letter; so does a note ((此件主动公开))
        # (a note under the date is passed over: 2021年5月6日 / （此件公开发布） / the next document's title)
        prev = next(
            (
                k
                for k in range(no - 1, after, -1)
                if lines[k - 1].strip()
                and k not in skip
                and not _BRACKETED_NOTE_RE.fullmatch(lines[k - 1].strip().strip("\u3000"))
            ),
            None,
        )
        if (
            prev is not None
            and _SIGNED_DATE_RE.match(lines[prev - 1].strip().strip("\u3000"))
            and _has_body(lines, no, len(lines) + 1, skip)
        ):
            out.append(no)
    return out


# a dated line over an update or a post, the date first and a short label after it
# (2024-06-03　项目更新（第3次）, 2024年5月16日　进展反馈)
_DATED_LABEL_RE = re.compile(r"^\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?([\s\u3000|｜·].{0,30})?$")


# a chat's system notices: a message recalled, a member removed or added (李老师撤回了一条消息, 某某 加入了本群)
_CHAT_NOTICE_RE = re.compile(r"撤回了?一条消息$|移出(本群|群聊|该群)$|(加入|退出)了?(本群|群聊|该群)$")


def _titles_under_dated_lines(lines: list[str], skip: set[int], *, after: int) -> list[int]:
    """Title-like lines below line ``after`` right under a dated line (a date and a short label, no
    sentence), with text under them, at least two: a project page's or a blog's dated updates, each
    under its own title."""
    out = []
    for no in range(after + 1, len(lines) + 1):
        s = lines[no - 1].strip().strip("\u3000")
        if no in skip or not (title_over_author(s) or _headline(s)) or _SECTION_START_RE.match(s):
            continue
        if _CHAT_NOTICE_RE.search(s):
            continue  # a chat's system message under its dated line (李老师撤回了一条消息) heads nothing
        prev = prev_text_line(lines, no)
        if (
            prev is not None
            and prev > after
            and _DATED_LABEL_RE.match(d := lines[prev - 1].strip().strip("\u3000"))
            and not _SENTENCE_END.search(d)
            and _has_body(lines, no, len(lines) + 1, skip)
        ):
            out.append(no)
    return out if len(out) >= 2 else []


# a newspaper's column label alone on its line over an article's title (特写, 读者来函, 記者手記; in either script)
_COLUMN_LABEL_RE = re.compile(
    r"^[【\[〔]?\s*(特[写寫]|[读讀]者[来來][函信]|[记記]者手[记記]|[侧側][记記]|短[评評]|[时時][评評]|新[闻聞][链鏈]接|"
    r"[专專][访訪]|[纪紀][实實]|[随隨][笔筆]|通[讯訊]|"
    # (a test's or a lesson's model piece under its label: 【参考范文】 / 那一次，我读懂了…)
    r"(参考|优秀)?[范範]文|(参考)?例文|(教师)?下水(作)?文)\s*[】\]〕]?$"
)


# a part or a chapter of a longer work by its number (第三部分　家访记录, 第九章　山路)
_PART_TITLE_RE = re.compile(
    r"^第\s*(?P<n>[一二三四五六七八九十百零〇两\d]{1,4})\s*(?P<unit>部分|章|单元|编|卷)[\s:：]*\S"
)


def _later_parts(lines: list[str], skip: set[int], *, after: int) -> list[int]:
    """Under a page's title ``after`` that numbers a part of a longer work (第三部分　家访记录), the titles of
    the parts after it in the same form, each numbered one on (第四部分　工作反思), with text under it."""
    m = _PART_TITLE_RE.match(lines[after - 1].strip().strip("\u3000"))
    n = cn_to_int(m.group("n")) if m else None
    if n is None:
        return []
    out = []
    for no in range(after + 1, len(lines) + 1):
        s = lines[no - 1].strip().strip("\u3000")
        hit = _PART_TITLE_RE.match(s) if no not in skip else None
        if (
            hit
            and hit.group("unit") == m.group("unit")
            and cn_to_int(hit.group("n")) == n + 1
            and _title_like(s, commas=True)
            and _has_body(lines, no, len(lines) + 1, skip)
        ):
            out.append(no)
            n += 1
    return out


# a piece numbered No. N, maybe after a label and before its title (优秀范文 NO.3　守望, No.2)
_NO_NUMBER_RE = re.compile(
    r"^[^\s。！？!?，,：:；;]{0,8}\s*[Nn][Oo]\s*[.．:：]?\s*(?P<n>\d{1,2})(?:[\s.．:：、|｜]+(?P<title>[^。！？!?；;]{1,38}))?$"
)


def _no_number(line: str) -> tuple[str, int, str] | None:
    """(title, number, line) of a line numbered No. N (优秀范文 NO.3　守望), else None."""
    m = _NO_NUMBER_RE.match(line.strip().strip("\u3000"))
    return ((m.group("title") or "").strip(), int(m.group("n")), line.strip()) if m else None


# a title numbered as a list's item (三、等你回家吃饭！): a piece's heading only where no item of that list stands
# between it and the heading above (一、… 二、… 三、… are the parts of one speech)
_LISTED_NUMBER_RE = re.compile(r"^(?P<n>[一二三四五六七八九十]{1,3})\s*[、.．]\s*(?P<title>\S.{1,38})$")


def _listed_title(lines: list[str], no: int, heads: dict[int, Heading]) -> tuple[str, int, str] | None:
    """(title, number, form) of line ``no`` when it is a title numbered like a list's item (三、等你回家吃饭！)
    with no other such item between it and the nearest heading above; else None."""
    m = _LISTED_NUMBER_RE.match(lines[no - 1].strip().strip("\u3000"))
    if not m or not _exclaimed_title(m.group("title")) or (n := cn_to_int(m.group("n"))) is None:
        return None
    above = max((k for k in heads if k < no), default=0)
    if any(_LISTED_NUMBER_RE.match(lines[k - 1].strip().strip("\u3000")) for k in range(above + 1, no)):
        return None
    return m.group("title"), n, "n、"


def _numbers_between(lines: list[str], heads: dict[int, Heading], skip: set[int], expected: int) -> dict[int, int]:
    """In a collection that announces ``expected`` pieces, titles ending in the numbers its headings lack,
    each in its place in the order (想念妈妈的作文（一） above 第2篇：… above 写妈妈的作文 3): pages number
    their pieces in more than one style. {line number: number}."""
    numbered = sorted((no, h.number) for no, h in heads.items() if h.number is not None)
    if not numbered:
        return {}
    have = {n for _, n in numbered}
    out: dict[int, int] = {}
    for no, line in enumerate(lines, start=1):
        hit = (
            (series_number(line) or _no_number(line) or _listed_title(lines, no, heads))
            if no not in skip and no not in heads
            else None
        )
        if not hit or hit[1] in have or not 1 <= hit[1] <= expected:
            continue
        above = [n for k, n in numbered if k < no]
        below = [n for k, n in numbered if k > no]
        if (
            all(n < hit[1] for n in above)
            and all(n > hit[1] for n in below)
            and _has_body(lines, no, len(lines) + 1, skip)
        ):
            out[no] = hit[1]
            have.add(hit[1])
    return out


def _titles_under_column_labels(lines: list[str], skip: set[int], *, after: int) -> list[int]:
    """Title-like lines below line ``after`` right under a newspaper's column label (特寫 / 一部舊手機…),
    with text under them: the page's further articles."""
    out = []
    for no in range(after + 1, len(lines) + 1):
        s = lines[no - 1].strip().strip("\u3000")
        above = lines[no - 2].strip().strip("\u3000") if no > 1 else ""
        if (
            _COLUMN_LABEL_RE.match(above)
            and no not in skip
            and (title_over_author(s) or _headline(s))
            and _has_body(lines, no, len(lines) + 1, skip)
        ):
            out.append(no)
    return out


def prev_text_line(lines: list[str], no: int) -> int | None:
    """The nearest non-blank line above line ``no`` (None at the top)."""
    return next((k for k in range(no - 1, 0, -1) if lines[k - 1].strip()), None)


# a pupil's signature: a grade, class or school and a name (四年级  赵明轩, 五（2）班 李小雨)
_PUPIL_SIGNATURE_RE = re.compile(r"(年级|班|小学|中学|初[一二三]|高[一二三])\s*[\u4e00-\u9fff·]{2,4}\s*[)）]?\s*$")


# a yearbook entry's contributing bodies in brackets, ending it ((县民政局　县妇联), (县教育局　撰稿：邓若川))
_UNIT_CREDIT_RE = re.compile(
    r"^[(（]\s*([\u4e00-\u9fff]{1,10}(局|委|委员会|会|办|办公室|政府|院|所|中心|学校|妇联|团委|关工委)[\s\u3000]*)+"
    r"(撰稿\s*[:：]\s*[\u4e00-\u9fff]{2,4}\s*)?[)）]$"
)


def _prev_line_kept(lines: list[str], no: int, skip: set[int]) -> int | None:
    """The nearest non-blank line above line ``no`` that is not furniture (``skip``)."""
    return next((k for k in range(no - 1, 0, -1) if lines[k - 1].strip() and k not in skip), None)


def _signed_off_title(s: str) -> bool:
    """A title under the signature of the piece above: title-like, or a short one with a comma
    (留守，也是一种长大)."""
    return _title_like(s) or (len(s) <= 20 and _title_like(s, commas=True))


def _titles_after_signatures(lines: list[str], skip: set[int], author_lines: set[int]) -> list[Heading]:
    """Essays that each end with their author's line (四年级  赵明轩) and start
    with a title: a title right under one essay's author line heads the next;
    the first essay's title is the set-off title-like line above its text."""
    titled = [
        no
        for no in range(1, len(lines) + 1)
        if no not in skip
        and no not in author_lines
        and _signed_off_title(lines[no - 1].strip().strip("\u3000"))
        and (prev := _prev_line_kept(lines, no, set(skip) - set(author_lines))) in author_lines
        and (_PUPIL_SIGNATURE_RE.search(lines[prev - 1]) or _UNIT_CREDIT_RE.match(lines[prev - 1].strip()))
        and (nxt := _next_text_line(lines, no)) is not None
        and nxt not in author_lines
        and _has_body(lines, no, len(lines) + 1, skip)
    ]
    if len(titled) < 2:
        return []
    close = prev_text_line(lines, titled[0])  # the first essay's author line
    first, chars = None, 0
    for no in range(close - 1, 0, -1):
        s = lines[no - 1].strip().strip("\u3000")
        if not s or no in skip:
            continue
        if chars >= 40 and _title_like(s) and not _SECTION_START_RE.match(s):
            first = no
            break
        chars += len(s)
    if first is None:
        return []
    return [_line_heading(lines, no, k, "title_after_signature") for k, no in enumerate([first, *titled], start=1)]


# the title of a piece appended to an article, posted as its sequel (【续】…) or alone in book-title marks
_APPENDED_TITLE_RE = re.compile(
    r"^(?:附\s*[：:]\s*(?P<title>\S.{0,30}(?:《[^《》]{1,24}》|习作|作文|文章|日记|范文|演讲稿|发言稿|讲话稿|一封信|来信|回信|书信|"
    r"诗歌?|故事|手记|心得|感言|发言)\S{0,12})"
    r"|[【\[（(]\s*[^】\]）)]{0,6}(?:附记|附录|附文|原文|附|续|续篇|续写)\s*[】\]）)]\s*[：:]?\s*(?P<title2>\S.{1,30})"
    # a post tagged as a piece of writing (【长文】我当了十二年留守儿童): titled by the whole line
    r"|(?P<title6>[【\[]\s*(?:长文|原创|美文|散文|随笔|征文|投稿)\s*[】\]]\s*\S.{1,30})"
    r"|[《〈「](?P<title3>[^《》〈〉「」]{2,24})[》〉」]"
    # a piece labelled by its kind (志愿者手记：小屋里的笑声, 一封回信：…), or a named lesson's reflection
    # (《心连心·手拉手》班会课后反思)
    r"|(?P<title4>[^：:，,。！？!?\s]{0,8}(?:手记|日记|随笔|后记|附记|札记|手札|感言|反思|回信|来信|寄语)\s*[：:]\s*[^：:。！？!?\s]\S{1,30})"
    r"|(?P<title5>[《〈][^《》〈〉]{2,24}[》〉][^。！？!?，,\s]{0,10}(?:反思|后记|感想|心得|读后感|观后感|札记|手记|随笔|说明)))$"
)


def appended_title(s: str) -> str | None:
    """The title a line gives an appended or posted piece (附：学生习作《妈妈的声音》 → 学生习作《妈妈的声音》,
    《那一条路》 → 那一条路), else None. An appended list or table (附：重点帮扶名单) is no piece."""
    m = _APPENDED_TITLE_RE.match(s)
    return (
        next((g for g in m.group("title", "title2", "title3", "title4", "title5", "title6") if g), None) if m else None
    )


# numbered titles in forms that essay sections do not use: 之一 …, 【第一章】…, 01｜…, No.1 …, 01　…
_STRONG_NUMBERED_RE = re.compile(
    r"^(?:之\s*(?P<a>[一二三四五六七八九十]{1,3})|[【\[〖]?\s*第\s*(?P<b>\d{1,3}|[一二三四五六七八九十]{1,3})\s*[章则封回]\s*[】\]〗]?"
    r"|(?P<c>\d{1,2})\s*[｜|丨]|[Nn][Oo]\.?\s*(?P<d>\d{1,2})[.:：\s]|(?P<e>0[1-9])\s)\s*(?P<title>\S.*)$"
)
_TOC_RE = re.compile(r"^(?P<title>\S.{0,38}?)\s*(?:[.…·．]{6,}\s*\S.{0,20}|[.…·．]{10,}|[…·]{3,}\s*\d{1,3})$")
# a contents list's header, and a title listed under it (● 青苇镇：“五老”志愿者结对帮扶留守儿童, 2. 奶奶的手)
_CONTENTS_HEADER_RE = re.compile(
    r"^[\[【〖]?\s*(本期|本版|本刊)?(导读|目\s*录|要目|内容提要|内容导航|标题导航)\s*[\]】〗]?\s*[:：]?$"
)
_LISTED_TITLE_RE = re.compile(r"^(?:[●•·▪◆◇○◎■□▶►★☆]|\d{1,2}\s*[.、．]|[（(]\d{1,2}[)）])\s*(?P<title>\S.{1,38})$")
# the standard parts of a report or a paper, as its contents name them (调研背景, 对象与方法, 原因分析, 结语)
_REPORT_PART_RE = re.compile(
    r"(背景|概况|基本情况|现状|对象与方法|方法|调研发现|主要发现|发现|问题|原因|原因分析|分析|对策|建议|对策与建议|"
    r"措施|结论|结语|结束语|小结|引言|绪论|摘要|参考文献|附录|致谢)$"
)
_NOT_A_TOC_ESSAY_RE = re.compile(r"^(前\s*言|序\s*言?|卷\s*首\s*语|编后记|后\s*记|目\s*录|附\s*录|跋|编者按|致谢)$")


def find_toc_titles(lines: list[str], *, skip: set[int] = frozenset(), min_body: int = 60) -> list[int]:
    """Essay headings named by a table of contents (``（一）灯 ........ 3``):
    the lines after the contents that repeat its titles, each with text under
    it. [] when there is no contents of at least two titles."""
    toc: list[set[str]] = []  # each entry's forms: the title, and without a trailing note (留守的日子（诗歌）)
    last = 0
    listing = False  # under a contents header (【本期导读】, 目录): bulleted or numbered titles
    for no, line in enumerate(lines, start=1):
        s = line.strip().strip("\u3000")
        m = _TOC_RE.match(s)
        if _CONTENTS_HEADER_RE.match(s):
            listing = True
            continue
        if listing and not m:
            m = _LISTED_TITLE_RE.match(s)
            listing = bool(m)
        if m:
            title = _stem_key(m.group("title"))
            if not _NOT_A_TOC_ESSAY_RE.match(title):
                bare = re.sub(r"[（(][^（()）]{1,8}[）)]$", "", title)
                toc.append({title, bare} if _STEM_OK_RE.search(bare) else {title})
            last = no
    if len(toc) < 2:
        return []
    # a report's own contents (一、调研背景 … 五、对策与建议 … 六、结语): its entries name the parts of one
    # document, sections of its text, not the pieces of a collection
    parts = sum(1 for e in toc if any(_SECTION_START_RE.match(t) and _REPORT_PART_RE.search(t) for t in e))
    if parts >= 3 and parts * 2 > len(toc):
        return []
    found = []
    for no in range(last + 1, len(lines) + 1):
        key = _stem_key(lines[no - 1].strip().strip("\u3000"))
        entry = next((e for e in toc if key in e), None) if key and no not in skip else None
        if entry is not None:
            found.append(no)
            toc.remove(entry)
    ends = found[1:] + [len(lines) + 1]
    bodies = [sum(len(lines[k - 1].strip()) for k in range(a + 1, b) if k not in skip) for a, b in zip(found, ends)]
    # a part title with its essays under their own titles has no text of its own (the build drops and logs it)
    return found if sum(b >= min_body for b in bodies) >= 2 else []


# the salutation that opens a speech or a letter
_SALUTATION_RE = re.compile(
    r"^(尊敬的|亲爱的|敬爱的|各位|老师们|同学们|家长们|朋友们|女士们|领导们|大家好).{0,30}[：:，,！!]$"
)


# a salutation that opens a line, alone or before the text (老师们、同学们：大家好！…)
_ADDRESSEE = r"(?:(?:尊敬|亲爱|敬爱)的[^，,、：:。！？]{1,12}|各位[^，,、：:。！？]{1,10}|(?:小朋友|老师|同学|家长|朋友|女士|先生|领导|来宾|同志)们)"
# after the first addressee, a role word alone also counts (各位领导，老师，同学们：; 尊敬的评委、观众朋友们：)
_MORE_ADDRESSEES = (
    rf"(?:{_ADDRESSEE}|(?:老师|同学|家长|领导|来宾|嘉宾|评委|观众|朋友|同志|同仁|叔叔阿姨|女士|先生)(?:朋友)?们?)"
)
_SALUTATION_START_RE = re.compile(rf"^{_ADDRESSEE}(?:\s*[、，,和]\s*{_MORE_ADDRESSEES})*\s*[：:]")
# a letter's salutation to family, a line of its own (妈妈：, 亲爱的爸爸妈妈：, 爷爷、奶奶：); a kin
# word and a colon before text is a speaker in a dialogue
_KIN = r"(?:爸爸|妈妈|爸|妈|爸妈|爷爷|奶奶|外公|外婆|姥姥|姥爷|哥哥|姐姐|弟弟|妹妹|叔叔|阿姨|老爸|老妈)"
_KIN_SALUTATION_RE = re.compile(rf"^(?:亲爱的|敬爱的)?{_KIN}+(?:\s*[、和]\s*{_KIN}+)*\s*[：:]$")
# a greeting to kin as a letter's salutation, a line of its own (叔叔阿姨们好：, 奶奶好：)
_KIN_GREETING_RE = re.compile(rf"^{_KIN}+(?:\s*[、和]\s*{_KIN}+)*们?好\s*[：:]$")
# marks a page sets before a title (▍给爸爸的一封信)
_TITLE_MARKS = "▍▌■□●◆◇★☆◎▶►✦|｜ \u3000"


_BARE_NAME_RE = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


def is_bare_name(s: str) -> bool:
    """Is line ``s`` a person's name alone (陈小雨, 欧阳思远): a surname and a
    given name the name model finds name-like, not an ordinary word? Under an
    essay's title such a line is its author's byline, not a title."""
    s = s.strip().strip("\u3000")
    if not _BARE_NAME_RE.match(s):
        return False
    from analysis.methods import entities, namemodel

    cues = entities.load_entity_cues()
    if not entities.is_plausible_name(s, cues):
        return False
    if len(s) == 2 and entities.get_tokenizer().FREQ.get(s):
        return False  # 白云, 金秋: a title as likely as a name
    sur = entities.surname_of(s, cues)
    return namemodel.name_score(sur, s[len(sur) :]) >= entities.MODEL_MIN_SCORE


def bare_name_under_title(lines: list[str], no: int) -> bool:
    """Is line ``no`` a name alone (:func:`is_bare_name`) right under a
    title-like line set off by a blank line above (or the file's start), with
    text below it (写给远方的妈妈 / 陈小雨 / 亲爱的妈妈：)? A letter's closing
    wish over its signature (祝您工作顺利！ / 覃晓雁) is no title."""
    if no < 2 or not lines[no - 1].strip() or not lines[no - 2].strip() or _next_text_line(lines, no) is None:
        return False
    if no > 2 and lines[no - 3].strip():
        return False
    above = lines[no - 2].strip().strip("\u3000")
    return (
        (_title_like(above, commas=True) or _exclaimed_title(above))
        and not (above.startswith("祝") or LETTER_FORMULA_RE.match(above))
        and is_bare_name(lines[no - 1])
    )


# a letter's closing formula on a line of its own: 此致 / 敬礼！, 祝您 / 工作顺利 (many letters on one page end so)
LETTER_FORMULA_RE = re.compile(r"^(此\s*致|敬\s*礼|祝[\u4e00-\u9fff]{0,8})[！!]?$")


def is_salutation(s: str) -> bool:
    """Does line ``s`` open a speech or a letter (老师们、同学们：…, 妈妈：)?"""
    return bool(_SALUTATION_START_RE.match(s) or _KIN_SALUTATION_RE.match(s))


# a letter's title (给爸爸的一封信, 给未来的自己的一封信): the short line ending in a colon under it is
# its salutation, whoever it addresses (未来的我：)
_LETTER_TITLE_RE = re.compile(r"给.{1,16}的(一封)?(信|回信)$")


def _letter_opening(title: str, s: str) -> bool:
    return bool(_LETTER_TITLE_RE.search(title)) and len(s) <= 16 and s.endswith(("：", ":"))


# a line of symbols between two texts (＊＊＊, ※※※, ------)
_SEPARATOR_LINE_RE = re.compile(r"^[*＊※☆★◆◇○●□■△▲~～—\-=＝_·•\s]{3,}$")


def _text_before(lines: list[str], no: int, skip: set[int]) -> int:
    """Characters of text (not chrome) above line ``no``."""
    return text_chars(lines[: no - 1], skip=skip)


def text_chars(lines: list[str], *, skip: set[int] = frozenset()) -> int:
    """Characters of text in ``lines`` (numbered from 1), chrome lines ``skip`` aside."""
    return sum(len(line.strip()) for k, line in enumerate(lines, start=1) if k not in skip)


def _next_text_line(lines: list[str], no: int, *, skip: set[int] = frozenset()) -> int | None:
    """The first non-blank line within three lines under line ``no``, chrome
    lines ``skip`` passed over (a byline between a letter's title and its
    salutation)."""
    for k in range(no + 1, min(len(lines), no + 3) + 1):
        if lines[k - 1].strip() and k not in skip:
            return k
    return None


_NUMBERED_TITLE_RE = re.compile(
    r"^(?:(?P<a>\d{1,2})\s*[.、．]|[（(]\s*(?P<b>\d{1,2}|[一二三四五六七八九十]{1,3})\s*[）)]|(?P<c>[一二三四五六七八九十]{1,3})\s*[、.．]"
    r"|(?P<d>[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])"
    # a number in square brackets (【1】等, [2] 爷爷的老手机): a WeChat post's pieces, or an article's sections
    # (or in tortoise-shell brackets: 〔一〕外婆的竹椅)
    r"|[【\[〖〔]\s*(?P<f>\d{1,2}|[一二三四五六七八九十]{1,3})\s*[】\]〗〕])\s*(?P<title>\S.*)$"
)


# a page's words announcing several pieces (选登其中两篇, 五个留守娃的小故事, 三则日记): then numbered marks
# (01｜…) head the pieces; under one article's title they number its sections
_PIECES_ANNOUNCED_RE = re.compile(
    r"(\d{1,2}|[两二三四五六七八九十几数]{1,2})\s*(?:篇|则|首|封|个[^，,。；;！？!?]{0,8}?(?:故事|作品|习作))"
)


def find_numbered_titles(
    lines: list[str],
    expected: int | None,
    *,
    skip: set[int] = frozenset(),
    min_body: int = 60,
    strong_only: bool = False,
    author_lines: set[int] = frozenset(),
) -> dict[int, tuple[int, str]]:
    """``expected`` title lines numbered 1 … ``expected`` in one style
    (``1.奶奶的老屋``, ``（二）爸爸的电话``), in order, each with at least
    ``min_body`` characters of text under it: {line number: (number, title)};
    {} when the page does not hold such a sequence. A zero-padded number
    (``01　奶奶的菜园``) also numbers an article's sections: it heads essays
    only with an author's line (``author_lines``) right under each."""
    by_style: dict[str, list[tuple[int, int, str]]] = {}
    rx = _STRONG_NUMBERED_RE if strong_only else _NUMBERED_TITLE_RE
    for no, line in enumerate(lines, start=1):
        s = line.strip().strip("\u3000").rstrip("！？!? ")  # 之二 爸爸，你在哪里？
        if no in skip or len(s) > MAX_SERIES_HEADING_CHARS or _SENTENCE_END.search(s):
            continue
        m = rx.match(s)
        if not m:
            continue
        style = next(k for k, v in m.groupdict().items() if v and k != "title")
        # (after a bracketed number a title may be one character, a poem's: 【1】等)
        if not (
            _STEM_OK_RE.search(m.group("title")) or style == "f" and re.fullmatch(r"[\u3400-\u9fff]", m.group("title"))
        ):
            continue
        # (a bracketed number sets a piece's title apart, which may hold a comma: 【3】爸爸，你在城里冷吗？)
        # (so may a title in a collection that says how many pieces it holds: （三）关爱留守儿童，我们在行动)
        # (a later title of a list already two long may hold a comma when set off above: 3. 送别，在一个下雨的早上)
        weak = False
        if re.search(r"[，,；;]", m.group("title")) and not (
            (style == "f" or expected is not None) and _title_like(m.group("title"), commas=True)
        ):
            if not (_title_like(m.group("title"), commas=True) and _set_off_above(lines, no, skip)):
                continue
            weak = True
        raw = m.group(style)
        n = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳".index(raw) + 1 if style == "d" and not strong_only else cn_to_int(raw)
        if n is not None:
            by_style.setdefault(style, []).append((no, n, m.group("title").strip(), weak))
    for style, cands in by_style.items():
        picked, want = [], 1
        for no, n, title, weak in cands:
            if n == want and (not weak or want > 2):
                picked.append((no, n, title))
                want += 1
        if (expected is not None and len(picked) != expected) or len(picked) < 2:
            continue
        if style == "e" and not all(_next_text_line(lines, no) in author_lines for no, _, _ in picked):
            continue
        if (
            strong_only
            and style == "c"
            and not all(_next_text_line(lines, no) in author_lines for no, _, _ in picked)
            and not any(_PIECES_ANNOUNCED_RE.search(line) for line in lines[: picked[0][0] - 1])
        ):
            continue  # 01｜村口的站牌 … 03｜她想被看见 under one article's title: its sections, not pieces
        ends = [no for no, _, _ in picked[1:]] + [len(lines) + 1]
        bodies = [
            sum(len(lines[k - 1].strip()) for k in range(a + 1, b) if k not in skip)
            for (a, _, _), b in zip(picked, ends)
        ]
        if all(b >= min_body for b in bodies):
            return {no: (n, title) for no, n, title in picked}
    return {}


_COUNT_RE = re.compile(
    r"(\d{1,3}|[一二三四五六七八九十两]{1,3})\s*(?:篇|则|封(?=信|书信|家书|[)）】]|$)|首(?=诗|小诗|儿歌|[)）】]|$))"
)


def expected_count(line: str) -> int | None:
    """How many essays a collection title announces: 关爱留守儿童演讲稿（精选5篇） → 5,
    写给我的留守学生（两则） → 2, 孩子们的三封信 → 3."""
    m = _COUNT_RE.search(line)
    return cn_to_int(m.group(1)) if m else None


def split_essays(
    text: str,
    *,
    patterns: list | None = None,
    dropped: list[Heading] | None = None,
    chrome: set[int] = frozenset(),
    headings: list[Heading] | None = None,
) -> tuple[list[str], list[EssayChunk]]:
    """Split LF-normalised ``text`` into (preamble lines, essays).

    Each essay runs from the line after its heading to the line before the
    next heading; line numbers are 1-based. ``chrome``: line numbers of page
    chrome — they cannot be headings, and are trimmed from both ends of each
    essay (the caller logs them). ``headings``: found already (else
    :func:`find_headings`). With no heading, the whole file (minus blank and
    chrome lines at both ends) is one essay without heading. A heading with
    no text under it is not an essay: it is appended to ``dropped`` (when
    given) so the caller can log it; ordinals count the essays kept.
    """
    lines = text.split("\n")
    heads = headings if headings is not None else find_headings(lines, patterns, skip=set(chrome))

    def trimmed(lo: int, hi: int) -> tuple[int, int]:
        """Drop blank and chrome lines from both ends of lines[lo:hi] (0-based)."""
        while lo < hi and (not lines[lo].strip() or (lo + 1) in chrome):
            lo += 1
        while hi > lo and (not lines[hi - 1].strip() or hi in chrome):
            hi -= 1
        return lo, hi

    if not heads:
        lo, hi = trimmed(0, len(lines))
        if lo == hi:
            return [], []
        return [], [EssayChunk(1, None, lo + 1, hi, lines[lo:hi])]
    preamble = lines[: heads[0].line_no - 1]
    chunks: list[EssayChunk] = []
    lo, hi = trimmed(0, heads[0].line_no - 1)
    if essay_above(lines, heads[0].line_no, chrome):
        # essay text before the first heading found (a heading in a style no rule knows): an essay, not a preamble
        chunks.append(EssayChunk(1, None, lo + 1, hi, lines[lo:hi]))
        preamble = lines[:lo]
    for k, h in enumerate(heads):
        end = heads[k + 1].line_no - 1 if k + 1 < len(heads) else len(lines)
        lo, hi = trimmed(h.line_no, end)
        if lo == hi:
            if dropped is not None:
                dropped.append(h)
            continue
        chunks.append(EssayChunk(len(chunks) + 1, h, lo + 1, hi, lines[lo:hi]))
    return preamble, chunks
