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
