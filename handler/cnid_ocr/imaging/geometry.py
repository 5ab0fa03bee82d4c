"""Geometry of text boxes: the page's reading angle, turning an image and its boxes upright, cropping lines."""

from __future__ import annotations

import math

import cv2
import numpy as np

Quad = np.ndarray  # (4, 2) float32: top-left, top-right, bottom-right, bottom-left in reading order


def box_direction(quad: Quad) -> tuple[float, float]:
    """The direction of a box's long side in degrees [0, 180), and how much it can be trusted (length x elongation)."""
    (cx, cy), (w, h), _ = cv2.minAreaRect(quad.astype(np.float32))
    edges = [quad[(i + 1) % 4] - quad[i] for i in range(4)]
    longest = max(edges, key=lambda e: float(np.hypot(*e)))
    angle = math.degrees(math.atan2(float(longest[1]), float(longest[0]))) % 180.0
    long_side, short_side = max(w, h), max(min(w, h), 1.0)
    return angle, long_side * max(0.0, long_side / short_side - 1.5)


def dominant_angle(quads: list[Quad], window: float = 10.0) -> float | None:
    """The angle (degrees, [0, 180)) that most text lines run along, or None when no box is elongated enough to
    tell. The mode, not the mean: the heaviest 2-degree bin of elongated boxes (weighted by length), refined by the
    weighted circular mean of the boxes within ``window`` of it, so large tilted background text cannot pull it."""
    measured = [box_direction(quad) for quad in quads]
    measured = [(angle, weight) for angle, weight in measured if weight > 0]
    if not measured:
        return None
    bins = np.zeros(90)
    for angle, weight in measured:
        bins[int(angle // 2) % 90] += weight
    peak = (int(np.argmax(bins)) * 2 + 1.0) % 180.0
    sx = sy = 0.0
    for angle, weight in measured:
        if _angle_gap(angle, peak) <= window:
            rad = math.radians(2 * angle)
            sx += weight * math.cos(rad)
            sy += weight * math.sin(rad)
    return (math.degrees(math.atan2(sy, sx)) / 2) % 180.0


def level_angle(quads: list[Quad]) -> float:
    """The turn, in (-90, 90], that makes the dominant lines level (0 when it cannot be told)."""
    angle = dominant_angle(quads) or 0.0
    return angle - 180.0 if angle > 90.0 else angle


def agrees(quad: Quad, degrees: float, tolerance: float = 15.0) -> bool:
    """Whether a box runs along ``degrees`` (boxes too short to have a direction agree with anything)."""
    angle, weight = box_direction(quad)
    return weight == 0 or _angle_gap(angle, degrees % 180.0) <= tolerance


def _angle_gap(a: float, b: float) -> float:
    gap = abs(a - b) % 180.0
    return min(gap, 180.0 - gap)


def rotation_matrix(degrees: float) -> np.ndarray:
    """2x2 matrix turning points by ``degrees`` (image coordinates, y down: positive turns clockwise on screen)."""
    rad = math.radians(degrees)
    return np.array([[math.cos(rad), -math.sin(rad)], [math.sin(rad), math.cos(rad)]], dtype=np.float64)


def median_height(quads: list[Quad]) -> float:
    return float(np.median([min(cv2.minAreaRect(quad.astype(np.float32))[1]) for quad in quads]))


def level_region(
    image: np.ndarray,
    quads: list[Quad],
    degrees: float,
    zoom: float,
    max_side: int,
    margin: float = 8.0,
    share: float = 0.35,
) -> tuple[np.ndarray, np.ndarray]:
    """The part of ``image`` holding ``quads``, turned so lines at ``degrees`` are level and scaled by ``zoom``
    (at most ``max_side`` pixels on the longer side), with a border of ``margin`` text heights or ``share`` of the
    region, whichever is larger; and the 2x3 affine matrix that took ``image`` there. One warp from the original
    pixels: this is how a small or tilted card is brought to the detector's comfortable scale."""
    rotation = rotation_matrix(-degrees)
    points = np.concatenate(quads).astype(np.float64) @ rotation.T
    low, high = points.min(axis=0), points.max(axis=0)
    # Lines the first look missed (a long number at the card's edge) lie near the ones it found.
    pad = np.maximum(margin * median_height(quads), share * (high - low))
    low, high = low - pad, high + pad
    size = high - low
    zoom = min(zoom, max_side / float(size.max()))
    width, height = max(32, int(round(size[0] * zoom))), max(32, int(round(size[1] * zoom)))
    matrix = np.hstack([zoom * rotation, (-zoom * low).reshape(2, 1)])
    interpolation = cv2.INTER_CUBIC if zoom > 1 else cv2.INTER_AREA if zoom < 0.7 else cv2.INTER_LINEAR
    levelled = cv2.warpAffine(image, matrix, (width, height), flags=interpolation, borderMode=cv2.BORDER_REPLICATE)
    return levelled, matrix


def map_back(quads: list[Quad], matrix: np.ndarray) -> list[Quad]:
    """Quads found in an image made by the affine ``matrix`` (as from ``level_region``), in the source's frame."""
    inverse = cv2.invertAffineTransform(matrix)
    return [(quad @ inverse[:, :2].T + inverse[:, 2]).astype(np.float32) for quad in quads]


def upright(quads: list[Quad], degrees: float) -> list[tuple[Quad, Quad]]:
    """For lines running at ``degrees`` (as from ``dominant_angle``): each quad with its corners reordered for
    reading once those lines are level, and the quad in that level frame (coordinates turned by -``degrees``).

    Only coordinates turn: crops are cut from the original pixels with the reordered corners, which is cheaper
    than rotating a 12 MP image and loses nothing to interpolation.
    """
    rotation = rotation_matrix(-degrees).astype(np.float32)
    pairs = []
    for quad in quads:
        level = quad @ rotation.T
        order = reading_order(level)
        pairs.append((quad[order], level[order]))
    return pairs


def flip(pairs: list[tuple[Quad, Quad]]) -> list[tuple[Quad, Quad]]:
    """The same page turned by 180 degrees: corners swap (TL<->BR, TR<->BL), level coordinates negate."""
    order = [2, 3, 0, 1]
    return [(original[order], -level[order]) for original, level in pairs]


def reading_order(points: np.ndarray) -> list[int]:
    """Indices of top-left, top-right, bottom-right, bottom-left for a roughly level box."""
    by_x = list(np.argsort(points[:, 0], kind="stable"))
    left, right = by_x[:2], by_x[2:]
    top_left, bottom_left = sorted(left, key=lambda i: points[i, 1])
    top_right, bottom_right = sorted(right, key=lambda i: points[i, 1])
    return [top_left, top_right, bottom_right, bottom_left]


def crop_line(image: np.ndarray, quad: Quad, min_height: int = 0) -> np.ndarray:
    """The line under ``quad`` straightened into an upright rectangle (perspective-corrected), enlarged (bicubic,
    in the same warp) when it is lower than ``min_height``: small text keeps more detail than when a crop at its
    own size is stretched later."""
    long_side = max(float(np.linalg.norm(quad[0] - quad[1])), float(np.linalg.norm(quad[3] - quad[2])))
    short_side = max(float(np.linalg.norm(quad[0] - quad[3])), float(np.linalg.norm(quad[1] - quad[2])))
    enlarge = max(1.0, min_height / max(short_side, 1.0))
    width, height = max(int(round(long_side * enlarge)), 4), max(int(round(short_side * enlarge)), 4)
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    return cv2.warpPerspective(image, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def fit_affine(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The 2x3 affine matrix that best takes the N x 2 ``source`` points to ``target`` (least squares)."""
    design = np.hstack([source.astype(np.float64), np.ones((len(source), 1))])
    solution, *_ = np.linalg.lstsq(design, target.astype(np.float64), rcond=None)
    return solution.T


def apply_affine(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    return (np.asarray(points, dtype=np.float64) @ matrix[:, :2].T + matrix[:, 2]).astype(np.float32)


def quad_part(quad: Quad, start: float, end: float) -> np.ndarray:
    """The part of a quadrilateral (clockwise from top-left) between shares ``start`` and ``end`` of its length."""
    tl, tr, br, bl = np.asarray(quad, dtype=np.float64)
    return np.array([tl + (tr - tl) * start, tl + (tr - tl) * end, bl + (br - bl) * end, bl + (br - bl) * start])
