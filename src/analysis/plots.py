"""Shared figure helpers: a CJK font from a package, never from the system.

:func:`setup_cjk_font` registers Noto Sans CJK SC, shipped by the ``mplfonts``
package, with matplotlib's font manager and makes it the default, so Chinese
renders in every figure on any machine (no empty boxes, no missing-glyph
warnings). Call it before plotting; the plotting functions of the package do.
"""

from __future__ import annotations

import functools
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib import font_manager

FONT_FILE = "NotoSansCJKsc-Regular.otf"


@functools.lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """Path of the bundled Noto Sans CJK SC font (from the mplfonts package)."""
    import mplfonts

    path = Path(mplfonts.__file__).parent / "fonts" / FONT_FILE
    if not path.is_file():
        raise FileNotFoundError(f"CJK font not found: {path} (reinstall the 'mplfonts' package)")
    return path


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
                ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=8,
                        color="white" if top and v > 0.6 * top else "black")
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


def finish(fig):
    """Close ``fig`` in pyplot (so notebooks do not show it twice) and return it:
    a notebook cell that ends with the call displays the returned Figure once."""
    fig.tight_layout()
    plt.close(fig)
    return fig


def cjk_webfont_css(text: str, *, family: str = "ReportCJK") -> str:
    """An ``@font-face`` rule embedding the CJK font, subset to the characters of
    ``text`` (WOFF, base64), so an HTML report shows Chinese on any machine,
    offline, without relying on system fonts. Empty when ``text`` has no CJK."""
    import base64
    import io as _io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    chars = {c for c in text if ord(c) > 0x2E7F}
    if not chars:
        return ""
    opts = subset.Options()
    opts.flavor = "woff"
    opts.hinting = False
    opts.layout_features = ["*"]
    font = TTFont(str(cjk_font_path()), lazy=True)
    sub = subset.Subsetter(opts)
    sub.populate(text="".join(sorted(chars)))
    sub.subset(font)
    buf = _io.BytesIO()
    font.flavor = "woff"
    font.save(buf)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f"@font-face{{font-family:'{family}';src:url(data:font/woff;base64,{data}) format('woff');"
            "font-display:block}")
