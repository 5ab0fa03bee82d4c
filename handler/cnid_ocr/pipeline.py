"""The recognition pipeline shared by the API and the CLI: image bytes in, the API's JSON body out.

decode (JPEG draft scaling, EXIF orientation, limits) -> drop red ink (stamps) -> detect text lines at a modest
scale -> find the angle the lines run at (mode of the boxes' directions; any rotation) -> when the text is small or
tilted, cut the text region out levelled and rescaled, and detect again -> cut each line out perspective-corrected
-> one 0/180 decision for the whole page -> recognise -> extract fields by layout.
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
from .imaging.geometry import (
    Quad,
    agrees,
    crop_line,
    flip,
    level_angle,
    level_region,
    map_back,
    median_height,
    upright,
)
from .imaging.ink import drop_red_ink
from .ocr.engine import LINE_HEIGHT, OcrEngine
from .ocr.types import TextLine

# Longest side of the decoded image: line crops come from it, so it bounds recognition quality and memory.
MAX_DECODE_SIDE = 2400
# Longest side given to the detector on the first look at the whole image.
DET_SIDE = 768
# The first look is enough when its boxes are at least this tall (px at detector scale) and level within
# LEVEL_TOLERANCE degrees; otherwise the text region is cut out, levelled and scaled so boxes are about
# TARGET_BOX_HEIGHT px tall (at most REFINED_SIDE px on its longer side), and detected again. Boxes only: crops
# are cut from the decoded pixels, so these sizes trade detection time against missed or split lines. Measured on
# the 300-photo accuracy set (README): 1024/20/32 -> 768/16/28 with a tighter region (REGION_*): the same 283/300
# whole cards on smaller detector inputs (768/16/24: 282/300).
MIN_BOX_HEIGHT = 16
# Fewer boxes than a card's labels on the first look: the text may be too small to see at DET_SIDE.
MIN_FIRST_LOOK_BOXES = 5
LEVEL_TOLERANCE = 3.0
TARGET_BOX_HEIGHT = 28
REFINED_SIDE = 1600
MAX_ZOOM = 3.0
# Border around the first look's text in the second look: lines it missed (a number at the card's edge) lie near
# the ones it found. The larger of REGION_MARGIN text heights and REGION_SHARE of the region's size.
REGION_MARGIN = 4.0
REGION_SHARE = 0.15
DEFAULT_MAX_PIXELS = 50_000_000
# Line crops lower than this are enlarged (bicubic) while they are cut out.
MIN_CROP_HEIGHT = LINE_HEIGHT
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
        quads = self._find_text(pixels)
        if not quads:
            return []
        pairs = upright(quads, level_angle(quads))
        # Crops always come from the decoded pixels, whatever scale the boxes were found at.
        crops = [crop_line(pixels, original, MIN_CROP_HEIGHT) for original, _ in pairs]
        widest = sorted(range(len(crops)), key=lambda i: crops[i].shape[1], reverse=True)[:ORIENTATION_SAMPLE]
        if self.engine.upside_down_share([crops[i] for i in widest]) > 0.5:
            pairs = flip(pairs)
            crops = [np.ascontiguousarray(crop[::-1, ::-1]) for crop in crops]
        lines = []
        for (_, level), (text, score) in zip(pairs, self.engine.recognize(crops), strict=True):
            if text.strip():
                lines.append(TextLine(text, score, tuple(map(tuple, level.tolist()))))  # type: ignore[arg-type]
        return lines

    def _find_text(self, pixels: np.ndarray) -> list[Quad]:
        """Text-line boxes in ``pixels``: from one look at DET_SIDE when it finds level, well-sized text; else from a
        second look at the text region levelled and rescaled (a small, far or tilted card, a photocopy page)."""
        scale = min(1.0, DET_SIDE / max(pixels.shape[:2]))
        quads = _detect_scaled(self.engine, pixels, scale)
        if len(quads) < MIN_FIRST_LOOK_BOXES and scale < 1.0:  # a card far away: look again, closer
            scale = min(1.0, 2 * scale)
            quads = max(quads, _detect_scaled(self.engine, pixels, scale), key=len)
        if not quads:
            return []
        angle = level_angle(quads)
        height = median_height(quads)
        if height * scale >= MIN_BOX_HEIGHT and abs(angle) <= LEVEL_TOLERANCE:
            return quads
        region = [quad for quad in quads if agrees(quad, angle)]
        zoom = min(MAX_ZOOM, TARGET_BOX_HEIGHT / max(height, 1.0))
        levelled, matrix = level_region(pixels, region, angle, zoom, REFINED_SIDE, REGION_MARGIN, REGION_SHARE)
        refined = self.engine.detect(levelled)
        return map_back(refined, matrix) if refined else quads


def _detect_scaled(engine: OcrEngine, pixels: np.ndarray, scale: float) -> list[Quad]:
    """Boxes (in ``pixels``' frame) found in ``pixels`` scaled by about ``scale``, to sides that are multiples of
    32 as the detector needs (one resize)."""
    height, width = pixels.shape[:2]
    size = (max(32, round(width * scale / 32) * 32), max(32, round(height * scale / 32) * 32))
    if size == (width, height):
        return engine.detect(pixels)
    small = cv2.resize(pixels, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    factor = np.array([width / small.shape[1], height / small.shape[0]], dtype=np.float32)
    return [quad * factor for quad in engine.detect(small)]
