"""Measures of a reading against a sample's truth that need geometry (the benchmark and the tests share them)."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np


def outline_iou(corners: Sequence[Sequence[float]], truth: Sequence[Sequence[float]]) -> float:
    """Intersection over union of two convex quadrilaterals (image pixels): a card's outline as read
    (``cards[].corners``) against its true corners (``truth["corners"]``)."""
    a, b = np.array(corners, np.float32), np.array(truth, np.float32)
    inter, _ = cv2.intersectConvexConvex(a, b)
    union = cv2.contourArea(a) + cv2.contourArea(b) - inter
    return float(inter / union) if union > 0 else 0.0
