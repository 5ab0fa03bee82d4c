"""The currency between OCR and extraction: recognised text lines with their boxes and alternatives."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .lattice import Lattice

Point = tuple[float, float]
Box = tuple[Point, Point, Point, Point]
Span = tuple[int, int]  # a character's CTC steps [start, end)


@dataclass(frozen=True, slots=True)
class Reading:
    """What the recogniser made of one crop: the greedy text (clean: NFKC, no spaces), the mean probability of its
    characters, and the lattice it came from."""

    text: str
    score: float
    lattice: Lattice
    spans: tuple[Span, ...]

    @classmethod
    def from_lattice(cls, lattice: Lattice) -> Reading:
        text, spans = lattice.best_path()
        peaks = [
            max(lattice.steps[t].get(ch, 0.0) for t in range(a, b)) for ch, (a, b) in zip(text, spans, strict=True)
        ]
        return cls(text, sum(peaks) / len(peaks) if peaks else 0.0, lattice, tuple(spans))


@dataclass(frozen=True, slots=True, eq=False)
class TextLine:
    """One recognised line. ``box`` is four corner points (clockwise from top-left) in the frame extraction works
    in (the card's level, upright frame); ``image_box`` the same corners in the decoded image, when known.

    ``lattice`` and ``spans`` (one per character of ``text``) are the recogniser's alternatives; lines made from
    text alone (tests) have none and read as certain.
    """

    text: str
    score: float
    box: Box
    lattice: Lattice | None = None
    spans: tuple[Span, ...] | None = None
    image_box: Box | None = None
    # Read where the layout says a field is printed, without a detector box (its edges are a guess).
    reread: bool = False

    @classmethod
    def from_rect(cls, text: str, score: float, left: float, top: float, right: float, bottom: float) -> TextLine:
        return cls(text, score, ((left, top), (right, top), (right, bottom), (left, bottom)))

    @classmethod
    def from_reading(cls, reading: Reading, box, image_box=None) -> TextLine:  # noqa: ANN001 - quads or tuples
        return cls(
            reading.text,
            reading.score,
            as_box(box),
            reading.lattice,
            reading.spans,
            as_box(image_box) if image_box is not None else None,
        )

    # -- alternatives ---------------------------------------------------------------------------------------------

    def alternatives(self) -> tuple[Lattice, tuple[Span, ...]]:
        """The lattice and character spans, a certain one made from the text when the line has none."""
        if self.lattice is not None and self.spans is not None and len(self.spans) == len(self.text):
            return self.lattice, self.spans
        lattice = Lattice.certain(self.text)
        return lattice, tuple((3 * i, 3 * i + 2) for i in range(len(self.text)))

    def window(self, start: int, end: int) -> Lattice:
        """The steps that produced ``text[start:end]``, with the blank steps up to the neighbouring characters (a
        grammar may find a character there that the greedy reading dropped)."""
        lattice, spans = self.alternatives()
        if start >= end:
            return Lattice(())
        first = spans[start - 1][1] if start > 0 else 0
        last = spans[end][0] if end < len(spans) else len(lattice)
        return lattice.window(first, last)

    def weakest(self, start: int, end: int) -> float:
        """The lowest probability the recogniser gave any character of ``text[start:end]`` (the line's mean score
        when it has no alternatives): a value is only as right as its least certain character."""
        if self.lattice is None or self.spans is None or len(self.spans) != len(self.text) or start >= end:
            return self.score
        return min(
            max(self.lattice.steps[t].get(ch, 0.0) for t in range(a, b))
            for ch, (a, b) in zip(self.text[start:end], self.spans[start:end], strict=True)
        )

    def char_left(self, index: int) -> float:
        """Where character ``index`` of the text starts along the box (its frame's x): from the recogniser's steps
        when the line has them, else in proportion to the characters."""
        width = self.right - self.left
        traced = self.lattice is not None and self.spans is not None and len(self.spans) == len(self.text)
        if traced and self.lattice and self.spans is not None:
            step = self.spans[index][0] if index < len(self.spans) else len(self.lattice)
            return self.left + width * step / len(self.lattice)
        return self.left + width * index / max(len(self.text), 1)

    def characters_extent(self) -> tuple[float, float] | None:
        """Where the recognised characters begin and end along the box, as shares of its length (None without
        character positions)."""
        if not self.text or not self.lattice or self.spans is None or len(self.spans) != len(self.text):
            return None
        return self.spans[0][0] / len(self.lattice), self.spans[-1][1] / len(self.lattice)

    def with_text(self, text: str) -> TextLine:
        """The same line with other text (alternatives dropped unless ``text`` is a subsequence of the reading
        whose characters can be matched one by one)."""
        if text == self.text:
            return self
        spans = None
        if self.spans is not None and len(self.spans) == len(self.text):
            spans = _subsequence_spans(self.text, self.spans, text)
        return dataclasses.replace(self, text=text, spans=spans, lattice=self.lattice if spans is not None else None)

    # -- geometry -------------------------------------------------------------------------------------------------

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


def joined(first: TextLine, second: TextLine, box: Box) -> TextLine:
    """Two boxes of one printed line as one (a label printed with wide spacing and read as two boxes)."""
    a_lattice, a_spans = first.alternatives()
    b_lattice, b_spans = second.alternatives()
    offset = len(a_lattice) + 1
    lattice = Lattice((*a_lattice.steps, {"": 1.0}, *b_lattice.steps))
    spans = (*a_spans, *((start + offset, end + offset) for start, end in b_spans))
    image_box = None
    if first.image_box is not None and second.image_box is not None:
        image_box = (first.image_box[0], second.image_box[1], second.image_box[2], first.image_box[3])
    return TextLine(first.text + second.text, min(first.score, second.score), box, lattice, spans, image_box)


def as_box(points) -> Box:  # noqa: ANN001 - a 4x2 array or nested tuples
    return tuple((float(x), float(y)) for x, y in (points.tolist() if hasattr(points, "tolist") else points))  # type: ignore[return-value]


def _subsequence_spans(text: str, spans: tuple[Span, ...], kept: str) -> tuple[Span, ...] | None:
    """Spans of ``kept`` when it is ``text`` with characters deleted (matched left to right), else None."""
    out: list[Span] = []
    i = 0
    for ch in kept:
        while i < len(text) and text[i] != ch:
            i += 1
        if i == len(text):
            return None
        out.append(spans[i])
        i += 1
    return tuple(out)
