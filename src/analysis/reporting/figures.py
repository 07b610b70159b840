"""The reports' figures of the methods' results.

Each function takes the tables a method returns (:mod:`analysis.methods.sentiment`,
:mod:`analysis.methods.themes`, :mod:`analysis.methods.reuse`, :mod:`analysis.methods.tag`) and
returns a matplotlib ``Figure`` with Chinese set in the bundled CJK font
(:mod:`analysis.reporting.plots`); the methods themselves draw nothing. Where there is
nothing to draw, a figure saying so (:func:`analysis.reporting.plots.nothing`).

Sentiment: :func:`plot_validation_summary`, :func:`plot_confusion_matrices`,
:func:`plot_distribution`, :func:`plot_arcs`, :func:`plot_emotion_profile`.
Themes: :func:`plot_wordcloud`, :func:`plot_code_heatmap`,
:func:`plot_cooccurrence_network`, :func:`plot_code_sentiment`.
Reuse: :func:`plot_reuse_heatmap`. Tags: :func:`plot_genre_counts`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import matplotlib.pyplot as plt

from analysis.methods import sentiment, tag, themes
from analysis.config import RANDOM_SEED
from analysis.frames import require
from analysis.reporting.plots import (
    SENTIMENT_COLOURS,
    cjk_context,
    cjk_font_path,
    figure,
    nothing,
    setup_cjk_font,
    spread_labels,
)
from analysis.resources import ResourceError
from analysis.methods.reuse import reuse_matrix


# ------------------------------------------------------------ sentiment


# How a grouping column is named in figures: essay_label holds the essays' short labels (E01 …)
GROUP_NAMES = {"essay_label": "essay", "essay_id": "essay"}


# Above this many groups (essays), plot_distribution shows the half with the
# lowest and the half with the highest mean score.
MAX_PLOT_GROUPS = 60


def plot_validation_summary(results: dict[str, pd.DataFrame]):
    """Bars of out-of-fold macro-F1, accuracy and kappa per method (fold SD as error bars)."""
    setup_cjk_font()
    s = results["summary"]
    fig, ax = plt.subplots(figsize=(8, 3.8))
    metrics = ["macro_f1", "accuracy", "kappa"]
    width = 0.8 / len(metrics)
    xs = np.arange(len(s))
    for i, met in enumerate(metrics):
        ax.bar(xs + (i - 1) * width, s[met].to_numpy(float), width, label=met)
    if "macro_f1_fold_sd" in s:
        has_sd = s["macro_f1_fold_sd"].notna().to_numpy()
        ax.errorbar(
            xs[has_sd] - width,
            s["macro_f1"].to_numpy(float)[has_sd],
            yerr=s["macro_f1_fold_sd"].to_numpy(float)[has_sd],
            fmt="none",
            ecolor="black",
            capsize=3,
        )
    ax.set_xticks(xs, s["method"], rotation=20, ha="right")
    ax.set_ylim(min(0.0, float(s["kappa"].min()) - 0.05), 1.0)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_title("Sentence sentiment vs the hand-coded sample (out-of-fold; error bars: SD over folds)", fontsize=10)
    ax.legend(ncol=3, fontsize=8)
    fig.tight_layout()
    plt.close(fig)
    return fig


def plot_confusion_matrices(results: dict[str, pd.DataFrame], *, methods: Sequence[str] | None = None):
    """One confusion matrix per method (rows gold, columns predicted), counts annotated."""
    setup_cjk_font()
    methods = list(methods or [m for m in sentiment.METHODS if f"confusion_{m}" in results])
    fig, axes = plt.subplots(1, len(methods), figsize=(3.6 * len(methods), 3.4), squeeze=False)
    for ax, m in zip(axes[0], methods):
        cm = results[f"confusion_{m}"]
        ax.imshow(cm.to_numpy(float), cmap="Blues")
        ax.set_xticks(range(cm.shape[1]), cm.columns, rotation=30, ha="right")
        ax.set_yticks(range(cm.shape[0]), cm.index)
        top = cm.to_numpy().max() or 1
        for i in range(cm.shape[0]):
            for j in range(cm.shape[1]):
                v = cm.iat[i, j]
                ax.text(j, i, str(v), ha="center", va="center", color="white" if v > 0.6 * top else "black")
        ax.set_title(m)
        ax.set_xlabel("predicted")
        ax.set_ylabel("coded sample")
    fig.tight_layout()
    plt.close(fig)
    return fig


def plot_distribution(
    df: pd.DataFrame,
    *,
    group: str | None = None,
    score_column: str = "sentiment_score",
    label_column: str = "sentiment_label",
):
    """Score distribution (box plot) and label shares (stacked bars) per group.

    ``df``: sentences (or essays with an aggregate score column, then pass
    ``score_column="sentiment_mean"`` and a label column if any). ``group``:
    e.g. "essay_id", "genre", "narrator"; a missing column gives one group.
    Of more than :data:`MAX_PLOT_GROUPS` groups, the lowest and highest by
    mean score are shown, and the titles say so.
    """
    setup_cjk_font()
    require(df, [score_column], "plot_distribution")
    keys, gname = sentiment.group_keys(df, group)
    order = list(pd.unique(keys))
    title_note = ""
    if len(order) > MAX_PLOT_GROUPS:  # one row per group would make the figure as long as the corpus
        means = df[score_column].astype(float).groupby(keys.to_numpy()).mean().reindex(order).fillna(0.0)
        half = MAX_PLOT_GROUPS // 2
        ranked = means.sort_values(kind="stable")
        shown = set(ranked.index[:half]) | set(ranked.index[-half:])
        title_note = f"\n({half} lowest and {half} highest mean of {len(order)})"
        order = [k for k in order if k in shown]
        df, keys = df[keys.isin(shown).to_numpy()], keys[keys.isin(shown)]
    data = [df.loc[keys == k, score_column].astype(float).dropna().to_numpy() for k in order]
    has_labels = label_column in df.columns
    fig, axes = plt.subplots(
        1, 2 if has_labels else 1, figsize=(11 if has_labels else 6, max(3, 0.35 * len(order) + 1.5)), squeeze=False
    )
    ax = axes[0][0]
    ax.boxplot(data, orientation="horizontal", tick_labels=order) if len(order) else None
    ax.invert_yaxis()
    ax.set_xlabel(score_column)
    ax.set_title(f"score by {GROUP_NAMES.get(gname, gname)}{title_note}")
    if has_labels:
        shares = sentiment.label_shares(df, group=group, label_column=label_column).reindex(order)
        left = np.zeros(len(order))
        colors = SENTIMENT_COLOURS
        ax2 = axes[0][1]
        for lab in sentiment.LABELS:
            ax2.barh(order, shares[lab].to_numpy(), left=left, color=colors[lab], label=lab)
            left += shares[lab].to_numpy()
        ax2.invert_yaxis()
        ax2.set_xlim(0, 1)
        ax2.set_title(f"label shares by {GROUP_NAMES.get(gname, gname)}{title_note}")
        ax2.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    plt.close(fig)
    return fig


def plot_arcs(
    sentences: pd.DataFrame,
    *,
    by: str = "essay_id",
    score_column: str = "sentiment_score",
    bandwidth: float = 0.1,
    max_essays: int = 12,
    label_chars: int = 0,
):
    """Small multiples of the smoothed arc of each essay, sentence scores as
    dots, its peak (▲) and trough (▼) marked (:func:`arc_extremes` lists their
    sentences). ``label_chars`` > 0 also writes that many first characters of
    each, inside the panel."""
    setup_cjk_font()
    arcs = sentiment.sentiment_arc(sentences, by=by, score_column=score_column, bandwidth=bandwidth)
    ext = sentiment.arc_extremes(sentences, by=by, score_column=score_column, bandwidth=bandwidth)
    keys = list(pd.unique(sentences[by]))[:max_essays]
    ncols = 3 if len(keys) > 4 else max(1, len(keys))
    nrows = max(1, math.ceil(len(keys) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 2.6 * nrows), squeeze=False, sharey=True)
    for ax, key in zip(axes.flat, keys):
        g = sentences[sentences[by] == key]
        a = arcs[arcs[by] == key]
        ax.scatter(g["position"], g[score_column], s=8, color="#999999")
        ax.plot(a["position"], a["smoothed"], color="#4C72B0")
        ax.axhline(
            sentiment.NEUTRAL_SCORE.get(sentiment.DEFAULT_METHOD, 0.0) if score_column == "sentiment_score" else 0.0,
            color="black",
            linewidth=0.5,
        )
        for r in ext[ext[by] == key].itertuples():
            peak = r.kind == "peak"
            ax.plot(
                [r.position],
                [r.smoothed],
                marker="^" if peak else "v",
                markersize=7,
                linestyle="none",
                color="#2E7D32" if peak else "#C62828",
                label="peak" if peak else "trough",
                clip_on=False,
            )
            if label_chars > 0:
                ha = "left" if r.position < 0.25 else "right" if r.position > 0.75 else "center"
                ax.annotate(
                    str(r.text)[:label_chars],
                    (r.position, r.smoothed),
                    fontsize=7,
                    ha=ha,
                    xytext=(0, 8 if peak else -12),
                    textcoords="offset points",
                    annotation_clip=True,
                )
        ax.set_title(str(key), fontsize=9)
        ax.set_xlim(0, 1)
    for ax in list(axes.flat)[len(keys) :]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    if handles:
        by_label = dict(zip(labels, handles))
        axes.flat[0].legend(by_label.values(), by_label.keys(), fontsize=7, loc="lower right")
    fig.suptitle("Sentiment along each essay (smoothed; position 0 = start, 1 = end; ▲ peak, ▼ trough)")
    fig.tight_layout()
    plt.close(fig)
    return fig


def plot_emotion_profile(
    sentences: pd.DataFrame, *, by: str | None = "essay_id", normalize: bool = True, include_none: bool = False
):
    """Heat map of emotion shares (or counts) per group: rows groups, columns 好 乐 哀 怒 惧 恶 惊."""
    setup_cjk_font()
    prof = sentiment.emotion_profile(sentences, by=by if by in sentences.columns else None, normalize=normalize)
    if not include_none:
        prof = prof.drop(columns="无")
    fig, ax = plt.subplots(figsize=(6.5, max(2.2, 0.35 * len(prof) + 1.2)))
    im = ax.imshow(prof.to_numpy(float), cmap="Purples", aspect="auto")
    ax.set_xticks(range(prof.shape[1]), prof.columns)
    ax.set_yticks(range(prof.shape[0]), [str(i) for i in prof.index])
    fmt = "{:.0%}" if normalize else "{:.0f}"
    top = prof.to_numpy(float).max() or 1
    for i in range(prof.shape[0]):
        for j in range(prof.shape[1]):
            v = prof.iat[i, j]
            ax.text(
                j, i, fmt.format(v), ha="center", va="center", fontsize=7, color="white" if v > 0.6 * top else "black"
            )
    fig.colorbar(im, ax=ax, fraction=0.03)
    ax.set_title("DUTIR emotions" + (" (share of sentences)" if normalize else " (sentences)"))
    fig.tight_layout()
    plt.close(fig)
    return fig


# ------------------------------------------------------------ themes


def plot_wordcloud(
    keywords: pd.DataFrame | Mapping[str, float] | pd.Series,
    *,
    title: str | None = None,
    max_words: int = 100,
    width: int = 800,
    height: int = 500,
    seed: int = RANDOM_SEED,
) -> Any:
    """Word cloud of word weights: a mapping, a Series, or a keywords frame (word, score; summed per word)."""
    from wordcloud import WordCloud

    if isinstance(keywords, pd.DataFrame):
        require(keywords, ["word", "score"], "keywords table")
        freqs = keywords.groupby("word")["score"].sum().to_dict()
    else:
        freqs = dict(keywords)
    freqs = {str(w): float(v) for w, v in freqs.items() if v and v > 0}
    if not freqs:
        raise ValueError("no positive word weights to draw")
    wc = WordCloud(
        font_path=str(cjk_font_path()),
        width=width,
        height=height,
        background_color="white",
        max_words=max_words,
        random_state=seed,
        prefer_horizontal=0.95,
    )
    image = wc.generate_from_frequencies(freqs).to_array()
    fig, family = figure((width / 100, height / 100))
    with cjk_context(family):
        ax = fig.subplots()
        ax.imshow(image, interpolation="bilinear")
        ax.set_axis_off()
        if title:
            ax.set_title(title)
    return fig


def plot_code_heatmap(
    counts_df: pd.DataFrame,
    *,
    by: str = "essay_id",
    essays: pd.DataFrame | None = None,
    value: str = "share",
    codebook: themes.Codebook | Mapping | str | Path | None = None,
    annotate: bool | None = None,
    max_rows: int = 60,
) -> Any:
    """Heatmap of code prevalence: rows = essays (``by="essay_id"``) or groups (e.g. ``by="genre"``).

    In: :func:`essay_code_counts` output (merge a group column in, or pass
    ``essays`` holding essay_id and ``by``). ``value``: ``share`` (mean share
    of paragraphs per row) or ``count`` (summed paragraphs). Only the first
    ``max_rows`` rows are drawn (the title says so): plot groups for large corpora.
    """
    if value not in ("share", "count"):
        raise ValueError(f"unknown value {value!r}; valid: share, count")
    cb = themes.resolve_codebook(codebook)
    df = themes.attach_group(counts_df, by, essays)
    cols = [f"theme_{c}_share" if value == "share" else f"theme_{c}" for c in cb.ids]
    require(df, [by, *cols], "code counts table")
    agg = df.groupby(by, sort=False)[cols]
    mat = agg.mean() if value == "share" else agg.sum()
    n_rows = len(mat)
    mat = mat.head(max_rows)
    fig, family = figure((1.0 + 0.75 * len(cols), 1.2 + 0.32 * len(mat)))
    with cjk_context(family):
        ax = fig.subplots()
        if n_rows > len(mat):
            ax.set_title(f"first {len(mat)} of {n_rows} rows")
        im = ax.imshow(
            mat.to_numpy(dtype=float), aspect="auto", cmap="YlOrRd", vmin=0, vmax=1 if value == "share" else None
        )
        ax.set_xticks(range(len(cols)), [themes.code_name(c, cb) for c in cb.ids], rotation=45, ha="right")
        ax.set_yticks(range(len(mat)), [str(i) for i in mat.index])
        ax.set_ylabel({"essay_label": "essay", "essay_id": "essay"}.get(by, by))
        if annotate if annotate is not None else mat.size <= 400:
            for (i, j), v in np.ndenumerate(mat.to_numpy(dtype=float)):
                ax.text(j, i, f"{v:.2f}" if value == "share" else f"{int(v)}", ha="center", va="center", fontsize=7)
        fig.colorbar(im, ax=ax, label="share of paragraphs" if value == "share" else "paragraphs")
    return fig


def plot_cooccurrence_network(
    data: pd.DataFrame,
    *,
    top_n: int = 20,
    weight: str = "count",
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    seed: int = RANDOM_SEED,
) -> Any:
    """Network of the ``top_n`` strongest links.

    ``data``: a square co-occurrence matrix (:func:`code_cooccurrence`;
    the diagonal sizes the nodes, code ids are shown with their labels) or an
    edge list (:func:`word_cooccurrence`: word_a, word_b and ``weight``).
    """
    import networkx as nx

    if {"word_a", "word_b"} <= set(data.columns):
        require(data, [weight], "edge list")
        edges = data[["word_a", "word_b", weight]].to_numpy().tolist()
        node_size: dict = {}
    else:
        if list(data.index) != list(data.columns):
            raise ValueError("a co-occurrence matrix must be square with the same index and columns")
        mat = data.to_numpy(dtype=float)
        names = list(data.index)
        node_size = {n: mat[i, i] for i, n in enumerate(names)}
        iu, ju = np.triu_indices(len(names), k=1)
        edges = [(names[i], names[j], mat[i, j]) for i, j in zip(iu, ju) if mat[i, j] > 0]
        if labels is None:
            try:
                labels = themes.resolve_codebook(None).labels
            except ResourceError:
                labels = None
    edges = sorted(edges, key=lambda e: (-e[2], str(e[0]), str(e[1])))[:top_n]
    g = nx.Graph()
    g.add_weighted_edges_from(edges)
    fig, family = figure((7, 6))
    with cjk_context(family):
        ax = fig.subplots()
        ax.set_axis_off()
        if title:
            ax.set_title(title)
        if g.number_of_nodes() == 0:
            return nothing(f"{title or 'Co-occurrence'}: no two items occur together in a paragraph.")
        pos = nx.kamada_kawai_layout(g) if g.number_of_nodes() > 2 else nx.spring_layout(g, seed=seed)
        w = np.array([d["weight"] for _, _, d in g.edges(data=True)], dtype=float)
        widths = 1 + 6 * (w - w.min()) / (w.max() - w.min()) if w.max() > w.min() else np.full(len(w), 3.0)
        sizes = [node_size.get(n) or g.degree(n, weight="weight") for n in g.nodes]
        sizes = np.array(sizes, dtype=float)
        sizes = 300 + 1700 * sizes / sizes.max() if sizes.max() > 0 else np.full(len(sizes), 600.0)
        nx.draw_networkx_edges(g, pos, ax=ax, width=widths, edge_color="#999999", alpha=0.7)
        nx.draw_networkx_nodes(g, pos, ax=ax, node_size=sizes, node_color="#f4b183", edgecolors="#c55a11")
        names = {n: (f"{labels[n]} ({n})" if labels and n in labels and labels[n] != n else str(n)) for n in g.nodes}
        # labels beside their node, on a light box, moved apart where they would overlap
        ys = np.array([p[1] for p in pos.values()])
        lift = 0.06 * (ys.max() - ys.min() or 1)
        texts = [
            ax.text(
                x,
                y - lift,
                names[n],
                ha="center",
                va="top",
                fontsize=9,
                fontfamily=family,
                zorder=5,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
            )
            for n, (x, y) in pos.items()
        ]
        ax.margins(0.12)
        spread_labels(ax, texts)
    return fig


def plot_code_sentiment(code_sentiment_df: pd.DataFrame) -> Any:
    """Stacked bars: share of negative / neutral / positive sentences per code (:func:`code_sentiment`)."""
    cols = [f"share_{lab}" for lab in themes.SENTIMENT_LABELS]
    require(code_sentiment_df, ["code", "code_label", *cols], "code sentiment table")
    df = code_sentiment_df.reset_index(drop=True)
    fig, family = figure((7, 0.8 + 0.4 * len(df)))
    colours = SENTIMENT_COLOURS  # the sentiment report's colours

    with cjk_context(family):
        ax = fig.subplots()
        y = np.arange(len(df))
        left = np.zeros(len(df))
        for lab in themes.SENTIMENT_LABELS:
            vals = df[f"share_{lab}"].astype(float).fillna(0).to_numpy()
            ax.barh(y, vals, left=left, color=colours[lab], label=lab)
            left += vals
        ax.set_yticks(
            y,
            [
                f"{l} ({c}, n={n})" if c != "(all)" else f"{l} (n={n})"
                for l, c, n in zip(df["code_label"], df["code"], df["n_sentences"])
            ],
        )
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel("share of sentences")
        ax.legend(loc="lower right", fontsize=8)
    return fig


# ------------------------------------------------------------ reuse


# Above this many essays the heatmap shows the essays that share the most text
# (a figure growing with the corpus reached 340 inches and 24 GB of memory for
# the 975 essays of the People's Daily benchmark corpus).
MAX_HEATMAP_ESSAYS = 60


def plot_reuse_heatmap(
    units: pd.DataFrame, reuse: pd.DataFrame, *, essays: list[str] | None = None, labels: dict[str, str] | None = None
):
    """Heatmap of :func:`reuse_matrix`; returns a matplotlib Figure. Of more than
    :data:`MAX_HEATMAP_ESSAYS` essays, it shows those sharing the most text
    (given or taken, in corpus order) and its title says so."""
    setup_cjk_font()
    mat = reuse_matrix(units, reuse, essays=essays)
    title = "Share of each essay's text found in another essay"
    if len(mat) > MAX_HEATMAP_ESSAYS:
        shared = mat.sum(axis=1) + mat.sum(axis=0).reindex(mat.index)
        top = set(shared[shared > 0].sort_values(ascending=False, kind="stable").index[:MAX_HEATMAP_ESSAYS])
        keep = [e for e in mat.index if e in top]
        title += f"\n(the {len(keep)} essays sharing the most text, of {len(mat)})"
        mat = mat.loc[keep, keep]
    names = [(labels or {}).get(e, e) for e in mat.index]
    size = max(4.0, 0.35 * len(names) + 2)
    fig, ax = plt.subplots(figsize=(size + 1, size))
    if not names or not float(mat.to_numpy().max(initial=0)) > 0:  # no essay shares text
        plt.close(fig)
        return nothing("No essay shares a passage with another: there is no template reuse to show.")
    im = ax.imshow(mat.to_numpy(), cmap="Reds", vmin=0, vmax=max(0.01, float(mat.to_numpy().max())))
    ax.set_xticks(range(len(names)), names, rotation=90, fontsize=7)
    ax.set_yticks(range(len(names)), names, fontsize=7)
    ax.set_xlabel("shared with essay")
    ax.set_ylabel("essay")
    ax.set_title(title)
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="share of characters")
    fig.tight_layout()
    plt.close(fig)  # returned, not shown twice in notebooks
    return fig


# ------------------------------------------------------------ tag


def plot_genre_counts(essays: pd.DataFrame):
    """Bar chart of essays per genre, split by narrator; returns a matplotlib Figure."""
    setup_cjk_font()
    require(essays, {"genre", "narrator"}, "essays")
    present = list(dict.fromkeys(essays["genre"]))
    order = [g for g in tag.GENRES if g in present] + [g for g in present if g not in tag.GENRES]
    table = pd.crosstab(essays["genre"], essays["narrator"]).reindex(order)
    fig, ax = plt.subplots(figsize=(6, 3.2))
    table.plot.barh(stacked=True, ax=ax, width=0.7)
    ax.set_xlabel("essays")
    ax.set_ylabel("")
    ax.set_title("Genre by narrator")
    ax.invert_yaxis()
    ax.legend(title="narrator", fontsize=8)
    fig.tight_layout()
    plt.close(fig)  # returned, not shown twice in notebooks
    return fig
