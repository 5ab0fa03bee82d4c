"""Marks people put on copies of a card: grey stamps (a dark "禁止复印" block, an outlined "复印无效" frame) placed
over chosen fields, watermark lines ("仅限XX使用"), and which fields a stamp lies over (for the stamp_on_* tags)."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from . import fonts
from .card import CARD_H, CARD_W, Boxes

# Four characters in two columns, read right column first (as seals are): 禁止 on the right, 复印 on the left.
BLOCK_TEXTS = ("禁止复印", "禁止复印", "禁止复印", "复印无效", "仅供备案")
FRAME_TEXTS = ("复印无效", "复印无效", "复印无效", "再复印无效", "仅供核对", "复印件无效")
# Fields a stamp may be aimed at, by side, with weights. "portrait" is the photo area (the block's usual place on
# competition cards), "title" the back's two title rows.
FRONT_TARGETS = (("number_end", 0.3), ("address_last", 0.3), ("dateOfBirth", 0.15), ("portrait", 0.2), ("name", 0.05))
BACK_TARGETS = (("dates", 0.45), ("issuingAuthority", 0.3), ("title", 0.25))
# Which field boxes each stamp_on_* tag looks at.
OVERLAP_TAGS = (
    ("stamp_on_number", ("idNumber",)),
    ("stamp_on_date", ("dateOfBirth", "validFrom", "validTo")),
    ("stamp_on_address", ("address",)),
    ("stamp_on_name", ("name",)),
    ("stamp_on_authority", ("issuingAuthority",)),
)

_PURPOSES = (
    "办理银行业务",
    "银行开户",
    "入职登记",
    "入职",
    "租房",
    "办理房屋租赁",
    "贷款申请",
    "办理社保",
    "办理手机卡",
    "快递实名登记",
    "酒店入住登记",
    "报名考试",
    "办理签证",
    "公司注册",
    "资格审核",
    "本次业务",
    "备案",
)
_ORGS = ("比赛", "复赛", "项目", "公司", "测试", "平台", "审核", "大赛")


def _acronym(rng: np.random.Generator) -> str:
    return "".join(chr(ord("A") + int(rng.integers(26))) for _ in range(int(rng.integers(2, 6))))


def watermark_text(rng: np.random.Generator) -> str:
    """A watermark line: 仅限/仅供 + a purpose (or an organisation's Latin acronym and a word) + 使用, or variants."""
    r = rng.random()
    head = ("仅限", "仅供", "仅用于")[int(rng.integers(3))]
    if r < 0.3:
        what = _acronym(rng) + _ORGS[int(rng.integers(len(_ORGS)))]
    else:
        what = _PURPOSES[int(rng.integers(len(_PURPOSES)))]
    if head == "仅用于":
        tail = ("", "，他用无效", "，复印无效")[int(rng.integers(3))]
        return head + what + tail
    tail = ("使用", "使用", "使用", "使用，他用无效", "使用，再复印无效")[int(rng.integers(5))]
    return head + what + tail


def watermark(rng: np.random.Generator) -> tuple[str, float, float, int, int]:
    """A Variant.watermark: text, x, baseline y (card px at scale 1), size, grey level; in the top-left margin."""
    size = int(rng.integers(24, 34))
    return (
        watermark_text(rng),
        float(rng.uniform(2, 40)),
        float(rng.uniform(size + 4, size + 30)),
        size,
        int(rng.integers(0, 70)),
    )


def _pick_weighted(rng: np.random.Generator, items: tuple[tuple[str, float], ...]) -> str:
    w = np.array([p for _, p in items])
    return items[int(rng.choice(len(items), p=w / w.sum()))][0]


def pick_target(rng: np.random.Generator, side: str) -> str:
    return _pick_weighted(rng, FRONT_TARGETS if side == "front" else BACK_TARGETS)


def _union(rects: list[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    return (min(r[0] for r in rects), min(r[1] for r in rects), max(r[2] for r in rects), max(r[3] for r in rects))


def _aim(rng: np.random.Generator, target: str, boxes: Boxes, sw: float, sh: float) -> tuple[float, float]:
    """A stamp centre that puts a stamp of size sw x sh over the target."""
    if target == "number_end":
        x0, y0, x1, y1 = boxes["idNumber"][0]
        return x1 - rng.uniform(0.1, 0.45) * sw, (y0 + y1) / 2 + rng.uniform(-0.3, 0.3) * sh
    if target == "address_last":
        x0, y0, x1, y1 = boxes["address"][-1]
        return x1 - rng.uniform(0.0, 0.4) * sw, (y0 + y1) / 2 + rng.uniform(-0.3, 0.3) * sh
    if target == "dates":
        x0, y0, x1, y1 = _union(boxes["validFrom"] + boxes["validTo"])
        return rng.uniform(x0 + 0.2 * sw, max(x0 + 0.2 * sw, x1 - 0.2 * sw)), (y0 + y1) / 2 + rng.uniform(
            -0.3, 0.2
        ) * sh
    x0, y0, x1, y1 = _union(boxes[target])
    return rng.uniform(x0, max(x0, x1)), (y0 + y1) / 2 + rng.uniform(-0.35, 0.35) * sh


def _rotated(mask: Image.Image, angle: float, center: tuple[float, float]) -> np.ndarray:
    return np.asarray(mask.rotate(angle, resample=Image.BICUBIC, center=center), np.float32) / 255.0


def _multiply(card: Image.Image, factor: np.ndarray) -> Image.Image:
    """Darken the card's colours by a per-pixel factor (ink laid over print); its alpha is kept."""
    arr = np.asarray(card, np.float32).copy()
    arr[..., :3] *= factor[..., None]
    return Image.fromarray(np.clip(arr, 0, 255).round().astype(np.uint8), "RGBA")


def _grain(rng: np.random.Generator, shape: tuple[int, int], strength: float) -> np.ndarray:
    """Uneven ink: a smooth random field around 1."""
    import cv2

    h, w = shape
    grid = rng.normal(0, 1, (max(2, h // 12), max(2, w // 12))).astype(np.float32)
    return 1 + strength * cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)


def block_stamp(
    rng: np.random.Generator, card: Image.Image, boxes: Boxes, target: str, light: bool = False
) -> tuple[Image.Image, np.ndarray]:
    """A dark filled square with 2x2 large characters in a lighter tone (禁止复印), over `target`. Returns the card
    and the stamp's footprint (float mask, 1 inside). light: a lighter ink, for a card that a photocopier's
    contrast will darken afterwards (so the print under the stamp stays legible)."""
    w, h = card.size
    unit = w / CARD_W
    side = rng.uniform(0.26, 0.36) * CARD_H * unit
    cx, cy = _aim(rng, target, boxes, side, side)
    cx, cy = float(np.clip(cx, side / 2, w - side / 2)), float(np.clip(cy, side / 2, h - side / 2))
    text = BLOCK_TEXTS[int(rng.integers(len(BLOCK_TEXTS)))]
    spec = fonts.available(fonts.STAMP_FONTS)[int(rng.integers(len(fonts.available(fonts.STAMP_FONTS))))]
    square = Image.new("L", (w, h), 0)
    ImageDraw.Draw(square).rounded_rectangle(
        (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2), radius=side * rng.uniform(0.02, 0.12), fill=255
    )
    chars = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(chars)
    size = round(side * rng.uniform(0.36, 0.42))
    off = side * rng.uniform(0.2, 0.24)
    # right column top-to-bottom, then the left column
    for ch, (dx, dy) in zip(text, ((off, -off), (off, off), (-off, -off), (-off, off)), strict=True):
        d.text((cx + dx, cy + dy), ch, font=fonts.load(fonts.font_for(spec, ch), size), fill=255, anchor="mm")
    angle = float(rng.normal(0, 2.5))
    sq, chm = _rotated(square, angle, (cx, cy)), _rotated(chars, angle, (cx, cy))
    dark, pale = rng.uniform(0.3, 0.55), rng.uniform(0.75, 0.95)
    if light:
        dark, pale = 0.25 + 0.5 * dark, 0.5 + 0.5 * pale
    ink = np.clip(_grain(rng, (h, w), 0.06), 0.8, 1.2)
    factor = 1 - sq * (1 - dark * ink) + sq * chm * (pale - dark)
    return _multiply(card, np.clip(factor, 0, 1)), sq


def frame_stamp(
    rng: np.random.Generator, card: Image.Image, boxes: Boxes, target: str, light: bool = False
) -> tuple[Image.Image, np.ndarray]:
    """A grey outlined rectangle with 复印无效-like text inside, laid across `target` (the print shows through).
    light: as for block_stamp."""
    w, h = card.size
    unit = w / CARD_W
    text = FRAME_TEXTS[int(rng.integers(len(FRAME_TEXTS)))]
    spec = fonts.available(fonts.STAMP_FONTS)[int(rng.integers(len(fonts.available(fonts.STAMP_FONTS))))]
    size = round(rng.uniform(0.085, 0.13) * CARD_H * unit)
    tracking = size * rng.uniform(0.05, 0.35)
    tw = fonts.text_width(spec, size, text, tracking)
    pad_x, pad_y = size * rng.uniform(0.25, 0.6), size * rng.uniform(0.15, 0.35)
    sw, sh = tw + 2 * pad_x, size + 2 * pad_y
    cx, cy = _aim(rng, target, boxes, sw, sh)
    cx, cy = float(np.clip(cx, sw / 2, max(sw / 2, w - sw / 2))), float(np.clip(cy, sh / 2, h - sh / 2))
    ink = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(ink)
    line = max(2, round(size * rng.uniform(0.06, 0.12)))
    rect = (cx - sw / 2, cy - sh / 2, cx + sw / 2, cy + sh / 2)
    d.rectangle(rect, outline=255, width=line)
    if rng.random() < 0.3:  # a double border
        g = line + max(2, round(size * 0.08))
        d.rectangle((rect[0] + g, rect[1] + g, rect[2] - g, rect[3] - g), outline=255, width=max(1, line // 2))
    fonts.draw_text(d, (cx - tw / 2, cy + size * 0.38), text, spec, size, (255,), tracking)
    foot = Image.new("L", (w, h), 0)
    ImageDraw.Draw(foot).rectangle(rect, fill=255)
    angle = float(rng.normal(0, 3.0))
    inkm, footm = _rotated(ink, angle, (cx, cy)), _rotated(foot, angle, (cx, cy))
    tone = rng.uniform(0.3, 0.6)
    if light:
        tone = 0.35 + 0.5 * tone
    grain = np.clip(_grain(rng, (h, w), 0.12), 0.6, 1.3)
    factor = 1 - inkm * (1 - tone) * grain
    return _multiply(card, np.clip(factor, 0, 1)), footm


def covered_tags(footprint: np.ndarray, boxes: Boxes, min_share: float = 0.03) -> list[str]:
    """stamp_on_* tags for the fields whose boxes the footprint (a mask in the boxes' pixel frame) covers."""
    h, w = footprint.shape
    tags = []
    for tag, fields in OVERLAP_TAGS:
        for f in fields:
            for x0, y0, x1, y1 in boxes.get(f, []):
                xa, ya = max(0, math.floor(x0)), max(0, math.floor(y0))
                xb, yb = min(w, math.ceil(x1)), min(h, math.ceil(y1))
                if xb <= xa or yb <= ya:
                    continue
                if float((footprint[ya:yb, xa:xb] > 0.5).mean()) >= min_share:
                    tags.append(tag)
                    break
            if tags and tags[-1] == tag:
                break
    return tags
