"""What reading one side of the card yields, before the two sides are combined into a ``CardReading``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..ocr.types import TextLine
from .result import FieldWarning

# Confidence multiplier for a value that differs from the OCR read (an evidence-backed repair): it is right with
# high probability, but not with the recogniser's own certainty.
REPAIR_PENALTY = 0.95


@dataclass(frozen=True, slots=True)
class Read:
    """Text gathered from one or more boxes, with the weakest box's score (a field is as good as its worst part)."""

    text: str
    score: float
    lines: tuple[TextLine, ...]

    @classmethod
    def join(cls, parts: Iterable[tuple[str, TextLine]]) -> Read | None:
        items = [(text, line) for text, line in parts if text]
        if not items:
            return None
        lines = tuple(dict.fromkeys(line for _, line in items))  # identity-ordered, no duplicates
        return cls("".join(text for text, _ in items), min(line.score for line in lines), lines)


@dataclass(slots=True)
class SideResult:
    fields: dict[str, str | None] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    warnings: list[FieldWarning] = field(default_factory=list)

    def set(self, name: str, value: str | None, confidence: float | None) -> None:
        self.fields[name] = value
        if value is not None and confidence is not None:
            self.confidence[name] = confidence

    def warn(self, code: str, message: str, field_name: str | None = None) -> None:
        self.warnings.append(FieldWarning(code, message, field_name))
