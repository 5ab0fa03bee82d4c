"""Render the two sides of a resident identity card at 856x540 (ID-1 ratio) times a scale factor."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from . import fonts
from .fonts import FontSpec
from .identity import Identity

CARD_W, CARD_H = 856, 540
CORNER_RADIUS = 32  # 3.18 mm

# Field boxes a renderer reports: field -> list of (x0, y0, x1, y1) in the rendered image's pixels, one per
# printed line (address and a wrapped authority have several). Also "portrait" and "title" (regions, not fields).
Boxes = dict[str, list[tuple[float, float, float, float]]]


@dataclass(frozen=True)
class Variant:
    """How one particular card (or its copy) was printed, beyond CardStyle. The default is the classic card and
    renders exactly what the generator always drew (same pixels)."""

    watermark: tuple[str, float, float, int, int] | None = None  # text, x, baseline y (card px), size, grey level
    spaced_dots: bool = False  # validity printed "2010. 01. 01-2020. 01. 01" (the truth stays YYYY-MM-DD)
    spaced_hyphen: bool = False  # with spaced_dots: " - " between the dates
    authority_wrap: float | None = None  # wrap the authority at this width (card px) instead of shrinking it
    authority_shift: float = 0.0  # a wrapped authority starts this much higher (card px)
    faint_labels: float = 0.0  # 0 = normal labels; 0.3..0.8 = labels printed faint, about that share lost
    faint_seed: int = 0
    birth_gaps: tuple[float, float, float, float, float] | None = None  # year-年-month-月-day-日 gaps (card px)
    portrait: bool = True
    label_scale: float = 1.0  # labels printed smaller than usual (competition cards: ~0.75)


PLAIN = Variant()


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


def _box(x0: float, x1: float, baseline: float, px: float) -> tuple[float, float, float, float]:
    """The ink box of a line of text drawn on `baseline` (pixels) at `px` pixels a character."""
    return (x0, baseline - 0.92 * px, x1, baseline + 0.16 * px)


def _faint(layer: Image.Image, amount: float, seed: int) -> Image.Image:
    """Labels printed faint: their ink thinned overall and patchily lost (about `amount` of it)."""
    rng = np.random.default_rng(seed)
    w, h = layer.size
    grid = rng.uniform(0, 1, (max(2, h // 24), max(2, w // 24))).astype(np.float32)
    field = cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)
    keep = np.clip((field - amount) / 0.25 + 0.5, 0.0, 1.0) * rng.uniform(0.45, 0.75) + rng.uniform(0.1, 0.25)
    a = np.asarray(layer.getchannel("A"), np.float32) * np.clip(keep, 0, 1)
    out = layer.copy()
    out.putalpha(Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L"))
    return out


def _watermark(img: Image.Image, mark: tuple[str, float, float, int, int], s: float) -> None:
    """A line like 仅限XX使用 printed over the card's top-left margin (not clipped by the rounded corner)."""
    text, x, y, size, grey = mark
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    spec = fonts.available(fonts.HEI_FONTS)[0]
    fonts.draw_text(ImageDraw.Draw(layer), (x * s, y * s), text, spec, round(size * s), (grey, grey, grey, 255))
    img.alpha_composite(layer)


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


def render_front(
    identity: Identity, style: CardStyle, scale: float = 1.0, variant: Variant | None = None, boxes: Boxes | None = None
) -> Image.Image:
    """The portrait side as an RGBA image (transparent rounded corners). `boxes`, if given, receives each field's
    line boxes (see Boxes)."""
    v = variant or PLAIN
    s = scale
    box: Boxes = {} if boxes is None else boxes
    img = _canvas(style, s, back=False)
    if v.portrait:
        _portrait(img, (585 * s, 62 * s, 815 * s, 352 * s), np.random.default_rng(style.pattern_seed))
    box["portrait"] = [(585 * s, 62 * s, 815 * s, 352 * s)]
    draw = ImageDraw.Draw(img)
    labels = Image.new("RGBA", img.size, (0, 0, 0, 0)) if v.faint_labels else None
    ldraw = ImageDraw.Draw(labels) if labels is not None else draw
    ls = 24 * v.label_scale
    lx = 62
    _label(ldraw, style, s, lx, 100, "姓名", ls, tracking=16)
    _label(ldraw, style, s, lx, 168, "性别", ls, tracking=16)
    _label(ldraw, style, s, lx, 236, "出生", ls, tracking=16)
    _label(ldraw, style, s, lx, 304, "住址", ls, tracking=16)
    _label(ldraw, style, s, lx, 478, "公民身份号码", ls, tracking=4)
    vx = 168
    name_size = _fit_size(style.value_font, identity.name, 30, 400)
    end = _value(draw, style, s, vx, 102, identity.name, name_size)
    box["name"] = [_box((vx + style.dx) * s, end, (102 + style.dy) * s, name_size * s)]
    end = _value(draw, style, s, vx, 170, identity.gender)
    box["gender"] = [_box((vx + style.dx) * s, end, (170 + style.dy) * s, 28 * s)]
    _label(ldraw, style, s, 300, 168, "民族", ls, tracking=16)
    eth_size = _fit_size(style.value_font, identity.ethnicity, 28, 170)
    end = _value(draw, style, s, 406, 170, identity.ethnicity, eth_size)
    box["ethnicity"] = [_box((406 + style.dx) * s, end, (170 + style.dy) * s, eth_size * s)]
    b = identity.birth
    end = _value(draw, style, s, vx, 238, str(b.year))
    if v.birth_gaps is None:
        _label(ldraw, style, s, 254, 236, "年", ls)
        for val, x_val, x_lbl, lbl in ((b.month, 300, 344, "月"), (b.day, 384, 428, "日")):
            text = str(val)
            w = fonts.text_width(style.value_font, round(28 * s), text) / s
            _value(draw, style, s, x_val + (34 - w) / 2, 238, text)
            end = _label(ldraw, style, s, x_lbl, 236, lbl, ls)
    else:  # printed with its own spacing: each part after the previous one plus a gap
        parts = (("年", True), (str(b.month), False), ("月", True), (str(b.day), False), ("日", True))
        for gap, (text, is_label) in zip(v.birth_gaps, parts, strict=True):
            x = end / s + gap
            if is_label:
                end = _label(ldraw, style, s, x, 236, text, ls)
            else:
                end = _value(draw, style, s, x - style.dx, 238, text)
    box["dateOfBirth"] = [_box((vx + style.dx) * s, end, (238 + style.dy) * s, 28 * s)]
    size = 28
    lines = fonts.wrap(identity.address, style.value_font, size, 11.2 * size)
    while len(lines) > 4:
        size -= 1
        lines = fonts.wrap(identity.address, style.value_font, size, 11.2 * 28)
    box["address"] = []
    for i, line in enumerate(lines):
        end = _value(draw, style, s, vx, 306 + i * 40, line, size)
        box["address"].append(_box((vx + style.dx) * s, end, (306 + i * 40 + style.dy) * s, size * s))
    end = _value(draw, style, s, 292, 482, identity.id_number, 35, font=fonts.OCRB, tracking=2.5)
    box["idNumber"] = [_box((292 + style.dx) * s, end, (482 + style.dy) * s, 35 * 0.8 * s)]
    if labels is not None:
        img.alpha_composite(_faint(labels, v.faint_labels, v.faint_seed))
    img.putalpha(_rounded_mask(img.size, s))
    if v.watermark is not None:
        _watermark(img, v.watermark, s)
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


def validity_text(identity: Identity, variant: Variant | None = None) -> tuple[str, str]:
    """The printed validity as (start part including the hyphen, end part)."""
    v = variant or PLAIN
    if not v.spaced_dots:
        start, end = identity.validity_printed.split("-", 1)
        return start + "-", end
    fmt = "%Y. %m. %d"
    start = identity.valid_from.strftime(fmt) + (" - " if v.spaced_hyphen else "-")
    return start, identity.valid_to.strftime(fmt) if identity.valid_to is not None else "长期"


def render_back(
    identity: Identity, style: CardStyle, scale: float = 1.0, variant: Variant | None = None, boxes: Boxes | None = None
) -> Image.Image:
    """The emblem side as an RGBA image. `boxes`, if given, receives each field's line boxes (see Boxes)."""
    v = variant or PLAIN
    s = scale
    box: Boxes = {} if boxes is None else boxes
    img = _canvas(style, s, back=True)
    rng = np.random.default_rng(style.pattern_seed + 1)
    _emblem(img, 132 * s, 128 * s, 78 * s, rng)
    draw = ImageDraw.Draw(img)
    title_font = fonts.available(fonts.HEI_FONTS)[-1]
    ink = (*style.value_color, 255)
    end = fonts.draw_text(draw, (258 * s, 104 * s), "中华人民共和国", title_font, round(40 * s), ink, 14 * s)
    box["title"] = [_box(258 * s, end, 104 * s, 40 * s)]
    end = fonts.draw_text(draw, (248 * s, 200 * s), "居民身份证", title_font, round(70 * s), ink, 26 * s)
    box["title"].append(_box(248 * s, end, 200 * s, 70 * s))
    ls = 24 * v.label_scale
    authority = identity.issuing_authority
    lines = [authority]
    if v.authority_wrap is not None:
        lines = fonts.wrap(authority, style.value_font, 28, v.authority_wrap)
    if len(lines) == 1:
        _label(draw, style, s, 168, 414, "签发机关", ls, tracking=2)
        authority_size = _fit_size(style.value_font, authority, 28, 470)
        end = _value(draw, style, s, 322, 416, authority, authority_size)
        box["issuingAuthority"] = [_box((322 + style.dx) * s, end, (416 + style.dy) * s, authority_size * s)]
    else:  # two lines, the second under the first at the value's left edge
        y0 = 416 - v.authority_shift
        _label(draw, style, s, 168, y0 - 2, "签发机关", ls, tracking=2)
        box["issuingAuthority"] = []
        for i, line in enumerate(lines[:2] if len(lines) <= 2 else [lines[0], "".join(lines[1:])]):
            end = _value(draw, style, s, 322, y0 + i * 33, line, 28)
            box["issuingAuthority"].append(_box((322 + style.dx) * s, end, (y0 + i * 33 + style.dy) * s, 28 * s))
    _label(draw, style, s, 168, 476, "有效期限", ls, tracking=2)
    start, finish = validity_text(identity, v)
    x0 = (322 + style.dx) * s
    end = _value(draw, style, s, 322, 478, start + finish)
    mid = x0 + fonts.text_width(style.value_font, round(28 * s), start.rstrip(" -"))
    box["validFrom"] = [_box(x0, mid, (478 + style.dy) * s, 28 * s)]
    fin = end - fonts.text_width(style.value_font, round(28 * s), finish)
    box["validTo"] = [_box(fin, end, (478 + style.dy) * s, 28 * s)]
    img.putalpha(_rounded_mask(img.size, s))
    if v.watermark is not None:
        _watermark(img, v.watermark, s)
    return img
