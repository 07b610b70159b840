"""The themes report's views of the codes and topics: paragraphs recoded with
another codebook, topic models with their stability, code tables named as in
every figure, the passages behind each code and keyword-in-context lines."""

from __future__ import annotations

import html
import re

import pandas as pd
from IPython.display import HTML, Markdown

from analysis.methods import themes


def recode(p: pd.DataFrame, *, codebook_path: str = "") -> pd.DataFrame:
    """Paragraphs coded with another codebook file (the build's codes otherwise)."""
    return themes.code_paragraphs(p, codebook=codebook_path) if codebook_path else p


def topic_models(p: pd.DataFrame, *, k: int, method: str) -> dict:
    """Stability across k around the requested one, and the model for ``k``.

    A corpus too small for ``k`` topics gets the largest feasible k, and the
    note says so (a report on a small corpus still renders)."""
    upper = themes.topic_capacity(p, method=method)
    if upper < 2:
        return {
            "note": Markdown("Too few paragraphs with enough content words for topic modelling."),
            "stability": pd.DataFrame(),
            "model": None,
        }
    used = min(k, upper)
    note = f"Topic model: {method.upper()} with k = {used}." + (
        f" (k = {k} was requested, but this corpus supports at most {upper}.)" if used != k else ""
    )
    # stability refits on 80% subsamples, which support fewer topics
    sub_upper = int(upper * 0.8)
    ks = range(max(2, used - 2), min(sub_upper, used + 2) + 1)
    stability = themes.topic_stability(p, ks=ks, method=method, sample=0.8) if len(ks) else pd.DataFrame()
    return {"note": Markdown(note), "stability": stability, "model": themes.topics(p, k=used, method=method)}


def code_matrix(m: pd.DataFrame) -> pd.DataFrame:
    """A code × code table (e.g. :func:`analysis.methods.themes.code_cooccurrence`) with
    the codes named as in every figure: Chinese label with the id."""
    out = m.copy()
    out.index = pd.Index([themes.code_name(c) for c in out.index], name="code")
    out.columns = [themes.code_name(c) for c in out.columns]
    return out


def code_passages(p: pd.DataFrame, *, per_code: int = 3, chars: int = 120) -> pd.DataFrame:
    """For every code, the first paragraphs that carry it (the passages behind the code)."""
    rows = []
    for code in themes.load_codebook().ids:
        hits = p[p["codes"].map(lambda t, code=code: code in list(t))]
        for r in hits.head(per_code).itertuples():
            para = re.search(r"-p0*(\d+)$", str(r.paragraph_id))
            rows.append(
                {
                    "code": themes.code_name(code),
                    "n_paragraphs": len(hits),
                    "essay": getattr(r, "essay_label", None) or r.essay_id,
                    "paragraph": int(para.group(1)) if para else r.paragraph_id,
                    "text": r.text[:chars] + ("…" if len(r.text) > chars else ""),
                }
            )
    return pd.DataFrame(rows)


def concordance(p: pd.DataFrame, terms: list[str], *, window: int = 15, max_lines: int = 15) -> HTML:
    """Aligned keyword-in-context lines for each term (at most ``max_lines``,
    spread over the essays), each naming its essay."""
    parts = [
        '<p class="note">Counted in the paragraphs this report analyses (with its <code>dedupe</code> and '
        "<code>keep_framing</code> settings): a passage copied into several essays counts once, so a count can be lower "
        "than the overview's top words, which count every sentence.</p>"
    ]
    for term in terms:
        k = themes.kwic(p, term, window=window)
        shown = (
            k.groupby("essay_id", sort=False).head(max(1, max_lines // max(1, k["essay_id"].nunique())))
            if len(k)
            else k
        )
        shown = shown.head(max_lines)
        parts.append(
            f"<h3>{html.escape(term)}: {len(k)} occurrences in {k['essay_id'].nunique() if len(k) else 0} essays"
            + (f" (showing {len(shown)})" if len(shown) < len(k) else "")
            + "</h3>"
        )
        if len(k) and "essay_label" in p.columns:  # essays named E01 … as in every table
            shown = shown.assign(
                essay=shown["essay_id"].map(p.drop_duplicates("essay_id").set_index("essay_id")["essay_label"])
            )
        parts.append(
            themes.format_kwic(shown, html_output=True, id_column="essay" if "essay" in shown.columns else "essay_id")
            if len(k)
            else "<p>No occurrences.</p>"
        )
    return HTML("".join(parts))
