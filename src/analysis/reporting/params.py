"""The reports, their notebooks and their parameters: the notebooks' parameter cells as
defaults (``notebooks/params/default.yaml``), params files, ``-p`` values coerced to the
defaults' types and checked (one-line errors naming the valid values), before any kernel starts."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from collections.abc import Callable

import yaml

from analysis import io as aio
from analysis.config import NOTEBOOKS_DIR, PARAMS_DIR, PROCESSED_DIR, ROOT


class ParamError(ValueError):
    """A report parameter with a value that is not valid (one-line message)."""


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
# `python -m analysis.report write-defaults` (analysis.params.write_default_params).
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


def essay_ids(data_dir: Path) -> list[str]:
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
        _check_choice("essay_id", params["essay_id"], essay_ids(data_dir), name)
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
