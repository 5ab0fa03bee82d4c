"""Residual skew: lines handed over "level" may still run at a few degrees (perspective, a levelling angle pulled
off by background text). Every box carries its own direction, so the card's rows can be made level again.

The card's text is printed along one direction, so the angle most boxes agree on (the mode, not the mean: big
tilted background text must not pull it) is the card's. All boxes are turned about the origin by minus that
angle; only relative geometry matters downstream.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from collections.abc import Sequence

from ..ocr.types import TextLine

# Boxes at least this elongated (width / height) tell their direction; single glyphs do not.
MIN_ELONGATION = 2.0
# Boxes within this many degrees of each other run along the same direction.
AGREEMENT_DEG = 3.0
# Below this residual turning the boxes would change nothing measurable.
MIN_TURN_DEG = 0.5
# Beyond this the lines were not levelled at all: not a residual to correct here.
MAX_TURN_DEG = 30.0


def line_tilt(line: TextLine) -> float:
    """Direction (degrees, y down) of the box's long edges: the mean of its top and bottom edges."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = line.box
    top = math.atan2(y1 - y0, x1 - x0)
    bottom = math.atan2(y2 - y3, x2 - x3)
    return math.degrees((top + bottom) / 2)


def _extent(line: TextLine) -> tuple[float, float]:
    """(length, thickness) of the box along and across its own direction."""
    (x0, y0), (x1, y1), _, (x3, y3) = line.box
    return math.hypot(x1 - x0, y1 - y0), math.hypot(x3 - x0, y3 - y0)


def residual_angle(lines: Sequence[TextLine]) -> float:
    """The direction most elongated boxes share (0 when too few boxes tell, or they disagree entirely)."""
    angles = []
    for line in lines:
        length, thickness = _extent(line)
        if thickness > 0 and length >= MIN_ELONGATION * thickness:
            angle = line_tilt(line)
            if abs(angle) <= MAX_TURN_DEG:
                angles.append(angle)
    if len(angles) < 2:
        return 0.0
    support = [[b for b in angles if abs(b - a) <= AGREEMENT_DEG] for a in angles]
    best = max(support, key=len)
    if len(best) < 2:
        return 0.0
    return statistics.median(best)


def level(lines: Sequence[TextLine]) -> list[TextLine]:
    """The lines turned so that the card's rows run level (unchanged when they already do)."""
    angle = residual_angle(lines)
    if abs(angle) < MIN_TURN_DEG:
        return list(lines)
    rad = math.radians(-angle)
    cos, sin = math.cos(rad), math.sin(rad)

    def turn(point: tuple[float, float]) -> tuple[float, float]:
        x, y = point
        return (x * cos - y * sin, x * sin + y * cos)

    return [
        dataclasses.replace(line, box=(turn(a), turn(b), turn(c), turn(d)))
        for line in lines
        for a, b, c, d in (line.box,)
    ]


# Card text (after ``level``) runs within a few degrees of level; beyond this an elongated box is background text.
MAX_CARD_TILT_DEG = 12.0
# Card values are at most about twice the labels' height (the number is printed larger); a box far taller is a
# stamp remnant, a merged blob or background text, never a value.
MAX_HEIGHT_RATIO = 2.5


def is_card_text(line: TextLine, h: float) -> bool:
    """Could this box be printed on the card whose labels are ``h`` high? (False for tilted or giant boxes.)"""
    length, thickness = _extent(line)
    if thickness > MAX_HEIGHT_RATIO * h:
        return False
    return length < MIN_ELONGATION * thickness or abs(line_tilt(line)) <= MAX_CARD_TILT_DEG
