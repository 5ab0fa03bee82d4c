"""Residual skew (extract/skew.py): rows read level when the card's boxes still run at a few degrees, and big
background text at another angle does not set the angle."""

import pytest
from cnid_ocr.extract import extract_card
from cnid_ocr.extract.skew import residual_angle
from cnid_ocr.ocr.types import TextLine

from .cardlines import TODAY, Sheet, front, turned

ADDRESS = ("甘肃省张掖市肃南裕固族", "自治县双河镇团结村高桥", "屯58号")


@pytest.mark.parametrize("degrees", [-12.0, -6.0, 4.0, 9.0])
def test_rows_read_level_when_the_card_is_still_tilted(degrees):
    lines = turned(front(address=ADDRESS).lines, degrees, 300, 250)
    fields = extract_card(lines, today=TODAY).fields
    assert fields["address"] == "".join(ADDRESS)
    assert fields["name"] == "张三"
    assert fields["dateOfBirth"] == "1949-12-31"
    assert fields["idNumber"] == "110105194912310038"


def test_big_background_text_at_another_angle_does_not_set_the_skew():
    card = turned(front(address=ADDRESS).lines, -8.0, 300, 250)
    clutter = turned(
        [
            TextLine.from_rect("联系电话13800138000", 1.0, -900, -300, -300, -150),
            TextLine.from_rect("学习笔记", 1.0, -900, 900, -500, 1050),
            TextLine.from_rect("会员卡积分", 1.0, 900, 900, 1400, 1050),
        ],
        40.0,
    )
    assert residual_angle(card + clutter) == pytest.approx(-8.0, abs=0.5)
    fields = extract_card(card + clutter, today=TODAY).fields
    assert fields["address"] == "".join(ADDRESS)


def test_level_lines_are_left_untouched():
    lines = front(Sheet(dx=100, dy=50)).lines
    assert residual_angle(lines) == pytest.approx(0.0)
