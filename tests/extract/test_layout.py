"""Rows and chains of boxes (extract/layout.py) as real detectors give them: padded boxes that overlap the next
row, tilted or giant background boxes beside a value, label glyphs in overlapping boxes."""

from cnid_ocr.extract import extract_card
from cnid_ocr.ocr.types import TextLine

from .cardlines import TODAY, front, turned

ADDRESS = ("甘肃省张掖市肃南裕固族", "自治县双河镇团结村高桥", "屯58号")


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
