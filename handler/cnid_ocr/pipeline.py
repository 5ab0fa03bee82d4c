"""The recognition pipeline shared by the API and the CLI: image bytes in, the API's JSON body out.

decode (JPEG draft scaling, EXIF orientation, limits) -> drop red ink (stamps) -> detect text lines once at a
modest scale -> find the angle the lines run at and level them (any rotation, 90/180/270 included) -> cut each
line from the full-resolution pixels, perspective-corrected -> one 0/180 decision for the whole page -> recognise
-> extract fields by layout.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from .errors import NoIdCardFound
from .extract import extract_card
from .imaging.decode import decode_image
from .imaging.geometry import Quad, crop_line, dominant_angle, flip, upright
from .imaging.ink import drop_red_ink
from .ocr.engine import OcrEngine
from .ocr.types import TextLine

# Longest side of the decoded image: line crops come from it, so it bounds recognition quality and memory.
MAX_DECODE_SIDE = 2400
# Longest side given to the detector. A card filling a third of the frame still has ~15 px text at this size.
DET_SIDE = 1024
# Text smaller than this (median line height at detector scale, px) triggers a second, finer detection.
MIN_DET_TEXT_HEIGHT = 12
DEFAULT_MAX_PIXELS = 50_000_000
# Lines the 0/180 vote looks at (the widest ones say the most).
ORIENTATION_SAMPLE = 8


@dataclass(slots=True)
class CardReader:
    engine: OcrEngine
    max_pixels: int = DEFAULT_MAX_PIXELS
    today: Callable[[], dt.date] = dt.date.today

    @classmethod
    def create(cls, max_pixels: int = DEFAULT_MAX_PIXELS) -> CardReader:
        return cls(engine=OcrEngine(), max_pixels=max_pixels)

    def read(self, data: bytes) -> dict:
        """Raises an ``ApiError`` for anything that is not a readable card (bad bytes: 4xx, no card: 422)."""
        decoded = decode_image(data, max_pixels=self.max_pixels, max_side=MAX_DECODE_SIDE)
        return self.read_pixels(decoded.pixels)

    def read_pixels(self, pixels: np.ndarray) -> dict:
        lines = self.read_lines(pixels)
        if not lines:
            raise NoIdCardFound()
        return extract_card(lines, today=self.today()).to_body()

    def read_lines(self, pixels: np.ndarray) -> list[TextLine]:
        """Recognised lines in the page's level, upright frame."""
        pixels = drop_red_ink(pixels)
        quads = self._detect(pixels)
        if not quads:
            return []
        angle = dominant_angle(quads) or 0.0
        if angle > 90:
            angle -= 180  # level by the smaller turn; 0/180 is settled below
        pairs = upright(quads, angle)
        crops = [crop_line(pixels, original) for original, _ in pairs]
        widest = sorted(range(len(crops)), key=lambda i: crops[i].shape[1], reverse=True)[:ORIENTATION_SAMPLE]
        if self.engine.upside_down_share([crops[i] for i in widest]) > 0.5:
            pairs = flip(pairs)
            crops = [np.ascontiguousarray(crop[::-1, ::-1]) for crop in crops]
        lines = []
        for (_, level), (text, score) in zip(pairs, self.engine.recognize(crops), strict=True):
            if text.strip():
                lines.append(TextLine(text, score, tuple(map(tuple, level.tolist()))))  # type: ignore[arg-type]
        return lines

    def _detect(self, pixels: np.ndarray) -> list[Quad]:
        """Detect at DET_SIDE; if the text is tiny there (a card far away, a photocopy page), once more finer."""
        quads = _detect_scaled(self.engine, pixels, DET_SIDE)
        scale = min(1.0, DET_SIDE / max(pixels.shape[:2]))
        if quads and scale < 1.0 and _median_height(quads) * scale < MIN_DET_TEXT_HEIGHT:
            finer = _detect_scaled(self.engine, pixels, min(max(pixels.shape[:2]), DET_SIDE * 2))
            quads = finer or quads
        return quads


def _detect_scaled(engine: OcrEngine, pixels: np.ndarray, side: int) -> list[Quad]:
    height, width = pixels.shape[:2]
    scale = min(1.0, side / max(height, width))
    small = pixels if scale == 1.0 else cv2.resize(
        pixels, (max(32, round(width * scale)), max(32, round(height * scale))), interpolation=cv2.INTER_AREA
    )
    sy, sx = height / small.shape[0], width / small.shape[1]
    return [quad * np.array([sx, sy], dtype=np.float32) for quad in engine.detect(small)]


def _median_height(quads: list[Quad]) -> float:
    heights = [min(cv2.minAreaRect(q)[1]) for q in quads]
    return float(np.median(heights))
