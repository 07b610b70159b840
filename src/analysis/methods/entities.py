"""Named entities: people (child, adult, public figure), places, organisations.

Cues live in ``resources/entity_cues.yaml`` (see docs/tagging.md). A name is
found three ways, then every occurrence of it in the same essay is tagged:

  * public figures from a list (苏霍姆林斯基 …) or a frame (教育家X说);
  * cue patterns around a name: 学生X, X同学, 叫X, 班主任：X, X + 父母/爷爷 …,
    X老师 — each cue also votes for a role;
  * jieba person tags (nr, nrfg, nrt) on words outside its dictionary that
    start with a clear surname: real names are almost never dictionary words.

Role per name and essay: public figure if listed, else the role with the most
cue weight, else ``default_role`` (child: a missed child name is a privacy
leak). Places and organisations come from jieba tokens plus suffixes
(…村/镇/县, …小学/公司). Placeholders (``XX``) are never names, but a
surname kept before one (周XX) is.

Text level: :func:`find_entities` (one essay's sentences). Frame level:
:func:`extract_entities` (a sentences table), :func:`entity_counts` (its figure:
:func:`analysis.reporting.overview.plot_entity_counts`).
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.frames import group_columns
from analysis.resources import load_yaml, resource_path
from analysis.ingest.segment import get_tokenizer, pos_tag, word_tag

CUES_FILE = "entity_cues.yaml"
ENTITY_COLUMNS = ["essay_id", "sentence_id", "text", "type", "role", "start", "end", "evidence", "canonical"]
TYPES = ("person", "place", "organisation")
ROLES = ("child", "adult", "public_figure")
PLACEHOLDER = "XX"
_CJK = "\u4e00-\u9fff"
_ALL_CJK_RE = re.compile(rf"^[{_CJK}]+$")
# a jieba dictionary word this frequent is an ordinary word, not a place name;
# ten times this, not the start of a person's name either (周末 in 周末回家)
COMMON_WORD_FREQ = 50
# a word jieba tags as a person and knows this rarely is a name it happens to hold (马浩然 2)
NAME_DICT_MAX_FREQ = 20
# a word this common (农民, 文化) that a child cue's three characters start with is the word, no surname and
# given name (31岁的农民季正清); rarer ones start names (周长贵, 金子豪)
STRONG_CUE_HEAD_WORD_FREQ = 2000
# a surname + title that is itself a word this common is no person (班主任); 王老师 (3) is one
SURNAME_TITLE_WORD_FREQ = COMMON_WORD_FREQ


# ------------------------------------------------------------------ cues ---
@dataclass(frozen=True)
class PersonCue:
    label: str
    role: str
    weight: float
    regex: re.Pattern
    surname_only: bool = False
    nickname: bool = False
    end_check: bool = False  # the name must end before name_end or at a token boundary
    max_freq: int | None = None  # the name must be rarer than this as a word (喊他回家 names no one)
    strong: bool = False  # the context leaves no other reading (a roster's name cell): a word may be a name (甘露)
    # only a person fits the slot (小米是班上年纪最小的): a 小X word listed under not_nicknames is a nickname here
    any_word: bool = False
    # a category noun before the name (学生, 留守儿童, 我家) that also heads ordinary compounds (学生范文, 留守儿童周记,
    # 我们家的长孙): a dictionary word in its slot is a name only where a second child cue says so
    category: bool = False
    # a field label's title (书记：X, 老师：X) that is a speaker's label when a surname stands before it at the
    # line's start (佟书记：艾草是…, 汤老师：柏先生，…): what follows is said, no field's value
    label_title: bool = False


@dataclass(frozen=True)
class EntityCues:
    """Compiled ``entity_cues.yaml``."""

    surnames: frozenset[str]
    compound_surnames: tuple[str, ...]
    ambiguous_surnames: frozenset[str]
    given_stop: frozenset[str]
    not_names: frozenset[str]
    not_nicknames: frozenset[str]
    not_reduplicated: frozenset[str]
    public_figures: tuple[str, ...]
    public_frame: re.Pattern
    person_cues: tuple[PersonCue, ...]
    not_person_before: re.Pattern
    name_end: re.Pattern
    default_role: str
    place_suffixes: frozenset[str]
    not_places: frozenset[str]
    gazetteer: frozenset[str]
    org_joiners: frozenset[str]
    org_suffixes: tuple[str, ...]
    org_suffix_re: re.Pattern
    not_orgs: frozenset[str]
    pseudonyms: dict = field(hash=False, compare=False)
    # names with no cue that the essay uses as people (:func:`_actor_names`)
    actor_strong: re.Pattern = re.compile("(?!)")
    actor_weak: re.Pattern = re.compile("(?!)")
    not_actors: frozenset[str] = frozenset()
    # compound_surnames as a set, and their lengths longest first (a lookup per name, not a scan)
    compound_set: frozenset[str] = frozenset()
    not_family_forms: frozenset[str] = frozenset()  # surname + 家 that are ordinary words (商家, 全家)
    compound_lengths: tuple[int, ...] = ()
    # compound surnames that are everyday words too (东方, 长孙): only inside a cue
    ambiguous_compounds: frozenset[str] = frozenset()
    # what a pet name adds to a given name's last character (雨丫头 for 甘晓雨)
    nickname_suffixes: tuple[str, ...] = ()
    not_before_title: frozenset[str] = frozenset()
    # stop characters that open a given name jieba's dictionary tags as a person's (向阳 of 卞向阳)
    given_openers: frozenset[str] = frozenset()
    # surnames that are a demonstrative or a particle too (那, 过): never a name model's guess
    cue_only_surnames: frozenset[str] = frozenset()
    # Yi clan names (沙马, 吉克) and the stop characters their two-character given names may hold (日: 沙马古日)
    clan_surnames: frozenset[str] = frozenset()
    clan_given_chars: frozenset[str] = frozenset()
    # rare surnames that are among the commonest verbs (能, 种): only before a given name the essay uses alone
    verb_surnames: frozenset[str] = frozenset()


def _actor_pattern(left: str | None, after: str | None, between: str | None = None) -> re.Pattern:
    """Two CJK characters (group ``name``) after ``left`` and before ``after``,
    with at most one ``between`` (a time word or adverb: 春生今天又没交作业)
    in between."""
    if not left or not after:
        return re.compile("(?!)")
    gap = f"(?:{between})?" if between else ""
    return re.compile(f"{left}(?P<name>[\u4e00-\u9fff]{{2}})(?={gap}{after})")


def _chars(value) -> str:
    return "".join(str(value).split()) if value else ""


@functools.lru_cache(maxsize=16)
def _compile_cues(path: str, mtime: float) -> EntityCues:
    raw = load_yaml(CUES_FILE, path)
    try:
        surnames = _chars(raw["surnames"])
        clans = tuple(raw.get("clan_surnames") or ())
        compound = tuple(raw.get("compound_surnames") or ()) + clans
        ambiguous = _chars(raw.get("ambiguous_surnames"))
        stop = _chars(raw.get("given_name_stop"))
        openers = _chars(raw.get("given_name_openers"))
        given = rf"(?:(?![{re.escape(stop)}])[{_CJK}])" if stop else f"[{_CJK}]"
        # a stop character that may open a two-character given name (卞向阳), checked by is_plausible_name
        opened = rf"[{re.escape(openers)}]{given}|" if openers else ""
        tail = rf"(?:{PLACEHOLDER}|某|{opened}{given}{{1,2}})"
        comp = "|".join(map(re.escape, sorted(compound, key=len, reverse=True)))
        surname_alt = (f"(?:{comp})|" if comp else "") + f"[{re.escape(surnames)}]"
        # a Yi clan name before a two-character given name, which may hold a clan_given_chars (沙马古日)
        clan_stop = "".join(c for c in stop if c not in _chars(raw.get("clan_given_chars")))
        clan_given = rf"(?:(?![{re.escape(clan_stop)}])[{_CJK}])" if clan_stop else f"[{_CJK}]"
        clan_alt = "|".join(map(re.escape, sorted(clans, key=len, reverse=True)))
        clan_pat = rf"(?:{clan_alt}){clan_given}{{2}}|" if clans else ""
        name_pat = rf"(?P<name>{clan_pat}(?:{surname_alt}){tail})"
        not_before_title = _chars(raw.get("not_before_title"))
        title_surnames = "".join(c for c in surnames if c not in not_before_title)
        surname_only = (f"(?:{comp}|" if comp else "(?:") + rf"[{re.escape(title_surnames)}])"
        # 小X, 阿X, or a reduplicated name (甜甜, 妞妞)
        nick_pat = rf"(?P<name>[小阿]{given}|(?P<dup>(?![{re.escape(stop)}])[{_CJK}])(?P=dup))"
        name_end = raw.get("name_end") or ""
        cues = []
        for i, item in enumerate(raw.get("person_cues") or ()):
            pattern = item["pattern"]
            if "{NAME}" in pattern:
                pattern = pattern.replace("({NAME})", name_pat).replace("{NAME}", name_pat)
            elif "{NICK}" in pattern:
                pattern = pattern.replace("({NICK})", nick_pat).replace("{NICK}", nick_pat)
            elif "{SURNAME}" in pattern:
                pattern = pattern.replace("({SURNAME}", "(?P<name>" + surname_only).replace("{SURNAME}", surname_only)
            elif "(?P<name>" not in pattern:
                raise ValueError(f"person_cues[{i}] has none of {{NAME}}, {{NICK}}, {{SURNAME}}, (?P<name>…)")
            end_check = bool(item.get("end"))
            role = item.get("role", "child")
            if role not in ROLES:
                raise ValueError(f"person_cues[{i}]: role {role!r} not one of {ROLES}")
            cues.append(
                PersonCue(
                    item.get("label", f"cue{i}"),
                    role,
                    float(item.get("weight", 1)),
                    re.compile(pattern),
                    "{SURNAME}" in item["pattern"] or bool(item.get("surname_title")),
                    "{NICK}" in item["pattern"] or bool(item.get("nickname")),
                    end_check,
                    int(item["max_freq"]) if "max_freq" in item else None,
                    bool(item.get("strong")),
                    bool(item.get("any_word")),
                    bool(item.get("category")),
                    bool(item.get("label_title")),
                )
            )
        public = tuple(sorted(raw.get("public_figures") or (), key=len, reverse=True))
        frame = re.compile(
            raw.get("public_figure_before", "(?!)")
            + rf"(?P<name>[{_CJK}·]{{2,10}}?)"
            + raw.get("public_figure_after", "(?!)")
        )
        return EntityCues(
            surnames=frozenset(surnames),
            compound_surnames=compound,
            compound_set=frozenset(compound),
            not_family_forms=frozenset(raw.get("not_family_forms") or ()),
            compound_lengths=tuple(sorted({len(c) for c in compound}, reverse=True)),
            ambiguous_surnames=frozenset(ambiguous),
            ambiguous_compounds=frozenset(raw.get("ambiguous_compound_surnames") or ()),
            given_stop=frozenset(stop),
            given_openers=frozenset(openers),
            cue_only_surnames=frozenset(_chars(raw.get("cue_only_surnames"))),
            not_names=frozenset(raw.get("not_names") or ()),
            not_nicknames=frozenset(raw.get("not_nicknames") or ()),
            not_reduplicated=frozenset(raw.get("not_reduplicated") or ()),
            public_figures=public,
            public_frame=frame,
            person_cues=tuple(cues),
            not_person_before=re.compile(raw.get("not_person_before") or "(?!)"),
            name_end=re.compile(name_end or "(?=$)"),
            default_role=raw.get("default_role", "child"),
            place_suffixes=frozenset(_chars(raw.get("place_suffixes"))),
            not_places=frozenset(raw.get("not_places") or ()),
            gazetteer=frozenset(raw.get("gazetteer") or ()) - frozenset(raw.get("not_gazetteer_places") or ()),
            org_joiners=frozenset(raw.get("org_joiners") or ()),
            org_suffixes=tuple(sorted(raw.get("org_suffixes") or (), key=len, reverse=True)),
            org_suffix_re=re.compile(
                "|".join(
                    map(
                        re.escape,
                        sorted(
                            [x for x in (raw.get("org_suffixes") or ()) if x in _SCHOOL_LIKE_SUFFIXES] or ["(?!)"],
                            key=len,
                            reverse=True,
                        ),
                    )
                )
            ),
            not_orgs=frozenset(raw.get("not_orgs") or ()),
            pseudonyms=raw.get("pseudonyms") or {},
            actor_strong=_actor_pattern(raw.get("actor_left"), raw.get("actor_strong"), raw.get("actor_between")),
            actor_weak=_actor_pattern(raw.get("actor_left"), raw.get("actor_weak"), raw.get("actor_between")),
            not_actors=frozenset(raw.get("not_actors") or ()),
            nickname_suffixes=tuple(raw.get("nickname_suffixes") or ()),
            not_before_title=frozenset(not_before_title),
            clan_surnames=frozenset(clans),
            clan_given_chars=frozenset(_chars(raw.get("clan_given_chars"))),
            verb_surnames=frozenset(_chars(raw.get("verb_surnames"))),
        )
    except (KeyError, TypeError, re.error) as exc:
        raise ValueError(f"{path}: bad entity cue file ({exc.__class__.__name__}: {exc})") from None


def load_entity_cues(path: str | Path | None = None) -> EntityCues:
    """Compiled entity cues (bundled file unless ``path``); cached per file version."""
    p = resource_path(CUES_FILE, path)
    return _compile_cues(str(p), p.stat().st_mtime)


# ------------------------------------------------------------ name tests ---
def surname_of(name: str, cues: EntityCues) -> str:
    """The surname a name starts with ('' if none); the longest compound surname first. A verb surname (能) opens
    a three-character name whose given name is no dictionary word and holds no stop character (能思远, as
    :func:`_verb_surname_names` finds it; not 能够用)."""
    for n in cues.compound_lengths:
        if name[:n] in cues.compound_set:
            return name[:n]
    if name[:1] in cues.surnames:
        return name[:1]
    if (
        len(name) == 3
        and name[:1] in cues.verb_surnames
        and not any(c in cues.given_stop for c in name[1:])
        and not get_tokenizer().FREQ.get(name[1:])
    ):
        return name[:1]
    return ""


def _common_word(word: str, min_freq: int = 1) -> bool:
    """A jieba dictionary word (at least ``min_freq``) that jieba does not tag as a person."""
    if (get_tokenizer().FREQ.get(word) or 0) < min_freq:
        return False
    tags = pos_tag(word)
    return len(tags) != 1 or not tags[0][1].startswith("nr")


NOUN_START_FREQ = 150  # jieba count of a noun (石榴 192, 桂花 479) a three-character "name" starts with
WORD_START_FREQ = 20  # … of any word (白云 389, 田埂 38) a "name" ending in a character names avoid starts with
# the name model's log ratio (:func:`analysis.methods.namemodel.given_score`) of a character far rarer in given
# names than in running text (像 -1.6, 边 -1.2; 航 -0.2 and 涵 are name characters)
NOT_GIVEN_CHAR_RATIO = -1.0


def _noun_start(name: str) -> bool:
    """Do the surname and the first given character make a common noun (石榴|树, 桂花|香), or a word
    followed by a character that given names avoid (白云|像, 田埂|边, where 晏子|航 is a name)?"""
    from analysis.methods import namemodel
    from analysis.ingest.segment import word_tag

    head = name[:2]
    if name[-1] == name[-2]:
        return False  # 黄豆豆: a doubled given name is a name's
    f = get_tokenizer().FREQ.get(head) or 0
    if f >= NOUN_START_FREQ and word_tag(head) == "n":
        return True
    return f >= WORD_START_FREQ and namemodel.given_score(name[2:]) <= NOT_GIVEN_CHAR_RATIO


def _pet_prefix(name: str) -> int:
    """1 for a pet name of 小 and two characters (小樱桃, whose 小 jieba tags as an adjective), else 0."""
    return 1 if len(name) == 3 and name[0] == "小" else 0


# the name model's score of a last character (道 0.16, 语 -0.2, 卡 -1.4) under which a dictionary word that a
# word opens is that word (林荫道), not a name the dictionary holds (刘海荣: 荣 2.7, 王国华: 华 1.8)
WORD_END_GIVEN_SCORE = 0.5


def _word_opened_word(name: str, sur: str) -> bool:
    """Is a three-character ``name`` with a one-character surname a dictionary word whose first two
    characters are a word too (林荫道: 林荫; 祝福语: 祝福), ending in a character given names avoid? jieba
    tags many such words as names (林荫道 nr); those that are names end in a name's character (刘海荣)."""
    from analysis.methods import namemodel

    freq = get_tokenizer().FREQ
    return (
        len(name) == 3
        and len(sur) == 1
        and name[1] != name[2]
        and (freq.get(name) or 0) >= 1
        and (freq.get(name[:2]) or 0) >= WORD_START_FREQ
        and namemodel.given_score(name[2]) < WORD_END_GIVEN_SCORE
    )


VERB_OBJECT_FREQ = 50  # jieba count of a noun (粽子 322) that a verb surname (包, 管, 练) takes as its object


def _verb_object(sur: str, given: str) -> bool:
    """Is a one-character surname that is a verb to jieba followed by a common noun, its object
    (包|粽子, 花|时间, 练|书法)? Given names that are words are adjectives, names or places to jieba
    (包|红梅, 蒙|建国), not plain nouns."""
    from analysis.ingest.segment import word_tag

    return (
        len(sur) == 1
        and len(given) == 2
        and word_tag(sur) == "v"
        and word_tag(given) == "n"
        and (get_tokenizer().FREQ.get(given) or 0) >= VERB_OBJECT_FREQ
    )


# jieba's tags of a word that may be a given name opened by a stop character: a person's name (向阳) or
# another proper name (和平, 和顺)
GIVEN_NAME_TAGS = ("nr", "nz")


# the name model's score of a given name's second character (田 1.2, 福 2.3; 些 -3.1, 点 -2.4, 钱 -2.1) at which an
# opener that is no preposition (有) opens a given name no dictionary holds, where a cue names the person (施有田)
OPENED_GIVEN_MIN_SCORE = 1.0


def stops_given(given: str, cues: EntityCues, *, named: bool = False) -> bool:
    """Does ``given`` hold a character no given name holds (的, 向老师问好's 向)? Not a stop character
    that ``given_name_openers`` lets open a two-character given name which jieba's dictionary tags as
    a person's name or a proper name (向阳 of 卞向阳, 向东, 和平 of 桂和平) — nor, where a cue names the
    person (``named``: 爷爷叫施有田), one that is no dictionary word, opened by a character that is no
    conjunction or preposition, whose second character the name model reads as a given name's (有田)."""
    from analysis.methods import namemodel
    from analysis.ingest.segment import word_tag

    if not any(c in cues.given_stop for c in given):
        return False
    if named and _zhi_given(given, cues):
        return False  # 谈牧之: a given name in the classical style, where a cue names the person
    if not (
        len(given) == 2
        and given[0] in cues.given_openers
        and given[1] not in cues.given_stop
        # a conjunction before a surname is the conjunction (张和田老师: 张 and 田老师)
        and not (given[0] in _CONJUNCTION_SURNAMES and given[1] in cues.surnames)
    ):
        return True
    if word_tag(given).startswith(GIVEN_NAME_TAGS):
        return False
    return not (
        named
        and given[0] not in _CONJUNCTION_SURNAMES
        and given[0] not in _PREPOSITION_SURNAMES
        and not get_tokenizer().FREQ.get(given)
        and namemodel.given_score(given[1]) >= OPENED_GIVEN_MIN_SCORE
    )


# the name model's score of the first character of a given name in the classical style, X之 (牧 1.4, 敬 2.0),
# at which 之 is the name's last character, not the particle (言之 -0.1)
ZHI_GIVEN_MIN_SCORE = 0.5


def _zhi_given(given: str, cues: EntityCues) -> bool:
    """Is ``given`` a two-character given name in the classical style, a name's character and 之 (牧之, 敬之,
    恒之)? 之 is a stop character (王明之所以…), so only where a cue or the text around closes the name."""
    from analysis.methods import namemodel

    return (
        len(given) == 2
        and given[1] == "之"
        and given[0] not in cues.given_stop
        and namemodel.given_score(given[0]) >= ZHI_GIVEN_MIN_SCORE
    )


def _clan_given(sur: str, given: str, cues: EntityCues) -> bool:
    """Is ``given`` a Yi given name after a clan name (古日 of 沙马古日): two characters whose only stop characters
    are ones Yi given names hold (``clan_given_chars``: 日)?"""
    return (
        sur in cues.clan_surnames
        and len(given) == 2
        and all(c not in cues.given_stop or c in cues.clan_given_chars for c in given)
    )


# jieba's count from which a surname of ``cue_only_surnames`` and the next character are that word, whatever cue
# stands around them (年初 1715, 年终 137; not 年秀, 乐思)
CUE_ONLY_HEAD_WORD_FREQ = 100
# …and from which the two characters after such a surname are a word of their own, the surname then a verb (占|儿童
# 5456, 占|一半; not 占|春生 87, 步|小船 612, nor a word jieba reads as a name: 过|向东 1037, 占|建国)
CUE_ONLY_GIVEN_WORD_FREQ = 1000


def is_plausible_name(
    name: str, cues: EntityCues, *, strong: bool = False, named: bool = False, speaker: bool = False
) -> bool:
    """A surname + given name that is not an ordinary word.

    Rejects listed non-names, given names with function characters, and
    dictionary words that jieba does not tag as a person (高兴, 周末) —
    unless the evidence is ``strong`` (a cue that leaves no other reading). A ``speaker`` (the name opens a
    clause before 说 or 问) is no verb and its object (饶小鱼说汤太咸: 饶 is the surname, not "spare").
    """
    if not name or name in cues.not_names:
        return False
    sur = surname_of(name, cues)
    if not sur:
        return False
    given = name[len(sur) :]
    if given in (PLACEHOLDER, "某"):
        return True
    if given == sur or name in cues.not_reduplicated or given == "家":
        return False  # 谢谢, 常常: a word, not surname + given name; 胡家: the family
    if name[-1] in "村镇乡县区市省屯寨":
        return False  # 龙溪村: a place
    if not (1 <= len(given) <= 2) or not _ALL_CJK_RE.match(given):
        return False
    if stops_given(given, cues, named=named) and not _clan_given(sur, given, cues):
        return False
    if name[:2] in cues.not_reduplicated:
        return False  # 谢谢您, 谢谢邓老师: a word, whatever cue stands around it
    if (
        sur in cues.cue_only_surnames
        and len(sur) == 1
        and (get_tokenizer().FREQ.get(name[:2]) or 0) >= CUE_ONLY_HEAD_WORD_FREQ
    ):
        return False  # 年初一干部, 年底: a surname that is mostly a word, opening a common word, is that word
    if (
        sur in cues.cue_only_surnames
        and len(given) == 2
        and (
            (
                (get_tokenizer().FREQ.get(given) or 0) >= CUE_ONLY_GIVEN_WORD_FREQ
                and not word_tag(given).startswith(("nr", "ns"))
            )
            or word_tag(given).startswith("m")
        )
    ):
        return False  # 留守儿童占儿童总数, 学生占一半: a verb and its object, a very common word or a number
    if strong:
        return True
    if sur in cues.ambiguous_surnames and len(given) == 2:
        # 于接近, 高兴: with a surname that is also a word, the rest must not be one
        if _common_word(given, 10 * COMMON_WORD_FREQ):
            return False
    if _common_word(name, NAME_DICT_MAX_FREQ):  # 高兴, 周末 are words, not names
        return False
    if _word_opened_word(name, sur):
        return False  # 林荫道, 祝福语: a dictionary word that a word opens, however jieba tags it
    if len(given) == 2 and len(sur) == 1 and _noun_start(name):
        return False  # 石榴树, 桂花香: a noun (石榴, 桂花) and a character, no surname and given name
    if _verb_object(sur, given) and not speaker:
        return False  # 包粽子: a verb and its object
    return True


# adverbs that end a name before what the person does or does not do (班主任侯莹并没有注意到: 侯莹, not
# 侯莹并); one that given names hold too (才, 正, 曾, 竟: the name model reads it as a name's) only before
# a negation
ADVERB_AFTER_NAME = frozenset("并就都也还又才却便更竟仍正已曾总常")
_NEGATION_RE = re.compile(r"没|不|未|别|无法|从未|从不|从没")


def adverb_ends_name(text: str, start: int, stop: int, cues: EntityCues, spans=None) -> bool:
    """Is the last of two given characters of ``text[start:stop]`` an adverb that follows the name
    (侯莹|并没有, 杜晓|却说不出, 韩雪|常去) rather than part of it? Only before a negation or a verb,
    adverb or preposition to jieba; a character far more common in given names (才, 正) only before
    a negation (刘英才说 keeps 刘英才)."""
    from analysis.methods import namemodel

    name = text[start:stop]
    sur = surname_of(name, cues)
    if not sur or len(name) - len(sur) != 2 or name[-1] not in ADVERB_AFTER_NAME:
        return False
    if _NEGATION_RE.match(text, stop):
        return True
    if namemodel.given_score(name[-1]) >= 0:
        return False
    sp = _as_spans(spans if spans is not None else _token_spans(text))
    return any(t[1].startswith(("v", "d", "p")) for t in sp.by_start.get(stop, ()))


# ----------------------------------------------------------- token spans ---
class _Spans(tuple):
    """The (word, flag, start, end) tokens of a text, in order and without
    overlaps, with an index: the token that covers an offset, or starts at
    one, is found by a binary search or a look-up instead of a scan of every
    token (a scan per candidate offset is quadratic in a sentence's length)."""

    @functools.cached_property
    def starts(self) -> list[int]:
        return [s for _, _, s, _ in self]

    @functools.cached_property
    def by_end(self) -> dict[int, list[tuple[str, str, int, int]]]:
        return self._grouped(3)

    @functools.cached_property
    def by_start(self) -> dict[int, list[tuple[str, str, int, int]]]:
        return self._grouped(2)

    def _grouped(self, field: int) -> dict[int, list[tuple[str, str, int, int]]]:
        out = {t[field]: [t] for t in self}  # tokens of one segmentation: one per offset
        if len(out) < len(self):
            out = {}
            for t in self:
                out.setdefault(t[field], []).append(t)
        return out

    def covering(self, at: int):
        """The token with start < at < end, or None."""
        i = bisect.bisect_left(self.starts, at) - 1  # the last token starting before at
        if i >= 0 and self[i][3] > at:
            return self[i]
        return None

    def overlapping(self, start: int, end: int):
        """The tokens with end > start and start < end, in order."""
        i = max(0, bisect.bisect_right(self.starts, start) - 1)
        j = bisect.bisect_left(self.starts, end)
        return [t for t in self[i:j] if t[3] > start]


def _as_spans(spans) -> _Spans:
    """``spans`` with its index (those of :func:`_token_spans` have one; other
    sequences, sorted and without overlaps, are indexed here)."""
    return spans if isinstance(spans, _Spans) else _Spans(spans)


# _token_spans's cache: text -> spans, the oldest dropped beyond the limit (a
# dict, not lru_cache, so that spans computed in forked workers can be kept)
_SPANS_CACHE: dict[str, _Spans] = {}
_SPANS_CACHE_MAX = 20000


def _remember_spans(text: str, spans: _Spans) -> None:
    if len(_SPANS_CACHE) >= _SPANS_CACHE_MAX:
        del _SPANS_CACHE[next(iter(_SPANS_CACHE))]
    _SPANS_CACHE[text] = spans


def _token_spans(text: str) -> _Spans:
    """(word, flag, start, end) for jieba's POS tokens of ``text``.

    jieba's POS tagger is slow (its HMM guesses a tag for every unseen word)
    but those guesses (nr, ns) are what tells 郭垌 in 郭垌村 from 顶起 in
    顶起公司; template sentences repeat across essays, hence the cache.
    """
    got = _SPANS_CACHE.get(text)
    if got is None:
        got = _pos_spans(text)
        _remember_spans(text, got)
    return got


def _pos_spans(text: str) -> _Spans:
    spans = []
    cursor = 0
    for word, flag in pos_tag(text):
        at = text.find(word, cursor)
        if at < 0:  # should not happen; keep going without an offset
            continue
        spans.append((word, flag, at, at + len(word)))
        cursor = at + len(word)
    return _Spans(spans)


def _splits_word(spans, start: int, end: int, freq: dict | None = None) -> bool:
    """True if [start, end) cuts through a common dictionary word.

    学生周末回家 holds no name 周末回 (it cuts 回家), while jieba's odd token
    彬的 in 左斌彬的 is no word, so 左斌彬 stands.
    """
    freq = get_tokenizer().FREQ if freq is None else freq
    spans = _as_spans(spans)
    for at in (start, end) if end != start else (start,):
        t = spans.covering(at)
        if t is not None and (freq.get(t[0]) or 0) >= COMMON_WORD_FREQ:
            return True
    return False


# a word this common that a name's last character would begin (回来, 回家) takes that character back
TAIL_WORD_FREQ = 1000


def _tail_starts_word(spans, stop: int, freq: dict) -> bool:
    """Does the jieba word that ``stop`` cuts start one character before it and is it a common word
    (牛娃回|来: 回来)? Then the character is that word's, not a name's (but 张小|明说: 明说 is rare)."""
    t = _as_spans(spans).covering(stop)
    return t is not None and t[2] == stop - 1 and (freq.get(t[0]) or 0) >= TAIL_WORD_FREQ


def _name_like(word: str, flag: str, cues: EntityCues, freq: dict | None = None) -> bool:
    """A token that can be (part of) a proper name of a place or organisation."""
    if PLACEHOLDER in word or not _ALL_CJK_RE.match(word) or len(word) > 4:
        return False
    if word in cues.not_places or word in cues.not_orgs:
        return False
    if flag.startswith(("nr", "ns")):
        return True
    return not (get_tokenizer().FREQ if freq is None else freq).get(word)


_NUMERAL_CHARS = set("零〇一二两三四五六七八九十百千万几本该每各全某此")
# characters that end a place name on its left (去|坳背村, 在|城关镇, 我们|村)
_PLACE_STOP = frozenset(
    "在到去从往向于和与及或并而但的了是住来回进出离走访里这那每各全本该此其个们我你他她它就都也还又把被给对为以着过上下有没"
    "省市县区镇乡村老新旧"
)
_JOINED_RE = re.compile(r"[和与及或]")
_MULTI_SUFFIXES = frozenset({"社区", "街道", "小区", "居委会", "村委会"})
_GROUP_RE = re.compile(
    r"(?:[一二三四五六七八九十\d]{1,3}|(?![的了在和与是个这那每各全本该小])[\u4e00-\u9fff]{1,3})组(?![织员长成合])"
)


# a group of people that jieba tags as an organisation (全班同学, 全体同学, 同班同学): no name of one
_PEOPLE_GROUP_RE = re.compile(r"(同学|师生|学生|老师|教师|家长|儿童|孩子|队员|员工|们)$")


# the bodies named after a public figure that are national, not a child's school (孔子学院, 鲁迅文学院,
# 雷锋纪念馆; a 雷锋小学 is one school of one place and stays private)
NAMED_AFTER_SUFFIXES = ("学院", "大学", "纪念馆", "故居", "研究会", "研究院", "基金会")


def _named_after_public_figure(h: _Hit, cues: EntityCues) -> bool:
    """Is the organisation ``h`` a national body named after a public figure (孔子学院)?"""
    return (
        h.type == "organisation"
        and h.text.endswith(NAMED_AFTER_SUFFIXES)
        and any(h.text.startswith(p) for p in cues.public_figures)
    )


def _kind_of_place(word: str, cues: EntityCues) -> bool:
    """Is ``word`` a common word and a kind of place of ``not_places`` (文明|城市, 旅游|城市, 生态|乡镇)? An
    honour or a category a county strives for, no place (jieba tags 文明城市 as one)."""
    from analysis.ingest.segment import word_tag

    freq = get_tokenizer().FREQ
    return any(
        word[k:] in cues.not_places
        and (freq.get(word[:k]) or 0) >= COMMON_WORD_FREQ
        and not word_tag(word[:k]).startswith("ns")  # 文明 is a name to jieba too, but no place
        for k in range(1, len(word) - 1)
    )


def _place_word(word: str, flag: str, cues: EntityCues, freq: dict | None = None) -> bool:
    """A token ending in a place suffix that is a place name (梁平县, not 远走他乡 or 文明城市)."""
    if word in cues.not_places or not _ALL_CJK_RE.match(word) or all(c in _NUMERAL_CHARS for c in word[:-1]):
        return False
    if _kind_of_place(word, cues):
        return False
    if flag.startswith(("ns", "nr")):
        return True
    return (
        flag not in ("l", "i") and ((get_tokenizer().FREQ if freq is None else freq).get(word) or 0) < COMMON_WORD_FREQ
    )


@dataclass
class _Hit:
    text: str
    type: str
    start: int
    end: int
    role: str = ""
    weight: float = 0.0
    evidence: str = ""


@functools.lru_cache(maxsize=1)
def public_places() -> frozenset[str]:
    """Names of China's provinces and prefecture-level cities, with and without
    their suffix (广州市, 广州; 恩施土家族苗族自治州, 恩施): where parents go to
    work or where a study is set, too large to identify anyone. From the
    administrative-division codes the cpca package ships (county level and
    below are left out: a county with a school names the children)."""
    import csv
    import importlib.util

    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    folder = Path(next(iter(spec.submodule_search_locations))) / "resources"
    with open(folder / "56_nations.csv", encoding="utf-8") as fh:
        nations = sorted((line.strip() for line in fh if line.strip()), key=len, reverse=True)
    ethnic = re.compile("(" + "|".join(map(re.escape, nations + [n[:-1] for n in nations if len(n) > 2])) + ")+$")
    out = set()
    with open(folder / "adcodes.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code, name = row["adcode"], row["name"]
            if code[4:6] != "00" or not name:  # county level and below
                continue
            out.add(name)
            short = re.sub(r"(市|地区|盟|自治州|自治区|特别行政区|省)$", "", name)
            short = ethnic.sub("", short) if name.endswith(("自治州", "自治区")) else short
            if len(short) >= 2:
                out.add(short)
                if name.endswith("自治州"):
                    out.add(short + "州")  # 恩施州
    return frozenset(out)


def _public_place(text: str, kind: dict[str, str], roles: dict[str, str]) -> bool:
    """Is ``text`` in this essay only a province or city of :func:`public_places` (朝阳, 通辽)? Such a
    word that is the given name of a person the essay names in full (芮朝阳 … 朝阳发高烧了) is the
    person's: a child's name left is worse than a city replaced."""
    return kind.get(text) == "place" and roles.get(text) == "public"


def _snippet(text: str, start: int, end: int, pad: int = 6) -> str:
    return text[max(0, start - pad) : end + pad]


# A single character jieba may split off the front of a name (送往淋|山河|卫生院,
# 淋 tagged n): noun-like and rare as a word of its own. Common ones belong to
# the word before (老矿|江西萍乡, 小寨沟|自然村) or are verbs tagged n (记|湛江市).
_LEFT_CHAR_FLAGS = frozenset({"n", "ng", "nr", "nrt", "nrfg", "ns", "nz", "j"})
_LEFT_CHAR_MAX_FREQ = 1000  # jieba dictionary count: 淋 471; 矿 2295, 沟 2382, 记 7460


def _name_start(spans, j: int, cues: EntityCues, freq: dict) -> int:
    """Offset where a place or organisation whose first token is ``spans[j]``
    starts: right after an administrative level written alone a few
    characters before (县|上车|湾镇 → 上车湾镇, :func:`_after_admin_level`);
    else one character earlier when the token before is a rare, noun-like
    single character that jieba split off the name (淋山河卫生院; not 祁县镇|忠陈村:
    a place suffix or numeral stays outside). Cutting such a name would leave
    part of the real name beside its pseudonym."""
    framed = _after_admin_level(spans, j)
    if framed is not None:
        return framed
    if j > 0:
        w, f, s, _ = spans[j - 1]
        if (
            len(w) == 1
            and f in _LEFT_CHAR_FLAGS
            and _ALL_CJK_RE.match(w)
            and w not in cues.place_suffixes
            and w not in _NUMERAL_CHARS
            and (freq.get(w) or 0) < _LEFT_CHAR_MAX_FREQ
        ):
            return s
    return spans[j][2]


# An administrative level written alone before a smaller unit's name (县上车湾镇:
# the county's town 上车湾镇) marks where that name starts, whatever jieba made
# of the characters between (上车 "get on a bus" is a word of its own).
_ADMIN_LEVELS = frozenset("省市县区州旗盟")
_NOT_IN_NAME = frozenset("的了在里和与及或到是个这那从向往去进就都也还又把被给对为以着过吗呢吧啊")


def _after_admin_level(spans, j: int, max_chars: int = 3) -> int | None:
    """Start of the name whose chain begins at ``spans[j]`` when at most
    ``max_chars`` CJK characters, none a function character, separate it from a
    single-character administrative level (县, 市 …) before it; else None."""
    k, n_chars = j - 1, 0
    while k >= 0 and spans[k][0] not in _ADMIN_LEVELS:
        w = spans[k][0]
        n_chars += len(w)
        if n_chars > max_chars or not _ALL_CJK_RE.match(w) or any(c in _NOT_IN_NAME for c in w):
            return None
        k -= 1
    if k < 0 or k == j - 1:
        return None
    return spans[k + 1][2]


_SUFFIX_SCAN_RE = re.compile(r"社区|街道|[乡镇村县屯寨组]")
# ordinary words a place suffix sits inside
_SUFFIX_WORDS = frozenset(
    {
        "农村",
        "乡村",
        "山村",
        "村民",
        "村庄",
        "村子",
        "村里",
        "村落",
        "渔村",
        "乡镇",
        "城镇",
        "城乡",
        "乡下",
        "家乡",
        "故乡",
        "老乡",
        "县城",
        "城区",
        "社区",
        "小组",
        "组织",
        "组长",
        "组成",
        "小区",
        "地区",
        "山区",
    }
)
# ordinary words a place suffix opens (当|乡村|医生): no place ends before them
_SUFFIX_START_WORDS = frozenset({"乡村", "乡下", "乡土"})


def _landform_rest(text: str, k: int, after: int, stop: int) -> bool:
    """Would dropping the word ``text[k:after]`` at a name's front leave a single landform character
    before the suffix (打鼓|坪村, 打鼓|坪初级中学), the run starting where a clause does? Then the word is the
    name's own (a verb or a noun: 打鼓坪), as 坪村 names no place."""
    return (
        stop - after == 1
        and after - k >= 2  # a word, not a measure word (１０个|岗区)
        and _ALL_CJK_RE.match(text[k:after]) is not None
        and not any(c in _NUMERAL_CHARS for c in text[k:after])
        and text[after] in _LANDFORM_CHARS
        and (k == 0 or not _ALL_CJK_RE.match(text[k - 1]))
    )


_SCAN_STOP = _PLACE_STOP | frozenset(
    "自扶帮助送给叫让请对向与并等或及其同刚才正已曾将要会能可很最太更只先再便却读念考升"
)
_ADMIN_CHARS = frozenset("省市县区州旗盟乡镇")
_NON_NAME_POS = ("v", "d", "p", "c", "r", "m", "q", "u", "f", "t")


def _suffix_places(text: str, spans, cues: EntityCues, freq: dict, already: list[_Hit] = ()) -> list[_Hit]:
    """Places found character by character, whatever jieba made of a rare
    name (苦|竹乡, 杉木|坪|村上|寨|组可): at a place suffix, the name is the
    run of up to four characters before it, ending at a function word, a
    verb, punctuation, a numeral or the administrative level written before
    it (云岫县|苦竹乡); a village's group after it belongs to it."""
    out = []
    spans = _as_spans(spans)
    tok_at = {s: (w, f) for w, f, s, _ in spans}
    # a place the tokens found is trusted when jieba knows its last word (湛江市, 江西|萍乡);
    # a rare last word (苦|竹乡) may hide the start of the name
    covered = {
        h.end
        for h in already
        if h.type == "place"
        and any(f.startswith(("ns", "nr")) or s > h.start for w, f, s, e in spans.by_end.get(h.end, ()))
    }
    for m in _SUFFIX_SCAN_RE.finditer(text):
        p, e = m.start(), m.end()
        if e in covered or (
            (t := spans.covering(p)) is not None and (t[0] in cues.not_places or t[0] in _SUFFIX_WORDS)
        ):
            continue  # found already, or the suffix belongs to an ordinary word (地处|农村, 村民小组)
        if any(t[0] in _SUFFIX_START_WORDS for t in spans.by_start.get(p, ())):
            continue  # 梅秀英当|乡村|医生: the suffix opens an ordinary word
        k = p
        while k > 0 and p - k < 4:
            c = text[k - 1]
            if not _ALL_CJK_RE.match(c) or c in _SCAN_STOP or c in _ADMIN_CHARS or c in _NUMERAL_CHARS:
                break
            k -= 1
        # a table's cell that starts with 老, 新 or 旧 and a rare noun of it (5　老鸦屯　第五婷): the name's start
        if 0 < k < p and text[k - 1] in "老新旧" and (k == 1 or not _ALL_CJK_RE.match(text[k - 2])):
            w, f = tok_at.get(k - 1, ("", ""))
            if 2 <= len(w) <= p - k + 1 and f.startswith("n") and (freq.get(w) or 0) < 500:
                k -= 1
        # drop ordinary words jieba sees at the front of the run (帮扶|杉木坪, 来到|…)
        checked = k
        while k < p:
            w, f = tok_at.get(k, ("", ""))
            if w and k + len(w) <= p and f.startswith(_NON_NAME_POS) and (freq.get(w) or 0) >= 100:
                if _landform_rest(text, k, k + len(w), p):
                    checked = k + len(w)  # 打鼓坪村: the word stays, the rest is checked
                    break
                k += len(w)
            else:
                break
        checked = max(checked, k)
        name = text[k:p]
        if not name or _starts_inside_word(spans, k, freq) or not _name_tokens_ok(spans, checked, p, freq):
            continue  # 自|然村, 村|民小组: the run starts inside a word; 牵手|县: no name
        if m.group(0) == "组" and (
            len(name) < 2 or (freq.get(name + "组") or 0) > 0 or name in ("小", "本", "每", "各")
        ):
            continue  # 小组, 合唱组: a group of people, not of a village
        place = text[k:e]
        if (
            place in cues.not_places
            or (freq.get(place) or 0) >= COMMON_WORD_FREQ
            and not _token_tag(spans, k, e, "ns")
            or (freq.get(name) or 0) >= 5000
        ):
            continue
        g = _GROUP_RE.match(text, e)
        end = g.end() if g and m.group(0) != "组" else e
        out.append(
            _Hit(text[k:end], "place", k, end, evidence=f"地名后缀“{m.group(0)}”（逐字）: {_snippet(text, k, end)}")
        )
    return out


_ORG_SCAN_STOP = (_SCAN_STOP - frozenset("乡镇村")) | frozenset("县市区省州")
_SCHOOL_LIKE_SUFFIXES = frozenset(
    {
        "小学",
        "中学",
        "中心小学",
        "完小",
        "村小",
        "学校",
        "幼儿园",
        "卫生院",
        "医院",
        "派出所",
        "少年宫",
        "福利院",
        "九年一贯制学校",
        "教学点",
        "中心校",
        "希望小学",
        "初级中学",
        "高级中学",
    }
)


def _suffix_orgs(text: str, spans, cues: EntityCues, freq: dict, already: list[_Hit] = ()) -> list[_Hit]:
    """Schools and other institutions found character by character: at an
    institution's suffix (小学, 幼儿园 …), the name is the run of up to eight
    characters before it — a place written inside it included (柘塘乡明德小学,
    杉木坪小学) — ending at a function word, a verb or punctuation."""
    out = []
    tok_at = {s: (w, f) for w, f, s, _ in spans}
    # an institution the tokens found is trusted where its name starts at a natural boundary
    covered = {
        h.end
        for h in already
        if h.type == "organisation"
        and (h.start == 0 or not _ALL_CJK_RE.match(text[h.start - 1]) or text[h.start - 1] in _ORG_SCAN_STOP)
    }
    for m in cues.org_suffix_re.finditer(text):
        p, e = m.start(), m.end()
        if e in covered:
            continue
        k = p
        while k > 0 and p - k < 8:
            c = text[k - 1]
            if not _ALL_CJK_RE.match(c) or c in _ORG_SCAN_STOP:
                break
            k -= 1
        checked = k
        while k < p:
            w, f = tok_at.get(k, ("", ""))
            if w and k + len(w) <= p and f.startswith(_NON_NAME_POS) and (freq.get(w) or 0) >= 100:
                if _landform_rest(text, k, k + len(w), p):
                    checked = k + len(w)  # 打鼓坪初级中学: the word stays, the rest is checked
                    break
                k += len(w)
            else:
                break
        checked = max(checked, k)
        name = text[k:p]
        stem_end = _before_joiners(spans, k, p, cues)
        if (
            len(name) < 2
            or stem_end - k < 2
            or _starts_inside_word(spans, k, freq)
            or text[k:e] in cues.not_orgs
            or name in cues.not_orgs
            or not _name_tokens_ok(spans, checked, stem_end, freq)
        ):
            continue  # 刚读小学, 四面八方学校: no name before the suffix
        if all(
            (freq.get(w) or 0) >= 1000 and not f.startswith(("ns", "nr", "nz"))
            for w, f, s, t in _as_spans(spans).overlapping(k, p)
            if k <= s and t <= p
        ):
            continue  # 乡村小学, 中心学校: kinds of school, not names
        out.append(
            _Hit(text[k:e], "organisation", k, e, evidence=f"机构后缀“{m.group(0)}”（逐字）: {_snippet(text, k, e)}")
        )
    return out


def _before_joiners(spans, start: int, end: int, cues: EntityCues) -> int:
    """Where the name before an institution's suffix ends once the words joining it to the suffix
    (``org_joiners``: 寄宿制, 中心, 实验) are left off: 青冈坝|寄宿制|小学 → 青冈坝."""
    spans = _as_spans(spans)
    while end > start:
        t = next((t for t in spans.by_end.get(end, ()) if t[2] >= start and t[0] in cues.org_joiners), None)
        if t is None:
            break
        end = t[2]
    return end


def _name_tokens_ok(spans, start: int, end: int, freq: dict) -> bool:
    """Do jieba's tokens between ``start`` and ``end`` read as (part of) a
    proper name? Words jieba tags as names or places, rare words and single
    characters do; an ordinary verb, idiom or function word does not
    (牵手|县, 刚|读|小学, 四面八方|学校, 半封闭|式|学校)."""
    for w, f, s, e in _as_spans(spans).overlapping(start, end):
        if f.startswith(("ns", "nr", "nz", "nt")) or f in ("j", "ng", "g"):
            continue
        if f == "s" and s > start and w[-1] in _LANDFORM_CHARS:
            continue  # 岩|门口|村: a locative word ending in a landform character, after the name's first character
        if len(w) == 1:
            # a landform character is a place name's, whatever jieba tags it (箐|口/q|寨, 渡|口)
            if f[:1] in ("d", "p", "c", "u", "r", "m", "q", "f", "k") and w not in _LANDFORM_CHARS:
                return False
            continue
        if (
            f[:1] in ("v", "d", "p", "c", "r", "m", "q", "u", "f", "i", "l", "b", "z", "t")
            or (freq.get(w) or 0) >= 1000
        ):
            return False
    return True


def _starts_inside_word(spans, at: int, freq: dict) -> bool:
    """Does a dictionary word (any frequency) run across offset ``at``?"""
    t = _as_spans(spans).covering(at)
    return t is not None and (freq.get(t[0]) or 0) > 0


def _token_tag(spans, start: int, end: int, tag: str) -> bool:
    return any(e == end and f.startswith(tag) for _, f, _, e in _as_spans(spans).by_start.get(start, ()))


def _places_and_orgs(text: str, spans, cues: EntityCues, freq: dict | None = None) -> list[_Hit]:
    hits: list[_Hit] = []
    freq = get_tokenizer().FREQ if freq is None else freq
    sfx = cues.place_suffixes

    def chain_left(i: int, limit: int = 6, multi: bool = False) -> int:
        """Index of the first name-like token in the run ending before token i
        (a single character that is no function word counts: 坳|背|村)."""
        j = i
        while j > 0:
            w, f, _, _ = spans[j - 1]
            # before 社区/街道 a name may be an ordinary noun or adjective (幸福社区, 红枫社区)
            noun = (
                multi
                and (f[:1] in ("n", "a") or f in ("j", "ng"))
                and _ALL_CJK_RE.match(w)
                and not (set(w) & _PLACE_STOP)
                and w not in cues.not_places
                and w not in cues.not_orgs
            )
            # a village name is often a noun and a landform (乌桕|坪村, 杉木|坪)
            geo_noun = (
                spans[j][0][:1] in _LANDFORM_CHARS
                and f[:1] == "n"
                and len(w) >= 2
                and _ALL_CJK_RE.match(w)
                and not (set(w) & _PLACE_STOP)
                and w not in cues.not_places
            )
            if (
                not (_name_like(w, f, cues, freq) or noun or geo_noun)
                or w[-1] in sfx
                or (spans[i][2] - spans[j - 1][2]) > limit
            ):
                break
            j -= 1
        return j

    def with_group(place_end: int) -> int:
        """A village's group written after it (龙溪村七组) is part of the place."""
        m = _GROUP_RE.match(text, place_end)
        return m.end() if m else place_end

    for i, (w, f, s, e) in enumerate(spans):
        if PLACEHOLDER in w:
            continue
        # places ---------------------------------------------------------
        if len(w) >= 2 and w[-1] in sfx and f[:1] != "v" and _place_word(w, f, cues, freq):
            j = chain_left(i)
            start = _name_start(spans, j, cues, freq)
            if j == i and e - start == 2 and i > 0 and _landform_rest(text, spans[i - 1][2], start, e - 1):
                start = spans[i - 1][2]  # 打鼓|坪村: a landform alone names no place, the word before is the name's
            place = text[start:e]
            if place not in cues.not_places:
                end = with_group(e)
                hits.append(
                    _Hit(
                        text[start:end],
                        "place",
                        start,
                        end,
                        evidence=f"地名后缀“{w[-1]}”: {_snippet(text, start, end)}",
                    )
                )
        elif (w[:1] in sfx and i > 0 and (len(w) == 1 or w[1:] in {"党委", "政府", "委", "委会", "人民政府"})) or (
            w in _MULTI_SUFFIXES and i > 0
        ):
            j = chain_left(i, multi=w in _MULTI_SUFFIXES)
            if j < i:
                start = _name_start(spans, j, cues, freq)
                stop = s + (len(w) if w in _MULTI_SUFFIXES else 1)
                place = text[start:stop]
                if place not in cues.not_places:
                    end = with_group(stop)
                    hits.append(
                        _Hit(
                            text[start:end],
                            "place",
                            start,
                            end,
                            evidence=f"名称+“{text[s:stop]}”: {_snippet(text, start, end)}",
                        )
                    )
        elif (f.startswith("ns") and w in cues.gazetteer) or w in public_places():
            # provinces and big cities where parents work: geography, not an identifying place
            hits.append(_Hit(w, "place", s, e, role="public", weight=1.0, evidence=f"地名表: {_snippet(text, s, e)}"))
        # organisations --------------------------------------------------
        suffix = next((x for x in cues.org_suffixes if w.endswith(x)), None) if w.endswith(cues.org_suffixes) else None
        if suffix is not None:
            head = w[: len(w) - len(suffix)]
            if head:  # one token such as 钟坪小学
                if PLACEHOLDER not in head and _name_like(head, "x", cues, freq):
                    start = _name_start(spans, i, cues, freq)
                    hits.append(
                        _Hit(
                            text[start:e],
                            "organisation",
                            start,
                            e,
                            evidence=f"机构后缀“{suffix}”: {_snippet(text, start, e)}",
                        )
                    )
                continue
            j = i
            joiners = 0
            while j > 0 and spans[j - 1][0] in cues.org_joiners and joiners < 2:
                j -= 1
                joiners += 1
            k = j
            while k > 0:
                pw, pf, _, _ = spans[k - 1]
                # a village name is often a noun and a landform (鹞子|岩, 杉木|坪): the noun counts before one
                geo_noun = (
                    k < j
                    and spans[k][0] in _LANDFORM_CHARS
                    and pf[:1] == "n"
                    and len(pw) >= 2
                    and _ALL_CJK_RE.match(pw)
                    and pw not in cues.not_orgs
                    and pw not in cues.not_places
                )
                if (
                    PLACEHOLDER in pw
                    or not (
                        _name_like(pw, pf, cues, freq)
                        or geo_noun
                        or (len(pw) >= 2 and pw[-1] in sfx and pw not in cues.not_places)
                    )
                    # jieba's odd token 了乡 of 送到了乡卫生院: a particle opens no name
                    or (len(pw) >= 2 and pw[0] in "的了着过" and not pf.startswith(("nr", "ns")))
                ):
                    break
                if s - spans[k - 1][2] > 8:
                    break
                k -= 1
            if k < j:
                start = _name_start(spans, k, cues, freq)
                hits.append(
                    _Hit(
                        text[start:e],
                        "organisation",
                        start,
                        e,
                        evidence=f"机构后缀“{suffix}”: {_snippet(text, start, e)}",
                    )
                )
        elif f == "nt" and len(w) >= 4 and w not in cues.not_orgs and not _PEOPLE_GROUP_RE.search(w):
            hits.append(_Hit(w, "organisation", s, e, evidence=f"jieba nt: {_snippet(text, s, e)}"))
    hits.extend(_suffix_places(text, spans, cues, freq, hits))
    hits.extend(_suffix_orgs(text, spans, cues, freq, hits))
    # a place's or a body's name holds no space: a table's cells (卢家福 蚂蟥塘村) are apart
    for h in hits:
        if h.type in ("place", "organisation") and (cut := max(h.text.rfind(" "), h.text.rfind("\u3000"))) >= 0:
            h.start += cut + 1
            h.text = h.text[cut + 1 :]
    hits = [h for h in hits if len(h.text) >= 2]
    # a province or a prefecture-level city found by its suffix (广州, 恩施州) is geography, not an identifying place
    public = public_places()
    for h in hits:
        if (h.type == "place" and not h.role and h.text in public) or _named_after_public_figure(h, cues):
            h.role, h.weight = "public", max(h.weight, 1.0)
    # 党和政府, 学校和家庭: a conjunction joins two generic nouns, it names nothing; 镇政府和县教育局: 和 joins
    # two bodies, and 和县 is no county there
    return [
        h
        for h in hits
        if h.text not in cues.not_orgs
        and h.text not in cues.not_places
        and not _each_kind(h.text, cues)
        and not (h.type == "organisation" and _JOINED_RE.search(h.text))
        and not (h.type == "place" and _conjunction_place(text, h.start, h.end))
    ]


# "each", "this": before a kind of place (各乡镇, 该乡镇中心学校) it names no place
_EACH_CHARS = frozenset("各每该")


def _each_kind(name: str, cues: EntityCues) -> bool:
    """Is ``name`` "each" and a kind of place (各乡镇, 各乡镇中心学校: a notice's addressees), no name?"""
    return name[:1] in _EACH_CHARS and (name[1:3] in cues.not_places or name[1:4] in cues.not_places)


def _conjunction_place(text: str, start: int, end: int) -> bool:
    """A conjunction and a place suffix (和县, 与镇) between a body before it and a body after it."""
    return (
        end - start == 2
        and text[start] in "和与及同跟"
        and start > 0
        and bool(_BODY_END_RE.search(text, 0, start))
        and bool(_BODY_START_RE.match(text, end))
    )


_BODY_END_RE = re.compile(r"(政府|党委|委员会|人大|政协|局|委|办|所|站|中心|学校|小学|中学|院)$")
_BODY_START_RE = re.compile(r"(教育局|政府|党委|委|人大|政协|[^，。、]{0,4}局|妇联|团委|民政|教育|财政|卫健|公安|有关)")


# the last character of many village names: a landform (鹞子岩, 杉木坪, 桐子坳, 杉树湾)
_LANDFORM_CHARS = frozenset("岩坪湾坳坝沟岭垭冲塘溪河山坡坎岗洼庄堡桥口滩洲渡峪谷林峰坨墩埠岔")
_SCHOOL_SUFFIX_RE = re.compile(
    # with the kind of school written before it (青冈坝寄宿制小学 → 青冈坝)
    r"(?:寄宿制|民族|实验)?"
    r"(中心小学|希望小学|完全小学|小学|中学|学校|中心校|完小|村小|幼儿园|教学点|[一二三四五六七八九十]中)$"
)
_GROUP_PLACE_RE = re.compile(r"^(?P<village>.{2,}?[村寨屯])(?P<group>[\u4e00-\u9fff]{2,4}组)$")


def place_stems(name: str) -> list[str]:
    """Shorter names a text may use for a place or a village school: 坳背 for
    坳背村, 杉木坪 for 苦竹乡杉木坪小学, 枫树组 and 马家岭村 for 马家岭村枫树组."""
    out = []
    m = _GROUP_PLACE_RE.match(name)
    if m:
        out += [m.group("group"), m.group("village")]
        name = m.group("village")
    school = _SCHOOL_SUFFIX_RE.search(name)
    if school:
        # the county, town and village before the school's kind: 苦竹乡杉木坪小学 → 苦竹乡, 苦竹, 杉木坪
        for part in re.findall(r"[^省市县区镇乡]+[省市县区镇乡]?", name[: school.start()]):
            out.append(part)
            if part[-1] in "省市县区镇乡" and len(part) >= 3:
                out.append(part[:-1])
        return [x for x in dict.fromkeys(out) if len(x) >= 2]
    if name.endswith(("村", "镇", "乡", "社区", "屯", "寨")):
        out.append(name[: -2 if name.endswith("社区") else -1])
    elif name.endswith("组") and len(name) >= 4 and name[-2] in _LANDFORM_CHARS | _HAMLET_END_CHARS:
        out.append(name[:-1])  # a village group called by its hamlet's name (茶树垭 of 茶树垭组; not 第三组)
    return out


def _continues_name(text: str, at: int, cues: EntityCues, freq: dict) -> bool:
    """Would the character at ``at`` extend the name before it (向雨|萱)? Not a verb with its aspect
    particle (妻子年秀芬|拎着, 公孙明|开了: :func:`_verb_with_aspect`)."""
    if at >= len(text) or not _ALL_CJK_RE.match(text[at]) or text[at] in cues.given_stop:
        return False
    return not _word_starts(text, at, freq) and not _verb_with_aspect(text, at)


def _verb_with_aspect(text: str, at: int) -> bool:
    """Is ``text[at]`` a one-character verb followed by an aspect particle (拎|着, 开|了, 去|过)? Then it
    is what the person does, no given name's last character."""
    return text[at + 1 : at + 2] in ("着", "了", "过") and word_tag(text[at : at + 1]).startswith("v")


def _word_starts(text: str, at: int, freq: dict) -> bool:
    """Does a common two- or three-character word start at ``at`` (杨国富|约定)?"""
    return any((freq.get(text[at : at + k]) or 0) >= 100 for k in (2, 3) if at + k <= len(text))


def _word_token_at(spans, at: int, freq: dict) -> bool:
    """Does jieba read a verb of two characters or more from ``at`` on (村主任敖建新|结对: 结对 is rarer than
    :func:`_word_starts` asks, but jieba's own reading ends the name there; not a noun: 医生任|中医|急诊室)?"""
    return any(
        e - s >= 2 and (freq.get(w) or 0) > 0 and f.startswith("v") and w[0] not in "的了着过"
        for w, f, s, e in _as_spans(spans).by_start.get(at, ())
    )


# A name needs less evidence from the name model where the text leaves a slot for one:
# after these characters, or before what follows names (说, 的, 同学 …).
_NAME_LEFT = frozenset("和与跟同叫是的、，：:“（(给让请对把被帮陪带教问找")
_NAME_RIGHT_RE = re.compile(
    r"(说|的|和|与|跟|、|，|。|！|？|：|同学|今年|也|都|是|在|每|从|最|才|刚|就|又|还|被|把|给|对|向|读|上|家|一|\s|$)"
)
_CONJUNCTION_SURNAMES = frozenset("和与同跟")


@functools.lru_cache(maxsize=4096)
def pinyin_word(word: str) -> bool:
    """Is ``word`` (Latin letters) one to four toneless pinyin syllables and no common English word
    (Mengmeng, Xiaoyu; not Apple, here)? A pet name a cue finds in Latin letters must be one."""
    from analysis.ingest.pagechrome import pinyin_syllables
    from analysis.resources import load_lines

    w = word.lower()
    if not w.isascii() or not w.isalpha() or w in {x.strip().lower() for x in load_lines("romanised_english.txt")}:
        return False
    syl = pinyin_syllables()
    parts = {0: 0}  # end offset -> fewest syllables that reach it
    for i in range(len(w)):
        if i in parts:
            for j in range(i + 1, min(len(w), i + 6) + 1):
                if w[i:j] in syl and parts[i] + 1 <= 4:
                    parts[j] = min(parts.get(j, 9), parts[i] + 1)
    return len(w) in parts


def _joins_a_nickname(name: str) -> bool:
    """和甜甜 in 奶奶和甜甜: a conjunction before a nickname's shape, no surname."""
    return name[:1] in _CONJUNCTION_SURNAMES and bool(_NICK_SHAPE_RE.match(name[1:]))


# what a person opening a clause says or asks (饶小鱼说汤太咸): no verb and its object before it
_SPEECH_AFTER_RE = re.compile(r"(?:说|问|喊|告诉|笑着说|小声说|大声说)(?![起来明服法话书得完题候])")
MODEL_MIN_SCORE = 1.0  # a surname + given name the model finds name-like, anywhere
# jieba's count from which a two-character word it does not tag as a person (毛豆 10, 车胎, 农膜) is that word
# to the model, not a surname and a given name (the dictionary holds a few names, 文林 3, 许群 4, as rarer words)
MODEL_WORD_FREQ = 5
LOCATIVE_AFTER = "里"  # after a model's guess, the thing it names is a place to be in (叶子堆里)
MODEL_MIN_SCORE_IN_SLOT = 0.3  # … in a slot for a name


# surnames that are prepositions too: a slot after a verb (手指|向|远方，) is no name's slot
_PREPOSITION_SURNAMES = frozenset("向于和同连从跟朝往")
RARE_SURNAME_FREQ = 60  # jieba's count for a surname (禤 0, 覃 37, 诸葛 …) that no ordinary word uses
RARE_SURNAME_MIN_SCORE = -1.0  # … so any given name after it will do, short of a word it cuts


def _rare_surname(sur: str, cues: EntityCues, freq: dict) -> bool:
    """A surname that is hardly ever anything else (禤, 覃; a compound one: 诸葛, 欧阳), not one of
    the ambiguous ones (向, 和; 东方, 长孙)."""
    if len(sur) > 1:
        return sur not in cues.ambiguous_compounds
    return sur not in cues.ambiguous_surnames and (freq.get(sur) or 0) < RARE_SURNAME_FREQ


def _ordinary_word(word: str, sur: str) -> bool:
    """A dictionary word that starts with a surname character but whose rest is a
    common word (高素质, 高水平): no name, whatever tag jieba gives it."""
    freq = get_tokenizer().FREQ
    return len(word) > len(sur) + 1 and bool(freq.get(word)) and (freq.get(word[len(sur) :]) or 0) >= 500


# what a one-character token cannot be to end a name in a cell (王明|哭, 李华|也, 张伟|的)
_NOT_CELL_END_TAGS = ("v", "d", "p", "u", "y", "c", "r", "m", "q", "f", "e", "o", "x")


def _cell_last_char(text: str, at: int, starts) -> bool:
    """Is the character at ``at`` a one-character token that a space, a bracket or the text's end closes
    (廖梓|航 then a space in a start list), and no verb, adverb or particle? Then jieba's two-character
    name before it leaves a three-character name's last character out."""
    if at >= len(text) or not _ALL_CJK_RE.match(text[at]):
        return False
    if at + 1 < len(text) and not re.match(r"[ \u3000\t（(]", text[at + 1]):
        return False
    toks = starts.get(at, ())
    return bool(toks) and all(e == at + 1 and not f.startswith(_NOT_CELL_END_TAGS) for _, f, _, e in toks)


@functools.lru_cache(maxsize=8)
def _public_figures_automaton(names: tuple[str, ...]):
    return _automaton(names)


def _public_figures_in(text: str, cues: EntityCues) -> set[str]:
    """The public figures of the cues that occur in ``text`` (one pass, not a search per name)."""
    return _present(_public_figures_automaton(cues.public_figures), text)


def _model_names(text: str, spans, cues: EntityCues, freq: dict) -> list[_Hit]:
    """Names without a cue: a surname where a word starts, followed by one
    or two characters that read as a given name (:mod:`analysis.methods.namemodel`),
    the whole no dictionary word and cutting none (和欣悦与江浩然合唱, 方子睿).
    Weak evidence (role decided elsewhere, else a child's)."""
    from analysis.methods import namemodel
    from analysis.ingest.segment import word_tag

    spans = _as_spans(spans)
    starts = spans.by_start
    tokens = {(s, e) for *_, s, e in spans}
    inside_rare = {i for w, _, s, e in spans if not freq.get(w) for i in range(s + 1, e)}
    # (a public figure's name is theirs: 司马光砸缸 holds no child's name)
    named = _public_figures_in(text, cues)
    famous = {
        k for name in cues.public_figures if name in named for a, b in _literal_spans(name, text) for k in range(a, b)
    }
    out = []
    for i, ch in enumerate(text):
        if ch not in cues.surnames and text[i : i + 2] not in cues.compound_set:
            continue
        if ch in cues.cue_only_surnames and text[i : i + 2] not in cues.compound_set:
            continue  # 那桃子, 要过小溪的孩子: a demonstrative or a particle
        if i in famous:
            continue
        if i not in starts and i not in inside_rare:
            continue
        sur = surname_of(text[i : i + 4], cues) or ch
        rare = _rare_surname(sur, cues, freq)
        g0 = i + len(sur)
        nr_two = any(e == g0 + 1 and f.startswith("nr") for _, f, _, e in starts.get(i, ()))
        # jieba read 胡亮 as a name: 胡亮|紫胀, not 胡亮紫 (but 谈牧之, a classical given name: :func:`_zhi_given`)
        if nr_two and _zhi_given(text[g0 : g0 + 2], cues):
            nr_two = False
        if nr_two and _cell_last_char(text, g0 + 1, starts):
            nr_two = False  # 廖梓|航　（其余见第6页）: a table cell ends after the third character, which is the name's
        for k in (1, 2) if nr_two else (2, 1):
            given = text[g0 : g0 + k]
            name = sur + given
            stop = g0 + k
            if len(given) < k or not _ALL_CJK_RE.match(given):
                continue
            # 谈牧之 closed by a bracket or a comma, or before 的 or 说 (not 王明之所以, 李明之后)
            zhi = _zhi_given(given, cues) and bool(re.match(r"$|[^\u4e00-\u9fff]|的|说", text[stop : stop + 1]))
            # (之 closing a classical given name says nothing either way: the name reads as its first character)
            score = namemodel.name_score(sur, given[:1] if zhi and k == 2 else given)
            slot = (i > 0 and text[i - 1] in _NAME_LEFT) or bool(_NAME_RIGHT_RE.match(text, stop))
            speaker = (i == 0 or text[i - 1] in _CLAUSE_START_CHARS) and bool(_SPEECH_AFTER_RE.match(text, stop))
            bar = (
                RARE_SURNAME_MIN_SCORE
                if rare
                # a clause's speaker by a surname and 小 and a character (饶小鱼说): children are named so, where
                # the model reads 小 as no given name's
                or (
                    speaker
                    and k == 2
                    and given[0] == "小"
                    and sur not in cues.ambiguous_surnames
                    and given not in cues.not_nicknames
                )
                else MODEL_MIN_SCORE_IN_SLOT
                if slot and sur not in _PREPOSITION_SURNAMES
                else MODEL_MIN_SCORE
            )
            if score < bar and not (k == 2 and (len(sur) == 2 or given[0] == given[1])):
                continue  # below its bar, and none of the shapes that need no score: no costlier check can help
            if (
                (stops_given(given, cues) and not zhi)
                or (freq.get(name) or 0) >= NAME_DICT_MAX_FREQ
                # 奶奶种的毛豆: a two-character dictionary word jieba does not tag as a person is that word where
                # it follows another word (a clause may still open with a pet name: 。毛豆今天把午饭省下)
                or (
                    k == 1
                    and i > 0
                    and _ALL_CJK_RE.match(text[i - 1])
                    and (freq.get(name) or 0) >= MODEL_WORD_FREQ
                    and not word_tag(name).startswith("nr")
                )
                or not is_plausible_name(
                    name,
                    cues,
                    named=zhi,
                    speaker=speaker,
                )
                or cues.not_person_before.match(text[stop:])
                or adverb_ends_name(text, i, stop, cues, spans)
            ):
                continue
            if k == 2 and any(len(w := text[g0 + 1 : g0 + 1 + n]) == n and freq.get(w) for n in (2, 3)):
                continue  # 胡亮|紫胀: the second character starts a word of its own (a word, not a line's last character)
            if k == 2 and _verb_with_aspect(text, g0 + 1):
                continue  # 公孙明|开了: a verb and its aspect particle, no given name's end
            if k == 2 and text[stop : stop + 1] == given[-1] and (stop, stop + 1) in tokens:
                continue  # 艾草粑|粑: the last character doubled right after is a reduplicated word (粑粑), no name's end
            if k == 2 and _instrument_then_verb(text, i, stop):
                continue  # 用柏枝|熏的: what a thing is done with, then the verb, no given name's end
            if k == 2 and _common_word(sur + given[0], 500):
                continue  # 何必|守着: the surname and the next character are a word
            if (
                k == 2
                and given[-1] in "才刚已就都也还"
                and re.match(r"[\d一二两三四五六七八九十]", text[stop : stop + 1])
            ):
                continue  # 毛毛才|四岁: an adverb before an age, no given name's end
            if sur in _CONJUNCTION_SURNAMES and not (
                (i == 0 or text[i - 1] in "，。；：！？“（(、 ")
                and re.match(r"[与和、同跟说的]", text[stop : stop + 1])
            ):
                continue  # 我和小明: a conjunction, unless the text can only read it as a surname
            if _splits_word(spans, stop, stop, freq) and not _NAME_RIGHT_RE.match(text, stop):
                continue
            if any(e0 > stop and _ordinary_word(w, sur) for w, _, _, e0 in starts.get(i, ())):
                continue  # 高素|质: the start of a word (surname + 素质) that the dictionary holds
            if k == 1 and i > 0 and text[i - 1] in "小大老":
                continue  # 小黄狗, 老黄牛: an adjective, a colour and a noun
            if text[stop : stop + 1] == LOCATIVE_AFTER:
                continue  # 落在叶子堆里: what something lies in, no person
            if (
                k == 2
                and len(sur) == 2
                and sur not in cues.ambiguous_compounds
                and (_NAME_RIGHT_RE.match(text, stop) or text[stop : stop + 1] in ("（", "("))
            ):
                # a compound surname (万俟, 公孙) hardly ever is anything else, and takes two given characters as
                # often as one: the longer reading, where what follows a name follows (万俟朗月说, 万俟朗月（五年级）)
                out.append(_Hit(name, "person", i, stop, "", 0.0, f"复姓+名: {_snippet(text, i, stop)}"))
                break
            if (
                k == 2
                and given[0] == given[1]
                and len(sur) == 1
                and sur not in cues.ambiguous_surnames
                and i > 0
                and text[i - 1] in _NAME_LEFT
                and (i < 2 or text[i - 2] not in "小大老")
                and text[stop : stop + 1] not in ("的", "地")
                and not freq.get(name)
                and (freq.get(given) or 0) < 500
                and not any(t.startswith("d") for _, t in pos_tag(given))
            ):
                # a surname and a doubled given name that is a word as well (，喻暖暖最早到; 晋多多), where
                # a name starts: children are named so; no adverb (老刘慢慢地走, 天天, 久久) nor an
                # adjective's ABB (黄澄澄的)
                out.append(_Hit(name, "person", i, stop, "", 0.0, f"姓+叠字名: {_snippet(text, i, stop)}"))
                break
            if score >= bar:
                out.append(_Hit(name, "person", i, stop, "", 0.0, f"姓名模型 {score:.2f}: {_snippet(text, i, stop)}"))
                break
    return out


def _dictionary_non_name(word: str, flag: str, sur: str, freq: dict) -> bool:
    """Is ``word`` a two-character jieba dictionary word it tags ``nr`` (not ``nrt``, a transliterated name: 莫伊,
    韦拉) whose second character the name model reads as far rarer in given names than in running text (艾草 -0.78,
    贺岁, 涂黑, 代顿)? Then it is the word, no surname and given name."""
    from analysis.methods import namemodel

    return (
        len(word) == 2
        and len(sur) == 1
        and flag == "nr"
        and bool(freq.get(word))
        and namemodel.name_score(sur, word[1:]) < DICT_NR_MIN_SCORE
    )


_PLANT_ENDS = frozenset("花草")


def _dictionary_plant(word: str, freq: dict) -> bool:
    """Is ``word`` a three-character jieba dictionary word ending in 花 or 草 (凤仙花, 金银花)? A plant, however
    jieba tags it: a child called 春花 is 李春花, no dictionary word."""
    return len(word) == 3 and word[-1] in _PLANT_ENDS and bool(freq.get(word))


def _instrument_then_verb(text: str, start: int, stop: int) -> bool:
    """Is ``text[start:stop]`` (three characters) what 用 or 拿 before it takes, then a one-character verb (用柏枝|熏的,
    拿艾叶|煮水)? Then its last character is the verb, no given name's end."""
    from analysis.ingest.segment import word_tag

    return (
        start > 0
        and text[start - 1] in "用拿"
        and stop - start == 3
        and word_tag(text[stop - 1]).startswith("v")
        and not word_tag(text[stop - 1 : stop + 1]).startswith("v")
    )


def _small_word_start(name: str, cues: EntityCues) -> bool:
    """Is 小 + two characters a 小X word and a character (小声|说, 小脸|红), or 小 before a verb, an
    adjective or an adverb (小|跑步)? Then it is no pet name like 小葡萄 or 小石头."""
    tags = pos_tag(name[1:])
    return name[:2] in cues.not_nicknames or (len(tags) == 1 and tags[0][1][:1] in ("v", "a", "d"))


def _matches(regex: re.Pattern, text: str):
    """Every match of a cue, also one that starts inside the name of the one
    before (记者杨帆通讯员龙小琴: the name pattern's greedy 杨帆通 must not hide
    通讯员龙小琴)."""
    pos = 0
    while pos <= len(text):
        m = regex.search(text, pos)
        if m is None:
            return
        yield m
        pos = (m.start("name") + 1) if "name" in regex.groupindex and m.start("name") >= 0 else m.end()
        pos = max(pos, m.start() + 1)


# the 24 solar terms: words, though jieba's dictionary lacks some (白露, 立春, 小满) and a child may be named after
# one (白露): a guess with no cue that is one is no name where the sentence speaks of solar terms (能说出白露、秋分等
# 节气); and a person named so counts only in the essays that name them (privacy's scope)
CALENDAR_WORDS = frozenset(
    "立春 雨水 惊蛰 春分 清明 谷雨 立夏 小满 芒种 夏至 小暑 大暑 立秋 处暑 白露 秋分 寒露 霜降 立冬 小雪 大雪 冬至 小寒 大寒".split()
)


def _calendar_guesses(sentences: list[str], per_sentence: list[list[_Hit]]) -> None:
    """Drop the cue-less person guesses that are solar terms (:data:`CALENDAR_WORDS`) in a sentence that names
    节气 or another solar term."""
    for sent, hits in zip(sentences, per_sentence):
        terms = [h for h in hits if h.type == "person" and not h.role and h.text in CALENDAR_WORDS]
        if not terms:
            continue
        for h in terms:
            if "节气" in sent or any(w in sent for w in CALENDAR_WORDS if w != h.text):
                hits.remove(h)


# a hit of :func:`_people` that is a dictionary word in a child's slot (九岁的甘露): kept apart from the hits
# until :func:`_word_names` has seen the whole essay
WORD_NAME = "word_name"
# a word this common is no name however many slots it fills
WORD_NAME_MAX_FREQ = 3500


def _word_name_slot(cue: PersonCue, name: str, start: int, stop: int, spans, cues: EntityCues, freq) -> bool:
    """Could ``name``, which a child's cue points at but which is a dictionary word (甘露, 高山), be a
    child's name after all? Two characters, a surname and a given-name character, no word for people
    (孙子, 姐姐), no time word, pronoun or function word to jieba (夏天, 时候), not too common."""
    if cue.role != "child" or cue.weight < 2 or cue.nickname or cue.surname_only or len(name) != 2:
        return False
    if name in cues.not_actors or name in cues.not_names or _KIN_WORD_RE.match(name):
        return False
    if not is_plausible_name(name, cues, strong=True) or (freq.get(name) or 0) > WORD_NAME_MAX_FREQ:
        return False
    sp = _as_spans(spans)
    tags = {t[1] for t in sp.by_start.get(start, ()) if t[3] == stop}
    return bool(tags) and not tags & (_FUNCTION_TAGS | {"n"})  # 金毛, 石头: a plain noun is a thing


# a word the dictionary counts this often after a category noun (留守儿童范文 97, 祝福 327, 叶子 1205) is an
# ordinary word there until a second child cue says otherwise, whatever tag jieba gives it (范文, 叶子: nr)
CATEGORY_WORD_FREQ = NAME_DICT_MAX_FREQ


def _category_word(name: str, cues: EntityCues, freq) -> str:
    """How ``name``, found right after a category noun (留守儿童, 学生, 我家), reads: "name"; "word" for a
    dictionary word (范文, 祝福, 毛豆; 祝福语, whose first two characters are one) that is a name only where a
    second child cue in another sentence says so (:func:`_word_names`); "none" for a word too common to be a
    child's name (文明, 阳光) or a one-character surname and a character that given names avoid (周记, 周|记;
    not 欧阳多).
    A pet name's shape (小雨, 乐乐, 阿宝) reads as a name."""
    from analysis.methods import namemodel
    from analysis.ingest.segment import word_tag

    if _NICK_SHAPE_RE.match(name) and name[:1] in "小阿" or (len(name) == 2 and name[0] == name[1]):
        return "name"
    f = freq.get(name) or 0
    word = (
        f >= CATEGORY_WORD_FREQ
        or (f >= 1 and not word_tag(name).startswith("nr"))
        or (len(name) == 3 and f >= 1 and (freq.get(name[:2]) or 0) >= WORD_START_FREQ)
    )
    if word:
        return "none" if f > WORD_NAME_MAX_FREQ else "word"
    sur = surname_of(name, cues)
    if len(sur) == 1 and len(name) == 2 and namemodel.given_score(name[1:]) <= NOT_GIVEN_CHAR_RATIO:
        return "none"
    return "name"


def _function_surname_word(text: str, start: int, spans, cues: EntityCues, freq) -> bool:
    """Is the name a cue points at, at ``start``, a one-character surname that jieba reads as an adverb or a
    preposition (常, 向, 于) followed by a common word that jieba sees (妈妈常|回家, 爸爸向|前方)? Then it is
    the adverb and the word, whatever the cue."""
    from analysis.ingest.segment import word_tag

    ch = text[start : start + 1]
    if ch not in cues.surnames or text[start : start + 2] in cues.compound_set or word_tag(ch)[:1] not in ("d", "p"):
        return False
    # the word after it as jieba cuts it, or as the dictionary has it where jieba took both as one phrase (常回家)
    return any(
        e - s >= 2 and (freq.get(w) or 0) >= 10 * COMMON_WORD_FREQ for w, _, s, e in spans.by_start.get(start + 1, ())
    ) or (
        len(text[start + 1 : start + 3]) == 2 and (freq.get(text[start + 1 : start + 3]) or 0) >= 10 * COMMON_WORD_FREQ
    )


def _word_names(sentences: list[str], per_sentence: list[list[_Hit]], maybe: list[list[_Hit]]) -> None:
    """A dictionary word that child cues point at in two sentences of one essay (九岁的甘露还唱了一首歌;
    甘露的父母都在外地打工) is that child's name; in one sentence only it may be the word (十岁的夏天)."""
    where: dict[str, set[int]] = defaultdict(set)
    for idx, hits in enumerate(maybe):
        for h in hits:
            where[h.text].add(idx)
    for idx, hits in enumerate(maybe):
        for h in hits:
            if len(where[h.text]) >= 2:
                h.type = "person"
                h.evidence = f"两处儿童线索: {h.evidence}"
                per_sentence[idx].append(h)


# the name model's score under which jieba's guess of a surname and an adjective (蓝白 -0.2) before a noun is no name
JIEBA_NAME_MIN_SCORE = 0.0
# …and of a jieba dictionary word it tags as a person's name (艾草 -0.78, 兰草, 唐装, 丁未): a plant, a garment, a
# date, no name, where the second character is far rarer in given names than in running text
DICT_NR_MIN_SCORE = -0.5


# a modal, a negation or an adverb right before a surname that is a verb too (占, 代, 包): the verb, whose object
# is the title after it (不要占老师的时间, 我来代老师上课, 别包老师的书)
_VERB_SURNAME_BEFORE_RE = re.compile(
    r"(?:不|没|别|要|来|去|会|能|想|得|也|都|又|还|就|再|先|请|帮|替|可以|应该|不能|不要)$"
)


def _speaker_label_before(text: str, at: int, cues: EntityCues) -> bool:
    """Is ``text[:at]`` a surname alone, maybe after a bracket or a speaker mark (佟|书记：, 【汤|老师】)?"""
    head = text[:at].lstrip(" \t\u3000【[「")
    return bool(head) and (head in cues.surnames or head in cues.compound_set)


def _people(text: str, spans, cues: EntityCues, freq: dict | None = None) -> list[_Hit]:
    from analysis.methods import namemodel
    from analysis.ingest.segment import word_tag

    hits: list[_Hit] = []
    freq = get_tokenizer().FREQ if freq is None else freq
    # public figures: list, then the 教育家X说 frame
    named = _public_figures_in(text, cues)
    for name in cues.public_figures:
        if name not in named:  # the regex search below would find nothing
            continue
        for start, end in _literal_spans(name, text):
            hits.append(
                _Hit(
                    name,
                    "person",
                    start,
                    end,
                    "public_figure",
                    10.0,
                    f"名人表: {_snippet(text, start, end)}",
                )
            )
    for m in cues.public_frame.finditer(text):
        hits.append(
            _Hit(
                m.group("name"),
                "person",
                m.start("name"),
                m.end("name"),
                "public_figure",
                6.0,
                f"名人句式: {_snippet(text, m.start('name'), m.end('name'))}",
            )
        )
    # cue patterns
    spans = _as_spans(spans)
    tokens = {(s, e) for *_, s, e in spans}
    for cue in cues.person_cues:
        for m in _matches(cue.regex, text):
            start, end = m.span("name")
            if cue.label_title and _speaker_label_before(text, m.start(), cues):
                continue  # 佟书记：艾草是孩子们采的: a speaker's label, then what is said
            # Longest reading first: 学生王文悦爷爷 → 王文悦, 叫胡亮家门 → 胡亮.
            # With end_check, a reading followed by name_end is taken first;
            # failing that, one that is a single jieba token (班主任周丽每周).
            if (
                not cue.surname_only
                and not cue.nickname
                # (a strong cue's slot, a label, leaves no adverb's reading: 向海洋外公：收到)
                and not cue.strong
                and _function_surname_word(text, start, spans, cues, freq)
            ):
                continue  # 妈妈常回家: an adverb and a verb, no 常 and a given name
            if cue.end_check:
                readings = range(end, start + 1, -1)
                stops = [(stop, "end") for stop in readings] + [(stop, "token") for stop in readings]
            else:  # the pattern itself fixes where the name ends (X同学)
                stops = [(end, "")]
            if cue.surname_only and (
                # a dictionary word or a name the surname ends (谢谢老师, 赖丽华老师); jieba's odd token 了陆
                # (写出了陆爷爷) is neither
                (
                    (t := spans.covering(start)) is not None
                    and t[3] - t[2] >= 2
                    and (freq.get(t[0]) or t[1].startswith("nr"))
                )
                or (
                    (start, m.end("name")) in tokens
                    and _common_word(text[start : m.end("name")], SURNAME_TITLE_WORD_FREQ)
                )
            ):
                continue  # 谢谢老师: the "surname" ends a word; 班主任: surname + title is itself a word (王老师 is rare)
            if (
                cue.surname_only
                and text[start] in cues.ambiguous_surnames
                and _VERB_SURNAME_BEFORE_RE.search(text, max(0, start - 3), start)
            ):
                continue  # 不要占老师的时间, 我来代老师上课: a surname that is a verb too, after a modal or an adverb
            for stop, how in stops:
                name = text[start:stop]
                word_name = False
                # where the name ends: before a word that may follow a name (name_end) or a common
                # word (杨国富|约定); failing that, where a jieba token ends — unless a character
                # that continues the name is left behind (向雨|萱来自)
                if how == "end" and not (
                    cues.name_end.match(text, stop)
                    or _word_starts(text, stop, freq)
                    or _word_token_at(spans, stop, freq)
                ):
                    continue
                if how == "token" and (
                    (start, stop) not in tokens or (not cue.nickname and _continues_name(text, stop, cues, freq))
                ):
                    continue
                if cue.end_check and not cue.nickname and adverb_ends_name(text, start, stop, cues, spans):
                    continue  # 班主任侯莹并没有: the adverb after the name; the shorter reading
                if cue.max_freq is not None and (freq.get(name) or 0) >= cue.max_freq:
                    continue
                if name.isascii() and not pinyin_word(name):
                    continue  # 我家Apple也有: an English word, no romanised pet name
                if cue.nickname:
                    if (
                        (name in cues.not_nicknames and not cue.any_word)
                        # 小 and a noun is a pet name (小葡萄), not 小 and a word's start (小声说, 小脸红)
                        or (len(name) == 3 and name[0] == "小" and _small_word_start(name, cues))
                        or name in cues.not_names
                        or name in cues.not_reduplicated
                        or (not cue.strong and (name in cues.not_actors or _KIN_WORD_RE.match(name)))
                        or (
                            not _NICK_SHAPE_RE.match(name)
                            and name[0] != "老"
                            and _has_function_word(spans, start, stop)
                        )
                        # a weak cue takes no verb, adverb or adjective (弟弟吃|好, 玉荣: a verb to jieba)
                        or (
                            cue.weight < 3
                            and name[0] != "老"
                            and not _NICK_SHAPE_RE.match(name)
                            and not _jieba_name(name, start, stop, spans)
                            # (a surname and a two-character given name jieba cuts: 最活跃的是羊子|涵)
                            and not (len(name) == 3 and is_plausible_name(name, cues, named=True))
                            # (小 and a noun, 小|樱桃: the prefix is an adjective to jieba, the noun is what counts)
                            and _has_tag(spans, start + _pet_prefix(name), stop, ("v", "d", "ad", "vn", "a"))
                        )
                    ):
                        continue  # 抱着|他妈: a verb and its particle; 二姐: kin (but 小名叫幺妹)
                elif _joins_a_nickname(name):
                    continue
                # a surname + title mention (曹教授) is checked by its pattern alone; a strong cue (a roster's
                # cell) or a full name after a child cue (九岁的石平安) may be a word as well
                elif (
                    not cue.surname_only
                    and not is_plausible_name(
                        name,
                        cues,
                        named=True,
                        strong=cue.strong
                        or (
                            cue.weight >= 3
                            and len(name) >= 3
                            and name[0] not in _CONJUNCTION_SURNAMES
                            and not _splits_word(spans, stop, stop, freq)
                            # 31岁的农民季正清, 孩子文化课, 记者：党中央: a noun or an institution's word, then
                            # the name (or none), not a surname and a given name
                            and not _common_word(name[:2], STRONG_CUE_HEAD_WORD_FREQ)
                            and not _common_word(name, NAME_DICT_MAX_FREQ)
                        ),
                    )
                ):
                    if not _word_name_slot(cue, name, start, stop, spans, cues, freq):
                        continue
                    word_name = True  # 九岁的甘露: a word in a child's slot, a name only if the essay says so twice
                if cue.category and not word_name:
                    # 留守儿童范文, 学生周记, 我们家的长孙: the category noun heads an ordinary compound
                    how_word = _category_word(name, cues, freq)
                    if how_word == "none" or (how_word == "word" and cue.role != "child"):
                        continue
                    word_name = how_word == "word"
                # A name does not cut a common word: 学生周末回家 holds no 周末回 (周末 | 回家). But jieba
                # cuts names too (张小 | 明说, 副校 | 长江 | 慧敏): after a cue's prefix the start may fall
                # inside a token, and a name ending before a word that follows names (说) may end inside
                # one — unless its first two characters are a common word (周末回).
                cut_start = _splits_word(spans, start, start, freq) and not cue.end_check
                cut_end = _splits_word(spans, stop, stop, freq)
                if cut_start or (cut_end and (how != "end" or (len(name) == 3 and _common_word(name[:2], 500)))):
                    continue
                if cut_end and len(name) >= 3 and _tail_starts_word(spans, stop, freq):
                    continue  # 我家牛娃回|来, 张建回|家: the last character begins a common word; the shorter reading

                context = text[m.start() : stop] if cue.end_check else m.group(0)
                hits.append(
                    _Hit(
                        name,
                        WORD_NAME if word_name else "person",
                        start,
                        stop,
                        cue.role,
                        cue.weight,
                        f"{cue.label}: {context.strip('，。、：；！？“”（( ')}",
                    )
                )
                break
    hits.extend(_model_names(text, spans, cues, freq))
    # jieba person tags on words outside its dictionary
    for i, (w, f, s, e) in enumerate(spans):
        nxt = spans[i + 1][0] if i + 1 < len(spans) else ""
        candidate = None
        if f.startswith("nr") and (freq.get(w) or 0) < NAME_DICT_MAX_FREQ and 2 <= len(w) <= 4:
            candidate = w  # jieba's dictionary holds some people's names, rare ones
        elif len(w) == 1 and w in cues.surnames and nxt == PLACEHOLDER:
            candidate, e = w + PLACEHOLDER, e + len(PLACEHOLDER)
        if candidate is None:
            continue
        sur = surname_of(candidate, cues)
        if not sur or sur in cues.ambiguous_surnames or candidate[-1] in cues.place_suffixes:
            continue
        after = text[e:]
        if cues.not_person_before.match(after) or not is_plausible_name(candidate, cues):
            continue
        if adverb_ends_name(text, s, e, cues, spans):
            continue
        if (
            len(candidate) == 2
            and len(sur) == 1
            and word_tag(candidate[1]).startswith("a")
            and spans[i + 1][1].startswith("n")
            if i + 1 < len(spans)
            else False
        ) and namemodel.name_score(sur, candidate[1:]) < JIEBA_NAME_MIN_SCORE:
            continue  # 穿蓝白校服: an adjective the model reads as no given name, before the noun it qualifies
        if len(candidate) == 2 and s > 0 and text[s - 1] in "小大老":
            continue  # 小黄狗: an adjective, a colour and a noun
        if _dictionary_non_name(candidate, f, sur, freq):
            continue  # 艾草, 兰草, 唐装: a dictionary word jieba tags as a name, whose second character no given name has
            # (not a transliterated one, nrt: 莫伊, 韦拉 are people)
        if _dictionary_plant(candidate, freq):
            continue  # 凤仙花, 金银花: a flower's name jieba's dictionary tags as a person's
        if len(candidate) == 3 and len(sur) == 1 and _instrument_then_verb(text, s, e):
            continue  # 用柏枝熏的: the instrument and the verb
        hits.append(_Hit(candidate, "person", s, e, "", 0.0, f"jieba {f}: {_snippet(text, s, e)}"))
    return hits


# ------------------------------------------------------------ essay level ---
# one space between two CJK characters breaks a word (陶 磊); two or more separate the cells of a table row.
# One space before a form's next field label (姓名：成果　性别：男) ends the field's value: it stays where the
# value before it has two characters or more and a label of two to four and a colon follows (not 陶 磊：)
_CJK_SPACE_RE = re.compile(
    r"(?<=[\u3400-\u9fff])[ \t\u3000\u00a0](?=[\u3400-\u9fff])"
    r"(?!(?<=[\u3400-\u9fff]{2}[ \t\u3000\u00a0])[\u3400-\u9fff]{2,4}[：:])"
)


def simplified_chars(text: str) -> str:
    """``text`` with each traditional character in its simplified form, one
    for one (the same length, so offsets still hold)."""
    from analysis.ingest.clean import to_simplified

    if not _CJK_ANY_RE.search(text):
        return text
    out = to_simplified(text)[0]
    if len(out) == len(text):
        return out
    return "".join(c2 if len(c2 := to_simplified(c)[0]) == 1 else c for c in text)


_CJK_ANY_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def despace(text: str) -> str:
    """``text`` without a single space inside a run of CJK characters (陶 磊 →
    陶磊); a wider gap (a table's cells: 四年级3班　　甘　露　　祖母) stays."""
    return _CJK_SPACE_RE.sub("", text) if " " in text or "\u3000" in text or "\t" in text else text


# what follows a surname in a mention that names no given name (蒲老师, 侯支书, 王奶奶)
_TITLE_WORDS = frozenset(
    "老师 校长 副校长 主任 书记 支书 教授 局长 县长 镇长 乡长 村长 组长 所长 队长 董事长 经理 医生 大夫 护士 警官 民警 "
    "干部 会计 院长 园长 同志 女士 先生 阿姨 叔叔 伯伯 爷爷 奶奶 外公 外婆 大爷 大妈 大姐 大哥 姐姐 哥哥 师傅 同学 "
    "老板 站长 主席 部长 科长 处长 厅长 市长 区长 委员 干事 教练 记者 编辑 律师 法官 警察 店长 营长 导演 领队 "
    # the kin titles children give a teacher or a neighbour (蔡妈妈, 龚婆婆): no given name 妈妈 or 婆婆
    "妈妈 爸爸 婆婆 阿婆 大娘 大婶 大嫂 嬢嬢 婶婶 姑姑 舅舅 伯母 姥姥 姥爷".split()
)


def short_forms(full: str, role: str, cues: EntityCues | None = None) -> list[tuple[str, str]]:
    """Public alias of :func:`_short_forms` (for the corpus-level linking in privacy)."""
    return _short_forms(full, role, cues or load_entity_cues())


# the forms a writer makes up (小雨 for 晓雨); a given name itself (平安 of 龙平安) is always the person's
_FORM_WHYS = ("叠字名", "小+姓", "小+名", "阿+名", "老+姓", "名+昵称", "姓+称谓", "名+儿")
# a child's last given-name character and 儿, the way a grandparent or a parent addresses the child (果儿 for 成果):
# no form this common as a word (花儿, 明儿, 月儿), and only where it opens an address (果兒：你爸…, 果儿，)
ER_FORM_MAX_FREQ = 50
_ADDRESS_AFTER_RE = re.compile(r"[，,：:！!]")
_ER_SUBJECT_AFTER_RE = re.compile(
    r"(?:最近|今天|昨天|平时|每天|总是|一直|已经|从小|现在|也|又|还|就|都|才|说|跟|和|在家|哭|笑)"
)
# the titles a pupil calls a teacher or a village calls a cadre by with the surname (和老师 for 和丽萍, 练大姐 for
# 练春芳), made short forms only of a surname
# that is also a preposition or a word (和, 于, 向: ``not_before_title``), which no cue reads before a title
TITLE_FORM_TITLES = ("老师", "校长", "主任", "书记", "大姐", "大哥", "阿姨", "叔叔")
# …and where such a surname is the preposition, whatever stands before it: 和老师沟通, 向老师问好
_PREPOSITION_OBJECT_RE = re.compile(
    r"(?:问好|请教|学习|汇报|沟通|交流|说话|聊天|一起|商量|联系|打招呼|反映|道别|告别|说再见|再见|说明|求助|借|要|讨|"
    r"们|同学|家长)"
)
# a made-up short form that is a common word too (晓雨's 小雨, 明明, 小张) is left as the word where it
# stands alone at a sentence's or a line's end with no name's slot before it (9月6日　小雨, 下了一场小雨。)
COMMON_SHORT_FORM_FREQ = 300
STRADDLED_WORD_FREQ = 50  # jieba count of the two words a doubled form would straddle (合作|作出)
_PERSON_BEFORE = frozenset("叫和与跟同给让请对把被帮陪带教问找“「")
_ALONE_AFTER_RE = re.compile(r"\s*(?:[。；]|$)")
# …or where the weather takes it (那天下着小雨, 飘起了小雪, 一场小雨): rain, snow and wind are nicknames too
WEATHER_BEFORE_RE = re.compile(r"(?:[下飘落刮](?:着|起了?)|[一几两这那][场阵])$")
# where the text says what someone is called (同学们都叫她“静静”, 大家喊他天天): the one place a form that
# is an everyday word (静静, 天天) is the person's
_NAMING_SLOT_RE = re.compile(r"(?:叫|喊|管)(?:他|她|我)?(?:叫|作|做)?[“\"「『]?$")


def short_form_reads_as_person(form: str, text: str, start: int, end: int, freq: dict, why: str = "") -> bool:
    """Does this mention of a person's made-up short form read as the person? Yes, unless the form
    follows a weather verb (那天下着小雨, 一场小雪), or is a common word and stands alone where a
    sentence or a line ends, after no name's slot (9月6日　小雨: the weather, though 宋晓雨 is called
    小雨 elsewhere). A given name (``why`` 名: 平安 of 覃平安) always does: a child's name left is
    worse than a word replaced."""
    if why == "名":
        return True
    if why == "名+儿":
        # an address (果儿，…), the subject of a clause before what the child does (雪儿最近跟奶奶吵架), or what a
        # verb or a preposition that takes a person takes (问问雪儿今天…, 陪果儿写作业)
        if start > 0 and text[start - 1] in _PERSON_BEFORE:
            return True
        return (start == 0 or not _ALL_CJK_RE.match(text[start - 1])) and bool(
            _ADDRESS_AFTER_RE.match(text, end) or _ER_SUBJECT_AFTER_RE.match(text, end)
        )
    if why == "姓+称谓":
        # 和老师说，…: the teacher at a clause's start or in a name's slot; 同学和老师, 和老师沟通: the preposition
        before = text[start - 1 : start]
        return (not before or not _ALL_CJK_RE.match(before) or before in "的是位叫") and not (
            _PREPOSITION_OBJECT_RE.match(text, end)
        )
    if WEATHER_BEFORE_RE.search(text, max(0, start - 3), start):
        return False
    if (
        why == "叠字名"
        and (freq.get(text[start - 1 : start + 1]) or 0) >= STRADDLED_WORD_FREQ
        and (freq.get(text[end - 1 : end + 1]) or 0) >= STRADDLED_WORD_FREQ
    ):
        return False  # 合作|作出, 学习|习惯: the end of one word and the start of the next, no doubled name
    if (freq.get(form) or 0) < COMMON_SHORT_FORM_FREQ:
        return True
    return (start > 0 and text[start - 1] in _PERSON_BEFORE) or not _ALONE_AFTER_RE.match(text, end)


def in_naming_slot(text: str, start: int) -> bool:
    """Is ``text[start:]`` what the text says someone is called (叫她“静静”, 喊他天天)?"""
    return bool(_NAMING_SLOT_RE.search(text, max(0, start - 5), start))


# a preposition or a verb whose object is a person (给天天寄了一套书, 陪静静写作业): an adverb (天天 "every day")
# never stands right after one
_PERSON_OBJECT_SLOT_RE = re.compile(r"(?:给|陪|替|帮|带着|抱着|搂着|和|跟)$")


def in_person_object_slot(text: str, start: int) -> bool:
    """Is ``text[start:]`` the person a preposition or a verb before it takes (给天天寄了, 陪静静)?"""
    return bool(_PERSON_OBJECT_SLOT_RE.search(text, max(0, start - 2), start))


# a time word or an ordinal after a clause's first word makes that word its subject (。静静第一次独唱时): an adverb
# (静静 "quietly", 天天 "every day") stands before a verb, never before 第一次 or 今年
_SUBJECT_TIME_AFTER_RE = re.compile(
    r"(?:第[一二三四五六七八九十\d]{1,2}(?:次|个|回)|今年|去年|每天|从小|最近|那天|这学期|上学期|刚上)"
)


def in_subject_time_slot(text: str, start: int, end: int) -> bool:
    """Is ``text[start:end]`` a clause's subject right before a time word or an ordinal (静静第一次独唱)?"""
    return (start == 0 or text[start - 1] in "。！？；\n") and bool(_SUBJECT_TIME_AFTER_RE.match(text, end))


VERB_TAGS = ("v", "vn")


def _policy_verb(given: str) -> bool:
    """Is an adult's given name a common verb (振兴 of 卜振兴, 建设 of 付建设, 解放 of 安解放)? Official
    prose is full of such verbs (乡村振兴, 解放思想) and calls an official by the full name or the title,
    so the given name alone is no short form of the adult (a child's always is: 欣然, 天赐)."""
    from analysis.ingest.segment import word_tag

    return (get_tokenizer().FREQ.get(given) or 0) >= COMMON_WORD_FREQ and word_tag(given) in VERB_TAGS


OLD_SURNAME_WORD_FREQ = 1000  # jieba count of 老 + a surname that is no one's form (老师 6415; 老李 298 is a form)


def _short_forms(full: str, role: str, cues: EntityCues) -> list[tuple[str, str]]:
    """The short forms a writer uses for a person named ``full`` in the same
    text: the given name (欣悦 for 冉欣悦), 小 + surname (小冉), 小/阿 + the
    last character (阿彬 for 蒙文彬), the last character doubled (婷婷 for
    陈思婷) or the first one if that is no common word (浩浩 for 冯浩宇), the
    last character and a pet suffix that is no dictionary word (雨丫头 for
    甘晓雨, ``nickname_suffixes``), and 儿 (果儿 for 成果, only as an address); 老 + surname for adults (老王), and 小 + surname (小贝)."""
    sur = surname_of(full, cues)
    given = full[len(sur) :]
    if not sur or not given or PLACEHOLDER in given or given == "某":
        return []
    if given in _TITLE_WORDS:
        return []  # 蒲老师, 侯支书: a surname and a title, no given name
    freq = get_tokenizer().FREQ
    out = []
    if len(given) >= 2 and not (role == "adult" and _policy_verb(given)):
        out.append((given, "名"))
    # the doubled last character whatever the role: a child a byline calls 作者 may be read as an adult
    # (沈先慧 … 慧慧), and an adult is called so too
    out.append((given[-1] * 2, "叠字名"))
    if len(given) == 2 and given[0] != given[1] and (freq.get(given[0] * 2) or 0) < COMMON_SHORT_FORM_FREQ:
        out.append((given[0] * 2, "叠字名"))  # 浩浩 for 冯浩宇 (not 明明 for 李明亮: a common word)
    if role == "child":
        out += [
            (f"小{sur}", "小+姓"),
            (f"小{given[-1]}", "小+名"),
            (f"阿{given[-1]}", "阿+名"),
        ]
        out += [
            (given[-1] + suffix, "名+昵称")
            for suffix in cues.nickname_suffixes
            if not freq.get(given[-1] + suffix)  # 毛丫头 is a word for any girl
        ]
        if (freq.get(given[-1] + "儿") or 0) < ER_FORM_MAX_FREQ:
            out.append((given[-1] + "儿", "名+儿"))
    elif role == "adult" and len(sur) == 1:
        if (freq.get(f"老{sur}") or 0) < OLD_SURNAME_WORD_FREQ:
            out.append((f"老{sur}", "老+姓"))  # not 老师 of 师建国: one of the commonest words
        # a young colleague called by 小 and the surname (社工贝思琳 … 本月小贝入户三次); not a surname that is a
        # word too (小白, 小高: an adjective and a noun)
        if sur not in cues.ambiguous_surnames:
            out.append((f"小{sur}", "小+姓"))
        if sur in cues.not_before_title:
            out += [(sur + title, "姓+称谓") for title in TITLE_FORM_TITLES]
    return out


def _listed_names(sentences: list[str], per_sentence: list[list[_Hit]], cues: EntityCues, freq) -> None:
    """Names in a list (钟毅、冉静、文浩宇、石佳琪; 龙海燕、殷建军等老师): two or
    more names joined by 、 — each side the longest string that reads as a
    name (surname + one or two characters, no dictionary word) — are names
    when the list holds one name found otherwise or at least three such
    items. Their role is the role a cue after the list gives (…等老师), else
    a child's."""
    for sent, hits in zip(sentences, per_sentence):
        if "、" not in sent:
            continue
        known = {h.text for h in hits if h.type == "person"}
        for run in _NAME_LIST_RE.finditer(sent):
            # an item's short note in brackets (弓雨辰（视力）、谷丰（龋齿）) is no part of its name
            names = [x for x in _ITEM_NOTE_RE.sub("", run.group(0)).split("、") if x]
            names = [_name_suffix(names[0], cues, freq)] + [_name_prefix(x, cues, freq) for x in names[1:]]
            names = [x for x in names if x]
            tail = run.start() + run.group(0).rfind(names[-1]) + len(names[-1]) if names else run.end()
            after = sent[tail : tail + 8]
            listed = re.match(r"^(等|两位|二人|三人|几位|同学|老师)", after)  # 龙海燕、殷建军等二十六位老师
            if len(names) < 2 or not (len(names) >= 3 or known & set(names) or listed):
                continue
            role = (
                "adult" if re.match(r"^[^。！？]{0,6}(老师|教师|同志|干部|志愿者|家长|校长|书记)", after) else "child"
            )
            for name in names:
                if name in known:
                    continue
                for start, end in _literal_spans(name, sent):
                    hits.append(_Hit(name, "person", start, end, role, 1.0, f"名单: {_snippet(sent, start, end)}"))


# (a note in words only: a ranking's score, 江苏黄薇（2272分）, is no list of names)
_LIST_NOTE = r"(?:[（(][\u4e00-\u9fff，,]{1,8}[)）])?"
_NAME_LIST_RE = re.compile(rf"[\u4e00-\u9fff]{{2,6}}{_LIST_NOTE}(?:、[\u4e00-\u9fff]{{2,6}}{_LIST_NOTE})+")

# a list of who took part, after its label (参加组员：司马婧怡、田浩宇、秤砣、幺妹（共7人）; 人物：童佳琪（姐姐）、糯米、跳跳)
_PARTICIPANTS_RE = re.compile(
    r"^\s*(?:参加组员|小组成员|组员|参加人员|参与者|参加者|参加学生|参与学生|出场人物|剧中人物|人物|角色|演员|队员|成员)"
    r"\s*[：:]\s*(?P<items>[^。！？]+)[。！？]?$"
)
_ITEM_NOTE_RE = re.compile(r"[（(][^（()）]{0,12}[)）]")
# a listed item this common as a word is no pupil (老师, 家长, 志愿者 …)
PARTICIPANT_MAX_FREQ = 100


def _participant_names(sentences: list[str], per_sentence: list[list[_Hit]], cues: EntityCues, freq) -> None:
    """Every item of a list of participants after its label: full names, given
    names and nicknames alike (秤砣, 幺妹, 黑皮 in a group-work record; 糯米,
    跳跳 in a play's cast), unless an ordinary word (老师, 家长) or a name
    that is a public figure's. A child's, unless the item says otherwise."""
    for sent, hits in zip(sentences, per_sentence):
        m = _PARTICIPANTS_RE.match(sent)
        if not m:
            continue
        known = {h.text for h in hits if h.type == "person"}
        items = re.split(r"[、，,；;]", _ITEM_NOTE_RE.sub("", m.group("items")))
        for item in items:
            x = re.sub(r"\s+", "", item)
            x = re.sub(r"(等|共\d+人|\d+人)$", "", x)
            if not (2 <= len(x) <= 4) or not _ALL_CJK_RE.match(x) or x in known:
                continue
            if (freq.get(x) or 0) >= PARTICIPANT_MAX_FREQ or x in cues.not_names or x in cues.public_figures:
                continue
            words = get_tokenizer().lcut(x, HMM=False)
            if len(words) > 1 and all(len(w) >= 2 and (freq.get(w) or 0) >= PARTICIPANT_MAX_FREQ for w in words):
                continue  # 家长代表, 各班班主任: ordinary words together
            for start, end in _literal_spans(x, sent):
                hits.append(_Hit(x, "person", start, end, "child", 1.0, f"参加名单: {_snippet(sent, start, end)}"))


# a list of names the text counts as children (资助田野、孔思远等15名学生; 看望了小雨、乐乐等6个孩子)
_COUNTED_LIST_RE = re.compile(
    r"(?P<items>[\u4e00-\u9fff]{2,4}(?:、[\u4e00-\u9fff]{2,4})+)(?:等|这)[\d一二两三四五六七八九十百几]+[名位个]"
    r"(?:留守儿童|留守学生|留守孩子|困难学生|贫困学生|困境儿童|学生|孩子|儿童|同学|小朋友|学子|娃娃?)"
)


def _counted_list_names(sentences: list[str], per_sentence: list[list[_Hit]], cues: EntityCues, freq) -> None:
    """Every item of a list the text counts as so many children (资助田野、孔思远等15名学生): an item
    there is a child whatever word it also is (田野), once one item of the list reads as a full name
    (孔思远). The first item keeps only jieba's last word (资助|田野), or the full name it ends with."""
    for sent, hits in zip(sentences, per_sentence):
        if "、" not in sent:
            continue
        for m in _COUNTED_LIST_RE.finditer(sent):
            items, at = [], m.start("items")
            for k, item in enumerate(m.group("items").split("、")):
                start = at
                if k == 0:  # 资助|温暖, 看望了|田野: what the list's verb leaves
                    words = get_tokenizer().lcut(item, HMM=False)
                    for n, w in enumerate(words[:-1]):
                        rest = item[start - at :]
                        if is_plausible_name(rest, cues) or len(rest) - len(w) < 2:
                            break
                        start += len(w)
                items.append((sent[start : at + len(item)], start))
                at += len(item) + 1
            if not any(is_plausible_name(x, cues) for x, _ in items):
                continue
            for x, start in items:
                if x in cues.not_names or x in cues.not_actors or x in cues.public_figures:
                    continue
                hits.append(
                    _Hit(
                        x,
                        "person",
                        start,
                        start + len(x),
                        "child",
                        2.0,
                        f"计数名单: {_snippet(sent, start, start + len(x))}",
                    )
                )


# a roster row: a grade, class, prize or list, a colon, then names apart (一年级：蓝心妍 韦 珊 农家宝 黄小曼;
# 部分获奖学生名单：郝梦瑶　单　婷　殷子睿)
_ROSTER_ROW_RE = re.compile(
    r"^\s*(?:[一二三四五六七八九]年级|[初高][一二三]|[一二三四五六七八九\d]{1,2}\s*[（(]\s*\d{1,2}\s*[)）]\s*班"
    r"|[一二三四五六七八九十\d]{1,2}\s*班|[一二三四五六七八九十\d]{1,2}等奖|特等奖|优秀奖|鼓励奖|获奖(?:学生|同学|名单)?"
    r"|[\u4e00-\u9fff]{0,10}名\s*单"
    # a heat, a team or a group of a start list (男子60米　第1组：…, 第三小组：…)
    r"|(?:[\u4e00-\u9fff\d]{1,10}\s*)?第\s*[一二三四五六七八九十\d]{1,2}\s*(?:小组|组|队))"
    r"\s*(?:[（(]\s*\d{1,3}\s*(?:名|人)\s*[)）])?\s*[：:]\s*(?P<items>[\u4e00-\u9fff·][\u4e00-\u9fff·\s]+)$"
)
ROSTER_MIN_NAMES = 3


# a table cell of one character and a note in brackets (芳（外婆）): the padded name's second half
_CELL_NOTE_RE = re.compile(r"^([\u4e00-\u9fff])([（(][^（()）]{1,8}[)）])$")


def _row_cells(items: list[str], compounds: frozenset[str] = frozenset()) -> list[tuple[str, bool]]:
    """The cells of a row whose items were set apart by spaces, as (cell, padded): two single
    characters in a row are one name padded to the width of three (韦 珊), and so are a compound
    surname of ``compounds`` and a single character (呼延 乐 男: 呼延乐, then 男)."""
    cells: list[tuple[str, bool]] = []
    i = 0
    while i < len(items):
        x = items[i]
        if x in compounds and i + 1 < len(items) and len(items[i + 1]) == 1 and _ALL_CJK_RE.match(items[i + 1]):
            cells.append((x + items[i + 1], True))
            i += 2
        elif len(x) == 1 and i + 1 < len(items) and len(items[i + 1]) == 1 and _ALL_CJK_RE.match(x + items[i + 1]):
            cells.append((x + items[i + 1], True))
            i += 2
        elif (
            len(x) == 1
            and i + 1 < len(items)
            and (note := _CELL_NOTE_RE.match(items[i + 1]))
            and _ALL_CJK_RE.match(x + note.group(1))
        ):
            # a padded name with its note glued to it (粟　芳（外婆）): the name, then the note as a cell of its own
            cells.append((x + note.group(1), True))
            cells.append((note.group(2), False))
            i += 2
        else:
            cells.append((x, False))
            i += 1
    return cells


def _padded_compounds(cues: EntityCues) -> frozenset[str]:
    """The compound surnames a table pads before a one-character given name (呼延　乐), not those
    that are everyday words too (第五　名, 东方　红)."""
    return cues.compound_set - cues.ambiguous_compounds


# pronouns and particles: no padded name starts with one (我 爱 …; but 班 婷, 和 平 are names)
_PADDED_NOT_FIRST = frozenset("我你他她它们的了是在也都就还又很这那每各些着过把被给对")


def _cell_is_name(x: str, padded: bool, cues: EntityCues) -> bool:
    """A padded cell is a name whatever its surname (班 婷, 和 平), unless it reads as function
    characters (我 爱); any other cell is a surname and one or two given-name characters."""
    if padded:  # …but a surname that is such a word too is a surname in a roster's cell (过 婷, 那 晴)
        return x[1] not in cues.given_stop and (x[0] not in _PADDED_NOT_FIRST or x[0] in cues.cue_only_surnames)
    sur = surname_of(x, cues)
    return (
        bool(sur)
        and 1 <= len(x) - len(sur) <= 2
        and bool(_ALL_CJK_RE.match(x))
        and not any(c in cues.given_stop for c in x[len(sur) :])
        # a surname that is mostly a word (班, 栗) before the rest of a dictionary word: a table's
        # header (序号　班级　姓名), not a pupil
        and not (sur in cues.cue_only_surnames and get_tokenizer().FREQ.get(x))
    )


def roster_names(line: str, cues: EntityCues) -> list[str]:
    """The names of a roster row (``一年级：蓝心妍 韦 珊 农家宝 黄小曼 凌子墨``),
    as written before spaces are dropped (:func:`_row_cells`). [] unless at
    least :data:`ROSTER_MIN_NAMES` cells, and three in four, are names (a
    rare surname missing from the list leaves its cell out, not the row)."""
    m = _ROSTER_ROW_RE.match(line)
    if not m:
        return []
    cells = _row_cells(m.group("items").split(), _padded_compounds(cues))
    names = [x for x, padded in cells if _cell_is_name(x, padded, cues)]
    if len(names) >= ROSTER_MIN_NAMES and 4 * len(names) >= 3 * len(cells):
        # among names, a cell that reads as a given name after a surname missing from the list (把小丽) is one
        return [x for x, padded in cells if _cell_is_name(x, padded, cues) or _odd_surname_cell(x, cues)]
    if len(cells) >= 2 and len(names) == len(cells) and any(padded for _, padded in cells):
        return names  # a short row whose names are padded to a common width (一等奖：夏　天　　于　洋)
    return []


def _odd_surname_cell(x: str, cues: EntityCues) -> bool:
    """A roster cell of three characters that is no word and whose last two read as a given name (把小丽):
    a pupil whose surname is missing from the list, or is one that is mostly a word."""
    from analysis.methods import namemodel

    freq = get_tokenizer().FREQ
    return (
        len(x) == 3
        and bool(_ALL_CJK_RE.match(x))
        and not any(c in cues.given_stop for c in x[1:])
        and not freq.get(x)
        and (freq.get(x[1:]) or 0) < NAME_DICT_MAX_FREQ
        and namemodel.given_score(x[1:]) > 0
    )


# a table cell that says who a pupil is: a grade, a class, a school, or the village they live in (a pairing
# table: 爱心妈妈 结对儿童 所在村)
_PUPIL_CELL_RE = re.compile(
    r"^(?:[一二三四五六七八九]年级|[初高][一二三]|中[一二三四五六]|小[一二三四五六]|[一二三四五六七八九]\s*[（(]\s*\d{1,2}\s*[)）]\s*班"
    r"|\S{2,16}(?:小学|中学|学校|教学点|中心校|完小|幼儿园|书院)|[\u4e00-\u9fff]{2,6}(?:村|社区|屯|寨))$"
)


def _despace_row(line: str, cues: EntityCues) -> str:
    """:func:`despace`, except in a roster row or a table row of pupils (:func:`roster_names`,
    :func:`table_row_names`), whose cells stay apart (a padded name's two characters join):
    《平安》 巫 杰 青杠坪教学点 → 《平安》 巫杰 青杠坪教学点, so that no detector reads 巫杰青杠坪教学点 as
    one school, nor 姬 鹏 骆天佑 as 姬鹏骆."""
    if " " not in line and "\u3000" not in line:
        return line
    if roster_names(line, cues):  # the label stays as written, the names after it apart
        items = _ROSTER_ROW_RE.match(line).start("items")
        return line[:items] + " ".join(x for x, _ in _row_cells(line[items:].split(), _padded_compounds(cues)))
    if not table_row_names(line, cues):
        return despace(line)
    # a note in brackets stays glued to the cell it is about (粟芳（外婆）)
    return re.sub(r" (?=[（(])", "", " ".join(x for x, _ in _row_cells(line.split(), _padded_compounds(cues))))


def table_row_names(line: str, cues: EntityCues) -> list[str]:
    """Pupils' names in a table row whose cells were set apart by spaces and
    in which a cell is a grade, a class or a school (``韦 珊 三年级 棉衣1件``,
    ``《平安》 巫 杰 青杠坪教学点``): the cells of :func:`_row_cells` that
    :func:`_cell_is_name` takes."""
    items = line.split()
    if len(items) < 2 or not any(_PUPIL_CELL_RE.match(c) for c in items):
        return []
    # a cell may hold two children (伏金花、伏银花: twins paired with one adult)
    cells = [(y, padded) for x, padded in _row_cells(items, _padded_compounds(cues)) for y in x.split("、") if y]
    return [x for x, padded in cells if not _PUPIL_CELL_RE.match(x) and _cell_is_name(x, padded, cues)]


_ROW_NUMBER_RE = re.compile(r"^(\d{1,3})[.、]?$")


def numbered_row_names(line: str, cues: EntityCues) -> list[str]:
    """The names of a row that numbers them one by one (``1　向晚晴　2　高　远　3　甘小禾``): a number, then
    a cell (padded or not), the numbers running on by one. [] unless at least :data:`ROSTER_MIN_NAMES`
    cells, and three in four, are names (:func:`_cell_is_name`; a padded cell whatever its surname)."""
    items = line.split()
    if len(items) < 2 * ROSTER_MIN_NAMES or not _ROW_NUMBER_RE.match(items[0]):
        return []
    groups: list[list[str]] = []
    expected = None
    for x in items:
        m = _ROW_NUMBER_RE.match(x)
        if m:
            if expected is not None and int(m.group(1)) != expected:
                return []
            expected = int(m.group(1)) + 1
            groups.append([])
        elif _ALL_CJK_RE.match(x) and len(groups[-1]) < 2:
            groups[-1].append(x)
        else:
            return []
    if any(not g for g in groups):
        return []
    cells = [("".join(g), len(g) > 1) for g in groups]
    names = [x for x, padded in cells if 2 <= len(x) <= 4 and _cell_is_name(x, padded, cues)]
    if len(names) >= ROSTER_MIN_NAMES and 4 * len(names) >= 3 * len(cells):
        return names
    return []


# a table copied as text, its cells apart by bars (序号｜姓名｜年龄…, 代理家长｜结对儿童｜所在村组)
_BAR_SPLIT_RE = re.compile(r"[|｜│]")
# a header's cell that says its column holds children's names (姓名, 学生姓名, 结对儿童) …
_CHILD_COLUMN_RE = re.compile(
    r"^(?:(?:学生|儿童|幼儿|孩子|受助人|受助儿童|结对儿童)?姓名|(?:结对|受助|帮扶|留守)(?:儿童|学生|孩子|对象))$"
)
# … or adults' (代理家长, 实际监护人, 帮扶责任人, 登记人, 家长姓名)
_ADULT_COLUMN_RE = re.compile(
    r"^[\u4e00-\u9fff]{0,4}(?:家长|监护人|责任人|登记人|联系人|负责人|经办人|填报人|审核人|老师|教师|志愿者|班主任)(?:姓名)?$"
)
_CELL_NOTE_END_RE = re.compile(r"\s*[（(][^（()）]*[)）]\s*$")


def _bar_cells(line: str) -> list[str] | None:
    """The cells of a line whose cells are apart by bars (two bars or more), stripped; else None."""
    parts = _BAR_SPLIT_RE.split(line)
    return [p.strip() for p in parts] if len(parts) >= 3 else None


def _bar_header(cells: list[str]) -> dict[int, tuple[str, bool]]:
    """The columns of a bar table's header that hold names, with their role (姓名 → child, 代理家长 →
    adult) and whether the header says 姓名: {} unless no cell holds a digit and one names a column
    of people."""
    if any(re.search(r"\d", c) for c in cells):
        return {}
    out = {}
    for i, c in enumerate(cells):
        c = re.sub(r"\s+", "", c)
        if _CHILD_COLUMN_RE.match(c):
            out[i] = ("child", c.endswith("姓名"))
        elif _ADULT_COLUMN_RE.match(c):
            out[i] = ("adult", c.endswith("姓名"))
    return out


def bar_table_names(lines: list[str], cues: EntityCues) -> list[list[tuple[str, str]]]:
    """Names in the rows of a table whose cells are apart by bars, under a header that says which
    columns hold people (序号｜姓名｜年龄… then 3｜向　阳｜6｜…): per line, (name, role) in order. A
    cell may be padded (向　阳, 戚 美华), carry a note in brackets (罗桂珍（祖母）) or hold two names
    (秦子墨、江浩宇); a cell under 姓名 is a name whatever its surname, one under any other column
    (结对儿童, 代理家长) when it reads as a name (:func:`_cell_is_name`)."""
    out: list[list[tuple[str, str]]] = []
    header: dict[int, tuple[str, bool]] = {}
    width = 0
    for line in lines:
        found: list[tuple[str, str]] = []
        cells = _bar_cells(line)
        if cells is None:
            header = {}
        elif (h := _bar_header(cells)) and not (header and len(cells) == width):
            header, width = h, len(cells)
        elif header and len(cells) == width:
            for i, (role, named) in header.items():
                cell = _CELL_NOTE_END_RE.sub("", cells[i])
                for part in re.split(r"[、，,；;]", cell):
                    items = part.split()
                    x = "".join(items)
                    if not (2 <= len(x) <= 4 and _ALL_CJK_RE.match(x)):
                        continue
                    padded = len(items) > 1
                    if _cell_is_name(x, padded, cues) or (len(x) <= 3 and _cell_is_name(x, True, cues) and named):
                        found.append((x, role))
        out.append(found)
    return out


def _roster_names(raw: list[str], sentences: list[str], per_sentence: list[list[_Hit]], cues: EntityCues) -> None:
    """Children named in roster rows (:func:`roster_names`), read from the
    sentences before spaces are dropped (``raw``) and found in order in the
    sentences the other signals read. Strong evidence (weight 3). People in
    a bar table's name columns (:func:`bar_table_names`) too, with the role
    of their column."""
    for line, sent, hits, table in zip(raw, sentences, per_sentence, bar_table_names(raw, cues)):
        at = 0
        for name, role in table:
            k = sent.find(name, at)
            if k < 0:
                break
            hits.append(
                _Hit(name, "person", k, k + len(name), role, 3.0, f"表格姓名栏: {_snippet(sent, k, k + len(name))}")
            )
            at = k + len(name)
        names = roster_names(line, cues) or table_row_names(line, cues) or numbered_row_names(line, cues)
        at = 0
        for name in names:
            k = sent.find(name, at)
            if k < 0:
                break
            hits.append(
                _Hit(name, "person", k, k + len(name), "child", 3.0, f"名册行: {_snippet(sent, k, k + len(name))}")
            )
            at = k + len(name)


def _name_suffix(s: str, cues: EntityCues, freq) -> str:
    for k in (3, 2, 4):
        x = s[-k:]
        if k == 3 and x[0] in _CONJUNCTION_SURNAMES and s[-4:-3] in _PRONOUN_BEFORE_CONJUNCTION:
            continue  # 我和葛欢、…: the conjunction after a pronoun, no surname 和
        if len(x) == k and _list_name(x, cues, freq) and not _word_holds(s, len(s) - k, len(s)):
            return x
    return ""


# a pronoun before 和, 与, 跟 or 同 makes it the conjunction (我和葛欢、鲁恒之留下来), not a surname
_PRONOUN_BEFORE_CONJUNCTION = frozenset("我你他她它们")


def _name_prefix(s: str, cues: EntityCues, freq) -> str:
    for k in (3, 2, 4):
        x = s[:k]
        if (
            len(x) == k
            and _list_name(x, cues, freq)
            and not _word_holds(s, 0, k)
            and not (k >= 3 and _cuts_word(s, k, freq))  # 王锐组|建: the shorter reading
        ):
            return x
    return ""


def _cuts_word(s: str, at: int, freq) -> bool:
    """Does ``at`` fall inside a common word jieba reads in ``s`` (王锐组|建: the list's last item runs on
    into the sentence, 组建 is a word)? Not where the list ends (黄华平|等, though jieba reads 平等)."""
    if s[at : at + 1] in ("等", "的", "和", "与", "说"):
        return False
    pos = 0
    for tok in get_tokenizer().lcut(s, HMM=False):
        if pos < at < pos + len(tok) and len(tok) >= 2 and (freq.get(tok) or 0) >= 100:
            return True
        pos += len(tok)
        if pos >= at:
            break
    return False


def _word_holds(s: str, start: int, end: int) -> bool:
    """Is s[start:end] the start or the end of a longer dictionary word that jieba reads in ``s``
    (党委书 of 党委书记王宝林, 委员 of 政协委员)? Then it is part of that word, no list item's name."""
    pos = 0
    for tok in get_tokenizer().lcut(s, HMM=False):
        t0, t1 = pos, pos + len(tok)
        pos = t1
        if t1 - t0 > end - start and t0 <= start and end <= t1 and (t0 == start or t1 == end):
            return True
        if t0 >= end:
            break
    return False


def _list_name(x: str, cues: EntityCues, freq) -> bool:
    """An item of a list of names: surname + one or two characters that is no
    dictionary word (a surname that is also a word counts here: 龙海燕)."""
    sur = surname_of(x, cues)
    if not sur or freq.get(x) or not (1 <= len(x) - len(sur) <= 2) or any(c in cues.given_stop for c in x[len(sur) :]):
        return False
    return sur not in cues.ambiguous_surnames and is_plausible_name(x, cues) or not _common_word(x[len(sur) :], 2000)


def _recurring_guesses(
    sentences: list[str], per_sentence: list[list[_Hit]], cues: EntityCues, freq, spans: list | None = None
) -> None:
    """A jieba person guess whose surname is also a word (马浩然, 高子涵) counts
    when the essay supports it: the full string comes back, or its given
    name is used alone (浩然今年读五年级)."""
    joined = _Occurrences("\n".join(sentences))
    seen = {h.text for hits in per_sentence for h in hits if h.type == "person"}
    spans = [_token_spans(sent) for sent in sentences] if spans is None else spans
    # every candidate and its given name, found in the essay in one pass
    want = set()
    for sent_spans in spans:
        for w, f, _, _ in sent_spans:
            if f.startswith("nr") and 2 <= len(w) <= 4:
                sur = surname_of(w, cues)
                want.update((w, w[len(sur) :]) if sur else (w,))
    joined.add(want)
    for sent, hits, sent_spans in zip(sentences, per_sentence, spans):
        for w, f, s, e in sent_spans:
            if (
                not f.startswith("nr")
                or (freq.get(w) or 0) >= NAME_DICT_MAX_FREQ
                or not (2 <= len(w) <= 4)
                or w in seen
            ):
                continue
            sur = surname_of(w, cues)
            if not sur or sur not in cues.ambiguous_surnames or not is_plausible_name(w, cues):
                continue
            if _dictionary_non_name(w, f, sur, freq):
                continue  # 代顿协议 … 代顿协议: a place's word jieba tags as a name, however often it comes back
            if cues.not_person_before.match(sent[e:]) or adverb_ends_name(sent, s, e, cues, sent_spans):
                continue  # 齐河|四小: a town's name before its school; 侯莹|并: an adverb after a name
            if _joins_a_nickname(w):
                # 和小贾: jieba reads the conjunction into the name; the nickname is the guess
                w, s = w[1:], s + 1
                if w in seen or w in cues.not_nicknames or w in cues.not_reduplicated:
                    continue
                hits.append(_Hit(w, "person", s, e, "", 0.5, f"jieba {f}, 和+昵称: {_snippet(sent, s, e)}"))
                seen.add(w)
                continue
            given = w[len(sur) :]
            alone = len(given) >= 2 and joined.occurs_not_after(given, sur)
            if joined.count(w) >= 2 or alone:
                hits.append(_Hit(w, "person", s, e, "", 0.5, f"jieba {f}, 名字复现: {_snippet(sent, s, e)}"))
                seen.add(w)


# Cue-less names (:func:`_actor_names`): a word this common needs a jieba tag that
# a given name can have; above the second limit a word is never taken.
ACTOR_COMMON_FREQ = 500
ACTOR_MAX_FREQ = 3500
_ACTOR_FLAGS_IF_COMMON = frozenset({"nr", "nrt", "nrfg", "nz", "a", "ad", "an", "ns", "i", "l", "v", "j"})
_NICK_SHAPE_RE = re.compile(
    r"^(?:[小阿][\u4e00-\u9fff]|[大二三四五幺][\u4e00-\u9fff]|(.)\1|[\u4e00-\u9fff][蛋娃妞丫宝子])$"
)
# a kinship word with an order or size prefix (二姐, 大伯, 小姨, 老舅): never a nickname
_KIN_WORD_RE = re.compile(r"^[大二三四五六七八九小老幺][哥姐弟妹叔婶姨舅伯爷娘嫂姑妈爸奶公婆爹孃]$")
# jieba tags of words that are no part of a name: pronouns, time words, numerals, measure words,
# conjunctions, prepositions, adverbs, particles (着 了 过 的), directions, places, interjections
_FUNCTION_TAGS = frozenset(
    {"r", "t", "m", "q", "c", "p", "d", "u", "uj", "ul", "uz", "ug", "uv", "ud", "f", "s", "y", "e", "o"}
)
# a verb before 的 rarer than this as a word may be a name (满仓的爸爸) — weak evidence, as it may
# be a clause too (挑食的弟弟); a common one is a clause (打工的爸爸)
RARE_VERB_FREQ = 100


def _verb_before_de(x: str, start: int, end: int, spans, sent: str) -> bool:
    """Whether ``x`` is a verb to jieba and 的 follows it: a clause as often as a name."""
    if sent[end : end + 1] != "的":
        return False
    return any(t[1] in ("v", "vn") for t in _as_spans(spans).by_start.get(start, ()) if t[3] == end)


# ...of which these never make part of a name a cue points at (a time word may: 秋月, 国庆)
_NOT_IN_NAME_TAGS = frozenset({"r", "c", "p", "u", "uj", "ul", "uz", "ug", "uv", "ud", "y", "e", "o"})


def _has_tag(spans, start: int, end: int, tags: tuple[str, ...]) -> bool:
    """Whether a token overlapping start:end has one of ``tags`` (吃|好: a verb)."""
    return any(t[1] in tags for t in _as_spans(spans).overlapping(start, end))


def _has_function_word(spans, start: int, end: int) -> bool:
    """Whether a token overlapping start:end is a pronoun, conjunction,
    preposition or particle (抱|着, 对|你)."""
    return any(t[1] in _NOT_IN_NAME_TAGS for t in _as_spans(spans).overlapping(start, end))


def _actor_names(sentences: list[str], per_sentence: list[list[_Hit]], cues: EntityCues, freq, spans: list) -> None:
    """Names with no cue that the essay uses as people: a teacher's diary calls
    its pupils 文静, 春生, 二丫, 铁蛋 and nothing says they are names, except
    what they do. Two characters at the start of a clause (or after 和, 让,
    叫 …: ``actor_left``) followed by what only a person does (举手, 低着头,
    个子, 的妈妈 …: ``actor_strong``) or by what a person often does (说, 问,
    悄悄 …: ``actor_weak``), whole jieba words (not the tail of one), not a
    word for people (``not_actors``: 孩子, 大家, 班长 …), no pronoun or
    time word, and not a common word unless jieba reads it as a name or an
    adjective or verb a given name can be (平安, 建国). The evidence needed:
    a nickname's shape (小万, 阿牛, 二丫, 毛毛, 铁蛋) and one such use; any
    other string, one strong use or two uses. Weak evidence (weight 1), role
    from the essay's other cues, else a child's."""
    seen = {h.text for hits in per_sentence for h in hits if h.type == "person"}
    uses: dict[str, list[tuple[int, int, int, bool]]] = defaultdict(list)
    for idx, (sent, sent_spans) in enumerate(zip(sentences, spans)):
        sent_spans = _as_spans(sent_spans)
        for pattern, strong in ((cues.actor_strong, True), (cues.actor_weak, False)):
            for m in _matches(pattern, sent):
                x, s, e = m.group("name"), m.start("name"), m.end("name")
                if x in seen or not _actor_word(
                    x, s, e, sent_spans, cues, freq, before_de=sent[e : e + 1] == "的", strong=strong
                ):
                    continue
                uses[x].append((idx, s, e, strong and not _verb_before_de(x, s, e, sent_spans, sent)))
    for x, found in uses.items():
        strong = any(u[3] for u in found)
        if not (strong or len({(u[0], u[1]) for u in found}) >= 2 or _NICK_SHAPE_RE.match(x)):
            continue
        if (
            _SOUND_WORD_RE.match(x)
            and len({u[0] for u in found}) < 2
            and any(t[1] == "o" for t in _as_spans(spans[found[0][0]]).by_start.get(found[0][1], ()))
        ):
            continue  # 嘟嘟 (a sound, 咚咚跑过来) is a child only where two sentences say what it does
        for idx, s, e, is_strong in found:
            sent = sentences[idx]
            why = "人物行为" if is_strong else "人物行为（弱）"
            per_sentence[idx].append(_Hit(x, "person", s, e, "", 1.0, f"{why}: {_snippet(sent, s, e)}"))


_SOUND_WORD_RE = re.compile(r"^(.)\1$")
# a full name a pet form points back to (管天乐 of 乐乐): its given name no commoner than this as a word (天乐 5)
PET_FULL_GIVEN_MAX_FREQ = 50
_CLAUSE_START_CHARS = frozenset("，。！？；：“”（(、 \u3000")


def _pet_form_full_names(sentences: list[str], per_sentence: list[list[_Hit]], cues: EntityCues, freq) -> None:
    """A surname and a two-character given name at a clause's start, before what a person does, whose last
    character doubled is a person the essay names (管天乐剪完寸头，… 乐乐说，…): the child's full name, though
    the name model alone reads 天乐 as no given name. A cue-only surname (那, 过) only before a given name and
    after a surname's word that no dictionary holds (过一诺过年的时候 … 诺诺), not a dictionary word
    nor a given name common as a word, and not inside a name already found. Weak evidence (weight 2)."""
    pets = {h.text[0] for hits in per_sentence for h in hits if h.type == "person" and _SOUND_WORD_RE.match(h.text)}
    if not pets:
        return
    for idx, sent in enumerate(sentences):
        taken = [(h.start, h.end) for h in per_sentence[idx]]
        for i, ch in enumerate(sent[:-2]):
            if ch not in cues.surnames or sent[i + 2] not in pets:
                continue
            # a cue-only surname (过, 那) only before a given name no dictionary holds (过一诺过年的时候 … 诺诺; not
            # 那一天 … 天天)
            if ch in cues.cue_only_surnames and (freq.get(sent[i + 1 : i + 3]) or freq.get(sent[i : i + 2])):
                continue
            if i > 0 and sent[i - 1] not in _CLAUSE_START_CHARS:
                continue
            name, given = sent[i : i + 3], sent[i + 1 : i + 3]
            if (
                given[0] == given[1]
                or any(s0 < i + 3 and i < e0 for s0, e0 in taken)
                or freq.get(name)
                or (freq.get(given) or 0) >= PET_FULL_GIVEN_MAX_FREQ
                or _common_word(sent[i : i + 2], 1)
                or not is_plausible_name(name, cues, named=True)
                or not (
                    _NAME_RIGHT_RE.match(sent, i + 3)
                    or word_tag(sent[i + 3 : i + 4]).startswith("v")
                    # (or a two-character verb or time word: 过一诺|过年的时候)
                    or (freq.get(sent[i + 3 : i + 5]) and word_tag(sent[i + 3 : i + 5]).startswith(("v", "t")))
                )
            ):
                continue
            per_sentence[idx].append(
                _Hit(name, "person", i, i + 3, "", 2.0, f"叠字名的全名: {_snippet(sent, i, i + 3)}")
            )


# a given name the essay uses alone, that a surname opens elsewhere (一鸣奶奶：… 说蹇一鸣这两天…): its count as a
# word at most (一鸣 0, 欢欢 5; not 海洋, 星星: a surname before those is a preposition or a word's end as often)
KNOWN_GIVEN_MAX_FREQ = 500


# a character doubled (欢欢): where it starts, overlapping runs too (哈哈哈 at 0 and 1)
_DOUBLED_CHAR_RE = re.compile(r"(?s)(?=(.)\1)")


def _surname_and_known_given(sentences: list[str], per_sentence: list[list[_Hit]], cues: EntityCues, freq) -> None:
    """A surname before a two-character given name the essay names a person by, alone, elsewhere: the person's
    full name (一鸣奶奶：…, 说蹇一鸣这两天不肯吃饭 → 蹇一鸣; 送楚欢欢的包裹。欢欢在院子里喂鸡 → 楚欢欢 and 欢欢).
    A doubled given name (欢欢) counts where it opens a clause before what a person does, as the surname and it
    point at each other. Not a given name that opens with a surname (李升 of 工程师李升: a full name already), not
    a conjunction, a preposition or a cue-only surname (和一鸣, 过欢欢), not after a
    character the surname ends a word with (清楚), not a dictionary word. Weak evidence (weight 2)."""
    from analysis.ingest.segment import word_tag

    given_ok: dict[str, bool] = {}  # each string once: its POS tagging is the costly part

    def _given_ok(g: str) -> bool:
        got = given_ok.get(g)
        if got is None:
            got = given_ok[g] = _given_ok_once(g)
        return got

    def _given_ok_once(g: str) -> bool:
        return (
            len(g) == 2
            and _ALL_CJK_RE.match(g) is not None
            and g not in cues.not_reduplicated
            and g not in cues.not_nicknames
            and g not in cues.not_actors
            and not _KIN_WORD_RE.match(g)
            and (freq.get(g) or 0) < KNOWN_GIVEN_MAX_FREQ
            and not any(c in cues.given_stop for c in g)
            and not any(tg.startswith(("d", "m", "r", "p", "u")) for _, tg in pos_tag(g))
        )

    def _surname_before(sent: str, p: int) -> str:
        if p < 1:
            return ""
        s = sent[p - 1]
        if (
            s not in cues.surnames
            or s in cues.cue_only_surnames
            or s in _CONJUNCTION_SURNAMES
            or s in _PREPOSITION_SURNAMES
            or (p >= 2 and sent[p - 2 : p] in cues.compound_set)
            or (p >= 2 and _ALL_CJK_RE.match(sent[p - 2]) and freq.get(sent[p - 2 : p]))
            or freq.get(s + sent[p : p + 2])
        ):
            return ""
        return s

    # (a name the essay found that a surname opens is a full name, no given name: 工程师李升 holds no 师李升)
    # (the cheap checks first: most of a long random line's guesses open with a surname)
    known = {
        h.text
        for hits in per_sentence
        for h in hits
        if h.type == "person"
        and len(h.text) == 2
        and (h.text[0] == h.text[1] or not surname_of(h.text, cues))
        and _given_ok(h.text)
    }
    # a doubled given name opening a clause before what a person does (。欢欢在院子里喂鸡)
    alone: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for idx, sent in enumerate(sentences):
        for p in (m.start() for m in _DOUBLED_CHAR_RE.finditer(sent, 0, len(sent) - 1)):
            g = sent[p : p + 2]
            if (
                (p == 0 or sent[p - 1] in _CLAUSE_START_CHARS)
                and (_NAME_RIGHT_RE.match(sent, p + 2) or word_tag(sent[p + 2 : p + 3]).startswith("v"))
                and _given_ok(g)
            ):
                alone[g].append((idx, p))
    # where a given name of the two sets stands, found in one pass over each sentence (every one has two characters)
    given_names = _automaton(known | set(alone))
    for idx, sent in enumerate(sentences):
        if given_names is None:
            break
        taken = [(h.start, h.end) for h in per_sentence[idx]]
        for p in sorted({s0 for s0, _, _ in given_names.spans(sent) if 1 <= s0 < len(sent) - 1}):
            g = sent[p : p + 2]
            sur = _surname_before(sent, p)
            if not sur or any(s0 < p + 2 and p - 1 < e0 and (s0, e0) != (p, p + 2) for s0, e0 in taken):
                continue
            name = sur + g
            if any((s0, e0) == (p - 1, p + 2) for s0, e0 in taken) or not is_plausible_name(name, cues, named=True):
                continue
            per_sentence[idx].append(
                _Hit(name, "person", p - 1, p + 2, "", 2.0, f"姓+文中的名: {_snippet(sent, p - 1, p + 2)}")
            )
            taken.append((p - 1, p + 2))
            if g not in known:
                known.add(g)
                for j, q in alone[g]:
                    if not any(s0 < q + 2 and q < e0 for s0, e0 in ((h.start, h.end) for h in per_sentence[j])):
                        per_sentence[j].append(
                            _Hit(g, "person", q, q + 2, "", 2.0, f"姓+叠字名的名: {_snippet(sentences[j], q, q + 2)}")
                        )


# a child called by a rank among siblings (老幺, 老六): 老 and a rare word jieba reads as a person's name
RANK_NAME_PREFIX = "老"


def _rank_name(x: str, tags: set[str], f: int) -> bool:
    """Is ``x`` a sibling's rank used as a name (坐在最后一排的老幺也举了手)? 老 + one character that
    jieba's dictionary holds as a rare person's word (老幺 3), not a common one (老公, 老师)."""
    return len(x) == 2 and x[0] == RANK_NAME_PREFIX and f < RARE_NAME_FREQ and any(t.startswith("nr") for t in tags)


def _actor_word(
    x: str, start: int, end: int, spans: _Spans, cues: EntityCues, freq, *, before_de: bool = False, strong=False
) -> bool:
    """Can ``x`` (at start:end of its sentence) be a cue-less name? Before 的
    an adjective is an adjective (亲爱的爸爸, 可爱的妈妈). A doubled character jieba reads as a
    measure word (朵朵, 豆豆) is a name before what only a person does (最小的朵朵才五岁), not a
    measure word (朵朵白云 does nothing)."""
    if (
        x in cues.not_actors
        or _KIN_WORD_RE.match(x)
        or x in cues.not_names
        or x in cues.not_nicknames
        or x in cues.not_reduplicated
        or x in cues.public_figures
    ):
        return False
    if start not in spans.by_start or end not in spans.by_end:
        return False  # part of a longer word (课间|操, 同|桌子)
    f = freq.get(x) or 0
    tags = {t[1] for t in spans.by_start.get(start, ()) if t[3] == end}
    # one word, or the words x is made of (a nickname's prefix 二, 大 is a numeral or adjective of its own)
    parts = set() if _NICK_SHAPE_RE.match(x) else {t[1] for t in spans.overlapping(start, end)}
    if strong and x[0] == x[1] and tags == {"q"}:
        tags = set()
    if x[0] == x[1] and tags == {"o"}:
        tags = set()  # a doubled sound word (嘟嘟) as a child's name: two uses asked in _actor_names
    if (tags | parts) & (_NOT_IN_NAME_TAGS | {"d", "m", "q"} if _NICK_SHAPE_RE.match(x) else _FUNCTION_TAGS):
        return False  # 我们, 后来, 一个, 于是; 对|你 … (a nickname's shape may read as a time word: 冬冬)
    if before_de and (tags & {"a", "ad", "an", "b", "z"} or (tags & {"v", "vn"} and f >= RARE_VERB_FREQ)):
        return False  # 亲爱的爸爸, 辛苦的妈妈, 打工的爸爸 (a rare verb: see _verb_before_de)
    if _NICK_SHAPE_RE.match(x):
        return f < ACTOR_MAX_FREQ and not any(c in cues.given_stop for c in x[1:])
    if _rank_name(x, tags, f):
        return True
    if any(c in cues.given_stop for c in x) or f > ACTOR_MAX_FREQ:
        return False
    return f <= ACTOR_COMMON_FREQ or bool(tags & _ACTOR_FLAGS_IF_COMMON)


# a hamlet called by its landform (茶园湾, 枧槽冲, 杉树坪, 岩脚湾), where only a place can stand: after
# 住在, 来自, 从, 隔壁 …, or in a list with a place the essay names, before 等N个村, 三个村民小组 …
_HAMLET_ENDS = "坳湾冲坪岩坝沟岭垭塘峪洼坨屯井凼滩"
_HAMLET_END_CHARS = frozenset(_HAMLET_ENDS)
_HAMLET = rf"(?![在到去从的了和与])[\u4e00-\u9fff]{{1,3}}[{_HAMLET_ENDS}]"
_HAMLET_AFTER_RE = re.compile(
    # (回的: 送我回的枫树湾, the spoken 是…的 around where one was taken back to)
    rf"(?:住在|家住|家在|来自|从|到|去|回到|回的?|隔壁的?|位于|搬到|嫁到|远在|在)(?P<name>{_HAMLET})"
    r"(?=[，。、；！？\s]|那|这|的|过来|过去|一带|附近|最|里|村|组|人|小学|教学点"
    # …or the relative's house there (回枫树湾外婆家)
    r"|(?:外婆|外公|奶奶|爷爷|姥姥|姥爷|姑姑|舅舅|老)?家"
    # …or what children go to a river's bend or a shoal to do (私自到鹅颈滩游泳 is a place's name here)
    r"|游泳|玩水|戏水|洗澡|摸鱼|捉鱼|钓鱼)"
    # a clause that starts with the hamlet and goes on to where it is (冬天了，蕨菜坪那边冷)
    rf"|(?:^|[，。；！？：])(?P<name2>{_HAMLET})(?=那边|那里|这边|一带)"
)
# a village group called by a hamlet's name (看望枫木湾组和四组的留守儿童): found from the group's end
_HAMLET_GROUP_RE = re.compile(rf"[{_HAMLET_ENDS}](?=组|村民小组)")
# a market town where people go to market (今天是马鞍场赶集的日子, 龙潭集逢集): found from its suffix
_MARKET_ENDS = "场集墟"
_MARKET = rf"(?![在到去从的了和与是])[\u4e00-\u9fff]{{2,3}}[{_MARKET_ENDS}]"
_MARKET_END_RE = re.compile(rf"[{_MARKET_ENDS}](?=赶集|赶场|赶墟|逢集|逢场|逢墟)")
# …and the place people go to to market, whatever it ends with (挑着菜去石板桥赶集, 到龙潭赶场)
_MARKET_GOING_RE = re.compile(
    r"(?:去|到|上)(?P<name>(?![镇县城乡村集街市圩场墟])[\u4e00-\u9fff]{2,3}(?<![里上头边下中外镇县城乡村街市]))"
    r"(?=赶集|赶场|赶墟)"
)


def _word_start_before(sent: str, end: int, starts: dict, pattern: str, max_len: int = 4) -> int | None:
    """Where a name of ``pattern`` that ends at ``end`` starts: the first offset at most ``max_len``
    characters back where a jieba word that is no verb or function word starts (看望|枫木湾组, 是|马鞍场)."""
    return next(
        (
            x
            for x in range(max(0, end - max_len), end - 1)
            if x in starts and starts[x][0][1][:1] not in "vpdcrmuf" and re.fullmatch(pattern, sent[x:end])
        ),
        None,
    )


_HAMLET_LIST_RE = re.compile(
    r"[\u4e00-\u9fff]{2,6}(?:、[\u4e00-\u9fff]{2,6})+(?=[等三四五六七八九十两\d]*个?(?:村|组|自然村|村民小组|寨))"
)


def _landform_places(sentences: list[str], per_sentence: list[list[_Hit]], cues: EntityCues, freq) -> None:
    """Hamlets named by their landform (:data:`_HAMLET_AFTER_RE`, :data:`_HAMLET_LIST_RE`), market
    towns where people go to market (:data:`_MARKET_END_RE`, :data:`_MARKET_GOING_RE`), and the other items of a list that
    holds a place found otherwise (鹞鸣坪村、茶园湾、岩门组等). A dictionary word (山坡, 池塘, 海湾,
    菜市场) or a listed non-place is no hamlet."""
    for sent, hits in zip(sentences, per_sentence):
        if not any(c in sent for c in _HAMLET_ENDS + _MARKET_ENDS):
            continue
        taken = [(h.start, h.end) for h in hits if h.type in ("place", "organisation")]
        found = [
            (m.start("name"), m.end("name")) if m.group("name") else (m.start("name2"), m.end("name2"))
            for m in _HAMLET_AFTER_RE.finditer(sent)
        ]
        # a rare word there is the place too (磨子桥: count 3, a place jieba has heard of)
        going = {(m.start("name"), m.end("name")) for m in _MARKET_GOING_RE.finditer(sent)}
        found += sorted(going)
        starts = _as_spans(_token_spans(sent)).by_start
        for regex, pattern in ((_HAMLET_GROUP_RE, _HAMLET), (_MARKET_END_RE, _MARKET)):
            for m in regex.finditer(sent):
                s0 = _word_start_before(sent, m.end(), starts, pattern)
                if s0 is not None:
                    found.append((s0, m.end()))
        places = {h.text for h in hits if h.type == "place"}
        lists = [(m, True) for m in _HAMLET_LIST_RE.finditer(sent)] + [
            (m, False) for m in re.finditer(r"[\u4e00-\u9fff]{2,6}(?:、[\u4e00-\u9fff]{2,6})+", sent)
        ]
        for m, counted in lists:
            items = m.group(0).split("、")
            if not counted and not any(item.endswith(p) or item.startswith(p) for item in items for p in places):
                continue
            at = m.start()
            for k, item in enumerate(items):
                end = at + len(item)
                if k == len(items) - 1:  # (杉树坪|三个村民小组)
                    end -= len(re.search(r"[等三四五六七八九十两\d]*个?$", item).group(0))
                # the list starts where a word starts (覆盖|雷公坳, not 盖雷公坳)
                s0 = next(
                    (
                        x
                        for x in range(at, end - 1)
                        if (k > 0 or (x in starts and starts[x][0][1][:1] not in "vpdcr"))
                        and re.fullmatch(_HAMLET, sent[x:end])
                    ),
                    None,
                )
                if s0 is not None and (k == 0 or s0 == at):
                    found.append((s0, end))
                at += len(item) + 1
        for s, e in found:
            x = sent[s:e]
            common = (freq.get(x) or 0) >= NAME_DICT_MAX_FREQ if (s, e) in going else freq.get(x)
            if common or x in cues.not_places or _overlaps((s, e), taken):
                continue
            hits.append(_Hit(x, "place", s, e, "", 1.0, f"地形村名: {_snippet(sent, s, e)}"))
            taken.append((s, e))


# surnames that are also a preposition, a conjunction or a verb that brings in a person (向侯莹反映, 和侯莹一起,
# 让侯莹回答, 陪侯莹去): glued before a name the essay names on its own, no part of it
INTRODUCER_CHARS = frozenset("向和与跟对给把被让叫找问同替为陪帮请教带")


def _introducer_glued_names(sentences: list[str], per_sentence: list[list[_Hit]], cues: EntityCues) -> None:
    """A person hit made of such a character and a name the essay names elsewhere by a cue (班主任侯莹 …
    各科老师向侯莹反映: 侯莹, not a child 向侯莹; 向杜晓 of 向杜晓岚) becomes that name, one character on —
    a guess always, a cue's hit where the name's own cue weighs as much. 向 stays a surname where the
    rest is no name of its own (向明, 向老师)."""
    best: dict[str, float] = defaultdict(float)
    for hits in per_sentence:
        for h in hits:
            if (
                h.type == "person"
                and h.role
                and h.role != "public_figure"
                and len(h.text) >= 2
                and surname_of(h.text, cues)
            ):
                best[h.text] = max(best[h.text], h.weight)
    if not best:
        return
    for sent, hits in zip(sentences, per_sentence):
        for i, h in enumerate(hits):
            if h.type != "person" or h.text[:1] not in INTRODUCER_CHARS or h.role == "public_figure":
                continue
            rest = sent[h.start + 1 :]
            known = [n for n in best if n != h.text and rest.startswith(n)]
            if not known:
                continue
            name = max(known, key=len)
            if h.role and h.weight > best[name]:
                continue
            s = h.start + 1
            hits[i] = _Hit(
                name,
                "person",
                s,
                s + len(name),
                h.role,
                h.weight,
                f"{h.text[0]}+已知名: {_snippet(sent, s, s + len(name))}",
            )


_CLAUSE_OPEN_RE = r"(?:^|(?<=[，。！？；：、“”（(）)\s]))"
STOP_GIVEN_MIN_ALONE = 2  # clause-opening uses of the two-character given name alone that make it the name


def _stop_char_given_names(sentences: list[str], per_sentence: list[list[_Hit]], cues: EntityCues) -> None:
    """A name a cue cut before a stop character (宫春 of 孙子宫春来: 来 closes a given name) is the surname and a
    two-character given name ending in it (宫春来) where every mention of the cut name goes on with that
    character and the essay opens clauses with the two-character given name alone (春来是老大, 问：春来，…).
    A name guessed with no cue across the longer name (孙子宫 of 孙子宫春来) is dropped."""
    joined = "\n".join(sentences)
    cut = {
        h.text: h.role
        for hits in per_sentence
        for h in hits
        if h.type == "person"
        and h.role
        and h.role != "public_figure"
        and len(h.text) == 2
        and h.text[0] in cues.surnames
    }
    longer: dict[str, str] = {}
    for name in cut:
        after = {joined[m.end() : m.end() + 1] for m in re.finditer(re.escape(name), joined)}
        if len(after) != 1 or not (c := after.pop()) or c not in cues.given_stop:
            continue
        given = name[1] + c
        alone = [
            m
            for m in re.finditer(_CLAUSE_OPEN_RE + re.escape(given), joined)
            if joined[m.start() - 1 : m.start()] != name[0]
        ]
        if len(alone) >= STOP_GIVEN_MIN_ALONE:
            longer[name] = name + c
    role_of = {full: cut[name] for name, full in longer.items()}
    if not longer:
        return
    for sent, hits in zip(sentences, per_sentence):
        spans = []
        for full in longer.values():
            spans += [(m.start(), m.end(), full) for m in re.finditer(re.escape(full), sent)]
        if not spans:
            continue
        hits[:] = [
            h
            for h in hits
            if not (
                h.type == "person"
                and (h.text in longer or not h.role)
                and _overlaps((h.start, h.end), [(a, b) for a, b, _ in spans])
            )
        ]
        hits.extend(
            _Hit(full, "person", a, b, role_of[full], 3.0, f"姓+名（止字结尾）: {_snippet(sent, a, b)}")
            for a, b, full in spans
        )


VERB_SURNAME_GIVEN_MIN_SCORE = 0.0  # the name model's score of each character of such a given name (思 0.45, 远 1.61)


def _verb_surname_names(sentences: list[str], per_sentence: list[list[_Hit]], cues: EntityCues, freq: dict) -> None:
    """A rare surname that is one of the commonest verbs too (``verb_surnames``: 能 "can", 种 "sow") and a
    two-character given name, where the essay also calls the person by that given name alone, opening a clause
    (学生能思远 … 思远每天放学要先做饭; 种晨阳 … 晨阳，你的姓…): the given name no dictionary word, no stop
    character in it, each character one the name model reads as a given name's. Such a surname stays out of
    ``surnames``: 能够, 能按时, 种菜 would read as names."""
    from analysis.methods import namemodel

    if not cues.verb_surnames:
        return
    joined = "\n".join(sentences)
    pat = re.compile(rf"[{re.escape(''.join(cues.verb_surnames))}](?P<given>[{_CJK}]{{2}})")
    names: set[str] = set()
    for m in pat.finditer(joined):
        given = m["given"]
        if (
            given in names
            or freq.get(given)
            or any(c in cues.given_stop for c in given)
            or any(namemodel.given_score(c) < VERB_SURNAME_GIVEN_MIN_SCORE for c in given)
        ):
            continue
        if any(
            joined[a.start() - 1 : a.start()] not in cues.verb_surnames
            for a in re.finditer(_CLAUSE_OPEN_RE + re.escape(given), joined)
        ):
            names.add(m.group(0))
    if not names:
        return
    for sent, hits in zip(sentences, per_sentence):
        spans = [(m.start(), m.end(), n) for n in names for m in re.finditer(re.escape(n), sent)]
        if not spans:
            continue
        hits[:] = [
            h
            for h in hits
            if not (h.type == "person" and not h.role and _overlaps((h.start, h.end), [(a, b) for a, b, _ in spans]))
        ]
        hits.extend(
            _Hit(n, "person", a, b, cues.default_role, 2.0, f"动词姓+单用的名: {_snippet(sent, a, b)}")
            for a, b, n in spans
        )


NOUN_OPENED_PLACE_FREQ = 1000  # jieba count of a noun (火把 836, 老家 686; 家乡 1217) that may open a place's name
NOUN_OPENED_PLACE_MIN = 2  # mentions of the place, each after that noun


def _noun_opened_places(sentences: list[str], per_sentence: list[list[_Hit]], freq: dict, all_spans: list) -> None:
    """A place or a school whose name a noun opens (火把|梁子村, 火把|梁子村小: jieba reads 火把 "torch" as a word
    and 梁子 as a name) takes that noun where the essay never names it without the noun: two mentions or more,
    every one after the same two-character noun, the name's first token a rare word at most (梁子 0, 岭子 4). Cutting the noun
    off would leave 火把 beside the pseudonym and the romanised name (Huobaliangzi) unmatched."""
    joined = "\n".join(sentences)
    found: dict[str, str] = {}  # the name's first two characters -> the noun before them
    for hits, spans in zip(per_sentence, all_spans):
        for h in hits:
            if h.type not in ("place", "organisation") or h.start < 2:
                continue
            before = spans.by_end.get(h.start) or ()
            first = spans.by_start.get(h.start) or ()
            if not (before and first):
                continue
            w, f, _, _ = before[0]
            head, hf, _, _ = first[0]
            if (
                len(w) == 2
                and f == "n"
                and 0 < (freq.get(w) or 0) < NOUN_OPENED_PLACE_FREQ
                and (freq.get(head) or 0) < NAME_DICT_MAX_FREQ
            ):
                found.setdefault(h.text[:2], w)
    for head, w in list(found.items()):
        at = [m.start() for m in re.finditer(re.escape(head), joined)]
        if len(at) < NOUN_OPENED_PLACE_MIN or any(joined[a - 2 : a] != w for a in at):
            del found[head]
    if not found:
        return
    for hits in per_sentence:
        for i, h in enumerate(hits):
            w = found.get(h.text[:2]) if h.type in ("place", "organisation") else None
            if w:
                hits[i] = _Hit(w + h.text, h.type, h.start - 2, h.end, h.role, h.weight, h.evidence)


# a work's title (《夏洛的网》, 《沙家浜》)
_WORK_TITLE_RE = re.compile(r"《[^《》]{1,30}》")


def _drop_titled_guesses(sentences: list[str], per_sentence: list[list[_Hit]]) -> None:
    """A guess with no cue (the name model's, jieba's) inside a work's title
    (夏洛 in 《夏洛的网》, 沙家浜, 白门柳) is part of the title, not a person.
    Names found by a cue stay, and a name the text uses outside the title is
    replaced in the title too (the replacer works on the name, wherever)."""
    for sent, hits in zip(sentences, per_sentence):
        if "《" not in sent:
            continue
        spans = [(m.start() + 1, m.end() - 1) for m in _WORK_TITLE_RE.finditer(sent)]
        if spans:
            hits[:] = [
                h
                for h in hits
                if not (
                    h.type == "person"
                    and not h.role
                    and h.weight < 1
                    and any(s <= h.start and h.end <= e for s, e in spans)
                )
            ]


# what a family's neighbours, a class's parents or a village call a person by their surname (向奶奶, 宁妹子)
_ADDRESS_TERMS = (
    "奶奶|爷爷|外婆|外公|姥姥|姥爷|婆婆|公公|大爷|大妈|大娘|大婶|大姐|大哥|大嫂|大叔|阿姨|叔叔|婶婶|伯伯|"
    "妹子|嫂子|姐姐|哥哥"
)
_ADDRESS_RE = re.compile(
    rf"(?:^|(?<=[，。！？；：“”‘’【】\s]))(?P<sur>[\u4e00-\u9fff])(?P<title>{_ADDRESS_TERMS})"
    # …then what a person does, or the end of a call (向奶奶说，…; 叫她“宁妹子”; not 向奶奶问好: to her)
    r"(?=说|讲|问(?!好)|笑|哭|叹|喊|答|告诉|[，,。！!？?”」]|好[！!，,。]|也|又|就|还|都|总|常|一直|把|给|在|带|领|拉|抱|送|骑)"
)
# a given name or a nickname known in the essay, right after a surname (，盖天乐的秋游费用 of 天乐)
_SURNAME_BEFORE_RE = re.compile(r"(?:^|(?<=[，。！？；：“”‘’【】、\s]))[\u4e00-\u9fff]$")


def _family_names(sentences: list[str], per_sentence: list[list[_Hit]], cues: EntityCues, freq) -> None:
    """Forms built on a person the essay names by a cue: the surname of a full name with an
    address term (向远航 … 向奶奶说; 宁静 … 叫她“宁妹子”) — a prepositional surname (向, 和) only at a
    clause's start and before what a person does —, and a known given name or nickname with a
    surname before it at a clause's start (天乐 … ，盖天乐的), unless surname and name start a
    dictionary word (白天乐呵呵) or the surname is a conjunction or a preposition (和天乐)."""
    named = [h for hits in per_sentence for h in hits if h.type == "person" and h.role and h.role != "public_figure"]
    if not named:
        return
    surnames = {
        sur
        for h in named
        if (sur := surname_of(h.text, cues))
        and len(sur) == 1
        and 1 <= len(h.text) - len(sur) <= 2
        and not h.text.startswith(("小", "老"))
    }
    # (a doubled name is a given name or a nickname, even of a character that is a surname too: 乐乐)
    given = {h.text for h in named if len(h.text) == 2 and (not surname_of(h.text, cues) or h.text[0] == h.text[1])}
    for sent, hits in zip(sentences, per_sentence):
        taken = [(h.start, h.end) for h in hits if h.type == "person"]
        for m in _ADDRESS_RE.finditer(sent):
            x = m.group(0)
            if m.group("sur") not in surnames or _overlaps(m.span(), taken):
                continue
            hits.append(
                _Hit(x, "person", m.start(), m.end(), "adult", 3.0, f"同姓称呼: {_snippet(sent, m.start(), m.end())}")
            )
        for g in given:
            for start, end in _literal_spans(g, sent):
                sur = sent[start - 1 : start]
                if (
                    start < 1
                    or sur not in cues.surnames
                    or sur in cues.not_before_title
                    or sur in _CONJUNCTION_SURNAMES
                    or not _SURNAME_BEFORE_RE.search(sent[:start])
                    or (freq.get(sur + g[0]) or 0) >= COMMON_WORD_FREQ
                    or (freq.get(sur + g) or 0) > 0
                ):
                    continue
                hits.append(
                    _Hit(
                        sur + g, "person", start - 1, end, "child", 2.0, f"姓+已知名: {_snippet(sent, start - 1, end)}"
                    )
                )


_JOINERS = frozenset("和与跟、")
# a cue-less word joined to a person, or a speaker's label, must be rarer than this as a word,
# a nickname's shape, or read by jieba as a name (满江, 小万, 子涵; not 韩国, 农药, 附记)
RARE_NAME_FREQ = 20


def _jieba_name(x: str, start: int, end: int, spans) -> bool:
    """Whether jieba reads ``x`` (at start:end) as one word tagged as a person's name."""
    return any(t[1].startswith("nr") for t in _as_spans(spans).by_start.get(start, ()) if t[3] == end)


def _rare_or_name(x: str, start: int, end: int, spans, freq) -> bool:
    f = freq.get(x) or 0
    if _NICK_SHAPE_RE.match(x) or f < RARE_NAME_FREQ:
        return True
    return f < ACTOR_COMMON_FREQ and _jieba_name(x, start, end, spans)


_SPEAKER_RE = re.compile(r"^(?P<name>[\u4e00-\u9fff]{2,3})[：:](?=.)")
# a speaker's label used this often in one essay is a person (a transcript, a chat)
SPEAKER_MIN_TURNS = 2


def _coordinated_names(
    sentences: list[str], per_sentence: list[list[_Hit]], cues: EntityCues, freq, spans: list
) -> None:
    """Two characters joined by 和, 跟, 、 … to a person the essay names are a
    person too (毛毛和小万打架了, 我的好朋友杜小雨和满江, 二娃和平安是堂兄弟);
    joined to 我 or 你, only a nickname's shape (我和二丫, 带你和乐乐). The
    word must pass :func:`_actor_word` (a whole word, no word for people or
    kin, no pronoun, not common). Repeated until nothing new is found (a chain
    of names). Weak evidence (weight 1); role from the essay's other cues."""
    people = {
        h.text
        for hits in per_sentence
        for h in hits
        if h.type == "person" and h.role != "public_figure" and h.weight >= 1
    }
    pronouns = ("我", "你")
    while True:
        found: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        for idx, sent in enumerate(sentences):
            sent_spans = _as_spans(spans[idx])
            anchors = [(p, True) for p in people if p in sent] + [(p, False) for p in pronouns if p in sent]
            for anchor, named in anchors:
                k = len(anchor)
                for s, e in _literal_spans(anchor, sent):
                    sides = []
                    if e + 3 <= len(sent) and sent[e] in _JOINERS:
                        sides.append((e + 1, e + 3, sent[e]))
                    if s >= 3 and sent[s - 1] in _JOINERS:
                        sides.append((s - 3, s - 1, sent[s - 1]))
                    for xs, xe, joiner in sides:
                        x = sent[xs:xe]
                        if (
                            x in people
                            or not _ALL_CJK_RE.match(x)
                            or x[-1] == "家"  # 赵家父子: a family (privacy's family forms)
                            or (not named and not _NICK_SHAPE_RE.match(x))
                        ):
                            continue
                        if not _rare_or_name(x, xs, xe, sent_spans, freq):
                            continue
                        if joiner == "、" and not (_NICK_SHAPE_RE.match(x) or _jieba_name(x, xs, xe, sent_spans)):
                            continue  # a list of things may hold a name (火树、银花): only a name or nickname joins
                        if not named and k == 1 and sent[e : e + 1] in "们":
                            continue
                        if _actor_word(x, xs, xe, sent_spans, cues, freq, before_de=sent[xe : xe + 1] == "的"):
                            found[x].append((idx, xs, xe))
        if not found:
            return
        for x, where in found.items():
            people.add(x)
            for idx, xs, xe in where:
                per_sentence[idx].append(
                    _Hit(x, "person", xs, xe, "", 1.0, f"与人名并列: {_snippet(sentences[idx], xs, xe)}")
                )


# two nicknames joined as the subject or the list of a clause (大毛和二毛，长得一模一样; 胖丫和阿杰在一旁听见了)
_PAIR_RE = re.compile(r"(?:^|(?<=[，。！？；：“”‘’、\s（(]))(?P<a>[\u4e00-\u9fff]{2})[和跟与](?P<b>[\u4e00-\u9fff]{2})")
NICK_PAIR_MAX_FREQ = 50  # jieba count under which each of the pair must be (大毛 14; 大米, 笛子 are words)


def _nickname_pairs(sentences: list[str], per_sentence: list[list[_Hit]], cues: EntityCues, freq, spans: list) -> None:
    """Two words of a nickname's shape (大毛, 二毛; 胖丫, 阿杰) joined by 和, 跟 or 与 where a clause
    starts: the pair is two people, though neither is named elsewhere. Each must be a whole jieba word
    that :func:`_actor_word` takes and rarer than :data:`NICK_PAIR_MAX_FREQ` (小猫和小狗, 大树和小草 are
    things). Weak evidence (weight 1); role from the essay's other cues."""
    for idx, sent in enumerate(sentences):
        if not any(j in sent for j in "和跟与"):
            continue
        sent_spans = _as_spans(spans[idx])
        for m in _PAIR_RE.finditer(sent):
            pair = [(m.group(g), m.start(g), m.end(g)) for g in ("a", "b")]
            if all(
                _NICK_SHAPE_RE.match(x)
                and (freq.get(x) or 0) < NICK_PAIR_MAX_FREQ
                and _actor_word(x, s, e, sent_spans, cues, freq)
                for x, s, e in pair
            ):
                per_sentence[idx].extend(
                    _Hit(x, "person", s, e, "", 1.0, f"昵称并列: {_snippet(sent, s, e)}") for x, s, e in pair
                )


def _speaker_names(sentences: list[str], per_sentence: list[list[_Hit]], cues: EntityCues, freq, spans: list) -> None:
    """A label that opens turns of a transcript or chat (阿宝：在老鸮岩那边。)
    at least :data:`SPEAKER_MIN_TURNS` times in one essay is a speaker: a
    person, unless it is a word for people or a role (主持人, 记者, 问, 答 …:
    ``not_actors`` and common words, as :func:`_actor_word` decides)."""
    seen = {h.text for hits in per_sentence for h in hits if h.type == "person"}
    turns: dict[str, list[int]] = defaultdict(list)
    for idx, sent in enumerate(sentences):
        m = _SPEAKER_RE.match(sent)
        if m and m.group("name") not in seen:
            turns[m.group("name")].append(idx)
    for x, where in turns.items():
        if len(where) < SPEAKER_MIN_TURNS:
            continue
        first = _as_spans(spans[where[0]])
        if not _actor_word(x, 0, len(x), first, cues, freq) or not _rare_or_name(x, 0, len(x), first, freq):
            continue
        for idx in where:
            per_sentence[idx].append(
                _Hit(x, "person", 0, len(x), "", 1.0, f"对话说话人: {_snippet(sentences[idx], 0, len(x))}")
            )
    # a commenter's or a chat member's handle that is a romanised name (Ziyan Qu：…, WANG Lei：…): two pinyin
    # words, a surname's among them; one turn will do (an English handle, Lily or Happy Day, is none)
    for idx, sent in enumerate(sentences):
        m = _ROMAN_SPEAKER_RE.match(sent)
        if not m or m.group("name") in seen:
            continue
        words = m.group("name").split()
        if all(pinyin_word(w) for w in words) and {w.lower() for w in words} & _surname_readings(cues):
            x = m.group("name")
            per_sentence[idx].append(_Hit(x, "person", 0, len(x), "", 1.0, f"拼音网名: {_snippet(sent, 0, len(x))}"))


_ROMAN_SPEAKER_RE = re.compile(r"^(?P<name>[A-Z][A-Za-z]{1,7} [A-Z][A-Za-z]{0,7})\s*[：:]")


@functools.lru_cache(maxsize=4)
def _surname_readings(cues: EntityCues) -> frozenset[str]:
    """The toneless pinyin of every single-character surname (qu for 曲, 屈, 瞿)."""
    from pypinyin import Style, pinyin

    return frozenset(r for c in cues.surnames for r in pinyin(c, style=Style.NORMAL, heteronym=True)[0])


class _Occurrences:
    """Where strings occur in one text (an essay's sentences joined): the start
    offsets of every occurrence, overlapping ones included, found for a batch
    of strings in one pass over the text (an Aho–Corasick automaton), so
    asking about each of thousands of candidate names costs no pass over the
    whole essay each — that was quadratic in the essay's length. A string
    outside the batch is searched alone (and remembered)."""

    def __init__(self, text: str, words=()) -> None:
        self.text = text
        self._starts: dict[str, list[int]] = {}
        self.add(words)

    def add(self, words) -> None:
        """Find every string of ``words`` not yet known, in one pass."""
        new = {w for w in words if w and w not in self._starts}
        if not new:
            return
        found: dict[str, list[int]] = {w: [] for w in new}
        if self.text:
            for start, _, w in _automaton(new).spans(self.text):  # new holds a word: never None
                found[w].append(start)
        for w in found.values():
            w.sort()
        self._starts.update(found)

    def starts(self, word: str) -> list[int]:
        if not word:
            return []
        if word not in self._starts:
            self.add([word])
        return self._starts[word]

    def count(self, word: str) -> int:
        """``text.count(word)``: non-overlapping occurrences, left to right."""
        n, free = 0, 0
        for s in self.starts(word):
            if s >= free:
                n, free = n + 1, s + len(word)
        return n

    def occurs_not_after(self, word: str, before: str) -> bool:
        """``re.search(f"(?<!{before}){word}", text)`` (both literal)."""
        k, text = len(before), self.text
        for s in self.starts(word):  # (a loop, not any() over a generator: called for every short form)
            if text[max(0, s - k) : s] != before:
                return True
        return False

    def occurs_outside(self, word: str, other: str) -> bool:
        """Whether ``word`` occurs clear of every occurrence of ``other`` that
        ``text.replace(other, "")`` removes — that is ``word in
        text.replace(other, "")`` except for a ``word`` the removal would
        make by joining the text on both sides of an ``other``."""
        removed, free = [], 0
        for s in self.starts(other):
            if s >= free:
                removed.append(s)
                free = s + len(other)
        lw, lo = len(word), len(other)
        for s in self.starts(word):
            i = bisect.bisect_left(removed, s + lw)  # removed spans starting before word ends
            if i == 0 or removed[i - 1] + lo <= s:  # the last of them ends before word starts
                return True
        return False


def _literal_spans(word: str, text: str) -> list[tuple[int, int]]:
    """(start, end) of each occurrence of ``word`` in ``text``, left to right,
    not overlapping: ``re.finditer(re.escape(word), text)`` without compiling a
    pattern per word (thousands of candidate names thrash the regex cache)."""
    out, at = [], text.find(word) if word else -1
    while at >= 0:
        out.append((at, at + len(word)))
        at = text.find(word, at + len(word))
    return out


def _automaton(words):
    """An automaton over ``words`` (:mod:`analysis.textsearch`); None for no words."""
    from analysis.textsearch import automaton

    return automaton(words)


def _present(automaton, text: str) -> set[str]:
    """The words of ``automaton`` (see :func:`_automaton`) that occur in ``text``."""
    return automaton.present(text) if automaton is not None else set()


def _overlaps(a: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in taken)


# An essay longer than this (characters) has its sentences tagged on several
# processes when the build has cores to spare (:func:`analysis.procs.sharing_cores`).
PARALLEL_ESSAY_CHARS = 200_000


def _sentence_hits(sentences: list[str], cues: EntityCues, freq) -> tuple[list[_Spans], list[list[_Hit]]]:
    """Each sentence's tokens and the people, places and organisations found
    in it alone (the cross-sentence passes come after). On several processes
    for a huge essay (:data:`PARALLEL_ESSAY_CHARS`): the same result, in order."""
    from analysis import procs

    jobs = procs.inner_jobs()
    if jobs < 2 or sum(map(len, sentences)) < PARALLEL_ESSAY_CHARS:
        return _sentence_hits_part(sentences, cues, freq, 1, 0)
    parts = procs.fork_map(_sentence_hits_part, (sentences, cues, freq, 2 * jobs), 2 * jobs, jobs)
    spans = [_Spans(t) for part in parts for t in part[0]]
    for sent, sp in zip(sentences, spans):  # kept here too: name_candidates reads them next
        _remember_spans(sent, sp)
    return spans, [hits for part in parts for hits in part[1]]


def _sentence_hits_part(sentences: list[str], cues: EntityCues, freq, n: int, i: int):
    """:func:`_sentence_hits` for the ``i``-th of ``n`` runs of sentences (as
    even in characters as whole sentences allow)."""
    from analysis import procs

    sentences = procs.run_of(sentences, n, i)
    # each sentence's tokens once: the cache of _token_spans is smaller than a long essay
    spans = [_token_spans(sent) for sent in sentences]
    hits = [_people(s, sp, cues, freq) + _places_and_orgs(s, sp, cues, freq) for s, sp in zip(sentences, spans)]
    return ([tuple(sp) for sp in spans] if n > 1 else spans), hits  # plain tuples: no index to pickle


def find_entities(sentences: list[str], *, cues: EntityCues | None = None) -> list[dict]:
    """Entities in one essay given as its sentences, in order.

    Out: one dict per mention with keys ``sentence`` (index), text, type,
    role, start, end (offsets in that sentence), evidence, canonical (the
    full name for a variant such as 王某 or a given name, else the text).
    """
    cues = cues or load_entity_cues()
    # detection reads simplified characters (劉瑩瑩 is found as 刘莹莹; the replacer matches every written
    # form), and a name broken by a space (陶 磊) is one name: a single space inside a CJK run is dropped
    raw = [simplified_chars(s) for s in sentences]
    sentences = [_despace_row(s, cues) for s in raw]
    freq = get_tokenizer().FREQ if sentences else None
    all_spans, per_sentence = _sentence_hits(sentences, cues, freq)
    maybe = [[h for h in hits if h.type == WORD_NAME] for hits in per_sentence]
    per_sentence = [[h for h in hits if h.type != WORD_NAME] for hits in per_sentence]
    _word_names(sentences, per_sentence, maybe)
    _calendar_guesses(sentences, per_sentence)
    _listed_names(sentences, per_sentence, cues, freq)
    _participant_names(sentences, per_sentence, cues, freq)
    _counted_list_names(sentences, per_sentence, cues, freq)
    _roster_names(raw, sentences, per_sentence, cues)
    del raw
    _recurring_guesses(sentences, per_sentence, cues, freq, all_spans)
    _nickname_pairs(sentences, per_sentence, cues, freq, all_spans)
    _actor_names(sentences, per_sentence, cues, freq, all_spans)
    _pet_form_full_names(sentences, per_sentence, cues, freq)
    _surname_and_known_given(sentences, per_sentence, cues, freq)
    _speaker_names(sentences, per_sentence, cues, freq, all_spans)
    _coordinated_names(sentences, per_sentence, cues, freq, all_spans)
    _family_names(sentences, per_sentence, cues, freq)
    _drop_titled_guesses(sentences, per_sentence)
    _introducer_glued_names(sentences, per_sentence, cues)
    _stop_char_given_names(sentences, per_sentence, cues)
    _verb_surname_names(sentences, per_sentence, cues, freq)
    _landform_places(sentences, per_sentence, cues, freq)
    _noun_opened_places(sentences, per_sentence, freq, all_spans)
    del all_spans

    # Decide each distinct string once per essay.
    kind: dict[str, str] = {}
    role_votes: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    evidence: dict[str, str] = {}
    best_weight: dict[str, float] = defaultdict(float)
    public: set[str] = set()
    types_seen: dict[str, set[str]] = defaultdict(set)
    for hits in per_sentence:
        # a jieba guess inside a longer hit (左斌 in 左斌彬, 林斯基 in 苏霍姆林斯基) is dropped
        hits.sort(key=lambda h: (-(h.end - h.start), -h.weight))
        kept: list[_Hit] = []
        for h in hits:
            if h.type == "person" and not h.role and _overlaps((h.start, h.end), [(k.start, k.end) for k in kept]):
                continue
            kept.append(h)
        for h in kept:
            if h.type == "person" and h.role == "public_figure":
                public.add(h.text)
            types_seen[h.text].add(h.type if h.type != "person" or h.role else "guess")
            if h.role:
                role_votes[h.text][h.role] += h.weight
            if h.text not in evidence or h.weight > best_weight[h.text]:
                evidence[h.text] = h.evidence
                best_weight[h.text] = h.weight

    # a person cue beats an organisation, which beats a place, which beats
    # jieba's unsupported person guess
    for text, seen in types_seen.items():
        kind[text] = next(t for t in ("person", "organisation", "place", "guess") if t in seen)
        if kind[text] == "guess":
            kind[text] = "person"
    roles: dict[str, str] = {}
    for text, typ in kind.items():
        if typ != "person":
            roles[text] = "public" if role_votes[text].get("public") else ""
        elif text in public:
            roles[text] = "public_figure"
        elif role_votes[text]:
            # a person's cue decides the role over a city's name read elsewhere in the essay (蔚安康's
            # 安康, 安康市): the place's "public" votes count only where no person's role was voted
            votes = {r: v for r, v in role_votes[text].items() if r != "public"} or role_votes[text]
            roles[text] = max(votes.items(), key=lambda kv: (kv[1], kv[0] == "child"))[0]
        else:
            roles[text] = cues.default_role
            evidence[text] = f"无角色线索，默认{cues.default_role}; {evidence.get(text, '')}"

    # Variants of a full name in this essay: 王某 / 王XX → 王文悦, 文悦 → 王文悦.
    canonical = {t: t for t in kind}
    full_names = [
        t
        for t, k in kind.items()
        if k == "person" and roles[t] != "public_figure" and not t.endswith(("某", PLACEHOLDER))
    ]
    # the full names by surname, read once (not once per 王某: thousands of each on a long random line)
    by_surname: dict[str | None, list[str]] = {}
    for t, k in list(kind.items()):
        if k == "person" and t.endswith(("某", PLACEHOLDER)):
            if not by_surname and full_names:
                for f in full_names:
                    by_surname.setdefault(surname_of(f, cues), []).append(f)
            same = by_surname.get(surname_of(t, cues), [])
            if len(same) == 1:
                canonical[t] = same[0]
    joined = "\n".join(sentences)
    occ = _Occurrences(joined)  # where stems and short forms occur, found in one pass each
    occ.add(
        [place for place, typ in kind.items() if typ in ("place", "organisation")]
        + [stem for place, typ in kind.items() if typ in ("place", "organisation") for stem in place_stems(place)]
    )
    for place, typ in list(kind.items()):
        # a village called by its name alone (在坳背, 坳背村; 杉木坪 of 杉木坪小学; 枫树组 of 马家岭村枫树组): same pseudonym
        if roles.get(place) == "public":
            continue
        for stem in place_stems(place) if typ in ("place", "organisation") else ():
            if (
                len(stem) >= 2
                and stem not in kind
                # no dictionary word, or a rare one jieba knows as a place (沙坪 of 沙坪村; not 长江 of 长江村)
                and (
                    not (f := get_tokenizer().FREQ.get(stem))
                    or (f < NAME_DICT_MAX_FREQ and word_tag(stem).startswith("ns"))
                )
                and occ.occurs_outside(stem, place)
            ):
                kind[stem] = "place"
                roles[stem] = ""
                canonical[stem] = place
                evidence[stem] = f"地名简称（{place}）"
    forms_of: dict[tuple[str, str], list[tuple[str, str]]] = {}  # _short_forms by name and role, each once

    def short_forms(full: str) -> list[tuple[str, str]]:
        key = (full, roles[full])  # (a role may change below: a guess taken as another's short form)
        if key not in forms_of:
            forms_of[key] = _short_forms(full, roles[full], cues)
        return forms_of[key]

    occ.add(form for full in full_names for form, _ in short_forms(full))
    slot_only: set[str] = set()  # everyday words (静静) that are a person's only where the text names them
    object_slot_forms: set[str] = set()  # …or where a preposition takes them as a person (给天天寄了)
    for full in full_names:
        for form, why in short_forms(full):
            guessed = form in kind and not role_votes[form] and canonical.get(form) == form  # a name-model guess
            if form in kind and not guessed and not (why == "名" and _public_place(form, kind, roles)):
                continue
            # a given name stands as it is (覃小雨's 小雨); a nickname form that is an ordinary word
            # (令狐静's 静静) only where the text says someone is called so (同学们都叫她“静静”)
            if (form in cues.not_nicknames or form in cues.not_reduplicated) and why != "名":
                # …or, for a child's doubled given-name character (天天 of 万乐天), where a preposition or a verb
                # takes it as a person (给天天寄了一套书)
                object_slot = why == "叠字名" and roles[full] == "child"
                if not any(
                    in_naming_slot(joined, s)
                    or (
                        object_slot
                        and (in_person_object_slot(joined, s) or in_subject_time_slot(joined, s, s + len(form)))
                    )
                    for s in occ.starts(form)
                ):
                    continue
                slot_only.add(form)
                if object_slot:
                    object_slot_forms.add(form)
            if occ.occurs_not_after(form, surname_of(full, cues)):
                kind[form] = "person"
                roles[form] = roles[full]
                canonical[form] = full
                evidence[form] = f"{why}（{full}）"

    # Tag every occurrence, longest strings first, without overlaps.
    order = sorted(kind, key=lambda t: (-len(t), t))
    rank = {t: i for i, t in enumerate(order)}
    automaton = _automaton(order)
    rows = []
    for idx, sent in enumerate(sentences):
        taken: list[tuple[int, int]] = []
        orgs: list[tuple[int, int]] = []
        found = []
        # the strings of this essay in this sentence, longest first: found in one pass over the sentence,
        # not by testing every string of the essay against every sentence
        for t in sorted(_present(automaton, sent), key=rank.__getitem__):
            for span in _literal_spans(t, sent):
                if (
                    canonical[t] != t
                    and evidence.get(t, "").startswith(_FORM_WHYS)
                    and not short_form_reads_as_person(
                        t, sent, span[0], span[1], get_tokenizer().FREQ, why=evidence[t].split("（", 1)[0]
                    )
                ) or (
                    t in slot_only
                    and not in_naming_slot(sent, span[0])
                    and not (
                        t in object_slot_forms
                        and (in_person_object_slot(sent, span[0]) or in_subject_time_slot(sent, *span))
                    )
                ):
                    continue
                if canonical[t] != t and t == canonical[t][len(surname_of(canonical[t], cues)) :]:
                    # a given name right after its surname is part of the full name
                    if sent[max(0, span[0] - 1) : span[0]] == surname_of(canonical[t], cues):
                        continue
                if _overlaps(span, taken):
                    # a place may sit inside an organisation (公主岭市 in 公主岭市教育局)
                    if not (kind[t] == "place" and any(o[0] <= span[0] and span[1] <= o[1] for o in orgs)):
                        continue
                    if _overlaps(span, [x for x in taken if x not in orgs]):
                        continue
                taken.append(span)
                if kind[t] == "organisation":
                    orgs.append(span)
                found.append(
                    {
                        "sentence": idx,
                        "text": t,
                        "type": kind[t],
                        "role": roles[t],
                        "start": span[0],
                        "end": span[1],
                        "evidence": evidence.get(t, ""),
                        "canonical": canonical[t],
                    }
                )
        rows.extend(sorted(found, key=lambda r: r["start"]))
    return rows


NAME_CANDIDATE_COLUMNS = ["essay_id", "sentence_id", "candidate", "context"]
# a jieba person tag this common in its dictionary is a word, not a candidate
CANDIDATE_MAX_FREQ = 20


def name_candidates(sentences: pd.DataFrame) -> pd.DataFrame:
    """jieba's person tags (two to four CJK characters, rare as a word) in a
    sentences table, with 12 characters of context either side: what
    :func:`analysis.methods.privacy.review_candidates` weighs against the corpus's
    pseudonym map. Computed per essay (in the tagging stage, cached and spread
    over the workers) so that the corpus step does not POS-tag the corpus again.
    Private: it holds the names as written, like the entities table."""
    freq = get_tokenizer().FREQ
    rows = []
    for eid, sid, text in zip(sentences["essay_id"], sentences["sentence_id"], sentences["text"]):
        if not isinstance(text, str):
            continue
        for w, f, s, e in _token_spans(text):
            if (
                f.startswith("nr")
                and 2 <= len(w) <= 4
                and _ALL_CJK_RE.match(w)
                and (freq.get(w) or 0) < CANDIDATE_MAX_FREQ
            ):
                rows.append((eid, sid, w, text[max(0, s - 12) : e + 12]))
    return pd.DataFrame(rows, columns=NAME_CANDIDATE_COLUMNS).astype(str)


def extract_entities(sentences: pd.DataFrame, *, cues_path: str | Path | None = None) -> pd.DataFrame:
    """Entities table from a sentences table.

    In: columns essay_id, sentence_id, text (rows in essay order). Out:
    essay_id, sentence_id, text, type (person | place | organisation),
    role (child | adult | public_figure; '' for places and organisations),
    start, end (character offsets in the sentence text), evidence, canonical.
    """
    missing = {"essay_id", "sentence_id", "text"} - set(sentences.columns)
    if missing:
        raise KeyError(f"sentences table lacks columns: {', '.join(sorted(missing))}")
    cues = load_entity_cues(cues_path)
    rows = []
    for essay_id, ids, texts in _essay_groups(sentences):
        texts = [t if isinstance(t, str) else "" for t in texts]
        for r in find_entities(texts, cues=cues):
            r = dict(r)
            r["essay_id"] = essay_id
            r["sentence_id"] = ids[r.pop("sentence")]
            rows.append(r)
    out = pd.DataFrame(rows, columns=ENTITY_COLUMNS)
    return _set_dtypes(out, {"start": "int64", "end": "int64"})


def _set_dtypes(df: pd.DataFrame, dtypes: dict[str, str]) -> pd.DataFrame:
    """``df.astype(dtypes)`` on a frame just built here (same values and
    dtypes), converting only the columns that need it."""
    for col, dtype in dtypes.items():
        if df[col].dtype != dtype:
            df[col] = df[col].astype(dtype)
    return df


def _essay_groups(sentences: pd.DataFrame) -> list[tuple[str, list, list]]:
    """(essay_id, sentence ids, texts) per essay, as ``groupby("essay_id", sort=False)``."""
    return [(k, ids, texts) for k, (ids, texts) in group_columns(sentences, ["sentence_id", "text"])]


# --------------------------------------------------------- report helpers ---
def entity_counts(entities: pd.DataFrame) -> pd.DataFrame:
    """Mentions and distinct names per type and role (no names shown)."""
    missing = {"essay_id", "text", "type", "role"} - set(entities.columns)
    if missing:
        raise KeyError(f"entities table lacks columns: {', '.join(sorted(missing))}")
    key = entities["canonical"] if "canonical" in entities else entities["text"]
    frame = entities.assign(_key=key, role=entities["role"].replace("", "—"))
    out = frame.groupby(["type", "role"]).agg(
        mentions=("_key", "size"), names=("_key", "nunique"), essays=("essay_id", "nunique")
    )
    return out.reset_index()
