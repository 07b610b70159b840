"""Page furniture ("chrome") in plain-text captures of essay websites.

A capture copied from a page holds, besides the essays, the site's
navigation, breadcrumbs, publication lines, share bars, previous/next links,
related lists, copyright and filing notices, contact lines, comments and
spam. :func:`classify_lines` decides for every line of a file whether it is
chrome, and which kind, in the manner of jusText (Pomikálek 2011), adapted to
Chinese plain text and to what a folder of captures adds:

1. **Patterns** (``resources/chrome.yaml``): each kind of furniture has short
   tell-tale forms (``当前位置：首页 > …``, ``上一篇：…``, ``京ICP备…号``). A
   pattern counts only on a line short enough to be furniture, and never on
   a line that reads as prose (enough CJK characters, a sentence-final mark
   and a share of function characters such as 的 了 是), except for the kinds
   that are prose themselves (site blurbs, copyright notices, spam).
2. **Folder evidence**: a short, non-prose line that recurs (digits
   ignored) in several files of the folder, or several times in one file, is
   a site's furniture — the same footer on every page, a teaser between every
   essay. Long sentences that recur are left alone: they are reused essay
   text, which the reuse stage studies.
3. **Context**: lines are *bad* (1 or 2), *good* (prose, or an essay
   heading) or *short* (neither). A short line whose nearest non-blank
   neighbours on both sides are bad (or the file's edge) is furniture too:
   the titles under 猜你喜欢, the 网友评论 block. A short line next to prose —
   a section heading, a date or signature at an essay's end, a salutation —
   is kept.

The result never edits text: the build removes the lines it is told are
chrome and logs each one (rule ``remove_chrome``, its kind and evidence);
``keep_chrome`` keeps them. Metadata worth keeping (author, date, source,
editor, guidance teacher) is read from the chrome lines by
:func:`line_metadata`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterable

from analysis.resources import load_yaml, resource_path
from analysis.ingest.clean import CUE_TIMING_RE as _CUE_TIMING_RE
from analysis.ingest.split import DATE_IN_PARENS_RE as _DATE_IN_PARENS_RE
from analysis.ingest.split import PAGE_NO_RE as _PAGE_NUMBER_RE
from analysis.ingest.split import UNIT_OR_SPEAKER_RE as _UNIT_OR_SPEAKER_RE
from analysis.ingest.split import LETTER_FORMULA_RE as _LETTER_FORMULA_RE
from analysis.ingest.split import PART_LABEL_RE as _PART_LABEL_RE
from analysis.ingest.split import is_bare_name, is_salutation

RULES_FILE = "chrome.yaml"
CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
SENTENCE_FINAL_RE = re.compile(r"[。！？!?…]|\.{3,}")
_SPACES_RE = re.compile(r"\s+")
_ITEM_GAP_RE = re.compile(r"(?<=\S)[ \t\u3000\u00a0]{2,}(?=\S)")
_DIGITS_RE = re.compile(r"\d+")

# Pinyin ruby as some sites render it after each character: 關(guān)愛, 學(xué)校.
PINYIN_LETTERS = "a-zA-Zü\u00e0-\u00fc\u0101-\u01dc\u01f9\u1e3f\u0144\u0148"  # a character class body
RUBY_RE = re.compile(rf"(?<=[\u3400-\u9fff\uf900-\ufaffA-Za-z?])[(（]\s*(?P<py>[{PINYIN_LETTERS}]{{1,7}})\s*[)）]")


@functools.lru_cache(maxsize=1)
def pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable (from pypinyin's character table)."""
    from pypinyin.pinyin_dict import pinyin_dict

    toned = {p for value in pinyin_dict.values() for p in value.split(",")}  # ~1,500 distinct of ~40,000
    return frozenset(strip_tones(p) for p in toned)


def strip_tones(syllable: str) -> str:
    s = unicodedata.normalize("NFD", syllable)
    return "".join(c for c in s if not unicodedata.combining(c)).replace("ü", "v").lower()


def is_ruby(match: re.Match) -> bool:
    """A parenthesised pinyin syllable right after a character: 學(xué), 的(de)."""
    py = match.group("py")
    toneless = strip_tones(py)
    has_tone = toneless != py.lower().replace("ü", "v")
    return toneless in pinyin_syllables() and (has_tone or len(py) >= 2) and py == py.lower()


def remove_ruby(text: str) -> str:
    if "(" not in text and "（" not in text:
        return text
    return RUBY_RE.sub(lambda m: "" if is_ruby(m) else m.group(0), text)


# ------------------------------------------------------------------ rules ---
@dataclass(frozen=True)
class Kind:
    name: str
    patterns: tuple[re.Pattern, ...]
    max_chars: int
    prose_ok: bool
    min_hits: int
    prose_patterns: tuple[re.Pattern, ...] = ()  # patterns that count even on a line that reads as prose


@dataclass(frozen=True)
class ChromeRules:
    kinds: tuple[Kind, ...]
    min_cjk: int
    min_function_share: float
    function_chars: frozenset[str]
    min_files: int
    min_repeats: int
    recur_max_chars: int


@functools.lru_cache(maxsize=8)
def _compile(path: str, mtime: float) -> ChromeRules:
    raw = load_yaml(RULES_FILE, path)
    try:
        kinds = []
        for name, spec in raw["kinds"].items():
            kinds.append(
                Kind(
                    name,
                    tuple(re.compile(p) for p in spec["patterns"]),
                    int(spec.get("max_chars", 80)),
                    bool(spec.get("prose_ok", False)),
                    int(spec.get("min_hits", 1)),
                    tuple(re.compile(p) for p in spec.get("prose_patterns", ())),
                )
            )
        prose = raw["prose"]
        rec = raw.get("recurrence") or {}
        return ChromeRules(
            tuple(kinds),
            int(prose["min_cjk"]),
            float(prose["min_function_share"]),
            frozenset(prose["function_chars"]),
            int(rec.get("min_files", 2)),
            int(rec.get("min_repeats", 2)),
            int(rec.get("max_chars", 60)),
        )
    except (KeyError, TypeError, AttributeError, re.error) as exc:
        raise ValueError(f"{path}: bad chrome rule file ({exc.__class__.__name__}: {exc})") from None


def load_rules(path: str | Path | None = None) -> ChromeRules:
    p = resource_path(RULES_FILE, path)
    return _compile(str(p), p.stat().st_mtime)


# --------------------------------------------------------------- features ---
# A line longer than this is text, whatever it holds: no rule can call it
# furniture (every pattern and recurrence limit is far shorter), so it is only
# NFKC-normalised, not converted to simplified characters or read for ruby —
# the conversion of a 2,000,000-character line took seconds.
LONG_LINE = 2000


@functools.lru_cache(maxsize=1 << 16)
def normalise(line: str) -> str:
    """A line as the rules see it: NFKC (full-width → ASCII), traditional →
    simplified, pinyin ruby removed, spaces collapsed (a line of more than
    ``LONG_LINE`` characters: NFKC and spaces only)."""
    from analysis.ingest.clean import to_simplified

    if len(line) > LONG_LINE:
        return _SPACES_RE.sub(" ", unicodedata.normalize("NFKC", line)).strip()
    s = remove_ruby(unicodedata.normalize("NFKC", line)).strip()
    s = to_simplified(s)[0]
    # a run of two or more spaces inside a line separates items (文库首页    精品文档    VIP专区)
    return _SPACES_RE.sub(" ", _ITEM_GAP_RE.sub(" | ", s)).strip()


def recurrence_key(norm: str) -> str:
    """Key under which two lines count as the same furniture: digits and
    spaces ignored (时间：2023-02-06 and 时间：2024-11-30 are one line)."""
    return _DIGITS_RE.sub("0", norm.replace(" ", ""))


def n_cjk(s: str) -> int:
    return len(CJK_RE.findall(s))


def is_prose(norm: str, rules: ChromeRules) -> bool:
    """A line that reads as running text: many CJK characters, a
    sentence-final mark, and enough function characters."""
    cjk = CJK_RE.findall(norm)
    if len(cjk) < rules.min_cjk or not SENTENCE_FINAL_RE.search(norm):
        return False
    return sum(c in rules.function_chars for c in cjk) / len(cjk) >= rules.min_function_share


def pattern_kind(norm: str, rules: ChromeRules, *, prose: bool | None = None) -> tuple[str, str] | None:
    """(kind, matched text) of the first chrome kind whose pattern matches
    ``norm``, else None."""
    if not norm:
        return None
    prose = is_prose(norm, rules) if prose is None else prose
    # a short sentence (上一篇作文我写的是妈妈，这一篇我想写爸爸。) is text, as prose is
    sentence = prose or (bool(_FINAL_END_RE.search(norm)) and n_cjk(norm) >= 6)
    for kind in rules.kinds:
        if len(norm) > kind.max_chars:
            continue
        if sentence and not kind.prose_ok:
            m = next((m for p in kind.prose_patterns if (m := p.search(norm))), None)
            if m:
                return kind.name, m.group(0)
            continue
        if kind.min_hits > 1:
            hits = {m.group(0) for p in kind.patterns for m in p.finditer(norm)}
            if len(hits) >= kind.min_hits:
                return kind.name, "、".join(sorted(hits)[:3])
            continue
        for p in kind.patterns:
            m = p.search(norm)
            if m:
                return kind.name, m.group(0)
    return None


def is_pupil_byline(norm: str) -> bool:
    """(School,) grade or class and a name: 县第二中学 八(4)班 | 李思源; a prize,
    a school, a form and a name (冠军 屯门光华中学 中五 黄芷晴). Under an
    essay's title it is the byline; at the end of an essay, its signature."""
    return bool(_BYLINE_UNDER_TITLE_RE.match(norm) or _PRIZE_BYLINE_RE.match(norm))


# a prize list's byline: prize, school, form or grade, name (冠軍　屯門光華中學　中五　黃芷晴, after normalising)
_PRIZE_BYLINE_RE = re.compile(
    r"^((冠军|亚军|季军|殿军|金奖|银奖|铜奖|特等奖|[一二三]等奖|优秀奖|优胜奖|最佳\S{1,4}奖)\s*[|\s]\s*)?"
    r"\S{2,16}(中学|小学|书院|学校|学院|中心校|完小)\s*[|\s]\s*"
    r"(中[一二三四五六]|初[一二三]|高[一二三]|小[一二三四五六]|[一二三四五六七八九]年级|[一二三四五六七八九]\s*\(\s*\d{1,2}\s*\)\s*班)"
    r"\s*[|\s]\s*[\u4e00-\u9fff·]{2,4}$"
)


# ---------------------------------------------------------- folder evidence ---
def file_keys(lines: Iterable[str], rules: ChromeRules) -> Counter:
    """Recurrence keys of a file's candidate lines (short, non-prose) and how
    often each occurs in the file."""
    out: Counter = Counter()
    for line in lines:
        norm = normalise(line)
        if norm and _recurrence_candidate(norm, rules):
            out[recurrence_key(norm)] += 1
    return out


def folder_counts(per_file: Iterable[Counter]) -> Counter:
    """In how many files each recurrence key occurs."""
    out: Counter = Counter()
    for keys in per_file:
        out.update(keys.keys())
    return out


# ---------------------------------------------------------------- classify ---
@dataclass(frozen=True)
class Verdict:
    line_no: int  # 1-based
    kind: str  # chrome kind
    evidence: str  # "pattern: …", "in N files", "repeated N times", "between furniture"


BAD, GOOD, SHORT, BLANK = "bad", "good", "short", "blank"


def classify_lines(
    lines: list[str],
    *,
    rules: ChromeRules | None = None,
    folder: Counter | None = None,
    n_files: int = 1,
    keep: Iterable[int] = (),
    line_model: bool = True,
) -> dict[int, Verdict]:
    """Chrome lines of one file: {line number: :class:`Verdict`}.

    ``folder``: :func:`folder_counts` of the folder the file is in (its own
    keys included); ``keep``: line numbers of the essay headings found by the
    splitter — never chrome; they anchor the context as text, and a line
    found under two or more of them (the same teaser after every essay) is
    furniture. A line repeated inside one essay (a poem's refrain) is not.
    ``line_model``: after the rules, let the learned line model
    (:mod:`analysis.ingest.linemodel`) add chrome — a line the rules leave
    as text, not a kept heading, whose P(chrome) reaches the stored
    threshold (kind ``model``); it never takes a verdict away. Off when
    False or when ``resources/linemodel.json`` is absent.
    """
    rules = rules or load_rules()
    keep = sorted(set(keep))
    in_essays = _essays_per_key(lines, keep, rules) if len(keep) >= 2 else {}
    part_labels = _section_labels(lines, rules)
    keep = set(keep)
    cls: list[str] = []
    out: dict[int, Verdict] = {}
    for no, line in enumerate(lines, start=1):
        norm = normalise(line)
        if not norm:
            cls.append(BLANK)
            continue
        if no in keep or len(norm) > LONG_LINE:  # a heading the splitter found; a line no rule reads as furniture
            cls.append(GOOD)
            continue
        prose = is_prose(norm, rules)
        if _text_before_cut(norm, rules, cut_above=_cut_above(lines, no)) >= 6 and not _site_note(norm, rules, prose):
            # (the site's note about the page — 温馨提示：以下为文档预览内容…下载后查看, 第3～5页为VIP内容 — cuts nothing)
            cls.append(GOOD)  # essay text the page cut off (…父母自身的觉醒……查看全文): the cleaning flags it
            continue
        hit = pattern_kind(norm, rules, prose=prose)
        if hit and hit[0] == "contact" and _closes_document(lines, no):
            hit = None  # 联系人：…，联系电话：… above the issuing body and the date: part of a notice
        if hit and hit[0] == "tags" and _after_abstract(lines, no) and not _apparatus_below(lines, no, rules):
            hit = None  # 关键词：… under a report's 摘要：…, the text going on under it: part of the paper
        if hit and hit[0] == "other" and (_PART_LABEL_RE.match(norm) or no in part_labels):
            hit = None  # 【案由】, 【建议】: a proposal's own parts, not a column's label (【工作动态】)
        if hit:
            out[no] = Verdict(no, hit[0], f"pattern: {hit[1]}")
            cls.append(BAD)
            continue
        if _MAIL_QUOTE_RE.match(norm):  # (however long: a quoted mail's sentence is the earlier mail's text)
            out[no] = Verdict(no, "other", "an earlier mail quoted under a reply")
            cls.append(BAD)
            continue
        if (
            _recurrence_candidate(norm, rules, prose)
            and not (_CLOSING_RE.match(norm) and _closes_document(lines, no))
            and not _signs_letter(lines, no)
        ):
            # (an issuing body above its date signs a notice, though the site's name is the same: 县教育局 /
            # 2024年3月12日 on the pages of the office's own site)
            key = recurrence_key(norm)
            in_files = folder.get(key, 0) if folder is not None else 0
            if n_files > 1 and in_files >= rules.min_files:
                out[no] = Verdict(no, "recurring", f"in {in_files} files of the folder")
                cls.append(BAD)
                continue
            if in_essays.get(key, 0) >= rules.min_repeats:
                out[no] = Verdict(no, "recurring", f"under {in_essays[key]} essays of the file")
                cls.append(BAD)
                continue
        cls.append(
            GOOD
            if prose or _texty(norm) or _SECTION_RE.match(norm) or _CLOSING_RE.match(norm) or _cue_text(lines, no)
            else SHORT
        )
    # a teaser that ends in 查看全文>> right under furniture (a related list) is furniture;
    # the same marker after essay text is a cut, which the cleaning stage flags
    above = None  # the nearest line above that is furniture or text (short lines skipped)
    for i, c in enumerate(cls):
        if c == BAD and (v := out.get(i + 1)) is not None and v.kind == "pagination":
            continue  # (a page's number between a sentence's halves is no related list: 第 3 页 共 4 页 / …查看全文)
        if c in (GOOD, SHORT) and above == BAD and _TEASER_END_RE.search(normalise(lines[i])):
            out[i + 1] = Verdict(i + 1, "readmore", "a teaser under page furniture")
            cls[i] = c = BAD
        if c in (BAD, GOOD):
            above = c
    # an account's name (and its one-line profile) right above its follow button (乡村老师阿禾 🌾 / + 关注), or
    # above the count of those who approved the answer under them (山那边的吕老师 / 村小语文老师 / 1,842 人赞同了该回答)
    for i, line in enumerate(lines):
        v = out.get(i + 1)
        bare = v is not None and v.kind in ("control", "other") and _BARE_FOLLOW_RE.match(normalise(line))
        if v is None or not (
            v.kind == "control" and _FOLLOW_RE.match(normalise(line)) or _APPROVALS_RE.match(normalise(line)) or bare
        ):
            continue
        if bare and not _under_heading(lines, i - 1, keep):
            continue  # (a bare 关注 names its account only right under the article's title: 标题 / 南窗听雨 / 关注)
        k, taken, skipped = i - 1, 0, False
        while k >= 0 and taken < (1 if skipped else 2):
            norm = normalise(lines[k])
            if norm and (k + 1) in out and out[k + 1].kind in ("publication", "share", "control") and not taken:
                k, skipped = k - 1, True  # (the name over its post's time: 枫渡乡野笔记 / 2024-04-18 07:36 / +关注)
                continue
            if not norm or (k + 1) in out or (k + 1) in keep or len(norm) > 24 or _FINAL_END_RE.search(norm):
                break
            out[k + 1] = Verdict(k + 1, "byline", "an account's name above its follow button")
            cls[k] = BAD
            k, taken = k - 1, taken + 1
    # a class-and-name line right under an essay's title is its byline (五（2）班　杨可欣); so are, in a
    # compilation, the unit, the speaker and the date under each piece's title (青石岭镇中心小学　邓国华,
    # 副县长　覃文华, （2023年10月26日）)
    for no in keep:
        below = [k for k in range(no + 1, min(len(lines), no + 4) + 1) if lines[k - 1].strip()][:2]
        for k, nxt in enumerate(below):
            norm = normalise(lines[nxt - 1])
            if nxt in out:
                continue
            if (
                is_pupil_byline(norm)
                or (k == 0 and is_bare_name(norm))
                or (
                    (k == 0 or (below[0] in out and out[below[0]].kind == "byline"))
                    and (_UNIT_OR_SPEAKER_RE.match(norm) or _DATE_IN_PARENS_RE.match(norm))
                )
            ):
                out[nxt] = Verdict(nxt, "byline", "a class, unit, speaker or date under the essay's title")
                cls[nxt - 1] = BAD
            else:
                break
    # a printed page's running head: a heading or a repeated line right by a page number (第 2 页 共 6 页)
    titles = {normalise(lines[no - 1]) for no in keep}
    repeated = Counter(normalise(x) for x in lines if x.strip())
    for i, line in enumerate(lines):
        norm = normalise(line)
        if not norm or (i + 1) in out or (i + 1) in keep or len(norm) > 40:
            continue
        if norm not in titles and repeated[norm] < 2:
            continue
        if _CLOSING_RE.match(norm) and repeated[norm] < 3:
            continue  # two speeches given the same day end in the same date: a signature, not a running head
        if norm not in titles and GOOD not in cls[:i]:
            continue  # the first of the repeated lines, above all text: the document's own title (its first page)
        near = [k for k in range(max(1, i - 1), min(len(lines), i + 3) + 1) if k != i + 1]
        if any(
            (k in out and out[k].kind == "pagination") or _PAGE_NUMBER_RE.match(normalise(lines[k - 1])) for k in near
        ):
            out[i + 1] = Verdict(i + 1, "other", "a running head by a page number")
            cls[i] = BAD
    # an infobox's value sits on the line under its key (中文名 / 春苗守望行动)
    for i in range(1, len(lines)):
        v = out.get(i)
        norm = normalise(lines[i])
        if (
            v is not None
            and v.kind == "infobox"
            and (i + 1) not in out
            and (i + 1) not in keep
            and norm
            and len(norm) <= 30
            and not _FINAL_END_RE.search(norm)
        ):
            out[i + 1] = Verdict(i + 1, "other", "the value of an infobox key")
            cls[i] = BAD
    # the numbered titles listed under a related-articles header (1.留守儿童作文300字 …)
    in_list = False
    for i, line in enumerate(lines):
        v = out.get(i + 1)
        norm = normalise(line)
        if v is not None and (
            v.kind in ("related", "readmore")
            and (norm.endswith((":", "：")) or len(norm) <= 6 or _LISTED_TITLES_RE.search(norm))
            or _MARKED_RELATED_HEADER_RE.match(norm)
        ):
            # (往期推荐, 相关阅读 alone on a line head a list too; so does ▼往期推荐 behind its mark)
            in_list = True
            continue
        if not norm or (i + 1) in keep:
            in_list = False
            continue
        if in_list and v is not None:
            continue  # an item other furniture patterns name (1. 关爱留守儿童活动总结（精选12篇）): the list goes on
        if (
            in_list
            and (i + 1) not in out
            and not norm.endswith((":", "：", "，", ","))  # (从那以后，我定了三条规矩：: the text goes on)
            and (
                len(norm) <= 40
                and not _FINAL_END_RE.search(norm.rstrip("？?"))
                or _BULLET_ITEM_RE.match(norm)
                and len(norm) <= 80
                or _TEASER_ITEM_RE.match(norm)
            )
        ) or (
            # (a teaser that quotes its article's first sentence, in a short list closed by more furniture:
            # 猜你喜欢 / 支教回来半年了，我还是会梦见…。 / 留守儿童心理健康教育的五个误区 / 类似文章　更多)
            in_list and (i + 1) not in out and _closed_teasers(lines, i, out, keep)
        ):  # (a bulleted item may quote its article's first words: · 留守儿童的心声400字：我多想……)
            out[i + 1] = Verdict(i + 1, "related", "listed under a related-articles header")
            cls[i] = BAD
        else:
            in_list = False
    # a comment or preface broken over lines (a PDF's wrapped text) goes on until a blank line; so do the
    # sentences under a label alone on its line (【点评】)
    labelled = False
    for i in range(1, len(lines)):
        prev = out.get(i)
        if prev is not None and prev.kind == "commentary" and _COMMENT_LABEL_RE.match(normalise(lines[i - 1])):
            labelled = True
        elif cls[i - 1] == BLANK or (i in keep):
            labelled = False
        if (
            prev is not None
            and prev.kind in ("commentary", "blurb")
            and (i + 1) not in out
            and (i + 1) not in keep
            and cls[i] != BLANK
            and (labelled or not _ends_whole(normalise(lines[i - 1])) and not lines[i].startswith(("\u3000", "  ")))
        ):
            out[i + 1] = Verdict(i + 1, prev.kind, "continues the line above")
            cls[i] = BAD
    # a comment section (网友评论, 写留言 …) runs to the next essay heading or the end of the file
    in_comments = False
    answers = False  # a section of answers opened (其他回答（3）): each answer's piece ends at its own bar
    text_since_heading = 0  # CJK characters of text since the last essay heading
    text_above = 0  # … and since the top of the file
    under_heading = False  # an essay heading above (a sidebar's 评论 link comes before any)
    for i, line in enumerate(lines):
        no = i + 1
        if no in keep:
            in_comments = False
            text_since_heading = 0
            under_heading = True
            continue
        norm = normalise(line)
        if in_comments and _POST_HEADER_RE.search(norm) and _OP_RE.search(norm):
            in_comments = False  # the thread starter's next floor (3楼　name　楼主): content, the posts decide below
        if cls[i] in (GOOD, SHORT) and no not in out:  # (a poem's short lines are text)
            text_since_heading += n_cjk(norm)
            text_above += n_cjk(norm)
        # a comment's author-and-time line opens the comments only after an essay's text
        # (before it, such a line is the essay's own publication line); a short poem's text is
        # enough when the page holds more text above it
        header = _COMMENT_HEADER_RE.match(norm) or _AFTERWORD_RE.match(norm)
        after_text = text_since_heading >= 100 or (
            under_heading and text_since_heading >= 20 and (header or text_above >= 150)
        )
        # a forum floor's line (来自Android客户端 1楼 2024-03-09 21:47) ends a post; the posts decide below
        if (
            answers
            and not in_comments
            and (v := out.get(no)) is not None
            and v.kind in ("control", "share")
            and text_since_heading >= 20
        ):
            # (a further answer's piece under its answerer ends at its vote bar (赞 41　踩 0　评论): the replies and
            # ads under it are the section's, as before the piece)
            in_comments = True
            continue
        if (header or _COMMENT_META_RE.match(norm)) and after_text and not _FLOOR_RE.search(norm):
            in_comments = True
            answers = answers or bool(_ANSWERS_HEADER_RE.match(norm))
            if no not in out:
                out[no] = Verdict(no, "comment", "a comment section's header")
            cls[i] = BAD
            continue
        if header and no not in out:  # a sidebar's 写留言 before the text: furniture, no comment section
            out[no] = Verdict(no, "comment", "a comment link")
            cls[i] = BAD
            continue
        if in_comments and cls[i] != BLANK and no not in out and not _SECTION_RE.match(norm):
            out[no] = Verdict(no, "comment", "in the comment section")
            cls[i] = BAD
    # readers' comments (清风徐来：看哭了…) right above a 查看全部64条评论 link, without a header of their own
    for i, line in enumerate(lines):
        if not _ALL_COMMENTS_RE.match(normalise(line)):
            continue
        k = i - 1
        while k >= 0 and (k + 1) not in keep:
            norm = normalise(lines[k])
            if not norm or not ((k + 1) in out or (len(norm) <= 160 and _READER_COMMENT_RE.match(norm))):
                break
            if (k + 1) not in out:
                out[k + 1] = Verdict(k + 1, "comment", "a reader's comment above the link to all comments")
                cls[k] = BAD
            k -= 1
    # a Q&A page's description of its question: the text between the question and its counts (…是什么样的？ /
    # 最近看了一部纪录片，…想听听一线老师的经历。 / 关注者 2,317　被浏览 1,486,092)
    for i, line in enumerate(lines):
        if (i + 1) not in out or not _QUESTION_COUNTS_RE.search(normalise(line)):
            continue
        above = [k for k in range(i - 1, max(-1, i - 4), -1) if lines[k].strip()]
        for n, k in enumerate(above[1:], start=1):
            if normalise(lines[k]).endswith(("?", "？")):  # the question (maybe the page's title): the lines
                for d in above[:n]:  # under it describe it
                    if (d + 1) not in out and (d + 1) not in keep:
                        out[d + 1] = Verdict(d + 1, "blurb", "a question's description above its counts")
                        cls[d] = BAD
                break
            if (k + 1) in out or (k + 1) in keep:
                break
    # … and right under the bar that counts them (赞好 26 | 分享 | 回应 3 / Winnie Ho：多谢分享。), up to a blank line
    for i, line in enumerate(lines):
        v = out.get(i + 1)
        if v is None or v.kind not in ("control", "share") or not _COMMENT_COUNT_RE.search(normalise(line)):
            continue
        for k in range(i + 1, len(lines)):
            norm = normalise(lines[k])
            if not norm or (k + 1) in keep or not ((k + 1) in out or _COUNTED_COMMENT_RE.match(norm)):
                break
            if (k + 1) not in out:
                out[k + 1] = Verdict(k + 1, "comment", "a reader's comment under the bar that counts them")
                cls[k] = BAD
    # forum replies: a post (from one "N#  user  发表于 …" line to the next) that holds no essay
    # heading is a reply, except the thread's first post (its body may be the essay itself)
    posts = [i for i, line in enumerate(lines) if _POST_HEADER_RE.search(normalise(line))]
    footers = [i for i, line in enumerate(lines) if _POST_FOOTER_RE.search(normalise(line))]
    named = _named_floors(lines, footers)
    op = None
    if len(named) >= 2 and len(named) >= 0.6 * len(footers):
        # a thread whose posts open with the poster's name over the floor line (晚风里的石头　Lv.9 /
        # 1楼　2023-09-14 22:07): a post runs from one name to the next
        posts = sorted(named)
        bounds = posts[1:] + [len(lines)]
        op = (named[posts[0]], posts[0])
    elif len(footers) >= 2 and len(footers) >= len(posts):
        # a thread whose posts end in their floor line (author, text, 来自…客户端 3楼 date): a post runs
        # from after one floor line to the next
        posts = [0] + [i + 1 for i in footers[:-1]]
        bounds = [i + 1 for i in footers]
    else:
        bounds = posts[1:] + [len(lines)]
    if op is None:
        op = _thread_starter(lines, posts[0], bounds[0]) if posts else None
    for k, start in enumerate(posts[1:], start=1):
        end = bounds[k]
        above = next((i for i in range(start - 1, -1, -1) if lines[i].strip()), None)
        if above is not None and (above + 1) in keep:
            continue  # a blog post's "发表于…" line right under its title: the post is that essay
        if (
            any((i + 1) in keep for i in range(start, end))
            or any(_OP_RE.search(normalise(lines[i])) for i in range(start, min(end, start + 4)))
            or any(_OP_BADGE_RE.match(normalise(lines[i])) for i in range(start, end))
        ):  # (the thread starter's floor under the replies to the floor above: 风吹麦浪　楼主 / …text… / 2楼 …)
            continue
        header = _HEADER_AUTHOR_RE.match(normalise(lines[start]))
        said = [i for i in range(start + 1, end) if cls[i] != BLANK and (i + 1) not in out]
        if (
            op is not None
            and header
            and header.group(1) == op[0]
            and not (len(said) == 1 and n_cjk(normalise(lines[said[0]])) < 30)
        ):
            continue  # the thread starter's next post (4#　楼主的名字　发表于 …): content; one short line is a reply
        if op is not None and (author := named.get(start) or _post_author(lines, start, end, skip=out)) == op[0]:
            # the thread starter goes on writing (接着写 …): content, not a reply; the name is furniture
            at = author_line = (
                start if start in named else next(i for i in range(start, end) if normalise(lines[i]) == author)
            )
            if (at + 1) not in out:
                out[at + 1] = Verdict(at + 1, "forum", "the thread starter's name over a post")
                cls[author_line] = BAD
            continue
        if sum(n_cjk(normalise(lines[i])) for i in range(start + 1, end) if cls[i] == GOOD) >= 200:
            continue  # a long post is content (the next chapter of a story), not a reply
        for i in range(start, end):
            if cls[i] != BLANK and (i + 1) not in out and not _SECTION_RE.match(normalise(lines[i])):
                out[i + 1] = Verdict(i + 1, "comment", "a forum reply (a post without an essay heading)")
                cls[i] = BAD
    # a chat export's messages by other members than the one who posted the essay (19:38　赵一鸣爸爸 / 孩子真懂事…):
    # from the first of them to the next essay heading, comments
    for no, kind, why in _chat_replies(lines, keep):
        if no not in out:
            out[no] = Verdict(no, kind, why)
            cls[no - 1] = BAD
    # context: a short line between furniture (or the file's edge) is furniture
    n = len(cls)
    nearest_above: list[str] = []
    last = "edge"
    for c in cls:
        nearest_above.append(last)
        if c in (BAD, GOOD):
            last = c
    nearest_below = [""] * n
    last = "edge"
    for i in range(n - 1, -1, -1):
        nearest_below[i] = last
        if cls[i] in (BAD, GOOD):
            last = cls[i]
    # a section title the page's contents listed (1 项目背景 … 项目背景) is the essay's own heading
    listed = {m.group(1) for line in lines if (m := _TOC_ENTRY_RE.match(normalise(line)))}
    for i, line in enumerate(lines):
        if listed and cls[i] == SHORT and normalise(line) in listed and (i + 1) not in out:
            cls[i] = GOOD
    verse = _verse_runs(lines, cls, rules) | _short_pieces(cls, keep)
    for i, c in enumerate(cls):
        if c != SHORT or i in verse:
            continue
        norm = normalise(lines[i])
        if _FINAL_END_RE.search(norm) and n_cjk(norm) >= 4:
            continue  # the end of a sentence a page break cut off (我去看你爸爸。”): text
        if norm.endswith(("，", ",", "、", "；", ";")) and n_cjk(norm) >= 6:
            continue  # a clause that goes on (每一次他们回来，我都很开心，): text
        if _wrapped_into_sentence_end(lines, cls, i, norm):
            continue  # a long clause the next line ends (…让每一名孩子都能 / 感受到温暖。): text
        if n_cjk(norm) >= 8 and _marked_by_note_below(lines, i):
            continue  # a pupil's sentence that a marking app's note right under it marks (…湿透了 / 【错别字】…): text
        above, below = nearest_above[i], nearest_below[i]
        if above in (BAD, "edge") and below in (BAD, "edge") and not (above == below == "edge"):
            out[i + 1] = Verdict(i + 1, "context", "short line between page furniture")
        elif above == BAD and (i + 2) in keep and _LABEL_RE.match(norm):
            # a page's label right over an essay's title, furniture above it (捐赠说明：… / 项目进展 /
            # 第3次进展：…; 查看更早的进展 / 受助孩子来信 / 给捐款叔叔阿姨的一封信): a tab's or a section's label
            out[i + 1] = Verdict(i + 1, "context", "a label between page furniture and an essay's title")
    if line_model:  # the learned model adds furniture the rules missed, never takes any away
        from analysis.ingest import linemodel

        kinds = {no: v.kind for no, v in out.items()}
        for no, p in sorted(linemodel.add_chrome(lines, kinds, keep, folder=folder, n_files=n_files).items()):
            out[no] = Verdict(no, linemodel.KIND, f"line model p={int(p * 1000) / 1000:.3f}")
    return out


# a label alone in brackets (【教学目标】, 【孩子们长大了】)
def _cue_text(lines: list[str], no: int) -> bool:
    """Is line ``no`` a subtitle cue's text: right under its timing (00:00:20,600 --> 00:00:22,800 /
    （奶奶）年年都这么说。), short as it may be?"""
    above = next((k for k in range(no - 1, 0, -1) if lines[k - 1].strip()), None)
    return above is not None and bool(_CUE_TIMING_RE.match(normalise(lines[above - 1])))


# a chat export's sender line: the time and the member's name (19:32　陈老师（班主任）, 07:06 刘思琪妈妈)
_CHAT_SENDER_RE = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?\s+(?P<name>[^\s，。！？,.!?：:]{2,16})$")


def _chat_replies(lines: list[str], keep: set[int]) -> list[tuple[int, str, str]]:
    """(line, kind, evidence) of a chat export's furniture around the essays posted in it: every sender line
    (forum), and, under an essay's heading, the messages from the first one another member sent up to the next
    heading (comment). The poster's own later messages before that go on with the essay (a 周记 posted in
    several messages). Three or more sender lines make a chat; fewer, nothing."""
    senders = {
        no: m.group("name") for no, line in enumerate(lines, start=1) if (m := _CHAT_SENDER_RE.match(normalise(line)))
    }
    if len(senders) < 3:
        return []
    out = []
    poster, others = None, False
    for no, line in enumerate(lines, start=1):
        if no in keep:
            above = [k for k in range(no - 1, max(0, no - 4), -1) if lines[k - 1].strip()][:1]
            poster, others = (senders.get(above[0]) if above else None), False
            continue
        if no in senders:
            if poster is not None and senders[no] != poster:
                others = True
            out.append((no, "forum", "a chat message's sender and time"))
        elif others and line.strip():
            out.append((no, "comment", "a chat message by another member than the essay's poster"))
    return out


_BRACKET_LABEL_RE = re.compile(r"^【[^【】。！？]{2,12}】$")


def _body_line(norm: str) -> bool:
    """Does a normalised line read as a text's body: a sentence, a clause that goes on, or a list's item?"""
    return bool(_FINAL_END_RE.search(norm) and n_cjk(norm) >= 4 or _SECTION_RE.match(norm) or _texty(norm))


def _section_labels(lines: list[str], rules: ChromeRules) -> set[int]:
    """Line numbers of labels alone in brackets that part a text (【教学重难点】, 【孩子们长大了】), not a
    column's label (【工作动态】 over a title): the nearest line above ends a sentence of text (CJK, no page
    furniture) and the next line below reads as the body (a sentence or a list's item). Where two or more
    labels of the file are so placed, the file's other labels with text on one side are its parts too
    (【教学目标】 under the byline, over 1．学会…; 【板书设计】 under text, over its one-line board plan)."""

    def text_at(k: int | None) -> bool:
        if k is None:
            return False
        norm = normalise(lines[k - 1])
        return _body_line(norm) and not pattern_kind(norm, rules) and not _BRACKET_LABEL_RE.match(norm)

    labels = [no for no, line in enumerate(lines, start=1) if _BRACKET_LABEL_RE.match(normalise(line))]
    sides = {}
    for no in labels:
        above = next((k for k in range(no - 1, 0, -1) if lines[k - 1].strip()), None)
        below = next((k for k in range(no + 1, len(lines) + 1) if lines[k - 1].strip()), None)
        up = above is not None and text_at(above) and bool(_FINAL_END_RE.search(normalise(lines[above - 1])))
        sides[no] = (up, text_at(below))
    placed = {no for no, (up, down) in sides.items() if up and down}
    if len(placed) >= 2:
        placed |= {no for no, (up, down) in sides.items() if up or down}
    return placed


# a label of a few characters and no mark (项目进展, 受助孩子来信)
_LABEL_RE = re.compile(r"^[\u4e00-\u9fff]{2,8}$")


def _closed_teasers(lines: list[str], i: int, out: dict, keep: set[int], *, most: int = 3) -> bool:
    """Do the lines from 0-based ``i`` on, under a related list's header, form a short list of teasers
    closed by furniture: at most ``most`` lines of at most 80 characters, no blank line or heading among
    them, right above a line already found to be furniture?"""
    for k in range(i, min(len(lines), i + most + 1)):
        norm = normalise(lines[k])
        if (k + 1) in out:
            return k > i
        if not norm or (k + 1) in keep or len(norm) > 80 or k == i + most:
            return False
    return False


def _short_pieces(cls: list[str], keep: set[int]) -> set[int]:
    """Indexes of the short lines right under an essay heading (its byline
    aside) when no longer line of text follows before the next heading: a
    short poem's lines (等 / 我数过了 / 门前的桃花开了三次), its text."""
    out: set[int] = set()
    for no in keep:
        i = no  # the line under the heading (0-based)
        while i < len(cls) and cls[i] in (BAD, BLANK) and (i + 1) not in keep:
            i += 1  # its byline
        run = []
        while i < len(cls) and cls[i] in (SHORT, BLANK) and (i + 1) not in keep:
            if cls[i] == SHORT:
                run.append(i)
            i += 1
        nxt = min((k for k in keep if k > no), default=len(cls) + 1)
        if not any(cls[k] == GOOD for k in range(i, nxt - 1)):
            out.update(run)  # (a longer line before the next heading: the usual rules decide)
    return out


_VERSE_CHARS = frozenset("我你他她它们的了着过在是有把被给让就都也还又不没很")


def _verse_runs(lines: list[str], cls: list[str], rules: ChromeRules, min_lines: int = 5) -> set[int]:
    """Indexes of lines in runs of at least ``min_lines`` short lines that read
    as verse (a poem: pronouns and particles in most lines), which the context
    rule leaves alone; a list of link titles reads otherwise."""
    out: set[int] = set()
    run: list[int] = []
    for i, c in enumerate(cls + [GOOD]):
        if i < len(cls) and c in (SHORT, BLANK):
            if c == SHORT:
                run.append(i)
            continue
        if len(run) >= min_lines:
            texty = sum(1 for k in run if _VERSE_CHARS & set(normalise(lines[k])))
            if texty >= 0.6 * len(run):
                out.update(run)
        run = []
    return out


_FINAL_END_RE = re.compile(r"([。！？!?]|(?<=[\u4e00-\u9fff])\.)\s*[”’」』)）]?\s*$")
_DATE_ONLY_RE = re.compile(
    r"^((\d{2,4}|XX)\s*[年./-]\s*)?\d{1,2}\s*[月./-]\s*(\d{1,2}\s*[日号]?)?[\s|]*((星期|礼拜|周)[一二三四五六日天])?"
    r"[\s|]*(\|?\s*(晴|阴|雨|阵雨|多云|小雨|中雨|大雨|雷阵雨|雪|小雪|大雪|晴转多云|多云转晴|阴转晴|雾|风)\S{0,4})?$"
)
# a section heading inside an essay: 一、 （二） 3. ①
_SECTION_RE = re.compile(
    r"^([一二三四五六七八九十]{1,3}[、.]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[、.．](?!\d)|[①-⑳]|第[一二三四五六七八九十\d]{1,3}[，,、部分章节条点])"
)
_COMMENT_HEADER_RE = re.compile(
    r"^[\[【]?\s*(网友评论|网友留言|读者留言|读者评论|发表评论|我要评论|最新评论|热门评论|全部评论|评论区|精选留言|留言精选|评论精选|精选评论|写留言|留言|留言区|回应|全部回应|"
    r"评论|相关评论|用户评论|评论列表|其他回答|更多回答|全部回答|其他答案)\s*[\]】]?\s*([(（]?\s*\d+\s*(条)?\s*[)）]?)?\s*[:：]?(\s*\|.{0,30})?"
    r"(\s*[\[【(]?\s*(发评论|发表评论|我要评论|写评论|写留言)\s*[\]】)]?)?$"
    # the comments' tabs by sort order (热门跟贴　｜　最新跟贴, 最热评论 | 最新评论)
    r"|^(热门|最新|最热|全部|精彩)(跟贴|跟帖|评论|回复|留言)(\s*\|\s*(热门|最新|最热|全部|精彩)(跟贴|跟帖|评论|回复|留言))+$"
    # an answer's bar of votes and its comments' count among its buttons (▲ 赞同 1,206 ▼ | 💬 137 条评论 | 分享 | 收藏)
    r"|^[▲△]?\s*(赞同|赞|点赞)\s*[\d,.万]+\s*[▼▽]?\s*\|\s*💬?\s*[\d,.万]+\s*条评论(\s*\|\s*(分享|收藏|喜欢|举报|感谢|没有帮助)){0,5}$"
    # a count and a sort order (14 条评论  默认  最新)
    r"|^共?\s*[\d,]+\s*条(评论|回复|留言)(\s*[|·]?\s*(默认|最新|最热|按时间|按热度))*$"
    # the count and the comment box's prompt (共 86 条评论　　说点什么...), a comment button with its count
    # before the likes (我要留言（12）　　点赞 386)
    r"|^共?\s*[\d,.万]+\s*条(评论|回复|留言)\s*\|?\s*(说点什么|说说你的看法|写下你的评论|发表你的看法|写评论|留下你的想法)\S{0,6}$"
    r"|^(我要留言|我要评论|发表评论|写留言|留言|评论)\s*\(\s*[\d,]+\s*\)\s*\|?\s*(点赞|赞|喜欢)\s*[\d,]+$"
    # a comment section's header with its count and sort order (评论区（1568）　按热度 | 按时间)
    r"|^[\[【]?\s*(评论区|全部评论|评论|留言|网友评论|读者留言)\s*\(?\s*[\d,]*\s*\)?(\s*\|?\s*(按热度|按时间|最新|最热|默认|热门))+$"
    # readers' views with their count (观点（32）)
    r"|^(观点|读者观点|网友观点|讨论|网友讨论|讨论区|留言板)\s*[(（]\s*\d+\s*[)）]"
    r"(\s*\|\s*(我也说两句|我来说两句|我要说|参与讨论|发表看法|写评论|我要评论))?$"
    # a like bar ending in the comments' count (👍 赞（219）　💬 留言（12）)
    r"|^([^\w\s|]{0,2}\s*(赞|点赞|喜欢|在看)\s*\(\s*[\d,]+\s*\)\s*\|?\s*)+[^\w\s|]{0,2}\s*(留言|评论)\s*\(\s*[\d,]+\s*\)$"
    # … its counts bare, a tip button first (♥ 赞赏作者　　👍 赞 318　　💬 评论 46)
    r"|^([^\w\s|]{0,2}\s*(赞赏作者|赞赏|赞|点赞|喜欢|在看)\s*[\d,]*\s*\|?\s*)+[^\w\s|]{0,2}\s*(留言|评论)\s*[\d,]+$"
    # a serial's comments on the chapter with their count (本章说（128）)
    r"|^(本章说|章评|段评|书评)\s*[(（]\s*\d+\s*[)）]$"
    # whose comments or ratings, with their count (同学评论（2）, 活动评价（9）), or a video's 弹幕 list (弹幕列表（4217）)
    r"|^[\u4e00-\u9fff]{2,4}(评论|评价|点评)\s*[(（]\s*[\d,]+\s*[)）]$|^弹幕(列表)?\s*[(（]\s*[\d,]+\s*[)）]$"
)
# a Q&A page's header over the answers after the chosen one (其他回答（3）, 更多回答)
_ANSWERS_HEADER_RE = re.compile(r"^[\[【]?\s*(其他回答|更多回答|全部回答|其他答案)")
# an earlier mail quoted under a reply: its lines marked with > (after normalising ＞), and the line
# that introduces it, with the earlier mail's date and time (在 2023年11月12日 22:06，江小鱼 写道：, On … wrote:);
# a diary quoted in an essay has no clock time (在2019年的日记里，我写道：)
_MAIL_QUOTE_RE = re.compile(
    r"^>+(\s|$)|^(在|于)\s*\d{4}\s*[年/.-].{0,40}\d{1,2}:\d{2}.{0,40}写道\s*[:：]$|^On\s.{4,80}\d{1,2}:\d{2}.{0,60}\swrote:$"
)
# a comment's author and time (新浪网友  2014-11-09 08:12:40  [举报]), a reply from an office (回复机构：…)
# a marking app's note on the sentence right above it (【好句】…, 【修改建议】…, 【错别字】…)
_SENTENCE_NOTE_RE = re.compile(
    r"^[\[【]\s*(好句|佳句|妙句|美句|亮点|修改建议|修改意见|建议|错别字|病句|错字|标点|旁批|批注)\s*\d{0,2}\s*[\]】]\s*\S"
)


def _marked_by_note_below(lines: list[str], i: int) -> bool:
    """The next non-blank line after line index ``i`` is a marking app's note on a sentence (【错别字】…)."""
    j = next((k for k in range(i + 1, len(lines)) if lines[k].strip()), None)
    return j is not None and bool(_SENTENCE_NOTE_RE.match(normalise(lines[j])))


_BYLINE_UNDER_TITLE_RE = re.compile(
    r"^[(]?\s*(\S{2,24}?(小学|中学|学校|中心校|完小|村小|附小|附中|一中|二中|三中|教学点)\s*\|?\s*)?"
    r"([一二三四五六七八九]年级\s*(\(?\d{1,2}\)?\s*班|[一二三四五六七八九十]{1,2}班)?|[初高][一二三](\s*\(?\d{1,2}\)?\s*班)?"
    r"|[一二三四五六七八九]\s*\(\s*\d{1,2}\s*\)\s*班?|\d{1,2}\s*班)\s*\|?\s*[\u4e00-\u9fff·](\s?[\u4e00-\u9fff·]){1,3}"
    r"(\s*\|?\s*(指导|辅导|推荐)(老师|教师)\s*[:：]?\s*[\u4e00-\u9fff](\s?[\u4e00-\u9fff]){1,3})?"  # (or 推荐老师：…)
    r"(\s*\([^()]{1,24}\))?\s*[)]?$"  # (向豆豆（口述，老师帮助整理）: a note on how it was written)
)
_TOC_ENTRY_RE = re.compile(r"^(?:\d{1,2}\s+|[▪•]\s*)([\u4e00-\u9fff]{2,10})$")


def _wrapped_into_sentence_end(lines: list[str], cls: list[str], i: int, norm: str) -> bool:
    """A long line of clauses that stops mid-sentence (下一步，某镇将…，让每一名孩子都能) and the short line right
    under it ends that sentence (感受到温暖。): one sentence broken at a width, text however the lines around run."""
    if n_cjk(norm) < 16 or not re.search(r"[,，]", norm) or _FINAL_END_RE.search(norm):
        return False
    if i + 1 >= len(lines) or cls[i + 1] != SHORT:
        return False
    below = normalise(lines[i + 1])
    return bool(_FINAL_END_RE.search(below)) and 4 <= n_cjk(below) <= 20 and not re.search(r"[,，:：]", below)


_AFTERWORD_RE = re.compile(r"^(编后记|后[\s|]*记|跋|编者后记)\s*[:：]?$")
_COMMENT_META_RE = re.compile(
    r"^.{1,24}?\s*\|?\s*\d{4}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}(:\d{2})?\s*(\|?\s*(?!编辑|修改)[\u4e00-\u9fff]{2,4})?\s*(\|?\s*\[?(举报|回复|赞)\]?)?\s*$"
    r"|^(回复机构|回复单位|回复部门|答复单位|回复时间|办理状态)\s*[:：]"
    # a WeChat comment's name, place and likes (青柠  湖南  ♡ 18)
    r"|^\S{1,16}(\s*\|?\s*\S{2,8})?\s*\|?\s*[♡❤♥]\s*\d+\s*$"
)
_FLOOR_RE = re.compile(r"(?<!\d)\d{1,4}\s*楼(?!\S*[房层])|#\s*\d{1,4}\b|楼主")
_POST_FOOTER_RE = re.compile(r"(?<!\d)\d{1,4}\s*楼\s*\|?\s*\d{4}-\d{1,2}-\d{1,2}|来自\S{0,12}客户端.{0,8}\d{1,4}\s*楼")
# the thread starter's name with the 楼主 badge beside it, alone on the post's name line (风吹麦浪0817　楼主)
_OP_BADGE_RE = re.compile(r"^[^\s:：，。！？,.!?|]{2,16}\s*\|?\s*楼主$")
# the thread starter's post: its text is content (楼主 alone, or the badge in brackets after the name on the floor
# line: 5楼　山风（楼主）　2024-03-01 20:15)
_OP_RE = re.compile(r"^楼主(\s|$)|\|\s*楼主(\s|$)|^\d{1,4}\s*楼\s+[^\s()]{1,16}\s*[(\[]\s*楼主\s*[)\]](\s|$)")


def _thread_starter(lines: list[str], start: int, end: int) -> tuple[str, int] | None:
    """(name, 0-based line) of the first post's author: the line over its 楼主 badge, else the
    post's first line when it reads as a user name."""
    for i in range(start, min(end, start + 3)):
        m = _HEADER_AUTHOR_RE.match(normalise(lines[i]))
        if m:  # 楼主　山脚等车的人　发表于 2025-3-2 21:14
            return m.group(1), i
    for i in range(start, end):
        if normalise(lines[i]).startswith("楼主"):
            k = i - 1
            while k >= 0 and not lines[k].strip():
                k -= 1
            norm = normalise(lines[k]) if k >= 0 else ""
            if _USER_NAME_RE.match(norm):
                return norm, k
    name = _post_author(lines, start, end)
    return (name, start) if name else None


def _post_author(lines: list[str], start: int, end: int, *, skip=()) -> str | None:
    """The first line of a forum post (0-based lines start:end; its floor line, blank lines and
    furniture ``skip``, 1-based, aside) when it reads as a user name (short, one word, no
    punctuation): the author the post opens with, else None."""
    for i in range(start, end):
        norm = normalise(lines[i])
        if not norm or (i + 1) in skip or _FOOTER_LIKE_RE.search(norm):
            continue
        return norm if _USER_NAME_RE.match(norm) else None
    return None


# a poster's name, with the level or badge the forum shows beside it (晚风里的石头　Lv.9)
_POSTER_RE = re.compile(
    r"^([^\s，。！？；：,.!?;:|]{2,16})(\s*\|?\s*(Lv\.?\s*\d{1,2}|LV\d{1,2}|\d{1,2}级|楼主|吧主|小吧主))?$"
)


def _named_floors(lines: list[str], floors: list[int]) -> dict[int, str]:
    """{0-based line of the poster's name: name} for floor lines (1楼　2023-09-14 22:07) right under a
    poster's name and over the post's text: the name opens the post."""
    out = {}
    for i in floors:
        k = i - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        m = _POSTER_RE.match(normalise(lines[k])) if k >= 0 else None
        if m and i + 1 < len(lines) and not _POST_FOOTER_RE.search(normalise(lines[i + 1])):
            out[k] = m.group(1)
    return out


_USER_NAME_RE = re.compile(r"^[^\s，。！？；：,.!?;:|]{2,16}$")
# a post's header with its author's name between the floor and the time (4#　山脚等车的人　发表于 2025-3-3 08:12)
_HEADER_AUTHOR_RE = re.compile(
    r"^(?:楼主|\d{1,4}\s*#|#\s*\d{1,4}|\d{1,4}\s*楼|沙发|板凳|地板)\s*\|?\s*([^\s|]{2,16})\s*\|?\s*(?:发表于|发表在|回复于)"
)
_FOOTER_LIKE_RE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,4}\s*楼")
_POST_HEADER_RE = re.compile(r"^(\d+\s*#|#\s*\d+|\d+\s*楼|楼主)\s|^.{0,40}(发表于|发表在|回复于)\s*\d{4}")


def _site_note(norm: str, rules: ChromeRules, prose: bool) -> bool:
    """Is the line the site's note about the page (a reading tip, a preview's skipped pages)?"""
    hit = pattern_kind(norm, rules, prose=prose)
    return bool(hit) and hit[0] in ("guidance", "pagination")


# a commentary's label alone on its line (【点评】, 老师评语：)
# a line of commentary or blurb that ends whole: a sentence, a teaser's ellipsis (……), a post's topics (#支教#)
# (normalised, a full-width ！ or ？ is ! or ?: 【批注①】…细节写出了盼望之切，好！)
_WHOLE_END_RE = re.compile(r"([。！？”]|(?<=[\u4e00-\u9fff”])[!?]|\.{3}|#[^#\s]{1,16}#)$")


# a note wholly in brackets, closed on its own line ((以下为孩子手写信的照片内容，由工作人员整理录入))
_BRACKETED_LINE_RE = re.compile(r"^\((?:[^()]|\([^()]*\))*\)$|^【[^【】]*】$|^\[[^\[\]]*\]$")


def _ends_whole(norm: str) -> bool:
    """Whether a normalised commentary or blurb line ends whole (the next line is not its continuation):
    it ends a sentence, or it is a note wholly in brackets."""
    return bool(_WHOLE_END_RE.search(norm) or _BRACKETED_LINE_RE.match(norm))


_COMMENT_LABEL_RE = re.compile(r"^[\[【(]?\s*\S{0,4}(点评|评语|简评|评析|赏析|的话|寄语)\s*[\]】)]?\s*[:：]?$")
# the count of readers who approved an answer, over it (1,842 人赞同了该回答)
_APPROVALS_RE = re.compile(r"^[\d,.]+\s*[万wW]?\s*人赞同了(该|这个|此)?回答$")
# a follow button (+ 关注, ＋关注他)
# … without its plus sign (关注, 关注作者)
_BARE_FOLLOW_RE = re.compile(r"^(关注|订阅)\s*(他|她|TA|ta|作者)?$")


def _under_heading(lines: list[str], i: int, keep: set[int]) -> bool:
    """Is the 0-based line ``i`` the first non-blank line under an essay heading (``keep``)?"""
    k = i - 1
    while k >= 0 and not lines[k].strip():
        k -= 1
    return k >= 0 and (k + 1) in keep and bool(lines[i].strip())


_FOLLOW_RE = re.compile(r"^[+＋]\s*(关注|订阅)\s*(他|她|TA|ta|作者|我)?$")
_BULLET_ITEM_RE = re.compile(r"^[·•▪●◆]\s*\S")
# a listed article's title and its first words, cut off by an ellipsis (…：原来陪伴比给东西更难…), no sentence
# ended before it
_TEASER_ITEM_RE = re.compile(r"^[^。！？!?]{8,100}(…|\.{3,})$")
# a related list's header behind a mark (▼往期推荐, ▍相关阅读)
# a related list's header naming its titles after the label (同类推荐：《乡村教师手记》《奶奶的菜园》), over teasers
_LISTED_TITLES_RE = re.compile(r"[:：]\s*(《[^《》]{1,30}》\s*[、,，|]?\s*){2,}$")
_MARKED_RELATED_HEADER_RE = re.compile(
    r"^[▼▽▶►▍▌■◆●↓]\s*(往期推荐|往期回顾|往期精选|推荐阅读|相关阅读|延伸阅读|相关推荐|相关文章)$"
)
_ALL_COMMENTS_RE = re.compile(r"^(查看|展开|显示)(全部|所有|更多)\s*[\d,]*\s*条?(评论|回复|留言)")
# a reader's comment: a handle (the author's own marked 作者) and a colon, then what they say
_READER_COMMENT_RE = re.compile(r"^[^\s:：，。！？“”]{1,16}(\s*[(（]作者[)）])?\s*[:：]\s*\S")
# a bar's count of the comments under it, one or more (回应 3, 评论(12), 留言 5)
_COMMENT_COUNT_RE = re.compile(
    r"(?:^|[\s|]|(?<=^本章)|(?<=^本文)|(?<=^全部)|(?<=^网友))(评论|回应|留言)\s*\(?\s*[1-9]\d*\s*\)?\s*条?(?=\s|\||$)"
)
# a Q&A page's counts under its question (关注者 2,317　被浏览 1,486,092)
_QUESTION_COUNTS_RE = re.compile(r"(关注者|被浏览)\s*[\d,]+")
# a comment under such a bar: a handle of up to four words (a reply names whom it answers) and what they say
# (Lily Chen：多谢分享。, 某某协会 回复 Lily Chen：…)
_COUNTED_COMMENT_RE = re.compile(r"^[^\s:：，。！？“”]{1,16}(\s[^\s:：，。！？“”]{1,16}){0,3}\s*[:：]\s*\S.{0,160}$")
_TEASER_END_RE = re.compile(r"(查看全文|阅读全文|阅读更多|展开全文|查看详情|继续阅读)\s*(>>|»|>|→)*\s*$")


def _recurrence_candidate(norm: str, rules: ChromeRules, prose: bool | None = None) -> bool:
    """A line that may be furniture if it recurs: short, not prose, not a
    date, not a section heading (一、基本情况 opens many reports), not a
    salutation (妈妈：, 尊敬的各位领导： open many letters and speeches) and
    not ending a sentence (谢谢大家！ closes many speeches)."""
    if (
        len(norm) > rules.recur_max_chars
        or _DATE_ONLY_RE.match(norm)
        or _FINAL_END_RE.search(norm)
        or _SECTION_RE.match(norm)
        or is_salutation(norm)
        or _LETTER_FORMULA_RE.match(norm)
    ):
        return False
    return not (is_prose(norm, rules) if prose is None else prose)


# lines that close a letter or an official document: its date, the issuing body, 此件公开
_CLOSING_RE = re.compile(
    r"^((\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,2}\s*月(\s*[\d一二三四五六七八九十]{1,3}\s*日)?"
    r"|[(（]\s*此件(主动|不予|依申请)?公开\s*[)）]"
    r"|[\u4e00-\u9fff]{2,20}(局|厅|委员会|委|政府|办公室|办|学校|小学|中学|中心|学院|大学|幼儿园|协会|联合会|工会|理事会|组委会|办事处|基金会|妇联|团委|关工委|社区|村委会|居委会))$"
)


_ABSTRACT_RE = re.compile(r"^[\[【]?\s*(内容)?(摘\s*要|提\s*要|Abstract)\s*[\]】]?\s*[:：]", re.I)


def _after_abstract(lines: list[str], no: int) -> bool:
    """Whether an abstract (摘要：…, wrapped over several lines maybe) opens within the seven lines
    above line ``no``."""
    for k in range(no - 1, max(0, no - 8), -1):
        norm = normalise(lines[k - 1])
        if norm and _ABSTRACT_RE.match(norm):
            return True
    return False


def _apparatus_below(lines: list[str], no: int, rules: ChromeRules, reach: int = 3) -> bool:
    """Is furniture among the ``reach`` text lines under line ``no`` (lines without CJK characters, an
    English title, passed over)? A journal page's keywords sit among its apparatus (关键词：… / Research on
    … / 中图分类号：…), a report's among its text (关键词：… / 一、调查对象与方法)."""
    below = [k for k in range(no + 1, len(lines) + 1) if n_cjk(normalise(lines[k - 1]))][:reach]
    return any(pattern_kind(normalise(lines[k - 1]), rules) for k in below)


# a letter's signer: a name, maybe with a title or kinship word (李老师, 您的女儿小满, 王阿姨), no punctuation
_YEAR_START_RE = re.compile(r"^(\d{4}|[〇零一二三四五六七八九]{4})\s*年")
# (a name, or the writer's relation and the name: 女儿　小燕, 您的学生　李想)
_SIGNER_RE = re.compile(r"^[\u4e00-\u9fff·]{2,8}$|^[\u4e00-\u9fff]{1,5} [\u4e00-\u9fff·]{2,4}$")


def _signs_letter(lines: list[str], no: int) -> bool:
    """Is line ``no`` a letter's signature: a short name right under a line of text that ends a sentence
    and right over the letter's date (…继续问问题。 / 李老师 / 1月9日)? The same writer signs each letter of a
    collection, so the line recurs under every one, yet it is the letter's own."""
    norm = normalise(lines[no - 1])
    if not _SIGNER_RE.match(norm):
        return False
    above = next((normalise(lines[k - 1]) for k in range(no - 1, 0, -1) if lines[k - 1].strip()), "")
    below = next((normalise(lines[k - 1]) for k in range(no + 1, len(lines) + 1) if lines[k - 1].strip()), "")
    return bool(
        above
        and _FINAL_END_RE.search(above)
        and n_cjk(above) >= 6
        and bool(_DATE_ONLY_RE.match(below) or _CLOSING_RE.match(below) and _YEAR_START_RE.match(below))
    )


def _closes_document(lines: list[str], no: int) -> bool:
    """Is line ``no`` followed, before any other text, by the lines that
    close a document (the issuing body, a date)? Its attachments' names may
    come between (附件：1.报名汇总表.xlsx / 2.封面格式.docx)."""
    for k in range(no, min(len(lines), no + 6)):
        norm = normalise(lines[k])
        if not norm or _ATTACHMENT_RE.match(norm):
            continue
        return bool(_CLOSING_RE.match(norm))
    return False


# an attachment's name on a line of its own (附件：1.报名汇总表.xlsx, 2.征文作品封面格式.docx)
_ATTACHMENT_RE = re.compile(
    r"^(附件\s*[:：]?\s*)?(\d{1,2}\s*[.、．]\s*)?[^\s。！？，]{1,60}\.(docx?|xlsx?|pptx?|pdf|wps|et|zip|rar|7z)$"
)


def _essays_per_key(lines: list[str], headings: list[int], rules: ChromeRules) -> dict[str, int]:
    """Under how many essay headings (distinct essays) each short non-prose line occurs."""
    where: dict[str, set[int]] = {}
    k = 0
    for no, line in enumerate(lines, start=1):
        while k < len(headings) and headings[k] <= no:
            k += 1
        if no in headings:
            continue
        norm = normalise(line)
        if norm and _recurrence_candidate(norm, rules):
            where.setdefault(recurrence_key(norm), set()).add(k)
    return {key: len(ks) for key, ks in where.items()}


def _text_before_cut(norm: str, rules: ChromeRules, *, cut_above: bool = False) -> int:
    """CJK characters of text before a paywall or cut marker in the line (0
    if none; 0 too under a line the cut already ends, when what comes before
    the marker is furniture: 【开通会员】 【登录后免费阅读】 本文为会员专享内容)."""
    from analysis.ingest.clean import cut_marker_re

    m = cut_marker_re(None).search(norm)
    if not m or (cut_above and pattern_kind(norm[: m.start()].strip(), rules)):
        return 0
    if _PREVIEW_NOTE_RE.search(norm[: m.start()]):
        return 0  # (本文仅展示部分内容，完整版请登录后查看: the site's note on its preview, no text of the essay)
    before = norm[: m.start()]
    if n_cjk(before) >= 2 and re.search(r"(…|\.{3,})\s*$", before):
        return max(n_cjk(before), 6)  # (a short heading the preview cut off mid-way: 三、研究发现 …… （预览结束…）)
    return n_cjk(before)


# a site's note that it shows only part of the piece (本文仅展示部分内容, 以下仅显示前三页)
_PREVIEW_NOTE_RE = re.compile(
    r"^\W{0,3}(本文|本篇|此文|该文|本文档|以下|当前)?仅(展示|显示|提供|预览)(了)?(部分|前\s*\S{1,3}\s*页)"
    # (or that a part is for members only: 17～19题解析仅对VIP会员开放，开通VIP查看全部解析)
    r"|仅(对|向|限|供)\s*(VIP|SVIP|会员|付费用户)\S{0,4}(开放|可见|可看|查看)"
)


def _cut_above(lines: list[str], no: int) -> bool:
    """Does the nearest non-blank line above line ``no`` hold a cut marker?"""
    from analysis.ingest.clean import cut_marker_re

    k = next((k for k in range(no - 1, 0, -1) if lines[k - 1].strip()), None)
    return k is not None and bool(cut_marker_re(None).search(normalise(lines[k - 1])))


def _texty(norm: str) -> bool:
    """A line that is text though not long prose: a sentence with a final
    mark and several clauses, or a long line of CJK characters."""
    cjk = n_cjk(norm)
    return (cjk >= 12 and bool(SENTENCE_FINAL_RE.search(norm))) or cjk >= 40 or (cjk >= 15 and "，" in norm)


# ---------------------------------------------------------------- metadata ---
_META_RES = {
    "author": re.compile(
        r"(?:作者|撰稿|供稿|投稿人|文)\s*[:：/]\s*(?P<v>[^\s|:：/]{1,20})"
        r"|(?:记者|通讯员)\s*[:：]?\s*(?P<v2>[\u4e00-\u9fff]{2,4})"
    ),
    "source": re.compile(r"(?:来源|出处)\s*[:：]\s*(?P<v>[^\s|]{1,30})"),
    "editor": re.compile(r"(?:责任编辑|责编|编辑)\s*[:：]?\s*(?P<v>[^\s|\]】)）:：]{1,12})"),
    "guidance": re.compile(r"(?:指导老师|指导教师|辅导老师|辅导教师|指导)\s*[:：]?\s*(?P<v>[^\s|\]】)）:：]{1,12})"),
    "date": re.compile(r"(?P<v>\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)"),
}


def line_metadata(line: str) -> dict[str, str]:
    """Author, source, editor, guidance teacher and date named in a chrome
    line (``作者：佚名`` gives no author)."""
    norm = normalise(line)
    out = {}
    for field, rx in _META_RES.items():
        m = rx.search(norm)
        value = (m.group("v") or m.groupdict().get("v2") or "") if m else ""
        if value and value not in {"佚名", "匿名", "未知", "网络", "网友投稿", "admin"}:
            out[field] = value.strip("，,。")
    return out
