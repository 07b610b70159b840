"""analysis.reporting.views: what the report notebooks show."""

from __future__ import annotations

from pathlib import Path

import os
from html import escape as html_escape
import time

import pandas as pd
import pytest

from analysis.methods import tag, themes
from analysis.reporting import views
from analysis.pipeline.build import build
from analysis.reporting import corpus as corpus_module
from analysis.reporting.corpus import Corpus

FIXTURE = Path(__file__).parent / "fixtures" / "mini_corpus"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    data = tmp_path_factory.mktemp("views") / "data"
    build(FIXTURE, data, progress=False, jobs=1)
    return Corpus(data)


def test_corpus_keywords_are_computed_once_and_read_back_by_later_kernels(corpus, tmp_path, monkeypatch):
    """Each essay profile runs in its own kernel; the corpus-wide TF-IDF is kept
    in the user cache and read back unchanged, and a changed corpus or top_n
    computes afresh."""
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    want = themes.tfidf_keywords(corpus.paragraphs, top_n=5)
    first = views.corpus_tfidf_keywords(corpus, top_n=5)
    pd.testing.assert_frame_equal(first, want)
    assert len(list((tmp_path / "report-keywords").glob("*.parquet"))) == 1

    def must_not_run(*args, **kwargs):
        raise AssertionError("recomputed although cached")

    monkeypatch.setattr(themes, "tfidf_keywords", must_not_run)
    pd.testing.assert_frame_equal(views.corpus_tfidf_keywords(corpus, top_n=5), want)
    eid = corpus.essays["essay_id"].iloc[0]
    shown = views.essay_keywords(corpus, eid, top_n=5)
    assert shown["tfidf_word"].tolist() == want.loc[want["essay_id"] == eid, "word"].tolist()
    with pytest.raises(AssertionError, match="recomputed"):
        views.corpus_tfidf_keywords(corpus, top_n=6)  # other parameters: not the cached table

    monkeypatch.undo()
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(corpus_module, "_SHARED", {})  # a new kernel: nothing of this build read yet
    other = Corpus(corpus.data_dir)
    edited = other.paragraphs.assign(text=lambda d: d["text"].str.replace("留守儿童", "孩子们", regex=False))
    monkeypatch.setattr(Corpus, "paragraphs", property(lambda self: edited))
    got = views.corpus_tfidf_keywords(other, top_n=5)
    pd.testing.assert_frame_equal(got, themes.tfidf_keywords(edited, top_n=5))
    assert len(list((tmp_path / "report-keywords").glob("*.parquet"))) == 2  # the original and the edited corpus
    for f in (tmp_path / "report-keywords").glob("*.parquet"):  # a damaged file is recomputed, never trusted
        f.write_bytes(b"damaged")
    pd.testing.assert_frame_equal(views.corpus_tfidf_keywords(other, top_n=5), got)


def test_keyword_cache_keeps_the_most_recently_used_tables(corpus, tmp_path, monkeypatch):
    import os

    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(views.keywords, "KEYWORD_CACHE_KEEP", 3)  # where corpus_tfidf_keywords reads it
    folder = tmp_path / "report-keywords"
    folder.mkdir()
    for k in range(4):  # tables of earlier corpora, oldest first
        (folder / f"old{k}.parquet").write_bytes(b"x")
        os.utime(folder / f"old{k}.parquet", (1_000_000 + k, 1_000_000 + k))
    views.corpus_tfidf_keywords(corpus, top_n=5)
    kept = sorted(p.name for p in folder.iterdir())
    assert len(kept) == 3 and {"old2.parquet", "old3.parquet"} < set(kept)  # the new table and the two newest
    os.utime(folder / "old2.parquet", (1, 1))  # now the least recently used
    views.corpus_tfidf_keywords(corpus, top_n=5)  # read back: marked as used, nothing written or deleted
    assert sorted(p.name for p in folder.iterdir()) == kept
    views.corpus_tfidf_keywords(corpus, top_n=6)
    assert "old2.parquet" not in {p.name for p in folder.iterdir()} and len(list(folder.iterdir())) == 3


def test_keywords_of_a_corpus_without_pseudonyms_are_never_cached(corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    raw = Corpus(corpus.data_dir, pseudonymise=False)
    pd.testing.assert_frame_equal(
        views.corpus_tfidf_keywords(raw, top_n=5), themes.tfidf_keywords(raw.paragraphs, top_n=5)
    )
    assert not (tmp_path / "report-keywords").exists()


def test_dedupe_counts_reused_sentences_once_inside_mixed_paragraphs(seed_build):
    """Seed essays 03 and 05 copy passages of essay 01 (and 05 of 03), often a
    few sentences inside a paragraph of their own. With dedupe every reused
    sentence leaves its paragraph: the text left is the paragraph's own
    sentences, its codes and sentiment are those of that text, and a paragraph
    of reused sentences only is gone."""
    from analysis.methods import sentiment

    corpus = Corpus(seed_build.out_dir)
    s = corpus.sentences
    reused = s["reused_from"].fillna("") != ""
    assert reused.sum() > 10
    all_p = views.paragraphs(corpus, dedupe=False, keep_framing=True).set_index("paragraph_id")
    kept = views.paragraphs(corpus, dedupe=True, keep_framing=True).set_index("paragraph_id")
    own = s[~reused].groupby("paragraph_id", sort=False)["text"].agg("".join)
    assert set(kept.index) == set(own.index) | (set(all_p.index) - set(s["paragraph_id"]))
    mixed = [p for p in kept.index if p in set(s.loc[reused, "paragraph_id"])]
    assert len(mixed) >= 3
    for pid in kept.index:
        if pid in own.index:
            assert kept.loc[pid, "text"] == own[pid]  # no reused sentence is counted again
    recoded = themes.code_paragraphs(kept.loc[mixed, ["text"]])["codes"].tolist()
    assert kept.loc[mixed, "codes"].tolist() == recoded
    agg = sentiment.aggregate(s[~reused & s["paragraph_id"].isin(mixed)], by="paragraph_id").set_index("paragraph_id")
    assert kept.loc[mixed, "sentiment_mean"].tolist() == pytest.approx(agg.loc[mixed, "sentiment_mean"].tolist())
    assert any(kept.loc[p, "codes"] != all_p.loc[p, "codes"] for p in mixed)  # the copies had added codes
    # the tokens the keyword and topic functions read are the paragraph's own sentences' tokens
    own_tokens = s[~reused].groupby("paragraph_id", sort=False)["tokens"].agg(lambda t: [w for x in t for w in x])
    for pid in mixed:
        assert list(kept.loc[pid, "tokens"]) == own_tokens[pid]
    unchanged = [p for p in kept.index if p not in mixed]
    pd.testing.assert_frame_equal(kept.loc[unchanged].drop(columns=[]), all_p.loc[unchanged])


def test_essay_lengths_of_a_large_corpus_are_a_histogram(corpus, monkeypatch):
    """One bar per essay up to overview.MAX_BARS; above it a histogram, so the
    figure does not grow with the corpus (975 bars made a page-long figure)."""
    import matplotlib.pyplot as plt

    from analysis.reporting import overview

    n = len(corpus.essays)
    fig = overview.plot_lengths(corpus)
    assert len(fig.axes[0].patches) == n
    plt.close(fig)
    monkeypatch.setattr(overview, "MAX_BARS", n - 1)
    fig = overview.plot_lengths(corpus)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "essays" and f"{n} essays" in ax.get_title()
    assert sum(p.get_height() for p in ax.patches) == n  # every essay in some bin
    assert max(fig.get_size_inches()) <= 7
    plt.close(fig)


def test_intercoder_view_with_and_without_a_second_coding(tmp_path, monkeypatch):
    """The reports show the two coders' agreement when a second coding exists,
    and say plainly that agreement is not measured when it does not."""
    import shutil

    from analysis.config import ANNOTATIONS_DIR

    for name in ("sentiment_sentences.csv", "theme_paragraphs.csv"):
        shutil.copy(ANNOTATIONS_DIR / name, tmp_path / name)
    monkeypatch.setattr(views.validation, "ANNOTATIONS_DIR", tmp_path)  # where intercoder and caveat read it
    note = views.intercoder("sentiment")
    assert "not measured" in note.data and "single coder" in views.caveat("sample", "sentiment").data
    first = pd.read_csv(tmp_path / "sentiment_sentences.csv", encoding="utf-8-sig", keep_default_na=False, dtype=str)
    second = first.assign(label=first["label"].str.upper())  # case is not a disagreement
    second.loc[second.index[:10], "emotion"] = "无"
    second.to_csv(tmp_path / "sentiment_sentences_coder2.csv", index=False, encoding="utf-8-sig")
    table = views.intercoder("sentiment")
    assert list(table.index) == ["label", "emotion"] and table.loc["label", "agreement"] == 1.0
    changed = (first["emotion"].iloc[:10] != "无").sum()
    assert table.loc["emotion", "agreement"] == pytest.approx(1 - changed / len(first))
    assert "two coders" in views.caveat("sample", "sentiment").data
    assert "single coder" in views.caveat("sample", "themes").data
    themes_first = pd.read_csv(
        tmp_path / "theme_paragraphs.csv", encoding="utf-8-sig", keep_default_na=False, dtype=str
    )
    themes_first.to_csv(tmp_path / "theme_paragraphs_coder2.csv", index=False, encoding="utf-8-sig")
    t = views.intercoder("themes")
    assert list(t.index) == [*themes.load_codebook().ids, "all (same set)"] and (t["agreement"] == 1.0).all()


def test_framing_lines_leave_the_figures_on_request(seed_build):
    """Headings, bylines and greetings head the prose rather than say something:
    keep_framing=False leaves them out of the sentences (and paragraphs made only of
    them out of the paragraphs); statements stay, whatever their length."""
    c = Corpus(seed_build.out_dir)
    s = c.sentences
    ids = views.framing_sentences(c)
    framing = set(s.loc[s["sentence_id"].isin(ids), "text"])
    for part in ("诲人不倦，架心灵之桥", "大家上午好", "谢谢大家", "班主任："):
        assert any(part in t for t in framing), part
    assert not any("。" in t[:-1] for t in framing)  # no line with a full stop inside
    assert all(len(t) <= tag.FRAMING_MAX_CHARS for t in framing)
    assert not any("留守儿童超过了65%" in t for t in framing)  # a short statement is prose
    kept = views.sentences(c, dedupe=False, keep_framing=False)
    assert len(kept) == len(s) - len(ids) and not kept["sentence_id"].isin(ids).any()
    assert len(views.sentences(c, dedupe=False, keep_framing=True)) == len(s)
    whole = views.framing_paragraphs(c)
    p = views.paragraphs(c, dedupe=False, keep_framing=False)
    assert len(p) == len(c.paragraphs) - len(whole) and 0 < len(whole) < len(ids)  # a heading run into its paragraph
    assert f"{len(ids)} sentence(s)" in views.framing_note(c, keep_framing=False).data


@pytest.mark.parametrize("dedupe, framing", [(True, False), (False, False), (True, True), (False, True)])
def test_accounting_adds_up_to_what_the_figures_count(seed_build, dedupe, framing):
    """Nothing leaves a figure silently: per essay, the sentences (paragraphs)
    in the corpus minus those left out as framing lines or copies are exactly
    the rows the report's figures use."""
    c = Corpus(seed_build.out_dir)
    label = c.essays.set_index("essay_id")["essay_label"]
    for unit, rows in (
        ("sentences", views.sentences(c, dedupe=dedupe, keep_framing=framing)),
        ("paragraphs", views.paragraphs(c, dedupe=dedupe, keep_framing=framing)),
    ):
        acc = views.accounting(c, unit=unit, dedupe=dedupe, keep_framing=framing)
        per_essay = acc.drop(index="total")
        assert (
            per_essay["counted"] == rows["essay_id"].map(label).value_counts().reindex(per_essay.index).fillna(0)
        ).all()
        assert acc.loc["total", "in corpus"] == len(getattr(c, unit)) and acc.loc["total", "counted"] == len(rows)
        assert (acc["framing lines left out"].sum() > 0) == (not framing)
        assert (acc.loc["total", "copies left out"] > 0) == dedupe  # the seed's essay 5 copies essays 1 and 3


def test_corpora_of_one_build_share_their_tables_and_a_rebuild_is_read_afresh(seed_build, tmp_path):
    """A warm report kernel makes a Corpus per profile: the tables are read and
    pseudonymised once per build and settings, handed out as copies (a caller
    changing one changes no other), and a changed file is read again."""
    import shutil

    from analysis.reporting import corpus as corpus_mod
    from analysis import io as aio

    d = tmp_path / "processed"
    shutil.copytree(seed_build.out_dir, d)
    a, b = corpus_mod.Corpus(d, pseudonymise_all=True), corpus_mod.Corpus(d, pseudonymise_all=True)
    assert a._shared is b._shared
    first = a.essays
    first.loc[:, "title"] = "改过的标题"
    assert (b.essays["title"] != "改过的标题").all()  # a copy: the shared table is untouched
    assert corpus_mod.Corpus(d, pseudonymise=False)._shared is not a._shared  # other settings, other tables
    raw = aio.read_table(d, "essays")

    plain = corpus_mod.Corpus(d, pseudonymise=False)
    assert len(plain.essays) == len(raw)
    time.sleep(0.01)
    aio.write_table(raw.iloc[:3], d, "essays")  # a rebuild that changed a table ...
    old = (d / "pseudonyms.parquet").stat().st_mtime - 10
    os.utime(d / "pseudonyms.parquet", (old, old))  # ... and left the pseudonym map behind
    assert len(corpus_mod.Corpus(d, pseudonymise=False).essays) == 3 and len(a.essays) == len(raw)
    from analysis.methods.privacy import MapError

    with pytest.raises(MapError):  # the map is now older than its tables: fail closed, never the cached pages
        corpus_mod.Corpus(d, pseudonymise_all=True).essays


def test_pseudonymised_columns_read_back_from_the_disk_cache_are_the_same(seed_build, tmp_path):
    """A second process reads the pseudonymised text columns from data_dir/.cache/shared instead of
    replacing names again; what it reads is what the first one computed, cell for cell."""
    import math
    import shutil

    import numpy as np

    from analysis.reporting import corpus as corpus_mod

    data = tmp_path / "processed"
    shutil.copytree(seed_build.out_dir, data, symlinks=True)

    def load():
        corpus_mod._SHARED.clear()  # a new process: nothing kept in memory
        c = Corpus(data, pseudonymise_all=True)
        return {n: c.table(n) for n in ("essays", "paragraphs", "sentences", "cleaning_log")}

    def cells(df):
        def norm(v):
            if isinstance(v, (list, tuple, np.ndarray)):
                return tuple(v)
            if v is None or (isinstance(v, float) and math.isnan(v)):
                return None
            return v

        return {c: [norm(v) for v in df[c].tolist()] for c in df.columns}

    first = load()
    cached = list((data / ".cache" / "shared").rglob("*.parquet"))
    assert any(p.name == "sentences.text.parquet" for p in cached)
    assert any(p.name == "sentences.tokens.parquet" for p in cached)
    second = load()
    for name in first:
        assert cells(first[name]) == cells(second[name]), name
    # a child's name is in the map, and in neither load
    names = pd.read_parquet(data / "pseudonyms.parquet")
    child = names.loc[names["role"] == "child", "original"].iloc[0]
    assert not second["sentences"]["text"].str.contains(child, regex=False).any()


@pytest.mark.parametrize("name", ["sentences", "paragraphs", "entities", "cleaning_log", "quality_flags"])
def test_one_essays_rows_are_those_of_the_whole_table(corpus, name):
    """A profile reads one essay's rows by a kept index instead of copying the
    whole table: the same rows, columns, order and index labels, for every
    essay and for an id with no rows."""
    whole = corpus.table(name)
    for eid in [*corpus.essays["essay_id"], "no-such-essay"]:
        want = whole[whole["essay_id"] == eid]
        got = corpus.essay_rows(name, eid)
        pd.testing.assert_frame_equal(got, want, check_index_type=False)
    some = corpus.essay_rows(name, corpus.essays["essay_id"].iloc[0], columns=["essay_id"])
    assert list(some.columns) == ["essay_id"]


def test_one_essays_sentences_and_shading_match_the_corpus_wide_selection(corpus):
    """views.sentences for one essay gives the rows the corpus-wide call gives
    for it (framing lines out, reused passages out), and the shaded text shows
    each of its sentences once."""
    every = views.sentences(corpus, dedupe=True, keep_framing=False)
    for eid in corpus.essays["essay_id"]:
        one = views.sentences(corpus, essay_id=eid, dedupe=True, keep_framing=False)
        want = every[every["essay_id"] == eid].reset_index(drop=True)
        pd.testing.assert_frame_equal(one, want)
    eid = corpus.essays["essay_id"].iloc[0]
    page = views.shaded_text(corpus, eid).data
    for text in views.sentences(corpus, essay_id=eid)["text"]:
        assert html_escape(text) in page
