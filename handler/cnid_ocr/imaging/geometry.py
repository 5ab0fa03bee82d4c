"""Geometry of text boxes: the page's reading angle, turning an image and its boxes upright, cropping lines."""

from __future__ import annotations

import math

import cv2
import numpy as np

Quad = np.ndarray  # (4, 2) float32: top-left, top-right, bottom-right, bottom-left in reading order


def box_angle(quad: Quad) -> tuple[float, float]:
    """The direction of a box's long side in degrees [0, 180), and how much it can be trusted (length x elongation)."""
    (cx, cy), (w, h), _ = cv2.minAreaRect(quad.astype(np.float32))
    edges = [quad[(i + 1) % 4] - quad[i] for i in range(4)]
    longest = max(edges, key=lambda e: float(np.hypot(*e)))
    angle = math.degrees(math.atan2(float(longest[1]), float(longest[0]))) % 180.0
    long_side, short_side = max(w, h), max(min(w, h), 1.0)
    return angle, long_side * max(0.0, long_side / short_side - 1.5)


def dominant_angle(quads: list[Quad]) -> float | None:
    """The angle (degrees, [0, 180)) that most text lines run along, by a weighted circular mean of the
    elongated boxes (angles doubled so 0 and 180 agree). None when no box is elongated enough to tell."""
    sx = sy = 0.0
    for quad in quads:
        angle, weight = box_angle(quad)
        rad = math.radians(2 * angle)
        sx += weight * math.cos(rad)
        sy += weight * math.sin(rad)
    if sx == 0 and sy == 0:
        return None
    return (math.degrees(math.atan2(sy, sx)) / 2) % 180.0


def upright(quads: list[Quad], degrees: float) -> list[tuple[Quad, Quad]]:
    """For lines running at ``degrees`` (as from ``dominant_angle``): each quad with its corners reordered for
    reading once those lines are level, and the quad in that level frame (coordinates turned by -``degrees``).

    Only coordinates turn: crops are cut from the original pixels with the reordered corners, which is cheaper
    than rotating a 12 MP image and loses nothing to interpolation.
    """
    rad = math.radians(-degrees)
    rotation = np.array([[math.cos(rad), -math.sin(rad)], [math.sin(rad), math.cos(rad)]], dtype=np.float32)
    pairs = []
    for quad in quads:
        level = quad @ rotation.T
        order = _reading_order(level)
        pairs.append((quad[order], level[order]))
    return pairs


def flip(pairs: list[tuple[Quad, Quad]]) -> list[tuple[Quad, Quad]]:
    """The same page turned by 180 degrees: corners swap (TL<->BR, TR<->BL), level coordinates negate."""
    order = [2, 3, 0, 1]
    return [(original[order], -level[order]) for original, level in pairs]


def _reading_order(points: np.ndarray) -> list[int]:
    """Indices of top-left, top-right, bottom-right, bottom-left for a roughly level box."""
    by_x = list(np.argsort(points[:, 0], kind="stable"))
    left, right = by_x[:2], by_x[2:]
    top_left, bottom_left = sorted(left, key=lambda i: points[i, 1])
    top_right, bottom_right = sorted(right, key=lambda i: points[i, 1])
    return [top_left, top_right, bottom_right, bottom_left]


def crop_line(image: np.ndarray, quad: Quad) -> np.ndarray:
    """The line under ``quad`` straightened into an upright rectangle (perspective-corrected)."""
    width = int(round(max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[3] - quad[2]))))
    height = int(round(max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2]))))
    width, height = max(width, 4), max(height, 4)
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    return cv2.warpPerspective(image, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
