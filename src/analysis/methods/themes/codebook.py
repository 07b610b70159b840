"""The codebook: its grammar compiled (terms, masks, rules, examples) and loaded from
``resources/codebook.yaml`` or a file of the researcher's (grammar in docs/themes.md)."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


from analysis.resources import ResourceError, load_yaml, resource_path

CODEBOOK_NAME = "codebook.yaml"
SCOPES = ("sentence", "paragraph")
REGEX_PREFIX = "re:"
_RULE_KEYS = {"any", "all", "not", "min_hits", "min_distinct", "scope", "note"}
_CODE_KEYS = {"label", "definition", "terms", "mask", "rules", "examples"}
_CODE_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


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
