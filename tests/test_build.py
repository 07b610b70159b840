"""analysis.pipeline.build: the seed end to end, provenance, encodings and layouts,
bad input, the cache, reproducibility and atomic outputs."""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import shutil
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis.pipeline import build as build_mod
from analysis.pipeline import cache as cache_mod
from analysis.pipeline import layers as layers_mod
from analysis.pipeline import parallel as parallel_mod
from analysis.pipeline import watch as watch_mod
from analysis import config
from analysis import io as aio
from analysis import procs
from analysis.pipeline.build import BuildError, corpus_sha256, file_slug
from analysis.ingest.clean import clean_text
from analysis.ingest.segment import tokenize
from conftest import BODY_A, BODY_B, BODY_C, SEED_NAME, SEED_PATH, SEED_SLUG, TABLES, read_tables, run_build, write_raw

# ================================================================ the seed

# First and last sentence of each essay, looked up in the raw file (line noted);
# placeholders become XX and stray marks go.
SEED_SENTENCES = [
    (1, "钟坪小学四1班班主任：王娟", "我奉献着，幸福着，快乐着，无厌无悔！"),  # lines 9, 31
    (
        2,
        "XX镇XX村XX男，19XX年6月出生，高中毕业，现在读一村一名大学生，20XX年加入中国共产党，XX村村委会副主任，党总支委员，团支部书记兼民兵连长。",
        "XX不仅自己参与，还争取了有关部门、政府和社会的大力支持，实行一帮一活动，大手牵小手，走访困难户，推动省级生态文明示范点的发展起到了一定的左右，使整个村里充满着阳光和孩子们的欢声笑语！",
    ),  # 35, 51
    (3, "我是XX小学四年一班的班主任。", "总之，我和同学们一起为留守儿童搭起一片快乐的天地。"),  # 55, 83
    (
        4,
        "我叫周XX男，我家住在祁县镇忠陈村，我是一名留守儿童。",
        "我会加倍的努力，使自己各方面取得更大的成绩，来回报家长，回报老师，将来回报社会。",
    ),  # 87, 95
    (
        5,
        "我校地处农村，许多学生的家长长期在外务工，把孩子留给年迈的爷爷奶奶、外公外婆或亲友照看，因此使得这些留守儿童更需要关爱。",
        "我奉献着，幸福着，快乐着，无怨无悔！",
    ),  # 99, 133
    (
        6,
        "紧张而又忙碌的省培学习快接近尾声，这段期间有过抱怨，有过忙碌，有过快乐，有过好奇，这段时间的学习对我既有观念上的洗礼，也有理论上的提高；既有知识上的积淀，也有教学技艺的增长，个人感觉收获很大。",
        "关爱留守儿童从你我做起！",
    ),  # 137, 151
    (
        7,
        "市妇联秋发起的帮扶农村留守儿童“爱心妈妈”活动，如一根红线，一头连着留守儿童，一头连着“爱心妈妈”，帮扶抒写着一部部撼天动地的诗篇，唱响着一曲曲“爱心”乐章。",
        "佛教经典里说：“济事度人”，而的“度”是把自己的脊梁作为“桥”、“船”去帮扶孩子茁壮成长。",
    ),  # 155, 169
    (8, "梁平县龙江村位于海拔近千米大山里。", "其实，关于父亲的其他承诺早已是一个美丽的泡影。"),  # 173, 181
    (
        9,
        "留守儿童已经作为社会关注的焦点，更是我们班主任工作的重点，我们应毫不犹豫的扛起这份重担。",
        "用关爱、亲情为留守儿童营造温馨的家园氛围。",
    ),  # 185, 195 (温馨的`家园)
    (10, "尊敬的各位领导，各位老师，亲爱的同学们：", "谢谢大家"),  # 199, 225
]
# (ordinal, first body line, last body line) in the raw file
SEED_RANGES = [
    (1, 9, 31),
    (2, 35, 51),
    (3, 55, 83),
    (4, 87, 95),
    (5, 99, 133),
    (6, 137, 151),
    (7, 155, 169),
    (8, 173, 181),
    (9, 185, 195),
    (10, 199, 225),
]


def test_seed_has_ten_essays(seed_build):
    essays = seed_build.tables["essays"]
    assert seed_build.summary.n_essays == 10 and seed_build.summary.n_files == 1
    assert essays.essay_id.tolist() == [f"{SEED_SLUG}-{k:02d}" for k in range(1, 11)]
    assert essays.ordinal.tolist() == list(range(1, 11))
    assert essays.heading_number.tolist() == list(range(1, 11))
    assert (essays.title == "小学教师关爱留守儿童工作总结").all()
    assert (essays.source_file == SEED_NAME).all()
    assert not essays.is_traditional.any()
    assert seed_build.summary.skipped == [] and seed_build.tables["skipped"].empty


@pytest.mark.parametrize("ordinal, first, last", SEED_SENTENCES)
def test_seed_first_and_last_sentence(seed_build, ordinal, first, last):
    sents = seed_build.tables["sentences"]
    mine = sents[sents.essay_id == f"{SEED_SLUG}-{ordinal:02d}"].sort_values("ordinal")
    assert mine.text.iloc[0] == first
    assert mine.text.iloc[-1] == last


@pytest.mark.parametrize("ordinal, line_start, line_end", SEED_RANGES)
def test_seed_provenance(seed_build, seed_lines, ordinal, line_start, line_end):
    essays = seed_build.tables["essays"].set_index("essay_id")
    e = essays.loc[f"{SEED_SLUG}-{ordinal:02d}"]
    assert (e.line_start, e.line_end) == (line_start, line_end)
    assert e.raw_text == "\n".join(seed_lines[line_start - 1 : line_end])
    assert e.sha256 == hashlib.sha256(e.raw_text.encode("utf-8")).hexdigest()
    assert seed_lines[line_start - 3] == e.heading  # heading, blank line, body
    paras = seed_build.tables["paragraphs"]
    first = paras[paras.paragraph_id == f"{SEED_SLUG}-{ordinal:02d}-p001"].iloc[0]
    assert first.line_start == line_start
    assert e.text.startswith(first.text)
    assert first.text.startswith(clean_text(seed_lines[line_start - 1])[0])


def test_seed_paragraph_lines_point_at_raw_lines(seed_build, seed_lines):
    paras = seed_build.tables["paragraphs"]
    assert paras.paragraph_id.is_unique
    for p in paras.itertuples():
        assert p.paragraph_id == f"{p.essay_id}-p{p.ordinal:03d}"
        start = clean_text(seed_lines[p.line_start - 1])[0]
        end = clean_text(seed_lines[p.line_end - 1])[0]
        assert start and p.text.startswith(start)
        assert end and p.text.endswith(end)
    # 视频聊天或 / 是打电话那种: one paragraph over lines 45-47
    joined = paras[paras.line_start == 45].iloc[0]
    assert (joined.line_end, joined.essay_id) == (47, f"{SEED_SLUG}-02")


def test_seed_log_rows_point_into_their_essay(seed_build):
    essays = seed_build.tables["essays"].set_index("essay_id")
    log = seed_build.tables["cleaning_log"]
    assert {"source_file", "essay_id", "paragraph_id", "line", "rule", "before", "after", "context"} <= set(log.columns)
    for row in log[log.essay_id != ""].itertuples():
        e = essays.loc[row.essay_id]
        assert e.line_start <= row.line <= e.line_end
        assert row.paragraph_id.startswith(row.essay_id + "-p")


def test_seed_preamble_goes_to_log_not_essays(seed_build):
    log = seed_build.tables["cleaning_log"]
    pre = log[log.rule.isin(["drop_preamble", "remove_chrome"]) & (log.essay_id == "")]
    # one row per line: the collection title (a 优秀10篇 title) and the site's blurb, both page chrome
    assert list(pre.line) == [3, 5]
    assert set(pre.source_file) == {SEED_NAME} and set(pre.after) == {""}
    assert "最新小学教师关爱留守儿童工作总结" in pre.before.iloc[0]
    assert "试用期总结" in pre.before.iloc[1] and "护师总结" in pre.before.iloc[1]
    assert pre.context.iloc[0].startswith("collection_title") and pre.context.iloc[1].startswith("blurb")
    for name, col in [("essays", "raw_text"), ("essays", "text"), ("paragraphs", "text"), ("sentences", "text")]:
        texts = seed_build.tables[name][col]
        assert not texts.str.contains("试用期总结|护师总结").any(), name


def test_seed_ids_are_unique(seed_build):
    t = seed_build.tables
    assert t["essays"].essay_id.is_unique
    assert t["sentences"].sentence_id.is_unique
    assert set(t["sentences"].essay_id) == set(t["essays"].essay_id)
    assert (
        t["essays"].n_sentences == t["sentences"].groupby("essay_id").size().reindex(t["essays"].essay_id).values
    ).all()
    assert (
        t["essays"].n_paragraphs == t["paragraphs"].groupby("essay_id").size().reindex(t["essays"].essay_id).values
    ).all()


def test_seed_files_table_and_manifest(seed_build):
    files = seed_build.tables["files"]
    raw = SEED_PATH.read_bytes()
    [row] = files.to_dict("records")
    assert (
        row
        | {
            "source_file": SEED_NAME,
            "encoding": "utf-8",
            "line_ending": "LF",
            "n_bytes": len(raw),
            "sha256": hashlib.sha256(raw).hexdigest(),
            "n_essays": 10,
        }
        == row
    )
    manifest = json.loads((seed_build.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["corpus_sha256"] == corpus_sha256(
        [{"source_file": SEED_NAME, "sha256": hashlib.sha256(raw).hexdigest()}]
    )
    assert {name: manifest["tables"][name] for name in TABLES} == {
        name: len(df) for name, df in seed_build.tables.items()
    }
    assert manifest["versions"]["analysis"]


def test_seed_raw_folder_never_written(seed_build):
    assert seed_build.raw_before == seed_build.raw_after
    assert SEED_NAME in seed_build.raw_after
    assert not (config.RAW_DIR / config.CACHE_DIR_NAME).exists()


@pytest.mark.parametrize("inside", [".", "processed", "a/b"])
def test_out_inside_raw_is_refused(tmp_path, inside):
    raw = tmp_path / "raw"
    write_raw(raw / "a.txt", BODY_A)
    with pytest.raises(ValueError, match="must not be inside"):
        build_mod.build(raw, raw / inside, progress=False)
    assert sorted(p.name for p in raw.rglob("*")) == ["a.txt"]


def test_seed_csv_is_utf8_bom_and_matches_parquet(seed_build):
    for name in TABLES:
        data = (seed_build.out_dir / f"{name}.csv").read_bytes()
        assert data.startswith(codecs.BOM_UTF8), name
        back = pd.read_csv(seed_build.out_dir / f"{name}.csv", encoding="utf-8-sig", keep_default_na=False)
        assert len(back) == len(seed_build.tables[name]), name
    essays_csv = pd.read_csv(seed_build.out_dir / "essays.csv", encoding="utf-8-sig")
    assert essays_csv.text.tolist() == seed_build.tables["essays"].text.tolist()
    sents_csv = pd.read_csv(seed_build.out_dir / "sentences.csv", encoding="utf-8-sig")
    assert sents_csv.tokens.tolist() == [" ".join(t) for t in seed_build.tables["sentences"].tokens]


def test_seed_parquet_tokens_round_trip(seed_build):
    schema = pq.read_schema(seed_build.out_dir / "sentences.parquet")
    assert str(schema.field("tokens").type) in {
        "list<element: string>",
        "list<item: string>",
        "large_list<element: string>",
    }
    sents = seed_build.tables["sentences"]
    assert all(isinstance(t, list) and all(isinstance(w, str) for w in t) for t in sents.tokens)
    row = sents[sents.text == "西方教育流行一句话：“孩子是没有错的。”"].iloc[0]
    assert row.tokens == tokenize(row.text)
    assert "留守儿童" in sents[sents.text.str.contains("留守儿童")].tokens.iloc[0]


def _assert_same_tables(a: dict, b: dict):
    assert set(a) == set(b)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)


def _manifest(out_dir):
    """The manifest without what depends on the clock (build time, stage timings)."""
    m = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    return {k: v for k, v in m.items() if k not in {"built_at", "stage_seconds", "seconds"}}


def test_seed_build_matches_its_snapshot(seed_build):
    """Every table of the bundled corpus's build is what the snapshot says: a move of
    modules, a rename inside the code or a speed-up changes nothing a researcher sees.
    A change meant to change these tables refreshes the snapshot (tests/seed_snapshot.py)."""
    import seed_snapshot

    diff = seed_snapshot.differences(seed_snapshot.summarise(seed_build.out_dir), seed_snapshot.load())
    assert not diff, (
        "the seed's tables differ from tests/fixtures/seed_snapshot.json — if the change is meant, "
        "refresh it with `.venv/bin/python tests/seed_snapshot.py` and review the diff:\n" + "\n".join(diff)
    )


def test_seed_rebuild_with_and_without_cache_is_identical(seed_build, tmp_path, monkeypatch):
    fresh = run_build(config.RAW_DIR, tmp_path / "fresh", use_cache=False)  # serial, no cache read
    assert fresh.summary.n_cached == 0
    assert (tmp_path / "fresh" / config.CACHE_DIR_NAME / "index.json").is_file()  # the cache is rebuilt
    _assert_same_tables(seed_build.tables, fresh.tables)

    cached = tmp_path / "cached"
    if seed_build.fingerprint is not None:  # reuse the session build's cache
        monkeypatch.setattr(build_mod, "settings_fingerprint", lambda: seed_build.fingerprint)
        shutil.copytree(seed_build.out_dir, cached)
    else:  # a file changed during the session build: make a cache under a pinned fingerprint
        value = build_mod.settings_fingerprint()
        monkeypatch.setattr(build_mod, "settings_fingerprint", lambda: value)
        run_build(config.RAW_DIR, cached)
    again = run_build(config.RAW_DIR, cached)
    assert again.summary.n_cached == 10
    _assert_same_tables(seed_build.tables, again.tables)
    assert _manifest(seed_build.out_dir) == _manifest(cached) == _manifest(tmp_path / "fresh")


# ================================================================ encodings and layouts


def essay_file(headings, *, preamble="", bodies=(BODY_A, BODY_B, BODY_C)):
    parts = [preamble + "\n"] if preamble else []
    for k, h in enumerate(headings):
        parts.append(f"{h}\n\n{bodies[k % len(bodies)]}\n")
    return "".join(parts)


PREAMBLE = "最新关爱留守儿童工作总结(优秀2篇)\n\n以下是一些成功的总结范文，可以给你提供一些建议和借鉴。\n"
TWO = ["关爱留守儿童工作总结篇一", "关爱留守儿童工作总结篇二"]
CN = "一二三四五六七八九十"
TRADITIONAL = "孩子們很開心。我們的老師經常與學生談心，關愛留守兒童。\n\n爺爺奶奶年紀大了。\n"
CUSTOM_PATTERN = r"^=== (?P<title>.+) ===$"

# name → (text, write options, expected: n essays, encoding, line ending, heading numbers, titles or None)
LAYOUTS = {
    "utf8.txt": (essay_file(TWO, preamble=PREAMBLE), {}, (2, "utf-8", "LF", [1, 2], ["关爱留守儿童工作总结"] * 2)),
    "bom_crlf.txt": (essay_file(TWO), {"bom": True, "newline": "\r\n"}, (2, "utf-8-sig", "CRLF", [1, 2], None)),
    "gb18030.txt": (essay_file(TWO, preamble=PREAMBLE), {"encoding": "gb18030"}, (2, "gb18030", "LF", [1, 2], None)),
    "cr_only.txt": (essay_file(TWO), {"newline": "\r"}, (2, "utf-8", "CR", [1, 2], None)),
    "fullwidth.txt": (
        essay_file(
            ["\u3000\u3000" + h for h in TWO],
            bodies=("\u3000\u3000我是一名乡村教师，班上有很多留守儿童。\n\u3000\u3000孩子们\u3000很想念父母。\n",),
        ),
        {},
        (2, "utf-8", "LF", [1, 2], ["关爱留守儿童工作总结"] * 2),
    ),
    "twelve.txt": (
        essay_file([f"关爱留守儿童心得体会篇{n}" for n in [*CN, "十一", "十二"]]),
        {},
        (12, "utf-8", "LF", list(range(1, 13)), ["关爱留守儿童心得体会"] * 12),
    ),
    "lone.txt": (
        essay_file(["篇一", "篇二", "篇三"], preamble="我的留守生活\n"),
        {},
        (3, "utf-8", "LF", [1, 2, 3], ["我的留守生活"] * 3),
    ),
    "di_pian.txt": (
        essay_file(["第一篇", "第2篇：爷爷的背影"], preamble="我的留守生活\n"),
        {},
        (2, "utf-8", "LF", [1, 2], ["我的留守生活", "爷爷的背影"]),
    ),
    "bracket.txt": (
        essay_file(["【篇一】", "【第2篇】我的妈妈"], preamble="我的留守生活\n"),
        {},
        (2, "utf-8", "LF", [1, 2], ["我的留守生活", "我的妈妈"]),
    ),
    "fanwen.txt": (
        essay_file(["范文1", "范文2：留守儿童的心声"], preamble="我的留守生活\n"),
        {},
        (2, "utf-8", "LF", [1, 2], ["我的留守生活", "留守儿童的心声"]),
    ),
    "muban.txt": (essay_file(["模板1", "模板2"], preamble="我的留守生活\n"), {}, (2, "utf-8", "LF", [1, 2], None)),
    "custom.txt": (
        essay_file(["=== 我的爷爷 ===", "=== 我的妈妈 ==="]),
        {},
        (2, "utf-8", "LF", [None, None], ["我的爷爷", "我的妈妈"]),
    ),
    "noheading.txt": ("\n\n我的爷爷奶奶\n\n" + BODY_A + "\n" + BODY_B, {}, (1, "utf-8", "LF", [None], None)),
    "traditional.txt": (
        essay_file(["關愛留守兒童心得篇一", "關愛留守兒童心得篇二"], bodies=(TRADITIONAL,)),
        {},
        (2, "utf-8", "LF", [1, 2], None),
    ),
    "sub/nested.text": (
        essay_file(TWO),
        {"encoding": "gb18030", "newline": "\r\n"},
        (2, "gb18030", "CRLF", [1, 2], None),
    ),
}
NEWLINES = {"LF": "\n", "CRLF": "\r\n", "CR": "\r"}


@pytest.fixture(scope="module")
def layouts(tmp_path_factory):
    base = tmp_path_factory.mktemp("layouts")
    for name, (text, opts, _) in LAYOUTS.items():
        write_raw(base / "raw" / name, text, **opts)
    return run_build(base / "raw", base / "out", heading_patterns=[CUSTOM_PATTERN])


def _essays_of(built, name):
    e = built.tables["essays"]
    return e[e.source_file == name].sort_values("ordinal")


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_layout_split_and_decoding(layouts, name):
    text, opts, (n, encoding, ending, numbers, titles) = LAYOUTS[name]
    essays = _essays_of(layouts, name)
    assert len(essays) == n
    assert (essays.encoding == encoding).all()
    assert [None if pd.isna(x) else int(x) for x in essays.heading_number] == numbers
    if titles is not None:
        assert essays.title.tolist() == titles
    files = layouts.tables["files"].set_index("source_file")
    assert (files.loc[name, "encoding"], files.loc[name, "line_ending"], files.loc[name, "n_essays"]) == (
        encoding,
        ending,
        n,
    )
    for e in essays.itertuples():
        assert "\r" not in e.raw_text and "\ufeff" not in e.raw_text
        assert e.essay_id == f"{file_slug(name)}-{e.ordinal:02d}"


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_layout_line_numbers_point_at_raw_lines(layouts, name):
    _, opts, (_, encoding, ending, _, _) = LAYOUTS[name]
    data = (layouts.raw_dir / name).read_bytes()
    if opts.get("bom"):
        data = data[len(codecs.BOM_UTF8) :]
    lines = data.decode(opts.get("encoding", "utf-8")).split(NEWLINES[ending])
    for e in _essays_of(layouts, name).itertuples():
        assert e.raw_text.split("\n") == lines[e.line_start - 1 : e.line_end]
        assert e.sha256 == hashlib.sha256(e.raw_text.encode("utf-8")).hexdigest()
    paras = layouts.tables["paragraphs"]
    for p in paras[paras.essay_id.str.startswith(file_slug(name) + "-")].itertuples():
        assert p.text.startswith(clean_text(lines[p.line_start - 1])[0])


def test_layout_preamble_in_log_not_in_essays(layouts):
    log = layouts.tables["cleaning_log"]
    pre = log[log.rule.isin(["drop_preamble", "remove_chrome"]) & (log.essay_id == "")]
    assert set(pre.source_file) == {
        "utf8.txt",
        "gb18030.txt",
        "lone.txt",
        "di_pian.txt",
        "bracket.txt",
        "fanwen.txt",
        "muban.txt",
    }
    assert pre.before.str.contains("以下是一些成功的总结范文").sum() == 2
    assert not layouts.tables["essays"].raw_text.str.contains("以下是一些成功的总结范文|优秀2篇").any()


def test_layout_no_heading_is_one_essay_with_everything(layouts):
    # a single article's title line at the top is its heading, not its first paragraph
    [e] = _essays_of(layouts, "noheading.txt").itertuples()
    assert (e.heading, e.title, e.split_rule, e.line_start) == ("我的爷爷奶奶", "我的爷爷奶奶", "page_title", 5)
    assert e.text.startswith("我是一名乡村小学的班主任")
    assert e.text.endswith("他的学习成绩有了明显的进步。")


def test_layout_full_width_spaces_removed(layouts):
    essays = _essays_of(layouts, "fullwidth.txt")
    assert not essays.text.str.contains("\u3000").any()
    assert essays.text.iloc[0] == "我是一名乡村教师，班上有很多留守儿童。\n孩子们 很想念父母。"
    log = layouts.tables["cleaning_log"]
    assert (log[log.essay_id.isin(essays.essay_id)].rule == "normalize_whitespace").sum() >= 6


def test_layout_traditional_file(layouts):
    essays = _essays_of(layouts, "traditional.txt")
    assert essays.is_traditional.all()
    assert not layouts.tables["essays"].query("source_file != 'traditional.txt'").is_traditional.any()
    first = essays.iloc[0]
    assert first.text == "孩子们很开心。我们的老师经常与学生谈心，关爱留守儿童。\n爷爷奶奶年纪大了。"
    assert first.raw_text == TRADITIONAL.rstrip("\n")
    log = layouts.tables["cleaning_log"]
    mine = log[(log.essay_id == first.essay_id) & (log.rule == "to_simplified")]
    pairs = set(zip(mine.before, mine.after))
    assert {("們", "们"), ("開", "开"), ("關愛", "关爱"), ("兒", "儿")} <= pairs  # runs of changed characters
    assert all(b in first.raw_text and a in first.text for b, a in pairs)
    assert set(mine.line) == {first.line_start, first.line_start + 2}  # both paragraphs
    sents = layouts.tables["sentences"]
    assert "留守儿童" in sents[sents.essay_id == first.essay_id].tokens.sum()


def test_layout_gb18030_text_matches_utf8(layouts):
    a, b = _essays_of(layouts, "utf8.txt"), _essays_of(layouts, "gb18030.txt")
    assert a.text.tolist() == b.text.tolist()
    assert a.raw_text.tolist() == b.raw_text.tolist()
    assert a.essay_id.tolist() != b.essay_id.tolist()


# ================================================================ bad input

BAD_FILES = {
    "empty.txt": (b"", "empty file"),
    "binary.txt": (bytes(range(256)) * 8, "not a text file"),
    "invalid.txt": (b"\xff\x81\xfe\xff" * 64, "undecodable"),
    "blank.txt": ("\n  \n\u3000\u3000\n\t\n".encode("utf-8"), "no text"),
}


def test_bad_files_are_skipped_and_build_goes_on(make_corpus, tmp_path):
    raw = make_corpus(
        {
            "good.txt": essay_file(TWO),
            "notes.docx": b"PK\x03\x04",
            **{name: data for name, (data, _) in BAD_FILES.items()},
        }
    )
    built = run_build(raw, tmp_path / "out")
    assert built.summary.n_essays == 2 and built.summary.n_files == 1
    assert set(built.tables["essays"].source_file) == {"good.txt"}
    skipped = dict(zip(built.tables["skipped"].source_file, built.tables["skipped"].reason))
    assert set(skipped) == set(BAD_FILES)
    for name, (_, reason) in BAD_FILES.items():
        assert reason in skipped[name], name
        assert any(name in w and reason in w for w in built.warnings), name
    assert dict(built.summary.skipped) == skipped
    assert built.summary.ignored == ["notes.docx"]
    assert any("skipped empty.txt" in line for line in built.summary.lines())
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert {r["source_file"] for r in manifest["skipped"]} == set(BAD_FILES)


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_strict_makes_bad_files_fatal(make_corpus, tmp_path, name):
    data, reason = BAD_FILES[name]
    raw = make_corpus({"good.txt": essay_file(TWO), name: data})
    with pytest.raises(BuildError, match=rf"{name}: {reason}.*--strict"):
        run_build(raw, tmp_path / "out", strict=True)
    assert not (tmp_path / "out" / "essays.parquet").exists()


def test_nothing_readable_is_an_error(make_corpus, tmp_path):
    raw = make_corpus({"empty.txt": b"", "notes.md": "留守儿童"})
    with pytest.raises(BuildError, match="no essays found"):
        run_build(raw, tmp_path / "out")


# ================================================================ ids


@pytest.mark.parametrize(
    "relpath, slug",
    [(SEED_NAME, SEED_SLUG), ("essays_2024.txt", "essays_2024"), ("sub/a.txt", "sub_a_f08ae6")],
)
def test_file_slug(relpath, slug):
    assert file_slug(relpath) == slug


@pytest.mark.parametrize("relpath", ["留守儿童作文.txt", "my essay.txt", "a" * 40 + ".txt", "作文/第一批.txt"])
def test_file_slug_is_ascii_and_stable(relpath):
    slug = file_slug(relpath)
    assert slug == file_slug(relpath)
    assert slug.isascii() and slug.replace("_", "").isalnum() and len(slug) <= 24


def test_essay_ids_unique_across_files(make_corpus, tmp_path):
    raw = make_corpus({"sub/a.txt": essay_file(TWO), "sub_a.txt": essay_file(TWO)})
    built = run_build(raw, tmp_path / "out")
    assert built.tables["essays"].essay_id.is_unique


def test_essay_ids_stable_across_builds(layouts, tmp_path):
    again = run_build(layouts.raw_dir, tmp_path / "again", heading_patterns=[CUSTOM_PATTERN], use_cache=False)
    assert again.tables["essays"].essay_id.tolist() == layouts.tables["essays"].essay_id.tolist()
    _assert_same_tables(layouts.tables, again.tables)


# ================================================================ cache


def _n_layers() -> int:
    """Cache layers of an essay: its base tables and one per analysis stage."""
    return 1 + len(layers_mod.essay_stages())


def _cache_index(out) -> dict:
    return json.loads((out / config.CACHE_DIR_NAME / "index.json").read_text(encoding="utf-8"))["fragments"]


@pytest.fixture
def count_processed(monkeypatch):
    """Essays cleaned and segmented (not taken from the cache), in order."""
    seen: list[str] = []
    real = parallel_mod.process_layers

    def counting(batch, stages=None, base=None, tokens=True):
        if base is None and tokens:  # a task that tokenises nothing makes no base layer (another one does)
            seen.extend(e.essay_id for e in batch)
        return real(batch, stages, base, tokens)

    monkeypatch.setattr(parallel_mod, "process_layers", counting)
    return seen


def test_cache_processes_only_the_new_essay(make_corpus, tmp_path, count_processed, frozen_fingerprint):
    text = essay_file(TWO)
    raw = make_corpus({"a.txt": text})
    out = tmp_path / "out"
    first = run_build(raw, out)
    assert (first.summary.n_cached, count_processed) == (0, ["a-01", "a-02"])

    count_processed.clear()
    same = run_build(raw, out)
    assert (same.summary.n_cached, count_processed) == (2, [])
    _assert_same_tables(first.tables, same.tables)

    count_processed.clear()
    write_raw(raw / "a.txt", text + "关爱留守儿童工作总结篇三\n\n" + BODY_C)
    grown = run_build(raw, out)
    assert grown.summary.n_essays == 3
    assert grown.summary.n_cached == 2
    assert count_processed == ["a-03"]
    fresh = run_build(raw, tmp_path / "fresh", use_cache=False)
    _assert_same_tables(fresh.tables, grown.tables)
    assert len(_cache_index(out)) == 3 * _n_layers()


def test_remembered_tables_give_the_tables_of_a_build_from_scratch(
    make_corpus, tmp_path, count_processed, frozen_fingerprint
):
    """``build --watch`` keeps the last build's tables in memory: later builds
    take unchanged essays from there (no cache read), process only new or
    edited ones, and give exactly the tables of a build from scratch — with a
    file added before the others in corpus order, an essay edited, a file
    removed, and an essay whose tables are empty (no entity, no number)."""
    seed = SEED_PATH.read_text(encoding="utf-8")
    mini = (config.ROOT / "tests" / "fixtures" / "mini_corpus" / "essays.txt").read_text(encoding="utf-8")
    raw = make_corpus({"m.txt": mini, "s.txt": seed})
    out = tmp_path / "out"
    try:
        run_build(raw, out, remember=True)
        steps = [
            ("a.txt", "关爱留守儿童篇一\n\n今天下雨了。我们在教室里读书，大家都很安静。\n"),  # sorts first, few rows
            ("m.txt", mini.replace("性格孤僻", "性格开朗", 1)),  # one essay edited
            ("s.txt", None),  # a whole file removed
        ]
        for name, text in steps:
            if text is None:
                (raw / name).unlink()
            else:
                write_raw(raw / name, text)
            count_processed.clear()
            warm = run_build(raw, out, remember=True)
            assert len(count_processed) == warm.summary.n_essays - warm.summary.n_cached
            assert len(count_processed) == {"a.txt": 1, "m.txt": 1, "s.txt": 0}[name]
            fresh = run_build(raw, tmp_path / f"fresh-{name}", use_cache=False)
            _assert_same_tables(fresh.tables, warm.tables)
            assert warm.summary.n_essays == fresh.summary.n_essays
        # the held tables are served without reading the cache: damage it, the rows still come from memory
        for f in (out / config.CACHE_DIR_NAME).glob("b-*/*.parquet"):
            f.write_bytes(b"not parquet")
        count_processed.clear()
        again = run_build(raw, out, remember=True)
        assert count_processed == [] and again.summary.n_cached == again.summary.n_essays
        _assert_same_tables(fresh.tables, again.tables)
    finally:
        build_mod.forget_last_build()


def test_watch_rebuilds_when_the_raw_folder_changes(make_corpus, tmp_path, count_processed, frozen_fingerprint):
    """``build --watch``: a second build follows a file dropped into the raw
    folder; it processes only the new essay and writes the tables of a build
    from scratch. A folder left with no essay is reported, not fatal."""
    raw = make_corpus({"a.txt": essay_file(TWO)})
    out = tmp_path / "out"
    seen, errors = [], []

    def on_build(summary):
        seen.append((summary.n_essays, summary.n_cached, [e for e in count_processed if e != "warm-01"]))
        count_processed.clear()
        if len(seen) == 1:
            write_raw(raw / "b.txt", essay_file(["关爱留守儿童心得体会篇一"], bodies=(BODY_C,)))
        elif len(seen) == 2:
            (raw / "a.txt").unlink()
            (raw / "b.txt").unlink()

    try:
        n = watch_mod.watch(
            raw, out, poll=0.05, max_builds=3, on_build=on_build, on_error=errors.append, jobs=1, progress=False
        )
    finally:
        build_mod.forget_last_build()
    assert n == 3
    assert seen == [(2, 0, ["a-01", "a-02"]), (3, 2, ["b-01"])]
    write_raw(raw / ".a.txt.swp", "an editor's swap file")  # hidden files are not read, so not watched
    write_raw(raw / "notes.md", "笔记")  # listed as ignored by a build, so watched
    assert set(watch_mod._raw_state(raw)) == {"notes.md"}
    assert len(errors) == 1 and "no essays found" in errors[0]
    write_raw(raw / "a.txt", essay_file(TWO))
    write_raw(raw / "b.txt", essay_file(["关爱留守儿童心得体会篇一"], bodies=(BODY_C,)))
    fresh = run_build(raw, tmp_path / "fresh", use_cache=False)
    _assert_same_tables(fresh.tables, read_tables(out))  # the failed build left the tables of the second build


@pytest.fixture
def code_edited_after_start(monkeypatch):
    """The code and resources fingerprint changes right after a watch starts (as the build
    and the watch loop both see it), and the watch loads no models."""
    values = iter(["v1"] + ["v2"] * 10)
    real = build_mod.settings_fingerprint

    def edited():
        return {k: v + next(values) if k == "base" else v for k, v in real().items()}

    for mod in (build_mod, watch_mod):
        monkeypatch.setattr(mod, "settings_fingerprint", edited)
    monkeypatch.setattr(watch_mod, "warm_up", lambda stages=None: None)


def test_watch_stops_when_code_or_resources_change(make_corpus, tmp_path, code_edited_after_start):
    """Models and modules loaded in the watching process would be stale: a
    changed fingerprint ends watching (the command line restarts itself)."""
    raw = make_corpus({"a.txt": essay_file(TWO)})
    with pytest.raises(watch_mod.CodeChanged):
        watch_mod.watch(raw, tmp_path / "out", poll=0.01, jobs=1, progress=False)
    build_mod.forget_last_build()


def test_watch_keys_builds_with_the_files_it_started_with(make_corpus, tmp_path, monkeypatch, code_edited_after_start):
    """A file edited while the watching process builds: the build's results
    (computed by the code loaded at start) are stored under the old
    fingerprint's keys, never under the new one's, and watching then stops."""
    raw = make_corpus({"a.txt": essay_file(TWO)})
    keyed_with = []
    real_keys = build_mod.layer_keys
    monkeypatch.setattr(
        build_mod, "layer_keys", lambda e, settings: keyed_with.append(settings["base"][-2:]) or real_keys(e, settings)
    )
    try:
        with pytest.raises(watch_mod.CodeChanged):
            watch_mod.watch(raw, tmp_path / "out", poll=0.01, jobs=1, progress=False)
    finally:
        build_mod.forget_last_build()
    assert keyed_with == ["v1", "v1"]


def test_a_second_build_into_a_folder_waits_for_the_first(make_corpus, tmp_path):
    """Two builds into one folder (a command-line build while a watch builds)
    would mix their cache entries and tables: the second waits, and says so."""
    import fcntl
    import threading

    raw = make_corpus({"a.txt": essay_file(TWO)})
    out = tmp_path / "out"
    out.mkdir()
    holder = os.open(out / procs.LOCK_FILE, os.O_RDWR | os.O_CREAT)  # another build holds the folder
    fcntl.flock(holder, fcntl.LOCK_EX)
    os.write(holder, b"4242\n")
    said, done = [], []
    t = threading.Thread(
        target=lambda: done.append(build_mod.build(raw, out, jobs=1, progress=False, warn=said.append))
    )
    t.start()
    time.sleep(1.0)
    assert not done and not (out / "essays.parquet").exists()  # waiting, nothing written
    assert said == [f"another build (pid 4242) is writing to {out}; waiting for it (at most 600 s, --lock-timeout)"]
    os.close(holder)
    t.join(timeout=120)
    assert done and done[0].n_essays == 2 and (out / "essays.parquet").is_file()
    assert (out / procs.LOCK_FILE).read_text() == f"{os.getpid()}\n"  # the last holder, for the next message


def test_a_build_gives_up_waiting_after_the_lock_timeout(make_corpus, tmp_path):
    import fcntl

    raw = make_corpus({"a.txt": essay_file(TWO)})
    out = tmp_path / "out"
    out.mkdir()
    holder = os.open(out / procs.LOCK_FILE, os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)
    os.write(holder, b"4242\n")
    try:
        with pytest.raises(BuildError, match=r"another build \(pid 4242\) .* more than 0.5 s.*--lock-timeout"):
            build_mod.build(raw, out, jobs=1, progress=False, lock_timeout=0.5, warn=lambda m: None)
    finally:
        os.close(holder)
    assert not (out / "essays.parquet").exists()


def test_cache_is_pruned_and_damaged_entries_recomputed(make_corpus, tmp_path, count_processed, frozen_fingerprint):
    raw = make_corpus({"a.txt": essay_file(TWO)})
    out = tmp_path / "out"
    run_build(raw, out)
    for f in (out / config.CACHE_DIR_NAME).glob("b-*/*.parquet"):
        f.write_bytes(b"not parquet")
    count_processed.clear()
    again = run_build(raw, out)
    assert (again.summary.n_cached, count_processed) == (0, ["a-01", "a-02"])
    write_raw(raw / "a.txt", essay_file(TWO[:1]))  # the second essay is gone
    run_build(raw, out)
    assert len(_cache_index(out)) == 1 * _n_layers()
    live = set(_cache_index(out).values())
    assert {p.name for p in (out / config.CACHE_DIR_NAME).iterdir()} == live | {"index.json"}


def test_no_cache_recomputes_everything(make_corpus, tmp_path, count_processed):
    raw = make_corpus({"a.txt": essay_file(TWO)})
    run_build(raw, tmp_path / "out")
    count_processed.clear()
    again = run_build(raw, tmp_path / "out", use_cache=False)
    assert (again.summary.n_cached, count_processed) == (0, ["a-01", "a-02"])


# ================================================================ atomic outputs


def test_failed_write_leaves_old_tables_intact(make_corpus, tmp_path, monkeypatch):
    raw = make_corpus({"a.txt": essay_file(TWO)})
    out = tmp_path / "out"
    run_build(raw, out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert {"essays.parquet", "essays.csv", "sentences.parquet", "manifest.json"} <= set(before)

    write_raw(raw / "a.txt", essay_file(TWO + ["关爱留守儿童工作总结篇三"]))
    real = aio._csv_table

    def failing(table):
        if "tokens" in table.column_names:  # sentences: other tables are serialised meanwhile
            raise OSError("No space left on device")
        return real(table)

    monkeypatch.setattr(aio, "_csv_table", failing)
    with pytest.raises(OSError, match="No space left"):
        run_build(raw, out)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert not [p for p in out.iterdir() if p.name.startswith(".staging")]
    assert len(aio.read_table(out, "essays")) == 2

    monkeypatch.undo()
    assert run_build(raw, out).summary.n_essays == 3
    assert len(aio.read_table(out, "essays")) == 3


def test_many_cache_fragments_are_merged_into_one(
    make_corpus, tmp_path, count_processed, frozen_fingerprint, monkeypatch
):
    raw = make_corpus({"a.txt": essay_file(TWO)})
    out = tmp_path / "out"
    monkeypatch.setattr(parallel_mod, "BATCH_CHARS", 1)  # one fragment per essay
    first = run_build(raw, out)
    assert len(set(_cache_index(out).values())) == 2 * _n_layers()
    monkeypatch.setattr(build_mod, "MAX_FRAGMENTS", 1)
    count_processed.clear()
    again = run_build(raw, out)
    assert (again.summary.n_cached, count_processed) == (2, [])
    assert len(set(_cache_index(out).values())) == _n_layers()  # one fragment per layer
    assert len([p for p in (out / config.CACHE_DIR_NAME).iterdir() if p.is_dir()]) == _n_layers()
    _assert_same_tables(first.tables, again.tables)
    third = run_build(raw, out)
    assert third.summary.n_cached == 2
    _assert_same_tables(first.tables, third.tables)


def test_fingerprint_follows_per_essay_code_and_resources_only(tmp_path, monkeypatch):
    """Editing a report/view module keeps the essay cache; editing a per-essay
    module or a resource file empties it (checked on copies of the package's
    files, so nothing real is touched)."""
    import shutil

    pkg = tmp_path / "analysis"
    shutil.copytree(config.PACKAGE_DIR, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache_mod, "PACKAGE_DIR", pkg)
    monkeypatch.setattr(cache_mod, "RESOURCES_DIR", pkg / "resources")
    base = build_mod.settings_fingerprint()
    assert set(base) == {"base", *(name for name, _ in layers_mod.essay_stages())}
    with open(pkg / "reporting" / "views" / "selection.py", "a", encoding="utf-8") as fh:
        fh.write("\n# 报告里的一句注释\n")
    assert build_mod.settings_fingerprint() == base
    with open(pkg / "cli" / "build.py", "a", encoding="utf-8") as fh:  # a module of the command-line package
        fh.write("\n# 命令行的一句注释\n")
    assert build_mod.settings_fingerprint() == base
    # a module inside a declared subpackage counts like the package: trust's parts change no essay's tables
    with open(pkg / "methods" / "trust" / "metrics.py", "a", encoding="utf-8") as fh:
        fh.write("\nX_信度 = 1\n")
    assert build_mod.settings_fingerprint() == base
    with open(pkg / "ingest" / "clean.py", "a", encoding="utf-8") as fh:
        fh.write("\n# 清洗规则的一句注释\n")
    edited = build_mod.settings_fingerprint()
    assert edited != base
    assert edited["base"] != base["base"] and all(edited[s] == base[s] for s in base if s != "base")

    # a stage's own resource changes that stage's fingerprint only
    for resource, stage in (
        ("sentiment/positive.txt", "sentiment"),
        ("codebook.yaml", "themes"),
        ("entity_cues.yaml", "tagging"),
    ):
        before = build_mod.settings_fingerprint()
        with open(pkg / "resources" / resource, "a", encoding="utf-8") as fh:
            fh.write("\n# 研究者加的一行\n")
        after = build_mod.settings_fingerprint()
        assert {k for k in after if after[k] != before[k]} == {stage}, resource
    before = build_mod.settings_fingerprint()
    with open(pkg / "resources" / "userdict.txt", "a", encoding="utf-8") as fh:
        fh.write("留守儿童之家 5 n\n")
    after = build_mod.settings_fingerprint()
    assert {k for k in after if after[k] != before[k]} == {"base"}  # and every stage key hashes the base key


def test_processing_an_essay_imports_no_module_left_out_of_the_fingerprint():
    """The modules whose edits keep the cache must really play no part in an
    essay's processing: a fresh interpreter processes a Chinese essay through
    every per-essay stage and none of them gets imported."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from analysis import build, cache, parallel\n"
        "parallel.warm_up()\n"
        "seen = sorted(m for m in sys.modules if m.startswith('analysis.')\n"
        "              and m.split('.')[-1] in cache.NOT_PER_ESSAY_MODULES)\n"
        "assert 'analysis.pipeline.stages' in sys.modules and 'analysis.methods.sentiment' in sys.modules\n"
        "print(' '.join(seen) or 'none')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    assert out.stdout.strip() == "none"


def test_each_stage_loads_only_its_own_and_base_files():
    """stages.STAGE_INPUTS must name every module and resource file a stage
    depends on beyond cleaning and segmentation: run alone in a fresh
    interpreter on a Chinese essay's base tables, a stage imports no module and
    reads no resource file that counts for another stage."""
    import subprocess
    import sys

    code = (
        "import json, sys\n"
        "import analysis.resources as R\n"
        "read, real = [], R.resource_path\n"
        "def spy(name, path=None):\n"
        "    read.append(name)\n"
        "    return real(name, path)\n"
        "R.resource_path = spy\n"
        "from analysis import build, layers, stages\n"
        "essay = build.EssayInput('a-01', 'a.txt', 1, '', None, '关爱留守儿童', 1, 5, 'utf-8',\n"
        "    '关爱留守儿童\\n\\n王小明的父母常年在外务工，他跟着爷爷奶奶生活，很想念爸爸妈妈。\\n'\n"
        "    '\\n一、开展家访\\n\\n2023年，我们到村里家访了30次，老师和他促膝谈心。')\n"
        "base, _ = layers._base_tables([essay])\n"
        "mods, n_read = set(sys.modules), len(read)\n"
        "stage = dict(stages.ESSAY_STAGES)[sys.argv[1]]\n"
        "delta = layers._stage_delta(base, stage)\n"
        "assert sum(len(t) for t in delta.values()) > 0\n"
        "new = sorted({sys.modules[m].__file__ for m in set(sys.modules) - mods\n"
        "              if m.startswith('analysis.') and getattr(sys.modules[m], '__file__', None)})\n"
        "print(json.dumps({'modules': new, 'resources': read[n_read:]}))\n"
    )
    for name, _ in layers_mod.essay_stages():
        out = subprocess.run(
            [sys.executable, "-c", code, name], capture_output=True, text=True, check=True, timeout=300
        )
        seen = json.loads(out.stdout)
        owners = {Path(f).name: cache_mod.layer_of(Path(f)) for f in seen["modules"]}
        owners |= {r: cache_mod.layer_of(config.RESOURCES_DIR / r) for r in seen["resources"]}
        assert seen["modules"] or seen["resources"], name  # the stage loads something of its own
        foreign = {f: o for f, o in owners.items() if o not in {"base", name}}
        assert not foreign, f"{name} loads files of other stages: {foreign}"


def test_token_free_stages_give_the_same_tables_without_tokens(seed_build):
    """A stage in stages.TOKEN_FREE_STAGES reads no tokens: on the base tables
    of real essays without the tokens column, it adds exactly what it adds with
    them (so the worker that runs it alone need not tokenise)."""
    from analysis.pipeline import stages

    assert stages.TOKEN_FREE_STAGES and stages.TOKEN_FREE_STAGES <= {n for n, _ in layers_mod.essay_stages()}
    essays = build_mod.plan_essays(aio.read_raw(SEED_PATH, root=SEED_PATH.parent), build_mod.compile_patterns([]))[0]
    with_tokens, _ = layers_mod._base_tables(essays)
    without, _ = layers_mod._base_tables(essays, tokens=False)
    assert "tokens" in with_tokens["sentences"] and "tokens" not in without["sentences"]
    assert with_tokens["sentences"].drop(columns="tokens").equals(without["sentences"])
    for name, stage in layers_mod.essay_stages():
        if name in stages.TOKEN_FREE_STAGES:
            a, b = layers_mod._stage_delta(with_tokens, stage), layers_mod._stage_delta(without, stage)
            assert a.keys() == b.keys() and sum(len(t) for t in a.values()) > 0
            for table in a:
                pd.testing.assert_frame_equal(a[table], b[table], check_like=False)


def test_a_changed_stage_reruns_alone_on_the_cached_segmentation(
    make_corpus, tmp_path, monkeypatch, frozen_fingerprint
):
    """A researcher adds a lexicon entry: the next build re-runs sentiment only,
    on the cached cleaning and segmentation, and gives the tables of a build
    from scratch with that lexicon."""
    from analysis.methods import sentiment

    raw = make_corpus({"a.txt": essay_file(TWO + ["关爱留守儿童工作总结篇三"])})
    out = tmp_path / "out"
    first = run_build(raw, tmp_path / "first")
    shutil.copytree(tmp_path / "first", out)
    calls: list[tuple[bool, tuple]] = []
    real = parallel_mod.process_layers

    def spy(batch, stages=None, base=None, tokens=True):
        calls.append((base is None, tuple(stages or ())))
        return real(batch, stages, base, tokens)

    monkeypatch.setattr(parallel_mod, "process_layers", spy)
    # the edit: 笑容 and 进步 become strongly negative; sentiment's fingerprint changes with it
    edited = tmp_path / "negative.txt"
    edited.write_text(
        (config.RESOURCES_DIR / "sentiment" / "negative.txt").read_text(encoding="utf-8") + "\n笑容 2.0\n进步 2.0\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(sentiment.scoring, "get_lexicon", lambda: sentiment.build_lexicon(paths={"negative": edited}))
    monkeypatch.setattr(build_mod, "settings_fingerprint", lambda: frozen_fingerprint | {"sentiment": "edited"})

    again = run_build(raw, out)
    assert calls and set(calls) == {(False, ("sentiment",))}  # sentiment alone, on cached base tables
    assert again.summary.n_cached == 0 and again.summary.restaged == {"sentiment": 3}
    assert any("sentiment re-run on 3 essay(s)" in line for line in again.summary.lines())
    fresh = run_build(raw, tmp_path / "fresh", use_cache=False)
    _assert_same_tables(fresh.tables, again.tables)

    s0, s1 = first.tables["sentences"], again.tables["sentences"]
    changed = s1["text"].str.contains("笑容|进步")
    assert changed.any()
    assert (s1.loc[changed, "score_lexicon"] < s0.loc[changed, "score_lexicon"]).all()
    unchanged = [c for c in s0.columns if not c.startswith(("score_", "label_", "sentiment_", "emotion"))]
    pd.testing.assert_frame_equal(s0[unchanged], s1[unchanged])
    for name in ("entities", "headings", "numbers", "cleaning_log", "quality_flags"):
        pd.testing.assert_frame_equal(aio.read_table(first.out_dir, name), aio.read_table(out, name), obj=name)

    calls.clear()
    third = run_build(raw, out)
    assert calls == [] and third.summary.n_cached == 3
    _assert_same_tables(again.tables, third.tables)


def test_a_failing_corpus_stage_leaves_the_old_tables_while_early_tables_were_being_written(
    make_corpus, tmp_path, monkeypatch
):
    """Tables are written in the background once no later corpus stage changes
    them; a later stage that fails must still leave every old table in place
    (nothing moved, no staging folder left), and a stage that changes a table
    it did not declare is an error, not a silently stale file."""
    from analysis.pipeline import stages

    raw = make_corpus({"a.txt": essay_file(TWO)})
    out = tmp_path / "out"
    first = run_build(raw, out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    write_raw(raw / "a.txt", essay_file(TWO + ["关爱留守儿童工作总结篇三"]))

    def broken(t, memory=None):
        raise RuntimeError("pseudonyms failed")

    monkeypatch.setattr(stages, "CORPUS_STAGES", [stages.CORPUS_STAGES[0], ("pseudonyms", broken)])
    with pytest.raises(RuntimeError, match="pseudonyms failed"):
        run_build(raw, out)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert not [p for p in out.iterdir() if p.name.startswith(".staging")]

    def sneaky(t, memory=None):
        t["essays"] = t["essays"].assign(extra=1)  # not among the declared outputs
        return stages.pseudonym_stage(t, memory)

    monkeypatch.setattr(stages, "CORPUS_STAGES", [stages.CORPUS_STAGES[0], ("pseudonyms", sneaky)])
    with pytest.raises(RuntimeError, match="does not declare"):
        run_build(raw, out)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert first.summary.n_essays == 2


# ------------------------------------------------ cache layers independent of the package layout


def test_cache_layers_hold_when_modules_move_into_subpackages(tmp_path):
    """Stage modules and report modules are recognised by name at any depth, so
    moving a module into a subpackage keeps its edits invalidating the right
    cache layer (and keeps report modules out of the essay cache)."""
    from analysis.pipeline import stages

    flat, nested = tmp_path / "flat", tmp_path / "nested"
    layout = {
        "sentiment.py": "methods/sentiment/__init__.py",
        "snowfast.py": "fast/snowfast.py",
        "themes.py": "methods/themes/rules.py",
        "tag.py": "methods/tag.py",
        "clean.py": "ingest/clean.py",
        "views.py": "reporting/views.py",
        "cli.py": "cli/build.py",
        "trust.py": "methods/trust/metrics.py",
        "report.py": "reporting/render.py",
    }
    for old, new in layout.items():
        for root, rel in ((flat, old), (nested, new)):
            f = root / rel
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_text("# 留守儿童\n", encoding="utf-8")
    (nested / "resources" / "sentiment").mkdir(parents=True)
    (nested / "resources" / "sentiment" / "lexicon.txt").write_text("开心\n", encoding="utf-8")

    for old, new in layout.items():
        assert cache_mod.layer_of(nested / new, nested) == cache_mod.layer_of(flat / old, flat), (old, new)
    assert cache_mod.layer_of(nested / "methods/sentiment/__init__.py", nested) == "sentiment"
    assert cache_mod.layer_of(nested / "fast/snowfast.py", nested) == "sentiment"
    assert cache_mod.layer_of(nested / "methods/themes/rules.py", nested) == "themes"
    assert cache_mod.layer_of(nested / "ingest/clean.py", nested) == "base"
    assert cache_mod.layer_of(nested / "resources/sentiment/lexicon.txt", nested) == "sentiment"
    assert set(stages.STAGE_INPUTS) >= {"sentiment", "themes", "tagging"}

    per_essay = {p.relative_to(nested).as_posix() for p in cache_mod.per_essay_modules(nested)}
    assert "fast/snowfast.py" in per_essay and "ingest/clean.py" in per_essay  # found at any depth
    assert "reporting/views.py" not in per_essay and "cli/build.py" not in per_essay
    assert "methods/trust/metrics.py" not in per_essay
    # a module named like a report module only by a prefix is not taken for it
    assert not cache_mod._names_module("tag", "tagmodel") and cache_mod._names_module("tag", "methods.tag")


def test_every_module_of_the_real_package_is_fingerprinted_or_declared_outside():
    from analysis.config import PACKAGE_DIR

    every = {p for p in PACKAGE_DIR.rglob("*.py") if "__pycache__" not in p.parts}
    per_essay = set(cache_mod.per_essay_modules())
    outside = {
        p
        for p in every
        if any(cache_mod._names_module(n, cache_mod.module_name(p)) for n in cache_mod.NOT_PER_ESSAY_MODULES)
    }
    assert per_essay | outside == every and not per_essay & outside
    # modules split into packages keep their place: snowfast's parts count for sentiment, views' for no layer
    snowfast = set((PACKAGE_DIR / "fast" / "snowfast").glob("*.py"))
    assert len(snowfast) > 1 and snowfast <= per_essay
    assert {cache_mod.layer_of(p) for p in snowfast} == {"sentiment"}
    views = set((PACKAGE_DIR / "reporting" / "views").glob("*.py"))
    assert len(views) > 1 and views <= outside
    # the command line's and the validation figures' parts count for no layer
    cli = set((PACKAGE_DIR / "cli").glob("*.py"))
    assert len(cli) > 1 and cli <= outside
    trust = set((PACKAGE_DIR / "methods" / "trust").glob("*.py"))
    assert len(trust) > 1 and trust <= outside


def test_files_planned_on_forked_processes_give_the_tables_planned_in_one(tmp_path, monkeypatch):
    """Large corpora plan their files (split pages, find chrome) on ``jobs`` processes: the same tables."""
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SEED_PATH, raw / "a_seed.txt")
    (raw / "b_page.txt").write_text(
        "首页 > 作文大全 > 正文\n留守儿童作文1\n爸爸妈妈在外地打工，我和奶奶住在村里。\n每天放学，我都给妈妈打电话。\n"
        "留守儿童作文2\n我的同桌也是留守儿童，她很想念她的妈妈。\n上一篇：我的老师\n",
        encoding="utf-8",
    )
    (raw / "c_page.txt").write_text(
        "第一篇：想念\n过年的时候，爸爸终于回来了。\n第二篇：奶奶\n奶奶的手很粗糙，可是很温暖。\n", encoding="utf-8"
    )
    monkeypatch.setattr(build_mod, "PLAN_IN_PARALLEL_ABOVE", 10**12)
    one = run_build(raw, tmp_path / "one", jobs=2)
    monkeypatch.setattr(build_mod, "PLAN_IN_PARALLEL_ABOVE", 0)
    forked = []
    real_fork_map = procs.fork_map
    monkeypatch.setattr(
        procs, "fork_map", lambda fn, args, n, jobs: forked.append(n) or real_fork_map(fn, args, n, jobs)
    )
    many = run_build(raw, tmp_path / "many", jobs=2)
    assert forked and forked[0] == 2  # the planning did run on two processes
    assert len(one.tables["essays"]) >= 14
    for name, table in one.tables.items():
        pd.testing.assert_frame_equal(table, many.tables[name], obj=name)
