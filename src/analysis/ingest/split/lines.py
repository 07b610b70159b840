"""Line helpers shared by the detectors: the text line before or after a line, salutations, bare names, title-like
lines, numbered titles and tables of contents.
"""

from __future__ import annotations

import re

from analysis.ingest.split.headings import Heading, _SENTENCE_END, cn_to_int

_STEM_OK_RE = re.compile(r"[\u3400-\u9fff]{2}")


MAX_SERIES_HEADING_CHARS = 40


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


MAX_TITLE_CHARS = 40


_SECTION_START_RE = re.compile(
    r"^([一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[、.．](?!\d)|[①-⑳])"
)


_NOT_TITLE_START = ("尊敬", "亲爱", "各位", "敬爱")


def _exclaimed_title(s: str) -> bool:
    """A title, or one that ends in ！ or ？ (妈妈，你什么时候回来？, 爸爸，我为你骄傲！)."""
    return _title_like(s) or (s.endswith(("？", "?", "！", "!")) and _title_like(s[:-1].rstrip("？?！!"), commas=True))


def _line_heading(lines: list[str], no: int, number: int | None, rule: str) -> Heading:
    """A heading whose title is its whole line (full-width spaces at its ends aside)."""
    return Heading(no, lines[no - 1].strip(), number, lines[no - 1].strip().strip("\u3000"), rule)


def _set_off_above(lines: list[str], no: int, skip: set[int]) -> bool:
    above = lines[no - 2].strip() if no > 1 else ""
    return not above or (no - 1) in skip or bool(_SEPARATOR_LINE_RE.match(above))


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
