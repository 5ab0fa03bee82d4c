"""Ink separation before reading.

Card text is black (values) and blue (labels); what is stamped or written across it is usually red ("复印无效",
"仅供...使用"). In the red channel, red ink is as bright as the card while black and blue stay dark, so reading
that channel alone erases the stamp and keeps every printed field. Measured on generated stamped cards (seed 99):
whole-card accuracy 3/16 -> 10/16, and 18/24 -> 19/24 on a general mix, so it is applied to every image.
"""

from __future__ import annotations

import cv2
import numpy as np


def drop_red_ink(bgr: np.ndarray) -> np.ndarray:
    """A 3-channel grey image made of the red channel (the models expect three channels)."""
    return _grey3(bgr[:, :, 2])


def drop_coloured_ink(bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two 3-channel grey images where coloured ink (a red or blue stamp, the blue labels) turns light and black
    print stays dark: each pixel's brightest channel, and that plus its chroma (brightest minus darkest channel),
    which pushes a translucent stamp further towards white but thins black print under it. Neither wins on the
    generated stamped cards (28 of 36 each, different ones), so a value under a stamp is read from both and the
    surer reading kept. Not for the first reading, which needs the blue labels."""
    high = bgr.max(axis=2)
    low = bgr.min(axis=2)
    pushed = np.clip(2 * high.astype(np.int16) - low, 0, 255).astype(np.uint8)
    return _grey3(high), _grey3(pushed)


def _grey3(grey: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.broadcast_to(grey[:, :, None], (*grey.shape, 3)))


def flatten(bgr: np.ndarray, text_height: float, light_stroke: float = 0.0) -> np.ndarray:
    """A 3-channel grey image divided by its local background: the paper's brightness estimated by a closing (a
    maximum filter) wider than a stroke and smoothed, so dark print stays dark wherever it lies, on light paper or
    inside a dark grey stamp block, while the block itself turns light. For photocopies, where stamps are grey.

    ``light_stroke`` (a share of ``text_height``): light features narrower than that are removed before the
    background is estimated (an opening), so it follows a stamp block through the light characters stamped in it and
    dips wherever grey stamp ink crowds the print: the stamp fades further, but so do the finest gaps of dense
    characters, which is why that image only serves to read again a field the first reading missed."""
    grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY) if bgr.ndim == 3 else bgr
    size = max(9, int(text_height) | 1)
    source = grey
    if light_stroke > 0:
        width = max(3, int(text_height * light_stroke) | 1)
        source = cv2.morphologyEx(grey, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (width, width)))
    background = cv2.morphologyEx(source, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    background = cv2.GaussianBlur(background.astype(np.float32), (0, 0), size / 3)
    flat = np.clip(grey.astype(np.float32) / np.maximum(background, 1.0) * PAPER, 0, 255).astype(np.uint8)
    return _grey3(flat)


# The brightness flattened paper gets.
PAPER = 235.0


def is_greyscale(bgr: np.ndarray, chroma: float = 12.0, sample: int = 20000) -> bool:
    """Whether an image holds no colour (a greyscale copy or scan): its 98th-percentile chroma (brightest minus
    darkest channel) over a sample of pixels stays below ``chroma``."""
    if bgr.ndim == 2:
        return True
    flat = bgr.reshape(-1, 3)
    step = max(1, len(flat) // sample)
    picked = flat[::step].astype(np.int16)
    return float(np.percentile(picked.max(axis=1) - picked.min(axis=1), 98)) < chroma
