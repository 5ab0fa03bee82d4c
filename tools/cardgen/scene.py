"""Backgrounds the card lies on (wood, cloth, paper, dark, plain) and clutter (shapes, unrelated text)."""

from __future__ import annotations

import math

import cv2
import numpy as np
from PIL import Image, ImageDraw

from . import data, fonts

BACKGROUNDS = ("wood", "cloth", "paper", "dark", "plain")


def low_freq(rng: np.random.Generator, w: int, h: int, cells: int = 6, lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
    """Smooth random field in [lo, hi], float32 HxW."""
    grid = rng.uniform(lo, hi, size=(max(2, cells * h // max(w, h) + 1), max(2, cells * w // max(w, h) + 1)))
    return cv2.resize(grid.astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)


def _wood(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    base = np.array([rng.uniform(110, 190), rng.uniform(70, 130), rng.uniform(35, 80)], np.float32)
    angle = rng.uniform(0, math.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    u = xx * math.cos(angle) + yy * math.sin(angle)
    v = -xx * math.sin(angle) + yy * math.cos(angle)
    scale = max(w, h) / 1000
    warp = low_freq(rng, w, h, 4, -1, 1) * rng.uniform(20, 80) * scale
    period = rng.uniform(25, 90) * scale
    rings = np.sin((u + warp + 6 * scale * np.sin(v / (rng.uniform(80, 300) * scale))) * 2 * math.pi / period)
    rings = np.sign(rings) * np.abs(rings) ** 3  # thin dark late-wood bands
    streaks = cv2.resize(rng.normal(0, 1, (max(2, h // 6), max(2, w // 6))).astype(np.float32), (w, h))
    streaks = cv2.GaussianBlur(streaks, (0, 0), 1.0)
    shade = low_freq(rng, w, h, 3, 0.85, 1.1) * (1 + 0.08 * rings + 0.04 * streaks)
    return base[None, None, :] * shade[..., None]


def _cloth(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    base = rng.uniform(40, 220, size=3).astype(np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    period = rng.uniform(3, 7)
    weave = np.sin(xx * 2 * math.pi / period) * np.sin(yy * 2 * math.pi / period)
    folds = low_freq(rng, w, h, 4, 0.75, 1.1)
    shade = folds * (1 + 0.07 * weave)
    return base[None, None, :] * shade[..., None]


def _paper(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    v = rng.uniform(215, 250)
    base = np.array([v, v - rng.uniform(0, 8), v - rng.uniform(0, 18)], np.float32)
    img = base[None, None, :] * low_freq(rng, w, h, 4, 0.9, 1.02)[..., None]
    if rng.random() < 0.4:  # ruled notebook lines
        step = int(rng.uniform(0.03, 0.06) * h) + 8
        img[step // 2 :: step, :, :] *= np.array([0.85, 0.88, 0.97], np.float32)
    return img


def _dark(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    base = rng.uniform(15, 60, size=3).astype(np.float32)
    noise = cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), 2)
    return base[None, None, :] * (low_freq(rng, w, h, 5, 0.7, 1.3) + 0.05 * noise)[..., None]


def _plain(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    base = rng.uniform(60, 235, size=3).astype(np.float32)
    return base[None, None, :] * low_freq(rng, w, h, 3, 0.85, 1.05)[..., None]


def background(rng: np.random.Generator, kind: str, w: int, h: int) -> np.ndarray:
    """A float32 HxWx3 RGB background, rendered at most ~1 MP and resized."""
    f = min(1.0, math.sqrt(1.0e6 / (w * h)))
    sw, sh = max(8, round(w * f)), max(8, round(h * f))
    maker = {"wood": _wood, "cloth": _cloth, "paper": _paper, "dark": _dark, "plain": _plain}[kind]
    img = maker(rng, sw, sh)
    if (sw, sh) != (w, h):
        img = cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.clip(img, 0, 255).astype(np.float32)


def clutter(rng: np.random.Generator, img: np.ndarray, text_px: float, text: bool = True) -> np.ndarray:
    """Random shapes and unrelated text (receipts, notes, prices; glyphs about text_px high) on the background."""
    h, w = img.shape[:2]
    pil = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB").convert("RGBA")
    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    unit = max(w, h)
    for _ in range(int(rng.integers(3, 10))):
        col = (*(int(c) for c in rng.integers(0, 256, 3)), int(rng.integers(150, 256)))
        x, y = rng.uniform(-0.1, 1.0) * w, rng.uniform(-0.1, 1.0) * h
        sz = rng.uniform(0.05, 0.35) * unit
        shape = rng.integers(4)
        if shape == 0:
            draw.rectangle((x, y, x + sz, y + sz * rng.uniform(0.3, 1.5)), fill=col)
        elif shape == 1:
            draw.ellipse((x, y, x + sz, y + sz), fill=col)
        elif shape == 2:
            draw.line(
                (x, y, x + sz * rng.uniform(-1, 1), y + sz * rng.uniform(-1, 1)),
                fill=col,
                width=int(rng.integers(2, max(3, unit // 100))),
            )
        else:
            pts = [(x + rng.uniform(0, sz), y + rng.uniform(0, sz)) for _ in range(int(rng.integers(3, 6)))]
            draw.polygon(pts, fill=col)
    if text:
        specs = fonts.available(fonts.CLUTTER_FONTS)
        for _ in range(int(rng.integers(1, 6))):
            # A white slip of paper with a few lines of text.
            x, y = rng.uniform(-0.1, 0.9) * w, rng.uniform(-0.1, 0.9) * h
            size = max(10, int(rng.uniform(0.6, 1.6) * text_px))
            lines = [
                data.CLUTTER_TEXT[int(rng.integers(len(data.CLUTTER_TEXT)))]
                + (f" {rng.integers(1, 999)}" if rng.random() < 0.5 else "")
                for _ in range(int(rng.integers(1, 5)))
            ]
            spec = specs[int(rng.integers(len(specs)))]
            bw = max(fonts.text_width(spec, size, t) for t in lines) + size
            if rng.random() < 0.7:
                draw.rectangle((x, y, x + bw, y + size * 1.4 * len(lines) + size * 0.6), fill=(245, 245, 240, 255))
            ink = (*(int(c) for c in rng.integers(0, 90, 3)), 255)
            for i, t in enumerate(lines):
                fonts.draw_text(draw, (x + size * 0.5, y + size * 1.4 * (i + 1)), t, spec, size, ink)
    layer = layer.rotate(float(rng.uniform(-40, 40)), resample=Image.BILINEAR, center=(w / 2, h / 2))
    pil.alpha_composite(layer)
    return np.asarray(pil.convert("RGB"), dtype=np.float32)
