"""Which text boxes the card's outline is measured from (pipeline._printed_part): a region read again without a
detector box counts only as far as its characters reach."""

from __future__ import annotations

from cnid_ocr.imaging.frame import expected_outline
from cnid_ocr.ocr.lattice import Lattice
from cnid_ocr.ocr.types import TextLine
from cnid_ocr.pipeline import _card_text, _extent, _printed_part


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
    assert _card_text([*rows, receipt], [], "front") == rows
    assert _card_text(rows, [], "front") == rows


def _placed(text: str, left: float, top: float, right: float, bottom: float) -> TextLine:
    line = TextLine.from_rect(text, 0.99, left, top, right, bottom)
    return TextLine(line.text, line.score, line.box, image_box=line.box)


def test_the_cards_own_print_is_what_its_fields_were_read_from_and_what_lies_on_that_card():
    read_from = [_placed("姓名张三", 0, 40 * i, 300, 40 * i + 20) for i in (0, 1, 3, 4, 5)]
    unread = _placed("民族汉", 0, 80, 120, 100)  # a row no field was read from, between them
    left, top, right, bottom = expected_outline(_extent([*read_from, unread]), "front")
    note = _placed("会议", right + 5, 100, right + 35, 120)  # a note just beside the card, within reach
    assert _card_text([*read_from, unread, note], [], "front") == [*read_from, unread, note]
    assert _card_text([*read_from, unread, note], read_from, "front") == [*read_from, unread]
    # Fewer than two lines read from: the lines near the middle, as before.
    assert _card_text([*read_from, unread, note], read_from[:1], "front") == [*read_from, unread, note]
