"""What the pixels of one card say about the card itself: a greyscale copy, blur, glare, and a quality score.

Measured on the card's area rectified to a small canonical canvas (so every measure is per card and independent of
the photo's size): colour is the chroma of its most colourful pixels (a real card's blue labels and pink guilloche
are colour; a photocopy has none); sharpness is the strength of its finest edges against its contrast (text edges
of a sharp card are steep); glare is the share of its area blown out to white. Thresholds were chosen on the
generated benchmark's photos with and without each defect (bench-results/accuracy-*.txt). Needs no model.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

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
    # Glare: more than this share of the card blown out (near white and brighter than the card's own paper). The
    # measure does not separate glare from bright cards yet (positives 0.02-0.10, negatives up to 0.19 on the
    # generated benchmark): set where it never fired on a card without glare.
    glare_share: float = 0.2


@dataclass(frozen=True, slots=True)
class CardQuality:
    chroma: float  # the paper's tint: 75th percentile of chroma over the card's light, unsaturated pixels
    sharpness: float  # 99th percentile of |Laplacian| over the card's contrast (p99 - p1 of grey)
    glare: float  # share of the card's area blown out
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


def card_quality(image: np.ndarray, corners: np.ndarray, options: QualityOptions | None = None) -> CardQuality:
    """The card under ``corners`` (4 x 2 image pixels, clockwise from its top-left) measured on a small canvas."""
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
    paper = float(np.median(grey))
    blown = (grey >= 250) & (grey > paper + 8) & ((high - low) < 20)
    glare = float(blown.mean())
    return CardQuality(
        chroma=round(chroma, 2),
        sharpness=round(sharpness, 4),
        glare=round(glare, 4),
        photocopy=chroma < options.photocopy_chroma,
        blurry=sharpness < options.blurry_sharpness,
        glared=glare > options.glare_share,
    )
