"""One card-sized cluster of lines to the side(s) it shows: labels located, fields read and checked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..ocr.types import TextLine
from . import back, codes, front
from .layout import split_sheet
from .result import BACK_FIELDS, FRONT_FIELDS, FieldWarning, SideReading
from .side import SideResult
from .skew import level
from .text import clean, strip_stamps


def read_sides(lines: Sequence[TextLine], *, today: dt.date, region_code: str | None = None) -> list[SideReading]:
    """The sides present in one cluster of lines (none, one, or a front and a back), each with the lines it used.
    ``region_code``: the number of a front elsewhere on the page, for the back (a front in the cluster gives its
    own)."""
    cleaned = prepare(lines)
    front_anchors = _front_anchors(cleaned, today)
    back_anchors = back.anchors(cleaned)
    has_front, has_back = bool(front_anchors), len(back_anchors) >= 2
    front_lines = back_lines = cleaned
    if has_front and has_back:
        front_lines, back_lines = split_sheet(cleaned, front_anchors, back_anchors)
    sides = []
    if has_front:
        sides.append(_side("front", FRONT_FIELDS, front.read_front(front_lines, today=today), front_lines))
        region_code = sides[0].fields.get("idNumber") or region_code
    if has_back:
        read = back.read_back(back_lines, today=today, region_code=region_code)
        sides.append(_side("back", BACK_FIELDS, read, back_lines))
    return sides


def prepare(lines: Sequence[TextLine]) -> list[TextLine]:
    """Normalised text (NFKC, no spaces), copy stamps and watermarks removed, empty boxes dropped, residual skew
    levelled."""
    out = []
    for line in _without_superseded(lines):
        text = strip_stamps(clean(line.text))
        if text:
            out.append(line.with_text(text))
    return level(out)


def _without_superseded(lines: Sequence[TextLine]) -> list[TextLine]:
    """A line read again over a field's whole region (``reread``) is a second reading of the print the detector's
    boxes there gave; those boxes failed the field, and joined with the new reading they would repeat it (a number
    read twice over), so the boxes whose centre it covers give way to it."""
    again = [line for line in lines if line.reread]
    return [
        line
        for line in lines
        if line.reread
        or not any(r.left <= line.center_x <= r.right and r.top <= line.center_y <= r.bottom for r in again)
    ]


def _front_anchors(lines: Sequence[TextLine], today: dt.date) -> list[TextLine]:
    """Two front labels in a consistent layout, or one fully valid ID number, or one label and a number of the 17
    characters some copies print (the small grey labels lost to noise), make a front side."""
    layout = front.locate_labels(lines)
    numbers = front.valid_number_lines(lines, today, printed17=len(layout.labels) == 1)
    if len(layout.labels) < 2 and not numbers:
        return []
    return [hit.line for hit in layout.labels.values()] + numbers


def _side(side: str, names: Sequence[str], result: SideResult, lines: Sequence[TextLine]) -> SideReading:
    reading = SideReading(
        side=side, lines=list(lines), print_lines=list(result.print_lines), regions=dict(result.regions)
    )
    reading.warnings.extend(result.warnings)
    warned = {w.field for w in result.warnings}
    for name in names:
        value = result.fields.get(name)
        reading.fields[name] = value
        if value is None:
            if name not in warned:  # an unreadable value already has its own warning
                reading.warnings.append(
                    FieldWarning(codes.INCOMPLETE_CARD, f"the {side} side was read but not its {name}", name)
                )
            continue
        confidence = result.confidence.get(name, 0.0)
        reading.confidence[name] = confidence
        if confidence < codes.LOW_CONFIDENCE_THRESHOLD:
            reading.warnings.append(
                FieldWarning(codes.LOW_CONFIDENCE, f"{name} read with confidence {confidence:.2f}", name)
            )
    return reading
