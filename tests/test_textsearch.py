"""The multi-string search every name and conversion table uses."""

import re

from analysis.procs import run_of
from analysis.textsearch import Automaton, automaton
from seed_data import seed_sentences


def _brute(words, text):
    return sorted(
        (m.start(), m.start() + len(w), w) for w in set(words) for m in re.finditer(f"(?={re.escape(w)})", text)
    )


def test_every_occurrence_overlapping_ones_included_as_a_search_per_word_finds_them():
    text = "".join(seed_sentences()["text"].tolist()[:200])
    words = ["留守", "留守儿童", "儿童", "孩子", "孩子们", "王文悦", "文悦", "老师", "师生", "学生"]
    a = Automaton(words)
    assert sorted(a.spans(text)) == _brute(words, text)
    assert a.present(text) == {w for w in words if w in text}


def test_names_of_a_map_starting_with_thousands_of_characters_are_all_found():
    # a large map: one name per common character (the case a node-by-node search made slow)
    chars = sorted({c for c in "".join(seed_sentences()["text"]) if "\u4e00" <= c <= "\u9fff"})
    words = [c + "小明" for c in chars] + ["王文悦"]
    text = "我的同桌王文悦和" + chars[5] + "小明一起" + chars[-1] + "小明。"
    assert sorted(w for _, _, w in Automaton(words).spans(text)) == sorted(
        ["王文悦", chars[5] + "小明", chars[-1] + "小明"]
    )


def test_no_word_no_automaton_and_empty_strings_dropped():
    assert automaton([]) is None and automaton(["", ""]) is None
    a = automaton(["", "留守", "留守"])
    assert len(a) == 1 and list(a.spans("")) == [] and a.present("") == set()


def test_runs_of_items_are_consecutive_cover_everything_and_are_even_in_size():
    items = ["留守儿童" * k for k in (1, 9, 2, 2, 7, 1, 3)]
    for n in (1, 2, 3, 4, 10):
        runs = [run_of(items, n, i) for i in range(n)]
        assert [x for r in runs for x in r] == items
    halves = [sum(map(len, run_of(items, 2, i))) for i in range(2)]
    assert abs(halves[0] - halves[1]) <= max(map(len, items))
