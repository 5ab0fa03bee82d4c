"""Model outputs to results, without a model: DB probability maps to text-line boxes, CTC outputs to strings.

The same rules as PaddleOCR / RapidOCR (threshold 0.3, 2x2 dilation, mean box score >= 0.5, boxes grown by
area x 1.6 / perimeter, greedy CTC with repeats and blanks removed), written for our use: boxes are always the
minimum-area rectangle, so growing one is exact arithmetic on the rectangle instead of a polygon offset.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..imaging.geometry import reading_order

BINARY_THRESHOLD = 0.3
BOX_THRESHOLD = 0.5
UNCLIP_RATIO = 1.6
MAX_CANDIDATES = 1000
MIN_SIDE = 3
DILATION = np.ones((2, 2), dtype=np.uint8)


def boxes_from_probability(probability: np.ndarray, width: int, height: int) -> list[np.ndarray]:
    """Text-line quads (4x2 float32, TL TR BR BL) in an image of ``width`` x ``height`` from the detector's
    probability map (H x W, any scale of that image)."""
    map_height, map_width = probability.shape
    bitmap = cv2.dilate((probability > BINARY_THRESHOLD).astype(np.uint8), DILATION)
    contours, _ = cv2.findContours(bitmap, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    scale = np.array([width / map_width, height / map_height], dtype=np.float32)
    limit = np.array([width - 1, height - 1], dtype=np.float32)
    quads = []
    for contour in contours[:MAX_CANDIDATES]:
        (cx, cy), (w, h), angle = cv2.minAreaRect(contour)
        if min(w, h) < MIN_SIDE:
            continue
        if _mean_inside(probability, cv2.boxPoints(((cx, cy), (w, h), angle))) < BOX_THRESHOLD:
            continue
        grow = w * h * UNCLIP_RATIO / (2 * (w + h))
        w, h = w + 2 * grow, h + 2 * grow
        if min(w, h) < MIN_SIDE + 2:
            continue
        points = np.clip(np.round(cv2.boxPoints(((cx, cy), (w, h), angle)) * scale), 0, limit)
        quad = points[reading_order(points)].astype(np.float32)
        if np.linalg.norm(quad[0] - quad[1]) <= 3 or np.linalg.norm(quad[0] - quad[3]) <= 3:
            continue
        quads.append(quad)
    quads.sort(key=lambda quad: (float(quad[0, 1]), float(quad[0, 0])))
    return quads


def _mean_inside(probability: np.ndarray, points: np.ndarray) -> float:
    """Mean probability inside the polygon (the detector's confidence in the box)."""
    height, width = probability.shape
    x0, y0 = np.clip(np.floor(points.min(axis=0)).astype(int), 0, [width - 1, height - 1])
    x1, y1 = np.clip(np.ceil(points.max(axis=0)).astype(int), 0, [width - 1, height - 1])
    mask = np.zeros((y1 - y0 + 1, x1 - x0 + 1), dtype=np.uint8)
    cv2.fillPoly(mask, [(points - [x0, y0]).astype(np.int32)], 1)
    return float(cv2.mean(probability[y0 : y1 + 1, x0 : x1 + 1], mask)[0])


def ctc_decode(probabilities: np.ndarray, characters: list[str]) -> list[tuple[str, float]]:
    """Greedy CTC: per row of ``probabilities`` (N x T x classes, class 0 = blank), the text with repeats and blanks
    removed and the mean probability of the kept characters (0 when nothing is kept)."""
    best = probabilities.argmax(axis=2)
    confidence = probabilities.max(axis=2)
    results = []
    for indices, scores in zip(best, confidence, strict=True):
        keep = indices != 0
        keep[1:] &= indices[1:] != indices[:-1]
        kept = indices[keep]
        text = "".join(characters[i] for i in kept)
        results.append((text, float(scores[keep].mean()) if kept.size else 0.0))
    return results
