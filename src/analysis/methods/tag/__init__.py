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

The parts: ``cues`` (the cue file compiled; tag names and columns), ``decide``
(one text's tags and the blend with the model), ``quantities`` (numbers and
Chinese numerals), ``sections`` (section headings, framing lines) and
``essays`` (an essays table's tags, the report table). Every public name is
importable from ``analysis.methods.tag``.
"""

from __future__ import annotations

from analysis.methods.tag.cues import (
    CUES_FILE,
    Cue,
    GENRES,
    LEVEL_PRESENT_CONFIDENCE,
    LEVEL_UNCERTAIN_BELOW,
    LabelSet,
    LevelRules,
    NARRATORS,
    TAG_COLUMNS,
    TaggingCues,
    _QUOTE_RE,
    load_tagging_cues,
)
from analysis.methods.tag.decide import (
    MODEL_SURE,
    _blend,
    _decide_genre,
    _decide_narrator,
    _signed_narrator,
    decide_genre,
    decide_narrator,
    decide_narrator_gender,
    decide_person,
    decide_school_level,
    decide_setting,
    pronoun_counts,
    quote,
    school_level_with_confidence,
    score_cues,
    tag_text,
)
from analysis.methods.tag.quantities import (
    NUMBER_COLUMNS,
    NUMBER_CONTEXT_CHARS,
    NUMBER_PATTERNS,
    cn_number,
    find_numbers,
    numbers,
)
from analysis.methods.tag.sections import (
    FRAMING_MAX_CHARS,
    HEADING_STYLES,
    MAX_HEADING_CHARS,
    STRUCTURE_COLUMNS,
    find_heading,
    framing_lines,
    structure,
)
from analysis.methods.tag.essays import _places_fast, _places_grouped, tag_essays, tag_table

__all__ = [
    "CUES_FILE",
    "Cue",
    "FRAMING_MAX_CHARS",
    "GENRES",
    "HEADING_STYLES",
    "LEVEL_PRESENT_CONFIDENCE",
    "LEVEL_UNCERTAIN_BELOW",
    "LabelSet",
    "LevelRules",
    "MAX_HEADING_CHARS",
    "MODEL_SURE",
    "NARRATORS",
    "NUMBER_COLUMNS",
    "NUMBER_CONTEXT_CHARS",
    "NUMBER_PATTERNS",
    "STRUCTURE_COLUMNS",
    "TAG_COLUMNS",
    "TaggingCues",
    "_QUOTE_RE",
    "_blend",
    "_decide_genre",
    "_decide_narrator",
    "_places_fast",
    "_places_grouped",
    "_signed_narrator",
    "cn_number",
    "decide_genre",
    "decide_narrator",
    "decide_narrator_gender",
    "decide_person",
    "decide_school_level",
    "decide_setting",
    "find_heading",
    "find_numbers",
    "framing_lines",
    "load_tagging_cues",
    "numbers",
    "pronoun_counts",
    "quote",
    "school_level_with_confidence",
    "score_cues",
    "structure",
    "tag_essays",
    "tag_table",
    "tag_text",
]
