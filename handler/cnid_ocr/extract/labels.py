"""Finding the printed labels (姓名, 签发机关 ...) in OCR lines, tolerating slight misreads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..ocr.types import TextLine, joined
from .ethnic import ETHNIC_GROUPS
from .layout import same_row
from .text import edit_distance, is_han


@dataclass(frozen=True, slots=True)
class LabelHit:
    label: str
    line: TextLine
    end: int  # the value merged into the same box starts at line.text[end:]
    exact: bool

    @property
    def remainder(self) -> str:
        return self.line.text[self.end :].lstrip(":;,.")


# Labels whose values form a closed set: read as the label's first character and a value of the set, the label
# lost its second character ("性男...", "民珞巴") rather than had it misread.
_VALUE_STARTS = {"性别": "男女"}  # the value begins with one of these (the row goes on with 民族)
_WHOLE_VALUES = {"民族": frozenset(ETHNIC_GROUPS)}  # the rest of the box is one of these


def _lost_second(text: str, label: str) -> bool:
    if text[1] in _VALUE_STARTS.get(label, ""):
        return True
    values = _WHOLE_VALUES.get(label, frozenset())
    return text[1:] in values and text[2:] not in values


# A label this long, read as its first MIN_CUT or more characters alone, is that label.
CUT_LABEL_MIN = 6
MIN_CUT = 2


def match_label(text: str, label: str) -> tuple[int, bool] | None:
    """Where ``label`` ends if ``text`` starts with it or a one-glyph misread of it: (end, exact).

    Two-character labels allow one substituted character (娃名, 住扯), or their second one lost before a value of a
    closed set (性男); longer ones an edit distance of 1 (2 from six characters up: 公民身份号玛), preferring a
    same-length window since substitution is the commonest misread, and the longest ones their first two or more
    characters alone (a box cut short).
    Only windows of Han characters count, so a label merged with digits ends where the digits begin.
    """
    size = len(label)
    if text.startswith(label):
        return size, True
    if size == 2:
        if len(text) >= 2 and text[0] == label[0] and text[1] != label[1] and _lost_second(text, label):
            return 1, False  # the label's second character lost: "性男" is 性(别) + 男, not a misread 别
        if len(text) >= 2 and is_han(text[0]) and is_han(text[1]) and (text[0] == label[0]) != (text[1] == label[1]):
            return 2, False
        return None
    budget = 2 if size >= 6 else 1
    if size >= CUT_LABEL_MIN and MIN_CUT <= len(text) < size and label.startswith(text):
        return len(text), False  # the box cut short (a stamp across the rest): 公民身 for 公民身份号码
    best: tuple[int, int] | None = None
    for end in (size, size - 1, size + 1, size - 2, size + 2):
        if end < 3 or end > len(text) or not all(is_han(ch) for ch in text[:end]):
            continue
        distance = edit_distance(text[:end], label)
        if distance <= budget and (best is None or distance < best[0]):
            best = (distance, end)
    return (best[1], False) if best else None


def find_candidates(lines: Sequence[TextLine], labels: Sequence[str]) -> dict[str, list[LabelHit]]:
    hits: dict[str, list[LabelHit]] = {label: [] for label in labels}
    for line in lines:
        for label in labels:
            found = match_label(line.text, label)
            if found:
                hits[label].append(LabelHit(label, line, found[0], found[1]))
    return hits


def merge_spaced_labels(lines: Sequence[TextLine], labels: Sequence[str], h: float) -> list[TextLine]:
    """Join '姓' + '名张三' into one line: labels are printed with wide letter spacing and may come as two boxes."""
    firsts = {label[0]: label for label in labels if len(label) == 2}
    out = list(lines)
    for line in lines:
        label = firsts.get(line.text)
        if label is None or not any(other is line for other in out):
            continue
        partners = [
            other
            for other in out
            if other is not line
            and other.text.startswith(label[1])
            and same_row(line, other)
            and -0.5 * h <= other.left - line.right <= 3 * h  # glyph boxes may overlap a little
        ]
        if not partners:
            continue
        partner = min(partners, key=lambda other: other.left)
        merged = joined(
            line,
            partner,
            (
                (line.left, min(line.top, partner.top)),
                (partner.right, min(line.top, partner.top)),
                (partner.right, max(line.bottom, partner.bottom)),
                (line.left, max(line.bottom, partner.bottom)),
            ),
        )
        out = [other for other in out if other is not line and other is not partner] + [merged]
    return out
