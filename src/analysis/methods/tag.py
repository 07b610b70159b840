"""Research tags for essays, section structure and numbers.

Every tag is decided by weighted cues in ``resources/tagging_cues.yaml``
(docs/tagging.md) and comes with an ``*_evidence`` string quoting the text
that decided it:

  * ``narrative_person`` (first | third): first-person pronouns outside quotes;
  * ``genre``: work_summary | profile | self_narrative | training_reflection |
    news_story | documentary_narration | method_essay | speech | other;
  * ``narrator``: teacher | student | third_party | other;
  * ``narrator_gender``: female | male | '' (only where the narrator says so);
  * ``school_level``: primary | junior_secondary | senior_secondary | preschool | '';
  * ``setting``: list of rural, boarding, urban, migrant;
  * ``places``: list of place names (from :mod:`analysis.methods.entities`).

Text level: :func:`tag_text`. Frame level: :func:`tag_essays`,
:func:`structure` (section headings and their nesting), :func:`numbers`
(counts, percentages, years, ages … with their sentence), :func:`tag_table`
for reports (figures: :mod:`analysis.reporting.figures`).
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.methods.entities import _set_dtypes
from analysis.frames import group_columns, require
from analysis.resources import load_yaml, resource_path

CUES_FILE = "tagging_cues.yaml"
LEVEL_UNCERTAIN_BELOW = 0.5  # the best school level's share of the level evidence at or below which it is not given
LEVEL_PRESENT_CONFIDENCE = 0.6  # the least confidence of a level decided by the writer's stated present level
GENRES = (
    "work_summary",
    "profile",
    "self_narrative",
    "training_reflection",
    "news_story",
    "documentary_narration",
    "method_essay",
    "speech",
    "other",
)
NARRATORS = ("teacher", "student", "third_party", "other")
TAG_COLUMNS = [
    "genre",
    "genre_confidence",
    "genre_evidence",
    "narrative_person",
    "narrative_person_evidence",
    "narrator",
    "narrator_confidence",
    "narrator_evidence",
    "narrator_gender",
    "narrator_gender_evidence",
    "school_level",
    "school_level_confidence",
    "school_level_evidence",
    "setting",
    "setting_evidence",
    "places",
    "places_evidence",
]
# Quoted speech does not count towards the narrator's person.
# Sources often close a quote with a second “ (“我要妈妈“), so “…“ counts too.
_QUOTE_RE = re.compile(r"“[^“”]{0,300}[”“]|「[^「」]{0,300}」|『[^『』]{0,300}』")
_STOP_PUNCT = "，。！？；：\n,.!?;:"


# ------------------------------------------------------------------ cues ---
@dataclass(frozen=True)
class Cue:
    regex: re.Pattern
    weight: float
    where: str  # any | start | end
    max: int


@dataclass(frozen=True)
class LabelSet:
    labels: tuple[tuple[str, tuple[Cue, ...], dict], ...]  # (label, cues, person bonus)
    default: str
    min_score: float


@dataclass(frozen=True)
class LevelRules:
    """``school_level_rules`` of the cue file (see :func:`school_level_with_confidence`)."""

    present: tuple[tuple[str, tuple[re.Pattern, ...]], ...]  # (level, patterns of a stated present level)
    present_no_level: frozenset[str]  # present levels without a code (university) → ''
    age_ranges: tuple[re.Pattern, ...]  # groups hi and (optionally) lo
    all_ages_from_at_most: int
    all_ages_to_at_least: int
    grade_range: re.Pattern | None  # groups lo, hi: a run of grades (一至九年级)
    defining: re.Pattern | None  # a sentence that defines (留守儿童是指…) states no one's age
    level_list: re.Pattern | None  # two or more level words in a list (中小学和幼儿园, 小学、初中)
    level_words: tuple[tuple[str, re.Pattern], ...]
    not_a_level: tuple[re.Pattern, ...]
    age_stages: tuple[re.Pattern, ...] = ()  # a young stage and a secondary-age stage in one sentence (从幼儿园到高中)
    age_stages_not_with: re.Pattern | None = None  # a sentence about one child (我, 他, 她), not a population
    vocational_school: re.Pattern | None = None  # the writer's own vocational school (我们职业中专)
    vocational_year: re.Pattern | None = None  # a bare year in a stated present (我现在是二年级), read as that school's
    vocational_level: str = "senior_secondary"


@dataclass(frozen=True)
class TaggingCues:
    window: int
    first: re.Pattern
    third: re.Pattern
    min_first_count: int
    min_first_per_1000: float
    genre: LabelSet
    narrator: LabelSet
    narrator_third: str
    third_party_genres: frozenset[str]
    narrator_genre_bonus: dict
    gender: tuple[tuple[str, tuple[re.Pattern, ...]], ...]
    school_level: LabelSet
    setting: LabelSet
    model_features: tuple[tuple[str, re.Pattern], ...] = ()  # word families the tagging model weighs
    level_rules: LevelRules | None = None  # rules on the structure of the school-level evidence
    narrator_signed_genres: frozenset[str] = frozenset()  # documents whose signature line names the narrator
    narrator_signed: tuple[tuple[str, re.Pattern], ...] = ()  # (narrator, signature line in the last window)


def _cue(item, where_ok=("any", "start", "end")) -> Cue:
    if isinstance(item, str):
        item = {"pattern": item}
    where = item.get("where", "any")
    if where not in where_ok:
        raise ValueError(f"cue {item.get('pattern')!r}: where must be one of {where_ok}")
    return Cue(re.compile(item["pattern"]), float(item.get("weight", 1)), where, int(item.get("max", 1)))


def _label_set(raw: dict, *, default: str = "", min_score: float = 1.0) -> LabelSet:
    labels = []
    for label, spec in (raw.get("labels") or {}).items():
        if isinstance(spec, dict):
            cues, bonus = spec.get("cues") or [], spec.get("person") or {}
        else:
            cues, bonus = spec or [], {}
        labels.append((label, tuple(_cue(c) for c in cues), dict(bonus)))
    return LabelSet(tuple(labels), raw.get("default", default), float(raw.get("min_score", min_score)))


def _level_rules(raw: dict | None) -> LevelRules | None:
    if not raw:
        return None
    words = tuple((k, re.compile(v)) for k, v in (raw.get("level_words") or {}).items())
    level_list = None
    if words:
        # 中小学 first: it names two levels in one word
        w = "(?:中小学|" + "|".join(f"(?:{rx.pattern})" for _, rx in words) + ")(?:生|学生|阶段|段|教育)?"
        level_list = re.compile(f"{w}(?:\\s*(?:[、和及与或/]|以及)\\s*{w})+|中小学")

    def rx(key):
        return re.compile(raw[key]) if raw.get(key) else None

    return LevelRules(
        present=tuple((k, tuple(re.compile(p) for p in v)) for k, v in (raw.get("present") or {}).items()),
        present_no_level=frozenset(raw.get("present_no_level") or ()),
        age_ranges=tuple(re.compile(p) for p in raw.get("age_ranges") or ()),
        all_ages_from_at_most=int(raw.get("all_ages_from_at_most", 6)),
        all_ages_to_at_least=int(raw.get("all_ages_to_at_least", 13)),
        grade_range=rx("grade_range"),
        defining=rx("defining"),
        level_list=level_list,
        level_words=words,
        not_a_level=tuple(re.compile(p) for p in raw.get("not_a_level") or ()),
        age_stages=tuple(re.compile(p) for p in raw.get("age_stages") or ()),
        age_stages_not_with=rx("age_stages_not_with"),
        vocational_school=rx("vocational_school"),
        vocational_year=rx("vocational_year"),
        vocational_level=str(raw.get("vocational_level", "senior_secondary")),
    )


@functools.lru_cache(maxsize=16)
def _compile(path: str, mtime: float) -> TaggingCues:
    raw = load_yaml(CUES_FILE, path)
    try:
        person = raw["person"]
        narrator = raw["narrator"]
        return TaggingCues(
            window=int(raw.get("window", 200)),
            first=re.compile(person["first"]),
            third=re.compile(person["third"]),
            min_first_count=int(person.get("min_first_count", 3)),
            min_first_per_1000=float(person.get("min_first_per_1000", 3.0)),
            genre=_label_set(raw["genre"], default="other", min_score=3.0),
            narrator=_label_set(narrator, default="other"),
            narrator_third=narrator.get("third_person", "third_party"),
            third_party_genres=frozenset(narrator.get("third_party_genres") or ()),
            narrator_genre_bonus=narrator.get("genre_bonus") or {},
            narrator_signed_genres=frozenset((narrator.get("signed") or {}).get("genres") or ()),
            narrator_signed=tuple(
                (k, re.compile(v)) for k, v in ((narrator.get("signed") or {}).get("labels") or {}).items()
            ),
            gender=tuple(
                (g, tuple(re.compile(p) for p in pats)) for g, pats in (raw.get("narrator_gender") or {}).items()
            ),
            school_level=_label_set(raw["school_level"], min_score=2.0),
            setting=_label_set(raw["setting"], min_score=1.0),
            model_features=tuple((k, re.compile(v)) for k, v in (raw.get("model_features") or {}).items()),
            level_rules=_level_rules(raw.get("school_level_rules")),
        )
    except (KeyError, TypeError, AttributeError, re.error) as exc:
        raise ValueError(f"{path}: bad tagging cue file ({exc.__class__.__name__}: {exc})") from None


def load_tagging_cues(path: str | Path | None = None) -> TaggingCues:
    """Compiled tagging cues (bundled file unless ``path``); cached per file version."""
    p = resource_path(CUES_FILE, path)
    return _compile(str(p), p.stat().st_mtime)


# ----------------------------------------------------------- text level ---
def quote(text: str, start: int, end: int, *, before: int = 6, after: int = 8) -> str:
    """The matched text with a little context, cut at punctuation, in “…”."""
    lo = start
    while lo > max(0, start - before) and text[lo - 1] not in _STOP_PUNCT:
        lo -= 1
    hi = end
    while hi < min(len(text), end + after) and text[hi] not in _STOP_PUNCT:
        hi += 1
    return "“" + text[lo:hi].strip() + "”"


def score_cues(text: str, cues: tuple[Cue, ...], *, window: int = 200) -> tuple[float, list[tuple[float, str]]]:
    """Total weight of the cues found in ``text`` and (weight, quote) per hit."""
    total = 0.0
    hits: list[tuple[float, str]] = []
    n = len(text)
    for cue in cues:
        if cue.where == "start":
            lo, hi = 0, min(n, window)
        elif cue.where == "end":
            lo, hi = max(0, n - window), n
        else:
            lo, hi = 0, n
        for k, m in enumerate(cue.regex.finditer(text, lo, hi)):
            if k >= cue.max:
                break
            total += cue.weight
            hits.append((cue.weight, quote(text, m.start(), m.end())))
    return total, hits


def _choose(
    text: str, labels: LabelSet, *, window: int, extra: dict[str, float] | None = None, person: str = ""
) -> tuple[str, float, dict[str, float], dict[str, list]]:
    scores: dict[str, float] = {}
    hits: dict[str, list] = {}
    for label, cues, bonus in labels.labels:
        s, h = score_cues(text, cues, window=window)
        s += float(bonus.get(person, 0)) if s > 0 else 0.0
        s += (extra or {}).get(label, 0.0)
        scores[label], hits[label] = s, h
    best = max(scores, key=lambda k: scores[k], default=None)  # first listed wins a tie
    if best is None or scores[best] < labels.min_score:
        return labels.default, 0.0, scores, hits
    return best, scores[best], scores, hits


def _evidence(hits: list[tuple[float, str]], n: int = 3) -> str:
    out: list[str] = []
    for w, q in sorted(hits, key=lambda h: -h[0]):
        # skip a quote that repeats (part of) one already given
        if w > 0 and not any(q.strip("“”") in o or o.strip("“”") in q for o in out):
            out.append(q)
        if len(out) == n:
            break
    return "；".join(out)


def pronoun_counts(text: str, *, cues: TaggingCues | None = None) -> tuple[int, int]:
    """(first-person, third-person) pronoun counts outside quotation marks."""
    cues = cues or load_tagging_cues()
    bare = _QUOTE_RE.sub("", text)
    return len(cues.first.findall(bare)), len(cues.third.findall(bare))


def decide_person(text: str, *, cues: TaggingCues | None = None) -> tuple[str, str]:
    """('first' | 'third', evidence) from pronoun statistics."""
    cues = cues or load_tagging_cues()
    n_first, n_third = pronoun_counts(text, cues=cues)
    rate = 1000 * n_first / max(len(text), 1)
    person = "first" if n_first >= cues.min_first_count and rate >= cues.min_first_per_1000 else "third"
    return person, f"我 ×{n_first} ({rate:.1f}/千字), 他/她 ×{n_third}（引号外）"


def decide_genre(text: str, *, person: str, cues: TaggingCues | None = None) -> tuple[str, str]:
    """(genre, evidence): the best-scoring genre, or ``other`` below ``min_score``."""
    genre, evidence, _ = _decide_genre(text, person=person, cues=cues)
    return genre, evidence


def _decide_genre(text: str, *, person: str, cues: TaggingCues | None = None) -> tuple[str, str, bool]:
    """(genre, evidence, found): ``found`` is whether a genre's cues reached
    ``min_score`` — also ``other``'s own cues (the form of a letter, 倡议书,
    survey report, record …), as against ``other`` because nothing reached it."""
    cues = cues or load_tagging_cues()
    best, score, scores, hits = _choose(text, cues.genre, window=cues.window, person=person)
    if score < cues.genre.min_score:  # nothing reached min_score: the default, not a cue's decision
        top = max(scores.items(), key=lambda kv: kv[1], default=("", 0.0))
        return best, f"no genre reached {cues.genre.min_score:g} (best {top[0]} {top[1]:g})", False
    runner = max(((k, v) for k, v in scores.items() if k != best), key=lambda kv: kv[1], default=("", 0.0))
    return best, f"{best} {score:g} vs {runner[0]} {runner[1]:g}: {_evidence(hits[best])}", True


def decide_narrator(text: str, *, person: str, genre: str, cues: TaggingCues | None = None) -> tuple[str, str]:
    """(narrator, evidence).

    A document of a genre in ``signed.genres`` (``other``) signed at its end by the body that issues it
    (某镇中心小学 → teacher, 某村民委员会 / 某县妇女联合会 → other) speaks in that body's voice;
    third person in a genre listed in ``third_party_genres`` → third_party;
    otherwise the cues of each narrator (teacher, student, and ``other`` for
    the writer's stated role as an adult outside the school) plus a bonus from the genre.
    """
    narrator, evidence, _ = _decide_narrator(text, person=person, genre=genre, cues=cues)
    return narrator, evidence


def _decide_narrator(text: str, *, person: str, genre: str, cues: TaggingCues | None = None) -> tuple[str, str, bool]:
    """(narrator, evidence, found): ``found`` is whether a rule decided the
    narrator — the third person of an outsider's genre, or a narrator's cues
    reaching ``min_score``, also ``other``'s own (我是一名…医生, 如今我已…岁),
    as against ``other`` because no cue reached it."""
    cues = cues or load_tagging_cues()
    signed = _signed_narrator(text, genre, cues)
    if signed:  # a document signed by the body that issues it: its own voice
        return signed[0], f"signed: “{signed[1]}”", True
    if person != "first" and (genre in cues.third_party_genres or not cues.third_party_genres):
        return cues.narrator_third, f"third person, {genre}", True
    bonus = {k: float(v) for k, v in (cues.narrator_genre_bonus.get(genre) or {}).items()}
    best, score, scores, hits = _choose(text, cues.narrator, window=cues.window, extra=bonus)
    if score < cues.narrator.min_score:  # nothing reached min_score: the default, not a cue's decision
        return best, f"{person} person, no narrator cue", False
    why = _evidence(hits[best]) or ""
    if bonus.get(best):
        why = f"genre {genre}; {why}" if why else f"genre {genre}"
    return best, why, True


def _signed_narrator(text: str, genre: str, cues: TaggingCues) -> tuple[str, str] | None:
    """(narrator, signature) of a document of a genre in ``signed.genres`` whose last ``window``
    characters hold a signature line of one narrator's kind (某镇中心小学 → teacher, 某村民委员会 → other),
    or None. The signature states who issues the document: the model does not overrule it."""
    if genre not in cues.narrator_signed_genres:
        return None
    tail = text[-cues.window :]
    signed = {k: m for k, rx in cues.narrator_signed if (m := rx.search(tail))}
    if len(signed) != 1:
        return None
    ((label, m),) = signed.items()
    return label, m[0].strip()


def decide_narrator_gender(text: str, *, person: str, cues: TaggingCues | None = None) -> tuple[str, str]:
    """('female' | 'male' | '', evidence): only what a first-person narrator states."""
    cues = cues or load_tagging_cues()
    if person != "first":
        return "", ""
    found: dict[str, str] = {}
    for gender, patterns in cues.gender:
        for pat in patterns:
            m = pat.search(text)
            if m and gender not in found:
                found[gender] = quote(text, m.start(), m.end(), before=0, after=2)
    if len(found) != 1:  # none, or contradictory statements
        return "", "；".join(found.values())
    ((gender, ev),) = found.items()
    return gender, ev


def decide_school_level(text: str, *, cues: TaggingCues | None = None) -> tuple[str, str]:
    """(school level, evidence) or ('', '')."""
    level, _, evidence = school_level_with_confidence(text, cues=cues)
    return level, evidence


def _chinese_number(s: str) -> int:
    """12, 十二, 十四五 (→ 14), 五六 (→ 5), 零 → int; the first number of an approximate pair."""
    if s.isdigit():
        return int(s)
    digits = "零一二三四五六七八九"
    d = s.replace("〇", "零").replace("两", "二")
    if d[0] == "十":
        return 10 + (digits.index(d[1]) if len(d) > 1 and d[1] in digits else 0)
    first = digits.index(d[0]) if d[0] in digits else 0
    if len(d) > 1 and d[1] == "十":
        return first * 10 + (digits.index(d[2]) if len(d) > 2 and d[2] in digits else 0)
    return first


def _sentence(text: str, start: int, end: int) -> str:
    lo = max(text.rfind(c, 0, start) for c in "。！？\n")
    his = [i for i in (text.find(c, end) for c in "。！？\n") if i >= 0]
    return text[lo + 1 : min(his) if his else len(text)]


def _present_levels(text: str, rules: LevelRules) -> dict[str, str]:
    """{level: quote} of the levels stated as the writer's (or the one child's) present. A bare year
    (我现在是二年级, no 小学 in it) by a writer who names a vocational school as their own is that school's
    year (``vocational_level``)."""
    found: dict[str, str] = {}
    vocational = bool(rules.vocational_school and rules.vocational_school.search(text))
    for level, patterns in rules.present:
        for rx in patterns:
            m = rx.search(text)
            if m:
                if vocational and level == "primary" and rules.vocational_year and rules.vocational_year.search(m[0]):
                    level = rules.vocational_level
                found.setdefault(level, quote(text, m.start(), m.end()))
                break
    return found


def _all_ages(text: str, rules: LevelRules) -> str:
    """The quote of an age range (or a run of grades) across levels, or ''."""
    lo_ages, hi_ages, quotes = [], [], []
    matches = [m for rx in rules.age_ranges for m in rx.finditer(text)]
    for m in sorted(matches, key=lambda m: m.start()):
        if rules.defining and rules.defining.search(_sentence(text, m.start(), m.end())):
            continue
        lo_ages.append(_chinese_number(m["lo"]) if "lo" in m.re.groupindex and m["lo"] else 0)
        hi_ages.append(_chinese_number(m["hi"]))
        quotes.append(quote(text, m.start(), m.end(), before=2, after=4))
    if lo_ages and min(lo_ages) <= rules.all_ages_from_at_most and max(hi_ages) >= rules.all_ages_to_at_least:
        return "；".join(dict.fromkeys(quotes[:3]))
    m = rules.grade_range.search(text) if rules.grade_range else None
    if m:
        return quote(text, m.start(), m.end(), before=2, after=4)
    for rx in rules.age_stages:  # stages without numbers: 从幼儿园到高中, 有…幼儿，也有…少年
        for m in rx.finditer(text):
            sentence = _sentence(text, m.start(), m.end())
            if rules.defining and rules.defining.search(sentence):
                continue
            if rules.age_stages_not_with and rules.age_stages_not_with.search(sentence):
                continue
            return quote(text, m.start(), m.end(), before=2, after=4)
    return ""


def _mask_non_levels(text: str, rules: LevelRules) -> str:
    """``text`` with level words that name no one level blanked (same length): a list of two or more
    levels (中小学和幼儿园, 小学、初中) and an adult's schooling (只有初中文化)."""
    spans = []
    for m in rules.level_list.finditer(text) if rules.level_list else ():
        named = set()
        for level, rx in rules.level_words:
            if rx.search(m.group()):
                named.add(level)
        if "中小学" in m.group():
            named |= {"primary", "junior_secondary"}
        if len(named) >= 2:
            spans.append(m.span())
    for rx in rules.not_a_level:
        spans += [m.span() for m in rx.finditer(text)]
    if not spans:
        return text
    chars = list(text)
    for a, b in spans:
        chars[a:b] = "□" * (b - a)
    return "".join(chars)


def school_level_with_confidence(text: str, *, cues: TaggingCues | None = None) -> tuple[str, float, str]:
    """(school level, confidence, evidence).

    With ``school_level_rules`` of the cue file, in this order: a present level stated for one level
    alone (我今年读高二, a byline 高一（5）班 王若曦; a university year → '') decides, with the level's
    share of the evidence but at least ``LEVEL_PRESENT_CONFIDENCE``; an age range or a run of grades
    across levels (0至16周岁, 一至九年级) gives '' (children of every age; confidence 1.0); otherwise,
    level words that name no one level left out (中小学和幼儿园, 初中文化), the best-scoring level with
    the share of all level evidence it holds; ``uncertain`` when another level is as strong
    (我读三年级，姐姐读八年级); ('', 1.0, '') without level evidence."""
    cues = cues or load_tagging_cues()
    rules = cues.level_rules
    scored = _mask_non_levels(text, rules) if rules else text
    best, score, scores, hits = _choose(scored, cues.school_level, window=cues.window)
    total = sum(v for v in scores.values() if v > 0)
    if rules:
        present = _present_levels(text, rules)
        if len(present) == 1:
            ((level, q),) = present.items()
            if level in rules.present_no_level:
                return "", 1.0, f"present {level}: {q}"
            share = scores.get(level, 0.0) / total if total > 0 else 1.0
            return level, round(max(share, LEVEL_PRESENT_CONFIDENCE), 3), f"present: {q}"
        ages = _all_ages(text, rules)
        if ages:
            return "", 1.0, f"all ages: {ages}"
    if not best:
        return "", 1.0, ""
    conf = round(score / total, 3) if total else 1.0
    if conf <= LEVEL_UNCERTAIN_BELOW:  # another level is as strong (a tie) or stronger levels share the rest
        return "uncertain", conf, "；".join(f"{k} {v:g}" for k, v in scores.items() if v > 0)
    return best, conf, _evidence([(w, q.replace("□", "")) for w, q in hits[best]])


def decide_setting(text: str, *, cues: TaggingCues | None = None) -> tuple[list[str], str]:
    """(labels that reach min_score, evidence per label)."""
    cues = cues or load_tagging_cues()
    labels, evidence = [], []
    for label, label_cues, _ in cues.setting.labels:
        s, h = score_cues(text, label_cues, window=cues.window)
        if s >= cues.setting.min_score:
            labels.append(label)
            evidence.append(f"{label}: {_evidence(h, 1)}")
    return labels, "；".join(evidence)


# Below this confidence the rules' label (where a cue decided it) stands against the model's, per tag: chosen with
# the blend weights by the mean accuracy over the five writers' tuning folders, one writer left out at a time
# (tagmodel.decisions; docs/tagging.md). The n-gram model, fitted on short essays written for the tests, labelled
# most long web essays of the bundled file wrongly when they were left out; the rules catch those.
MODEL_SURE = {"genre": 0.6, "narrator": 0.5}


def _blend(
    rule: str, rule_ev: str, label: str, conf: float, default: str, sure: float, found: bool | None = None
) -> tuple[str, float, str]:
    """The model's label when it is ``sure`` or the rules found nothing; otherwise
    the rules' label where a cue decided it (the confidence is the model's
    for what it chose). ``found``: whether a cue decided the rules' label
    (by default, whether it is not the default label; ``other`` decided by
    its own cues stands like any genre)."""
    if found is None:
        found = rule != default
    if label == rule:
        return label, conf, rule_ev
    if conf >= sure or not found:
        return label, conf, f"model {conf:.2f} (rules: {rule}; {rule_ev})"
    return rule, conf, f"rules (model {label} {conf:.2f}): {rule_ev}"


def tag_text(text: str, *, cues: TaggingCues | None = None, model: dict | None | bool = True) -> dict:
    """All text-decided tags of one essay (everything but places) as a dict.

    Genre and narrator come from the tagging model (:mod:`analysis.methods.tagmodel`)
    when one is fitted — with its confidence, ``uncertain`` below its
    threshold — and from the cue rules otherwise (``model=False`` forces the
    rules; confidence is then empty). The evidence columns always quote the
    cues that matched."""
    from analysis.methods import tagmodel

    cues = cues or load_tagging_cues()
    text = text if isinstance(text, str) else ""
    person, person_ev = decide_person(text, cues=cues)
    genre, genre_ev, genre_found = _decide_genre(text, person=person, cues=cues)
    narrator, narrator_ev, narrator_found = _decide_narrator(text, person=person, genre=genre, cues=cues)
    genre_rules = genre
    genre_conf = narrator_conf = float("nan")
    fitted = tagmodel.load() if model is True else (model or None)
    if fitted is not None and fitted.get("features") != tagmodel.feature_names(cues):
        fitted = None  # a cue file other than the one the model was fitted with: the rules decide
    if fitted is not None:
        decided = tagmodel.predict(fitted, text, cues)
        genre, genre_conf, genre_ev = _blend(
            genre, genre_ev, *decided["genre"], cues.genre.default, MODEL_SURE["genre"], genre_found
        )
        # a narrator read from the document's signature line stands whatever the model's confidence
        sure = float("inf") if _signed_narrator(text, genre_rules, cues) else MODEL_SURE["narrator"]
        narrator, narrator_conf, narrator_ev = _blend(
            narrator, narrator_ev, *decided["narrator"], cues.narrator.default, sure, narrator_found
        )
    gender, gender_ev = decide_narrator_gender(text, person=person, cues=cues)
    level, level_conf, level_ev = school_level_with_confidence(text, cues=cues)
    setting, setting_ev = decide_setting(text, cues=cues)
    return {
        "genre": genre,
        "genre_confidence": genre_conf,
        "genre_evidence": genre_ev,
        "narrative_person": person,
        "narrative_person_evidence": person_ev,
        "narrator": narrator,
        "narrator_confidence": narrator_conf,
        "narrator_evidence": narrator_ev,
        "narrator_gender": gender,
        "narrator_gender_evidence": gender_ev,
        "school_level": level,
        "school_level_confidence": level_conf,
        "school_level_evidence": level_ev,
        "setting": setting,
        "setting_evidence": setting_ev,
    }


# ----------------------------------------------------------- frame level ---


def tag_essays(
    essays: pd.DataFrame,
    sentences: pd.DataFrame,
    *,
    cues_path: str | Path | None = None,
    entity_cues_path: str | Path | None = None,
    entities: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Essays table with the tag columns (``TAG_COLUMNS``) added.

    In: essays (essay_id, text), sentences (essay_id, sentence_id, text) —
    sentences feed the place names; pass ``entities`` (from
    :func:`analysis.methods.entities.extract_entities`) to reuse them. Out: a copy of
    ``essays`` with genre, person, narrator, narrator_gender, school_level
    (str), setting, places (lists of str), each with ``*_evidence`` (str).
    Existing tag columns are replaced.
    """
    require(essays, {"essay_id", "text"}, "essays")
    require(sentences, {"essay_id", "sentence_id", "text"}, "sentences")
    cues = load_tagging_cues(cues_path)
    if entities is None:
        from analysis.methods.entities import extract_entities

        entities = extract_entities(sentences, cues_path=entity_cues_path)
    places: dict[str, list[str]] = {}
    place_ev: dict[str, str] = {}
    if len(entities):
        require(entities, {"essay_id", "sentence_id", "text", "type"}, "entities")
        found = _places_fast(sentences, entities)
        if found is None:
            found = _places_grouped(sentences, entities)
        places, place_ev = found
    rows = [tag_text(t, cues=cues) for t in essays["text"]]
    essay_ids = essays["essay_id"].tolist()
    present = [c for c in TAG_COLUMNS if c in essays.columns]
    out = essays.drop(columns=present) if present else essays  # concat below copies either way
    if essays.index.is_unique and out.columns.is_unique:
        # the same frame as the general path below, built column by column
        cols = {c: [r[c] for r in rows] for c in TAG_COLUMNS if c not in ("places", "places_evidence")}
        cols["places"] = [places.get(e, []) for e in essay_ids]
        cols["places_evidence"] = [place_ev.get(e, "") for e in essay_ids]
        tags = pd.DataFrame({c: cols[c] for c in TAG_COLUMNS}, index=essays.index)
        if len(rows):
            return pd.concat([out, tags], axis=1)
    tags = pd.DataFrame(rows, index=essays.index)
    tags["places"] = [places.get(e, []) for e in essay_ids]
    tags["places_evidence"] = [place_ev.get(e, "") for e in essay_ids]
    return pd.concat([out, tags[TAG_COLUMNS]], axis=1)


def _places_grouped(sentences: pd.DataFrame, entities: pd.DataFrame) -> tuple[dict, dict]:
    """Place names per essay (first-seen order) and their evidence quotes."""
    places: dict = {}
    place_ev: dict = {}
    texts = sentences.set_index("sentence_id")["text"]
    for essay_id, group in entities[entities["type"] == "place"].groupby("essay_id", sort=False):
        names = list(dict.fromkeys(group["text"]))
        places[essay_id] = names
        first = group.drop_duplicates("text")
        place_ev[essay_id] = "；".join(
            quote(str(texts.get(sid, "")), int(s), int(e), before=4, after=4)
            for sid, s, e in zip(first["sentence_id"], first["start"], first["end"])
        )
    return places, place_ev


def _places_fast(sentences: pd.DataFrame, entities: pd.DataFrame) -> tuple[dict, dict] | None:
    """:func:`_places_grouped` with plain lists; None where the two might
    differ (keys or ids that are not all strings, duplicate sentence ids)."""
    sids = sentences["sentence_id"].tolist()
    if not all(isinstance(x, str) for x in sids) or len(set(sids)) != len(sids):
        return None
    is_place = (entities["type"] == "place").tolist()
    if not any(is_place):
        return {}, {}
    rows = [
        r
        for r, keep in zip(
            zip(
                entities["essay_id"].tolist(),
                entities["text"].tolist(),
                entities["sentence_id"].tolist(),
                entities["start"].tolist(),
                entities["end"].tolist(),
            ),
            is_place,
        )
        if keep
    ]
    if not all(isinstance(r[0], str) and isinstance(r[1], str) for r in rows):
        return None
    text_of = dict(zip(sids, sentences["text"].tolist()))
    firsts: dict[str, dict[str, tuple]] = {}
    for r in rows:
        firsts.setdefault(r[0], {}).setdefault(r[1], r)
    places = {eid: list(f) for eid, f in firsts.items()}
    place_ev = {
        eid: "；".join(
            quote(str(text_of.get(sid, "")), int(s), int(e), before=4, after=4) for _, _, sid, s, e in f.values()
        )
        for eid, f in firsts.items()
    }
    return places, place_ev


# ------------------------------------------------------------- structure ---
_CN_NUM = "一二三四五六七八九十"
# (rank, style name, regex): a lower rank is a higher section level
HEADING_STYLES: tuple[tuple[int, str, re.Pattern], ...] = (
    (1, "一、", re.compile(rf"^(?P<marker>(?P<num>[{_CN_NUM}]{{1,3}})\s*[、.．])")),
    (1, "第一", re.compile(rf"^(?P<marker>第(?P<num>[{_CN_NUM}]{{1,3}})(?:[、，,：:]|部分|点))")),
    (2, "（一）", re.compile(rf"^(?P<marker>[（(]\s*(?P<num>[{_CN_NUM}]{{1,3}})\s*[)）][、.．]?)")),
    (3, "1、", re.compile(r"^(?P<marker>(?P<num>\d{1,2})\s*(?:[、．]|\.(?!\d)))")),
    (4, "（1）", re.compile(r"^(?P<marker>[（(]\s*(?P<num>\d{1,2})\s*[)）][、.．]?)")),
    (5, "①", re.compile(r"^(?P<marker>(?P<num>[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]))")),
)
_LIST_BULLET_RE = re.compile(r"^\s*(?:[-*•·]\s+)?")
_HEADING_END_RE = re.compile(r"[。！？；!?;]")
STRUCTURE_COLUMNS = ["essay_id", "paragraph_id", "level", "marker", "number", "heading_text", "parent"]
MAX_HEADING_CHARS = 60


def _marker_number(num: str) -> int:
    if num.isdecimal():  # not isdigit(): '①'.isdigit() is True but int('①') fails
        return int(num)
    if num in "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳":
        return "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳".index(num) + 1
    return int(cn_number(num) or 0)


def find_heading(paragraph: str) -> tuple[int, str, int, str] | None:
    """(rank, marker, number, heading text) if a paragraph opens with a section marker."""
    text = _LIST_BULLET_RE.sub("", paragraph, count=1).strip()
    for rank, _, pat in HEADING_STYLES:
        m = pat.match(text)
        if not m:
            continue
        rest = text[m.end() :].strip()
        if not rest:
            return None
        cut = _HEADING_END_RE.search(rest)
        head = rest[: cut.start()] if cut else rest
        return rank, m.group("marker").strip(), _marker_number(m.group("num")), head[:MAX_HEADING_CHARS]
    return None


def structure(paragraphs: pd.DataFrame) -> pd.DataFrame:
    """Section headings and numbered items with their nesting.

    In: paragraphs (essay_id, paragraph_id, text), in essay order. Out:
    essay_id, paragraph_id, level (1 = top), marker (一、 / （一） / 1、 …),
    number, heading_text (up to the first full stop), parent (paragraph_id
    of the enclosing heading, '' at the top). Styles rank 一、 > （一） > 1、 >
    （1） > ①; a heading nests under the nearest earlier heading of a higher
    rank, so a 1、 list after 三、 is level 2 under it.
    """
    require(paragraphs, {"essay_id", "paragraph_id", "text"}, "paragraphs")
    rows = []
    for essay_id, pids, texts in _essay_groups(paragraphs, "paragraph_id"):
        stack: list[tuple[int, str]] = []  # (rank, paragraph_id)
        for pid, text in zip(pids, texts):
            hit = find_heading(text if isinstance(text, str) else "")
            if hit is None:
                continue
            rank, marker, number, head = hit
            while stack and stack[-1][0] >= rank:
                stack.pop()
            parent = stack[-1][1] if stack else ""
            rows.append(
                {
                    "essay_id": essay_id,
                    "paragraph_id": pid,
                    "level": len(stack) + 1,
                    "marker": marker,
                    "number": number,
                    "heading_text": head,
                    "parent": parent,
                }
            )
            stack.append((rank, pid))
    if not rows:  # the usual case: a copy of the one empty table
        global _EMPTY_STRUCTURE
        if _EMPTY_STRUCTURE is None:
            _EMPTY_STRUCTURE = _set_dtypes(
                pd.DataFrame([], columns=STRUCTURE_COLUMNS), {"level": "int64", "number": "int64"}
            )
        return _EMPTY_STRUCTURE.copy()
    return _set_dtypes(pd.DataFrame(rows, columns=STRUCTURE_COLUMNS), {"level": "int64", "number": "int64"})


_EMPTY_STRUCTURE: pd.DataFrame | None = None


# Framing lines: sentences that head or frame the prose rather than say
# something — section headings, bylines, titles, greetings and thanks
# (大家上午好！ 谢谢大家). They carry the writer's rhetoric (一、诲人不倦，架心灵之桥
# scores +0.33) but are not statements about anything; reports leave them out
# of sentence and paragraph figures unless asked.
_FINAL_MARK_RE = re.compile(r"[。！？!?…；;][”’」』\"')）]*\s*$")
_FORMULA_RE = re.compile(
    r"(?:尊敬的|亲爱的|各位|大家)[^。！？!?]{0,12}(?:好|：|:)[！!。]?"
    r"|(?:谢谢|感谢)(?:大家|各位|您|你们)?[^。！？!?，,]{0,6}[！!。]?"
)
FRAMING_MAX_CHARS = 30


def framing_lines(sentences: pd.DataFrame, headings: pd.DataFrame) -> pd.Series:
    """True for the sentences that are framing lines, not prose: the first
    sentence of a paragraph ``headings`` lists (:func:`structure`: a numbered
    heading, alone or run into its paragraph) of at most ``FRAMING_MAX_CHARS``
    characters; a paragraph's only sentence without a sentence-final mark and
    at most that long (titles, bylines, unnumbered headings); and greeting or
    thanks formulas (尊敬的各位领导：, 大家上午好！, 谢谢大家). Index: the sentences'."""
    require(sentences, {"paragraph_id", "text"}, "sentences")
    text = sentences["text"].fillna("").astype(str).str.strip()
    short = (text.str.len() <= FRAMING_MAX_CHARS).to_numpy()
    pid = sentences["paragraph_id"]
    first = ~pid.duplicated().to_numpy()
    alone = first & ~pid.duplicated(keep="last").to_numpy()
    heading = first & pid.isin(set(headings["paragraph_id"])).to_numpy() & short
    unmarked = alone & short & ~text.str.contains(_FINAL_MARK_RE).to_numpy(dtype=bool)
    formula = text.str.fullmatch(_FORMULA_RE).fillna(False).to_numpy(dtype=bool)
    return pd.Series(heading | unmarked | formula, index=sentences.index, name="framing")


def _essay_groups(table: pd.DataFrame, id_column: str) -> list[tuple[str, list, list]]:
    """(essay_id, ids, texts) per essay, as ``groupby("essay_id", sort=False)``."""
    return [(k, ids, texts) for k, (ids, texts) in group_columns(table, [id_column, "text"])]


# --------------------------------------------------------------- numbers ---
_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}


def cn_number(s: str) -> float | None:
    """Arabic or Chinese numeral → number: 1760, 二十八, 四百零二, 3.5, 1.2万; else None."""
    s = s.strip()
    if not s:
        return None
    try:
        return float(s)
    except ValueError:
        pass
    scale = 1.0
    if s.endswith("万"):
        scale, s = 10000.0, s[:-1]
        try:
            return float(s) * scale
        except ValueError:
            pass
    if not s or any(c not in _CN_DIGIT and c not in _CN_UNIT for c in s):
        return None
    total, current = 0, 0
    for c in s:
        if c in _CN_DIGIT:
            current = _CN_DIGIT[c]
        else:
            total += (current or 1) * _CN_UNIT[c]
            current = 0
    return float(total + current) * scale


_N = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+万?)"
_APPROX = r"(?P<approx>多|余|来|几)?"
_NOT_AFTER_NUMBER = r"(?<![零〇一二两三四五六七八九十百千万几\d.第])"
# 千百次 (countless), 百十 are not numbers: a unit never follows a unit
_BAD_CN_NUMERAL_RE = re.compile(r"^[千百万]|[千百万]{2}|[十百千]{2}")
# (kind, regex): earlier kinds win where spans overlap
NUMBER_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    # (?<!\d): a match inside a digit run would also match from the run's start, so this finds the same
    # numbers, but reads a long run of digits once instead of once per digit
    ("percent", re.compile(r"(?<!\d)(?P<v>\d+(?:\.\d+)?)\s*[%％]|百分之(?P<v2>[零〇一二两三四五六七八九十百点\d.]+)")),
    ("year", re.compile(r"(?<!\d)(?P<v>(?:19|20)(?:\d{2}|XX))\s*年(?!级)(?:\d{1,2}月(?!\d{1,2}日))?")),
    ("date", re.compile(r"(?P<v>\d{1,2}|[一二三四五六七八九十]{1,3})月(?:\d{1,2}|[一二三四五六七八九十]{1,3})[日号]")),
    ("money", re.compile(_NOT_AFTER_NUMBER + rf"(?P<v>{_N}){_APPROX}(?P<wan>万)?元")),
    ("age", re.compile(_NOT_AFTER_NUMBER + rf"(?P<v>{_N}){_APPROX}(?:周)?岁")),
    (
        "duration",
        re.compile(
            _NOT_AFTER_NUMBER
            + rf"(?P<v>{_N}){_APPROX}(?:个)?(?:年(?![级一二三四五六七八九十\d])|个月|天|周(?!岁)|小时|学期|日日夜夜)"
        ),
    ),
    ("distance", re.compile(_NOT_AFTER_NUMBER + rf"(?P<v>{_N}){_APPROX}(?:公里|千米|里(?!面|边)|米)")),
    (
        "count",
        re.compile(
            _NOT_AFTER_NUMBER
            + rf"(?P<v>{_N}){_APPROX}(?:个|名|位(?!数)|人|户|所|家|次|项|篇|本|件|间|台|部|道|批|只|封)"
        ),
    ),
)
NUMBER_COLUMNS = ["essay_id", "sentence_id", "text_span", "kind", "value", "approx", "start", "end", "context"]
# characters of the sentence kept either side of a number in the numbers table's ``context``
NUMBER_CONTEXT_CHARS = 30


def _overlaps_taken(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    """Whether ``span`` overlaps one of ``taken`` — disjoint spans kept sorted,
    so only the last one starting before ``span`` ends can overlap it."""
    i = bisect.bisect_left(taken, (span[1], -1))
    return i > 0 and taken[i - 1][1] > span[0]


def find_numbers(text: str) -> list[dict]:
    """Numbers in one sentence: dicts with text_span, kind, value (float;
    NaN for 19XX and for dates), approx (多/余/几), start, end. A bare Chinese 一 is not a
    count (一个问题), nor a numeral after 第 (an ordinal)."""
    found: list[dict] = []
    taken: list[tuple[int, int]] = []
    for kind, pat in NUMBER_PATTERNS:
        for m in pat.finditer(text):
            span = (m.start(), m.end())
            if _overlaps_taken(span, taken):
                continue
            raw = m.group("v") or (m.groupdict().get("v2") or "")
            if kind in ("count", "duration", "distance", "age", "money") and (
                raw == "一" or _BAD_CN_NUMERAL_RE.search(raw)
            ):
                continue
            value = cn_number(raw.replace("点", ".")) if "XX" not in raw and kind != "date" else None
            if kind == "money" and m.groupdict().get("wan") and value is not None:
                value *= 10000
            approx = bool(m.groupdict().get("approx"))
            bisect.insort(taken, span)
            found.append(
                {
                    "text_span": m.group(0),
                    "kind": kind,
                    "value": float("nan") if value is None else value,
                    "approx": approx,
                    "start": span[0],
                    "end": span[1],
                }
            )
    return sorted(found, key=lambda r: r["start"])


def numbers(sentences: pd.DataFrame) -> pd.DataFrame:
    """Numbers and statistics with their context.

    In: sentences (essay_id, sentence_id, text). Out: essay_id, sentence_id,
    text_span, kind (percent | year | date | money | age | duration |
    distance | count), value (float; NaN for 19XX and dates), approx (bool),
    start, end (offsets in the sentence), context: the number with up to
    ``NUMBER_CONTEXT_CHARS`` characters of its sentence either side (the
    sentence itself is in the sentences table, by sentence_id), so a row's
    size is bounded however long or number-dense the sentence is.
    """
    require(sentences, {"essay_id", "sentence_id", "text"}, "sentences")
    rows = []
    for essay_id, sid, text in zip(sentences["essay_id"], sentences["sentence_id"], sentences["text"]):
        if not isinstance(text, str):
            continue
        for r in find_numbers(text):
            ctx = text[max(0, r["start"] - NUMBER_CONTEXT_CHARS) : r["end"] + NUMBER_CONTEXT_CHARS]
            rows.append({"essay_id": essay_id, "sentence_id": sid, **r, "context": ctx})
    return _set_dtypes(pd.DataFrame(rows, columns=NUMBER_COLUMNS), {"value": "float64", "approx": "bool"})


# -------------------------------------------------------- report helpers ---
def tag_table(essays: pd.DataFrame, *, with_evidence: bool = True, mapping=None) -> pd.DataFrame:
    """One row per essay: the tags (lists joined by '、') and their evidence.

    Evidence quotes the essays, so it can hold names: pass the pseudonym
    ``mapping`` (see :mod:`analysis.methods.privacy`) unless the essays table is
    already pseudonymised (``Corpus`` tables are).
    """
    require(essays, {"essay_id", "genre", "narrative_person", "narrator"}, "essays")
    cols = ["essay_id"] + [
        c for c in TAG_COLUMNS if c in essays.columns and (with_evidence or not c.endswith("_evidence"))
    ]
    out = essays[cols].copy()
    for c in ("setting", "places"):
        if c in out:
            out[c] = out[c].map(
                lambda v: "、".join(v) if isinstance(v, (list, tuple)) or hasattr(v, "tolist") else (v or "")
            )
    if mapping is not None:
        from analysis.methods.privacy import pseudonymise_frame

        out = pseudonymise_frame(out, [c for c in out.columns if c.endswith("_evidence") or c == "places"], mapping)
    return out.reset_index(drop=True)
