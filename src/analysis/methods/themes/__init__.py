"""Themes: a rule-based codebook, keywords, topics, co-occurrence, concordance.

One package, five parts (``from analysis import themes`` gives them all):

* :mod:`~analysis.methods.themes.codebook` — the codebook (``resources/codebook.yaml``,
  grammar in docs/themes.md): :func:`load_codebook`, :func:`compile_codebook`.
* :mod:`~analysis.methods.themes.coding` — :func:`code_text`, :func:`explain_text`,
  :func:`code_paragraphs`, :func:`essay_code_counts`, and :func:`evaluate_codebook`
  against a hand-coded sample.
* :mod:`~analysis.methods.themes.keywords` — :func:`tfidf_keywords` (essay = document),
  :func:`textrank_keywords`, :func:`keyness` (G² with Log Ratio, one group against the rest).
* :mod:`~analysis.methods.themes.topicmodels` — :func:`topics` (NMF or LDA, seeded) and
  :func:`topic_stability` (matched top words over re-seeded runs, UMass coherence).
* :mod:`~analysis.methods.themes.explore` — :func:`code_cooccurrence`,
  :func:`word_cooccurrence`, :func:`code_sentiment`, :func:`kwic`, :func:`format_kwic`.

Figures of these tables: :mod:`analysis.reporting.figures`.

Codebook matching is on text substrings, not tokens: it does not depend on jieba's
segmentation, so a rule term such as 家访 or 学习成绩 is found whatever the tokenizer
does with its neighbours. Keywords, topics and word co-occurrence use tokens (the
domain user dictionary, minus stopwords).
"""

from analysis.methods.themes.codebook import (
    CODEBOOK_NAME,
    REGEX_PREFIX,
    SCOPES,
    Code,
    Codebook,
    Rule,
    TermList,
    code_name,
    compile_codebook,
    load_codebook,
    resolve_codebook,
)
from analysis.methods.themes.coding import (
    code_indicator,
    code_paragraphs,
    code_text,
    codes_column,
    essay_code_counts,
    evaluate_codebook,
    explain_text,
)
from analysis.methods.themes.explore import (
    COOCCURRENCE_MEASURES,
    DEFAULT_KWIC_TERMS,
    SENTIMENT_LABELS,
    code_cooccurrence,
    code_sentiment,
    display_width,
    format_kwic,
    kwic,
    word_cooccurrence,
)
from analysis.methods.themes.keywords import (
    attach_group,
    keyness,
    row_tokens,
    textrank_keywords,
    tfidf_keywords,
    weighted_pagerank,
)
from analysis.methods.themes.topicmodels import (
    STABILITY_MAX_TERMS,
    TOPIC_METHODS,
    TopicModel,
    topic_capacity,
    topic_stability,
    topics,
)

__all__ = [
    "CODEBOOK_NAME",
    "COOCCURRENCE_MEASURES",
    "DEFAULT_KWIC_TERMS",
    "REGEX_PREFIX",
    "SCOPES",
    "SENTIMENT_LABELS",
    "STABILITY_MAX_TERMS",
    "TOPIC_METHODS",
    "Code",
    "Codebook",
    "Rule",
    "TermList",
    "TopicModel",
    "attach_group",
    "code_cooccurrence",
    "code_indicator",
    "code_name",
    "code_paragraphs",
    "code_sentiment",
    "code_text",
    "codes_column",
    "compile_codebook",
    "display_width",
    "essay_code_counts",
    "evaluate_codebook",
    "explain_text",
    "format_kwic",
    "keyness",
    "kwic",
    "load_codebook",
    "resolve_codebook",
    "row_tokens",
    "textrank_keywords",
    "tfidf_keywords",
    "topic_capacity",
    "topic_stability",
    "topics",
    "weighted_pagerank",
    "word_cooccurrence",
]
