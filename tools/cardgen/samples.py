"""Sample records and the per-kind recipes: phone photo, flat scan, small image, photocopy, both sides on a sheet."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image

from . import data, photo, scene
from .card import CARD_H, CARD_W, CardStyle, render_back, render_front
from .identity import Identity, random_identity

KINDS = ("photo", "scan", "small", "photocopy", "both_sides")
KIND_WEIGHTS = (0.56, 0.12, 0.10, 0.08, 0.14)
MODIFIERS = ("stamp", "exif", "front", "back")
EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp"}
WORK_PIXELS = 3.0e6  # compose at most this many pixels, then resize to the output size


@dataclass
class Sample:
    index: int
    data: bytes
    format: str  # jpeg | png | webp
    kind: str  # one of KINDS
    tags: list[str]
    truth: dict  # API body fields a perfect reader returns (None for fields of absent sides)
    identity: Identity
    size: tuple[int, int] = (0, 0)  # stored pixel size (before any EXIF rotation)
    meta: dict = field(default_factory=dict)

    @property
    def sides(self) -> list[str]:
        return self.truth["sides"]

    @property
    def filename(self) -> str:
        return f"{self.index:04d}_{self.kind}.{EXTENSIONS[self.format]}"


def _pick(rng: np.random.Generator, seq: tuple) -> object:
    return seq[int(rng.integers(len(seq)))]


def _render(identity: Identity, style: CardStyle, side: str, scale: float) -> Image.Image:
    return (render_front if side == "front" else render_back)(identity, style, scale)


def _angle(rng: np.random.Generator, tags: list[str], upright_p: float = 0.45) -> float:
    r = rng.random()
    if r < upright_p:
        a = float(np.clip(rng.normal(0, 6), -20, 20))
    elif r < 0.88:
        a = float(_pick(rng, (90, 180, 270))) + rng.normal(0, 3)
    else:
        a = float(rng.uniform(0, 360))
    q = round(a / 90) % 4 * 90
    tags.append(f"rot{q}" if abs((a - q + 180) % 360 - 180) < 12 else "rot_any")
    return a


def _choose_format(rng: np.random.Generator, pixels: int, tags: list[str], q_lo: int = 40) -> tuple[str, int]:
    r = rng.random()
    fmt = "jpeg" if r < 0.7 else ("webp" if r < 0.85 else "png")
    if fmt == "png" and pixels > 4e6:  # a 12 MP PNG of a noisy photo is 30 MB: nobody uploads that
        fmt = "jpeg"
    q = int(rng.integers(q_lo, 96))
    tags.append(fmt if fmt == "png" else f"{fmt}_q{q}")
    return fmt, q


def _photo(
    rng: np.random.Generator, obj_fn, aspect: float, tags: list[str], min_obj_px: float = 460, card_frac: float = 1.0
) -> tuple[Image.Image, float]:
    """A phone photo of an object (card or sheet) rendered by obj_fn(scale); aspect = height/width; card_frac =
    a card's width as a fraction of the object's (blur and clutter text scale with the card, not the sheet)."""
    mp = math.exp(rng.uniform(math.log(0.5e6), math.log(12e6)))
    ar = float(_pick(rng, (4 / 3, 4 / 3, 16 / 9, 1.0)))
    landscape = rng.random() < 0.5
    w_out, h_out = (math.sqrt(mp * ar), math.sqrt(mp / ar)) if landscape else (math.sqrt(mp / ar), math.sqrt(mp * ar))
    angle = _angle(rng, tags)
    th = math.radians(angle)
    bw1, bh1 = abs(math.cos(th)) + aspect * abs(math.sin(th)), abs(math.sin(th)) + aspect * abs(math.cos(th))
    fill = rng.uniform(0.3, 0.9)
    obj_px = fill * min(w_out / bw1, h_out / bh1)
    if obj_px < min_obj_px:
        fill2 = min(0.9, fill * min_obj_px / obj_px)
        obj_px = fill2 * obj_px / fill
        fill = fill2
        if obj_px < min_obj_px:
            k = min_obj_px / obj_px
            w_out, h_out, obj_px = w_out * k, h_out * k, min_obj_px
    w_out, h_out = round(w_out), round(h_out)
    f = min(1.0, math.sqrt(WORK_PIXELS / (w_out * h_out)))
    w, h = round(w_out * f), round(h_out * f)
    ow = obj_px * f
    bg_kind = str(_pick(rng, scene.BACKGROUNDS))
    tags += [f"bg_{bg_kind}", f"fill{int(fill * 100)}", f"{w_out * h_out / 1e6:.1f}mp"]
    bg = scene.background(rng, bg_kind, w, h)
    if rng.random() < 0.4:
        tags.append("clutter")
        bg = scene.clutter(rng, bg, ow * card_frac * 28 / CARD_W)
    persp = rng.uniform(0, 0.14) if rng.random() < 0.8 else 0.0
    if persp > 0.07:
        tags.append("perspective")
    cx = rng.uniform(0.35, 0.65) * w
    cy = rng.uniform(0.35, 0.65) * h
    quad = photo.fit_quad(photo.quad_for(rng, ow, ow * aspect, angle, persp, (cx, cy)), w, h)
    obj = obj_fn(min(3.0, max(0.5, ow / CARD_W * 1.15)))
    img, _ = photo.paste(bg, obj, quad, shadow=rng.uniform(0.15, 0.5))
    img = photo.lighting(rng, img, quad, tags)
    img = photo.degrade(rng, img, ow * card_frac, tags)
    if (w, h) != (w_out, h_out):
        img = cv2.resize(img, (w_out, h_out), interpolation=cv2.INTER_LINEAR)
    return photo.to_image(img), obj_px


def _flat(
    rng: np.random.Generator,
    cards: list[Image.Image],
    card_px: float,
    tags: list[str],
    grey: bool,
    page: bool,
    boxes: list[tuple[int, int, int, int]] | None = None,
) -> Image.Image:
    """Cards laid flat (scanner glass or a photocopy page), stacked vertically, with margins; appends each
    card's bounding box to `boxes`."""
    ch = card_px * CARD_H / CARD_W
    gap = ch * rng.uniform(0.15, 0.6)
    content_h = ch * len(cards) + gap * (len(cards) - 1)
    if page:  # an A4 sheet (or its upper part)
        w = round(card_px * 210 / 85.6)
        h = round(w * 297 / 210) if rng.random() < 0.6 else round(content_h * rng.uniform(1.3, 1.8))
        top = rng.uniform(0.05, 0.2) * h if h > content_h * 1.5 else (h - content_h) / 2
    else:
        w = round(card_px * rng.uniform(1.04, 1.6))
        h = round(content_h * rng.uniform(1.04, 1.5) + (w - card_px) * 0.3)
        top = (h - content_h) / 2 + rng.uniform(-0.3, 0.3) * (h - content_h) / 2
    left = (w - card_px) / 2 + rng.uniform(-0.3, 0.3) * (w - card_px) / 2
    # Copy paper or the scanner lid: light and nearly uniform.
    paper = scene.background(rng, "plain", w, h)
    paper = np.clip((paper.mean(axis=2, keepdims=True) * 0.8 + paper * 0.2) * 0.15 + rng.uniform(200, 225), 0, 255)
    tilt = rng.normal(0, 0.8)
    img = paper
    for i, card in enumerate(cards):
        cy = top + i * (ch + gap) + ch / 2
        quad = photo.quad_for(rng, card_px, ch, tilt + rng.normal(0, 0.3), 0.0, (left + card_px / 2, cy))
        quad = photo.fit_quad(quad, w, h, 0.0)
        img, alpha = photo.paste(img, card, quad, shadow=0.0)
        if boxes is not None:
            lo, hi = quad.min(axis=0), quad.max(axis=0)
            boxes.append((int(lo[0]), int(lo[1]), int(np.ceil(hi[0])), int(np.ceil(hi[1]))))
        if grey:  # photocopies show the card's edge as a dark outline
            edge = alpha - cv2.erode(alpha, np.ones((3, 3), np.uint8))
            img = img * (1 - 0.6 * np.clip(edge, 0, 1)[..., None])
    img = photo.degrade(rng, img, card_px, tags, strength=0.4)
    if grey:
        img = photo.photocopy(rng, img)
    return photo.to_image(img)


def build_sample(
    identity: Identity,
    rng: np.random.Generator,
    kind: str = "photo",
    *,
    sides: tuple[str, ...] | None = None,
    stamped: bool = False,
    exif: bool = False,
    fmt: str | None = None,
    index: int = 0,
) -> Sample:
    """One synthetic image of the given identity's card(s) with its ground truth."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")
    style = CardStyle.random(rng)
    if sides is None:
        sides = ("front", "back") if kind == "both_sides" else (("front",) if rng.random() < 0.6 else ("back",))
    tags: list[str] = [kind, *sides]
    stamp_seed = int(rng.integers(1 << 30))

    grey = kind == "photocopy" or (kind == "both_sides" and rng.random() < 0.65)

    def card(side: str, scale: float, stamp: bool = stamped) -> Image.Image:
        img = _render(identity, style, side, scale)
        return photo.stamp(np.random.default_rng([stamp_seed, len(side)]), img) if stamp else img

    if stamped:
        tags.append("stamp")
    if kind == "photo" and len(sides) == 1:
        img, _ = _photo(rng, lambda s: card(sides[0], s), CARD_H / CARD_W, tags)
    elif kind == "photo" or (kind == "both_sides" and rng.random() < 0.25):
        # A phone photo of a sheet with both sides on it.
        tags.append("sheet_photo")
        card_px = 700.0

        def sheet(scale: float) -> Image.Image:
            cards = [card(s, card_px / CARD_W) for s in sides]
            page = _flat(np.random.default_rng(stamp_seed), cards, card_px, [], grey=False, page=True)
            return page.convert("RGBA").resize(
                (round(page.width * scale * CARD_W / card_px), round(page.height * scale * CARD_W / card_px))
            )

        probe = sheet(CARD_W / card_px)
        img, _ = _photo(rng, sheet, probe.height / probe.width, tags, min_obj_px=1300, card_frac=85.6 / 210)
    elif kind in ("scan", "small"):
        card_px = rng.uniform(420, 480) if kind == "small" else rng.uniform(700, 2000)
        tags.append(f"card{int(card_px)}px")
        cards = [card(s, card_px / CARD_W) for s in sides]
        img = _flat(rng, cards, card_px, tags, grey=False, page=False)
    else:  # photocopy / both_sides page
        card_px = rng.uniform(480, 1000)
        tags += [f"card{int(card_px)}px"] + (["grey"] if grey else [])
        # A greyscale copy is stamped after copying (red on grey), a colour one may be stamped on the card.
        cards = [card(s, card_px / CARD_W, stamp=stamped and not grey) for s in sides]
        boxes: list[tuple[int, int, int, int]] = []
        img = _flat(rng, cards, card_px, tags, grey=grey, page=kind == "both_sides" or rng.random() < 0.3, boxes=boxes)
        if stamped and grey:
            img = photo.stamp_boxes(np.random.default_rng(stamp_seed), img, boxes)
    if kind != "photo" and rng.random() < 0.15:
        turn = int(_pick(rng, (90, 180, 270)))
        img = img.rotate(turn, expand=True)
        tags.append(f"turned{turn}")
    if fmt is None:
        fmt, quality = _choose_format(rng, img.width * img.height, tags, q_lo=40 if kind == "photo" else 60)
    else:
        quality = int(rng.integers(60, 96))
        tags.append(fmt)
    orientation = int(_pick(rng, (6, 6, 8, 3, 1))) if exif else None
    if orientation is not None:
        tags.append(f"exif{orientation}")
    data_bytes = photo.encode(img, fmt, quality, orientation)
    size = img.size if orientation not in (6, 8) else (img.height, img.width)
    return Sample(index, data_bytes, fmt, kind, tags, identity.ground_truth(sides), identity, size)


def make_sample(seed: int, index: int, only: str | None = None) -> Sample:
    """Sample number `index` of the set for `seed` (independent of the other samples)."""
    rng = np.random.default_rng([seed, index])
    ethnicity = data.ETHNIC_GROUPS[1 + (index // 4) % 55] if index % 4 == 3 else None  # every group appears
    identity = random_identity(rng, ethnicity=ethnicity)
    drawn = str(rng.choice(KINDS, p=np.array(KIND_WEIGHTS) / sum(KIND_WEIGHTS)))
    kind = only if only in KINDS else drawn
    stamp_p = 0.3 if kind in ("photocopy", "both_sides") else 0.06
    stamped = only == "stamp" or rng.random() < stamp_p
    exif = only == "exif" or (kind == "photo" and rng.random() < 0.2)
    sides = None
    if only in ("front", "back"):
        sides = (only,)
        kind = kind if kind != "both_sides" else "photo"
    return build_sample(identity, rng, kind, sides=sides, stamped=stamped, exif=exif, index=index)


def generate(seed: int, n: int, *, only: str | None = None, start: int = 0) -> Iterator[Sample]:
    """n samples, deterministic for (seed, index). `only` is a kind (KINDS) or a modifier (MODIFIERS)."""
    if only is not None and only not in KINDS + MODIFIERS:
        raise ValueError(f"unknown kind {only!r}; expected one of {KINDS + MODIFIERS}")
    for i in range(start, start + n):
        yield make_sample(seed, i, only)
