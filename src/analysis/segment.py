"""Segmentation: paragraphs → sentences → tokens.

Text level:
  * :func:`split_sentences` — sentences that respect quotes: a closing quote
    stays with its sentence and “孩子是没有错的。” is not split inside.
  * :func:`tokenize` / :func:`pos_tag` — jieba with the domain user
    dictionary (``resources/userdict.txt``): every listed term is one token.
  * :func:`content_tokens` — tokens without stopwords, punctuation, digits.

Frame level: :func:`sentences_frame` turns a paragraphs table into a
sentences table.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import jieba
import jieba.posseg
import pandas as pd

from analysis.resources import load_lines, resource_path

jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise

TERMINALS = "。！？!?…"
CLOSERS = "”’」』）)》】"
OPEN_TO_CLOSE = {"“": "”", "「": "」", "『": "』", "‘": "’"}
_PUNCT_RE = re.compile(r"^[\W_]+$", re.UNICODE)
_NUMBER_RE = re.compile(r"^[\d.,%％]+$")
_SINGLE_LATIN_RE = re.compile(r"^[A-Za-zＡ-Ｚａ-ｚ]$")
# A quote longer than this is treated as unbalanced (a lost closing mark) so
# one bad quote cannot swallow the rest of a paragraph into one sentence.
MAX_QUOTE_CHARS = 300


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences.

    A sentence ends at 。！？!?… (runs such as ！？ or …… count once) outside
    quotes; closing quotes and brackets right after the mark stay with it.
    Inside “…” nothing splits, unless the quote runs past
    ``MAX_QUOTE_CHARS`` without closing. Semicolons do not end sentences.
    Whitespace-only input gives ``[]``.
    """
    sentences: list[str] = []
    start = 0
    i = 0
    n = len(text)
    stack: list[tuple[str, int]] = []  # (expected closer, position opened)
    while i < n:
        ch = text[i]
        if ch in OPEN_TO_CLOSE and not (ch == "‘" and stack and stack[-1][0] == "’"):
            stack.append((OPEN_TO_CLOSE[ch], i))
        elif stack and ch == stack[-1][0]:
            stack.pop()
        if stack and i - stack[-1][1] > MAX_QUOTE_CHARS:
            stack.clear()
        if ch in TERMINALS:
            j = i + 1
            while j < n and text[j] in TERMINALS:
                j += 1
            # closing quotes right after the mark belong to this sentence
            while j < n and text[j] in CLOSERS:
                if stack and text[j] == stack[-1][0]:
                    stack.pop()
                j += 1
            if not stack:
                piece = text[start:j].strip()
                if piece:
                    sentences.append(piece)
                start = j
            i = j
            continue
        i += 1
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


@functools.lru_cache(maxsize=8)
def _tokenizer(userdict: str) -> jieba.Tokenizer:
    tk = jieba.Tokenizer()
    tk.load_userdict(userdict)
    # load_userdict adds frequencies; suggest_freq forces each term whole even
    # where jieba's statistics would split it in context.
    for line in load_lines("userdict.txt", userdict):
        tk.suggest_freq(line.split()[0], tune=True)
    return tk


def get_tokenizer(userdict: str | Path | None = None) -> jieba.Tokenizer:
    """A jieba tokenizer with the domain dictionary loaded (cached per file)."""
    return _tokenizer(str(resource_path("userdict.txt", userdict)))


@functools.lru_cache(maxsize=8)
def _pos_tokenizer(userdict: str) -> jieba.posseg.POSTokenizer:
    return jieba.posseg.POSTokenizer(_tokenizer(userdict))


def tokenize(text: str, *, userdict: str | Path | None = None) -> list[str]:
    """jieba tokens of ``text`` (whitespace tokens dropped)."""
    if not text or not text.strip():
        return []
    return [t for t in get_tokenizer(userdict).lcut(text) if t.strip()]


def pos_tag(text: str, *, userdict: str | Path | None = None) -> list[tuple[str, str]]:
    """(word, jieba POS flag) pairs; ``nr`` person, ``ns`` place, ``nt`` organisation."""
    if not text or not text.strip():
        return []
    pt = _pos_tokenizer(str(resource_path("userdict.txt", userdict)))
    return [(p.word, p.flag) for p in pt.lcut(text) if p.word.strip()]


def load_stopwords(path: str | Path | None = None) -> frozenset[str]:
    """The stopword list (``resources/stopwords.txt`` unless ``path`` is given)."""
    return frozenset(load_lines("stopwords.txt", path))


def content_tokens(tokens: list[str], *, stopwords: frozenset[str] | None = None) -> list[str]:
    """Tokens that carry content: no stopwords, punctuation, numbers or single Latin letters."""
    stop = load_stopwords() if stopwords is None else stopwords
    return [
        t
        for t in tokens
        if t not in stop and not _PUNCT_RE.match(t) and not _NUMBER_RE.match(t) and not _SINGLE_LATIN_RE.match(t)
    ]


def sentences_frame(paragraphs: pd.DataFrame, *, userdict: str | Path | None = None) -> pd.DataFrame:
    """Sentences table from a paragraphs table.

    In: columns essay_id, paragraph_id, text, is_heading (one row per paragraph,
    in essay order). Out: essay_id, paragraph_id, sentence_id, ordinal
    (1-based within the essay), position (0–1 by character offset of the
    sentence's middle within the essay), text, tokens (list of str).
    Headings are one sentence each.
    """
    missing = {"essay_id", "paragraph_id", "text", "is_heading"} - set(paragraphs.columns)
    if missing:
        raise KeyError(f"paragraphs table lacks columns: {', '.join(sorted(missing))}")
    rows = []
    for essay_id, group in paragraphs.groupby("essay_id", sort=False):
        pieces = []
        for para in group.itertuples(index=False):
            sents = [para.text.strip()] if para.is_heading else split_sentences(para.text)
            pieces.extend((para.paragraph_id, s) for s in sents if s)
        total = sum(len(s) for _, s in pieces) or 1
        offset = 0
        for k, (pid, s) in enumerate(pieces, start=1):
            rows.append(
                {
                    "essay_id": essay_id,
                    "paragraph_id": pid,
                    "sentence_id": f"{essay_id}-s{k:04d}",
                    "ordinal": k,
                    "position": round((offset + len(s) / 2) / total, 6),
                    "text": s,
                    "tokens": tokenize(s, userdict=userdict),
                }
            )
            offset += len(s)
    cols = ["essay_id", "paragraph_id", "sentence_id", "ordinal", "position", "text", "tokens"]
    return pd.DataFrame(rows, columns=cols)
