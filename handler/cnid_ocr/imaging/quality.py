"""What the pixels of one card say about the card itself: a greyscale copy, blur, glare, and a quality score.

Measured on the card's area rectified to a small canonical canvas (so every measure is per card and independent of
the photo's size): colour is the chroma of its most colourful pixels (a real card's blue labels and pink guilloche
are colour; a photocopy has none); sharpness is the strength of its finest edges against its contrast (text edges
of a sharp card are steep); glare is the largest highlight over its text: a region whose paper rises to white
from the paper around it. Thresholds were chosen on generated photos with and without each defect (README, card
warnings). Needs no model.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .frame import PORTRAIT

CANVAS = (428, 270)  # half the canonical 856 x 540 card


@dataclass(frozen=True, slots=True)
class QualityOptions:
    # Greyscale copy: the paper's chroma (75th percentile of max - min channel over its light, unsaturated pixels,
    # 0-255) stays below this.
    photocopy_chroma: float = 6.0
    # Blurry: the finest edges' strength (see sharpness) below this. Over 560 generated photos (the benchmark and a
    # calibration set, seeds 1234 and 777) strongly blurred cards measured mostly 0.26-1.0, the others from 1.19
    # except motion-blurred sheet photos (0.56-1.06, which lose fields too); the real development set from 1.5.
    blurry_sharpness: float = 1.0
    # Glare: a highlight over the card's text larger than glare_share of the card. A highlight is where the paper
    # (the print closed away) is at least glare_level and has risen by glare_rise of what it had left to white
    # above the paper around it (its median over glare_window canvas pixels, a quarter of the card's width): a
    # specular highlight saturates, a brightly lit card or a mild glare does not rise that far. Only over the
    # text (the hull of the side's text boxes, not a front's portrait): there glare endangers the reading, and the
    # card's border, where an outline error lets the desk in, stays out. Chosen on 820 generated photos (seeds
    # 1234, 777, 2468; README, card warnings): where it fired on one card without glare.
    glare_share: float = 0.017
    glare_level: int = 240
    glare_rise: float = 0.6
    glare_window: int = 101


@dataclass(frozen=True, slots=True)
class CardQuality:
    chroma: float  # the paper's tint: 75th percentile of chroma over the card's light, unsaturated pixels
    sharpness: float  # 99th percentile of |Laplacian| over the card's contrast (p99 - p1 of grey)
    glare: float  # share of the card under its largest highlight over the text
    photocopy: bool
    blurry: bool
    glared: bool

    @property
    def score(self) -> float:
        """0..1: 1 for a sharp card without glare; lowered by blur and glare (a copy is not a quality defect)."""
        sharp = min(1.0, self.sharpness / (2 * BLUR_REFERENCE))
        lit = max(0.0, 1.0 - self.glare / (3 * GLARE_REFERENCE))
        return round(max(0.0, min(1.0, sharp * lit)), 3)


BLUR_REFERENCE = QualityOptions().blurry_sharpness
GLARE_REFERENCE = QualityOptions().glare_share


def card_quality(
    image: np.ndarray,
    corners: np.ndarray,
    options: QualityOptions | None = None,
    text_boxes: np.ndarray | None = None,
    side: str = "front",
) -> CardQuality:
    """The card under ``corners`` (4 x 2 image pixels, clockwise from its top-left) measured on a small canvas;
    ``text_boxes`` (N x 4 x 2 image pixels) are its side's text, where glare is looked for (none: the whole card)."""
    options = options or QualityOptions()
    width, height = CANVAS
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    card = cv2.warpPerspective(image, matrix, CANVAS, flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)
    if card.ndim == 2:
        card = cv2.cvtColor(card, cv2.COLOR_GRAY2BGR)
    high = card.max(axis=2).astype(np.int16)
    low = card.min(axis=2).astype(np.int16)
    grey = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY)
    spread_chroma = high - low
    # The paper's own tint: light pixels that are not saturated ink (a red stamp added on a copy is ink).
    paper_pixels = spread_chroma[(grey >= 140) & (spread_chroma < 60)]
    chroma = float(np.percentile(paper_pixels, 75)) if paper_pixels.size > 100 else float(np.median(spread_chroma))
    spread = float(np.percentile(grey, 99) - np.percentile(grey, 1)) or 1.0
    laplacian = np.abs(cv2.Laplacian(grey.astype(np.float32), cv2.CV_32F, ksize=3))
    sharpness = float(np.percentile(laplacian, 99)) / spread
    glare = _highlight(grey, _text_area(matrix, text_boxes, side), options)
    return CardQuality(
        chroma=round(chroma, 2),
        sharpness=round(sharpness, 4),
        glare=round(glare, 4),
        photocopy=chroma < options.photocopy_chroma,
        blurry=sharpness < options.blurry_sharpness,
        glared=glare > options.glare_share,
    )


def _text_area(matrix: np.ndarray, text_boxes: np.ndarray | None, side: str) -> np.ndarray:
    """The canvas pixels over the side's text: the hull of its boxes, without a front's portrait."""
    width, height = CANVAS
    area = np.ones((height, width), dtype=np.uint8)
    if text_boxes is not None and len(text_boxes):
        points = cv2.perspectiveTransform(text_boxes.reshape(-1, 1, 2).astype(np.float32), matrix).reshape(-1, 2)
        area[:] = 0
        cv2.fillConvexPoly(area, cv2.convexHull(np.round(points).astype(np.int32)), 1)
    if side == "front":
        x0, y0, x1, y1 = PORTRAIT
        area[int(y0 * height) : int(y1 * height), int(x0 * width) : int(x1 * width)] = 0
    return area


def _highlight(grey: np.ndarray, area: np.ndarray, options: QualityOptions) -> float:
    """Share of the canvas under the largest highlight inside ``area`` (see QualityOptions.glare_share)."""
    paper = cv2.morphologyEx(grey, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    around = cv2.medianBlur(paper, options.glare_window).astype(np.float32)
    rise = (paper.astype(np.float32) - around) / np.maximum(255 - around, 12)
    washed = ((rise >= options.glare_rise) & (paper >= options.glare_level) & (area > 0)).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(washed)
    return float(stats[1:, cv2.CC_STAT_AREA].max()) / washed.size if count > 1 else 0.0
