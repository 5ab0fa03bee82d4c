"""Extraction: OCR text lines to card fields, with the card's own consistency rules. Needs no model.

``extract_card(lines, today=...)`` finds the side(s) present (a photocopy may hold both), reads each by the
geometry of its printed labels, cross-checks the ID number against the 出生 and 性别 lines, and reports every
doubt as a warning with a stable code (see ``codes``). Warnings never change a printed value; the only changes are
evidence-backed repairs of a single misread (ID number, ethnic group, unreadable 性别), each with its own warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..errors import NoIdCardFound
from ..ocr.types import TextLine
from . import back, codes, front
from .labels import with_text
from .layout import split_sheet
from .result import BACK_FIELDS, FRONT_FIELDS, CardReading, FieldWarning
from .side import SideResult
from .skew import level
from .text import clean, strip_stamps

__all__ = ["extract_card", "CardReading", "FieldWarning"]


def extract_card(lines: Sequence[TextLine], *, today: dt.date) -> CardReading:
    """Read the card fields from recognised lines. Raises ``NoIdCardFound`` when no side is recognisable."""
    cleaned = _prepare(lines)
    front_anchors = _front_anchors(cleaned, today)
    back_anchors = back.anchors(cleaned)
    has_front, has_back = bool(front_anchors), len(back_anchors) >= 2
    if not (has_front or has_back):
        raise NoIdCardFound()

    front_lines = back_lines = cleaned
    if has_front and has_back:
        front_lines, back_lines = split_sheet(cleaned, front_anchors, back_anchors)

    reading = CardReading(fields={name: None for name in FRONT_FIELDS + BACK_FIELDS})
    if has_front:
        _merge(reading, "front", FRONT_FIELDS, front.read_front(front_lines, today=today))
    if has_back:
        _merge(reading, "back", BACK_FIELDS, back.read_back(back_lines, today=today))
    return reading


def _prepare(lines: Sequence[TextLine]) -> list[TextLine]:
    """Normalised text (NFKC, no spaces), copy stamps removed, empty boxes dropped, residual skew levelled."""
    out = []
    for line in lines:
        text = strip_stamps(clean(line.text))
        if text:
            out.append(with_text(line, text))
    return level(out)


def _front_anchors(lines: Sequence[TextLine], today: dt.date) -> list[TextLine]:
    """Two front labels in a consistent layout, or one fully valid ID number, make a front side."""
    layout = front.locate_labels(lines)
    numbers = front.valid_number_lines(lines, today)
    if len(layout.labels) < 2 and not numbers:
        return []
    return [hit.line for hit in layout.labels.values()] + numbers


def _merge(reading: CardReading, side: str, names: Sequence[str], result: SideResult) -> None:
    reading.sides.append(side)
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
