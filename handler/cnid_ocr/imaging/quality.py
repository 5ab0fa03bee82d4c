"""What the pixels of one card say about the card itself: a greyscale copy, blur, glare, and a quality score.

Measured on the card's area rectified to a small canonical canvas (so every measure is per card and independent of
the photo's size): colour is the chroma of its most colourful pixels (a real card's blue labels and pink guilloche
are colour; a photocopy has none); sharpness is the strength of its finest edges against its contrast in its
least sharp direction (text edges of a sharp card are steep in every direction); glare is the largest highlight
over its text: a region whose paper rises to white from the paper around it. Thresholds were chosen on generated
photos with and without each defect (README, card warnings). Needs no model.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .frame import MARGINS, PORTRAIT

CANVAS = (428, 270)  # half the canonical 856 x 540 card


@dataclass(frozen=True, slots=True)
class QualityOptions:
    # Greyscale copy: the paper's chroma (75th percentile of max - min channel over its light, unsaturated pixels,
    # 0-255) stays below this.
    photocopy_chroma: float = 6.0
    # Blurry: the finest edges' strength in the card's least sharp direction (see _sharpness) below this. Chosen
    # on generated photos with and without a strong blur (README, card warnings): strongly blurred cards measure
    # below it, sharp and mildly blurred ones above, and the real development set far above.
    blurry_sharpness: float = 0.44
    # Directions the edges' strength is measured in (a motion blur softens those across its path only).
    sharpness_directions: int = 8
    # Sharpness is measured inside this share of the card's width and height from each edge: the card's own edge,
    # or the desk where the outline is a little off, are the steepest edges of a blurred card.
    sharpness_margin: float = 0.08
    # An image in which no card could be read is called blurred (the error says so: take the photo again) when
    # its finest edges, measured as a card's but over the whole image scaled to image_side pixels and at the
    # image_percentile-th percentile (a card may cover a small part of it), are below image_blurry_sharpness,
    # and it has edges at all: the 99.5th percentile of its gradient at least image_edges times its contrast (a
    # blank wall has nothing to blur). Chosen on generated photos (README, card warnings): the strongly blurred
    # photos the reader could not read measure below it, every other photo above.
    image_blurry_sharpness: float = 0.35
    image_side: int = 768
    image_percentile: float = 99.5
    image_edges: float = 0.2
    # Glare: a highlight over the card's text larger than glare_share of the card. A highlight is where the paper
    # (the print closed away) is at least glare_level, has risen by glare_rise of what it had left to white above
    # the paper around it (its median over glare_window canvas pixels, a third of the card's width; what it had left
    # counted as at least glare_headroom levels, so a card whose paper is already near white can still show one),
    # and no ink is left within glare_ink_window pixels (the ink's depth below the paper under glare_ink): a
    # specular highlight saturates and washes the print out, a brightly lit card or a mild glare does neither. Only
    # over the text (where the side's layout prints it and the hull of its text boxes, not a front's portrait):
    # there glare endangers the reading, and the card's border, where an outline error lets the desk in, stays out.
    # Not judged on a blurred card, whose ink the blur has already spread thin. Chosen on generated photos with and
    # without a strong glare (README, card warnings).
    glare_share: float = 0.0048
    glare_level: int = 250
    glare_rise: float = 0.85
    glare_window: int = 151
    glare_headroom: float = 4.0
    glare_ink: int = 25
    glare_ink_window: int = 15


@dataclass(frozen=True, slots=True)
class CardQuality:
    chroma: float  # the paper's tint: 75th percentile of chroma over the card's light, unsaturated pixels
    sharpness: float  # the least, over directions, of the 99th percentile of |second derivative| over contrast
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
    ``text_boxes`` (N x 4 x 2 image pixels) are its side's text: glare is looked for over them and where the
    side's layout prints text."""
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
    inset_x, inset_y = round(options.sharpness_margin * width), round(options.sharpness_margin * height)
    sharpness = _sharpness(grey[inset_y : height - inset_y, inset_x : width - inset_x], options.sharpness_directions)
    blurry = sharpness < options.blurry_sharpness
    glare = 0.0 if blurry else _highlight(grey, _text_area(matrix, text_boxes, side), options)
    return CardQuality(
        chroma=round(chroma, 2),
        sharpness=round(sharpness, 4),
        glare=round(glare, 4),
        photocopy=chroma < options.photocopy_chroma,
        blurry=blurry,
        glared=glare > options.glare_share,
    )


def image_is_blurred(pixels: np.ndarray, options: QualityOptions | None = None) -> bool:
    """Whether a whole image is blurred (QualityOptions.image_blurry_sharpness): asked when no card could be read
    in it, to say why."""
    options = options or QualityOptions()
    scale = min(1.0, options.image_side / max(pixels.shape[:2]))
    small = cv2.resize(pixels, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else pixels
    grey = small if small.ndim == 2 else cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    contrast = _contrast(grey)
    edges = np.hypot(cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3))
    if _percentile(edges, options.image_percentile) < options.image_edges * contrast:
        return False
    sharpness = _sharpness(grey, options.sharpness_directions, options.image_percentile)
    return sharpness < options.image_blurry_sharpness


def _sharpness(grey: np.ndarray, directions: int, percentile: float = 99.0) -> float:
    """How steep the card's finest edges are in its least sharp direction: for each direction, the 99th
    percentile of |second derivative| along it, over the card's contrast (p99 - p1 of grey); the smallest. A
    defocus softens every direction; a motion blur only those across its path, and the edges along it stay
    steep (a measure over all directions, the Laplacian, missed most motion blur: README, card warnings)."""
    pixels = grey.astype(np.float32)
    dxx = cv2.Sobel(pixels, cv2.CV_32F, 2, 0, ksize=3)
    dyy = cv2.Sobel(pixels, cv2.CV_32F, 0, 2, ksize=3)
    dxy = cv2.Sobel(pixels, cv2.CV_32F, 1, 1, ksize=3)
    steepest = []
    for angle in np.linspace(0.0, np.pi, directions, endpoint=False):
        c, s = float(np.cos(angle)), float(np.sin(angle))
        steepest.append(_percentile(np.abs(dxx * (c * c) + dxy * (2 * c * s) + dyy * (s * s)), percentile))
    return min(steepest) / _contrast(grey)


def _contrast(grey: np.ndarray) -> float:
    """p99 - p1 of a grey image (uint8), at least 1."""
    cumulative = np.cumsum(np.bincount(grey.ravel(), minlength=256))
    low, high = np.searchsorted(cumulative, (0.01 * grey.size, 0.99 * grey.size))
    return float(high - low) or 1.0


def _percentile(values: np.ndarray, percentile: float) -> float:
    """The value at a percentile, without interpolation: np.partition takes a tenth of np.percentile's time."""
    rank = int(percentile / 100 * (values.size - 1))
    return float(np.partition(values.ravel(), rank)[rank])


def _text_area(matrix: np.ndarray, text_boxes: np.ndarray | None, side: str) -> np.ndarray:
    """The canvas pixels over the side's text: where its layout prints text (MARGINS) and the hull of the boxes
    read, without a front's portrait. The layout's block too: text a highlight washed out was not read, and the
    hull of what was read stops short of it."""
    width, height = CANVAS
    area = np.zeros((height, width), dtype=np.uint8)
    left, top, right, bottom = MARGINS[side]
    area[round(top * height) : round((1 - bottom) * height), round(left * width) : round((1 - right) * width)] = 1
    if text_boxes is not None and len(text_boxes):
        points = cv2.perspectiveTransform(text_boxes.reshape(-1, 1, 2).astype(np.float32), matrix).reshape(-1, 2)
        cv2.fillConvexPoly(area, cv2.convexHull(np.round(points).astype(np.int32)), 1)
    if side == "front":
        x0, y0, x1, y1 = PORTRAIT
        area[int(y0 * height) : int(y1 * height), int(x0 * width) : int(x1 * width)] = 0
    return area


def _highlight(grey: np.ndarray, area: np.ndarray, options: QualityOptions) -> float:
    """Share of the canvas under the largest highlight inside ``area`` (see QualityOptions.glare_share)."""
    paper = cv2.morphologyEx(grey, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    around = cv2.medianBlur(paper, options.glare_window).astype(np.float32)
    rise = (paper.astype(np.float32) - around) / np.maximum(255 - around, options.glare_headroom)
    ink = cv2.dilate(cv2.subtract(paper, grey), np.ones((options.glare_ink_window,) * 2, np.uint8))
    washed = (rise >= options.glare_rise) & (paper >= options.glare_level) & (ink < options.glare_ink) & (area > 0)
    count, _, stats, _ = cv2.connectedComponentsWithStats(washed.astype(np.uint8))
    return float(stats[1:, cv2.CC_STAT_AREA].max()) / washed.size if count > 1 else 0.0
