"""The currency between OCR and extraction: recognised text lines with their boxes."""

from __future__ import annotations

from dataclasses import dataclass

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class TextLine:
    """One recognised line. ``box`` is four corner points (clockwise from top-left) in image pixels."""

    text: str
    score: float
    box: tuple[Point, Point, Point, Point]

    @classmethod
    def from_rect(cls, text: str, score: float, left: float, top: float, right: float, bottom: float) -> TextLine:
        return cls(text, score, ((left, top), (right, top), (right, bottom), (left, bottom)))

    @property
    def left(self) -> float:
        return min(p[0] for p in self.box)

    @property
    def right(self) -> float:
        return max(p[0] for p in self.box)

    @property
    def top(self) -> float:
        return min(p[1] for p in self.box)

    @property
    def bottom(self) -> float:
        return max(p[1] for p in self.box)

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def center_y(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def center_x(self) -> float:
        return (self.left + self.right) / 2
