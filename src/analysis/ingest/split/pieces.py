"""Detectors of the pieces a page strings together without numbered headings: appended speeches and pieces over
authors, untitled pieces, answers, labelled and bare series, letters under titles.
"""

from __future__ import annotations

import re

from analysis.ingest.split.headings import MAX_HEADING_CHARS, _NUM, _SENTENCE_END, cn_to_int
from analysis.ingest.split.lines import (
    _KIN_GREETING_RE,
    _SECTION_START_RE,
    _SEPARATOR_LINE_RE,
    _exclaimed_title,
    _has_body,
    _next_text_line,
    _set_off_above,
    _title_like,
    is_salutation,
    text_chars,
)
from analysis.ingest.split.titles import _GREETING_RE, title_over_author
from analysis.ingest.split.listed import _numbered_book_titles, open_list_items

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
