"""What reading one side of the card yields, before the sides are combined; and ``Read``, a field's text gathered
from one or more boxes with where each piece came from (for decoding it again under the field's grammar)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..ocr.lattice import Lattice
from ..ocr.types import TextLine
from .result import FieldWarning

# Confidence multiplier for a value that differs from the OCR read (an evidence-backed repair): it is right with
# high probability, but not with the recogniser's own certainty.
REPAIR_PENALTY = 0.95


@dataclass(frozen=True, slots=True)
class Piece:
    """``line.text[start:end]``: one box's part of a field."""

    line: TextLine
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.line.text[self.start : self.end]

    def window(self) -> Lattice:
        return self.line.window(self.start, self.end)


@dataclass(frozen=True, slots=True)
class Read:
    """Text gathered from one or more boxes, with the weakest box's score (a field is as good as its worst part)."""

    text: str
    score: float
    lines: tuple[TextLine, ...]
    pieces: tuple[Piece, ...] = ()

    @classmethod
    def join(cls, parts: Iterable[tuple[str, TextLine]]) -> Read | None:
        """From (text, line) parts where each text is the line's text, or a suffix or part of it."""
        items = [(text, line) for text, line in parts if text]
        if not items:
            return None
        lines = tuple(dict.fromkeys(line for _, line in items))  # identity-ordered, no duplicates
        pieces = tuple(_locate(text, line) for text, line in items)
        return cls("".join(text for text, _ in items), _weakest(pieces), lines, pieces)

    def slice(self, start: int, end: int | None = None) -> Read | None:
        """The read's ``text[start:end]``, with the pieces it covers (None when empty)."""
        end = len(self.text) if end is None else end
        text = self.text[start:end]
        if not text:
            return None
        if sum(len(piece.text) for piece in self.pieces) != len(self.text):
            return Read(text, self.score, self.lines)
        pieces, offset = [], 0
        for piece in self.pieces:
            low, high = max(start, offset), min(end, offset + len(piece.text))
            if low < high:
                pieces.append(Piece(piece.line, piece.start + low - offset, piece.start + high - offset))
            offset += len(piece.text)
        lines = tuple(dict.fromkeys(piece.line for piece in pieces))
        return Read(text, _weakest(pieces), lines, tuple(pieces))

    def with_score(self, score: float, lines: tuple[TextLine, ...] | None = None) -> Read:
        return Read(self.text, score, self.lines if lines is None else lines, self.pieces)

    @property
    def exact(self) -> bool:
        """Whether every character is mapped to the box (and the recogniser's steps) it came from."""
        return bool(self.pieces) and sum(len(piece.text) for piece in self.pieces) == len(self.text)


def _weakest(pieces: Iterable[Piece]) -> float:
    return min(piece.line.weakest(piece.start, piece.end) for piece in pieces)


def _locate(text: str, line: TextLine) -> Piece:
    if line.text.endswith(text):
        start = len(line.text) - len(text)
    else:
        found = line.text.find(text)
        start = found if found >= 0 else 0
    return Piece(line, start, start + len(text))


@dataclass(slots=True)
class SideResult:
    fields: dict[str, str | None] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    warnings: list[FieldWarning] = field(default_factory=list)
    # Fields not read, with the rectangle (lines' frame) where the layout says they are printed: read again there.
    regions: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    # The lines the side's labels and values were read from: the card's own print. Text beside the card (a receipt,
    # a note) is not among them; the pipeline finds the card's outline around these.
    print_lines: list[TextLine] = field(default_factory=list)

    def set(self, name: str, value: str | None, confidence: float | None) -> None:
        self.fields[name] = value
        if value is not None and confidence is not None:
            self.confidence[name] = confidence

    def warn(self, code: str, message: str, field_name: str | None = None) -> None:
        self.warnings.append(FieldWarning(code, message, field_name))

    def read_from(self, labels: Iterable[TextLine], reads: Iterable[Read | None]) -> None:
        """Record the card's own print: the label lines and the lines of the reads its values came from."""
        lines = list(labels) + [line for read in reads if read is not None for line in read.lines]
        self.print_lines = list({id(line): line for line in lines}.values())
