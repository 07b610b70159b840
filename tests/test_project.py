"""Project hygiene: one dependency list, notebooks committed thin and clean."""

from __future__ import annotations

import ast
import json
import tomllib

import pytest
import yaml

from analysis.config import NOTEBOOKS_DIR, ROOT

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def test_environment_yml_installs_the_package_from_pyproject():
    """Dependencies live in pyproject.toml only; environment.yml installs `-e .` and nothing else."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    conda_deps = [d for d in env["dependencies"] if isinstance(d, str)]
    pip_deps = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    py = next(d for d in conda_deps if d.startswith("python"))
    assert py.split("=")[-1] >= project["requires-python"].lstrip(">=")
    assert set(conda_deps) - {py} == {"pip"}, "conda packages would drift from pyproject.toml"
    assert len(pip_deps) == 1 and pip_deps[0].startswith("-e ."), pip_deps
    extras = pip_deps[0].partition("[")[2].rstrip("]")
    for extra in filter(None, extras.split(",")):
        assert extra in project["optional-dependencies"]


def test_every_imported_package_is_declared():
    """Each third-party module imported by src/analysis is in pyproject's dependencies."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {
        d.split(">")[0].split("=")[0].split("[")[0].strip().lower().replace("_", "-") for d in project["dependencies"]
    }
    module_to_dist = {
        "sklearn": "scikit-learn",
        "yaml": "pyyaml",
        "opencc": "opencc-python-reimplemented",
        "ahocorasick": "pyahocorasick",
        "fontTools": "fonttools",
        "IPython": "ipython",
        "dask": "dask",
        "distributed": "distributed",
        "matplotlib_inline": "ipykernel",
    }
    stdlib = set(__import__("sys").stdlib_module_names)
    for path in (ROOT / "src" / "analysis").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in stdlib or top == "analysis":
                    continue
                dist = module_to_dist.get(top, top).lower().replace("_", "-")
                assert dist in declared, f"{path.name} imports {top} but pyproject.toml does not declare {dist}"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_committed_without_outputs(nb_path):
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_thin(nb_path):
    """Title first, a `parameters` cell of literals, no def/class in any cell."""
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    cells = nb["cells"]
    assert cells[0]["cell_type"] == "markdown" and "".join(cells[0]["source"]).startswith("# ")
    params = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1
    for node in ast.parse("".join(params[0]["source"])).body:
        assert isinstance(node, ast.Assign)
        ast.literal_eval(node.value)
    for c in cells:
        if c["cell_type"] == "code":
            tree = ast.parse("".join(c["source"]))
            assert not any(isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda)) for n in ast.walk(tree))


def test_params_files_name_known_parameters():
    from analysis.reporting.params import REPORTS, notebook_parameters

    for f in sorted((NOTEBOOKS_DIR / "params").glob("*.yaml")):
        data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        for report_name, params in data.items():
            assert report_name in REPORTS, f"{f.name}: unknown report {report_name}"
            known = notebook_parameters(NOTEBOOKS_DIR / REPORTS[report_name].notebook)
            assert set(params) <= set(known), f"{f.name}: {set(params) - set(known)}"


def test_cjk_font_resolves_without_missing_glyph_warnings(recwarn):
    import matplotlib.pyplot as plt

    from analysis.reporting.plots import cjk_font_path, setup_cjk_font

    assert cjk_font_path().is_file()
    name = setup_cjk_font()
    fig, ax = plt.subplots()
    ax.set_title("留守儿童的情感与学业")
    ax.bar(["家访", "谈心"], [1, 2])
    fig.canvas.draw()
    plt.close(fig)
    assert "CJK" in name
    assert not [w for w in recwarn if "missing from" in str(w.message) or "Glyph" in str(w.message)]


def test_every_module_sits_in_its_layer_and_answers_to_its_short_name():
    """analysis.LAYOUT names each layer module's folder; every module file of a
    layer folder is listed there, and ``analysis.<short>`` — as notebooks import
    it — is the very module of ``analysis.<layer>.<short>``."""
    import importlib

    import analysis
    from analysis.config import PACKAGE_DIR

    layers = set(analysis.LAYOUT.values())
    on_disk = {
        p.stem: p.parent.name for layer in layers for p in (PACKAGE_DIR / layer).glob("*.py") if p.stem != "__init__"
    }
    # a module split into a package of its own (methods/themes/) answers to the package's name
    on_disk |= {p.parent.name: layer for layer in layers for p in (PACKAGE_DIR / layer).glob("*/__init__.py")}
    assert on_disk == analysis.LAYOUT
    assert not {p.stem for p in PACKAGE_DIR.glob("*.py")} & set(analysis.LAYOUT)  # no copy left at the top
    for short, layer in analysis.LAYOUT.items():
        full = importlib.import_module(f"analysis.{layer}.{short}")
        assert importlib.import_module(f"analysis.{short}") is full, short
        assert getattr(analysis, short) is full, short
