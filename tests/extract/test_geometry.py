"""Geometry that real photos bring: residual skew, perspective, giant or tilted background boxes."""

import pytest
from cardlines import TODAY, Sheet, front, turned
from cnid_ocr.extract import extract_card
from cnid_ocr.extract.skew import residual_angle
from cnid_ocr.ocr.types import TextLine

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


def test_padded_boxes_of_consecutive_address_lines_are_separate_rows():
    # Detector boxes are padded: consecutive address lines (pitch 26) come as 40-high boxes overlapping by 14.
    sheet = front(address=ADDRESS)
    for i, text in enumerate(ADDRESS):
        old = sheet.find(text)
        sheet.lines.remove(old)
        sheet.box(text, old.left, 248 + 26 * i, height=40)
    sheet.box("1", 470, 230, width=60, height=170, score=0.55)  # a stamp remnant, as tall as four rows
    fields = extract_card(sheet.lines, today=TODAY).fields
    assert fields["address"] == "".join(ADDRESS)


def test_tilted_or_giant_background_boxes_are_not_chained_into_values():
    sheet = front()
    number = sheet.find("110105194912310038")
    # Background receipts photographed at another angle, just right of the number row and of the name.
    receipt = TextLine.from_rect("发票772", 1.0, number.right + 40, number.top - 40, number.right + 200, number.top)
    lines = sheet.lines + turned([receipt], -50.0, receipt.left, receipt.top)
    lines.append(TextLine.from_rect("收据", 1.0, 240, 20, 400, 130))  # four rows tall, over the name row
    fields = extract_card(lines, today=TODAY).fields
    assert fields["idNumber"] == "110105194912310038"
    assert fields["name"] == "张三"


def test_label_glyphs_in_overlapping_boxes():
    sheet = front()
    for label in ("住址", "出生"):
        old = sheet.find(label)
        sheet.lines.remove(old)
        sheet.box(label[0], old.left, old.top, width=30)
        sheet.box(label[1], old.left + 26, old.top, width=30)  # starts 4 units inside the first glyph's box
    fields = extract_card(sheet.lines, today=TODAY).fields
    assert fields["address"] == "北京市朝阳区建国路88号"
    assert fields["dateOfBirth"] == "1949-12-31"
