"""A page's own title and the shapes of a title line (headline, title over author, an essay above a line, wrapped
lines).
"""

from __future__ import annotations

import re

from analysis.ingest.split.headings import MAX_HEADING_CHARS, _QUOTED_SPAN_RE, _SENTENCE_END, _TRAILING_PUNCT
from analysis.ingest.split.lines import (
    MAX_TITLE_CHARS,
    _CONTENTS_HEADER_RE,
    _NOT_TITLE_START,
    _SECTION_START_RE,
    _exclaimed_title,
    _has_body,
    _next_text_line,
    _title_like,
)

# this much text (not chrome) before the first heading is an essay of its own, never a dropped preamble
MIN_PREAMBLE_ESSAY_CHARS = 200


# …unless it is a collection's preface (前言, 序, 编者按), which is no essay of the collection
_PREFACE_RE = re.compile(
    r"^(前\s*言|序(\s*言)?(?![\u4e00-\u9fff])|编者按|编者的话|卷首语|导\s*语|引\s*言)\s*[:：]?"
)  # (not 序号)


_SITE_NAME_RE = re.compile(
    r"(网|(?<![车驿])站|厅|局|委员会|政府|门户|平台|论坛|社区|博客|日报|晚报|频道|空间|文库|书屋|之家|公众号|在线|百科|贴吧|知道|个人资料|个人图书馆)$"
)


# a WeChat article's numbered section mark (01｜村口的站牌, 2丨一部旧手机)
_SECTION_MARK_RE = re.compile(r"^\d{1,2}\s*[｜|丨]\s*\S")


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


# the labelled parts of a proposal or a case report (【案由】, 【建议】, 【主要做法】): the text's own section labels,
# neither a column's label nor a title
PART_LABEL_RE = re.compile(
    r"^[【\[]\s*(案由|理由|建议|具体建议|意见建议|对策建议|办法|具体办法|措施|对策|现状|问题|存在问题|主要问题|原因|背景|"
    r"基本情况|主要做法|做法|成效|依据|目标|结论)\s*[】\]]$"
)
