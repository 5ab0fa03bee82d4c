"""Every card found on a page into one body: the contract's keys from one front and one back, every side in
``cards`` with its corners in the image, fields, confidence and warnings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import NoIdCardFound
from ..imaging.geometry import apply_affine, fit_affine
from ..ocr.types import TextLine
from . import codes
from .card import read_sides
from .layout import text_height
from .places import gazetteer
from .result import CardReading, FieldWarning, SideInspection, SideReading

# The card's outline around its text, in text heights (a first estimate: the text block plus a border).
OUTLINE_MARGIN = 1.0


@dataclass(slots=True)
class CardLines:
    """One card's recognised lines in its level, upright frame (``box``), with their image boxes."""

    lines: list[TextLine]
    angle: float = 0.0


Inspector = Callable[[SideReading], SideInspection]


def combine_cards(
    cards: Sequence[CardLines], *, today: dt.date, image_scale: float = 1.0, inspect: Inspector | None = None
) -> CardReading:
    """Raises ``NoIdCardFound`` when no card shows a recognisable side. ``image_scale`` takes the lines' image
    boxes (decoded pixels) to the original image's pixels; ``inspect`` looks at each side's card in the image
    (outline, quality, crops: the pipeline's, which has the pixels)."""
    per_card = [read_sides(card.lines, today=today) for card in cards]
    region_code = _page_number([side for found in per_card for side in found])
    if region_code is not None:  # a back on its own (turned the other way): read again with the front's county
        per_card = [
            read_sides(card.lines, today=today, region_code=region_code)
            if any(side.side == "back" for side in found) and not any(side.side == "front" for side in found)
            else found
            for card, found in zip(cards, per_card, strict=True)
        ]
    sides = [side for found in per_card for side in found]
    if not sides:
        raise NoIdCardFound()
    for side in sides:
        if inspect is not None:
            side.inspection = inspect(side)
            side.warnings.extend(side.inspection.warnings)
    fronts = sorted((s for s in sides if s.side == "front"), key=_completeness, reverse=True)
    backs = sorted((s for s in sides if s.side == "back"), key=_completeness, reverse=True)
    primary = fronts[:1] + backs[:1]
    reading = CardReading.of_sides(primary)
    for kind, found in (("fronts", fronts), ("backs", backs)):
        if len(found) > 1:
            reading.warnings.append(
                FieldWarning(
                    codes.MULTIPLE_CARDS,
                    f"{len(found)} {kind} in the image: the top-level fields are from the first in cards",
                )
            )
    ordered = primary + [s for s in sides if all(s is not p for p in primary)]
    reading.cards = [_card_json(side, image_scale) for side in ordered]
    for side in primary:
        if side.inspection is not None:
            reading.images.update(side.inspection.images)
    return reading


def _page_number(sides: Sequence[SideReading]) -> str | None:
    """The ID number of the page's only front, when it names a county: a page with one front and a back shows one
    person's card, as a rule (evidence for the back's place names, never forced)."""
    fronts = [side for side in sides if side.side == "front"]
    number = fronts[0].fields.get("idNumber") if len(fronts) == 1 else None
    if not number or not any(side.side == "back" for side in sides):
        return None
    return number if gazetteer().region_names(number[:6]) else None


def _completeness(side: SideReading) -> tuple[int, float]:
    confidence = sum(side.confidence.values()) / len(side.confidence) if side.confidence else 0.0
    return side.found, confidence


def _card_json(side: SideReading, image_scale: float) -> dict:
    seen = side.inspection
    corners = seen.corners if seen is not None and seen.corners is not None else outline(side.lines)
    card: dict = {
        "side": side.side,
        "corners": None
        if corners is None
        else [[round(x * image_scale, 1), round(y * image_scale, 1)] for x, y in corners],
        "fields": dict(side.fields),
        "confidence": {k: round(v, 4) for k, v in side.confidence.items()},
        "warnings": [w.to_json() for w in side.warnings],
    }
    if seen is not None and seen.quality is not None:
        card["quality"] = seen.quality
    if seen is not None and seen.images:
        card["images"] = dict(seen.images)
    return card


def outline(lines: Sequence[TextLine], margin: float = OUTLINE_MARGIN) -> list[tuple[float, float]] | None:
    """The four corners (clockwise from the card's top-left, image pixels) of the side's text block grown by
    ``margin`` text heights: the level frame's rectangle taken to the image by the affine map that best fits the
    lines' two sets of corners. None when the lines carry no image boxes."""
    placed = [line for line in lines if line.image_box is not None]
    if not placed:
        return None
    level = np.array([p for line in placed for p in line.box], dtype=np.float64)
    image = np.array([p for line in placed for p in line.image_box], dtype=np.float64)  # type: ignore[union-attr]
    h = text_height(placed)
    left, top = level.min(axis=0) - margin * h
    right, bottom = level.max(axis=0) + margin * h
    rectangle = np.array([[left, top], [right, top], [right, bottom], [left, bottom]])
    return [(float(x), float(y)) for x, y in apply_affine(fit_affine(level, image), rectangle)]
