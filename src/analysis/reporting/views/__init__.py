"""What the report notebooks show: tables and figures composed from a
:class:`~analysis.reporting.corpus.Corpus` and the report parameters.

Notebooks stay thin — one call per output — and never recompute what the
build stored (sentiment scores, codes): they select, filter and arrange.
Everything returned is pseudonymised when the corpus is.

Every view is importable from here (``views.sentences``, ``views.trust_figures``);
each lives in the module of its responsibility:

* ``page`` — a notebook's set-up (:func:`setup_display`) and the parameters table;
* ``selection`` — the sentences and paragraphs a report counts (framing lines,
  copies), :func:`accounting` of what is left out, per-group summaries;
* ``validation`` — the methods against the hand-coded samples, agreement between coders;
* ``codes`` — the themes report: recoding, topic models, code tables, passages, concordance;
* ``keywords`` — TF-IDF keywords over the corpus (kept in the user cache), the keyword grid;
* ``profile`` — one essay's profile;
* ``reliability`` — how far to trust the figures (``trust_*``): this corpus's own
  coded sample, else the reference samples.
"""

from __future__ import annotations

# This module only re-exports the views (and the names views.py had before the split):
# ruff: noqa: F401
from IPython.display import HTML, Markdown, display

from analysis.methods import sentiment, themes
from analysis.reporting import plots  # plots imports pyplot: notebooks then display Figures inline
from analysis.config import DEDUPE, KEEP_FRAMING
from analysis.reporting.corpus import Corpus
from analysis.reporting.views.codes import code_matrix, code_passages, concordance, recode, topic_models
from analysis.reporting.views.keywords import (
    _KEYWORDS_READ,
    KEYWORD_CACHE_KEEP,
    _prune,
    corpus_tfidf_keywords,
    keyword_grid,
)
from analysis.reporting.views.page import _display_figures_as_png, settings_table, setup_display
from analysis.reporting.views.profile import (
    _LABEL_COLOURS,
    _left_out,
    essay_cleaning,
    essay_entities,
    essay_heading,
    essay_keywords,
    essay_metadata,
    essay_reuse,
    essay_sentiment,
    shaded_text,
)
from analysis.reporting.views.reliability import (
    _SAMPLE_NAMES,
    _UNIT_OF_KIND,
    _contains_bundled,
    _own,
    _reference,
    corpus_similarity,
    trust_details,
    trust_disagreements,
    trust_figures,
    trust_intercoder,
    trust_statement,
)
from analysis.reporting.views.selection import (
    _PARAGRAPH_SENTIMENT,
    ESSAY_META,
    _among,
    _copied_paragraphs,
    _essay_meta,
    _filter,
    _with_tokens,
    accounting,
    essay_key,
    framing_note,
    framing_paragraphs,
    framing_sentences,
    paragraphs,
    sentences,
    sentiment_by_group,
)
from analysis.reporting.views.validation import (
    CODINGS,
    caveat,
    codebook_validation,
    disagreements,
    essay_bootstrap,
    intercoder,
    sentiment_sample_description,
    sentiment_validation,
)
