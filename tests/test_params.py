"""Report parameters: the notebooks find the corpus wherever they run
(data_dir helper), notebooks/params/default.yaml is the notebooks' own
defaults and renders like no file at all, and an empty ``method`` is the
cross-validated default everywhere."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis.methods import sentiment
from analysis.reporting import params as params_mod
from analysis.reporting import report, views
from analysis.pipeline.build import build
from analysis.cli import main
from analysis.config import NOTEBOOKS_DIR, PROCESSED_DIR, ROOT
from analysis.reporting.corpus import Corpus
from analysis.reporting.params import (
    DATA_DIR_ENV,
    DEFAULT_PARAMS_FILE,
    REPORTS,
    ParamError,
    data_dir_for,
    default_params,
    load_param_file,
    method_for,
    notebook_parameters,
    resolve_params,
    validate_params,
)

FIXTURE = Path(__file__).parent / "fixtures" / "mini_corpus"


@pytest.fixture(scope="module")
def mini(tmp_path_factory) -> Path:
    """The three-essay fixture corpus, built once for this module."""
    data = tmp_path_factory.mktemp("params") / "processed"
    build(FIXTURE, data, progress=False, jobs=1)
    return data


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)


def _notebooks_with(param: str) -> list[str]:
    return [name for name, spec in REPORTS.items() if param in notebook_parameters(NOTEBOOKS_DIR / spec.notebook)]


# ------------------------------------------------------------ 1. data_dir


def test_every_notebook_defaults_data_dir_to_empty_and_resolves_it_with_the_helper():
    """No notebook hard-codes a path relative to notebooks/ any more."""
    for name, spec in REPORTS.items():
        nb = json.loads((NOTEBOOKS_DIR / spec.notebook).read_text(encoding="utf-8"))
        assert notebook_parameters(NOTEBOOKS_DIR / spec.notebook)["data_dir"] == "", name
        setup = next(
            "".join(c["source"])
            for c in nb["cells"]
            if c["cell_type"] == "code" and "Corpus(data_dir" in "".join(c["source"])
        )
        assert "data_dir_for(data_dir)" in setup, name
        assert setup.index("data_dir_for(data_dir)") < setup.index("Corpus(data_dir"), name


@pytest.mark.parametrize("where", ["root", "notebooks", "elsewhere"])
def test_empty_data_dir_is_the_projects_processed_folder_from_any_cwd(where, tmp_path, monkeypatch, no_env):
    monkeypatch.chdir({"root": ROOT, "notebooks": NOTEBOOKS_DIR, "elsewhere": tmp_path}[where])
    assert data_dir_for("", check=False) == str(PROCESSED_DIR.resolve())
    assert data_dir_for(None, check=False) == str(PROCESSED_DIR.resolve())


@pytest.fixture
def fake_project(tmp_path, monkeypatch, no_env) -> Path:
    """A project tree with a built-looking data/processed, which the helper takes for the real one."""
    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    processed = root / "data" / "processed"
    processed.mkdir(parents=True)
    (processed / "essays.parquet").write_bytes(b"")
    monkeypatch.setattr(params_mod, "ROOT", root)
    for mod in (params_mod, report):
        monkeypatch.setattr(mod, "NOTEBOOKS_DIR", root / "notebooks")
    monkeypatch.setattr(params_mod, "PROCESSED_DIR", processed)
    return root


@pytest.mark.parametrize("cwd", ["", "notebooks", "../elsewhere"])
@pytest.mark.parametrize("value", ["", "data/processed", "../data/processed"])
def test_relative_data_dir_found_from_root_notebooks_and_another_cwd(fake_project, monkeypatch, cwd, value):
    """The project-relative path and the old notebooks-relative default both
    find the corpus, whether the kernel runs in the project root, in
    notebooks/ (JupyterLab) or anywhere else (papermill from /tmp)."""
    where = (fake_project / cwd).resolve()
    where.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(where)
    assert data_dir_for(value) == str(fake_project / "data" / "processed")


def test_environment_variable_is_the_default_and_a_given_value_wins(fake_project, tmp_path, monkeypatch):
    other = tmp_path / "own corpus"
    other.mkdir()
    (other / "essays.parquet").write_bytes(b"")
    monkeypatch.setenv(DATA_DIR_ENV, str(other))
    monkeypatch.chdir(tmp_path)
    assert data_dir_for("") == str(other)
    assert data_dir_for("data/processed", check=False) == str(fake_project / "data" / "processed")
    monkeypatch.setenv(DATA_DIR_ENV, "own corpus")  # relative: from the working folder
    assert data_dir_for("") == str(other)
    monkeypatch.setenv(DATA_DIR_ENV, "")  # empty is unset
    assert data_dir_for("") == str(fake_project / "data" / "processed")


def test_missing_corpus_error_names_the_absolute_folder_and_the_build_command(tmp_path, monkeypatch, no_env):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError) as err:
        data_dir_for("nowhere")
    message = str(err.value)
    assert f"python -m analysis build --out {tmp_path / 'nowhere'}`" in message
    assert "../" not in message and DATA_DIR_ENV in message
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "from-env"))
    with pytest.raises(FileNotFoundError, match=r"from-env \(\$ANALYSIS_DATA_DIR\)"):
        data_dir_for("")


def test_data_dir_is_set_by_data_not_by_a_params_file_or_p(tmp_path):
    for cli, files in (({"data_dir": "x"}, {}), ({}, {"*": {"data_dir": "x"}}), ({}, {"sentiment": {"data_dir": "x"}})):
        with pytest.raises(ParamError, match="--data"):
            resolve_params("sentiment", cli, files, tmp_path)
    assert resolve_params("sentiment", {}, {}, tmp_path)["data_dir"] == str(tmp_path.resolve())


@pytest.mark.parametrize("old, new", [("framing", "keep_framing"), ("n_top", "top_n"), ("essay", "essay_id")])
def test_a_renamed_parameter_is_named_in_its_error(tmp_path, old, new):
    with pytest.raises(ParamError, match=f"'{old}' is now called '{new}'"):
        resolve_params("sentiment", {old: "x"}, {}, tmp_path)
    with pytest.raises(ParamError, match=f"'{old}' is now called '{new}'"):  # also from a shared params file
        resolve_params("sentiment", {}, {"*": {old: "x"}}, tmp_path)


def test_papermill_runs_the_notebook_from_another_folder_with_the_environment_variable(mini, tmp_path):
    """`papermill notebooks/02_sentiment.ipynb out.ipynb -p method ""` run
    outside the project, the corpus named by $ANALYSIS_DATA_DIR."""
    import os

    env = {**os.environ, DATA_DIR_ENV: str(mini)}
    out = tmp_path / "out.ipynb"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            str(NOTEBOOKS_DIR / REPORTS["sentiment"].notebook),
            str(out),
            "-p",
            "method",
            "",
            "--log-level",
            "WARNING",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Passed unknown parameter" not in proc.stderr
    nb = json.loads(out.read_text(encoding="utf-8"))
    settings = next(c for c in nb["cells"] if "views.settings_table(" in "".join(c["source"]))
    shown = json.dumps(settings["outputs"], ensure_ascii=False)
    assert sentiment.DEFAULT_METHOD in shown  # the settings table names the method used
    assert not [m for m in sentiment.METHODS if m != sentiment.DEFAULT_METHOD and m in shown]


# ------------------------------------------------------- 2. default.yaml


def test_default_yaml_is_the_notebooks_parameter_cells():
    """Fails when a notebook's parameters cell and notebooks/params/default.yaml
    differ: run `python -m analysis.report write-defaults`."""
    hint = "notebooks/params/default.yaml is out of date: run `python -m analysis.report write-defaults`"
    on_disk = yaml.safe_load(DEFAULT_PARAMS_FILE.read_text(encoding="utf-8"))
    assert list(on_disk) == list(REPORTS), hint
    for name, spec in REPORTS.items():
        nb = notebook_parameters(NOTEBOOKS_DIR / spec.notebook)
        assert on_disk[name] == {k: v for k, v in nb.items() if k != "data_dir"}, f"{name}: {hint}"
    assert on_disk == default_params(), hint
    assert DEFAULT_PARAMS_FILE.read_text(encoding="utf-8") == params_mod.default_params_yaml(), hint


def test_write_default_params_round_trips(tmp_path):
    path = params_mod.write_default_params(tmp_path / "d.yaml")
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == default_params()
    assert set(load_param_file(path)) == set(REPORTS)  # read as per-report sections, not one flat set


def test_write_defaults_command(tmp_path):
    target = tmp_path / "default.yaml"
    run = lambda *a: subprocess.run(
        [sys.executable, "-m", "analysis.report", "write-defaults", "--out", str(target), *a],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run("--check").returncode == 1  # nothing there yet
    assert run().returncode == 0 and target.read_text(encoding="utf-8") == params_mod.default_params_yaml()
    assert run("--check").returncode == 0
    assert run("--check", "--out", str(DEFAULT_PARAMS_FILE)).returncode == 0


@pytest.mark.parametrize("name", list(REPORTS))
def test_resolve_params_accepts_the_default_file_and_resolves_as_without_it(name, mini):
    file_params = load_param_file(DEFAULT_PARAMS_FILE)
    with_file = resolve_params(name, {}, file_params, mini)
    assert with_file == resolve_params(name, {}, {}, mini) == {"data_dir": str(mini.resolve())}


def test_plan_with_the_default_file_is_the_plan_without_it(mini):
    """Same reports, same parameters: so the same input hash, the same page."""
    file_params = load_param_file(DEFAULT_PARAMS_FILE)
    assert report.plan(None, mini, {}, file_params) == report.plan(None, mini, {}, {})
    for (spec, p), (_, q) in zip(report.plan(None, mini, {}, file_params)[0], report.plan(None, mini, {}, {})[0]):
        assert report._input_hash(spec, p, mini) == report._input_hash(spec, q, mini)


def test_values_equal_to_the_defaults_are_not_recorded_other_values_are(mini):
    assert "top_n" not in resolve_params("overview", {"top_n": "30"}, {}, mini)
    assert resolve_params("overview", {"top_n": "12"}, {}, mini)["top_n"] == 12
    assert resolve_params("themes", {}, {"themes": {"dedupe": False}}, mini)["dedupe"] is False
    assert resolve_params("sentiment", {"neutral_band": "[0.4, 0.6]"}, {}, mini)["neutral_band"] == [0.4, 0.6]
    assert "neutral_band" not in resolve_params("sentiment", {"neutral_band": "null"}, {}, mini)


def test_cli_renders_the_same_with_the_default_file_and_with_an_empty_method(mini, tmp_path, capsys):
    """`report sentiment -f notebooks/params/default.yaml` and `-p method ""`
    after `report sentiment`: same inputs, so up to date (nothing re-rendered)."""
    out = tmp_path / "reports"
    base = ["report", "sentiment", "--data", str(mini), "--out", str(out), "--jobs", "1"]

    def status(*extra) -> str:
        capsys.readouterr()
        assert main(base + list(extra)) == 0
        line = next(l for l in capsys.readouterr().out.splitlines() if "sentiment.html" in l)
        return line.split()[0]

    assert status() == "ok"
    page = (out / "sentiment.html").read_bytes()
    assert status("-f", str(DEFAULT_PARAMS_FILE)) == "up-to-date"
    assert status("-p", "method", "") == "up-to-date"
    assert (out / "sentiment.html").read_bytes() == page


# ------------------------------------------------------- 3. empty method


def test_empty_method_is_the_validated_default():
    assert sentiment.DEFAULT_METHOD in sentiment.METHODS
    assert method_for("") == method_for(None) == sentiment.DEFAULT_METHOD
    for m in sentiment.METHODS:
        assert method_for(m) == m
    with pytest.raises(ParamError, match="valid values"):
        method_for("bogus")


@pytest.mark.parametrize("name", _notebooks_with("method"))
def test_empty_method_accepted_by_validate_and_resolve_params(name, mini):
    validate_params(name, {"method": ""}, mini)
    assert resolve_params(name, {"method": ""}, {}, mini) == resolve_params(name, {}, {}, mini)
    assert resolve_params(name, {}, {name: {"method": ""}}, mini) == resolve_params(name, {}, {}, mini)
    with pytest.raises(ParamError, match="valid values"):
        validate_params(name, {"method": "bogus"}, mini)


def test_cli_parses_an_empty_method():
    from analysis.cli import make_parser
    from analysis.cli.report import _parse_kv

    args = make_parser().parse_args(["report", "sentiment", "-p", "method", ""])
    assert _parse_kv(args.param) == {"method": ""}


def test_views_read_an_empty_method_as_the_default(mini):
    corpus = Corpus(mini)
    empty = views.sentences(corpus, method="")
    default = views.sentences(corpus, method=sentiment.DEFAULT_METHOD)
    assert empty["sentiment_score"].tolist() == default["sentiment_score"].tolist()
    assert empty["sentiment_label"].tolist() == default["sentiment_label"].tolist()


@pytest.mark.parametrize("name", _notebooks_with("method"))
def test_notebooks_resolve_an_empty_method_with_the_helper(name):
    """The notebooks turn method="" into the default before any call, so every
    view and table sees the method actually used."""
    assert notebook_parameters(NOTEBOOKS_DIR / REPORTS[name].notebook)["method"] == ""
    nb = json.loads((NOTEBOOKS_DIR / REPORTS[name].notebook).read_text(encoding="utf-8"))
    setup = next(
        "".join(c["source"])
        for c in nb["cells"]
        if c["cell_type"] == "code" and "Corpus(data_dir" in "".join(c["source"])
    )
    assert "method_for(method" in setup


def test_notebooks_views_and_corpus_share_one_set_of_defaults():
    """dedupe, keep_framing and pseudonymisation default alike in every notebook's
    parameters cell, in views and in Corpus: analysis.config holds them."""
    import inspect

    from analysis import config
    from analysis.reporting.corpus import Corpus

    shared = {
        "dedupe": config.DEDUPE,
        "keep_framing": config.KEEP_FRAMING,
        "pseudonymise": config.PSEUDONYMISE,
        "pseudonymise_all": config.PSEUDONYMISE_ALL,
    }
    for name, params in params_mod.default_params().items():
        assert {k: v for k, v in params.items() if k in shared} == {k: shared[k] for k in params if k in shared}, name
        assert {"pseudonymise", "pseudonymise_all"} <= set(params), name
    for fn in (views.sentences, views.paragraphs, views.accounting, views.essay_sentiment, views.shaded_text, Corpus):
        defaults = {k: p.default for k, p in inspect.signature(fn).parameters.items() if k in shared}
        assert defaults and defaults == {k: shared[k] for k in defaults}, fn.__name__
