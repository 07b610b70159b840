"""The sentiment methods, their labels, emotions and score scales: the vocabulary every part
of :mod:`analysis.methods.sentiment` shares."""

from __future__ import annotations


METHODS: tuple[str, ...] = ("snownlp", "lexicon", "combined", "supervised")
LABELS: tuple[str, ...] = ("negative", "neutral", "positive")
EMOTIONS: tuple[str, ...] = ("好", "乐", "哀", "怒", "惧", "恶", "惊")
NO_EMOTION = ""
# Score of a text with no evidence either way (empty text, no sentiment word).
NEUTRAL_SCORE: dict[str, float] = {"snownlp": 0.5, "lexicon": 0.0, "combined": 0.0, "supervised": 0.0}
SCORE_RANGE: dict[str, tuple[float, float]] = {
    "snownlp": (0.0, 1.0),
    "lexicon": (-1.0, 1.0),
    "combined": (-1.0, 1.0),
    "supervised": (-1.0, 1.0),
}
# Bands used before any calibration (documented in docs/sentiment.md).
PRIOR_BANDS: dict[str, tuple[float, float]] = {
    "snownlp": (0.4, 0.6),
    "lexicon": (-0.1, 0.1),
    "combined": (-0.2, 0.2),
    "supervised": (-0.2, 0.2),
}
# Simplest first: on a near tie in cross-validation the earlier one wins.
SIMPLICITY_ORDER: tuple[str, ...] = ("lexicon", "snownlp", "combined", "supervised")
CALIBRATION_NAME = "sentiment/calibration.yaml"
ANNOTATIONS_FILE = "sentiment_sentences.csv"
# How coders may write a label (a sheet in English or Chinese, short or long): the label it means
LABEL_ALIASES = {
    "positive": "positive",
    "pos": "positive",
    "+": "positive",
    "正面": "positive",
    "积极": "positive",
    "正": "positive",
    "neutral": "neutral",
    "neu": "neutral",
    "0": "neutral",
    "中性": "neutral",
    "中立": "neutral",
    "negative": "negative",
    "neg": "negative",
    "-": "negative",
    "负面": "negative",
    "消极": "negative",
    "负": "negative",
}
