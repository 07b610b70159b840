"""The CJK font embedded in report pages: every character of the page, from
the prepared TrueType font or, for rarer characters, the shipped one."""

from __future__ import annotations

import base64
import io
import re

import pytest
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont

from analysis.reporting import webfont
from analysis.reporting.plots import cjk_font_path

PAGE = (
    "<html><head></head><body><h1>留守儿童的心声</h1>"
    "<p>爸爸妈妈在广东打工，我和奶奶住在村里。“你们什么时候回来？”——E01, n = 12</p>"
    "<p>傳統字：關愛留守兒童（繁體）；全角ＡＢＣ１２３。</p></body></html>"
)


def _embedded(css: str) -> TTFont:
    data = re.search(r"base64,([A-Za-z0-9+/=]+)\)", css).group(1)
    return TTFont(io.BytesIO(base64.b64decode(data)))


def test_every_chinese_character_of_a_page_is_in_its_font_and_latin_is_left_to_the_reader():
    font = _embedded(webfont.font_face_css(PAGE))
    cmap = font.getBestCmap()
    cjk = {c for c in PAGE if ord(c) >= 0x2E80}
    assert cjk and all(ord(c) in cmap for c in cjk)
    assert not any(ord(c) in cmap for c in "E01n=html")
    assert "glyf" in font  # cut from the prepared TrueType font


def test_a_page_without_chinese_embeds_no_font():
    assert webfont.font_face_css("<p>E01 — n = 12 (2.5%)</p>") == ""


def test_a_character_beyond_the_prepared_set_is_still_embedded():
    rare = "\u3400"  # CJK extension A: not in the prepared font, in the shipped one
    assert rare not in webfont._prepared_chars(str(webfont.prepared_font()))
    font = _embedded(webfont.font_face_css(f"<p>留守{rare}儿童</p>"))
    cmap = font.getBestCmap()
    assert all(ord(c) in cmap for c in f"留守{rare}儿童")
    assert "CFF " in font  # the shipped font's outlines


@pytest.mark.parametrize("char", list("留守儿童關愛，。《》「」（）"))
def test_the_prepared_outlines_keep_the_shipped_shapes(char):
    def bounds(font: TTFont) -> tuple[float, ...]:
        glyphs = font.getGlyphSet()
        pen = BoundsPen(glyphs)
        glyphs[font.getBestCmap()[ord(char)]].draw(pen)
        return pen.bounds

    shipped = bounds(TTFont(str(cjk_font_path()), lazy=True))
    prepared = bounds(TTFont(str(webfont.prepared_font()), lazy=True))
    assert prepared == pytest.approx(shipped, abs=2 * webfont.MAX_ERROR)


def test_the_prepared_font_is_kept_per_shipped_font_and_format(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    assert webfont.prepared_path().parent == tmp_path
    assert webfont.prepared_font(prepare=False) is None  # not made unless asked
    first = webfont.prepared_path()
    monkeypatch.setattr(webfont, "FORMAT", webfont.FORMAT + 1)
    assert webfont.prepared_path() != first


def _tables_without_time(font: TTFont) -> dict[str, bytes]:
    """Each table's bytes as saved, with head's checksum adjustment and save time zeroed:
    all two cuts of one page may differ in."""
    tables = {tag: bytes(font.reader[tag]) for tag in font.reader.keys()}
    head = bytearray(tables["head"])
    head[8:12] = bytes(4)  # checkSumAdjustment
    head[28:36] = bytes(8)  # modified
    tables["head"] = bytes(head)
    return tables


def test_pages_cut_with_the_kept_tables_equal_pages_cut_from_a_freshly_read_font():
    """The outline and metric tables are parsed once and shared by every page;
    pages cut in any order must equal cuts from a font read afresh."""
    pages = [
        PAGE,
        "<p>我叫小雨，今年十岁。奶奶说爸爸妈妈在外地打工，过年才回来。</p>",
        "<p>尊敬的各位领导、老师：关爱留守儿童，是全社会的共同责任。</p>",
        PAGE + "<p>孩子们，新学期开始了！</p>",
    ]

    def fresh(page: str) -> TTFont:
        chars = "".join(sorted(webfont.embedded_chars(page)))
        font = TTFont(str(webfont.prepared_font()), lazy=True, recalcBBoxes=False)
        webfont._subsetter(chars, flavor="woff").subset(font)
        buf = io.BytesIO()
        font.flavor = "woff"
        font.save(buf)
        return TTFont(io.BytesIO(buf.getvalue()))

    expected = [_tables_without_time(fresh(p)) for p in pages]
    for order in ([0, 1, 2, 3], [3, 2, 1, 0, 3, 0]):
        for i in order:
            assert _tables_without_time(_embedded(webfont.font_face_css(pages[i]))) == expected[i], i


def test_the_same_page_embeds_the_same_font_bytes_a_second_later(monkeypatch):
    """A page's font does not carry the time it was cut: the same text gives the same bytes (an unchanged
    index or report is byte-identical, so it is not checked and written again)."""
    from fontTools.misc.timeTools import timestampFromString
    from fontTools.ttLib.tables import _h_e_a_d

    text = "留守儿童的作文，奶奶说：“你爸爸快回来了。”"
    first = webfont.font_face_css(text)
    monkeypatch.setattr(_h_e_a_d, "timestampNow", lambda: timestampFromString("Mon Jan  1 00:00:00 2046"))
    assert webfont.font_face_css(text) == first
