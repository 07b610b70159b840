"""Pseudonyms for names of children (and, on request, adults, schools, villages).

:func:`build_pseudonym_map` turns an entities table
(:func:`analysis.methods.entities.extract_entities`) into a map original →
pseudonym: 学生A, 学生B … for children, 成人A … for adults, 学校A …,
村A …, 乡镇A … for organisations and places (prefixes in
``resources/entity_cues.yaml``). Letters follow the first occurrence in
corpus order (essay_id, then sentence, then offset, compared with numbers
read as numbers), so the same entities always give the same map.

Variants share their person's pseudonym: a surname + 某 / + XX (王某) or a
given name alone (文悦) that the entities table links to one full name
(column ``canonical``). A variant linked to different people in different
essays gets a pseudonym of its own rather than merging them.

:func:`pseudonymise` replaces every original in a text, longest first, in
one pass (a pseudonym is never replaced again). :func:`pseudonymise_frame`
does it for columns of a table. Replacement is by string, corpus-wide: a
child's name is replaced wherever it occurs, also in an essay where it was
not detected — a missed name is the worse error.

The map itself is sensitive: it is written only under ``data/processed/``
(the build's ``pseudonyms`` table), never into reports.
"""

from __future__ import annotations

import base64
import functools
import html
import re
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from analysis.methods.entities import (
    CALENDAR_WORDS,
    _PERSON_BEFORE,
    _TITLE_WORDS,
    WEATHER_BEFORE_RE,
    _automaton,
    _present,
    load_entity_cues,
    surname_of,
)
from analysis.ingest.pagechrome import PINYIN_LETTERS
from analysis.ingest.segment import get_tokenizer, word_tag

MAP_COLUMNS = ["original", "pseudonym", "role", "type", "n_mentions", "variant_of", "form", "scope"]
# form: full (as found) | short (a short form linked in an essay: 欣悦, 小冉, 阿彬) | romanised |
#       given (a given name never seen alone) | family (胡家) ; scope: essay ids a form applies in ('' = everywhere)
_NUM_RE = re.compile(r"(\d+)")


@functools.lru_cache(maxsize=1 << 18)  # ids recur in every build of a watching process
def natural_key(value: str) -> tuple:
    """Sort key that reads digit runs as numbers: doc-2 < doc-10."""
    return tuple(int(p) if p.isdecimal() else p for p in _NUM_RE.split(str(value)))


def pseudonym_pattern(cues_path: str | Path | None = None) -> re.Pattern:
    """A regex matching the pseudonyms :func:`build_pseudonym_map` makes
    (学生A, 成人B, 学校AA, 村C, 样本学生A …): a prefix of the cue file's
    ``pseudonyms`` section followed by capital letters."""
    from analysis.methods.entities import CUES_FILE
    from analysis.resources import load_yaml

    # the section alone: compiling every cue (load_entity_cues) cost a report kernel 0.6 s for this
    rules = load_yaml(CUES_FILE, cues_path).get("pseudonyms") or {}
    prefixes = set((rules.get("person") or {}).values()) | {"人物", "实体"}
    for type_ in ("organisation", "place"):
        prefixes |= {r["prefix"] for r in rules.get(type_) or () if r.get("prefix")}
    return _compiled_pseudonym_re(tuple(sorted(prefixes, key=len, reverse=True)))


@functools.lru_cache(maxsize=8)
def _compiled_pseudonym_re(prefixes: tuple[str, ...]) -> re.Pattern:
    return re.compile(f"(?:样本)?(?:{'|'.join(map(re.escape, prefixes))})[A-Z]+(?![A-Za-z])")


def letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA, 27 → AB …"""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(ord("A") + rem) + out
    return out


def _id_ranks(values: pd.Series) -> np.ndarray:
    """Each value's rank in natural order (:func:`natural_key`; equal keys tie)."""
    codes, uniques = pd.factorize(values, sort=False, use_na_sentinel=False)
    keys = [natural_key(u) for u in uniques.tolist()]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    rank = np.empty(len(keys), dtype=np.int64)
    r, prev = -1, None
    for i in order:
        if r < 0 or keys[i] != prev:
            r, prev = r + 1, keys[i]
        rank[i] = r
    return rank[codes]


def _prefixer(rules: dict):
    """(text, type, role) -> the pseudonym's prefix (cue file's ``pseudonyms`` section,
    suffix rules compiled once)."""
    compiled = {
        t: [(re.compile(f"(?:{r['suffix']})$") if r.get("suffix") else None, r["prefix"]) for r in rules.get(t) or ()]
        for t in ("organisation", "place")
    }
    people = rules.get("person") or {}

    def prefix(text: str, type_: str, role: str) -> str:
        if type_ == "person":
            return people.get(role) or "人物"
        for pattern, pre in compiled.get(type_, ()):
            if pattern is None or pattern.search(text):
                return pre
        return "实体"

    return prefix


def build_pseudonym_map(
    entities: pd.DataFrame,
    *,
    roles: Iterable[str] = ("child",),
    types: Iterable[str] = ("person",),
    given_names: bool = True,
    family_names: bool = True,
    romanised: bool = True,
    cues_path: str | Path | None = None,
) -> pd.DataFrame:
    """Pseudonym map from an entities table.

    In: entities with essay_id, sentence_id, text, type, role, start
    (+ canonical, optional). ``types`` chooses person / place /
    organisation; ``roles`` chooses which people (child, adult,
    public_figure). ``given_names`` also maps the 2-character given name of
    each selected full name (文悦 for 王文悦) even where it was not seen,
    unless it is an ordinary word. ``family_names`` also maps the family
    form of each child's surname (胡家 for 胡亮, as in 胡家奶奶) to 某家: the
    surname alone would otherwise be left beside the pseudonym, and 某家
    does not tie two children of one surname together. ``romanised`` adds
    the pinyin forms of each person's name (:func:`romanisations`). Out:
    original, pseudonym, role, type, n_mentions, variant_of ('' for a
    canonical name), form (full, short, given, family, romanised) and scope
    (the essays a short form that is also a dictionary word applies in; ''
    for everywhere) — one row per original string, canonical names in order
    of first occurrence.
    """
    missing = {"essay_id", "sentence_id", "text", "type", "role", "start"} - set(entities.columns)
    if missing:
        raise KeyError(f"entities table lacks columns: {', '.join(sorted(missing))}")
    roles, types = tuple(roles), tuple(types)
    cues = load_entity_cues(cues_path)
    text = entities["text"]
    canonical = entities["canonical"] if "canonical" in entities else text
    canonical = canonical.where(canonical.astype(bool), text)
    keep = entities["type"].isin(types) & ((entities["type"] != "person") | entities["role"].isin(roles))
    keep &= entities["role"] != "public"  # provinces and big cities: geography, kept as written
    keep = (keep & ~text.isin(set(cues.pseudonyms.get("keep") or ()))).to_numpy(dtype=bool)
    if not keep.any():
        return pd.DataFrame(columns=MAP_COLUMNS).astype({"n_mentions": "int64"})
    ent = entities[keep]
    # corpus order: essay, sentence (ids compared as natural keys), offset; ties keep row order
    order = np.lexsort(
        (
            np.arange(len(ent)),
            ent["start"].to_numpy(dtype=np.int64),
            _id_ranks(ent["sentence_id"]),
            _id_ranks(ent["essay_id"]),
        )
    )
    texts, canons, types_, roles_ = (
        col.to_numpy(dtype=object)[order].tolist() for col in (text[keep], canonical[keep], ent["type"], ent["role"])
    )

    mentions = Counter(texts)
    # which canonical names each string stands for, over the whole corpus
    links: dict[str, set[str]] = defaultdict(set)
    for t, c in zip(texts, canons):
        links[t].add(c)
    # a string keeps a pseudonym of its own if it occurs as itself anywhere or
    # stands for different people in different essays; else it is a variant
    target = {t: t if t in cs or len(cs) != 1 else next(iter(cs)) for t, cs in links.items()}
    canon_order = list(dict.fromkeys(target[t] for t in texts))
    # the rows that name each canonical person (as canonical or as text), in order
    rows_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for t, c, type_, role in zip(texts, canons, types_, roles_):
        rows_of[c].append((type_, role))
        if t != c:
            rows_of[t].append((type_, role))
    prefix_of = _prefixer(cues.pseudonyms)
    counters: dict[str, int] = defaultdict(int)
    meta: dict[str, tuple[str, str, str]] = {}  # canonical -> type, role, pseudonym
    for c in canon_order:
        rows = rows_of[c]
        role_values = [r for _, r in rows]
        # ties go to the role seen first (a set's order would vary between runs)
        role = "child" if "child" in role_values else max(dict.fromkeys(role_values), key=role_values.count)
        type_ = rows[0][0]
        prefix = prefix_of(c, type_, role)
        meta[c] = (type_, role, f"{prefix}{letters(counters[prefix])}")
        counters[prefix] += 1

    out = [(c, p, role, type_, mentions.get(c, 0), "") for c, (type_, role, p) in meta.items()]
    for t in dict.fromkeys(texts):  # variants, in order of first occurrence
        if t not in meta:
            type_, role, p = meta[target[t]]
            out.append((t, p, role, type_, mentions[t], target[t]))
    surnames: dict[str, str] = {}
    if given_names or family_names:
        surnames = {
            c: surname_of(c, cues)
            for c, (type_, role, _) in meta.items()
            if type_ == "person" and role != "public_figure"
        }
    if given_names:
        known = {r[0] for r in out}
        freq = get_tokenizer().FREQ
        for c, sur in surnames.items():
            given = c[len(sur) :]
            # a given name jieba knows as a rare word is still a name (志军); a common word (文静) is not added
            if (
                sur
                and len(given) == 2
                and given not in known
                and (freq.get(given) or 0) < GIVEN_WORD_MAX_FREQ
                and "XX" not in given
            ):
                type_, role, p = meta[c]
                out.append((given, p, role, "person", 0, c))
                known.add(given)
    if family_names:
        known = {r[0] for r in out}
        for c, sur in surnames.items():
            family = f"{sur}家"
            if (
                sur
                and meta[c][1] == "child"
                and family not in known
                and sur not in cues.ambiguous_surnames  # 高家, 白家, 全家: a word more often than a family
                and family not in cues.not_family_forms  # 商家, 回家, 300余家
            ):
                out.append((family, FAMILY_PSEUDONYM, "child", "person", 0, c))
                known.add(family)
    # forms and scopes: a short form that is also a dictionary word (欣悦, 乐乐) counts only in the
    # essays where it was linked to its person; every other form counts everywhere
    freq = get_tokenizer().FREQ
    essays_of: dict[str, set[str]] = defaultdict(set)
    for t, eid in zip(text[keep].tolist(), ent["essay_id"].tolist()):
        essays_of[t].add(eid)
    # strings the essays used for a longer name (文明 for 王文明, 齐文明 …): a person of their own when
    # they stand for several, but a word (文明) is still scoped to the essays that used it so
    linked = {t for t, c in zip(text[keep].tolist(), canonical[keep].tolist()) if t != c}
    rows = []
    for o, p, role, type_, n, var in out:
        if p == FAMILY_PSEUDONYM:
            form = "family"
        elif var and n == 0:
            form = "given"
        elif var:
            form = "short" if len(o) <= 2 and not o.endswith(("某", "XX")) else "full"
        else:
            form = "full"
        scoped = (form == "short" or (form == "full" and len(o) <= 2 and (o in linked or type_ == "person"))) and (
            (freq.get(o) or 0) > 0 or o in CALENDAR_WORDS  # 白露: a solar term the dictionary lacks
        )
        # a teacher's surname and title made from a name whose surname is a preposition (和老师 of 和丽萍): a
        # preposition and a title in every other essay (同学和老师)
        # …and one the text itself names so (时校长): a time word and a title in every other essay (同时校长)
        scoped = scoped or bool(type_ == "person" and _word_surname_title(o, var or o, cues))
        # a short form counts, too, in every essay that names its person in full (思源 in a log's excerpt of the
        # table that names 夏侯思源, though only the next essay of the page calls him 思源)
        where = essays_of.get(o, set()) | (essays_of.get(var, set()) if var and form == "short" else set())
        rows.append((o, p, role, type_, n, var, form, " ".join(sorted(where, key=natural_key)) if scoped else ""))
    if romanised:
        seen = {r[0] for r in rows}
        for o, p, role, type_, n, var, form, _ in list(rows):
            if form != "full" or role == "public_figure" or var:
                continue
            if type_ == "person":
                forms = (
                    romanisations(o, cues) + romanisations(o, cues, given_only=True) + initialled_romanisations(o, cues)
                )
                if role == "adult":
                    forms += titled_romanisations(o, cues)
            else:  # a place or a school by its name without the suffix: Lanxi (County), Baiyan (Central Primary School)
                forms = [f for stem in place_name_stems(o) for f in syllables(stem)]
            for roman in forms:
                if roman not in seen:
                    rows.append((roman, p, role, type_, 0, o, "romanised", ""))
                    seen.add(roman)
    return pd.DataFrame(rows, columns=MAP_COLUMNS).astype({"n_mentions": "int64"})


def _word_surname_title(form: str, full: str, cues) -> bool:
    """Is ``form`` the surname of ``full`` and a title, the surname one that is also a preposition or a
    word (和老师 of 和丽萍; see :data:`analysis.methods.entities.TITLE_FORM_TITLES`)?"""
    from analysis.methods.entities import TITLE_FORM_TITLES

    sur = surname_of(full, cues)
    return sur in cues.not_before_title and form in {sur + t for t in TITLE_FORM_TITLES}


def syllables(word: str) -> list[str]:
    """Pinyin readings of a CJK word of two or more characters, as lower-case
    syllables separated by spaces (岚溪 → ``lan xi``); [] otherwise."""
    from itertools import product

    from pypinyin import Style, pinyin

    if not re.fullmatch(r"[\u4e00-\u9fff]{2,6}", word):
        return []
    readings = [r[:2] for r in pinyin(word, style=Style.NORMAL, heteronym=True)]
    return list(dict.fromkeys(" ".join(x.replace("ü", "v") for x in combo) for combo in list(product(*readings))[:4]))


# English titles before a romanised surname in a bilingual summary (Mr. Qi, Principal Qi), also the kin
# titles children call a cook or a neighbour by (Uncle Shi, Auntie Wang, Grandpa Li)
_ROMAN_TITLES = (
    "mr",
    "ms",
    "mrs",
    "miss",
    "madam",
    "teacher",
    "principal",
    "director",
    "dr",
    "uncle",
    "aunt",
    "auntie",
    "grandpa",
    "grandma",
    "granny",
    # …and the posts a lecture's or a clinic's summary names an adult by (Judge Shi, Officer Niu, Doctor Qi)
    "judge",
    "officer",
    "doctor",
    "coach",
)


def titled_romanisations(name: str, cues=None) -> list[str]:
    """A person's romanised surname after an English title (``mr qi`` for 亓…),
    the way a bilingual summary names an adult."""
    from pypinyin import Style, pinyin

    cues = cues or load_entity_cues()
    sur = surname_of(name, cues)
    if not sur or not re.fullmatch(r"[\u4e00-\u9fff]{2,4}", name):
        return []
    out = []
    for reading in (
        pinyin(sur, style=Style.NORMAL, heteronym=True)[0][:2]
        if len(sur) == 1
        else ["".join(x[0] for x in pinyin(sur, style=Style.NORMAL))]
    ):
        out += [f"{t} {reading.replace('ü', 'v')}" for t in _ROMAN_TITLES]
    return out


def place_name_stems(name: str) -> list[str]:
    """The proper-name parts of a place or an institution, without their
    suffix (岚溪县 → 岚溪; 苦竹乡杉木坪小学 → 苦竹, 杉木坪)."""
    from analysis.methods.entities import place_stems

    out = []
    for part in [name, *place_stems(name)]:
        stem = re.sub(r"(社区|街道|[省市县区镇乡村屯寨组])$", "", part)
        if len(stem) >= 2 and stem != name:
            out.append(stem)
    return list(dict.fromkeys(out))


@functools.lru_cache(maxsize=1 << 16)
def _char_readings(ch: str) -> tuple[str, ...]:
    from pypinyin import Style, pinyin

    return tuple(pinyin(ch, style=Style.NORMAL, heteronym=True)[0])


@functools.lru_cache(maxsize=1 << 16)
def _name_readings(name: str) -> tuple[tuple[str, ...], ...]:
    """pypinyin's readings of each character of ``name`` (NORMAL style, every
    reading): character by character unless a part of the name is one of
    pypinyin's phrases (then the phrase decides, as ``pinyin(name)`` does) —
    the same result, without pypinyin's segmentation for each of the
    hundreds of thousands of names a long text can give."""
    from pypinyin import Style, pinyin
    from pypinyin.constants import PHRASES_DICT

    n = len(name)
    if any(name[i:j] in PHRASES_DICT for i in range(n) for j in range(i + 2, n + 1)):
        return tuple(tuple(r) for r in pinyin(name, style=Style.NORMAL, heteronym=True))
    return tuple(_char_readings(c) for c in name)


def initialled_romanisations(name: str, cues=None) -> list[str]:
    """A name signed with the initials of its given name and the surname in pinyin (梁亦凡 → ``y f liang``,
    written Y.F. Liang, YF Liang; and ``liang y f``), or with the three initials alone (``y f l``: Y.F.L., YFL —
    a comment's or a handle's, counted only in capitals as every initialled form; four for a compound surname:
    ``z g m l``, ZGML): only for a given name of two
    characters, from their first readings, and no surname and title."""
    cues = cues or load_entity_cues()
    if not re.fullmatch(r"[\u4e00-\u9fff]{3,4}", name):
        return []
    sur = surname_of(name, cues)
    if not sur or len(name) - len(sur) != 2 or name[len(sur) :] in _TITLE_WORDS:
        return []
    readings = [r[0].replace("ü", "v") for r in _name_readings(name)]
    if len(readings) != len(name) or not all(readings):
        return []
    k = len(sur)
    surname, initials = readings[:k], [r[0] for r in readings[k:]]
    out = [" ".join([*initials, *surname]), " ".join([*surname, *initials])]
    if k == 1 and all(r[0] not in "aeo" for r in readings):
        # …and by the three initials alone, in capitals (亢秋实 → K.Q.S., 文小雅 → WXY爸爸, a parent's handle)
        out.append(" ".join(r[0] for r in readings))
    elif k == 2:
        # …or the four of a compound surname's name (诸葛明亮 → ZGML, 欧阳晨曦 → OYCX: a system's export, a
        # case file's code); four capitals are no initials of anything else on the page
        out.append(" ".join(r[0] for r in readings))
    return out


_NAME_2_4_RE = re.compile(r"[\u4e00-\u9fff]{2,4}")


def romanisations(name: str, cues=None, *, given_only: bool = False) -> list[str]:
    """Pinyin forms of a Chinese name, as lower-case syllables separated by
    spaces — surname first and given name first (罗巧林 → ``luo qiao lin``,
    ``qiao lin luo``); a surname with several readings gives each (单 → dan,
    shan). Matching ignores case and separators (LuoQiaoLin, Luo Qiao-lin).
    ``given_only``: the given name alone when it has two syllables or more
    (``qiao lin``, written Qiaolin); a one-syllable given name is no safe form
    alone, only doubled, the way a child is called (慕容晴 → ``qing qing``).
    A surname and a title (乔老师) has its surname first only (``qiao lao shi``): its title is no given
    name (``lao shi`` alone is every teacher: xiexie laoshi)."""
    from itertools import islice, product

    cues = cues or load_entity_cues()
    if not _NAME_2_4_RE.fullmatch(name) or name.endswith("某"):
        return []
    sur = surname_of(name, cues) or name[:1]
    titled = name[len(sur) :] in _TITLE_WORDS
    if titled and given_only:
        return []
    readings = [r[:2] for r in _name_readings(name)]
    out = []
    for combo in islice(product(*readings), 6):  # the first six combinations, not all of them built
        syl = [x.replace("ü", "v") for x in combo]
        k = len(sur)
        if given_only:
            # a doubled form only from the given name's first readings: a rare one doubled is often a
            # kin word or an English one (周墨's rare mei: "mei mei", a younger sister), no name's form
            primary = all(combo[j] == readings[j][0] for j in range(k, len(combo)))
            if len(syl) - k >= 2:
                if primary or len(set(syl[k:])) > 1:
                    out.append(" ".join(syl[k:]))
            elif len(syl) - k == 1 and primary:
                out.append(f"{syl[k]} {syl[k]}")  # 慕容晴 called Qingqing: a one-syllable given name doubled
            continue
        out.append(" ".join(syl))
        if len(name) - k >= 1 and not titled:
            out.append(" ".join(syl[k:] + syl[:k]))
    return list(dict.fromkeys(out))


def page_entities(tables: dict[str, pd.DataFrame], *, cues_path: str | Path | None = None) -> pd.DataFrame:
    """Entities in what a report shows besides the essays' sentences: titles
    and headings, the metadata read from page chrome (author, editor,
    guidance teacher, source), the chrome and preamble lines the cleaning
    log keeps, and the source files' names (溪口镇关爱留守儿童纪实.txt).
    Same columns as :func:`analysis.methods.entities.extract_entities`."""
    from analysis.methods.entities import ENTITY_COLUMNS, find_entities, load_entity_cues

    cues = load_entity_cues(cues_path)
    essays = tables["essays"]
    first_essay = dict(zip(essays["source_file"][::-1], essays["essay_id"][::-1]))
    texts: dict[str, list[str]] = defaultdict(list)  # essay id -> texts
    prefixes = {"author": "作者：", "editor": "责任编辑：", "guidance": "指导老师：", "source": "来源："}
    for col in ("title", "heading", *prefixes):
        if col in essays:
            for eid, v in zip(essays["essay_id"], essays[col]):
                if isinstance(v, str) and v.strip():
                    texts[eid].append(prefixes.get(col, "") + v.strip())
    log = tables.get("cleaning_log")
    if log is not None and len(log):
        removed = log[log["rule"].isin(list(_REMOVED_RULES))]
        spans = _essay_spans(essays)
        for f, eid, line, before in zip(
            removed["source_file"], removed["essay_id"], removed["line"], removed["before"]
        ):
            # a line between two essays (a byline under the next one's title, a comment after the last) belongs
            # to both neighbours; one before the first essay to the first
            keys = [eid] if eid else _neighbours(spans.get(f, []), line) or [first_essay.get(f, "")]
            if isinstance(before, str):
                for key in filter(None, keys):
                    texts[key].extend(x for x in before.split("\n") if x.strip())
    for f, eid in first_essay.items():
        stem = re.sub(r"[_\-.]+", " ", Path(f).stem)
        if _CJK_CHAR_RE.search(stem):
            texts[eid].append(stem)
    from analysis.ingest.clean import to_simplified

    rows = []
    for eid, lines in texts.items():
        # chrome and preamble lines are logged as written: traditional characters are read simplified
        for r in find_entities([to_simplified(x)[0] for x in lines], cues=cues):
            r = dict(r)
            r["essay_id"] = eid
            r["sentence_id"] = f"{eid}-x{r.pop('sentence'):04d}"
            rows.append(r)
    return pd.DataFrame(rows, columns=ENTITY_COLUMNS)


def _essay_spans(essays: pd.DataFrame) -> dict[str, list[tuple[int, int, str]]]:
    """Per source file, its essays' (first line, last line, essay id) in file order."""
    out: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    if not {"line_start", "line_end"} <= set(essays.columns):
        return out
    for f, a, b, eid in zip(essays["source_file"], essays["line_start"], essays["line_end"], essays["essay_id"]):
        out[f].append((int(a), int(b), eid))
    for v in out.values():
        v.sort()
    return out


def _neighbours(spans: list[tuple[int, int, str]], line) -> list[str]:
    """The essays right before and right after a line outside every essay."""
    try:
        line = int(line)
    except (TypeError, ValueError):
        return []
    before = [eid for a, b, eid in spans if b < line][-1:]
    after = [eid for a, b, eid in spans if a > line][:1]
    return before + after


def stem_entities(tables: dict[str, pd.DataFrame], found: pd.DataFrame) -> pd.DataFrame:
    """A place or a school named anywhere in the corpus (a file name, a byline,
    another essay) and called by its bare name in an essay's text (乌桕坪 for
    乌桕坪村; 鹞子岩 for 鹞子岩教学点; 桐子坳 for 桐子坳镇中心小学): each such
    mention, as an entity row pointing to the full name. Bare names that are
    dictionary words (苦竹, 明德) are left alone."""
    from analysis.methods.entities import ENTITY_COLUMNS, place_stems, simplified_chars

    places = found[found["type"].isin(["place", "organisation"]) & (found["role"] != "public")]
    freq = get_tokenizer().FREQ
    stems: dict[str, str] = {}
    known = set(found["text"])
    for name in dict.fromkeys(places["text"]):
        for stem in place_stems(name):
            if len(stem) >= 2 and stem not in known and not freq.get(stem) and _CJK_ONLY_RE.match(stem):
                stems.setdefault(stem, name)
    sents = tables.get("sentences")
    if sents is None or not len(sents):
        return pd.DataFrame(columns=ENTITY_COLUMNS)
    rows = []
    if stems:
        # one automaton pass per sentence (the matches of longest_first_pattern's regex): a regex of
        # every stem of the corpus tried at every character grew with the corpus times its stems
        automaton = _automaton(stems)
        for eid, sid, text in zip(sents["essay_id"], sents["sentence_id"], sents["text"]):
            if not isinstance(text, str):
                continue
            for start, end, stem in _leftmost_longest(automaton, simplified_chars(text)):
                rows.append((eid, sid, stem, "place", "", start, end, f"地名简称（{stems[stem]}）", stems[stem]))
    essays = tables.get("essays")
    file_of = (
        dict(zip(essays["essay_id"], essays["source_file"]))
        if essays is not None and {"essay_id", "source_file"} <= set(essays.columns)
        else {}
    )
    rows += _linked_short_forms(pd.concat([sents, _chrome_lines(tables)], ignore_index=True), found, file_of)
    return pd.DataFrame(rows, columns=ENTITY_COLUMNS)


_REMOVED_RULES = ("remove_chrome", "drop_preamble", "drop_outside_essay", "drop_empty_heading")


def _chrome_lines(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The page-furniture lines the cleaning log keeps with the essay they were removed from (a caption inside
    the essay: ▲ 小树扑球瞬间), as sentences of that essay: a short form of a person the essay names in full is
    that person there too (小树 of 包小树, named in the essay's line-up)."""
    log = tables.get("cleaning_log")
    if log is None or not len(log) or not {"essay_id", "rule", "line", "before"} <= set(log.columns):
        return pd.DataFrame(columns=["essay_id", "sentence_id", "text"])
    removed = log[log["rule"].isin(_REMOVED_RULES) & log["essay_id"].fillna("").astype(bool)]
    rows = [
        (eid, f"{eid}-c{line}-{k}", x)
        for eid, line, before in zip(removed["essay_id"], removed["line"], removed["before"])
        if isinstance(before, str)
        for k, x in enumerate(before.split("\n"))
        if x.strip()
    ]
    return pd.DataFrame(rows, columns=["essay_id", "sentence_id", "text"])


# what makes a short form of a person named in another essay of the same page a person here: kin or a
# pupil's word after it (晨光的妈妈, 晨光哥哥, 晨光同学), or a name's slot before it (和晨光, 叫晨光)
_SIBLING_FORM_AFTER_RE = re.compile(
    r"的?(?:爸爸|妈妈|爷爷|奶奶|外公|外婆|姥姥|姥爷|父母|家长|哥哥|姐姐|弟弟|妹妹|同学|小朋友)"
)
_NAME_SLOT_BEFORE = frozenset("叫和与跟同给让请把被帮陪带教问找")
# the short forms that are a pet name's shape (悦悦, 小悦, 阿悦): no word, they stand for the child wherever a name ends
_PET_FORM_WHYS = frozenset({"叠字名", "小+名", "阿+名"})


def _linked_short_forms(sents: pd.DataFrame, found: pd.DataFrame, file_of: dict | None = None) -> list[tuple]:
    """A person named in an essay's byline, title or page furniture and called
    by a short form in its text (岑一帆 in the byline, 帆帆 in the story): each
    such mention, pointing to the full name. Within one essay; a person named
    in another essay of the same page (``file_of``: essay id → source file) only
    where the text puts the form in a person's slot (a comment kept with the
    last essay: 晨光的妈妈 of 郗晨光, named in the first)."""
    from analysis.methods.entities import short_form_reads_as_person, short_forms, simplified_chars, surname_of

    cues = load_entity_cues()
    freq = get_tokenizer().FREQ
    people = found[(found["type"] == "person") & found["role"].isin(["child", "adult"])]
    known = defaultdict(set)
    for eid, t in zip(found["essay_id"], found["text"]):
        known[eid].add(t)
    fulls: dict[str, dict[str, str]] = defaultdict(dict)  # essay -> full name -> role
    for eid, t, role in zip(people["essay_id"], people["text"], people["role"]):
        if len(t) >= 2 and surname_of(t, cues):
            fulls[eid].setdefault(t, role)
    rows = []
    by_essay = sents.groupby("essay_id", sort=False)
    file_of = file_of or {}
    page_names: dict[str, dict[str, str]] = defaultdict(dict)  # source file -> full name -> role
    for eid, names in fulls.items():
        if file_of.get(eid):
            for full, role in names.items():
                page_names[file_of[eid]].setdefault(full, role)
    for eid in by_essay.groups:
        names = fulls.get(eid, {})
        others = {full: role for full, role in page_names.get(file_of.get(eid), {}).items() if full not in names}
        if not names and not others:
            continue
        g = by_essay.get_group(eid)
        forms: dict[str, str] = {}
        whys: dict[str, str] = {}
        sibling: set[str] = set()
        for group, here in ((names, True), (others, False)):
            for full, role in group.items():
                for form, why in short_forms(full, role, cues):
                    if form in forms or form in known[eid]:
                        continue
                    if why == "名" or (form not in cues.not_nicknames and form not in cues.not_reduplicated):
                        forms[form] = full
                        whys[form] = why
                        if not here:
                            sibling.add(form)
        if not forms:
            continue
        names = {**others, **names}
        automaton = _automaton(forms)  # the matches of longest_first_pattern's regex, in linear time
        for sid, text in zip(g["sentence_id"], g["text"]):
            if not isinstance(text, str):
                continue
            text = simplified_chars(text)
            for start, end, form in _leftmost_longest(automaton, text):
                full = forms[form]
                if text[max(0, start - len(surname_of(full, cues))) : start] == surname_of(full, cues):
                    continue  # part of the full name itself
                if not short_form_reads_as_person(form, text, start, end, freq, why=whys[form]):
                    continue  # 9月6日　小雨 (晓雨's 小雨, but the weather here), 海洋, 明月: a word, unless a person acts
                if form in sibling and not (
                    _SIBLING_FORM_AFTER_RE.match(text, end)
                    or (start > 0 and text[start - 1] in _NAME_SLOT_BEFORE)
                    # a pet name's shape that is no word (悦悦 of 阚欣悦), where a name ends (但悦悦从小就跟着我)
                    or (whys[form] in _PET_FORM_WHYS and not freq.get(form) and cues.name_end.match(text, end))
                ):
                    continue  # 迎着晨光: the word, though another essay of the page names 郗晨光
                rows.append((eid, sid, form, "person", names[full], start, end, f"简称（{full}）", full))
    return rows


_CJK_ONLY_RE = re.compile(r"^[\u4e00-\u9fff]+$")


# ---------------------------------------------------------------- apply ---
def _as_pairs(mapping) -> tuple[tuple[str, str], ...]:
    if isinstance(mapping, pd.DataFrame):
        missing = {"original", "pseudonym"} - set(mapping.columns)
        if missing:
            raise KeyError(f"pseudonym map lacks columns: {', '.join(sorted(missing))}")
        pairs = zip(mapping["original"], mapping["pseudonym"])
    elif isinstance(mapping, Mapping):
        pairs = mapping.items()
    else:
        raise TypeError("mapping must be a DataFrame (original, pseudonym) or a dict")
    return tuple(sorted((str(o), str(p)) for o, p in pairs if isinstance(o, str) and o))


def longest_first_pattern(words) -> str:
    """A regex that matches, at each position, the longest of ``words`` that
    starts there — the same matches as ``"|".join(sorted(words, key=len,
    reverse=True))`` — written as a trie (shared prefixes once, a longer
    continuation tried before ending), so the regex engine does not try every
    word at every position."""
    trie: dict = {}
    for w in words:
        if w:
            node = trie
            for ch in w:
                node = node.setdefault(ch, {})
            node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


@functools.lru_cache(maxsize=32)
def _replacer(pairs: tuple[tuple[str, str], ...]):
    """A function text -> text replacing every written form of every original
    (see :class:`NameReplacer`)."""
    if not pairs:
        return lambda text: text
    return NameReplacer(pairs)


_ROMAN_RE = re.compile(r"^[a-z]+(?: [a-z]+)+$")
GIVEN_WORD_MAX_FREQ = 20  # a given name this common as a word is mapped only where the text links it
EDGE_WORD_FREQ = 5  # a name's part at least this common as a word is not taken for a cut name
_PSEUDO_TAIL = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _leftmost_longest(automaton, text: str, keep=None):
    """(start, end, word) of the matches a left-to-right scan takes: at each
    position the longest word starting there, then on from its end — the
    matches of :func:`longest_first_pattern`'s regex, found in linear time.
    ``keep(start, end, word)``: only matches it accepts take part (one it
    refuses does not hide a shorter or later one)."""
    if not text:
        return []
    hits = automaton.spans(text)
    if keep is not None:
        hits = (h for h in hits if keep(*h))
    hits = sorted(hits, key=lambda h: (h[0], -h[1]))
    out, last = [], 0
    for start, end, w in hits:
        if start >= last:
            out.append((start, end, w))
            last = end
    return out


@functools.cache
def _english_words() -> frozenset[str]:
    from analysis.resources import load_lines

    return frozenset(w.strip().lower() for w in load_lines("romanised_english.txt"))


def _english_word(written: str) -> bool:
    """A romanised form written as a common English word — one solid word,
    not CamelCase (``here``, ``Here``, ``HERE``; not ``HeRe`` or ``He Re``):
    then it is the word (resources/romanised_english.txt)."""
    w = unicodedata.normalize("NFKC", written)
    if not w.isascii() or not w.isalpha():
        return False
    if any(c.isupper() for c in w[1:]) and not w.isupper():
        return False
    return w.lower() in _english_words()


_SYLLABLE_SEP = "[\\s\\-_.·']*"


def _syllable_trie_pattern(names: list[list[str]]) -> str:
    """A regex matching any of ``names`` (each a list of pinyin syllables,
    with any separator between them), written as a trie over syllables so
    the regex engine does not try every name at every position of a text."""
    trie: dict = {}
    for syllables in names:
        node = trie
        for syl in syllables:
            node = node.setdefault(syl, {})
        node[""] = {}

    def build(node: dict, first: bool) -> str:
        branches = [
            ("" if first else _SYLLABLE_SEP) + re.escape(syl) + build(child, False)
            for syl, child in sorted(node.items(), key=lambda kv: (-len(kv[0]), kv[0]))
            if syl
        ]
        if not branches:
            return ""
        alt = "(?:" + "|".join(branches) + ")"
        return alt + "?" if "" in node else alt

    return build(trie, True)


def _initial_positions(syllables: list[str]) -> tuple[int, ...]:
    """Where the one-letter syllables (initials) of a romanised name fall among its letters."""
    out, at = [], 0
    for syl in syllables:
        if len(syl) == 1 and syl not in "aeo":  # a, e, o are syllables of their own (阿, 鹅, 哦)
            out.append(at)
        at += len(syl)
    return tuple(out)


class NameReplacer:
    """Replaces names in any written form (callable: text -> text).

    Originals are matched on the :func:`shadow` of a text — simplified, lower
    case, spaces inside CJK runs and pinyin ruby left out — and replaced in
    the text itself, so 劉瑩瑩, 刘 莹莹 and 刘(liú)莹莹 all become the
    pseudonym of 刘莹莹. An original written as pinyin syllables separated by
    spaces (``luo qiao lin``, a romanised variant) matches those syllables in
    any case with or without separators (LuoQiaoLin, Luo Qiao-lin,
    LUO Qiaolin), as a whole word.

    A short original that is also a dictionary word (a nickname 甜甜, a
    given name 文明) is not replaced where it lies inside a longer dictionary
    word (小马 in 小马过河). A person's name cut at the edge of a text window
    (a log context …送给钟美 | 怡说…) loses the part left, as does a place or
    organisation whose cut part is no dictionary word.
    """

    def __init__(self, pairs: tuple[tuple[str, str], ...]):
        self.table: dict[str, str] = {}
        roman: list[tuple[list[str], str]] = []
        for original, pseudo in pairs:
            o = original.strip().lower()
            if _ROMAN_RE.match(o):
                roman.append((o.split(), pseudo))
            elif original:
                key = shadow(original)[0]
                if key:
                    self.table.setdefault(key, pseudo)
        self.automaton = _automaton(self.table) if self.table else None
        freq = get_tokenizer().FREQ
        self.weak = {k for k in self.table if len(k) <= 2 and (freq.get(k) or 0) > 0}
        self.roman, self.roman_initials = None, {}
        if roman:
            self.roman = re.compile(
                r"(?<![A-Za-z])" + _syllable_trie_pattern([syl for syl, _ in roman]) + r"(?![A-Za-z])", re.IGNORECASE
            )
            self.roman_table = {"".join(syl): p for syl, p in roman}
            # a name signed with initials (y f liang: Y.F. Liang) counts only with its initials written as capitals:
            # in lower case, "libs" and "min.js" of a web page's code are no 李B.S. or 闵J.S.
            self.roman_initials = {"".join(syl): _initial_positions(syl) for syl, _ in roman if _initial_positions(syl)}
        self._edges(pairs, freq)

    def _edges(self, pairs, freq) -> None:
        person = re.compile(r"^(?:样本)?(?:学生|成人|人物)[A-Z]+$")
        cjk = re.compile(r"^[\u3400-\u9fff]+$")
        people = [(shadow(o)[0], p) for o, p in pairs if len(o) >= 3 and person.match(p)]
        others = [(shadow(o)[0], p) for o, p in pairs if len(o) >= 4 and not person.match(p) and p != FAMILY_PSEUDONYM]
        # a part that is a common word (蒙文 of 蒙文彬) ends many a text that names no one
        self.heads = {
            o[:k]: p
            for o, p in people
            for k in range(2, len(o))
            if cjk.match(o[:k]) and (freq.get(o[:k]) or 0) < EDGE_WORD_FREQ
        }
        self.tails = {
            o[-k:]: p
            for o, p in people
            for k in range(2, len(o))
            if cjk.match(o[-k:]) and (freq.get(o[-k:]) or 0) < EDGE_WORD_FREQ
        }
        for o, p in others:
            if not cjk.match(o):
                continue
            for k in range(3, len(o)):
                if not freq.get(o[:k]):
                    self.heads.setdefault(o[:k], p)
                if not freq.get(o[-k:]):
                    self.tails.setdefault(o[-k:], p)
        self.longest = max((len(f) for f in (*self.heads, *self.tails)), default=0)

    # ------------------------------------------------------------------ find
    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, pseudonym) of every name in ``text``, in order, not overlapping."""
        found: list[tuple[int, int, str]] = []
        sh = where = None
        if self.automaton is not None:
            sh, where = shadow(text)

            def family_here(start: int, end: int, key: str) -> bool:
                # 王家贤, 张家口, 王家坝: a name, a place, not the family 王家 of a child 王X (家贤 is still seen)
                return self.table[key] != FAMILY_PSEUDONYM or bool(_FAMILY_AFTER_RE.match(sh, end))

            held_end = -1  # end of the last dictionary word read whole (姜春云 holding 姜春)
            for start, end, key in _leftmost_longest(self.automaton, sh, family_here):
                if start < held_end:
                    continue  # 姜春云|强调: no name is read across a word already read whole (云强)
                if len(key) <= 2:
                    word = self._holding_word(sh, start, end, crossing=CROSSED_WORD_MIN)
                    if word is not None and not _owner_before_de(sh, start, end, word):
                        held_end = max(held_end, word[1])
                        continue  # 小马过河, 一帆风顺: a longer word holds the form; 正如|江泽民: crosses one
                    if self._modifies_noun(sh, start, end) or self._prefix_before_word(sh, start, end):
                        continue  # 小兰花: little orchids; 穿过小胡同: a little lane (小|胡同)
                if _doubled_surname_word(sh, start, key):
                    continue  # 谢谢老师: thanks to the teacher, not 谢 + 谢老师 (but 谢谢谢老师 thanks 谢老师)
                if key in self.weak and (
                    _DEGREE_BEFORE_RE.search(sh, 0, start)
                    or _ADVERB_AFTER_RE.match(sh, end)
                    or WEATHER_BEFORE_RE.search(sh, max(0, start - 3), start)
                    or (sh[start - 1 : start] == "《" and sh[end : end + 1] == "》")
                ):
                    continue  # 性格文静, 很平安, 是个文静的, 平安地, 平安健康, 下着小雨, 《海燕》: the word
                if (
                    len(key) == 2
                    and key[0] == key[1]
                    and sh[end : end + 1] in ("的", "地")
                    and _DEGREE_BEFORE_RE.search(sh, 0, start)
                ):
                    continue  # 长得壮壮的, 显得胖胖的: a doubled adjective after 长得 or a degree word, not 壮壮
                found.append((where[start], _end_with_ruby(text, where[end - 1] + 1), self.table[key]))
        if self.roman is not None and _HAS_LATIN_RE.search(unicodedata.normalize("NFKC", text)):
            if sh is None:
                sh, where = shadow(text)  # lower case, full-width letters as ASCII (Ｚｈａｎｇ)
            for m in self.roman.finditer(sh):
                written = text[where[m.start()] : where[m.end() - 1] + 1]
                if _english_word(written):
                    continue  # "here" (he re), "data" (da ta): the English word, not a name
                key = re.sub(r"[^a-z]", "", m.group(0).lower())
                pseudo = self.roman_table.get(key)
                if pseudo and not self._initials_written(key, written):
                    continue
                if pseudo:
                    found.append((where[m.start()], where[m.end() - 1] + 1, pseudo))
        found.sort(key=lambda x: (x[0], -(x[1] - x[0])))
        out, last = [], -1
        for s, e, p in found:
            if s >= last:
                out.append((s, e, p))
                last = e
        return out

    @staticmethod
    def _window_words(sh: str, lo: int, hi: int):
        """(start, end, word, jieba count) of the dictionary segmentation of shadow[lo:hi], in order."""
        pos = lo
        freq = get_tokenizer().FREQ
        for tok in get_tokenizer().lcut(sh[lo:hi], HMM=False):
            yield pos, pos + len(tok), tok, freq.get(tok) or 0
            pos += len(tok)

    @classmethod
    def _holding_word(cls, sh: str, start: int, end: int, *, crossing: int = 0) -> tuple[int, int] | None:
        """(start, end) of a longer dictionary word that strictly holds shadow[start:end]
        (小马 in 小马过河, 姜春 in 姜春云) or, with ``crossing``, a person's name in the
        dictionary, of at least that many characters, that the form runs into from outside
        (如江 of 正如|江泽民, 云强 of 姜春云|强调), None when there is none. Such a word is read
        whole: no name lies inside or across it. Other words are crossed by real names (文静 of
        文|静悄悄, 付副 of 付|副镇长)."""
        for t0, t1, word, n in cls._window_words(sh, max(0, start - 4), min(len(sh), end + 4)):
            if n <= 0:
                continue
            if t0 <= start and end <= t1 and (t1 - t0) > (end - start):
                return t0, t1
            if (
                crossing
                and t1 - t0 >= crossing
                and (t0 < start < t1 < end or start < t0 < end < t1)
                and word_tag(word).startswith("nr")
            ):
                return t0, t1
        return None

    @classmethod
    def _inside_word(cls, sh: str, start: int, end: int) -> bool:
        """Is shadow[start:end] strictly inside a longer dictionary word (小马 in 小马过河)?"""
        return cls._holding_word(sh, start, end) is not None

    @classmethod
    def _modifies_noun(cls, sh: str, start: int, end: int) -> bool:
        """Is shadow[start:end] a short form 小/大/老 + X (小兰 of 蒲小兰, 大毛) whose X begins a
        dictionary word that goes on past it (小|兰花, 大|毛衣, 老|黄牛), in the slot of an
        adjective: after a measure word, 的, 了 or 些 (一盆小兰花, 您的大毛衣, 开满了小兰花)? Then
        小, 大 or 老 is an adjective before that word, not part of a name. Elsewhere the name
        reads first (小明天天都去, 我和小刚才回来, 小华人很好: the child is the subject)."""
        if (
            end - start != 2
            or sh[start] not in _ADJECTIVE_PREFIXES
            or end >= len(sh)
            or start == 0
            or sh[start - 1] not in _ADJECTIVE_SLOT_BEFORE
            or _person_word_after(sh, end)
        ):
            return False
        return any(
            t0 == start + 1 and t1 > end and n >= NOUN_AFTER_ADJECTIVE_FREQ
            for t0, t1, _, n in cls._window_words(sh, start, min(len(sh), end + 4))
        )

    @classmethod
    def _prefix_before_word(cls, sh: str, start: int, end: int) -> bool:
        """Is shadow[start:end] a short form 小/大/老 + X (小胡 of 胡明) whose X begins a common noun
        that jieba reads on past it (小|胡同), inside a clause, after a character that is no name's slot
        (穿过小胡同, 村口的小胡同里)? Then the natural reading is the word boundary: an adjective and a
        noun, whether or not the text names a child 小胡 elsewhere. The name reads first at a clause's
        start (小华人很好, 小胡同我一起走), after a name's slot (和, 叫, 给: 我和小明白天…), and where the text
        goes on with a word for people that the form's X starts (小胡同学, 小胡同志)."""
        if (
            end - start != 2
            or sh[start] not in _ADJECTIVE_PREFIXES
            or start == 0
            or not _CJK_CHAR_RE.match(sh[start - 1])
            or sh[start - 1] in _PERSON_BEFORE
        ):
            return False
        if _person_word_after(sh, end):
            return False
        words = list(cls._window_words(sh, max(0, start - 4), min(len(sh), end + 4)))
        alone = any(t0 == start and t1 == start + 1 for t0, t1, _, _ in words)
        return alone and any(
            t0 == start + 1 and t1 > end and n >= NOUN_AFTER_ADJECTIVE_FREQ and word_tag(word)[:1] in ("n", "s")
            for t0, t1, word, n in words
        )

    # --------------------------------------------------------------- replace
    def __call__(self, text: str) -> str:
        if not isinstance(text, str) or not text:
            return text
        pieces, last = [], 0
        for s, e, pseudo in self.spans(text):
            pieces.append(text[last:s])
            # 学生王文悦 → 学生C, not 学生学生C: the text right before already says what the pseudonym's prefix says
            prefix = pseudo.rstrip(_PSEUDO_TAIL)
            before = "".join(pieces)
            pieces.append(pseudo[len(prefix) :] if prefix and before.endswith(prefix) else pseudo)
            last = e
        pieces.append(text[last:])
        out = "".join(pieces)
        if not self.longest:
            return out
        # a text window (a log's context, a tag's evidence) may cut a name at its edge, also inside a
        # longer text where the window is quoted or follows a label: “岭村枫树组等…”, 名称+“镇”: 竹林组搬到…
        parts = _WINDOW_EDGE_RE.split(out)
        return "".join(self._cut_edges(p) if k % 2 == 0 else p for k, p in enumerate(parts))

    def _cut_edges(self, out: str) -> str:
        """``out`` with the part of a name that a text window's edge cut (…送给钟美 | 怡说…)
        replaced; not a part that lies inside a longer dictionary word there (泽仁 of 刘泽仁 at
        the start of 泽仁桑珠说…: a whole name jieba knows, not a cut one)."""
        n = min(self.longest, len(out) - 1)
        if n < 2:
            return out
        tail = _plain_shadow(out[-n:])
        for k in range(n, 1, -1):
            form = tail[-k:] if tail is not None else shadow(out[-k:])[0]
            if form in self.heads and _CJK_CHAR_RE.match(out[-k]):
                sh = shadow(out[-(k + _EDGE_CONTEXT) :])[0]
                if not self._inside_word(sh, len(sh) - len(form), len(sh)):
                    out = out[:-k] + self.heads[form]
                break
        n = min(self.longest, len(out) - 1)
        head = _plain_shadow(out[:n]) if n >= 2 else None
        for k in range(n, 1, -1):
            form = head[:k] if head is not None else shadow(out[:k])[0]
            if form in self.tails and _CJK_CHAR_RE.match(out[k - 1]):
                if not self._inside_word(shadow(out[: k + _EDGE_CONTEXT])[0], 0, len(form)):
                    out = self.tails[form] + out[k:]
                break
        return out

    def _initials_written(self, key: str, written: str) -> bool:
        """Is a romanised match of ``key`` written as a name (its initials, if it has any, in capitals)?"""
        positions = self.roman_initials.get(key)
        if not positions:
            return True
        letters = [c for c in written if c.isascii() and c.isalpha()]
        return len(letters) == len(key) and all(letters[i].isupper() for i in positions)

    def _roman_runs(self, tokens: list) -> list:
        """``tokens`` with a romanised name that the tokeniser split into words (Liang | Hao, Tan | Yuxin)
        as one pseudonym token: joined, the tokens lose the space the pattern needs between words."""
        if self.roman is None:
            return tokens
        out: list = []
        i = 0
        while i < len(tokens):
            for j in range(min(len(tokens), i + ROMAN_RUN_MAX), i + 1, -1):
                run = tokens[i:j]
                if not all(isinstance(t, str) and t.isascii() and t.isalpha() for t in run):
                    continue
                written = " ".join(run)
                key = "".join(run).lower()
                pseudo = self.roman_table.get(key) if self.roman.fullmatch(written) else None
                if pseudo and not _english_word(written) and self._initials_written(key, written):
                    out.append(pseudo)
                    i = j
                    break
            else:
                out.append(tokens[i])
                i += 1
        return out

    def tokens(self, tokens: list) -> list:
        """A token list with names replaced, also names that the tokeniser cut
        in two (蒙文 | 彬): the tokens a name touches become its pseudonym
        token, with what is left of them on either side as tokens of their own."""
        tokens = self._roman_runs(tokens)
        toks = [t if isinstance(t, str) else "" for t in tokens]
        joined = "".join(toks)
        spans = self.spans(joined)
        if not spans:
            # a romanised name is a token of its own, glued to its neighbours when joined (isMengWenbin)
            return [self(t) if isinstance(t, str) and _HAS_LATIN_RE.search(t) else t for t in tokens]
        out: list = []
        k = 0  # the first span not yet passed
        emitted = -1  # the last span whose pseudonym is out
        pos = 0
        for t, raw in zip(toks, tokens):
            t0, t1 = pos, pos + len(t)
            pos = t1
            if not t:
                out.append(raw)
                continue
            while k < len(spans) and spans[k][1] <= t0:
                k += 1
            if k >= len(spans) or spans[k][0] >= t1:  # no name touches this token
                out.append(self(raw) if _HAS_LATIN_RE.search(t) else raw)
                continue
            # cut the token at the names' edges: each name one pseudonym token, what is left words of their own
            cur, m = t0, k
            while cur < t1:
                if m < len(spans) and spans[m][0] <= cur < spans[m][1]:
                    if emitted < m:
                        out.append(spans[m][2])
                        emitted = m
                    cur = min(spans[m][1], t1)
                    if cur == spans[m][1]:
                        m += 1
                    continue
                nxt = spans[m][0] if m < len(spans) and spans[m][0] < t1 else t1
                out.append(joined[cur:nxt])
                cur = nxt
        return out


# two Latin letters, together or joined by a dot (K.Q.S., initials alone): a text a romanised name may stand in
_HAS_LATIN_RE = re.compile(r"[A-Za-z](?:\.\s?)?[A-Za-z]")


DOUBLED_WORD_FREQ = 50  # jieba count of a doubled surname character that is a word (谢谢, 常常, 刚刚)


def _doubled_surname_word(sh: str, start: int, key: str) -> bool:
    """Is ``key`` a surname and a title (谢老师) right after the same character, the two a common word
    (谢|谢老师 in 谢谢老师)? Then the text says that word to a title, and names no one; a third such
    character before (谢谢谢老师) leaves the name."""
    return (
        len(key) >= 3
        and key[1:] in _TITLE_WORDS
        and start >= 1
        and sh[start - 1] == key[0]
        and not (start >= 2 and sh[start - 2] == key[0])
        and (get_tokenizer().FREQ.get(key[0] * 2) or 0) >= DOUBLED_WORD_FREQ
    )


def _person_word_after(sh: str, end: int) -> bool:
    """Does a word for a person (同学, 同志, 老师, 奶奶) follow a name form ending at ``end`` (小胡|同学)?
    Then the text makes the form a person's name, whatever longer word its last character begins (胡同)."""
    return any(sh.startswith(word, end) for word in _TITLE_WORDS)


# what a doubled form's 的-word (甜甜的, 乖乖的) owns where the form is a child's name: this or that one
# thing (甜甜的这篇作文) or a person of the family (甜甜的妈妈) — not a taste or a smile (甜甜的笑)
_OWNED_AFTER_DE_RE = re.compile(r"[这那][篇个本张幅首件位双块份]|[爸妈奶爷外姥哥姐弟妹叔婶姨舅姑]|父母|家长")


def _owner_before_de(sh: str, start: int, end: int, word: tuple[int, int]) -> bool:
    """Is the dictionary word holding shadow[start:end] just the form and 的 (甜甜的) and is what
    follows owned by a person (甜甜的这篇作文, 甜甜的妈妈)? Then the form is the name, not the word."""
    return word == (start, end + 1) and sh[end] == "的" and bool(_OWNED_AFTER_DE_RE.match(sh, end + 1))


# a person's name in the dictionary this long that a short name form runs into is read whole (江泽民 of
# 正如江泽民, 姜春云 of 姜春云强调)
CROSSED_WORD_MIN = 3
ROMAN_RUN_MAX = 4  # tokens a romanised name may be split into (Ouyang | Xiao | Yu)
# 小, 大, 老 before a noun are adjectives (小兰花, 大毛衣, 老黄牛), before a character a name's prefix
_ADJECTIVE_PREFIXES = frozenset("小大老")
# what stands right before such an adjective (一盆|小兰花, 您的|大毛衣, 开满了|小兰花, 这些|小红花)
_ADJECTIVE_SLOT_BEFORE = frozenset("个只朵件条棵盆片匹头双张块把根支枝株颗粒本位群串束套间座辆台首种的了满些")
NOUN_AFTER_ADJECTIVE_FREQ = 100  # jieba count of the word (兰花 546, 毛衣, 黄牛) such a prefix modifies
# a degree adverb or 性格 right before a word makes it a predicate (性格文静, 很平安), not a name
_DEGREE_BEFORE_RE = re.compile(
    r"(性格|脾气|长得|显得|很|非常|比较|特别|十分|那么|这么|挺|有点|有些|格外|更加|越来越|真|太|多么|[是一]个"
    # a number and a measure word for things: 一枝红梅, 两箱杨梅, 一盘豆芽 (no person is counted so)
    r"|[一两二三四五六七八九十几半每这那][枝朵棵株片颗粒根块串捧束盆碗盘杯瓶袋箱筐把]"
    # …or for animals, maybe with what it is like: 一只勇敢的海燕, 那头小黄牛 (a child is 一个, 一位)
    r"|[一两二三四五六七八九十几半每这那][只头匹](?:[\u4e00-\u9fff]{1,4}?的)?)$"
)
# …or right after it: 文静地坐着, 平安地回家 (an adverb made of the word), 平安健康 (a wish)
_ADVERB_AFTER_RE = re.compile(
    r"地(?![里区方上下图址点位主])|(?:健康|快乐|幸福|喜乐|顺遂|顺利|如意|吉祥|长寿)(?![的地]?[说问哭笑])"
)
# what follows a child's family form (胡家 → 某家) where it is the family: a kin or household word,
# 的, or the end of a phrase — not a given name (王家贤), a place (王家坝, 张家口) or a longer word
FAMILY_PSEUDONYM = "某家"
_FAMILY_AFTER_RE = re.compile(
    r"(?:$|[\s，。！？、；：,.!?;:“”\"'‘’（）()《》]"
    r"|的|人|里|中|俩"
    r"|[奶爷][奶爷]|外[婆公]|姥[姥爷]|[爸妈][爸妈]?|父[母亲]|母亲|[叔伯婶舅姨姑][叔伯婶舅姨姑妈父母]?|阿姨|老[人小屋宅房两]"
    r"|[哥姐弟妹][哥姐弟妹]?|兄[弟妹]|孩子|小孩|[儿孙][子女]|女儿|媳妇|大[人院门儿女姐哥]|小[孩儿女孙]|娃"
    r"|门[口前外]|院[子里]|屋[里子]?|房子|[一两二三四五六七八九几]口|[两三几][个兄姐]|祖孙|全家|一家)"
)
# where a quoted or labelled text window begins or ends inside a longer text
_EDGE_CONTEXT = 4  # characters beyond a cut name's part read to see whether a longer word holds it
_WINDOW_EDGE_RE = re.compile(r"([“”「」『』\"…|¶\n]+|[:：]\s*|\s+)")


def _end_with_ruby(text: str, end: int) -> int:
    """``end`` moved past a pinyin ruby right after it: 张(zhāng)晓(xiǎo)明(míng) ends after (míng)."""
    if end < len(text) and text[end] in "(（":
        from analysis.ingest.pagechrome import RUBY_RE, is_ruby

        m = RUBY_RE.match(text, end)
        if m and is_ruby(m):
            return m.end()
    return end


_last: dict = {}  # the mapping of the previous call and its replacer


def _replacer_for(mapping):
    """The compiled replacer of ``mapping``, reused while the mapping is the same.

    Callers apply one map to many cells: a dict is compared with a copy of
    the last one (fast, and a changed dict is never served stale); a
    DataFrame by identity and length.
    """
    if isinstance(mapping, Mapping):
        if _last.get("dict") == mapping:
            return _last["replace"]
        replace = _replacer(_as_pairs(mapping))
        _last.clear()
        _last.update({"dict": dict(mapping), "replace": replace})
        return replace
    if _last.get("frame") is mapping and _last.get("len") == len(mapping):
        return _last["replace"]
    replace = _replacer(_as_pairs(mapping))
    _last.clear()
    _last.update({"frame": mapping, "len": len(mapping), "replace": replace})
    return replace


def replace_tokens(replace, tokens: list) -> list:
    """``tokens`` with names replaced by ``replace`` (a :func:`replacer`),
    tokens that together spell a name merged into its pseudonym."""
    if hasattr(replace, "tokens"):
        return replace.tokens(tokens)
    inner = getattr(replace, "__wrapped_replacer__", None)
    if inner is not None and hasattr(inner, "tokens"):
        return inner.tokens(tokens)
    return [replace(t) if isinstance(t, str) else t for t in tokens]


def replacer(mapping):
    """A function ``text -> pseudonymised text`` for ``mapping`` (the map
    DataFrame or a dict): for applying one map to many texts, without looking
    the map up again for each."""
    replace = _replacer_for(mapping)

    def apply(text):
        return replace(text) if isinstance(text, str) else text

    apply.__wrapped_replacer__ = replace
    return apply


def pseudonymise(text: str, mapping) -> str:
    """``text`` with every original of ``mapping`` replaced by its pseudonym.

    ``mapping``: the map DataFrame or a dict {original: pseudonym}. Longest
    originals first, one pass; non-strings are returned unchanged.
    """
    if not isinstance(text, str):
        return text
    return _replacer_for(mapping)(text)


def pseudonymise_frame(df: pd.DataFrame, columns: Iterable[str], mapping) -> pd.DataFrame:
    """Copy of ``df`` with ``columns`` pseudonymised.

    String cells are replaced whole; list cells (tokens) element by element
    (a name split over two tokens is not caught there: re-tokenise the
    pseudonymised text if that matters). Missing columns raise ``KeyError``.
    """
    columns = [columns] if isinstance(columns, str) else list(columns)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(f"table lacks columns to pseudonymise: {', '.join(missing)}")
    replace = _replacer_for(mapping)

    def cell(value):
        if isinstance(value, str):
            return replace(value)
        if isinstance(value, (list, tuple)) or (hasattr(value, "tolist") and not isinstance(value, (int, float))):
            return replace_tokens(replace, list(value))
        return value

    out = df.copy()
    for c in columns:
        values = [cell(v) for v in out[c]]
        keep_dtype = isinstance(out[c].dtype, pd.StringDtype)
        out[c] = pd.Series(values, index=out.index, dtype=out[c].dtype if keep_dtype else object)
    return out


# ------------------------------------------------------------ written forms ---
# A name is matched on a *shadow* of the text: every character in its simplified
# form (OpenCC t2s, NFKC for full-width letters), lower case, with spaces between
# two CJK characters and pinyin ruby left out. The shadow keeps, for each of its
# characters, the offset of the character it came from, so a match is replaced in
# the original text whatever form the name is written in (劉瑩瑩, 陶 磊, 何進(jìn)升).


@functools.lru_cache(maxsize=1 << 16)
def _simple_char(ch: str) -> str:
    import unicodedata

    from analysis.ingest.clean import to_simplified

    c = unicodedata.normalize("NFKC", ch)
    if len(c) != 1:
        return ch.lower()
    if c.lower() in _TONE_VOWELS:  # pinyin with tone marks (Bāo Wénqīng) reads as without (bao wenqing)
        return _TONE_VOWELS[c.lower()]
    s = to_simplified(c)[0] if "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" else c
    return (s if len(s) == 1 else c).lower()


# a pinyin vowel with a tone mark → the toneless letter pypinyin's NORMAL style writes (ü as v: lü → lv)
_TONE_VOWELS = {
    **{c: "a" for c in "āáǎà"},
    **{c: "e" for c in "ēéěè"},
    **{c: "i" for c in "īíǐì"},
    **{c: "o" for c in "ōóǒò"},
    **{c: "u" for c in "ūúǔù"},
    **{c: "v" for c in "üǖǘǚǜ"},
}
_CJK_CHAR_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SPACE_CHARS = frozenset(" \t\u3000\u00a0\u2002\u2003\u2009\u200b")
_MARKED_RUBY_RE = re.compile(
    rf"(?<=[\u3400-\u9fff\uf900-\ufaff]【)[(（]\s*(?P<py>[{PINYIN_LETTERS}]{{1,7}})\s*[)）](?=】)"
)
# marks the cleaning log puts around a change (【…】) or at a joined line break (¶)
_MARK_CHARS = frozenset("【】¶")


class _SimpleTable(dict):
    """``str.translate`` table: code point → :func:`_simple_char` (filled on first use)."""

    def __missing__(self, cp: int) -> str:
        self[cp] = value = _simple_char(chr(cp))
        return value


_SIMPLE_TABLE = _SimpleTable()
_GAP_CHARS_RE = re.compile("[" + re.escape("".join(sorted(_SPACE_CHARS | _MARK_CHARS))) + "]")
_GAP_IN_CJK_RE = re.compile(
    r"(?<=[\u3400-\u9fff\uf900-\ufaff])[" + re.escape("".join(sorted(_SPACE_CHARS | _MARK_CHARS))) + r"]+"
    r"(?=[\u3400-\u9fff\uf900-\ufaff])"
)


def _plain_shadow(text: str) -> str | None:
    """The shadow of ``text`` when it is one character for one (no space, mark
    or ruby): then the shadow of any slice is the slice of the shadow. None otherwise."""
    if _GAP_CHARS_RE.search(text) or "(" in text or "（" in text:
        return None
    out = text.translate(_SIMPLE_TABLE)
    return out if len(out) == len(text) else None


def shadow(text: str) -> tuple[str, list[int] | range]:
    """(normalised text, offset in ``text`` of each of its characters): see above."""
    from analysis.ingest.pagechrome import RUBY_RE, is_ruby

    if not _GAP_CHARS_RE.search(text) and "(" not in text and "（" not in text:
        # no space, mark or ruby that could sit inside a name: one character for one (C speed)
        out = text.translate(_SIMPLE_TABLE)
        if len(out) == len(text):
            return out, range(len(text))
    import numpy as np

    keep = np.ones(len(text), dtype=bool)
    if "(" in text or "（" in text:
        for m in RUBY_RE.finditer(text):
            if is_ruby(m):
                keep[m.start() : m.end()] = False
        if "【" in text:  # a ruby the cleaning log marks as removed: 晓【(xiǎo)】明
            for m in _MARKED_RUBY_RE.finditer(text):
                if is_ruby(m):
                    keep[m.start() : m.end()] = False
    idx = np.flatnonzero(keep)
    kept = _take(text, keep)
    # a space or a log's change marker inside a run of CJK characters (陶 磊, 【張曉】明) is dropped too
    for m in _GAP_IN_CJK_RE.finditer(kept):
        keep[idx[m.start() : m.end()]] = False
    where = np.flatnonzero(keep).tolist()
    out = _take(text, keep).translate(_SIMPLE_TABLE)
    if len(out) != len(where):  # a character that normalises to several (rare): one at a time
        out = "".join(_simple_char(text[i]) for i in where)
    return out, where


def _take(text: str, keep) -> str:
    """The characters of ``text`` where ``keep`` is true (joined run by run)."""
    import numpy as np

    if keep.all():
        return text
    edges = np.flatnonzero(np.diff(np.concatenate(([0], keep.view(np.int8), [0]))))
    return "".join(text[a:b] for a, b in zip(edges[::2].tolist(), edges[1::2].tolist()))


# ------------------------------------------------------------ the map on disk ---
class MapError(RuntimeError):
    """A data folder whose pseudonym map is missing, unreadable or older than
    its tables: no shareable page can be made from it."""


def load_map(data_dir: str | Path, *, shown: str | Path | None = None) -> pd.DataFrame:
    """The build's private pseudonym map, checked: it must exist, be
    readable and be at least as new as the tables it protects. ``shown``:
    the folder named in messages (the data folder when ``data_dir`` is one of
    its generations)."""
    from analysis import io as aio

    data_dir = Path(data_dir)
    p = aio.tables_dir(data_dir) / "pseudonyms.parquet"
    rebuild = f"rebuild the corpus (python -m analysis build --raw YOUR_RAW_FOLDER --out {shown or data_dir})"
    data_dir = Path(shown or data_dir)
    if not p.is_file() or not (data_dir / p.name).is_file():  # deleting the map's visible name counts
        raise MapError(
            f"{data_dir} has no pseudonym map (pseudonyms.parquet): no shareable page can be made; {rebuild}"
        )
    essays = p.parent / "essays.parquet"
    if essays.is_file() and p.stat().st_mtime + 1 < essays.stat().st_mtime:
        raise MapError(f"the pseudonym map in {data_dir} is older than its tables: {rebuild}")
    try:
        m = aio.read_table(p.parent, "pseudonyms")
    except Exception as exc:  # noqa: BLE001 — any unreadable map is refused the same way
        raise MapError(
            f"the pseudonym map in {data_dir} cannot be read ({exc.__class__.__name__}): {rebuild}"
        ) from None
    missing = {"original", "pseudonym", "role", "type"} - set(m.columns)
    if missing:
        raise MapError(f"the pseudonym map in {data_dir} lacks {', '.join(sorted(missing))}: {rebuild}")
    if "scope" not in m:
        m = m.assign(scope="")
    return m


def selected(m: pd.DataFrame, roles: Iterable[str] | None) -> pd.DataFrame:
    """Rows of the map a report replaces: children only, or (``roles`` None:
    pseudonymise_all) every person, place and organisation."""
    if roles is None:
        return m
    roles = tuple(roles)
    return m[m["role"].isin(roles) | ((m["type"] != "person") & ("adult" in roles))]


_DATA_URI_RE = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")
_CSV_URI_RE = re.compile(r"data:text/csv;base64,([A-Za-z0-9+/=]+)")
_STYLE_BLOCK_RE = re.compile(r"<style\b[^>]*>.*?</style>", re.S | re.I)


def page_leaks(page: str, data_dir: str | Path, *, roles: Iterable[str] | None = ("child",)) -> dict[str, int]:
    """Names a page would show: every written form (simplified, traditional,
    spaced, with ruby, romanised) of every name the map replaces for these
    ``roles``, and every unreplaced name candidate the build's review list
    marks as blocking, searched in the page's text, attributes and embedded
    data (HTML entities decoded; fonts and images left out). Returns counts
    by kind — never the names themselves, so the error can be shown."""
    checker = _page_checker(data_dir, None if roles is None else tuple(roles))
    if checker is None:
        return {}
    names, kinds, pseudonyms = checker
    # a table's CSV download is data the page carries: decoded and searched like its text
    csvs = [base64.b64decode(m.group(1)).decode("utf-8-sig", errors="replace") for m in _CSV_URI_RE.finditer(page)]
    page = _STATIC_RE.sub(" ", page)  # the toolkit's own text (citations, legends): no corpus text in it
    text = html.unescape(_STYLE_BLOCK_RE.sub(" ", _DATA_URI_RE.sub(" ", page))) + "\n".join(csvs)
    found: Counter = Counter()
    for _, _, pseudo in _page_names(text, names, pseudonyms):
        found[kinds.get(pseudo, "name")] += 1
    return dict(found)


def _page_names(text: str, names: NameReplacer, pseudonyms) -> list[tuple[int, int, str]]:
    """(start, end, pseudonym) of the names ``names`` finds in a page's text,
    leaving out what the page's own machinery makes look like one: hashes and
    commit ids, name forms that a pseudonym makes with the text beside it, and
    an ordinary-word form right beside a pseudonym: the rest of a word the
    replacer read whole (麦康奈尔: 麦康 replaced, 奈尔 kept as part of 康奈尔)."""
    text = _mask_pseudonyms(_HEX_RE.sub(lambda m: "#" * len(m.group(0)), text), pseudonyms)
    return [
        (start, end, pseudo)
        for start, end, pseudo in names.spans(text)
        # 麦康|奈尔: the rest of a word whose other part was replaced, read in its new context
        if not (_beside_pseudonym(text, start, end) and shadow(text[start:end])[0] in names.weak)
    ]


# a hash or commit id the toolkit prints (35c95e45…): its letters are no romanised name (dea)
_HEX_RE = re.compile(r"(?<![0-9A-Za-z])(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{7,}(?![0-9A-Za-z])")
_PSEUDONYM_MASK = "|"


def _beside_pseudonym(text: str, start: int, end: int) -> bool:
    return (start > 0 and text[start - 1] == _PSEUDONYM_MASK) or (end < len(text) and text[end] == _PSEUDONYM_MASK)


def _mask_pseudonyms(text: str, automaton) -> str:
    """``text`` with every pseudonym the map gives (学生A, 成人GC, 县J, 某家)
    blanked out: a name form that the text and a pseudonym make together
    (同志 + 成人GC reads 志成, 黑海和 + 县J reads 和县, 学生ELV a romanised
    ELV) is no name the page shows."""
    if automaton is None:
        return text
    out, last = [], 0
    for start, end, _ in _leftmost_longest(automaton, text):
        out.append(text[last:start])
        out.append(_PSEUDONYM_MASK * (end - start))
        last = end
    out.append(text[last:])
    return "".join(out)


_PAGE_CHECKERS: dict = {}
# an element the toolkit writes with fixed text (a citation's authors, a legend), marked data-static
_STATIC_RE = re.compile(r"<(?P<tag>aside|p|tr|span|div)\b[^>]*\sdata-static\b[^>]*>.*?</(?P=tag)>", re.S)


def _page_checker(data_dir: str | Path, roles: tuple[str, ...] | None):
    """(NameReplacer over every form a page must not show, pseudonym → kind,
    automaton of every pseudonym of the map) for a build and roles; built
    once per process and map (a renderer checks
    every page it writes against the same map), None when there is nothing
    to look for."""
    stamp = []
    for name in ("pseudonyms.parquet", "privacy_review.parquet", "essays.parquet"):  # essays: load_map's staleness
        f = Path(data_dir) / name
        stamp.append(f.stat().st_mtime_ns if f.is_file() else None)
    key = (str(Path(data_dir).resolve()), tuple(stamp), roles)
    if key in _PAGE_CHECKERS:
        return _PAGE_CHECKERS[key]
    whole = load_map(data_dir)
    m = selected(whole, roles)
    m = m[m["scope"].fillna("") == ""]  # a scoped short form is an ordinary word outside its essays
    if "form" in m:  # a family (胡家) names no one, and only its context tells it (胡家奶奶) from a word
        m = m[m["form"] != "family"]
    pseudo, role, kind = m["pseudonym"].tolist(), m["role"].tolist(), m["type"].tolist()
    kinds = {p: (r if t == "person" else t) for p, r, t in zip(pseudo, role, kind)}
    pairs = [(o, p) for o, p in zip(m["original"].tolist(), pseudo) if isinstance(o, str) and len(o) >= 2]
    review = Path(data_dir) / "privacy_review.parquet"
    if review.is_file():
        from analysis import io as aio

        r = aio.read_table(data_dir, "privacy_review")
        if "blocks_pages" in r:
            for c in r.loc[r["blocks_pages"].astype(bool), "candidate"]:
                pairs.append((c, "未审阅候选"))
                kinds["未审阅候选"] = "unreviewed candidate"
    if not pairs:
        return None
    every = {p for p in whole["pseudonym"].tolist() if isinstance(p, str) and p}  # adults' too: 同志+成人GC
    checker = (NameReplacer(tuple(sorted(set(pairs)))), kinds, _automaton(every) if every else None)
    _PAGE_CHECKERS.clear()
    _PAGE_CHECKERS[key] = checker
    return checker


# ------------------------------------------------------------ review and lists ---
REVIEW_COLUMNS = ["candidate", "score", "n_mentions", "n_essays", "essays", "context", "why", "blocks_pages"]
# an unreplaced candidate this name-like, seen this often, stops a page that would show it
BLOCK_MIN_SCORE = 2.0
BLOCK_MIN_MENTIONS = 2
LIST_KINDS = {
    "child": ("person", "child"),
    "adult": ("person", "adult"),
    "place": ("place", ""),
    "school": ("organisation", ""),
    "organisation": ("organisation", ""),
}


def load_lists(
    always_path: str | Path | None = None, never_path: str | Path | None = None
) -> tuple[dict[str, tuple[str, str]], set[str]]:
    """The researcher's decisions: names to always replace ({name: (type,
    role)}, from ``privacy_always.txt``: a name and optionally its kind —
    child, adult, place, school — per line) and strings never to replace
    (``privacy_never.txt``: one per line)."""
    from analysis.resources import load_lines

    always: dict[str, tuple[str, str]] = {}
    for line in load_lines("privacy_always.txt", always_path):
        parts = line.replace("\t", " ").split()
        kind = parts[1] if len(parts) > 1 else "child"
        if kind not in LIST_KINDS:
            raise ValueError(f"privacy_always.txt: {line!r}: the kind must be one of {', '.join(LIST_KINDS)}")
        always[parts[0]] = LIST_KINDS[kind]
    never = {line.split()[0] for line in load_lines("privacy_never.txt", never_path)}
    return always, never


def listed_entities(tables: dict[str, pd.DataFrame], always: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """An entities row for every mention of an always-replace name (first
    essay it occurs in; a name not in the corpus is still mapped)."""
    from analysis.methods.entities import ENTITY_COLUMNS

    rows = []
    if always:
        sents = tables["sentences"]
        for name, (type_, role) in always.items():
            hit = sents[sents["text"].str.contains(name, regex=False, na=False)]
            eid, sid = (hit["essay_id"].iloc[0], hit["sentence_id"].iloc[0]) if len(hit) else ("~list", "~list-s0")
            rows.append(
                {
                    "essay_id": eid,
                    "sentence_id": sid,
                    "text": name,
                    "type": type_,
                    "role": role,
                    "start": 0,
                    "end": len(name),
                    "evidence": "privacy_always.txt",
                    "canonical": name,
                }
            )
    return pd.DataFrame(rows, columns=ENTITY_COLUMNS)


def review_candidates(
    tables: dict[str, pd.DataFrame], mapped: set[str], never: set[str], *, min_score: float = 0.0
) -> pd.DataFrame:
    """Strings that read as a person's name but that the build did not
    replace: the name model's candidates below its acceptance threshold and
    jieba's person tags that no rule accepted. For a researcher to decide
    (``privacy_review.csv``): add a name to ``privacy_always.txt``, or a
    string to ``privacy_never.txt``. A candidate that is very name-like and
    frequent (:data:`BLOCK_MIN_SCORE`, :data:`BLOCK_MIN_MENTIONS`) blocks every
    page that would show it until it is decided."""
    from analysis.methods import namemodel
    from analysis.methods.entities import is_plausible_name, load_entity_cues

    cues = load_entity_cues()
    detected = set(tables["entities"]["text"]) if "entities" in tables else set()
    # a part of a name or place found otherwise (左斌 of 左斌彬, 钟坪 of 钟坪小学) is no candidate
    known = detected | set(mapped)
    seen: dict[str, dict] = {}
    found = tables.get("name_candidates")
    if found is None:  # tables of an older build: tag the sentences here
        from analysis.methods.entities import name_candidates

        found = name_candidates(tables["sentences"])
    # the candidates found inside a known string, in one pass over them all
    # (not every substring of every known string: a huge essay knows 500,000)
    candidates = {w for w in found["candidate"].tolist() if isinstance(w, str) and len(w) >= 2}
    parts = _present(_automaton(candidates), "\n".join(x for x in known if isinstance(x, str)))
    for eid, w, context in zip(found["essay_id"].tolist(), found["candidate"].tolist(), found["context"].tolist()):
        if w in parts or w in never:  # name_candidates holds rare words only (CANDIDATE_MAX_FREQ)
            continue
        sur = surname_of(w, cues)
        if not sur or not is_plausible_name(w, cues):
            continue
        score = namemodel.name_score(sur, w[len(sur) :])
        if score < min_score:
            continue
        row = seen.setdefault(
            w,
            {
                "candidate": w,
                "score": round(score, 2),
                "n_mentions": 0,
                "essays": [],
                "context": context,
                "why": "jieba tags it as a name; no cue or rule accepted it",
            },
        )
        row["n_mentions"] += 1
        if eid not in row["essays"]:
            row["essays"].append(eid)
    rows = []
    for r in seen.values():
        r["n_essays"] = len(r["essays"])
        r["essays"] = " ".join(r["essays"][:10])
        r["blocks_pages"] = bool(r["score"] >= BLOCK_MIN_SCORE and r["n_mentions"] >= BLOCK_MIN_MENTIONS)
        rows.append(r)
    out = pd.DataFrame(rows, columns=REVIEW_COLUMNS)
    return out.sort_values(["blocks_pages", "score"], ascending=False, kind="stable").reset_index(drop=True)
