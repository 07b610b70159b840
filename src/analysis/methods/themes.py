"""Themes: keywords, topics, a rule-based codebook, co-occurrence, concordance.

Keywords
  * :func:`tfidf_keywords` — TF-IDF within the corpus (essay = document), per
    essay or per group (mean of the group's essay vectors).
  * :func:`textrank_keywords` — TextRank (PageRank over a word co-occurrence
    graph within a sliding window), per essay or per group.
  * :func:`keyness` — log-likelihood G² with Log Ratio effect size, one group
    against the rest.

Topics
  * :func:`topics` — NMF or LDA (scikit-learn) on tokenised paragraphs, seeded.
  * :func:`topic_stability` — mean pairwise Jaccard of matched top words over
    re-seeded, sub-sampled runs, and UMass coherence, for a range of k.

Codebook (``resources/codebook.yaml``, grammar in ``docs/themes.md``)
  * :func:`load_codebook`, :func:`code_text`, :func:`explain_text`,
    :func:`code_paragraphs`, :func:`essay_code_counts`, :func:`evaluate_codebook`.

Co-occurrence and concordance
  * :func:`code_cooccurrence`, :func:`word_cooccurrence`, :func:`code_sentiment`,
    :func:`kwic`, :func:`format_kwic`.

Figures of these tables: :mod:`analysis.reporting.figures`.

Codebook matching is on text substrings (not tokens): it does not depend on
jieba's segmentation, so a rule term such as 家访 or 学习成绩 is found whatever
the tokenizer does with its neighbours. Keywords, topics and word
co-occurrence use tokens (the domain user dictionary, minus stopwords).
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import html
import itertools
import math
import re
import unicodedata
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.config import RANDOM_SEED
from analysis.frames import require
from analysis.resources import ResourceError, load_yaml, resource_path
from analysis.ingest.segment import content_tokens, load_stopwords, split_sentences, tokenize

CODEBOOK_NAME = "codebook.yaml"
SCOPES = ("sentence", "paragraph")
TOPIC_METHODS = ("nmf", "lda")
COOCCURRENCE_MEASURES = ("count", "jaccard")
SENTIMENT_LABELS = ("negative", "neutral", "positive")
DEFAULT_KWIC_TERMS = ("留守儿童", "家访", "谈心", "安全")
REGEX_PREFIX = "re:"
_RULE_KEYS = {"any", "all", "not", "min_hits", "min_distinct", "scope", "note"}
_CODE_KEYS = {"label", "definition", "terms", "mask", "rules", "examples"}
_CODE_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_CODES_SPLIT_RE = re.compile(r"[;；,，\s]+")
_LATIN_RE = re.compile(r"^[A-Za-z]+$")
_CODE_TOKEN_RE = re.compile(r"[a-z][a-z0-9_]*")


# --------------------------------------------------------------------------
# Codebook: compilation
# --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TermList:
    """A set of rule terms: literal substrings plus ``re:`` regular expressions."""

    terms: frozenset[str]  # literal strings and "re:..." keys

    def __bool__(self) -> bool:
        return bool(self.terms)


@dataclass(frozen=True, eq=False)
class Rule:
    """One boolean rule; see ``docs/themes.md`` for the grammar."""

    any: TermList | None
    all: tuple[TermList, ...]
    not_: TermList | None
    min_hits: int
    min_distinct: int
    scope: str
    where: str  # "code study, rule 2": for messages and explanations


@dataclass(frozen=True, eq=False)
class Code:
    id: str
    label: str
    definition: str
    rules: tuple[Rule, ...]
    mask: frozenset[str]
    universe: frozenset[str]  # every term its rules mention


@dataclass(frozen=True, eq=False)
class Codebook:
    """A compiled codebook. Build it with :func:`load_codebook`."""

    codes: tuple[Code, ...]
    source: str
    literals: frozenset[str]  # every literal term and mask phrase
    lengths_by_first: Mapping[str, tuple[int, ...]]  # first character → lengths of terms starting with it
    patterns: tuple[tuple[str, re.Pattern], ...]  # ("re:..." key, compiled)
    needs_sentences: bool
    uncoded: tuple[re.Pattern, ...] = ()  # lines that get no code at all (titles, salutations)

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.codes]

    @property
    def labels(self) -> dict[str, str]:
        return {c.id: c.label for c in self.codes}

    def __repr__(self) -> str:
        return f"Codebook({len(self.codes)} codes from {self.source})"


def _as_list(value: Any, where: str) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return value
    raise ResourceError(f"{where}: expected a term, a $set or a list, got {type(value).__name__}")


def _expand(items: Any, sets: Mapping[str, list[str]], where: str) -> frozenset[str]:
    """Terms of a rule field: strings, ``$set`` references and nested lists, flattened."""
    out: set[str] = set()
    for item in _as_list(items, where):
        if isinstance(item, list):
            out |= _expand(item, sets, where)
        elif isinstance(item, str):
            item = item.strip()
            if item.startswith("$"):
                name = item[1:]
                if name not in sets:
                    raise ResourceError(
                        f"{where}: unknown term set {item!r} (defined: {', '.join(sorted(sets)) or 'none'})"
                    )
                out |= _expand(sets[name], sets, where)
            elif item:
                if item.startswith(REGEX_PREFIX):
                    try:
                        re.compile(item[len(REGEX_PREFIX) :])
                    except re.error as exc:
                        raise ResourceError(f"{where}: bad regular expression {item!r}: {exc}") from None
                out.add(item)
        else:
            raise ResourceError(f"{where}: terms must be strings, got {item!r}")
    return frozenset(out)


def _positive_int(value: Any, where: str, key: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ResourceError(f"{where}: {key} must be a positive integer, got {value!r}")
    return value


def _compile_rule(raw: Any, sets: Mapping, default_scope: str, where: str) -> Rule:
    if not isinstance(raw, dict):
        raise ResourceError(f"{where}: a rule is a mapping with any / all / not, got {raw!r}")
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise ResourceError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))}; valid: {', '.join(sorted(_RULE_KEYS))}"
        )
    if "any" not in raw and "all" not in raw:
        raise ResourceError(f"{where}: a rule needs 'any' or 'all'")
    any_terms = _expand(raw.get("any"), sets, where) if "any" in raw else None
    if any_terms is not None and not any_terms:
        raise ResourceError(f"{where}: 'any' is empty")
    groups = []
    for g in _as_list(raw.get("all"), where):
        terms = _expand(g, sets, where)
        if not terms:
            raise ResourceError(f"{where}: an 'all' group is empty")
        groups.append(TermList(terms))
    not_terms = _expand(raw.get("not"), sets, where)
    scope = raw.get("scope", default_scope)
    if scope not in SCOPES:
        raise ResourceError(f"{where}: scope must be one of {', '.join(SCOPES)}, got {scope!r}")
    min_hits = _positive_int(raw.get("min_hits", 1), where, "min_hits")
    min_distinct = _positive_int(raw.get("min_distinct", 1), where, "min_distinct")
    if any_terms is None and ("min_hits" in raw or "min_distinct" in raw):
        raise ResourceError(f"{where}: min_hits / min_distinct count hits of 'any'; the rule has no 'any'")
    if any_terms is not None and min_distinct > len(any_terms):
        raise ResourceError(f"{where}: min_distinct {min_distinct} exceeds the {len(any_terms)} terms of 'any'")
    return Rule(
        any=TermList(any_terms) if any_terms is not None else None,
        all=tuple(groups),
        not_=TermList(not_terms) if not_terms else None,
        min_hits=min_hits,
        min_distinct=min_distinct,
        scope=scope,
        where=where,
    )


def _compile_uncoded(raw: Any, where: str) -> tuple[re.Pattern, ...]:
    """The ``uncoded`` patterns: a paragraph (stripped) that one of them matches gets no code.

    A literal is matched as the whole line; ``re:…`` is searched in the line.
    """
    out = []
    for item in _as_list(raw, where):
        if not isinstance(item, str) or not item.strip():
            raise ResourceError(f"{where}: entries are literal lines or 're:' patterns, got {item!r}")
        item = item.strip()
        if item.startswith(REGEX_PREFIX):
            try:
                out.append(re.compile(item[len(REGEX_PREFIX) :]))
            except re.error as exc:
                raise ResourceError(f"{where}: bad regular expression {item!r}: {exc}") from None
        else:
            out.append(re.compile(rf"^{re.escape(item)}$"))
    return tuple(out)


def compile_codebook(spec: Mapping, *, source: str = "<dict>") -> Codebook:
    """Compile a parsed codebook mapping (the YAML's content) into a :class:`Codebook`.

    Raises :class:`analysis.resources.ResourceError` naming the code and rule
    of any mistake (unknown key, unknown ``$set``, empty list, bad scope …).
    """
    if not isinstance(spec, Mapping) or not isinstance(spec.get("codes"), Mapping) or not spec["codes"]:
        raise ResourceError(f"{source}: a codebook needs a non-empty 'codes' mapping")
    defaults = spec.get("defaults") or {}
    default_scope = defaults.get("scope", "sentence")
    if default_scope not in SCOPES:
        raise ResourceError(f"{source}: defaults.scope must be one of {', '.join(SCOPES)}")
    shared = spec.get("terms") or {}
    if not isinstance(shared, Mapping):
        raise ResourceError(f"{source}: top-level 'terms' must map set names to lists")
    uncoded = _compile_uncoded(spec.get("uncoded"), f"{source}: uncoded")
    codes = []
    for code_id, body in spec["codes"].items():
        where = f"{source}: code {code_id}"
        if not isinstance(code_id, str) or not _CODE_ID_RE.match(code_id):
            raise ResourceError(f"{where}: code ids are lower-case ASCII names (e.g. daily_care)")
        if not isinstance(body, Mapping):
            raise ResourceError(f"{where}: expected a mapping with label, definition, terms, rules")
        unknown = set(body) - _CODE_KEYS
        if unknown:
            raise ResourceError(
                f"{where}: unknown key(s) {', '.join(sorted(unknown))}; valid: {', '.join(sorted(_CODE_KEYS))}"
            )
        own = body.get("terms") or {}
        if not isinstance(own, Mapping):
            raise ResourceError(f"{where}: 'terms' must map set names to lists")
        sets = {**shared, **own}
        rules_raw = body.get("rules")
        if not isinstance(rules_raw, list) or not rules_raw:
            raise ResourceError(f"{where}: 'rules' must be a non-empty list")
        rules = tuple(
            _compile_rule(r, sets, default_scope, f"{where}, rule {i}") for i, r in enumerate(rules_raw, start=1)
        )
        mask = _expand(body.get("mask"), sets, f"{where}, mask")
        if any(t.startswith(REGEX_PREFIX) for t in mask):
            raise ResourceError(f"{where}, mask: masks are literal phrases, not regular expressions")
        universe: set[str] = set()
        for r in rules:
            if r.any:
                universe |= r.any.terms
            for g in r.all:
                universe |= g.terms
            if r.not_:
                universe |= r.not_.terms
        codes.append(
            Code(
                id=code_id,
                label=str(body.get("label", code_id)),
                definition=" ".join(str(body.get("definition", "")).split()),
                rules=rules,
                mask=mask,
                universe=frozenset(universe),
            )
        )
    literals = set()
    regexes = set()
    for c in codes:
        for t in c.universe | c.mask:
            (regexes if t.startswith(REGEX_PREFIX) else literals).add(t)
    by_first: dict[str, set[int]] = {}
    for t in literals:
        by_first.setdefault(t[0], set()).add(len(t))
    patterns = tuple((k, re.compile(k[len(REGEX_PREFIX) :])) for k in sorted(regexes))
    return Codebook(
        codes=tuple(codes),
        source=source,
        literals=frozenset(literals),
        lengths_by_first={ch: tuple(sorted(ls)) for ch, ls in by_first.items()},
        patterns=patterns,
        needs_sentences=any(r.scope == "sentence" for c in codes for r in c.rules),
        uncoded=uncoded,
    )


@functools.lru_cache(maxsize=16)
def _load_codebook_cached(path: str, mtime: float) -> Codebook:
    return compile_codebook(load_yaml(CODEBOOK_NAME, path), source=Path(path).name)


def load_codebook(path: str | Path | None = None) -> Codebook:
    """The compiled codebook (``resources/codebook.yaml`` unless ``path`` is given).

    Compilation is cached until the file changes on disk.
    """
    p = resource_path(CODEBOOK_NAME, path)
    return _load_codebook_cached(str(p), p.stat().st_mtime)


def code_name(code: str, codebook: Codebook | Mapping | str | Path | None = None) -> str:
    """A code as every table and figure names it: the Chinese label with the
    id, e.g. ``学习 (study)``; an unknown id as it is."""
    label = resolve_codebook(codebook).labels.get(code)
    return f"{label} ({code})" if label and label != code else str(code)


def resolve_codebook(codebook: Codebook | Mapping | str | Path | None) -> Codebook:
    if codebook is None:
        return load_codebook()
    if isinstance(codebook, Codebook):
        return codebook
    if isinstance(codebook, Mapping):
        return compile_codebook(codebook)
    if isinstance(codebook, (str, Path)):
        return load_codebook(codebook)
    raise TypeError(f"codebook must be a Codebook, a mapping, a path or None, got {type(codebook).__name__}")


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


def _themes_column(df: pd.DataFrame, codebook) -> pd.Series:
    if "codes" in df.columns:
        return df["codes"].map(_as_codes)
    return code_paragraphs(df, codebook=codebook)["codes"]


def _indicator(themes: pd.Series, ids: Sequence[str]) -> np.ndarray:
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
    themes = _themes_column(paragraphs_df, cb)
    ind = pd.DataFrame(_indicator(themes, cb.ids), columns=cb.ids, index=paragraphs_df.index)
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
    g = _indicator(pd.Series(gold), cb.ids).astype(bool)
    p = _indicator(pd.Series(pred), cb.ids).astype(bool)
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


# --------------------------------------------------------------------------
# Tokens for keywords and topics
# --------------------------------------------------------------------------


@functools.lru_cache(maxsize=200_000)
def _text_content_tokens(text: str, min_len: int) -> tuple[str, ...]:
    return tuple(t for t in content_tokens(tokenize(text)) if len(t) >= min_len and not _LATIN_RE.match(t))


def _filter_tokens(tokens: Iterable[str], min_len: int, stop: frozenset[str]) -> list[str]:
    return [t for t in content_tokens(list(tokens), stopwords=stop) if len(t) >= min_len and not _LATIN_RE.match(t)]


def _row_tokens(df: pd.DataFrame, *, min_len: int = 2, stopwords: frozenset[str] | None = None) -> list[list[str]]:
    """Content tokens of each row: the ``tokens`` column if present, else jieba on
    ``text``. Pseudonyms (学生A, 村B … in pseudonymised tables) are not words:
    they are dropped whole, before jieba could split 学生A into a word 学生."""
    from analysis.methods.privacy import pseudonym_pattern  # keyword functions only, never in a build

    pseudonym = pseudonym_pattern()
    if "tokens" in df.columns:
        stop = load_stopwords() if stopwords is None else stopwords
        return [
            _filter_tokens(
                [t for t in v if not pseudonym.fullmatch(t)] if isinstance(v, (list, tuple, np.ndarray)) else [],
                min_len,
                stop,
            )
            for v in df["tokens"]
        ]
    require(df, ["text"], "table")
    texts = [pseudonym.sub(" ", t) for t in df["text"].fillna("").astype(str)]
    if stopwords is None:
        return [list(_text_content_tokens(t, min_len)) for t in texts]
    return [_filter_tokens(tokenize(t), min_len, stopwords) for t in texts]


def attach_group(df: pd.DataFrame, group: str | None, essays: pd.DataFrame | None) -> pd.DataFrame:
    if group is None or group in df.columns:
        return df
    if essays is None or group not in essays.columns:
        raise KeyError(f"group column {group!r} is neither in the table nor in `essays`")
    require(df, ["essay_id"], "table")
    return df.merge(essays[["essay_id", group]].drop_duplicates("essay_id"), on="essay_id", how="left")


def _documents(df: pd.DataFrame, by: str, *, min_len: int, stopwords) -> tuple[list, list[list[str]]]:
    """Concatenated content tokens per value of ``by`` (in order of first appearance)."""
    require(df, [by], "table")
    toks = _row_tokens(df, min_len=min_len, stopwords=stopwords)
    docs: dict[Any, list[str]] = {}
    for key, t in zip(df[by].tolist(), toks):
        docs.setdefault(key, []).extend(t)
    return list(docs), list(docs.values())


def _identity(x):
    return x


def _top_rows(keys: Sequence, matrix, vocab: np.ndarray, top_n: int, key_name: str) -> pd.DataFrame:
    rows = []
    dense = not hasattr(matrix, "tocsr")
    m = matrix if dense else matrix.tocsr()
    for i, key in enumerate(keys):
        if dense:
            idx = np.nonzero(m[i])[0]
            vals = m[i][idx]
        else:
            start, end = m.indptr[i], m.indptr[i + 1]
            idx, vals = m.indices[start:end], m.data[start:end]
        if len(vals) == 0:
            continue
        order = np.lexsort((vocab[idx], -vals))[:top_n]  # score desc, then word for ties
        for rank, o in enumerate(order, start=1):
            rows.append({key_name: key, "rank": rank, "word": vocab[idx[o]], "score": float(vals[o])})
    return pd.DataFrame(rows, columns=[key_name, "rank", "word", "score"])


# --------------------------------------------------------------------------
# Keywords
# --------------------------------------------------------------------------


def tfidf_keywords(
    df: pd.DataFrame,
    *,
    group: str | None = None,
    essays: pd.DataFrame | None = None,
    top_n: int = 10,
    min_len: int = 2,
    min_df: int = 1,
    max_df: float = 1.0,
    sublinear_tf: bool = True,
    stopwords: frozenset[str] | None = None,
) -> pd.DataFrame:
    """Top TF-IDF words per essay, or per group.

    In: paragraphs or sentences (essay_id plus tokens or text) or essays
    (essay_id, text). Each essay is one document; IDF is computed within this
    corpus. With ``group`` (a column of ``df``, or of ``essays`` merged on
    essay_id), a group's score is the mean of its essays' l2-normalised vectors.
    Out: essay_id (or the group column), rank, word, score.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    df = attach_group(df, group, essays)
    require(df, ["essay_id"], "table")
    keys, docs = _documents(df, "essay_id", min_len=min_len, stopwords=stopwords)
    if not any(docs):
        raise ValueError("no content tokens in the table")
    vec = TfidfVectorizer(analyzer=_identity, min_df=min_df, max_df=max_df, sublinear_tf=sublinear_tf)
    x = vec.fit_transform(docs)
    vocab = vec.get_feature_names_out()
    if group is None:
        return _top_rows(keys, x, vocab, top_n, "essay_id")
    essay_group = df.drop_duplicates("essay_id").set_index("essay_id")[group]
    labels = essay_group.reindex(keys).to_numpy()
    groups = list(pd.unique(labels))
    mean = np.vstack([np.asarray(x[labels == gv].mean(axis=0)).ravel() for gv in groups])
    return _top_rows(groups, mean, vocab, top_n, group)


def _textrank_scores(sequences: Iterable[list[str]], *, window: int, damping: float) -> dict[str, float]:
    weights: Counter = Counter()
    for seq in sequences:
        for i, w in enumerate(seq):
            for v in seq[i + 1 : i + window]:
                if v != w:
                    weights[(w, v) if w < v else (v, w)] += 1
    if not weights:
        return {w: 1.0 for seq in sequences for w in seq}
    return weighted_pagerank(weights, alpha=damping)


def weighted_pagerank(
    weights: Mapping[tuple[str, str], float], *, alpha: float = 0.85, max_iter: int = 100, tol: float = 1.0e-6
) -> dict[str, float]:
    """PageRank of the undirected graph whose edges and weights are
    ``weights`` ({(a, b): w}): networkx's ``pagerank`` (scipy variant, uniform
    start and teleport, dangling nodes to all, the same stopping rule),
    computed on a sparse matrix built at once instead of through a networkx
    Graph — building that graph was most of a TextRank on a large corpus."""
    import scipy.sparse as sp

    nodes: dict[str, int] = {}
    for a, b in weights:
        nodes.setdefault(a, len(nodes))
        nodes.setdefault(b, len(nodes))
    n = len(nodes)
    rows = np.fromiter((nodes[a] for a, _ in weights), dtype=np.int64, count=len(weights))
    cols = np.fromiter((nodes[b] for _, b in weights), dtype=np.int64, count=len(weights))
    vals = np.fromiter(weights.values(), dtype=float, count=len(weights))
    a = sp.csr_array(
        (np.concatenate([vals, vals]), (np.concatenate([rows, cols]), np.concatenate([cols, rows]))), shape=(n, n)
    )
    out_w = np.asarray(a.sum(axis=1)).ravel()
    inv = np.divide(1.0, out_w, out=np.zeros_like(out_w), where=out_w != 0)
    a = sp.csr_array(sp.diags(inv) @ a)
    x = np.full(n, 1.0 / n)
    p = np.full(n, 1.0 / n)
    dangling = np.where(out_w == 0)[0]
    for _ in range(max_iter):
        last = x
        x = alpha * (x @ a + x[dangling].sum() * p) + (1 - alpha) * p
        if np.absolute(x - last).sum() < n * tol:
            return dict(zip(nodes, map(float, x)))
    raise RuntimeError(f"pagerank did not converge in {max_iter} iterations")


def textrank_keywords(
    df: pd.DataFrame,
    *,
    group: str | None = None,
    essays: pd.DataFrame | None = None,
    top_n: int = 10,
    window: int = 5,
    damping: float = 0.85,
    min_len: int = 2,
    stopwords: frozenset[str] | None = None,
) -> pd.DataFrame:
    """Top TextRank words per essay, or per group.

    Each row of ``df`` (sentence or paragraph) is a token sequence; words
    within ``window`` positions of each other (after removing stopwords) are
    linked, with weights summed over the essay (or group), and ranked by
    weighted PageRank. Out: essay_id (or the group column), rank, word, score.
    """
    df = attach_group(df, group, essays)
    key = group or "essay_id"
    require(df, [key], "table")
    toks = _row_tokens(df, min_len=min_len, stopwords=stopwords)
    seqs: dict[Any, list[list[str]]] = {}
    for k, t in zip(df[key].tolist(), toks):
        seqs.setdefault(k, []).append(t)
    rows = []
    for k, s in seqs.items():
        scores = _textrank_scores(s, window=window, damping=damping)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:top_n]
        rows.extend({key: k, "rank": r, "word": w, "score": float(v)} for r, (w, v) in enumerate(ranked, start=1))
    return pd.DataFrame(rows, columns=[key, "rank", "word", "score"])


def _g2(a: np.ndarray, b: np.ndarray, c: float, d: float) -> np.ndarray:
    """Dunning's log-likelihood for frequencies a (target, size c) and b (reference, size d)."""
    e1 = c * (a + b) / (c + d)
    e2 = d * (a + b) / (c + d)
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = np.where(a > 0, a * np.log(a / e1), 0.0)
        t2 = np.where(b > 0, b * np.log(b / e2), 0.0)
    return 2 * (t1 + t2)


def keyness(
    df: pd.DataFrame,
    *,
    group: str,
    target: Any = None,
    essays: pd.DataFrame | None = None,
    min_freq: int = 3,
    top_n: int | None = None,
    min_len: int = 2,
    stopwords: frozenset[str] | None = None,
) -> pd.DataFrame:
    """Keywords of one group against the rest: log-likelihood G² and Log Ratio.

    ``target``: one value of ``group``; ``None`` compares every group with the
    rest in turn. Words with target + reference frequency < ``min_freq`` are
    dropped. Out: group, word, freq_target, freq_reference, per_10k_target,
    per_10k_reference, g2, keyness (G² signed: + over-used in the target,
    − under-used), p_value (χ², 1 df), q_value (p adjusted by
    Benjamini–Hochberg over every word compared for that group, before
    ``top_n``: hundreds of words are tested at once, and q < 0.05 keeps the
    expected share of false discoveries under 5 %), log_ratio (log2 of the
    ratio of relative frequencies, 0.5 added to zero counts); sorted by
    keyness desc.
    """
    from scipy.stats import chi2, false_discovery_control
    from sklearn.feature_extraction.text import CountVectorizer

    df = attach_group(df, group, essays)
    require(df, [group], "table")
    keys, docs = _documents(df, group, min_len=min_len, stopwords=stopwords)
    if len(keys) < 2:
        raise ValueError(f"keyness needs at least two values of {group!r}, found {len(keys)}")
    targets = keys if target is None else [target]
    if target is not None and target not in keys:
        raise ValueError(f"target {target!r} is not a value of {group!r}; values: {', '.join(map(str, keys))}")
    vec = CountVectorizer(analyzer=_identity)
    counts = vec.fit_transform(docs).toarray().astype(float)
    vocab = vec.get_feature_names_out()
    total = counts.sum(axis=0)
    out = []
    for t in targets:
        i = keys.index(t)
        a = counts[i]
        b = total - a
        c, d = a.sum(), b.sum()
        if c == 0 or d == 0:  # a group without content tokens has no keywords
            continue
        keep = (a + b) >= min_freq
        a, b, words = a[keep], b[keep], vocab[keep]
        g2 = _g2(a, b, c, d)
        p = chi2.sf(g2, 1)
        ra, rb = a / c, b / d
        sign = np.where(ra >= rb, 1.0, -1.0)
        log_ratio = np.log2((np.where(a > 0, a, 0.5) / c) / (np.where(b > 0, b, 0.5) / d))
        frame = pd.DataFrame(
            {
                group: t,
                "word": words,
                "freq_target": a.astype(int),
                "freq_reference": b.astype(int),
                "per_10k_target": ra * 1e4,
                "per_10k_reference": rb * 1e4,
                "g2": g2,
                "keyness": sign * g2,
                "p_value": p,
                "q_value": false_discovery_control(p, method="bh") if len(p) else p,
                "log_ratio": log_ratio,
            }
        ).sort_values(["keyness", "word"], ascending=[False, True])
        out.append(frame.head(top_n) if top_n else frame)
    if not out:
        raise ValueError(f"no content tokens to compare across {group!r}")
    return pd.concat(out, ignore_index=True)


# --------------------------------------------------------------------------
# Topics
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicModel:
    """A fitted topic model and its tables.

    words: topic, rank, word, weight. passages: topic, rank, essay_id,
    paragraph_id, weight, text (most representative paragraphs).
    doc_topic: essay_id, paragraph_id, topic_0 … topic_{k-1} (row-normalised
    weights), dominant. summary: topic, top_words (joined), n_dominant.
    """

    method: str
    k: int
    seed: int
    words: pd.DataFrame
    passages: pd.DataFrame
    doc_topic: pd.DataFrame
    model: Any = field(repr=False)
    vocabulary: np.ndarray = field(repr=False)

    @property
    def summary(self) -> pd.DataFrame:
        tops = self.words.groupby("topic")["word"].apply(lambda s: "、".join(s))
        dom = self.doc_topic["dominant"].value_counts()
        return pd.DataFrame(
            {"topic": tops.index, "top_words": tops.to_numpy(), "n_dominant": [int(dom.get(t, 0)) for t in tops.index]}
        )


def _check_method(method: str) -> str:
    if method not in TOPIC_METHODS:
        raise ValueError(f"unknown topic method {method!r}; valid: {', '.join(TOPIC_METHODS)}")
    return method


def _check_k(k: Any, n_docs: int, n_terms: int) -> int:
    upper = min(n_docs, n_terms)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 2 <= k <= upper:
        raise ValueError(f"k must be an integer from 2 to {upper} (documents and terms available), got {k!r}")
    return int(k)


def _topic_corpus(
    paragraphs_df: pd.DataFrame, *, min_len: int, min_tokens: int, stopwords
) -> tuple[pd.DataFrame, list[list[str]]]:
    require(paragraphs_df, ["text"], "paragraphs table")
    df = paragraphs_df
    if "is_heading" in df.columns:
        df = df[~df["is_heading"].fillna(False).astype(bool)]
    toks = _row_tokens(df, min_len=min_len, stopwords=stopwords)
    keep = np.array([len(t) >= min_tokens for t in toks], dtype=bool)
    return df[keep].reset_index(drop=True), [t for t, k in zip(toks, keep) if k]


def _matrix(docs: list[list[str]], method: str, min_df, max_df):
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    cls = TfidfVectorizer if method == "nmf" else CountVectorizer
    vec = cls(analyzer=_identity, min_df=min_df, max_df=max_df)
    try:
        x = vec.fit_transform(docs)
    except ValueError as exc:  # empty vocabulary after min_df / max_df
        raise ValueError(f"no terms left for topic modelling ({exc}); lower min_df or add paragraphs") from None
    return x, vec.get_feature_names_out()


def _fit(x, method: str, k: int, seed: int):
    if method == "nmf":
        from sklearn.decomposition import NMF

        model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=1000)
    else:
        from sklearn.decomposition import LatentDirichletAllocation

        model = LatentDirichletAllocation(n_components=k, learning_method="batch", random_state=seed, max_iter=50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=Warning)  # convergence chatter on tiny corpora
        w = model.fit_transform(x)
    return model, w


def _top_word_idx(model, top_n: int) -> np.ndarray:
    comp = model.components_
    return np.argsort(-comp, axis=1, kind="stable")[:, :top_n]


def topics(
    paragraphs_df: pd.DataFrame,
    *,
    k: int,
    method: str = "nmf",
    seed: int = RANDOM_SEED,
    top_n: int = 10,
    n_passages: int = 3,
    min_df: int | float = 2,
    max_df: float = 0.5,
    min_len: int = 2,
    min_tokens: int = 5,
    stopwords: frozenset[str] | None = None,
) -> TopicModel:
    """NMF (on TF-IDF) or LDA (on counts) over tokenised paragraphs.

    In: paragraphs (text; essay_id, paragraph_id, is_heading used when present;
    headings and paragraphs with fewer than ``min_tokens`` content tokens are
    left out). ``k``: number of topics. The same ``seed`` gives identical
    results. Raises ValueError for an unknown ``method`` or a bad ``k``.
    """
    _check_method(method)
    df, docs = _topic_corpus(paragraphs_df, min_len=min_len, min_tokens=min_tokens, stopwords=stopwords)
    if not docs:
        raise ValueError("no paragraph has enough content tokens for topic modelling")
    x, vocab = _matrix(docs, method, min_df, max_df)
    k = _check_k(k, x.shape[0], x.shape[1])
    model, w = _fit(x, method, k, seed)
    top = _top_word_idx(model, top_n)
    words = pd.DataFrame(
        [
            {"topic": t, "rank": r + 1, "word": vocab[j], "weight": float(model.components_[t, j])}
            for t in range(k)
            for r, j in enumerate(top[t])
        ]
    )
    sums = w.sum(axis=1, keepdims=True)
    share = np.divide(w, sums, out=np.zeros_like(w), where=sums > 0)
    ids = {c: (df[c].to_numpy() if c in df.columns else np.full(len(df), None)) for c in ("essay_id", "paragraph_id")}
    doc_topic = pd.DataFrame(share, columns=[f"topic_{t}" for t in range(k)])
    doc_topic.insert(0, "paragraph_id", ids["paragraph_id"])
    doc_topic.insert(0, "essay_id", ids["essay_id"])
    doc_topic["dominant"] = share.argmax(axis=1)
    # Representative: highest share of the topic, then absolute weight (long, focused paragraphs first).
    passages = []
    for t in range(k):
        order = np.lexsort((-w[:, t], -share[:, t]))[:n_passages]
        passages.extend(
            {
                "topic": t,
                "rank": r + 1,
                "essay_id": ids["essay_id"][i],
                "paragraph_id": ids["paragraph_id"][i],
                "weight": float(share[i, t]),
                "text": df["text"].iloc[i],
            }
            for r, i in enumerate(order)
            if w[i, t] > 0
        )
    return TopicModel(
        method=method,
        k=k,
        seed=seed,
        words=words,
        passages=pd.DataFrame(passages),
        doc_topic=doc_topic,
        model=model,
        vocabulary=vocab,
    )


def topic_capacity(
    paragraphs_df: pd.DataFrame,
    *,
    method: str = "nmf",
    min_df: int | float = 2,
    max_df: float = 0.5,
    min_len: int = 2,
    min_tokens: int = 5,
    stopwords: frozenset[str] | None = None,
) -> int:
    """The largest ``k`` :func:`topics` accepts on these paragraphs (min of usable
    paragraphs and terms); 0 when there is nothing to model."""
    _check_method(method)
    df, docs = _topic_corpus(paragraphs_df, min_len=min_len, min_tokens=min_tokens, stopwords=stopwords)
    if not docs:
        return 0
    try:
        x, _ = _matrix(docs, method, min_df, max_df)
    except ValueError:
        return 0
    return int(min(x.shape))


def _umass(binary_csc, top_idx: np.ndarray) -> float:
    """Mean UMass coherence over topics: Σ log((D(wi, wj) + 1) / D(wj)), j ranked above i."""
    scores = []
    for idx in top_idx:
        sub = binary_csc[:, idx]
        co = (sub.T @ sub).toarray()
        df_ = np.diag(co)
        s = 0.0
        for i in range(1, len(idx)):
            for j in range(i):
                if df_[j] > 0:
                    s += math.log((co[i, j] + 1) / df_[j])
        scores.append(s)
    return float(np.mean(scores)) if scores else float("nan")


def _matched_jaccard(a: list[set], b: list[set]) -> float:
    from scipy.optimize import linear_sum_assignment

    sim = np.array([[len(x & y) / len(x | y) if x | y else 0.0 for y in b] for x in a])
    r, c = linear_sum_assignment(-sim)
    return float(sim[r, c].mean())


# topic stability is fitted on the terms in most paragraphs, at most this many
STABILITY_MAX_TERMS = 5000


@contextlib.contextmanager
def _fit_pool():
    """map(f, items) over the cores on threads (in order), or in this thread when there is one core."""
    import os

    workers = min(4, os.cpu_count() or 1)
    if workers < 2:
        yield lambda f, items: [f(i) for i in items]
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers) as ex:
        yield lambda f, items: list(ex.map(f, items))


def topic_stability(
    paragraphs_df: pd.DataFrame,
    *,
    ks: Iterable[int] = range(2, 11),
    method: str = "nmf",
    n_runs: int = 5,
    sample: float = 0.8,
    seed: int = RANDOM_SEED,
    top_n: int = 10,
    min_df: int | float = 2,
    max_df: float = 0.5,
    min_len: int = 2,
    min_tokens: int = 5,
    stopwords: frozenset[str] | None = None,
    max_terms: int | None = STABILITY_MAX_TERMS,
) -> pd.DataFrame:
    """How stable and coherent the topics are for each k (to help choose k).

    For each k: ``n_runs`` models, each fitted with seed ``seed + run`` on a
    random ``sample`` share of the paragraphs; topics of every pair of runs
    are matched one-to-one (Hungarian) on the Jaccard index of their top
    words. Out: k, stability (mean matched Jaccard, 0–1, higher = more
    stable), stability_sd, coherence_umass (of the model on all paragraphs;
    closer to 0 = more coherent). ``max_terms``: the models are fitted on the
    terms found in most paragraphs, at most this many (a topic's top words
    are among them; on a large corpus the long tail of rare words made each
    of the many fits slow); None keeps every term.
    """
    _check_method(method)
    df, docs = _topic_corpus(paragraphs_df, min_len=min_len, min_tokens=min_tokens, stopwords=stopwords)
    if not docs:
        raise ValueError("no paragraph has enough content tokens for topic modelling")
    x, vocab = _matrix(docs, method, min_df, max_df)
    if max_terms is not None and x.shape[1] > max_terms:
        df_ = np.asarray((x > 0).sum(axis=0)).ravel()
        keep = np.sort(np.argsort(-df_, kind="stable")[:max_terms])
        x, vocab = x[:, keep], vocab[keep]
    binary = (x > 0).astype(np.int64).tocsc()
    rng = np.random.default_rng(seed)
    n = x.shape[0]
    size = max(2, int(round(sample * n)))
    subsets = [np.sort(rng.choice(n, size=size, replace=False)) for _ in range(n_runs)]
    ks = [_check_k(k, min(size, n), x.shape[1]) for k in ks]
    # every fit is independent and seeded: fitted on threads (sklearn's solvers release the GIL), the
    # same models in the same order as one after the other
    jobs = [(k, None, seed) for k in ks] + [(k, idx, seed + run) for k in ks for run, idx in enumerate(subsets)]
    with warnings.catch_warnings(), _fit_pool() as pool:
        warnings.simplefilter("ignore", category=Warning)  # (each fit's own filter is not thread-safe)
        fitted = pool(lambda job: _fit(x if job[1] is None else x[job[1]], method, job[0], job[2])[0], jobs)
    models = dict(zip(((k, run) for k, _, run in jobs), fitted))
    rows = []
    for k in ks:
        full = models[(k, seed)]
        coherence = _umass(binary, _top_word_idx(full, top_n))
        tops = [
            [set(vocab[j] for j in row) for row in _top_word_idx(models[(k, seed + run)], top_n)]
            for run in range(len(subsets))
        ]
        pair = [_matched_jaccard(a, b) for a, b in itertools.combinations(tops, 2)]
        rows.append(
            {
                "k": k,
                "stability": float(np.mean(pair)) if pair else float("nan"),
                "stability_sd": float(np.std(pair)) if pair else float("nan"),
                "coherence_umass": coherence,
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------
# Co-occurrence and sentiment by code
# --------------------------------------------------------------------------


def code_cooccurrence(
    paragraphs_df: pd.DataFrame,
    *,
    measure: str = "count",
    codebook: Codebook | Mapping | str | Path | None = None,
) -> pd.DataFrame:
    """Code × code co-occurrence within paragraphs (symmetric).

    ``count``: paragraphs carrying both codes (diagonal: paragraphs with the
    code). ``jaccard``: both / either (diagonal 1 where the code occurs).
    Uses ``themes`` if present, else codes the ``text``.
    """
    if measure not in COOCCURRENCE_MEASURES:
        raise ValueError(f"unknown measure {measure!r}; valid: {', '.join(COOCCURRENCE_MEASURES)}")
    cb = resolve_codebook(codebook)
    m = _indicator(_themes_column(paragraphs_df, cb), cb.ids)
    co = m.T @ m
    if measure == "jaccard":
        n = np.diag(co)
        union = n[:, None] + n[None, :] - co
        co = np.divide(co, union, out=np.zeros(co.shape, dtype=float), where=union > 0)
    return pd.DataFrame(co, index=pd.Index(cb.ids, name="code"), columns=cb.ids)


def word_cooccurrence(
    df: pd.DataFrame,
    *,
    vocab_size: int = 100,
    min_count: int = 2,
    min_len: int = 2,
    stopwords: frozenset[str] | None = None,
) -> pd.DataFrame:
    """Word × word co-occurrence within rows (paragraphs), among the most frequent words.

    The ``vocab_size`` words found in most rows are kept; pairs found together
    in at least ``min_count`` rows are returned. Out: word_a, word_b
    (word_a < word_b), count (rows with both), jaccard, sorted by count desc.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    docs = _row_tokens(df, min_len=min_len, stopwords=stopwords)
    cols = ["word_a", "word_b", "count", "jaccard"]
    if not any(docs):
        return pd.DataFrame(columns=cols)
    vec = CountVectorizer(analyzer=_identity, binary=True)
    x = vec.fit_transform(docs).tocsc()
    vocab = vec.get_feature_names_out()
    dfreq = np.asarray(x.sum(axis=0)).ravel()
    keep = np.lexsort((vocab, -dfreq))[:vocab_size]
    sub = x[:, keep]
    co = (sub.T @ sub).toarray()
    words = vocab[keep]
    n = np.diag(co)
    iu, ju = np.triu_indices(len(keep), k=1)
    counts = co[iu, ju]
    mask = counts >= min_count
    a, b, c = words[iu[mask]], words[ju[mask]], counts[mask]
    union = n[iu[mask]] + n[ju[mask]] - c
    lo, hi = np.where(a < b, a, b), np.where(a < b, b, a)
    out = pd.DataFrame({"word_a": lo, "word_b": hi, "count": c.astype(int), "jaccard": c / union})
    return out.sort_values(["count", "word_a", "word_b"], ascending=[False, True, True]).reset_index(drop=True)


def code_sentiment(
    paragraphs_df: pd.DataFrame,
    sentences_df: pd.DataFrame,
    *,
    unit: str = "paragraph",
    codebook: Codebook | Mapping | str | Path | None = None,
) -> pd.DataFrame:
    """Sentiment of the sentences under each code.

    ``unit="paragraph"``: a sentence counts under the codes of its paragraph
    (``themes`` of ``paragraphs_df``, joined on paragraph_id).
    ``unit="sentence"``: each sentence is coded on its own text.
    Out: code, label, n_sentences, n_paragraphs and n_essays (when the
    sentences carry paragraph_id, essay_id: how broad the evidence is),
    n_negative, n_neutral, n_positive,
    share_negative, share_neutral, share_positive, plus a last row ``(all)``
    for every sentence as the baseline. Without a ``sentiment_label`` column
    the shares are NaN (with a warning).
    """
    if unit not in ("paragraph", "sentence"):
        raise ValueError(f"unknown unit {unit!r}; valid: paragraph, sentence")
    cb = resolve_codebook(codebook)
    if unit == "paragraph":
        require(paragraphs_df, ["paragraph_id"], "paragraphs table")
        require(sentences_df, ["paragraph_id"], "sentences table")
        para_themes = pd.Series(list(_themes_column(paragraphs_df, cb)), index=paragraphs_df["paragraph_id"].to_numpy())
        para_themes = para_themes[~para_themes.index.duplicated()]
        themes = sentences_df["paragraph_id"].map(para_themes).map(lambda v: v if isinstance(v, list) else [])
    else:
        require(sentences_df, ["text"], "sentences table")
        themes = code_paragraphs(sentences_df, codebook=cb)["codes"]
    has_label = "sentiment_label" in sentences_df.columns
    if not has_label:
        warnings.warn("sentences lack a sentiment_label column: shares are NaN", stacklevel=2)
    labels = sentences_df["sentiment_label"].astype(str).to_numpy() if has_label else None
    m = _indicator(themes.reset_index(drop=True), cb.ids).astype(bool)
    rows = []
    for j, code in enumerate(cb.codes + (None,)):
        sel = m[:, j] if code is not None else np.ones(len(sentences_df), dtype=bool)
        n = int(sel.sum())
        row = {"code": code.id if code else "(all)", "code_label": code.label if code else "全部", "n_sentences": n}
        for col, name in (("paragraph_id", "n_paragraphs"), ("essay_id", "n_essays")):  # how broad the evidence is
            if col in sentences_df.columns:
                row[name] = len(set(sentences_df[col].to_numpy()[sel].tolist()))
        for lab in SENTIMENT_LABELS:
            k = int((labels[sel] == lab).sum()) if has_label else 0
            row[f"n_{lab}"] = k if has_label else pd.NA
            row[f"share_{lab}"] = (k / n if n else float("nan")) if has_label else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------
# Concordance
# --------------------------------------------------------------------------


def kwic(
    df: pd.DataFrame,
    term: str | Sequence[str] = DEFAULT_KWIC_TERMS,
    *,
    window: int = 15,
    regex: bool = False,
) -> pd.DataFrame:
    """Keyword in context: every occurrence of ``term`` in the ``text`` column.

    In: sentences or paragraphs (text; essay_id, paragraph_id, sentence_id
    carried when present). ``term``: a string or several (default 留守儿童,
    家访, 谈心, 安全); ``regex=True`` treats them as regular expressions.
    Out: left, keyword, right (at most ``window`` characters each side,
    newlines as spaces), essay_id, paragraph_id, [sentence_id], term, start.
    """
    require(df, ["text"], "table")
    if window < 0:
        raise ValueError(f"window must be >= 0, got {window}")
    terms = [term] if isinstance(term, str) else list(term)
    if not terms or any(not t for t in terms):
        raise ValueError("kwic needs at least one non-empty term")
    id_cols = [c for c in ("essay_id", "paragraph_id", "sentence_id") if c in df.columns]
    texts = df["text"].fillna("").astype(str).tolist()
    ids = {c: df[c].tolist() for c in id_cols}
    rows = []
    for t in terms:
        pat = re.compile(t if regex else re.escape(t))
        for i, text in enumerate(texts):
            for m in pat.finditer(text):
                if m.end() == m.start():
                    continue
                row = {
                    "left": text[max(0, m.start() - window) : m.start()].replace("\n", " "),
                    "keyword": m.group(0),
                    "right": text[m.end() : m.end() + window].replace("\n", " "),
                }
                row.update({c: ids[c][i] for c in id_cols})
                row.update({"term": t, "start": m.start()})
                rows.append(row)
    cols = ["left", "keyword", "right", "essay_id", "paragraph_id"]
    cols += [c for c in ("sentence_id",) if c in df.columns] + ["term", "start"]
    out = pd.DataFrame(rows, columns=cols)
    for c in ("essay_id", "paragraph_id"):
        if c not in df.columns:
            out[c] = None
    return out[cols]


def display_width(s: str) -> int:
    """Columns ``s`` takes in a CJK monospace font.

    Wide, full-width and East-Asian-ambiguous characters (“ ” … — in Chinese
    text) count 2, others 1.
    """
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 1 for ch in s)


def _pad(s: str, width: int, align: str) -> str:
    gap = max(0, width - display_width(s))
    if align == "right":
        return " " * gap + s
    if align == "left":
        return s + " " * gap
    return " " * (gap // 2) + s + " " * (gap - gap // 2)


def format_kwic(kwic_df: pd.DataFrame, *, html_output: bool = False, id_column: str = "essay_id") -> str:
    """Concordance lines with the keywords centred in one aligned column.

    Plain text (default): ``<id>  <left, right-aligned>【keyword】<right>``,
    padded by display width so CJK lines align in a monospace font.
    ``html_output=True``: an HTML table in a monospace font (left cell
    right-aligned, keyword centred and bold); show it with
    ``IPython.display.HTML``.
    """
    require(kwic_df, ["left", "keyword", "right"], "kwic table")
    ids = kwic_df[id_column].astype(str).tolist() if id_column in kwic_df.columns else [""] * len(kwic_df)
    lefts, kws, rights = (kwic_df[c].astype(str).tolist() for c in ("left", "keyword", "right"))
    if html_output:
        esc = html.escape
        body = "\n".join(
            f'<tr><td style="color:#777;padding-right:1em">{esc(i)}</td>'
            f'<td style="text-align:right;white-space:pre">{esc(l)}</td>'
            f'<td style="text-align:center;font-weight:bold;padding:0 .4em">{esc(k)}</td>'
            f'<td style="text-align:left;white-space:pre">{esc(r)}</td></tr>'
            for i, l, k, r in zip(ids, lefts, kws, rights)
        )
        return f'<table class="kwic" style="font-family:ReportCJK,\'Noto Sans Mono CJK SC\',monospace;border-collapse:collapse">\n{body}\n</table>'
    if not lefts:
        return ""
    wi = max(map(display_width, ids))
    wl = max(map(display_width, lefts))
    wk = max(map(display_width, kws))
    return "\n".join(
        f"{_pad(i, wi, 'left')}  {_pad(l, wl, 'right')}【{_pad(k, wk, 'centre')}】{r}".rstrip()
        for i, l, k, r in zip(ids, lefts, kws, rights)
    )
