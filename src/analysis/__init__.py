"""Toolkit for studying Chinese essays about left-behind children (留守儿童).

The package in layers, each importing only from itself and those above it
(docs/architecture.md draws the map):

* core, at the top: ``config`` (paths and the analysis defaults), ``resources``,
  ``io`` (files), ``frames``, ``textsearch``, ``startsearch``, ``procs``; ``cli/`` (``python -m analysis``);
* :mod:`analysis.ingest` — a page capture becomes clean essays, paragraphs, sentences;
* :mod:`analysis.methods` — tags, names, pseudonyms, reuse, sentiment, themes, metrics;
* :mod:`analysis.fast` — the same results, faster;
* :mod:`analysis.pipeline` — the stages, the build and its cache;
* :mod:`analysis.reporting` — the corpus as notebooks load it, figures, HTML reports.

Every module is also importable by its short name, as notebooks use them:
``from analysis import sentiment, views`` or ``import analysis.corpus`` gives the
same module object as ``analysis.methods.sentiment`` or ``analysis.reporting.corpus``.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys

__version__ = "0.1.0"

# short name → the layer it lives in
LAYOUT = {
    **dict.fromkeys(("intake", "pagechrome", "linemodel", "split", "clean", "segment"), "ingest"),
    **dict.fromkeys(
        (
            "tag",
            "tagmodel",
            "entities",
            "namemodel",
            "privacy",
            "reuse",
            "sentiment",
            "supervised",
            "themes",
            "validate",
            "samples",
            "trust",
        ),
        "methods",
    ),
    **dict.fromkeys(("snowfast", "reuse_index"), "fast"),
    **dict.fromkeys(("stages", "layers", "cache", "parallel", "watch", "build", "challenge"), "pipeline"),
    **dict.fromkeys(
        (
            "corpus",
            "views",
            "overview",
            "plots",
            "figures",
            "publish",
            "webfont",
            "kernels",
            "params",
            "htmlpage",
            "report",
        ),
        "reporting",
    ),
}


class _ShortName(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """``analysis.sentiment`` is ``analysis.methods.sentiment``: one module
    object under both names (``python -m analysis.report`` runs too)."""

    def find_spec(self, fullname, path=None, target=None):
        head, _, short = fullname.partition(".")
        if head != __name__ or short not in LAYOUT:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, origin=_full(short))

    def create_module(self, spec):
        return importlib.import_module(_full(spec.name.partition(".")[2]))

    def exec_module(self, module):  # the real module has run already
        pass

    def get_code(self, fullname):  # for runpy (python -m analysis.<short>)
        real = importlib.util.find_spec(_full(fullname.partition(".")[2]))
        return real.loader.get_code(real.name)


def _full(short: str) -> str:
    return f"{__name__}.{LAYOUT[short]}.{short}"


if not any(isinstance(f, _ShortName) for f in sys.meta_path):
    sys.meta_path.append(_ShortName())


def __getattr__(name: str):
    """``from analysis import sentiment`` (short names, see above)."""
    if name in LAYOUT:
        return importlib.import_module(_full(name))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
