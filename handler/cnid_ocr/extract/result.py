"""What extraction produces, and its JSON shape (the API body of a 200)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..ocr.types import TextLine

# The seed contract's six keys, always present in a 200 body (null when that side was not in the image).
FRONT_FIELDS = ("name", "gender", "ethnicity", "dateOfBirth", "address", "idNumber")
# Emblem side. validTo is a date or the documented value LONG_TERM.
BACK_FIELDS = ("issuingAuthority", "validFrom", "validTo")
ALL_FIELDS = FRONT_FIELDS + BACK_FIELDS

LONG_TERM = "长期"


@dataclass(frozen=True, slots=True)
class FieldWarning:
    code: str
    message: str
    field: str | None = None

    def to_json(self) -> dict:
        return {"code": self.code, "field": self.field, "message": self.message}


@dataclass(slots=True)
class SideInspection:
    """The card seen in the image: its outline (image pixels, clockwise from its top-left), a quality score, the
    warnings about the card itself (no field), and the crops asked for (base64 JPEG by name)."""

    corners: list[tuple[float, float]] | None = None
    quality: float | None = None
    warnings: list[FieldWarning] = field(default_factory=list)
    images: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class SideReading:
    """One side of one card: its fields (the side's own keys), confidence, warnings and the lines it was read from."""

    side: str  # "front" or "back"
    fields: dict[str, str | None] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    warnings: list[FieldWarning] = field(default_factory=list)
    lines: list[TextLine] = field(default_factory=list)
    print_lines: list[TextLine] = field(default_factory=list)  # the card's own print among them (SideResult)
    # Fields not read, where the card prints them (the lines' frame): the pipeline may read there again.
    regions: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    # What the pixels say about the card (SideInspection, filled by the pipeline): outline, quality, crops.
    inspection: SideInspection | None = None

    @property
    def found(self) -> int:
        return sum(value is not None for value in self.fields.values())


@dataclass(slots=True)
class CardReading:
    sides: list[str] = field(default_factory=list)  # "front" and/or "back", in that order
    fields: dict[str, str | None] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)  # 0..1 per field that was read
    warnings: list[FieldWarning] = field(default_factory=list)
    cards: list[dict] | None = None  # every side found on the page (the body's "cards")
    images: dict[str, str] = field(default_factory=dict)  # the crops of the top-level sides, when asked

    @classmethod
    def of_sides(cls, sides: Sequence[SideReading]) -> CardReading:
        """The contract's keys from (at most) one front and one back."""
        reading = cls(fields={name: None for name in ALL_FIELDS})
        for side in sorted(sides, key=lambda s: s.side != "front"):
            reading.sides.append(side.side)
            reading.fields.update(side.fields)
            reading.confidence.update(side.confidence)
            reading.warnings.extend(side.warnings)
        return reading

    def to_body(self) -> dict:
        body: dict = {name: self.fields.get(name) for name in ALL_FIELDS}
        body["sides"] = list(self.sides)
        body["confidence"] = {k: round(v, 4) for k, v in self.confidence.items()}
        body["warnings"] = [w.to_json() for w in self.warnings]
        if self.cards is not None:
            body["cards"] = self.cards
        if self.images:
            body["images"] = self.images
        return body
