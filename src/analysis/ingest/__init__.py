"""Ingest: a page capture becomes clean essays — the plan of one file (``intake``), page
furniture (``pagechrome``), headings (``split``), audited repair rules (``clean``),
paragraphs, sentences and tokens (``segment``).
"""
