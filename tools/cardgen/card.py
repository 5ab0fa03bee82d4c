"""Render the two sides of a resident identity card at 856x540 (ID-1 ratio) times a scale factor."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from . import fonts
from .fonts import FontSpec
from .identity import Identity

CARD_W, CARD_H = 856, 540
CORNER_RADIUS = 32  # 3.18 mm


@dataclass(frozen=True)
class CardStyle:
    value_font: FontSpec
    label_font: FontSpec
    label_color: tuple[int, int, int]
    value_color: tuple[int, int, int]
    paper: tuple[int, int, int]
    pattern_color: tuple[int, int, int]
    pattern_seed: int
    dx: float  # small print-registration offsets of the value layer
    dy: float
    bold_values: bool

    @staticmethod
    def random(rng: np.random.Generator) -> CardStyle:
        hei = fonts.available(fonts.HEI_FONTS)
        value_font = hei[int(rng.integers(len(hei)))]
        label_font = hei[int(rng.integers(len(hei)))]
        blue = (int(rng.integers(20, 70)), int(rng.integers(80, 130)), int(rng.integers(150, 200)))
        ink = int(rng.integers(0, 45))
        paper = (int(rng.integers(232, 250)), int(rng.integers(236, 250)), int(rng.integers(232, 248)))
        pattern = (int(rng.integers(150, 210)), int(rng.integers(170, 220)), int(rng.integers(190, 235)))
        return CardStyle(
            value_font,
            label_font,
            blue,
            (ink, ink, ink + int(rng.integers(0, 10))),
            paper,
            pattern,
            int(rng.integers(1 << 30)),
            float(rng.uniform(-5, 5)),
            float(rng.uniform(-4, 4)),
            bool(rng.random() < 0.3 and "Bold" not in value_font.path),
        )


def _canvas(style: CardStyle, scale: float, back: bool) -> Image.Image:
    w, h = round(CARD_W * scale), round(CARD_H * scale)
    rng = np.random.default_rng(style.pattern_seed + (7 if back else 0))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.array(style.paper, np.float32)
    grad = (xx / w - 0.5)[..., None] * np.array([6, -4, -8], np.float32) + (yy / h - 0.5)[..., None] * np.array(
        [-3, 3, 5], np.float32
    )
    img = np.clip(base + grad, 0, 255).astype(np.uint8)
    canvas = Image.fromarray(img, "RGB")
    overlay = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    col = style.pattern_color
    # Guilloche-like wave bundles.
    for _ in range(int(rng.integers(10, 22))):
        amp, period = rng.uniform(6, 40) * scale, rng.uniform(120, 420) * scale
        phase, y0 = rng.uniform(0, 2 * math.pi), rng.uniform(0, h)
        alpha = int(rng.integers(25, 60))
        pts = [(x, y0 + amp * math.sin(2 * math.pi * x / period + phase)) for x in np.linspace(0, w, 120)]
        draw.line(pts, fill=(*col, alpha), width=max(1, round(scale)))
    # A rosette in the middle.
    cx, cy = w * rng.uniform(0.35, 0.6), h * rng.uniform(0.35, 0.65)
    for k in range(int(rng.integers(12, 28))):
        r = (60 + 4 * k) * scale
        ang = k * math.pi / 14
        t = np.linspace(0, 2 * math.pi, 90)
        ex, ey = r * np.cos(t), 0.6 * r * np.sin(t)
        pts = list(
            zip(cx + ex * math.cos(ang) - ey * math.sin(ang), cy + ex * math.sin(ang) + ey * math.cos(ang), strict=True)
        )
        draw.line(pts, fill=(*col, 28), width=max(1, round(scale)))
    canvas = Image.alpha_composite(canvas.convert("RGBA"), overlay)
    return canvas


def _rounded_mask(size: tuple[int, int], scale: float) -> Image.Image:
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, size[0] - 1, size[1] - 1), radius=CORNER_RADIUS * scale, fill=255)
    return mask


def _portrait(img: Image.Image, box: tuple[float, float, float, float], rng: np.random.Generator) -> None:
    x0, y0, x1, y1 = (round(v) for v in box)
    w, h = x1 - x0, y1 - y0
    bgv = int(rng.integers(225, 250))
    photo = Image.new("RGBA", (w, h), (bgv, bgv, min(255, bgv + 5), 255))
    draw = ImageDraw.Draw(photo)
    g = int(rng.integers(90, 150))
    # Shoulders and neck, then the head and hair.
    draw.ellipse((0.02 * w, 0.74 * h, 0.98 * w, 1.5 * h), fill=(g, g, g + 5, 255))
    draw.rectangle((0.42 * w, 0.55 * h, 0.58 * w, 0.8 * h), fill=(g + 15, g + 15, g + 15, 255))
    draw.ellipse((0.28 * w, 0.16 * h, 0.72 * w, 0.64 * h), fill=(g + 20, g + 20, g + 22, 255))
    draw.chord((0.26 * w, 0.12 * h, 0.74 * w, 0.5 * h), 180, 360, fill=(g - 50, g - 50, g - 45, 255))
    img.alpha_composite(photo.filter(ImageFilter.GaussianBlur(1.0)), (x0, y0))


def _label(
    draw: ImageDraw.ImageDraw,
    style: CardStyle,
    s: float,
    x: float,
    y: float,
    text: str,
    size: int = 24,
    tracking: float = 0.0,
) -> float:
    return fonts.draw_text(
        draw, (x * s, y * s), text, style.label_font, round(size * s), (*style.label_color, 255), tracking * s
    )


def _value(
    draw: ImageDraw.ImageDraw,
    style: CardStyle,
    s: float,
    x: float,
    y: float,
    text: str,
    size: int = 28,
    font: FontSpec | None = None,
    tracking: float = 0.0,
) -> float:
    stroke = 1 if style.bold_values and s >= 1.5 else 0
    return fonts.draw_text(
        draw,
        ((x + style.dx) * s, (y + style.dy) * s),
        text,
        font or style.value_font,
        round(size * s),
        (*style.value_color, 255),
        tracking * s,
        stroke,
    )


def _fit_size(spec: FontSpec, text: str, size: int, max_width: float) -> int:
    while size > 12 and fonts.text_width(spec, size, text) > max_width:
        size -= 1
    return size


def render_front(identity: Identity, style: CardStyle, scale: float = 1.0) -> Image.Image:
    """The portrait side as an RGBA image (transparent rounded corners)."""
    s = scale
    img = _canvas(style, s, back=False)
    _portrait(img, (585 * s, 62 * s, 815 * s, 352 * s), np.random.default_rng(style.pattern_seed))
    draw = ImageDraw.Draw(img)
    lx = 62
    _label(draw, style, s, lx, 100, "姓名", tracking=16)
    _label(draw, style, s, lx, 168, "性别", tracking=16)
    _label(draw, style, s, lx, 236, "出生", tracking=16)
    _label(draw, style, s, lx, 304, "住址", tracking=16)
    _label(draw, style, s, lx, 478, "公民身份号码", tracking=4)
    vx = 168
    name_size = _fit_size(style.value_font, identity.name, 30, 400)
    _value(draw, style, s, vx, 102, identity.name, name_size)
    _value(draw, style, s, vx, 170, identity.gender)
    _label(draw, style, s, 300, 168, "民族", tracking=16)
    _value(draw, style, s, 406, 170, identity.ethnicity, _fit_size(style.value_font, identity.ethnicity, 28, 170))
    b = identity.birth
    _value(draw, style, s, vx, 238, str(b.year))
    _label(draw, style, s, 254, 236, "年")
    for val, x_val, x_lbl, lbl in ((b.month, 300, 344, "月"), (b.day, 384, 428, "日")):
        text = str(val)
        w = fonts.text_width(style.value_font, round(28 * s), text) / s
        _value(draw, style, s, x_val + (34 - w) / 2, 238, text)
        _label(draw, style, s, x_lbl, 236, lbl)
    size = 28
    lines = fonts.wrap(identity.address, style.value_font, size, 11.2 * size)
    while len(lines) > 4:
        size -= 1
        lines = fonts.wrap(identity.address, style.value_font, size, 11.2 * 28)
    for i, line in enumerate(lines):
        _value(draw, style, s, vx, 306 + i * 40, line, size)
    _value(draw, style, s, 292, 482, identity.id_number, 35, font=fonts.OCRB, tracking=2.5)
    img.putalpha(_rounded_mask(img.size, s))
    return img


def _emblem(img: Image.Image, cx: float, cy: float, r: float, rng: np.random.Generator) -> None:
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    red = (int(rng.integers(170, 215)), int(rng.integers(20, 50)), int(rng.integers(25, 55)), 255)
    gold = (int(rng.integers(215, 245)), int(rng.integers(170, 200)), int(rng.integers(40, 80)), 255)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=gold)
    d.ellipse((cx - 0.82 * r, cy - 0.82 * r, cx + 0.82 * r, cy + 0.82 * r), fill=red)

    def star(x: float, y: float, rr: float) -> None:
        pts = []
        for k in range(10):
            a = -math.pi / 2 + k * math.pi / 5
            q = rr if k % 2 == 0 else rr * 0.4
            pts.append((x + q * math.cos(a), y + q * math.sin(a)))
        d.polygon(pts, fill=gold)

    star(cx, cy - 0.35 * r, 0.28 * r)
    for k in range(4):
        a = math.radians(-150 + k * 40)
        star(cx + 0.55 * r * math.cos(a) * 0.9, cy - 0.1 * r + 0.5 * r * math.sin(a), 0.09 * r)
    d.rectangle((cx - 0.45 * r, cy + 0.25 * r, cx + 0.45 * r, cy + 0.4 * r), fill=gold)
    d.polygon([(cx - 0.3 * r, cy + 0.25 * r), (cx, cy + 0.02 * r), (cx + 0.3 * r, cy + 0.25 * r)], fill=gold)
    img.alpha_composite(layer.filter(ImageFilter.GaussianBlur(0.6)))


def render_back(identity: Identity, style: CardStyle, scale: float = 1.0) -> Image.Image:
    """The emblem side as an RGBA image."""
    s = scale
    img = _canvas(style, s, back=True)
    rng = np.random.default_rng(style.pattern_seed + 1)
    _emblem(img, 132 * s, 128 * s, 78 * s, rng)
    draw = ImageDraw.Draw(img)
    title_font = fonts.available(fonts.HEI_FONTS)[-1]
    ink = (*style.value_color, 255)
    fonts.draw_text(draw, (258 * s, 104 * s), "中华人民共和国", title_font, round(40 * s), ink, 14 * s)
    fonts.draw_text(draw, (248 * s, 200 * s), "居民身份证", title_font, round(70 * s), ink, 26 * s)
    _label(draw, style, s, 168, 414, "签发机关", tracking=2)
    _label(draw, style, s, 168, 476, "有效期限", tracking=2)
    authority_size = _fit_size(style.value_font, identity.issuing_authority, 28, 470)
    _value(draw, style, s, 322, 416, identity.issuing_authority, authority_size)
    _value(draw, style, s, 322, 478, identity.validity_printed)
    img.putalpha(_rounded_mask(img.size, s))
    return img
