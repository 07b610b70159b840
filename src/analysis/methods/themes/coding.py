"""Coding text with the codebook (substring matching, so jieba's segmentation does not
matter), per paragraph and per essay, and the codebook scored against a hand-coded sample."""

from __future__ import annotations

import bisect
import functools
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.frames import require
from analysis.ingest.segment import split_sentences
from analysis.methods.themes.codebook import Code, Codebook, Rule, resolve_codebook

_CODES_SPLIT_RE = re.compile(r"[;；,，\s]+")
_CODE_TOKEN_RE = re.compile(r"[a-z][a-z0-9_]*")


# --------------------------------------------------------------------------
# Codebook: matching
# --------------------------------------------------------------------------


def _sentence_starts(text: str) -> list[int]:
    """Start offsets of the sentences of ``text`` (as cut by ``split_sentences``)."""
    starts, pos = [], 0
    for s in split_sentences(text):
        i = text.find(s, pos)
        if i < 0:  # cannot happen with split_sentences' stripping, but never lose text
            i = pos
        starts.append(i)
        pos = i + len(s)
    return starts or [0]


def _occurrences(text: str, cb: Codebook) -> list[tuple[int, int, str]]:
    """Every (start, end, term) of every listed term, overlaps included."""
    # A first-character index with set look-ups beats one big regex
    # alternation here: ``re`` would try every branch at every position.
    occ: list[tuple[int, int, str]] = []
    lengths, literals = cb.lengths_by_first, cb.literals
    for i, ch in enumerate(text):
        ls = lengths.get(ch)
        if ls is None:
            continue
        for n in ls:
            piece = text[i : i + n]
            if piece in literals:
                occ.append((i, i + n, piece))
    for key, pat in cb.patterns:
        for m in pat.finditer(text):
            if m.end() > m.start():
                occ.append((m.start(), m.end(), key))
    return occ


def _count_hits(occ: list[tuple[int, int, str]], terms: frozenset[str]) -> tuple[int, int]:
    """(hits, distinct terms): leftmost-longest, non-overlapping, among ``terms``."""
    sel = sorted((o for o in occ if o[2] in terms), key=lambda o: (o[0], o[0] - o[1]))
    hits, last_end, seen = 0, -1, set()
    for s, e, t in sel:
        if s >= last_end:
            hits += 1
            seen.add(t)
            last_end = e
    return hits, len(seen)


def _rule_holds(rule: Rule, occ: list[tuple[int, int, str]], raw_present: set[str]) -> bool:
    """Does ``rule`` hold in one unit? ``occ``: hits after masking; ``raw_present``: terms before masking."""
    if rule.not_ is not None and raw_present & rule.not_.terms:
        return False
    present = {o[2] for o in occ}
    for group in rule.all:
        if not present & group.terms:
            return False
    if rule.any is not None:
        if not present & rule.any.terms:
            return False
        hits, distinct = _count_hits(occ, rule.any.terms)
        if hits < rule.min_hits or distinct < rule.min_distinct:
            return False
    return True


def _mask(occ: list[tuple[int, int, str]], code: Code, occ_all: list[tuple[int, int, str]]) -> list:
    """Drop hits lying inside one of the code's mask phrases."""
    if not code.mask:
        return occ
    spans = sorted((s, e) for s, e, t in occ_all if t in code.mask)
    if not spans:
        return occ
    # o lies inside a mask span iff, of the spans starting at or before o, the
    # furthest-reaching one reaches o's end: a binary search, not a scan of
    # every span for every hit (a long paragraph has many of both)
    starts = [ms for ms, _ in spans]
    reach, best = [], -1
    for _, me in spans:
        best = max(best, me)
        reach.append(best)

    def masked(o) -> bool:
        i = bisect.bisect_right(starts, o[0]) - 1
        return i >= 0 and reach[i] >= o[1]

    return [o for o in occ if not masked(o)]


def _match_codes(text: str, cb: Codebook) -> list[tuple[str, str]]:
    """(code id, "code x, rule n" of the first rule that fired) for each code that applies.

    Hits for ``any`` / ``all`` are counted after masking; ``not`` looks at the
    unmasked text (a vetoing phrase counts even inside a masked one).
    """
    if not text or not text.strip():
        return []
    line = text.strip()
    if any(p.search(line) for p in cb.uncoded):  # a title, headline or salutation
        return []
    occ_all = _occurrences(text, cb)
    if not occ_all:
        return []
    starts = _sentence_starts(text) if cb.needs_sentences else [0]

    def unit_of(o):
        return bisect.bisect_right(starts, o[0]) - 1

    out = []
    for code in cb.codes:
        raw = [o for o in occ_all if o[2] in code.universe]
        occ = _mask(raw, code, occ_all)
        if not occ:
            continue
        units: dict[int, tuple[list, set]] | None = None
        for rule in code.rules:
            if rule.scope == "paragraph":
                fired = _rule_holds(rule, occ, {o[2] for o in raw})
            else:
                if units is None:
                    units = {}
                    for o in occ:
                        units.setdefault(unit_of(o), ([], set()))[0].append(o)
                    for o in raw:
                        u = unit_of(o)
                        if u in units:
                            units[u][1].add(o[2])
                fired = any(_rule_holds(rule, hits, present) for hits, present in units.values())
            if fired:
                out.append((code.id, rule.where))
                break
    return out


@functools.lru_cache(maxsize=200_000)
def _code_text_cached(text: str, cb: Codebook) -> tuple[str, ...]:
    # Template reuse makes identical paragraphs common across essays.
    return tuple(c for c, _ in _match_codes(text, cb))


def code_text(text: str, *, codebook: Codebook | Mapping | str | Path | None = None) -> list[str]:
    """Codes whose rules fire on ``text``, in codebook order (study … teacher).

    ``codebook``: a :class:`Codebook`, a parsed mapping, a YAML path, or
    ``None`` for the bundled ``resources/codebook.yaml``.
    """
    if not isinstance(text, str):
        return []
    return list(_code_text_cached(text, resolve_codebook(codebook)))


def explain_text(text: str, *, codebook: Codebook | Mapping | str | Path | None = None) -> pd.DataFrame:
    """Why each code fired or not: one row per code with the rule that fired and the terms found.

    Out: code, label, applies, rule ("code x, rule n" or empty), terms (list of
    the code's terms present, masked phrases removed). For editing the codebook.
    """
    cb = resolve_codebook(codebook)
    fired = dict(_match_codes(text, cb)) if isinstance(text, str) else {}
    occ_all = _occurrences(text, cb) if isinstance(text, str) else []
    rows = []
    for code in cb.codes:
        kept = _mask([o for o in occ_all if o[2] in code.universe], code, occ_all)
        terms = sorted({t for _, _, t in kept})
        rows.append(
            {
                "code": code.id,
                "code_label": code.label,
                "applies": code.id in fired,
                "rule": fired.get(code.id, ""),
                "terms": terms,
            }
        )
    return pd.DataFrame(rows)


def code_paragraphs(
    paragraphs_df: pd.DataFrame, *, codebook: Codebook | Mapping | str | Path | None = None
) -> pd.DataFrame:
    """A copy of ``paragraphs_df`` with a ``themes`` column (list of code ids).

    In: any frame with a ``text`` column (paragraphs, sentences, essays).
    Headings are coded too: the rules decide whether a short line names a topic.
    """
    require(paragraphs_df, ["text"], "paragraphs table")
    cb = resolve_codebook(codebook)
    out = paragraphs_df.copy()
    texts = out["text"].fillna("").astype(str)
    unique = pd.unique(texts)
    coded = {t: list(_code_text_cached(t, cb)) for t in unique}
    out["codes"] = [list(coded[t]) for t in texts]
    return out


def _as_codes(value: Any) -> list[str]:
    """A ``themes`` cell as a list: list/array (Parquet) or text such as "['study', 'family']" (CSV)."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return [str(v) for v in value]
    if isinstance(value, str):
        return _CODE_TOKEN_RE.findall(value)
    return []


def codes_column(df: pd.DataFrame, codebook) -> pd.Series:
    if "codes" in df.columns:
        return df["codes"].map(_as_codes)
    return code_paragraphs(df, codebook=codebook)["codes"]


def code_indicator(themes: pd.Series, ids: Sequence[str]) -> np.ndarray:
    """paragraphs × codes 0/1 matrix."""
    pos = {c: j for j, c in enumerate(ids)}
    m = np.zeros((len(themes), len(ids)), dtype=np.int64)
    for i, codes in enumerate(themes):
        for c in codes:
            j = pos.get(c)
            if j is not None:
                m[i, j] = 1
    return m


def essay_code_counts(
    paragraphs_df: pd.DataFrame, *, codebook: Codebook | Mapping | str | Path | None = None
) -> pd.DataFrame:
    """Per essay: how many paragraphs carry each code, and which share.

    In: paragraphs table (essay_id, text; ``themes`` is used if present,
    computed otherwise). Out: essay_id, ``theme_paragraphs`` (paragraphs
    counted, headings included), then ``theme_<code>`` (count) and
    ``theme_<code>_share`` (count / theme_paragraphs) for each code in order.
    """
    require(paragraphs_df, ["essay_id"], "paragraphs table")
    cb = resolve_codebook(codebook)
    themes = codes_column(paragraphs_df, cb)
    ind = pd.DataFrame(code_indicator(themes, cb.ids), columns=cb.ids, index=paragraphs_df.index)
    ind.insert(0, "essay_id", paragraphs_df["essay_id"].to_numpy())
    grouped = ind.groupby("essay_id", sort=False)
    counts = grouped[cb.ids].sum()
    n = grouped.size()
    out = pd.DataFrame({"essay_id": counts.index, "theme_paragraphs": n.to_numpy()})
    for c in cb.ids:
        out[f"theme_{c}"] = counts[c].to_numpy()
    for c in cb.ids:
        out[f"theme_{c}_share"] = counts[c].to_numpy() / n.to_numpy()
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------
# Validation against a hand-coded sample
# --------------------------------------------------------------------------


def _parse_codes(value: Any, cb: Codebook) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    by_label = {c.label: c.id for c in cb.codes}
    out = []
    for part in _CODES_SPLIT_RE.split(str(value).strip()):
        if not part:
            continue
        code = part if part in cb.ids else by_label.get(part)
        if code is None:
            raise ValueError(f"unknown code {part!r} in annotations; valid codes: {', '.join(cb.ids)}")
        out.append(code)
    return out


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def evaluate_codebook(
    annotations_df: pd.DataFrame, codebook: Codebook | Mapping | str | Path | None = None
) -> dict[str, pd.DataFrame]:
    """Compare the codebook's codes with hand codes.

    In: ``annotations_df`` with ``text`` and ``codes`` (code ids or labels
    joined by ``;``; empty = no code); ``item_id`` is carried if present.
    Out (computed now, from the frame given):
      * ``per_code``: code, label, support (hand-coded paragraphs), predicted,
        tp, fp, fn, precision, recall, f1 (0 when undefined);
      * ``summary``: rows micro / macro with precision, recall, f1; micro pools
        all (paragraph, code) decisions, macro averages the codes whose
        support is > 0;
      * ``items``: item_id, text, gold, predicted, missed, extra (for error analysis).
    """
    require(annotations_df, ["text", "codes"], "annotations table")
    cb = resolve_codebook(codebook)
    gold = [_parse_codes(v, cb) for v in annotations_df["codes"]]
    texts = annotations_df["text"].fillna("").astype(str).tolist()
    pred = [code_text(t, codebook=cb) for t in texts]
    g = code_indicator(pd.Series(gold), cb.ids).astype(bool)
    p = code_indicator(pd.Series(pred), cb.ids).astype(bool)
    tp = (g & p).sum(axis=0)
    fp = (~g & p).sum(axis=0)
    fn = (g & ~p).sum(axis=0)
    rows = []
    for j, code in enumerate(cb.codes):
        prec, rec, f1 = _prf(int(tp[j]), int(fp[j]), int(fn[j]))
        rows.append(
            {
                "code": code.id,
                "code_label": code.label,
                "support": int(g[:, j].sum()),
                "predicted": int(p[:, j].sum()),
                "tp": int(tp[j]),
                "fp": int(fp[j]),
                "fn": int(fn[j]),
                "precision": prec,
                "recall": rec,
                "f1": f1,
            }
        )
    per_code = pd.DataFrame(rows)
    micro = _prf(int(tp.sum()), int(fp.sum()), int(fn.sum()))
    evaluated = per_code[per_code["support"] > 0]
    macro = tuple(float(evaluated[m].mean()) if len(evaluated) else 0.0 for m in ("precision", "recall", "f1"))
    summary = pd.DataFrame(
        [
            {
                "average": "micro",
                "precision": micro[0],
                "recall": micro[1],
                "f1": micro[2],
                "support": int(g.sum()),
                "n_items": len(texts),
            },
            {
                "average": "macro",
                "precision": macro[0],
                "recall": macro[1],
                "f1": macro[2],
                "support": int(g.sum()),
                "n_items": len(texts),
            },
        ]
    )
    ids = annotations_df["item_id"].tolist() if "item_id" in annotations_df.columns else list(range(len(texts)))
    items = pd.DataFrame(
        {
            "item_id": ids,
            "text": texts,
            "gold": gold,
            "predicted": pred,
            "missed": [[c for c in gs if c not in ps] for gs, ps in zip(gold, pred)],
            "extra": [[c for c in ps if c not in gs] for gs, ps in zip(gold, pred)],
        }
    )
    return {"per_code": per_code, "summary": summary, "items": items}
