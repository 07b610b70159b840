"""One essay's profile: its provenance and tags, its sentiment counted as the
sentiment report counts it, its text shaded sentence by sentence, its
keywords, shared passages, named entities and cleaning changes."""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML, Markdown

from analysis.methods import sentiment, themes
from analysis.config import DEDUPE, KEEP_FRAMING
from analysis.reporting.corpus import Corpus
from analysis.reporting.views.keywords import corpus_tfidf_keywords
from analysis.reporting.views.selection import _among, framing_sentences, sentences

_LABEL_COLOURS = {"positive": "#d8f0d8", "neutral": "#f2f2f2", "negative": "#f9d6d5"}


def essay_metadata(corpus: Corpus, essay_id: str) -> pd.DataFrame:
    """Provenance and tags (with the evidence that decided each) of one essay."""
    e = corpus.essays
    row = e[e["essay_id"] == essay_id]
    if row.empty:
        raise ValueError(f"unknown essay_id {essay_id!r}; valid: {', '.join(e['essay_id'])}")
    r = row.iloc[0]
    # sentiment is summarised under Text, with the report's settings (one set of numbers)
    fields = [
        "essay_label",
        "essay_id",
        "title",
        "source_file",
        "ordinal",
        "line_start",
        "line_end",
        "encoding",
        "sha256",
        "n_chars",
        "n_paragraphs",
        "n_sentences",
        "n_placeholders",
        "n_changes",
        "share_original",
    ]
    rows = [(f, r[f], "") for f in fields if f in r.index]
    for tag in ["genre", "narrator", "person", "narrator_gender", "school_level", "setting", "places"]:
        if tag in r.index:
            rows.append((tag, r[tag], r.get(f"{tag}_evidence", "")))
    return pd.DataFrame(rows, columns=["field", "value", "evidence"]).set_index("field")


def essay_heading(corpus: Corpus, essay_id: str) -> Markdown:
    """The profile's heading line: the essay's label, title and id."""
    e = corpus.essays
    r = e[e["essay_id"] == essay_id]
    if r.empty:
        raise ValueError(f"unknown essay_id {essay_id!r}; valid: {', '.join(e['essay_id'])}")
    r = r.iloc[0]
    return Markdown(
        f"**{r.get('essay_label') or essay_id}** {html.escape(str(r.get('title') or ''))} "
        f"(essay id `{essay_id}`; every report calls it {r.get('essay_label') or essay_id})"
    )


def _left_out(corpus: Corpus, s: pd.DataFrame, *, dedupe: bool, keep_framing: bool) -> pd.Series:
    """Why each sentence of ``s`` is left out of the figures with these
    settings — "framing line", "copied from an earlier essay" — or "" when it
    is counted: the rule of :func:`sentences` (framing first, then copies)."""
    frames = framing_sentences(corpus) if not keep_framing else frozenset()
    is_frame = _among(s["sentence_id"], frames)
    copied = (
        (s["reused_from"].fillna("") != "").to_numpy() if dedupe and "reused_from" in s.columns else is_frame & False
    )
    why = ["framing line" if f else "copied from an earlier essay" if c else "" for f, c in zip(is_frame, copied)]
    return pd.Series(why, index=s.index, dtype=object)


def essay_sentiment(
    corpus: Corpus, essay_id: str, *, method: str = "", dedupe: bool = DEDUPE, keep_framing: bool = KEEP_FRAMING
) -> Markdown:
    """The essay's sentiment summary, computed exactly as the sentiment report
    computes its row (same method, dedupe and framing settings), with what was
    left out and why — so the two pages give one set of numbers."""
    every = sentences(corpus, method=method, essay_id=essay_id, dedupe=False, keep_framing=True)
    why = _left_out(corpus, every, dedupe=dedupe, keep_framing=keep_framing)
    counted = every[why == ""]
    parts = []
    if (why == "framing line").any():
        parts.append(f"{int((why == 'framing line').sum())} framing line(s) (headings, bylines, greetings)")
    if (why == "copied from an earlier essay").any():
        n = int((why == "copied from an earlier essay").sum())
        parts.append(f"{n} sentence(s) copied from an earlier essay (counted there)")
    settings = (
        f"method {method or sentiment.DEFAULT_METHOD}; reused passages "
        + ("counted once" if dedupe else "counted in every essay")
        + "; framing lines "
        + ("counted" if keep_framing else "left out")
    )
    if counted.empty:
        return Markdown(
            f"No sentence of this essay is counted with these settings ({settings}): "
            + ("; ".join(parts) or "it has no sentences")
            + "."
        )
    shares = counted["sentiment_label"].value_counts(normalize=True)
    text = (
        f"**{len(counted)} of {len(every)} sentences counted**, as in the sentiment report ({settings})"
        + (": left out " + " and ".join(parts) if parts else "")
        + ". "
        f"Mean score {counted['sentiment_score'].mean():.3f}; "
        + ", ".join(f"{shares.get(k, 0):.0%} {k}" for k in ("positive", "neutral", "negative"))
        + ". The arc below uses the same sentences; the text shows every sentence, those not counted in grey."
    )
    return Markdown(text)


def shaded_text(
    corpus: Corpus, essay_id: str, *, method: str = "", dedupe: bool = DEDUPE, keep_framing: bool = KEEP_FRAMING
) -> HTML:
    """The clean essay, each sentence shaded by its sentiment label (hover for the
    score) and each paragraph tagged with its codes. Sentences the sentiment
    figures leave out with these ``dedupe``/``keep_framing`` settings are grey,
    with the reason on hover. All corpus text is escaped."""
    s = sentences(corpus, method=method, essay_id=essay_id, dedupe=False, keep_framing=True)
    why = dict(zip(s["sentence_id"], _left_out(corpus, s, dedupe=dedupe, keep_framing=keep_framing)))
    p = corpus.essay_rows("paragraphs", essay_id)
    by_para: dict = {}  # paragraph id → its sentences (id, label, score, text), in order
    for row in zip(s["paragraph_id"], s["sentence_id"], s["sentiment_label"], s["sentiment_score"], s["text"]):
        by_para.setdefault(row[0], []).append(row[1:])
    legend = " ".join(f'<span style="background:{c};padding:0 .4em">{lab}</span>' for lab, c in _LABEL_COLOURS.items())
    out = [
        f'<p data-static style="font-size:.9em">Sentence shading: {legend}; <span style="color:#8c959f">grey: not counted '
        f"(a framing line, or copied from an earlier essay)</span>; codes of each paragraph in [brackets].</p>"
    ]
    codes_of = p["codes"].tolist() if "codes" in p.columns else [[]] * len(p)
    for pid, heading, para_codes in zip(p["paragraph_id"], p["is_heading"], codes_of):
        codes = [themes.code_name(c) for c in list(para_codes if para_codes is not None else [])]
        badge = (
            f'<span style="color:#0b6bcb;font-size:.85em">[{html.escape(", ".join(codes))}]</span> ' if codes else ""
        )
        spans = []
        for sid, label, score, text in by_para.get(pid, []):
            if not why.get(sid):
                colour = _LABEL_COLOURS.get(label, "#ffffff")
                spans.append(
                    f'<span title="{label} {score:.2f}" style="background:{colour}">{html.escape(text)}</span>'
                )
            else:
                spans.append(f'<span title="not counted: {why[sid]}" style="color:#8c959f">{html.escape(text)}</span>')
        weight = "font-weight:bold;" if heading else ""
        out.append(f'<p style="line-height:1.9;{weight}">{badge}{"".join(spans)}</p>')
    return HTML("".join(out))


def essay_keywords(corpus: Corpus, essay_id: str, *, top_n: int = 15) -> pd.DataFrame:
    """This essay's TF-IDF keywords (IDF over the whole corpus) and TextRank keywords."""
    tf = corpus_tfidf_keywords(corpus, top_n=top_n)
    tr = themes.textrank_keywords(corpus.essay_rows("paragraphs", essay_id), top_n=top_n)
    tf = tf[tf["essay_id"] == essay_id].reset_index(drop=True)
    return pd.DataFrame(
        {
            "tfidf_word": tf["word"],
            "tfidf": tf.get("score", tf.iloc[:, -1]).round(3),
            "textrank_word": tr["word"].reset_index(drop=True),
        }
    )


def essay_reuse(corpus: Corpus, essay_id: str) -> pd.DataFrame:
    """Passages this essay shares with other essays (template reuse)."""
    if not corpus.has("reuse"):
        return pd.DataFrame({"note": ["no reuse table in this build"]})
    r = corpus.table("reuse")
    mine = r[(r["essay_a"] == essay_id) | (r["essay_b"] == essay_id)]
    if mine.empty:
        return pd.DataFrame({"note": ["no passage of this essay is shared with another essay"]})
    cols = [c for c in ["essay_a", "essay_b", "similarity", "passage_a", "passage_b"] if c in mine.columns]
    out = mine[cols].reset_index(drop=True)
    names = dict(zip(corpus.essays["essay_id"], corpus.essays["essay_label"])) if "essay_label" in corpus.essays else {}
    for col in ("essay_a", "essay_b"):  # E01 … as in every table
        out[col] = [names.get(e, e) for e in out[col]]
    return out.rename(
        columns={
            "essay_a": "essay",
            "essay_b": "shared with",
            "passage_a": "passage",
            "passage_b": "passage in the other essay",
        }
    )


def essay_entities(corpus: Corpus, essay_id: str) -> pd.DataFrame:
    """Named people, places and organisations in this essay (pseudonymised)."""
    if not corpus.has("entities"):
        return pd.DataFrame({"note": ["no entities table in this build"]})
    e = corpus.essay_rows("entities", essay_id)
    if e.empty:
        return pd.DataFrame({"note": ["no entities found"]})
    return (
        e.groupby(["text", "type", "role"])
        .size()
        .rename("mentions")
        .reset_index()
        .sort_values("mentions", ascending=False, kind="mergesort")
        .reset_index(drop=True)
    )


def essay_cleaning(corpus: Corpus, essay_id: str) -> pd.DataFrame:
    """Every cleaning change made to this essay, and its data-quality flags."""
    log = corpus.essay_rows("cleaning_log", essay_id)[["line", "rule", "before", "after", "context"]]
    flags = corpus.essay_rows("quality_flags", essay_id)
    rows = [log.assign(kind="change")]
    if len(flags):
        rows.append(
            pd.DataFrame(
                {
                    "line": flags["line"],
                    "rule": flags["flag"],
                    "before": "",
                    "after": "",
                    "context": flags["detail"],
                    "kind": "flag",
                }
            )
        )
    return pd.concat(rows, ignore_index=True)
