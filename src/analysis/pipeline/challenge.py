"""Annotated page captures: the ground-truth format of the challenge corpora.

A challenge page (``*.page``, UTF-8) is a page capture written by the team,
one source line per line, each prefixed with its true role::

    # encoding: gb18030          (utf-8 | utf-8-sig | gb18030; default utf-8)
    # newline: crlf              (lf | crlf | cr; default lf)
    # note: free text            (any number of comment lines at the top)
    C:breadcrumb|当前位置：首页 > 作文 > 正文
    H|留守儿童演讲稿1
    E|尊敬的各位领导：
    E|……他们的父母
    E+|远在他乡打工。
    E!cut|我想 ……此处隐藏2310个字……
    |

Tags (before the first ``|``):

* ``C:<kind>`` a chrome line: page furniture that must not enter any essay
  (kinds: :data:`CHROME_KINDS`).
* ``H`` an essay heading: starts a new essay and never enters its text.
* ``E`` an essay line. ``E+`` continues the sentence of the essay line
  before it (a real break that paragraph joining should repair).
  Flags after ``!`` (any number): ``cut`` (holds a truncation marker: the
  essay must be flagged truncated), ``gap`` (text is missing right before
  this line: a gap flag is right here), ``quote`` (its double quotes are
  wrongly paired and should be repaired; on any other line a quote repair is
  wrong), ``mojibake`` (holds garbled characters that must be flagged),
  ``ruby`` (holds pinyin after characters that must be removed).
* an empty tag: a blank line (its text must be empty too).

Essays are the ``E`` lines from one ``H`` to the next; ``E`` lines before
the first ``H`` belong to an essay of their own (a page with no heading).
:func:`render` turns a page into the bytes of the capture it describes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

CHROME_KINDS = (
    "nav",
    "breadcrumb",
    "site_title",
    "collection_title",
    "blurb",
    "publication",
    "byline",
    "share",
    "prevnext",
    "related",
    "readmore",
    "copyright",
    "contact",
    "editor",
    "guidance",
    "commentary",
    "control",
    "spam",
    "comment",
    "forum",
    "caption",
    "ad",
    "tags",
    "pagination",
    "login",
    "infobox",
    "other",
)
FLAGS = ("cut", "gap", "quote", "mojibake", "ruby")
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030")
NEWLINES = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}
_TAG_RE = re.compile(r"^(?:(?P<chrome>C):(?P<kind>[a-z_]+)|(?P<kind2>H|E\+?))?(?P<flags>(?:![a-z]+)*)$")


class PageFormatError(ValueError):
    """A challenge page that does not follow the format."""


@dataclass(frozen=True)
class Line:
    no: int  # 1-based line number in the rendered capture
    role: str  # chrome | heading | essay | blank
    text: str
    kind: str = ""  # chrome kind
    continues: bool = False  # E+
    flags: frozenset[str] = frozenset()
    essay: int = 0  # 1-based essay number for essay lines (0 otherwise)


@dataclass
class Page:
    path: Path
    encoding: str = "utf-8"
    newline: str = "lf"
    notes: list[str] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)

    @property
    def n_essays(self) -> int:
        return max((ln.essay for ln in self.lines), default=0)

    def essay_lines(self, essay: int) -> list[Line]:
        return [ln for ln in self.lines if ln.essay == essay]

    def text(self) -> str:
        return "\n".join(ln.text for ln in self.lines)


def parse_page(path: str | Path, text: str | None = None) -> Page:
    """Parse a ``.page`` file (or ``text``); raises :class:`PageFormatError`
    naming the file, line and problem."""
    path = Path(path)
    src = path.read_text(encoding="utf-8") if text is None else text
    page = Page(path)
    body_started = False
    essay, seen_heading = 0, False
    source_line: dict[int, int] = {}  # capture line -> line of the .page file, for messages
    rows = src.split("\n")
    if rows and rows[-1] == "":
        rows.pop()  # the file's final newline ends the last line; it is no blank line of the page
    for k, raw in enumerate(rows, start=1):
        raw = raw.rstrip("\r")
        if not body_started and raw.startswith("#"):
            m = re.match(r"#\s*(\w+)\s*:\s*(.*)$", raw)
            if m and m.group(1) == "encoding":
                if m.group(2).strip() not in ENCODINGS:
                    raise PageFormatError(f"{path}:{k}: encoding must be one of {', '.join(ENCODINGS)}")
                page.encoding = m.group(2).strip()
            elif m and m.group(1) == "newline":
                if m.group(2).strip() not in NEWLINES:
                    raise PageFormatError(f"{path}:{k}: newline must be one of {', '.join(NEWLINES)}")
                page.newline = m.group(2).strip()
            else:
                page.notes.append(raw.lstrip("# "))
            continue
        if not body_started and not raw.strip():
            continue  # blank lines between the header and the page
        body_started = True
        if "|" not in raw:
            if raw == "":
                tag, text_ = "", ""
            else:
                raise PageFormatError(f"{path}:{k}: no '|' between tag and text: {raw[:30]!r}")
        else:
            tag, text_ = raw.split("|", 1)
        m = _TAG_RE.match(tag.strip())
        if not m:
            raise PageFormatError(f"{path}:{k}: unknown tag {tag!r}")
        flags = frozenset(f for f in m.group("flags").split("!") if f)
        bad = flags - set(FLAGS)
        if bad:
            raise PageFormatError(f"{path}:{k}: unknown flag(s) {', '.join(sorted(bad))}; valid: {', '.join(FLAGS)}")
        no = len(page.lines) + 1
        source_line[no] = k
        if m.group("chrome"):
            kind = m.group("kind")
            if kind not in CHROME_KINDS:
                raise PageFormatError(f"{path}:{k}: unknown chrome kind {kind!r}; valid: {', '.join(CHROME_KINDS)}")
            if not text_.strip():
                raise PageFormatError(f"{path}:{k}: a chrome line needs text")
            page.lines.append(Line(no, "chrome", text_, kind=kind, flags=flags))
        elif m.group("kind2") == "H":
            essay += 1
            seen_heading = True
            page.lines.append(Line(no, "heading", text_, flags=flags))
        elif m.group("kind2") in ("E", "E+"):
            if essay == 0:
                essay = 1
            if not text_.strip():
                raise PageFormatError(f"{path}:{k}: an essay line needs text (use an empty tag for a blank line)")
            page.lines.append(Line(no, "essay", text_, continues=m.group("kind2") == "E+", flags=flags, essay=essay))
        else:
            if text_.strip():
                raise PageFormatError(f"{path}:{k}: text without a tag: {text_[:30]!r}")
            page.lines.append(Line(no, "blank", text_))
    del seen_heading
    if not any(ln.role == "essay" for ln in page.lines):
        raise PageFormatError(f"{path}: no essay line (E|…)")
    for ln in page.lines:
        if ln.role == "heading" and not _essay_after(page, ln):
            raise PageFormatError(f"{path}:{source_line[ln.no]}: heading with no essay line under it")
    return page


def _essay_after(page: Page, heading: Line) -> int:
    """The essay a heading opens (0 if no essay line follows before the next heading)."""
    for ln in page.lines[heading.no :]:
        if ln.role == "heading":
            return 0
        if ln.role == "essay":
            return ln.essay
    return 0


def render(page: Page) -> bytes:
    """The capture's bytes: its lines in its encoding and line ends."""
    text = NEWLINES[page.newline].join(ln.text for ln in page.lines) + NEWLINES[page.newline]
    try:
        return text.encode(page.encoding)
    except UnicodeEncodeError as exc:
        raise PageFormatError(f"{page.path}: text cannot be written in {page.encoding}: {exc}") from None


def load_pages(folder: str | Path) -> list[Page]:
    """Every ``*.page`` below ``folder``, sorted by path."""
    return [parse_page(p) for p in sorted(Path(folder).rglob("*.page"))]


def write_captures(pages: list[Page], out_dir: str | Path) -> dict[str, Page]:
    """Render ``pages`` as ``.txt`` captures into ``out_dir``; returns
    {capture file name: page}."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    names = {}
    for p in pages:
        name = p.path.stem + ".txt"
        (out_dir / name).write_bytes(render(p))
        names[name] = p
    return names


def summary(page: Page) -> str:
    kinds: dict[str, int] = {}
    for ln in page.lines:
        if ln.role == "chrome":
            kinds[ln.kind] = kinds.get(ln.kind, 0) + 1
    flags: dict[str, int] = {}
    for ln in page.lines:
        for f in ln.flags:
            flags[f] = flags.get(f, 0) + 1
    n_cont = sum(ln.continues for ln in page.lines)
    return (
        f"{page.path.name}: {page.encoding}/{page.newline}, {page.n_essays} essays, "
        f"{sum(ln.role == 'essay' for ln in page.lines)} essay lines, {n_cont} E+, "
        f"chrome {sum(kinds.values())} {dict(sorted(kinds.items()))}, flags {dict(sorted(flags.items()))}"
    )


if __name__ == "__main__":  # python -m analysis.challenge FOLDER_OR_FILE ...: check and summarise
    import sys

    status = 0
    for arg in sys.argv[1:] or ["."]:
        paths = [Path(arg)] if Path(arg).is_file() else sorted(Path(arg).rglob("*.page"))
        for p in paths:
            try:
                page = parse_page(p)
                render(page)
                print(summary(page))
            except PageFormatError as exc:
                print(f"ERROR {exc}")
                status = 1
    sys.exit(status)


# ------------------------------------------------------------------ scoring
_REMOVED_RULES = {"remove_chrome", "drop_preamble", "drop_outside_essay", "drop_empty_heading"}
_PINYIN_LEFT_RE = re.compile(r"[(（][a-zü\u00e0-\u01dc]{1,7}[)）]")


@dataclass
class PageScore:
    """Figures of one build against the truth of its pages (see :func:`score_build`)."""

    essays: int = 0
    essays_whole: int = 0
    essays_built: int = 0
    chrome_lines: int = 0
    chrome_removed: int = 0
    essay_lines: int = 0
    essay_lines_removed: int = 0
    headings_in_text: int = 0
    repairs: dict = field(default_factory=dict)  # rule -> {"right": n, "wrong": n, "missed": n}
    cuts: int = 0
    cuts_flagged: int = 0
    ruby_lines: int = 0
    ruby_left: int = 0
    mojibake_lines: int = 0
    mojibake_flagged: int = 0
    problems: list = field(default_factory=list)  # (file, line, what) for the report

    def add(self, other: PageScore) -> None:
        for f in (
            "essays",
            "essays_whole",
            "essays_built",
            "chrome_lines",
            "chrome_removed",
            "essay_lines",
            "essay_lines_removed",
            "headings_in_text",
            "cuts",
            "cuts_flagged",
            "ruby_lines",
            "ruby_left",
            "mojibake_lines",
            "mojibake_flagged",
        ):
            setattr(self, f, getattr(self, f) + getattr(other, f))
        for rule, counts in other.repairs.items():
            mine = self.repairs.setdefault(rule, {"right": 0, "wrong": 0, "missed": 0})
            for k, v in counts.items():
                mine[k] += v
        self.problems.extend(other.problems)

    def figures(self) -> dict[str, float]:
        def share(a, b):
            return a / b if b else float("nan")

        return {
            "essays split whole": share(self.essays_whole, self.essays),
            "chrome lines removed (recall)": share(self.chrome_removed, self.chrome_lines),
            "essay lines removed wrongly": share(self.essay_lines_removed, self.essay_lines),
            "headings inside essays": self.headings_in_text,
            "cuts flagged": share(self.cuts_flagged, self.cuts),
            "ruby removed (lines clean)": share(self.ruby_lines - self.ruby_left, self.ruby_lines),
            "mojibake flagged": share(self.mojibake_flagged, self.mojibake_lines),
        }


def score_build(pages: dict[str, Page], tables: dict) -> PageScore:
    """Score the tables of a build of ``pages`` ({capture file name: page}).

    A truth essay is *split whole* when all its kept lines are in one built
    essay that holds no line of another essay and no heading line. A chrome
    line is *removed* when no built essay keeps it; an essay line is
    *removed wrongly* when none does (a line that was only a cut marker
    excepted). Repairs are right when the truth marks the line for them
    (``E+`` for joins, ``!quote``, ``!gap``), wrong otherwise, and missed
    when marked but not made.
    """
    total = PageScore()
    essays, paras, log, flags = (tables[k] for k in ("essays", "paragraphs", "cleaning_log", "quality_flags"))
    for name, page in pages.items():
        sc = PageScore()
        e_rows = essays[essays["source_file"] == name]
        ids = set(e_rows["essay_id"])
        p_rows = paras[paras["essay_id"].isin(ids)]
        l_rows = log[log["source_file"] == name]
        f_rows = flags[flags["source_file"] == name]
        removed = set(l_rows.loc[l_rows["rule"].isin(_REMOVED_RULES), "line"].astype(int))
        cut_only = set()
        for ln in page.lines:
            if "cut" in ln.flags:
                rules_here = set(l_rows.loc[l_rows["line"] == ln.no, "rule"])
                if "remove_cut_marker" in rules_here or ln.no in removed:
                    cut_only.add(ln.no)
        kept: dict[int, str] = {}  # line -> built essay id
        for eid, lo, hi in zip(p_rows["essay_id"], p_rows["line_start"], p_rows["line_end"]):
            for n in range(int(lo), int(hi) + 1):
                if n not in removed:
                    kept[n] = eid
        sc.essays_built = len(e_rows)
        truth_of = {ln.no: ln for ln in page.lines}
        built_truth: dict[str, set[int]] = {}
        for n, eid in kept.items():
            ln = truth_of.get(n)
            if ln is not None and ln.role == "essay":
                built_truth.setdefault(eid, set()).add(ln.essay)
        for ln in page.lines:
            if ln.role == "chrome":
                sc.chrome_lines += 1
                if ln.no in kept:
                    sc.problems.append((name, ln.no, f"chrome kept ({ln.kind}): {ln.text[:40]}"))
                else:
                    sc.chrome_removed += 1
            elif ln.role == "heading" and ln.no in kept:
                sc.headings_in_text += 1
                sc.problems.append((name, ln.no, f"heading inside an essay: {ln.text[:40]}"))
            elif ln.role == "essay" and ln.no not in cut_only:
                sc.essay_lines += 1
                if ln.no not in kept:
                    sc.essay_lines_removed += 1
                    sc.problems.append((name, ln.no, f"essay line removed: {ln.text[:40]}"))
        for k in range(1, page.n_essays + 1):
            sc.essays += 1
            mine = [ln.no for ln in page.essay_lines(k) if ln.no in kept]
            homes = {kept[n] for n in mine}
            whole = (
                len(homes) == 1
                and built_truth.get(next(iter(homes)), set()) == {k}
                and not any(kept.get(ln.no) in homes for ln in page.lines if ln.role == "heading")
            )
            if whole:
                sc.essays_whole += 1
            else:
                sc.problems.append(
                    (name, page.essay_lines(k)[0].no, f"essay {k} not split whole (in {len(homes)} built essays)")
                )
        # repairs
        joins = set(l_rows.loc[l_rows["rule"] == "join_broken_paragraphs", "line"].astype(int))
        quotes = set(l_rows.loc[l_rows["rule"] == "fix_quote_pairs", "line"].astype(int))
        gaps = set(f_rows.loc[f_rows["flag"] == "suspected_gap", "line"].astype(int))
        for rule, made, marked in (
            ("join_broken_paragraphs", joins, {ln.no for ln in page.lines if ln.continues}),
            ("fix_quote_pairs", quotes, {ln.no for ln in page.lines if "quote" in ln.flags}),
            ("suspected_gap", gaps, {ln.no for ln in page.lines if "gap" in ln.flags}),
        ):
            c = sc.repairs.setdefault(rule, {"right": 0, "wrong": 0, "missed": 0})
            c["right"] += len(made & marked)
            c["wrong"] += len(made - marked)
            c["missed"] += len(marked - made)
            for n in sorted(made - marked):
                sc.problems.append((name, n, f"{rule} wrong: {truth_of[n].text[:40] if n in truth_of else ''}"))
            for n in sorted(marked - made):
                sc.problems.append((name, n, f"{rule} missed: {truth_of[n].text[:40]}"))
        truncated = set(f_rows.loc[f_rows["flag"] == "truncated", "line"].astype(int))
        mojibake = set(f_rows.loc[f_rows["flag"] == "mojibake", "line"].astype(int))
        texts = dict(zip(p_rows["line_start"].astype(int), p_rows["text"]))
        for ln in page.lines:
            if "cut" in ln.flags:
                sc.cuts += 1
                if ln.no in truncated:
                    sc.cuts_flagged += 1
                else:
                    sc.problems.append((name, ln.no, f"cut not flagged: {ln.text[:40]}"))
            if "mojibake" in ln.flags:
                sc.mojibake_lines += 1
                if ln.no in mojibake:
                    sc.mojibake_flagged += 1
                else:
                    sc.problems.append((name, ln.no, f"mojibake not flagged: {ln.text[:40]}"))
            if "ruby" in ln.flags:
                sc.ruby_lines += 1
                home = max((s for s in texts if s <= ln.no), default=None)
                if home is not None and _PINYIN_LEFT_RE.search(texts[home]):
                    sc.ruby_left += 1
                    sc.problems.append((name, ln.no, "pinyin ruby left in the text"))
        total.add(sc)
    return total


def evaluate_folder(folder: str | Path, *, work_dir: str | Path) -> tuple[PageScore, dict]:
    """Render the pages below ``folder`` as captures, build them into
    ``work_dir`` and score the build."""
    from analysis.pipeline.build import build
    from analysis.io import read_table

    work_dir = Path(work_dir)
    pages = write_captures(load_pages(folder), work_dir / "raw")
    build(work_dir / "raw", work_dir / "out", progress=False, warn=lambda msg: None, jobs=1)
    tables = {k: read_table(work_dir / "out", k) for k in ("essays", "paragraphs", "cleaning_log", "quality_flags")}
    return score_build(pages, tables), tables


GOALS = {
    "essays split whole": (">=", 0.95),
    "chrome lines removed (recall)": (">=", 0.95),
    "essay lines removed wrongly": ("<=", 0.01),
    "headings inside essays": ("<=", 0),
    "cuts flagged": (">=", 1.0),
}


def meets_goals(score: PageScore) -> bool:
    figures = score.figures()
    return all(
        (figures[k] >= v if op == ">=" else figures[k] <= v) for k, (op, v) in GOALS.items() if figures[k] == figures[k]
    )


def format_score(title: str, score: PageScore) -> list[str]:
    out = [title]
    for name, value in score.figures().items():
        goal = GOALS.get(name)
        shown = f"{value:.1%}" if isinstance(value, float) else str(value)
        mark = ""
        if goal is not None and value == value:
            ok = value >= goal[1] if goal[0] == ">=" else value <= goal[1]
            mark = (
                f"   goal {goal[0]} {goal[1]:.0%}: {'met' if ok else 'NOT met'}"
                if isinstance(goal[1], float)
                else f"   goal {goal[0]} {goal[1]}: {'met' if ok else 'NOT met'}"
            )
        out.append(f"  {name:<34} {shown:>7}{mark}")
    out.append(f"  {'essays (truth / built)':<34} {score.essays} / {score.essays_built}")
    for rule, c in score.repairs.items():
        made = c["right"] + c["wrong"]
        prec = f"{c['right'] / made:.0%}" if made else "—"
        out.append(
            f"  repair {rule:<27} right {c['right']}, wrong {c['wrong']}, missed {c['missed']} (precision {prec})"
        )
    return out


# ------------------------------------------------------------------ privacy
@dataclass
class PrivacyScore:
    """Recall of names and false replacements of ordinary words on a privacy set."""

    found: dict = field(default_factory=dict)  # (kind, form) -> [replaced, total]
    ordinary: list = field(default_factory=lambda: [0, 0])  # [changed, total]
    leaks: list = field(default_factory=list)  # (doc, kind, form, text)
    changed: list = field(default_factory=list)  # (doc, text)

    def add(self, other: PrivacyScore) -> None:
        for key, (a, b) in other.found.items():
            mine = self.found.setdefault(key, [0, 0])
            mine[0] += a
            mine[1] += b
        self.ordinary[0] += other.ordinary[0]
        self.ordinary[1] += other.ordinary[1]
        self.leaks.extend(other.leaks)
        self.changed.extend(other.changed)

    def recall(self, kind: str) -> float:
        a = sum(v[0] for (k, _), v in self.found.items() if k == kind)
        b = sum(v[1] for (k, _), v in self.found.items() if k == kind)
        return a / b if b else float("nan")

    def false_replacement_rate(self) -> float:
        return self.ordinary[0] / self.ordinary[1] if self.ordinary[1] else float("nan")


PRIVACY_GOALS = {"child": 1.0, "adult": 0.95, "place": 0.95, "school": 0.95}
MAX_FALSE_REPLACEMENTS = 0.02


def load_privacy_truth(folder: str | Path) -> dict:
    import yaml

    p = Path(folder) / "truth.yaml"
    truth = yaml.safe_load(p.read_text(encoding="utf-8"))
    for k in ("names", "ordinary"):
        if not isinstance(truth.get(k), list):
            raise PageFormatError(f"{p}: needs a list '{k}'")
    return truth


def shared_texts(data_dir: str | Path) -> dict[str, str]:
    """Everything a report may show of each source file, as pseudonymised
    for sharing (every free-text column of every table a report reads,
    plus the file's name): {source file: text}."""
    from analysis.reporting.corpus import Corpus

    from analysis.io import read_table

    corpus = Corpus(data_dir, pseudonymise=True, pseudonymise_all=True)
    out: dict[str, list[str]] = {}
    raw_essays = read_table(data_dir, "essays", columns=["essay_id", "source_file"])
    file_of = dict(zip(raw_essays["essay_id"], raw_essays["source_file"]))
    for name in (
        "essays",
        "paragraphs",
        "sentences",
        "cleaning_log",
        "quality_flags",
        "entities",
        "headings",
        "numbers",
    ):
        if not corpus.has(name):
            continue
        df = corpus.table(name)
        # rows keep their order: the file each came from is read from the table as built
        files = (
            read_table(data_dir, name, columns=["source_file"])["source_file"]
            if "source_file" in df
            else df["essay_id"].map(file_of)
        )
        for col in df.columns:
            if col in ("essay_id", "paragraph_id", "sentence_id", "essay_label"):
                continue
            for f, v in zip(files, df[col]):
                if isinstance(v, str):
                    out.setdefault(f, []).append(v)
                elif isinstance(v, (list, tuple)):
                    out.setdefault(f, []).append(" ".join(map(str, v)))
    return {f: "\n".join(v) for f, v in out.items()}


def _shadow(text: str) -> str:
    from analysis.methods.privacy import shadow

    return shadow(text)[0]


def score_privacy(folder: str | Path, *, work_dir: str | Path) -> PrivacyScore:
    """Build the documents of a privacy set and check every name of its truth
    against what reports would show (:func:`shared_texts`): a name counts as
    replaced when no written form of it (simplified or traditional, with or
    without spaces or ruby, any case) is left in its document's outputs; an
    ordinary phrase counts as changed when it is no longer there."""
    from analysis.pipeline.build import build

    work_dir = Path(work_dir)
    pages = write_captures(load_pages(folder), work_dir / "raw")
    truth = load_privacy_truth(folder)
    build(work_dir / "raw", work_dir / "out", progress=False, warn=lambda msg: None, jobs=1)
    texts = shared_texts(work_dir / "out")
    doc_file = {Path(name).stem: name for name in pages}
    shadows = {f: _shadow(t) for f, t in texts.items()}
    sc = PrivacyScore()
    for row in truth["names"]:
        f = doc_file.get(row["doc"])
        if f is None:
            raise PageFormatError(f"{folder}/truth.yaml: doc {row['doc']!r} has no page")
        key = (row["kind"], row["form"])
        counts = sc.found.setdefault(key, [0, 0])
        counts[1] += 1
        if _shadow(str(row["text"])) in shadows.get(f, ""):
            sc.leaks.append((row["doc"], row["kind"], row["form"], row["text"]))
        else:
            counts[0] += 1
    for row in truth["ordinary"]:
        f = doc_file.get(row["doc"])
        sc.ordinary[1] += 1
        if _shadow(str(row["text"])) not in shadows.get(f, ""):
            sc.ordinary[0] += 1
            sc.changed.append((row["doc"], row["text"]))
    return sc


def format_privacy(title: str, sc: PrivacyScore) -> list[str]:
    out = [title]
    for kind in ("child", "adult", "place", "school"):
        forms = {f: v for (k, f), v in sc.found.items() if k == kind}
        a, b = sum(v[0] for v in forms.values()), sum(v[1] for v in forms.values())
        if not b:
            continue
        goal = PRIVACY_GOALS[kind]
        ok = a / b >= goal
        detail = ", ".join(f"{f} {v[0]}/{v[1]}" for f, v in sorted(forms.items()))
        out.append(
            f"  {kind:<7} replaced {a}/{b} = {a / b:.1%}   goal >= {goal:.0%}: {'met' if ok else 'NOT met'}   ({detail})"
        )
    rate = sc.false_replacement_rate()
    out.append(
        f"  ordinary words changed {sc.ordinary[0]}/{sc.ordinary[1]} = {rate:.1%}   goal <= "
        f"{MAX_FALSE_REPLACEMENTS:.0%}: {'met' if rate <= MAX_FALSE_REPLACEMENTS else 'NOT met'}"
    )
    return out


def privacy_meets_goals(sc: PrivacyScore) -> bool:
    return (
        all(not (sc.recall(k) < g) for k, g in PRIVACY_GOALS.items())
        and not sc.false_replacement_rate() > MAX_FALSE_REPLACEMENTS
    )
