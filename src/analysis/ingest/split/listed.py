"""Titles a page lists or dates: open list rows, numbered book titles, labelled titles, a task's title, mail
subjects, replies, titles after dates and signatures, later parts, titles under column labels.
"""

from __future__ import annotations

import re

from analysis.ingest.split.headings import Heading, MAX_HEADING_CHARS, _SENTENCE_END, cn_to_int
from analysis.ingest.split.lines import (
    MAX_TITLE_CHARS,
    _SECTION_START_RE,
    _SEPARATOR_LINE_RE,
    _exclaimed_title,
    _has_body,
    _next_text_line,
    _title_like,
    prev_text_line,
)
from analysis.ingest.split.titles import _BRACKETED_NOTE_RE, _headline, title_over_author
from analysis.ingest.split.series import PAGE_NO_RE, series_number

# a labelled item of a newsletter or a bulletin: a column's label in brackets and the item's title (【关爱行动】
# “四点半课堂”迎来新伙伴, 【居民心声】一封来自外省的感谢信)
_LABELLED_TITLE_RE = re.compile(r"^【[\u4e00-\u9fff]{2,6}】\s*(?P<title>\S.{1,38})$")


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
