"""Extraction: OCR text lines to card fields, with the card's own consistency rules. Needs no model.

``extract_card(lines, today=...)`` reads one card-sized cluster of lines: it finds the side(s) present (a sheet
with both sides close together may hold both), reads each by the geometry of its printed labels, decodes each
field under its own grammar from the recogniser's alternatives, cross-checks the ID number against the 出生 and
性别 lines, and reports every doubt as a warning with a stable code (see ``codes``). ``combine_cards`` turns every
card found on a page into one body: the contract's keys from one front and one back, and every side in ``cards``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..errors import NoIdCardFound
from ..ocr.types import TextLine
from .card import prepare, read_sides
from .page import CardLines, combine_cards
from .result import CardReading, FieldWarning, SideReading

__all__ = [
    "extract_card",
    "read_sides",
    "prepare",
    "combine_cards",
    "CardLines",
    "CardReading",
    "FieldWarning",
    "SideReading",
]


def extract_card(lines: Sequence[TextLine], *, today: dt.date) -> CardReading:
    """Read the card fields from recognised lines. Raises ``NoIdCardFound`` when no side is recognisable."""
    sides = read_sides(lines, today=today)
    if not sides:
        raise NoIdCardFound()
    return CardReading.of_sides(sides)
