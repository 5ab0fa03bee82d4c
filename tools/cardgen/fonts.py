"""Free fonts from Debian packages, glyph-coverage checks and per-character fallback drawing."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageDraw, ImageFont

FONT_ROOT = Path("/usr/share/fonts")


@dataclass(frozen=True)
class FontSpec:
    path: str
    index: int = 0

    @property
    def available(self) -> bool:
        return Path(self.path).exists()


_NOTO = "/usr/share/fonts/opentype/noto/"
_WQY = "/usr/share/fonts/truetype/wqy/"
# Heiti-like (sans) fonts for values and labels.
HEI_FONTS: tuple[FontSpec, ...] = (
    FontSpec(_WQY + "wqy-microhei.ttc", 0),
    FontSpec(_WQY + "wqy-zenhei.ttc", 0),
    FontSpec(_NOTO + "NotoSansCJK-Regular.ttc", 2),
    FontSpec(_NOTO + "NotoSansCJK-Bold.ttc", 2),
)
# Fallbacks for rare characters (Noto covers CJK Ext A/B best).
FALLBACK_FONTS: tuple[FontSpec, ...] = (
    FontSpec(_NOTO + "NotoSansCJK-Regular.ttc", 2),
    FontSpec(_WQY + "wqy-zenhei.ttc", 0),
    FontSpec("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
)
OCRB = FontSpec("/usr/share/fonts/opentype/ocr-b/OCRB.otf", 0)
STAMP_FONTS: tuple[FontSpec, ...] = (
    FontSpec("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
    FontSpec(_NOTO + "NotoSerifCJK-Bold.ttc", 2),
    FontSpec(_NOTO + "NotoSansCJK-Bold.ttc", 2),
)
CLUTTER_FONTS: tuple[FontSpec, ...] = HEI_FONTS + (
    FontSpec("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
    FontSpec(_NOTO + "NotoSerifCJK-Regular.ttc", 2),
)


def available(specs: tuple[FontSpec, ...]) -> tuple[FontSpec, ...]:
    found = tuple(s for s in specs if s.available)
    if not found:
        raise RuntimeError(f"none of the fonts are installed: {[s.path for s in specs]}")
    return found


@lru_cache(maxsize=512)
def load(spec: FontSpec, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(spec.path, max(int(size), 4), index=spec.index)


@lru_cache(maxsize=8192)
def has_glyph(spec: FontSpec, ch: str) -> bool:
    if ch.isspace() or ord(ch) < 128:
        return True
    font = load(spec, 32)
    missing = font.getmask("\U0010fffd")
    got = font.getmask(ch)
    return not (got.size == missing.size and bytes(got) == bytes(missing))


def font_for(spec: FontSpec, ch: str) -> FontSpec:
    if has_glyph(spec, ch):
        return spec
    for fb in FALLBACK_FONTS:
        if fb.available and has_glyph(fb, ch):
            return fb
    return spec


def text_width(spec: FontSpec, size: int, text: str, tracking: float = 0.0) -> float:
    return sum(load(font_for(spec, c), size).getlength(c) + tracking for c in text) - (tracking if text else 0)


def draw_text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    spec: FontSpec,
    size: int,
    fill: tuple[int, ...],
    tracking: float = 0.0,
    stroke: int = 0,
) -> float:
    """Draw text char by char on its baseline (xy = left, baseline) with glyph fallback; returns the end x."""
    x, y = xy
    for ch in text:
        font = load(font_for(spec, ch), size)
        draw.text((x, y), ch, font=font, fill=fill, anchor="ls", stroke_width=stroke, stroke_fill=fill)
        x += font.getlength(ch) + tracking
    return x - tracking if text else x


def wrap(text: str, spec: FontSpec, size: int, max_width: float) -> list[str]:
    """Greedy wrap by measured width (what the card printer does: about 11 Han characters a line)."""
    lines: list[str] = []
    line = ""
    for ch in text:
        if line and text_width(spec, size, line + ch) > max_width:
            lines.append(line)
            line = ch
        else:
            line += ch
    if line:
        lines.append(line)
    return lines
