"""Which text boxes the card's outline is measured from (pipeline._printed_part): a region read again without a
detector box counts only as far as its characters reach."""

from __future__ import annotations

from cnid_ocr.ocr.lattice import Lattice
from cnid_ocr.ocr.types import TextLine
from cnid_ocr.pipeline import _card_text, _printed_part


def _reread(text: str, blanks_before: int, blanks_after: int) -> TextLine:
    steps = [{"": 1.0}] * blanks_before + [{ch: 0.9} for ch in text] + [{"": 1.0}] * blanks_after
    spans = tuple((blanks_before + i, blanks_before + i + 1) for i in range(len(text)))
    box = ((100.0, 50.0), (500.0, 50.0), (500.0, 70.0), (100.0, 70.0))
    image_box = ((200.0, 100.0), (1000.0, 100.0), (1000.0, 140.0), (200.0, 140.0))
    return TextLine(text, 0.9, box, Lattice(tuple(steps)), spans, image_box, reread=True)


def test_a_reread_region_counts_as_far_as_its_characters():
    # 10 steps: 2 blank, 4 characters, 4 blank: the characters fill 20%..60% of the guessed region.
    part = _printed_part(_reread("1234", 2, 4))
    assert part is not None
    assert [round(x) for x, _ in part.box] == [180, 340, 340, 180]
    assert [round(x) for x, _ in part.image_box] == [360, 680, 680, 360]
    assert [round(y) for _, y in part.image_box] == [100, 100, 140, 140]


def test_a_detected_line_counts_whole_and_an_empty_reread_not_at_all():
    detected = TextLine.from_rect("姓名", 0.99, 10, 10, 60, 30)
    assert _printed_part(detected) is detected
    assert _printed_part(_reread("", 5, 5)) is None


def test_text_beside_the_card_is_not_the_cards_own():
    # Six rows of card text 20 high, and a receipt line far to the right of them.
    rows = [TextLine.from_rect("姓名张三", 0.99, 0, 40 * i, 300, 40 * i + 20) for i in range(6)]
    receipt = TextLine.from_rect("收据合计", 0.99, 900, 60, 1000, 80)
    assert _card_text([*rows, receipt]) == rows
    assert _card_text(rows) == rows
