"""The tagging cues (resources/tagging_cues.yaml) compiled once per file: cue lists, label sets, the school-level
rules; the tag names and columns.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from analysis.resources import load_yaml
from analysis.resources import resource_path


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
