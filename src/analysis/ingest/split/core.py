"""Where essays start: every detector in order (:func:`find_headings`), and the split itself (:func:`split_essays`)."""

from __future__ import annotations


from analysis.ingest.split.headings import EssayChunk, Heading, _heading_match, compile_patterns
from analysis.ingest.split.lines import (
    _DATE_LINE_RE,
    _SEPARATOR_LINE_RE,
    _TITLE_MARKS,
    _exclaimed_title,
    _has_body,
    _letter_opening,
    _line_heading,
    _next_text_line,
    _stem_key,
    _text_before,
    _title_like,
    _titles_after_signatures,
    appended_title,
    find_numbered_titles,
    find_toc_titles,
    is_salutation,
    prev_text_line,
)
from analysis.ingest.split.titles import MIN_PREAMBLE_ESSAY_CHARS, essay_above, find_page_title, title_over_author
from analysis.ingest.split.series import (
    _SUBTITLED_SERIES_RE,
    _set_off_titles_after,
    find_repeated_titles,
    find_series,
    find_set_off_titles,
)
from analysis.ingest.split.listed import (
    _MAIL_SUBJECT_RE,
    _labelled_titles,
    _later_parts,
    _mail_subjects,
    _numbers_between,
    _reply_titles,
    _titles_after_dates,
    _titles_named_by_task,
    _titles_under_column_labels,
    _titles_under_dated_lines,
)
from analysis.ingest.split.pieces import (
    ANSWER_WRAPPER_RE,
    _ENTRY_NUMBER_RE,
    _NEWS_LEAD_RE,
    _appended_pieces_over_authors,
    _appended_speeches,
    _later_answers,
    _titled_over_author,
    _titles_with_writer,
    _untitled_pieces,
    labelled_series,
)


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
