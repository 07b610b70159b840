"""Tables and figures as a reader of a shared report should see them.

A report notebook returns pandas tables and matplotlib figures; IPython would
show them as a programmer sees them — row numbers 0…n, ``snake_case``
columns, ``True``/``NaN``/``[…]`` reprs, figures without a number, a caption
or alt text. :func:`install` registers display formatters in the notebook's
kernel so that every table:

* hides a plain row number index (a meaningful index — essay, method — stays);
* shows plain column labels (:data:`LABELS`; other ``snake_case`` names lose
  their underscores) — the data behind it keeps the original names;
* shows lists as text, booleans as yes/no, missing values as —, numbers to a
  sensible precision;
* is numbered (Table N), can be downloaded as CSV from the page, and is
  searchable and sortable offline when long (a few lines of script embedded in
  the page; nothing is loaded from the internet);
* says in one sentence when it is empty;

and every figure is numbered (Figure N) with a caption and real alt text,
taken from the figure's ``caption`` attribute when a plot function sets it,
else from its titles and axis labels.
"""

from __future__ import annotations

import base64
import html
import itertools
import math
import re

import numpy as np
import pandas as pd

# plain labels (with units) for the column names the reports use most
LABELS = {
    "n": "n",
    "n_essays": "essays",
    "n_sentences": "sentences",
    "n_paragraphs": "paragraphs",
    "n_chars": "characters",
    "n_mentions": "mentions",
    "n_names": "names",
    "n_changes": "changes",
    "n_labels": "labels",
    "macro_f1": "macro-F1",
    "micro_f1": "micro-F1",
    "macro_f1_low": "macro-F1, 95% low",
    "macro_f1_high": "macro-F1, 95% high",
    "micro_f1_low": "micro-F1, 95% low",
    "micro_f1_high": "micro-F1, 95% high",
    "macro_f1_fold_mean": "macro-F1, mean over folds",
    "macro_f1_fold_sd": "macro-F1, SD over folds",
    "kappa": "Cohen's κ",
    "accuracy": "accuracy",
    "precision": "precision",
    "recall": "recall",
    "f1": "F1",
    "support": "coded items",
    "predicted": "items the method gave",
    "exact_match": "all codes right (share)",
    "mean_score": "mean score",
    "sentiment_mean": "mean sentiment score",
    "sentiment_score": "sentiment score",
    "sentiment_label": "sentiment",
    "share_positive": "positive (share)",
    "share_neutral": "neutral (share)",
    "share_negative": "negative (share)",
    "share_original": "original text (share)",
    "share_duplicate": "copied text (share)",
    "dominant_emotion": "dominant emotion",
    "essay_id": "essay id",
    "essay_label": "essay",
    "code_label": "code",
    "coder_1": "coder 1",
    "coder_2": "coder 2",
    "agreement": "agreement (share)",
    "score_spread": "score spread",
    "n_placeholders": "cut-text markers",
    "line_start": "first raw line",
    "line_end": "last raw line",
    "sha256": "SHA-256 of the raw text",
    "school_level": "school level",
    "narrator_gender": "narrator gender",
    "source_file": "source file",
    "g2": "G²",
    "log_ratio": "log ratio",
    "q_value": "q",
    "p_value": "p",
}


def _label(col) -> str:
    if not isinstance(col, str):
        return str(col)
    if col in LABELS:
        return LABELS[col]
    if "_" in col and re.fullmatch(r"[a-z0-9_]+", col):
        return col.replace("_", " ")
    return col


def _cell(v):
    """One value as a reader should read it."""
    if v is None or v is pd.NA or v is pd.NaT:
        return "—"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, str) and not v.strip():
        return "—"
    if isinstance(v, (list, tuple, set, np.ndarray)):
        items = [str(_cell(x)) for x in v]
        return "、".join(items) if items else "—"
    if isinstance(v, (float, np.floating)):
        if math.isnan(v):
            return "—"
        if float(v).is_integer() and abs(v) < 1e15:
            return f"{int(v):,}" if abs(v) >= 10000 else str(int(v))
        a = abs(v)
        return f"{v:.3f}" if a < 10 else f"{v:.1f}" if a < 1000 else f"{v:,.0f}"
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}" if abs(int(v)) >= 10000 else str(int(v))
    return v


def readable(df: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """(a copy for display, whether to show its index)."""
    out = df.copy()
    plain_index = isinstance(out.index, pd.RangeIndex) or (
        out.index.name is None and pd.api.types.is_integer_dtype(out.index) and list(out.index) == list(range(len(out)))
    )
    for c in out.columns:
        out[c] = [_cell(v) for v in out[c]]
    out.columns = [_label(c) for c in out.columns] if not isinstance(out.columns, pd.MultiIndex) else out.columns
    if not plain_index:
        if isinstance(out.index, pd.MultiIndex):
            out.index = out.index.set_names([_label(n) if n else n for n in out.index.names])
        else:
            out.index = pd.Index(
                [_label(v) if isinstance(v, str) else _cell(v) for v in out.index],
                name=_label(out.index.name) if out.index.name else None,
            )
    if out.columns.name:
        out.columns.name = _label(out.columns.name)
    return out, not plain_index


_counter = {"table": itertools.count(1), "figure": itertools.count(1)}
LONG_TABLE = 15  # rows from which a table gets a search box and sortable columns


def table_html(df: pd.DataFrame) -> str:
    """A numbered, downloadable, readable table."""
    if df.shape[0] == 0:
        return '<p class="empty-result"><em>Nothing of this kind in this corpus (the table has no rows).</em></p>'
    n = next(_counter["table"])
    shown, with_index = readable(df)
    body = shown.to_html(index=with_index, escape=True, border=0, classes="dataframe analysis-table", na_rep="—")
    csv = df.to_csv(index=not isinstance(df.index, pd.RangeIndex)).encode("utf-8-sig")
    link = (
        f'<a class="csv" download="table-{n}.csv" '
        f'href="data:text/csv;base64,{base64.b64encode(csv).decode()}">download the data (CSV)</a>'
    )
    long = " long" if df.shape[0] >= LONG_TABLE else ""
    return (
        f'<div class="analysis-table-wrap{long}" data-table="{n}"><div class="table-head">Table {n} · '
        f"{df.shape[0]} row{'s' if df.shape[0] != 1 else ''} · {link}</div>{body}</div>"
    )


def _describe(fig) -> str:
    """Alt text and caption from a figure's titles and axis labels."""
    parts = []
    if getattr(fig, "_suptitle", None) is not None and fig._suptitle.get_text():
        parts.append(fig._suptitle.get_text())
    for ax in fig.get_axes():
        bits = [ax.get_title()] if ax.get_title() else []
        if ax.get_xlabel():
            bits.append(f"x: {ax.get_xlabel()}")
        if ax.get_ylabel():
            bits.append(f"y: {ax.get_ylabel()}")
        if bits:
            parts.append("; ".join(bits))
    text = " — ".join(dict.fromkeys(p for p in parts if p))
    return text or "a chart of the data in the table above"


def figure_html(fig) -> str | None:
    """A numbered figure with a caption and alt text (the PNG embedded); None
    for a figure with nothing drawn (IPython then shows nothing)."""
    from IPython.core.pylabtools import print_figure

    from analysis.reporting.plots import polish

    png = print_figure(polish(fig), "png", bbox_inches="tight") if fig.get_children()[1:] else None
    if not png:
        return None
    n = next(_counter["figure"])
    caption = getattr(fig, "caption", None) or _describe(fig)
    alt = getattr(fig, "alt", None) or caption
    return (
        f'<figure class="analysis-figure"><img src="data:image/png;base64,{base64.b64encode(png).decode()}" '
        f'alt="{html.escape(f"Figure {n}: {alt}", quote=True)}"/>'
        f"<figcaption><strong>Figure {n}.</strong> {html.escape(caption)}</figcaption></figure>"
    )


def install(shell=None) -> None:
    """Register the table and figure formatters in this IPython kernel (a no-op outside one)."""
    try:
        from IPython import get_ipython
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover
        return
    shell = shell or get_ipython()
    if shell is None:
        return
    fmt = shell.display_formatter.formatters
    fmt["text/html"].for_type(pd.DataFrame, table_html)
    # matplotlib's inline backend drops every formatter registered for Figure whenever it configures itself;
    # a figure's own _repr_html_ is what IPython asks for besides
    Figure._repr_html_ = figure_html
    # the figure's HTML embeds its PNG: a second PNG (IPython computes every format it can) would
    # draw each figure twice and store it twice in the notebook, for a page that shows only the HTML
    fmt["image/png"].enabled = False
    for k in _counter:
        _counter[k] = itertools.count(1)


# the few lines of script a page needs for its long tables (search and sort; offline)
TABLE_SCRIPT = """
<script>
document.querySelectorAll('.analysis-table-wrap.long').forEach(function (wrap) {
  var table = wrap.querySelector('table'); if (!table) return;
  var input = document.createElement('input'); input.type = 'search'; input.placeholder = 'search this table';
  input.className = 'table-search'; wrap.insertBefore(input, table);
  var rows = function () { return Array.prototype.slice.call(table.tBodies[0].rows); };
  input.addEventListener('input', function () {
    var q = input.value.toLowerCase();
    rows().forEach(function (r) { r.style.display = r.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none'; });
  });
  var heads = table.tHead ? table.tHead.rows[table.tHead.rows.length - 1].cells : [];
  Array.prototype.forEach.call(heads, function (th, i) {
    th.style.cursor = 'pointer'; th.title = 'sort';
    th.addEventListener('click', function () {
      var asc = th.dataset.sort !== 'asc'; th.dataset.sort = asc ? 'asc' : 'desc';
      var key = function (r) { var t = r.cells[i] ? r.cells[i].textContent.trim() : '';
        var x = parseFloat(t.replace(/[,%]/g, '')); return isNaN(x) ? t : x; };
      rows().sort(function (a, b) { var x = key(a), y = key(b);
        var c = (typeof x === typeof y) ? (x < y ? -1 : x > y ? 1 : 0) : (typeof x === 'number' ? -1 : 1);
        return asc ? c : -c; }).forEach(function (r) { table.tBodies[0].appendChild(r); });
    });
  });
});
</script>
"""

STYLE = """
.analysis-table-wrap{margin:.6em 0 1.2em 0}
.analysis-table-wrap .table-head{font-size:.85em;color:#57606a;margin-bottom:.2em}
.analysis-table-wrap .table-search{margin:.2em 0 .4em 0;padding:.2em .4em;width:18em}
figure.analysis-figure{margin:1em 0} figure.analysis-figure img{max-width:100%}
figure.analysis-figure figcaption{font-size:.9em;color:#24292f;max-width:60em}
p.empty-result{color:#57606a}
"""
