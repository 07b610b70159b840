"""A report notebook's set-up: tables and figures shown as the reports show
them (:func:`setup_display`), and the table of the rendering's parameters."""

from __future__ import annotations

import pandas as pd


def _display_figures_as_png() -> None:
    """In a notebook, show every matplotlib Figure a cell returns as one PNG —
    also figures made without pyplot (the themes plots), which IPython would
    otherwise print as '<Figure size …>'."""
    try:
        from IPython import get_ipython
        from IPython.core.pylabtools import print_figure
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover
        return
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["image/png"].for_type(
            Figure, lambda fig: print_figure(fig, "png", bbox_inches="tight")
        )


def setup_display() -> None:
    """Show this notebook's tables and figures as the reports do: numbered from
    Table 1 and Figure 1 (again at every call: each report's notebook calls it
    first, also in a kernel that rendered another report before), captioned,
    downloadable; long texts truncated (the full text is in the CSV tables),
    numbers to three decimals. Nothing is changed by importing this module."""
    pd.set_option("display.max_colwidth", 70)
    pd.set_option("display.precision", 3)
    pd.set_option("display.max_rows", 200)
    _display_figures_as_png()
    from analysis.reporting import publish

    publish.install()  # a no-op outside IPython


def settings_table(**params) -> pd.DataFrame:
    """The parameters of this rendering, as a table at the top of a report."""
    return pd.DataFrame({"value": {k: ("(default)" if v in ("", None) else v) for k, v in params.items()}})
