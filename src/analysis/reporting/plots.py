"""Shared figure helpers: a CJK font from a package, never from the system.

:func:`setup_cjk_font` registers Noto Sans CJK SC, shipped by the ``mplfonts``
package, with matplotlib's font manager and makes it the default, so Chinese
renders in every figure on any machine (no empty boxes, no missing-glyph
warnings). Call it before plotting; the plotting functions of the package do.
"""

from __future__ import annotations

import functools

import numpy as np

import matplotlib.pyplot as plt
from matplotlib import font_manager

from analysis.reporting.webfont import FONT_FILE, cjk_font_path  # noqa: F401 — re-exported


@functools.lru_cache(maxsize=1)
def setup_cjk_font() -> str:
    """Register the CJK font and make it matplotlib's default; returns its family name."""
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["font.sans-serif"] = [name, "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False  # the CJK font lacks U+2212
    plt.rcParams["figure.dpi"] = 100
    plt.rcParams["savefig.bbox"] = "tight"
    return name


def heatmap(matrix, *, title: str = "", cmap: str = "Blues", fmt: str = "{:.0f}", ax=None, vmin=None, vmax=None):
    """Annotated heatmap of a DataFrame (rows × columns); returns the Figure."""
    setup_cjk_font()
    n_rows, n_cols = matrix.shape
    if ax is None:
        fig, ax = plt.subplots(figsize=(max(4, 0.7 * n_cols + 2), max(2.5, 0.45 * n_rows + 1.2)))
    else:
        fig = ax.figure
    values = matrix.to_numpy(dtype=float)
    im = ax.imshow(values, cmap=cmap, aspect="auto", vmin=vmin, vmax=vmax)
    ax.set_xticks(range(n_cols), [str(c) for c in matrix.columns], rotation=45, ha="right")
    ax.set_yticks(range(n_rows), [str(r) for r in matrix.index])
    top = values.max() if values.size else 0
    for i in range(n_rows):
        for j in range(n_cols):
            v = values[i, j]
            if v == v:  # not NaN
                ax.text(
                    j,
                    i,
                    fmt.format(v),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if top and v > 0.6 * top else "black",
                )
    fig.colorbar(im, ax=ax, fraction=0.03)
    if title:
        ax.set_title(title)
    return finish(fig)


# One colour per sentiment label in every report's figures
SENTIMENT_COLOURS = {"negative": "#C44E52", "neutral": "#BBBBBB", "positive": "#55A868"}


def bar(series, *, title: str = "", xlabel: str = "", color: str = "#4C72B0", horizontal: bool = True):
    """Simple bar chart of a Series (index → value); returns the Figure."""
    setup_cjk_font()
    fig, ax = plt.subplots(figsize=(7, max(2.5, 0.32 * len(series) + 1)))
    if horizontal:
        ax.barh([str(i) for i in series.index][::-1], list(series.values)[::-1], color=color)
        ax.set_xlabel(xlabel)
    else:
        ax.bar([str(i) for i in series.index], list(series.values), color=color)
        ax.set_ylabel(xlabel)
        ax.tick_params(axis="x", rotation=45)
    if title:
        ax.set_title(title)
    return finish(fig)


def nothing(sentence: str):
    """What a plot function returns when there is nothing to draw: one
    sentence (shown in the notebook and report) instead of an empty figure."""
    from IPython.display import Markdown

    return Markdown(f"*{sentence}*")


def spread_labels(ax, texts, *, iterations: int = 80) -> None:
    """Move overlapping text labels of ``ax`` apart (vertically, then
    sideways), so no label is drawn over another."""
    texts = [t for t in texts if t.get_text()]
    if len(texts) < 2:
        return
    fig = ax.figure
    if not hasattr(fig.canvas, "get_renderer"):  # a Figure made without pyplot
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    inv = ax.transData.inverted()
    for _ in range(iterations):
        boxes = [t.get_window_extent(renderer).expanded(1.08, 1.25) for t in texts]
        moved = False
        for a in range(len(texts)):
            for b in range(a + 1, len(texts)):
                if not boxes[a].overlaps(boxes[b]):
                    continue
                moved = True
                dy = (boxes[a].y1 - boxes[b].y0) if boxes[a].y0 >= boxes[b].y0 else (boxes[b].y1 - boxes[a].y0)
                step = max(2.0, min(dy, boxes[a].height) / 2 + 1)
                sign = 1 if boxes[a].y0 >= boxes[b].y0 else -1
                for t, s_ in ((texts[a], sign), (texts[b], -sign)):
                    x, y = ax.transData.transform(t.get_position())
                    t.set_position(inv.transform((x, y + s_ * step)))
        if not moved:
            break


def _luminance(rgba) -> float:
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgba[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def polish(fig):
    """Readability fixes applied to every figure a report shows: numbers
    written on a heat map take black or white by the cell's colour (readable
    on dark and light cells alike), and an axis of counts (bars or a
    histogram whose lengths are all whole numbers) gets whole-number ticks."""
    from matplotlib.patches import Rectangle
    from matplotlib.ticker import MaxNLocator

    for ax in fig.axes:
        if ax.images:
            im = ax.images[0]
            arr = np.asarray(im.get_array(), dtype=float)
            if arr.ndim == 2:
                for t in ax.texts:
                    x, y = t.get_position()
                    i, j = int(round(y)), int(round(x))
                    if 0 <= i < arr.shape[0] and 0 <= j < arr.shape[1] and abs(y - i) < 0.3 and abs(x - j) < 0.3:
                        v = arr[i, j]
                        if v == v:
                            t.set_color("white" if _luminance(im.cmap(im.norm(v))) < 0.4 else "black")
        bars = [p for p in ax.patches if isinstance(p, Rectangle)]
        if bars:
            heights = np.array([p.get_height() for p in bars], dtype=float)
            widths = np.array([p.get_width() for p in bars], dtype=float)
            if np.allclose(heights, np.round(heights)) and heights.max(initial=0) >= 1:
                ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            if np.allclose(widths, np.round(widths)) and widths.max(initial=0) >= 1:
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return fig


def finish(fig):
    """Close ``fig`` in pyplot (so notebooks do not show it twice) and return it:
    a notebook cell that ends with the call displays the returned Figure once."""
    fig.tight_layout()
    plt.close(fig)
    return fig


def figure(figsize: tuple[float, float]):
    """A pyplot-free Figure whose texts use the CJK font, and the font's family
    name (draw inside :func:`cjk_context` with it)."""
    from matplotlib.figure import Figure

    family = setup_cjk_font()
    with cjk_context(family):
        fig = Figure(figsize=figsize, layout="constrained")
    return fig, family


def cjk_context(family: str):
    """matplotlib settings under which texts drawn use the CJK font ``family``."""
    import matplotlib as mpl

    return mpl.rc_context({"font.family": [family, "sans-serif"], "axes.unicode_minus": False})
