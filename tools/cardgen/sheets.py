"""Cards laid on one sheet each in its own orientation: quarter turns and small tilts per card, stacked or side by
side, far apart or close together, on an A4 page, a square canvas or a tight scan (competition pages put the front
upright and the back turned 180 in the top-left of a square grey canvas)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from . import photo, scene
from .card import CARD_H, CARD_W

PAGES = ("a4", "square", "tight")


@dataclass(frozen=True)
class SheetLayout:
    turns: tuple[int, ...]  # per card: 0/90/180/270, counter-clockwise as seen in the image (PIL's rotate)
    tilts: tuple[float, ...]  # per card, degrees (counter-clockwise)
    row: bool  # side by side instead of one above the other
    gap: float  # between neighbouring cards, in card heights
    page: str  # one of PAGES
    anchor: tuple[float, float]  # where the cards sit in the free room of the page (0 = left/top, 1 = right/bottom)
    stagger: float  # offset of the second card across the stacking direction, in card heights

    @staticmethod
    def random(rng: np.random.Generator, n: int, turned: bool | None = None) -> SheetLayout:
        """A layout for n cards. turned=True: the cards face different ways (n >= 2) or the one card is turned."""

        def turn() -> int:
            r = rng.random()
            return 0 if r < 0.55 else (180 if r < 0.8 else (90 if r < 0.9 else 270))

        turns = tuple(turn() for _ in range(n))
        if n >= 2 and rng.random() < 0.3:  # the competition's usual page: front upright, back turned 180
            turns = (0, 180, *turns[2:])
        if turned is True:
            while (len(set(turns)) == 1) if n >= 2 else turns[0] == 0:
                turns = tuple(turn() for _ in range(n))
        elif turned is False:
            turns = (turns[0],) * n
        tilts = tuple(float(np.clip(rng.normal(0, 1.6), -4.5, 4.5)) for _ in range(n))
        r = rng.random()
        gap = rng.uniform(0.03, 0.12) if r < 0.35 else (rng.uniform(0.15, 0.6) if r < 0.85 else rng.uniform(0.6, 1.4))
        page = PAGES[int(rng.choice(3, p=[0.45, 0.3, 0.25]))]
        anchor = (float(rng.uniform(0, 1)), float(rng.uniform(0, 1)))
        if page == "square" and rng.random() < 0.6:  # cards in the top-left of the canvas
            anchor = (float(rng.uniform(0, 0.15)), float(rng.uniform(0, 0.15)))
        stagger = float(rng.uniform(-0.25, 0.25)) if rng.random() < 0.3 else 0.0
        return SheetLayout(turns, tilts, bool(n >= 2 and rng.random() < 0.3), float(gap), page, anchor, stagger)

    def tags(self, sides: tuple[str, ...] | list[str]) -> list[str]:
        out = []
        if len(self.turns) >= 2 and len(set(self.turns)) > 1:
            out.append("sides_turned")
        out += [f"side_rot{q}" for q in sorted(set(self.turns)) if q]
        if any(abs(t) >= 1.5 for t in self.tilts):
            out.append("side_tilt")
        if len(self.turns) >= 2:
            out += ["sides_row"] if self.row else []
            out += ["sides_close"] if self.gap < 0.13 else []
        out.append(f"page_{self.page}")
        return out


def _footprint(card_px: float, turn: int, tilt: float) -> tuple[float, float]:
    """Width and height of a card's bounding box after its turn and tilt."""
    w, h = card_px, card_px * CARD_H / CARD_W
    if turn in (90, 270):
        w, h = h, w
    t = math.radians(tilt)
    return abs(w * math.cos(t)) + abs(h * math.sin(t)), abs(w * math.sin(t)) + abs(h * math.cos(t))


def card_quad(card_px: float, turn: int, tilt: float, center: tuple[float, float]) -> np.ndarray:
    """Corners (TL, TR, BR, BL of the upright card) of a card turned counter-clockwise by turn + tilt degrees."""
    hw, hh = card_px / 2, card_px * CARD_H / CARD_W / 2
    pts = np.array([[-hw, -hh], [hw, -hh], [hw, hh], [-hw, hh]], np.float64)
    th = math.radians(turn + tilt)
    # counter-clockwise on screen (y points down): x' = x cos + y sin, y' = -x sin + y cos
    rot = np.array([[math.cos(th), math.sin(th)], [-math.sin(th), math.cos(th)]])
    return pts @ rot.T + np.array(center)


def compose(
    rng: np.random.Generator,
    cards: list[Image.Image],
    card_px: float,
    layout: SheetLayout,
    tags: list[str],
    grey: bool,
    quads: list[np.ndarray] | None = None,
) -> Image.Image:
    """The cards (RGBA, card_px wide) laid out on a sheet as `layout` says, then copied (grey) or scanned.
    Appends each card's corners on the sheet to `quads`."""
    ch = card_px * CARD_H / CARD_W
    feet = [_footprint(card_px, q, t) for q, t in zip(layout.turns, layout.tilts, strict=True)]
    gap = layout.gap * ch
    if layout.row:
        cw = sum(f[0] for f in feet) + gap * (len(feet) - 1)
        chh = max(f[1] for f in feet) + abs(layout.stagger) * ch
    else:
        cw = max(f[0] for f in feet) + abs(layout.stagger) * ch
        chh = sum(f[1] for f in feet) + gap * (len(feet) - 1)
    if layout.page == "a4":
        w = max(card_px * 210 / 85.6, cw * 1.08)
        h = max(w * 297 / 210 if rng.random() < 0.6 else chh * rng.uniform(1.3, 1.8), chh * 1.08)
    elif layout.page == "square":
        w = h = max(cw, chh) * rng.uniform(1.15, 2.3)
    else:
        w, h = cw * rng.uniform(1.03, 1.3), chh * rng.uniform(1.03, 1.3)
    w, h = round(w), round(h)
    left = (w - cw) * (0.04 + 0.92 * layout.anchor[0])
    top = (h - chh) * (0.04 + 0.92 * layout.anchor[1])
    paper = scene.background(rng, "plain", w, h)
    level = rng.uniform(185, 225) if layout.page == "square" else rng.uniform(200, 225)
    img = np.clip((paper.mean(axis=2, keepdims=True) * 0.8 + paper * 0.2) * 0.15 + level, 0, 255)
    pos = 0.0
    for i, (card, (fw, fh)) in enumerate(zip(cards, feet, strict=True)):
        shift = layout.stagger * ch * (i % 2) + (abs(layout.stagger) * ch if layout.stagger < 0 else 0)
        if layout.row:
            center = (left + pos + fw / 2, top + shift + fh / 2 + (chh - abs(layout.stagger) * ch - fh) / 2)
            pos += fw + gap
        else:
            center = (left + shift + fw / 2 + (cw - abs(layout.stagger) * ch - fw) / 2, top + pos + fh / 2)
            pos += fh + gap
        quad = card_quad(card_px, layout.turns[i], layout.tilts[i], center)
        img, alpha = photo.paste(img, card, quad, shadow=0.0)
        if quads is not None:
            quads.append(quad)
        if grey:  # photocopies show the card's edge as a dark outline
            edge = alpha - cv2.erode(alpha, np.ones((3, 3), np.uint8))
            img = img * (1 - 0.6 * np.clip(edge, 0, 1)[..., None])
    img = photo.degrade(rng, img, card_px, tags, strength=0.4)
    if grey:
        img = photo.photocopy(rng, img)
    return photo.to_image(img)
