"""The coding guides' summary on a coding sheet's 'guide' sheet (the full guides are in
data/annotations/), one line per code."""

from __future__ import annotations


SCHOOL_LEVELS = ("primary", "junior_secondary", "senior_secondary", "preschool", "")


def guide_rows(unit: str) -> list[tuple[str, str]]:
    """The coding guide's summary for the sheet (the full guides are in data/annotations/)."""
    from analysis.methods import sentiment, tag, themes

    if unit == "sentences":
        rows = [
            (
                "label",
                "positive / neutral / negative: the tone the sentence itself expresses or describes, not "
                "the topic (data/annotations/sentiment_coding_guide.md)",
            ),
            ("positive", "praise, improvement, achievement, warmth, care, hope, gratitude, good wishes, commitment"),
            ("negative", "loneliness, sadness, hardship, a problem, failure, bad behaviour, risk, fear, worry, blame"),
            ("neutral", "facts, figures, procedure, setting; a heading or principle with no evaluative word"),
            ("emotion", "the dominant DUTIR category: " + " ".join(sentiment.EMOTIONS) + ", or 无 (none)"),
        ]
        return rows
    if unit == "paragraphs":
        cb = themes.load_codebook()
        rows = [
            ("coded", "put 1 when you have coded the paragraph (also when no code applies)"),
            (
                "codes",
                "put 1 under each code the paragraph substantively talks about "
                "(data/annotations/theme_coding_guide.md: not a word in a list, not a stock opener)",
            ),
        ]
        return rows + [(c.id, f"{c.label}: {c.definition}") for c in cb.codes]
    return [
        (
            "genre",
            " / ".join(tag.GENRES) + " (data/annotations/tag_coding_guide.md: what the text is, not the site's title)",
        ),
        *((f"  {g}", d) for g, d in GENRE_GUIDE.items()),
        ("narrator", " / ".join(tag.NARRATORS) + ": the voice, not the subject"),
        *((f"  {n}", d) for n, d in NARRATOR_GUIDE.items()),
        (
            "school_level",
            " / ".join(x or "(none)" for x in SCHOOL_LEVELS) + ": the level of the children the essay is about",
        ),
    ]


# one line per code of data/annotations/tag_coding_guide.md, for the coding sheet
GENRE_GUIDE = {
    "work_summary": "an account of one's own or one's unit's work over a period (总结, 述职, 汇报)",
    "profile": "a third-party portrait of one person or group held up as an example (事迹材料, 人物通讯)",
    "self_narrative": "a child or student writing about their own life (作文, 周记, a child's diary or letter)",
    "speech": "a text written to be spoken to an audience (演讲稿, 发言稿, 国旗下讲话), whoever gives it",
    "news_story": "a report of an event or campaign by a reporter or press office, even when it quotes at length",
    "documentary_narration": "the script of a film or TV piece (解说词, 画面, 同期声)",
    "method_essay": "an argued piece on how to educate or care for the children (论文, 对策, 浅谈)",
    "training_reflection": "what the writer learned from a training, study, volunteering or reading (心得体会)",
    "other": "anything else: 倡议书, 调查报告, 方案, 通知, a poem, an adult's diary or letter, a home-visit record",
}
NARRATOR_GUIDE = {
    "teacher": "a teacher, principal or other school staff in their own voice (also 我校)",
    "student": "a child or student of any level in their own voice",
    "third_party": "a writer outside the story telling it in the third person (reporter, film narrator, profile's author)",
    "other": "an adult who is not school staff in their own voice (parent, official, cadre, social worker, volunteer)",
}
