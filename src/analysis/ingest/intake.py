"""Plan a folder of raw captures into essays: page chrome, headings, spans.

:func:`plan_folder` reads nothing itself: it takes the decoded files
(:class:`analysis.io.RawText`) and decides, for each file,

* which lines are page chrome (:mod:`analysis.ingest.pagechrome`, with the folder's
  recurring lines as evidence),
* where essays start (:mod:`analysis.ingest.split`: built-in and user heading
  styles, numbered series, a single page's title) and which rule split it,
* each essay's span of lines, the chrome lines inside it (removed and logged
  by the cleaning stage) and the metadata those lines carry (author, date,
  source, editor, guidance teacher).

Lines outside every essay (the preamble, chrome between and after essays,
headings with no text) are logged here, one row per line, so nothing leaves
a file unaccounted for.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from analysis.ingest import pagechrome
from analysis.ingest.clean import deleted_posts, is_cut_line, missing_pages, omissions, to_simplified, truncation_flag
from analysis.ingest.split import (
    labelled_series,
    MIN_PREAMBLE_ESSAY_CHARS,
    Heading,
    bare_name_under_title,
    title_over_author,
    expected_count,
    find_headings,
    essay_above,
    find_page_title,
    marked_heading,
    prev_text_line,
    series_number,
    split_essays,
    text_chars,
)

# rules that head essays after a page's own article (the first essay may have a title no rule knows)
_LATER_ESSAY_RULES = frozenset({"title_with_salutation", "appended_title"})

# a publication line that names a piece's source, date or writer (来源：县妇联　时间：2024-05-28)
# (or a blog post's date and counts: 2023-10-09　阅读(412)　评论(3); or a news client's source, date and time)
_PIECE_SOURCE_RE = re.compile(
    r"来源|出处|发布|时间|日期|供稿|撰稿|记者|通讯员|^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}.{0,20}(阅读|评论|浏览|点击)"
    # a news client's source, date and time (观澜新闻客户端　2024-07-22 08:46); a blog post's bracketed time
    # (a name, not a reader's words ending in the comment's time, nor a forum floor's number: 3楼　2023-12-03 22:58)
    r"|^(?!\d{1,5}\s*[楼#])[^\s。！？!?，,：:；;]{2,20}\s+\d{4}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}|^[(（]\d{4}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}(:\d{2})?[)）]$"
)

# Chrome kinds that never hold an essay heading (a breadcrumb or a related
# link may end in 篇二); a collection title such as 第一篇 still may.
_HEADING_VETO_EXCEPT = {"collection_title", "other"}
# a zero-padded number and a title (01　奶奶的菜园) may be a menu's item, a
# section of an article or a magazine's essay heading (with its author's line under it)
_PADDED_NUMBER_RE = re.compile(r"^0[1-9]\s")
# a line behind a mark (□ 陈嘉颖, ◎我想对妈妈说): a byline, or a piece's title when an author's line is under it
_MARKED_LINE_RE = re.compile(r"^[□■◇◆○●◎☆★]\s*(?!文\s*/)\S")  # (▲ marks a photo's caption)
# a photo's caption behind ▲, a clause (▲ 孩子们趴在桌上认真地写, ▲ 写完以后，她在背面画了一朵花): no writer's name
_CAPTION_CLAUSE_RE = re.compile(r"^[▲△]\s*(?=\S*[\u4e00-\u9fff]{9}|.*[,，])")


def _next_nonblank(lines: list[str], no: int) -> int | None:
    return next((k for k in range(no + 1, len(lines) + 1) if lines[k - 1].strip()), None)


DOUBTFUL_SPLIT_CHARS = 5000


def _hashed_slug(relpath: str, digits: int) -> str:
    slug = _SLUG_RE.sub("_", relpath.rsplit(".", 1)[0]).strip("_")
    digest = hashlib.sha1(relpath.encode("utf-8")).hexdigest()[:digits]
    return f"{slug[:12]}_{digest}".strip("_") if slug else f"f{digest}"


def unique_slugs(relpaths: Iterable[str]) -> dict[str, str]:
    """:func:`file_slug` of each path, made unique within the folder: files
    whose slugs collide (``x.txt``, ``x.TXT`` and ``x.text``; ``a/b.txt`` and
    ``a_b.txt``) all get a slug with a hash of their whole path, extension and
    case included. The same set of paths always gives the same slugs."""
    relpaths = list(dict.fromkeys(relpaths))
    slugs = {r: file_slug(r) for r in relpaths}
    for digits in (6, 10, 16, 40):
        counts = Counter(slugs.values())
        clash = [r for r in relpaths if counts[slugs[r]] > 1]
        if not clash:
            return slugs
        for r in clash:
            slugs[r] = _hashed_slug(r, digits)
    raise AssertionError("slugs still collide with 40 hex digits of SHA-1")  # pragma: no cover


@dataclass(frozen=True)
class EssayInput:
    essay_id: str
    source_file: str
    ordinal: int
    heading: str
    heading_number: int | None
    title: str
    line_start: int
    line_end: int
    encoding: str
    raw_text: str
    split_rule: str = "none"
    chrome: tuple[tuple[int, str, str], ...] = ()  # (line, kind, evidence) inside the essay's span
    metadata: tuple[tuple[str, str], ...] = ()  # (field, value): author, date, source, editor, guidance
    lost_pages: tuple[tuple[int, str], ...] = ()  # (line, detail): the first text line after lost printed pages

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw_text.encode("utf-8")).hexdigest()

    def key_parts(self) -> tuple[str, ...]:
        """What besides the text decides this essay's tables (part of its cache key)."""
        return (self.split_rule, repr(self.chrome), repr(self.metadata), repr(self.lost_pages))


_SLUG_RE = re.compile(r"[^A-Za-z0-9_]+")


def file_slug(relpath: str) -> str:
    """Stable, filename-safe id prefix for a source file (ASCII; hash when needed)."""
    stem = relpath.rsplit(".", 1)[0]
    slug = _SLUG_RE.sub("_", stem).strip("_")
    if slug == stem and 0 < len(slug) <= 24:
        return slug
    digest = hashlib.sha1(relpath.encode("utf-8")).hexdigest()[:6]
    return f"{slug[:12]}_{digest}".strip("_") if slug else f"f{digest}"


@dataclass(frozen=True)
class FolderEvidence:
    """Recurring lines of a folder (:func:`pagechrome.folder_counts`) and its size."""

    counts: Counter
    n_files: int

    @classmethod
    def of(cls, texts: list[str], rules: pagechrome.ChromeRules | None = None) -> FolderEvidence:
        rules = rules or pagechrome.load_rules()
        return cls(pagechrome.folder_counts(pagechrome.file_keys(t.split("\n"), rules) for t in texts), len(texts))

    def key_for(self, text: str, rules: pagechrome.ChromeRules | None = None) -> str:
        """A digest of the evidence one file's plan depends on (its lines that
        recur elsewhere): a remembered plan is reused only while it is the same."""
        rules = rules or pagechrome.load_rules()
        own = pagechrome.file_keys(text.split("\n"), rules)
        shared = sorted(k for k in own if self.counts.get(k, 0) >= rules.min_files)
        return hashlib.sha256("\0".join([str(self.n_files > 1), *shared]).encode()).hexdigest()


def _log_row(relpath: str, line: int, rule: str, before: str, context: str, essay_id: str = "") -> dict:
    return {
        "source_file": relpath,
        "essay_id": essay_id,
        "paragraph_id": "",
        "line": line,
        "rule": rule,
        "offset": 0,
        "before": before,
        "after": "",
        "context": context,
    }


def _with_page_title(lines: list[str], heads: list[Heading], furniture: set[int]) -> list[Heading]:
    """``heads`` with the page's own title first when the text above the first heading (``furniture``
    aside) is an essay of its own (:func:`analysis.ingest.split.essay_above`); else ``heads`` itself."""
    if essay_above(lines, heads[0].line_no, furniture):
        no = find_page_title(lines[: heads[0].line_no - 1], skip=furniture)
        if no is not None:
            title = lines[no - 1].strip()
            return [Heading(no, title, None, title.strip("\u3000"), "page_title"), *heads]
    return heads


def plan_essays(
    raw,
    patterns,
    *,
    evidence: FolderEvidence | None = None,
    keep_chrome: bool = False,
    rules: pagechrome.ChromeRules | None = None,
    slug: str | None = None,
) -> tuple[list[EssayInput], list[dict], list[dict], dict]:
    """Split one decoded file (:class:`analysis.io.RawText`) into essay inputs
    (ids ``<slug>-01`` …; ``slug`` defaults to :func:`file_slug` of its path).

    Returns (essays, log rows for lines outside every essay, quality flags
    decided at file level, file summary: split rule, chrome lines by kind).
    """
    rules = rules or pagechrome.load_rules()
    lines = raw.text.split("\n")
    folder = evidence.counts if evidence is not None else None
    n_files = evidence.n_files if evidence is not None else 1
    # headings first, where no pattern says "furniture" (a breadcrumb may end in 篇二)
    veto = set()
    authors = set()  # lines naming an essay's author (作者：…): a title-like line above one heads an essay
    padded = set()  # menu-like lines of a padded number and a title (01　奶奶的菜园)
    sourced = set()  # 来源：…　时间：… lines
    expected = None  # essays a collection title announces (关爱留守儿童演讲稿（精选5篇）)
    series = labelled_series(lines)  # ◆版块一◆ …: a piece's label reads as a marked link, yet heads it
    for no, line in enumerate(lines, start=1):
        norm = pagechrome.normalise(line)
        hit = pagechrome.pattern_kind(norm, rules)
        if hit and hit[0] not in _HEADING_VETO_EXCEPT and not marked_heading(norm, patterns) and no not in series:
            veto.add(no)  # (▲第五篇　…: a numbered heading behind a caption's mark is still a heading)
            if hit[0] == "nav" and _PADDED_NUMBER_RE.match(norm):
                padded.add(no)
            if hit[0] == "byline" and _MARKED_LINE_RE.match(norm):
                padded.add(no)  # ◎我想对妈妈说: a name after an e-paper's mark, or a piece's marked title
        if (
            hit
            and (
                hit[0] == "byline"
                and not _CAPTION_CLAUSE_RE.match(norm)
                or hit[0] in ("publication", "guidance", "comment")
                and re.search(
                    r"(?<!该)作者(?!\s*回复)|留言人|发帖人|提问者", norm
                )  # not 只看该作者, a forum link; not 作者 回复 …：
            )
            or pagechrome.is_pupil_byline(norm)
            or (hit and re.match(r"^作\s*者\s*[:：]", norm))  # 作者：…｜学校：…｜年级：… reads as a menu too
        ):
            authors.add(no)
        elif hit and hit[0] == "publication" and _PIECE_SOURCE_RE.search(norm):
            sourced.add(no)
        elif not hit and bare_name_under_title(lines, no):
            authors.add(no)  # 写给远方的妈妈 / 陈小雨: a pupil's name alone under the title
        if hit and hit[0] == "collection_title" and expected is None:
            expected = expected_count(norm)
    # a topic page's pieces each under its title and its own source-and-date line (来源：县妇联　时间：…);
    # one such line under the page's title alone is the page's, not a piece's byline
    titled_sources = {
        no
        for no in sourced
        if (above := prev_text_line(lines, no)) is not None
        and above not in veto
        and title_over_author(lines[above - 1])
    }
    if len(titled_sources) >= 2:
        authors |= titled_sources
    # a padded number and a title with its author's line right under it heads an essay (a magazine's); so
    # does a marked title (◎我想对妈妈说 / 七年级（3）班　杨雨桐)
    veto -= {
        no
        for no in padded
        if (nxt := _next_nonblank(lines, no)) in authors
        and not _MARKED_LINE_RE.match(pagechrome.normalise(lines[nxt - 1]))
    }
    heads = find_headings(lines, patterns, skip=veto, expected=expected, author_lines=authors)
    verdicts = None  # the chrome of the heads as they stand, once classified
    if (
        heads
        and heads[0].rule not in _LATER_ESSAY_RULES
        and text_chars(lines[: heads[0].line_no - 1], skip=veto) >= MIN_PREAMBLE_ESSAY_CHARS
    ):
        # text above the first heading found that the chrome rules leave as text is an essay, the page's
        # own article (六一特刊｜村里的孩子们写诗了 above the poems it introduces): its title heads it
        verdicts = pagechrome.classify_lines(  # (the rules alone say whether the page's title heads an essay)
            lines, rules=rules, folder=folder, n_files=n_files, keep={h.line_no for h in heads}, line_model=False
        )
        titled = _with_page_title(lines, heads, {no for no, v in verdicts.items() if v.kind != "context"})
        heads, verdicts = titled, None  # classified again below, the line model on
    if not heads or heads[0].rule in _LATER_ESSAY_RULES:
        pre = pagechrome.classify_lines(  # (the rules alone decide where headings may be)
            lines, rules=rules, folder=folder, n_files=n_files, line_model=False
        )
        furniture = {no for no, v in pre.items() if v.kind != "context"}
        between = set(pre) - furniture
        if not heads:
            heads = find_headings(
                lines, patterns, skip=furniture, page_title=True, expected=expected, author_lines=authors, soft=between
            )
        else:  # a page's own article above an appended one (附：…发言稿): the article's title heads it
            heads = _with_page_title(lines, heads, furniture)
    if verdicts is None:
        verdicts = pagechrome.classify_lines(
            lines, rules=rules, folder=folder, n_files=n_files, keep={h.line_no for h in heads}
        )
    chrome = {} if keep_chrome else verdicts
    dropped: list = []
    preamble, chunks = split_essays(raw.text, chrome=set(chrome), headings=heads, dropped=dropped)
    slug = slug or file_slug(raw.relpath)
    rel = raw.relpath

    # lines outside every essay: the preamble, chrome trimmed from the essays' ends, empty headings
    inside = {n for c in chunks for n in range(c.line_start, c.line_end + 1)}
    heading_lines = {h.line_no for h in heads}
    log = []
    for no, line in enumerate(lines, start=1):
        if no in inside or no in heading_lines or not line.strip():
            continue
        v = verdicts.get(no)
        if v is not None:
            log.append(_log_row(rel, no, "remove_chrome", line.strip(), f"{v.kind}: {v.evidence}"))
        elif no < (heads[0].line_no if heads else 0):
            log.append(
                _log_row(
                    rel,
                    no,
                    "drop_preamble",
                    line.strip(),
                    "text before the first essay heading (collection title, site blurb)",
                )
            )
        else:  # kept chrome (keep_chrome) outside essays cannot happen; anything else is logged, never lost
            log.append(_log_row(rel, no, "drop_outside_essay", line.strip(), "a line outside every essay"))
    for h in dropped:
        log.append(_log_row(rel, h.line_no, "drop_empty_heading", h.line, "an essay heading with no text under it"))

    # metadata: from chrome lines above the first essay (the page), then each essay's own
    first_body = (
        (chunks[0].heading.line_no if chunks[0].heading is not None else chunks[0].line_start)
        if chunks
        else len(lines) + 1
    )  # the page's furniture: above the first essay's heading
    page_meta: dict[str, str] = {}
    for no in sorted(verdicts):
        if no < first_body:
            for k, v in pagechrome.line_metadata(lines[no - 1]).items():
                page_meta.setdefault(k, v)
    # an essay's own furniture runs from its heading to the next essay's heading (a byline sits between a
    # heading and its text, so the next essay's byline is not this essay's)
    bounds = [c.heading.line_no if c.heading is not None else c.line_start for c in chunks[1:]] + [len(lines) + 1]
    starts = [c.heading.line_no if c.heading is not None else c.line_start for c in chunks]
    title_fallback = _collection_title(lines, verdicts, preamble) or Path(rel).stem
    rule = "+".join(sorted({h.rule for h in heads})) or "none"
    essays, flags = [], []
    # text lost: a deleted post, lost pages, an editor's elision
    lost = deleted_posts(lines, verdicts) | missing_pages(lines, verdicts) | omissions(lines, verdicts)
    for c, start, nxt in zip(chunks, starts, bounds):
        meta = dict(page_meta)
        for no in sorted(verdicts):
            if start <= no < nxt:
                meta.update(pagechrome.line_metadata(lines[no - 1]))
        in_span = tuple(
            (no, v.kind, v.evidence) for no, v in sorted(chrome.items()) if c.line_start <= no <= c.line_end
        )
        title = (c.heading.title if c.heading else "") or meta.pop("title", "") or title_fallback
        if c.heading is not None and c.heading.rule == "series" and meta.get("title"):
            title = meta.pop("title")  # 征文获奖作品（一） with 《灯》 in its byline: the essay's own title
        meta.pop("title", None)
        e = EssayInput(
            essay_id=f"{slug}-{c.ordinal:02d}",
            source_file=rel,
            ordinal=c.ordinal,
            heading=c.heading.line if c.heading else "",
            heading_number=c.heading.number if c.heading else None,
            title=to_simplified(title)[0],
            line_start=c.line_start,
            line_end=c.line_end,
            encoding=raw.encoding,
            raw_text=c.raw_text,
            split_rule=c.heading.rule if c.heading else "none",
            chrome=in_span,
            metadata=tuple(sorted(meta.items())),
            lost_pages=tuple((no, why) for no, why in sorted(lost.items()) if c.line_start <= no <= c.line_end),
        )
        essays.append(e)
        # the cut link may sit under a page number or a running head (第 4 页 共 6 页 / 剩余2页未读，继续阅读)
        below = [no for no in range(c.line_end + 1, min(len(lines), c.line_end + 6) + 1) if lines[no - 1].strip()]
        after = next(
            (no for no in below[:3] if no in verdicts and is_cut_line(lines[no - 1])),
            below[0] if below else None,
        )
        if (
            after is not None
            and after in verdicts
            and not keep_chrome
            and is_cut_line(lines[after - 1])
            and all(no in verdicts for no in below[: below.index(after)])
        ):
            flags.append(
                {"source_file": rel, "essay_id": e.essay_id, "paragraph_id": "", "line": after}
                | {k: v for k, v in truncation_flag(after, lines[after - 1], c.lines[-1]).items() if k != "line"}
            )
        doubt = _doubtful_split(c.lines, {no - c.line_start for no, *_ in in_span})
        if c.heading is None and heads:
            doubt = (
                "text before the first essay heading holds an essay (or several) that no heading rule "
                "found; add --heading-pattern for its heading"
            )
        if doubt:
            flags.append(
                {
                    "source_file": rel,
                    "essay_id": e.essay_id,
                    "paragraph_id": "",
                    "line": c.line_start,
                    "flag": "doubtful_split",
                    "detail": doubt,
                }
            )
    kinds = Counter(v.kind for no, v in verdicts.items())
    info = {
        "split_rule": rule,
        "n_chrome_lines": 0 if keep_chrome else len(verdicts),
        "chrome_kinds": ", ".join(f"{k} {n}" for k, n in kinds.most_common()),
        "keep_chrome": keep_chrome,
    }
    return essays, log, flags, info


def _collection_title(lines: list[str], verdicts: dict, preamble: list[str]) -> str:
    """A title for essays without their own: the first preamble line that is
    not furniture (or a collection title), else the part of a site title
    before its site name."""
    for no, line in enumerate(preamble, start=1):
        v = verdicts.get(no)
        s = line.strip()
        title_like = len(s) <= 60 and not re.search(r"[。！？!?]", s)
        if s and (v is None or (v.kind in ("collection_title", "recurring", "context") and title_like)):
            return s
    for no, v in sorted(verdicts.items()):
        if v.kind == "site_title":
            return re.split(r"\s*[_|\-—–]\s*", pagechrome.normalise(lines[no - 1]))[0]
    return ""


def _doubtful_split(body: list[str], chrome_offsets: set[int]) -> str:
    """Why one essay looks like several (many thousand characters with
    repeated title-like lines), or ''."""
    text_lines = [ln for i, ln in enumerate(body) if i not in chrome_offsets]
    n_chars = sum(len(ln.strip()) for ln in text_lines)
    if n_chars < DOUBTFUL_SPLIT_CHARS:
        return ""
    stems = Counter(hit[0] for ln in text_lines if (hit := series_number(ln)))
    titles = Counter(
        ln.strip() for ln in text_lines if 4 <= len(ln.strip()) <= 30 and not re.search(r"[。！？，,]", ln)
    )
    repeated = [s for s, n in stems.items() if n >= 2] + [t for t, n in titles.items() if n >= 2]
    if not repeated:
        return ""
    return (
        f"one essay of {n_chars} characters with repeated title-like lines ({'、'.join(repeated[:3])}): "
        "it may hold several essays; add --heading-pattern for this file's headings"
    )
