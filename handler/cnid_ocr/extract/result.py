"""What extraction produces, and its JSON shape (the API body of a 200)."""

from __future__ import annotations

from dataclasses import dataclass, field

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
class CardReading:
    sides: list[str] = field(default_factory=list)  # "front" and/or "back", in that order
    fields: dict[str, str | None] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)  # 0..1 per field that was read
    warnings: list[FieldWarning] = field(default_factory=list)

    def to_body(self) -> dict:
        body: dict = {name: self.fields.get(name) for name in ALL_FIELDS}
        body["sides"] = list(self.sides)
        body["confidence"] = {k: round(v, 4) for k, v in self.confidence.items()}
        body["warnings"] = [w.to_json() for w in self.warnings]
        return body
