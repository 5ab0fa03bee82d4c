"""Geometry on OCR boxes: rows, chains of boxes to the right of a label, line height, splitting sheets.

All thresholds are multiples of the text height ``h`` so they hold at any image scale and offset.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence

from ..ocr.types import TextLine


def text_height(lines: Iterable[TextLine], default: float = 1.0) -> float:
    heights = [line.height for line in lines if line.height > 0]
    return statistics.median(heights) if heights else default


# Centres of boxes on one printed row are at most this share of the smaller box height apart. Detector boxes are
# padded, so boxes of consecutive address lines can overlap by 40% of their height: overlap alone cannot tell.
ROW_CENTER_TOLERANCE = 0.4


def same_row(a: TextLine, b: TextLine) -> bool:
    smaller = min(a.height, b.height)
    return smaller > 0 and abs(a.center_y - b.center_y) <= ROW_CENTER_TOLERANCE * smaller


def chain_right(
    anchor: TextLine,
    lines: Sequence[TextLine],
    h: float,
    *,
    max_gap: float = 4.0,
    stop_x: float | None = None,
) -> list[TextLine]:
    """Boxes on the anchor's row to its right, left to right, while each starts within ``max_gap``·h of the last.

    The gap rule keeps text printed on the portrait or background text beyond the card out of a field.
    """
    row = sorted(
        (line for line in lines if line is not anchor and same_row(anchor, line) and line.center_x > anchor.right),
        key=lambda line: line.left,
    )
    chained: list[TextLine] = []
    edge = anchor.right
    for line in row:
        if stop_x is not None and line.center_x >= stop_x:
            break
        if line.left - edge > max_gap * h:
            break
        chained.append(line)
        edge = max(edge, line.right)
    return chained


def bounding(lines: Iterable[TextLine]) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of the union of boxes."""
    items = list(lines)
    return (
        min(line.left for line in items),
        min(line.top for line in items),
        max(line.right for line in items),
        max(line.bottom for line in items),
    )


def split_sheet(
    lines: Sequence[TextLine], front_anchors: Sequence[TextLine], back_anchors: Sequence[TextLine]
) -> tuple[list[TextLine], list[TextLine]]:
    """Assign every line to the front or the back card of a sheet holding both (e.g. a photocopy).

    When the two groups of anchors are apart along an axis, cut halfway through the gap (the widest gap wins);
    otherwise each line goes to the nearer group's bounding box.
    """
    fl, ft, fr, fb = bounding(front_anchors)
    bl, bt, br, bb = bounding(back_anchors)
    gaps = [
        (bt - fb, "y", (fb + bt) / 2, True),  # front above back
        (ft - bb, "y", (bb + ft) / 2, False),  # back above front
        (bl - fr, "x", (fr + bl) / 2, True),  # front left of back
        (fl - br, "x", (br + fl) / 2, False),  # back left of front
    ]
    gap, axis, cut, front_first = max(gaps, key=lambda g: g[0])
    front: list[TextLine] = []
    back: list[TextLine] = []
    for line in lines:
        if gap > 0:
            pos = line.center_y if axis == "y" else line.center_x
            is_front = (pos < cut) == front_first
        else:
            is_front = _box_distance(line, (fl, ft, fr, fb)) <= _box_distance(line, (bl, bt, br, bb))
        (front if is_front else back).append(line)
    return front, back


def _box_distance(line: TextLine, box: tuple[float, float, float, float]) -> float:
    left, top, right, bottom = box
    dx = max(left - line.center_x, 0.0, line.center_x - right)
    dy = max(top - line.center_y, 0.0, line.center_y - bottom)
    return (dx * dx + dy * dy) ** 0.5
