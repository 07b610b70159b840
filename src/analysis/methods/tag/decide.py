"""Tags of one text, each with the quote that decided it: person, genre, narrator and gender, school level and its
confidence, setting; the blend with the model (:func:`tag_text`).
"""

from __future__ import annotations


from analysis.startsearch import SHORT_TEXT, start_search
from analysis.methods.tag.cues import (
    Cue,
    LEVEL_PRESENT_CONFIDENCE,
    LEVEL_UNCERTAIN_BELOW,
    LabelSet,
    LevelRules,
    TaggingCues,
    _QUOTE_RE,
    _STOP_PUNCT,
    load_tagging_cues,
)


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
        # (a long text's cue searched only where a match can start: the same matches, read faster)
        rx = start_search(cue.regex) if hi - lo >= SHORT_TEXT else cue.regex
        for k, m in enumerate(rx.finditer(text, lo, hi)):
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
