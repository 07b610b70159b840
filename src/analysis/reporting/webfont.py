"""The CJK font embedded in every HTML report, subset to the page's characters.

A report must show Chinese on any machine, offline, so each page carries an
``@font-face`` rule with the glyphs of the characters it uses (WOFF, base64),
cut from Noto Sans CJK SC as the ``mplfonts`` package ships it.

Subsetting that font is slow per page: its outlines are CFF charstrings, which
fontTools decompiles and recompiles glyph by glyph (about 0.6 s a page). So the
characters of running text — CJK symbols and punctuation, the unified
ideographs of the basic block, compatibility ideographs and full-width forms,
about 23,000 — are converted once per machine into a TrueType font in the user
cache (:func:`prepared_font`, about half a minute), whose glyphs a subset copies
as they are; its outline and metric tables are parsed once per process and
shared by the pages (:func:`_fresh_font`), leaving about 0.05 s a page. A page with a character outside that set
(extension A, a rare compatibility form) is subset from the shipped font
instead: slower, never wrong. The conversion keeps the outlines within one font
unit (of 1,000 per em) of the original.

Only characters from U+2E80 up are embedded: Latin text uses the reader's
fonts. Layout features (vertical forms, localised variants) are left out: the
reports set Chinese horizontally, in its simplified-Chinese default forms.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io as _io
from pathlib import Path

from analysis import io as aio
from analysis.config import user_cache_dir

# Bump when the prepared font's content changes (ranges, conversion).
FORMAT = 1
FIRST_EMBEDDED = 0x2E80
# (first, last) code points converted ahead into the prepared font
PREPARED_RANGES = (
    (0x2E80, 0x33FF),  # radicals, CJK symbols and punctuation, kana, enclosed and compatibility
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE10, 0xFE6F),  # vertical forms, compatibility and small forms
    (0xFF00, 0xFFEF),  # half-width and full-width forms
)
MAX_ERROR = 1.0  # font units allowed between a cubic outline and its quadratic conversion

FONT_FILE = "NotoSansCJKsc-Regular.otf"


@functools.lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """Path of the bundled Noto Sans CJK SC font (from the mplfonts package)."""
    import mplfonts

    path = Path(mplfonts.__file__).parent / "fonts" / FONT_FILE
    if not path.is_file():
        raise FileNotFoundError(f"CJK font not found: {path} (reinstall the 'mplfonts' package)")
    return path


def embedded_chars(text: str) -> set[str]:
    """The characters of ``text`` a report's font must carry."""
    return {c for c in set(text) if ord(c) >= FIRST_EMBEDDED}  # distinct ones first: a page is mostly base64


def prepared_path() -> Path:
    """Where the prepared TrueType font is kept, keyed by the shipped font and :data:`FORMAT`."""
    src = cjk_font_path()
    key = hashlib.sha256(f"{src.name}:{src.stat().st_size}:{FORMAT}:{PREPARED_RANGES}".encode()).hexdigest()[:16]
    return user_cache_dir() / f"report-font-{key}.ttf"


def _subsetter(text: str, *, flavor: str | None = None):
    from fontTools import subset

    opts = subset.Options()
    opts.hinting = False
    opts.layout_features = []
    opts.notdef_outline = True
    opts.desubroutinize = True
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.flavor = flavor
    sub = subset.Subsetter(opts)
    sub.populate(text=text)
    return sub


def _to_truetype(font) -> None:
    """Replace ``font``'s CFF outlines with TrueType ones (quadratic curves) in place."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, MAX_ERROR, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 1 if field == "maxZones" else 0)
    post = font["post"]
    post.formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"


def prepared_font(*, prepare: bool = True) -> Path | None:
    """The prepared TrueType font (see the module docstring), made now when
    missing and ``prepare`` is true; None when missing and not to be made.
    Written atomically: concurrent renderings at worst both prepare it."""
    path = prepared_path()
    if path.is_file() or not prepare:
        return path if path.is_file() else None
    from fontTools.ttLib import TTFont

    font = TTFont(str(cjk_font_path()), recalcBBoxes=False)
    cmap = font.getBestCmap()
    chars = "".join(chr(u) for u in sorted(cmap) if any(lo <= u <= hi for lo, hi in PREPARED_RANGES))
    _subsetter(chars).subset(font)
    _to_truetype(font)
    font.recalcBBoxes = True  # maxp's point and contour counts, from the new outlines
    with aio.atomic_path(path) as tmp:
        font.save(str(tmp))
    _prepared_chars.cache_clear()
    return path


# tables a subset copies glyph by glyph: parsed once per process, shared by every page cut from the font
_SHARED_TABLES = ("glyf", "hmtx", "vmtx")


@functools.lru_cache(maxsize=2)
def _font_source(path: str, mtime_ns: int) -> tuple[bytes, tuple[str, ...], dict]:
    """The bytes, glyph order and parsed per-glyph tables of the font at
    ``path`` (keyed by its time, so a font prepared again is read again), kept
    for the process: a renderer cuts every page from the same font, and
    parsing its outlines and metrics was most of a page's subsetting.
    Only a TrueType font's tables are kept (see :func:`_fresh_font`)."""
    from fontTools.ttLib import TTFont

    data = Path(path).read_bytes()
    font = TTFont(_io.BytesIO(data), lazy=True, recalcBBoxes=False)
    order = tuple(font.getGlyphOrder())
    tables = {}
    if "glyf" in font:
        font.setGlyphOrder(list(order))
        tables = {tag: font[tag] for tag in _SHARED_TABLES if tag in font}
    return data, order, tables


def _fresh_font(path: Path):
    """A font object for one page's subset: read lazily from the kept bytes,
    with the kept outline and metric tables in it. The subsetter rebinds a
    table's glyph and metric mappings rather than editing them, so each page
    gets shallow copies of the tables with their own mappings; the glyph
    objects are shared, and what the subsetter does to one (dropping hinting,
    trimming padding) gives the same glyph again — a test compares pages cut
    this way with pages cut from a freshly read font."""
    import copy

    from fontTools.ttLib import TTFont

    data, order, tables = _font_source(str(path), path.stat().st_mtime_ns)
    font = TTFont(_io.BytesIO(data), lazy=True, recalcBBoxes=False)
    font.setGlyphOrder(list(order))  # named from the cmap again otherwise: half of a page's time
    for tag, table in tables.items():
        mine = copy.copy(table)
        if tag == "glyf":
            mine.glyphs = dict(table.glyphs)
        else:
            mine.metrics = dict(table.metrics)
        font.tables[tag] = mine
    return font


@functools.lru_cache(maxsize=4)
def _prepared_chars(path: str) -> frozenset[str]:
    from fontTools.ttLib import TTFont

    return frozenset(map(chr, TTFont(path, lazy=True).getBestCmap()))


def font_face_css(text: str, *, family: str = "ReportCJK", prepare: bool = True) -> str:
    """An ``@font-face`` rule embedding the CJK font subset to the characters
    of ``text`` (WOFF, base64); empty when ``text`` has none to embed. Cut from
    the prepared font when it holds them all, else from the shipped one."""

    chars = embedded_chars(text)
    if not chars:
        return ""
    base = prepared_font(prepare=prepare)
    source = base if base is not None and chars <= _prepared_chars(str(base)) else cjk_font_path()
    font = _fresh_font(source)
    _subsetter("".join(sorted(chars)), flavor="woff").subset(font)
    buf = _io.BytesIO()
    font.flavor = "woff"
    # keep the font's own 'modified' date: fontTools stamps the current second by default, which made the
    # same page's bytes differ from one second to the next (an unchanged index was checked and written again)
    font.recalcTimestamp = False
    font.save(buf)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (
        f"@font-face{{font-family:'{family}';src:url(data:font/woff;base64,{data}) format('woff');font-display:block}}"
    )
