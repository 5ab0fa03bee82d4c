"""The portrait side through ``extract_card``: layout variants, cross-checks, repairs and junk."""

import dataclasses
import random

import pytest
from cnid_ocr.errors import NoIdCardFound
from cnid_ocr.extract import extract_card, read_sides
from cnid_ocr.ocr.lattice import Lattice
from cnid_ocr.ocr.types import TextLine

from .cardlines import TODAY, Sheet, back, front, id_number

ALL_LABELS = {"姓名", "性别", "民族", "出生", "住址", "公民身份号码"}


def read(sheet: Sheet):
    return extract_card(sheet.lines, today=TODAY)


def codes(reading, field=None):
    return [w.code for w in reading.warnings if field is None or w.field == field]


def test_plain_front():
    reading = read(front())
    assert reading.sides == ["front"]
    assert reading.fields == {
        "name": "张三",
        "gender": "男",
        "ethnicity": "汉",
        "dateOfBirth": "1949-12-31",
        "address": "北京市朝阳区建国路88号",
        "idNumber": "110105194912310038",
        "issuingAuthority": None,
        "validFrom": None,
        "validTo": None,
    }
    assert reading.warnings == []
    assert set(reading.confidence) == {"name", "gender", "ethnicity", "dateOfBirth", "address", "idNumber"}
    assert reading.confidence["name"] == pytest.approx(0.995)


@pytest.mark.parametrize(
    "merge", [ALL_LABELS, {"姓名"}, {"民族"}, {"性别"}, {"性别", "民族"}, {"出生"}, {"住址"}, {"公民身份号码"}]
)
def test_labels_merged_with_values(merge):
    reading = read(front(merge=merge, name="欧阳赟", ethnicity="仫佬"))
    assert reading.fields["name"] == "欧阳赟"
    assert reading.fields["gender"] == "男"
    assert reading.fields["ethnicity"] == "仫佬"
    assert reading.fields["dateOfBirth"] == "1949-12-31"
    assert reading.fields["address"] == "北京市朝阳区建国路88号"
    assert reading.fields["idNumber"] == "110105194912310038"
    assert reading.warnings == []


def test_whole_gender_row_in_one_box():
    sheet = front(
        merge={"性别", "民族"}, ethnicity="鄂伦春", gender="女", number=id_number("110105", "19491231", "002")
    )
    assert sheet.lines[2].text == "性别女民族鄂伦春"
    reading = read(sheet)
    assert (reading.fields["gender"], reading.fields["ethnicity"]) == ("女", "鄂伦春")


def test_spaced_label_split_into_two_boxes():
    sheet = front()
    label = sheet.find("姓名")
    sheet.lines.remove(label)
    sheet.lines.append(type(label).from_rect("姓", 0.99, label.left, label.top, label.left + 26, label.bottom))
    sheet.lines.append(type(label).from_rect("名", 0.99, label.right - 26, label.top, label.right, label.bottom))
    assert read(sheet).fields["name"] == "张三"


def test_misread_labels_are_matched():
    sheet = front(
        labels={"姓名": "娃名", "住址": "住扯", "公民身份号码": "公民身份号玛", "出生": "山生", "性别": "性刖"}
    )
    reading = read(sheet)
    assert reading.fields["name"] == "张三"
    assert reading.fields["address"] == "北京市朝阳区建国路88号"
    assert reading.fields["dateOfBirth"] == "1949-12-31"
    assert reading.fields["gender"] == "男"
    assert reading.fields["idNumber"] == "110105194912310038"


def test_misread_merged_labels():
    reading = read(front(merge={"姓名", "公民身份号码"}, labels={"姓名": "娃名", "公民身份号码": "公民身分号码"}))
    assert reading.fields["name"] == "张三"
    assert reading.fields["idNumber"] == "110105194912310038"


@pytest.mark.parametrize("seed", range(5))
def test_line_order_does_not_matter(seed):
    sheet = front(address=("广西壮族自治区南宁市青秀区", "民族大道100号", "3栋2单元501室"))
    expected = read(sheet).fields
    random.Random(seed).shuffle(sheet.lines)
    assert read(sheet).fields == expected
    assert expected["address"] == "广西壮族自治区南宁市青秀区民族大道100号3栋2单元501室"


@pytest.mark.parametrize(("scale", "dx", "dy"), [(0.35, 0, 0), (4.2, 2500, 1800), (1.0, -400, 900)])
def test_scale_and_offset(scale, dx, dy):
    reading = read(front(Sheet(scale=scale, dx=dx, dy=dy), name="阿依古丽·买买提", ethnicity="维吾尔"))
    assert reading.fields["name"] == "阿依古丽·买买提"
    assert reading.fields["ethnicity"] == "维吾尔"
    assert reading.fields["idNumber"] == "110105194912310038"


@pytest.mark.parametrize(
    "address",
    [
        ("北京市东城区景山前街4号",),
        ("河北省石家庄市长安区中山东路", "123号院5号楼"),
        ("四川省凉山彝族自治州昭觉县", "竹核乡木渣洛村", "三组12号"),
        ("新疆维吾尔自治区伊犁哈萨克自", "治州伊宁市解放路", "88号2栋3单元", "401室"),
    ],
)
def test_address_of_one_to_four_lines(address):
    assert read(front(address=address)).fields["address"] == "".join(address)


def test_address_line_split_in_two_boxes():
    sheet = front(address=("河北省石家庄市长安区中山东路", "123号院5号楼"))
    second = sheet.find("123号院5号楼")
    sheet.lines.remove(second)
    sheet.box("123号院", 165, second.top, height=second.height)
    sheet.box("5号楼", 165 + 4 * 15 + 2 * 26 + 10, second.top, height=second.height)
    assert read(sheet).fields["address"] == "河北省石家庄市长安区中山东路123号院5号楼"


def test_number_split_in_two_boxes():
    assert read(front(split_number=True)).fields["idNumber"] == "110105194912310038"


def test_number_without_its_label():
    sheet = front(split_number=True)
    sheet.remove("公民身份号码")
    reading = read(sheet)
    assert reading.fields["idNumber"] == "110105194912310038"
    assert reading.fields["address"] == "北京市朝阳区建国路88号"


@pytest.mark.parametrize("name", ["欧阳赟", "上官翀", "王喆", "李堃", "张旻", "司马懿", "𠈌明"])
def test_rare_characters_and_compound_surnames(name):
    assert read(front(name=name)).fields["name"] == name


@pytest.mark.parametrize(
    "ocr_name", ["阿依古丽•买买提", "阿依古丽・买买提", "阿依古丽.买买提", "阿依古丽 - 买买提", "阿依古丽一买买提"]
)
def test_middle_dot_names(ocr_name):
    assert read(front(name=ocr_name)).fields["name"] == "阿依古丽·买买提"


def test_name_with_spaces():
    assert read(front(name="王 一 博")).fields["name"] == "王一博"


def test_x_ending_and_lowercase_x():
    number = "11010519491231002X"
    for printed in (number, number.lower(), number[:-1] + "×"):
        reading = read(front(number=printed, gender="女"))
        assert reading.fields["idNumber"] == number
        assert reading.warnings == []


# --- cross-checks -----------------------------------------------------------------------------------------------


def test_confident_checksum_failure_is_returned_as_printed():
    # A specimen-like card: the printed check character is wrong, 出生 and 性别 agree with the number.
    sheet = front(number="110105194912310028", gender="女")
    sheet.replace("110105194912310028", "110105194912310028", score=0.998)
    reading = read(sheet)
    assert reading.fields["idNumber"] == "110105194912310028"
    assert codes(reading) == ["id_checksum_failed"]


def test_unsure_read_of_x_as_8_is_repaired():
    sheet = front(number="110105194912310028", gender="女")
    sheet.replace("110105194912310028", "110105194912310028", score=0.93)
    reading = read(sheet)
    assert reading.fields["idNumber"] == "11010519491231002X"
    # The repair lowers the confidence (0.93 x 0.95): below 0.9, so the field is also flagged for review.
    assert codes(reading) == ["id_number_repaired", "low_confidence"]
    assert reading.confidence["idNumber"] == pytest.approx(0.93 * 0.95)


def test_read_contradicting_the_birth_line_is_repaired_even_when_confident():
    true = id_number("440106", "19800316", "125")
    misread = true[:13] + "8" + true[14:]
    reading = read(front(number=misread, birth=("1980", "3", "16")))
    assert reading.fields["idNumber"] == true
    assert "id_number_repaired" in codes(reading)
    assert "birth_date_mismatch" not in codes(reading)


def test_ambiguous_repair_is_refused():
    true = "65010219690806516X"
    sheet = front(number=true[:17] + "8", birth=("1969", "8", "6"), gender="女")
    sheet.replace(true[:17] + "8", true[:17] + "8", score=0.9)
    reading = read(sheet)
    assert reading.fields["idNumber"] == true[:17] + "8"
    assert codes(reading, "idNumber") == ["id_checksum_failed"]


def test_birth_date_mismatch_is_warned_not_changed():
    reading = read(front(birth=("1949", "12", "30")))
    assert reading.fields["dateOfBirth"] == "1949-12-30"
    assert reading.fields["idNumber"] == "110105194912310038"
    assert codes(reading) == ["birth_date_mismatch"]


def test_gender_mismatch_is_warned_not_changed():
    reading = read(front(gender="女"))
    assert reading.fields["gender"] == "女"
    assert codes(reading) == ["gender_mismatch"]


def test_unreadable_gender_taken_from_a_valid_number():
    sheet = front()
    sheet.replace("男", "另")
    reading = read(sheet)
    assert reading.fields["gender"] == "男"
    assert codes(reading) == ["gender_from_id_number"]


def test_unreadable_gender_not_taken_from_an_invalid_number():
    sheet = front(number="110105194912310037")
    sheet.replace("男", "另")
    reading = read(sheet)
    assert reading.fields["gender"] is None
    assert "gender_from_id_number" not in codes(reading)
    assert "id_checksum_failed" in codes(reading)


def test_residence_permit_number_is_flagged():
    number = id_number("810000", "19491231", "003")
    reading = read(front(number=number))
    assert reading.fields["idNumber"] == number
    assert codes(reading) == ["residence_permit_number"]


def test_malformed_number_is_kept_and_warned():
    reading = read(front(number="1101051949123100"))
    assert reading.fields["idNumber"] == "1101051949123100"
    assert codes(reading, "idNumber") == ["id_number_invalid"]


def test_nonexistent_birth_line():
    reading = read(front(birth=("1949", "2", "30")))
    assert reading.fields["dateOfBirth"] is None
    assert codes(reading, "dateOfBirth") == ["invalid_date"]


def test_ethnicity_misread_repaired_or_kept():
    sheet = front(ethnicity="柯尔克孜")
    sheet.replace("柯尔克孜", "柯尔克兹", alternatives={3: {"兹": 0.55, "孜": 0.4}})
    repaired = read(sheet)
    assert repaired.fields["ethnicity"] == "柯尔克孜"
    assert codes(repaired) == ["ethnicity_repaired"]
    unknown = read(front(ethnicity="汊"))
    assert unknown.fields["ethnicity"] == "汊"
    assert codes(unknown) == ["unknown_ethnicity"]


def test_low_confidence_field():
    sheet = front()
    sheet.replace("张三", "张三", score=0.62)
    reading = read(sheet)
    assert reading.fields["name"] == "张三"
    assert reading.confidence["name"] == pytest.approx(0.62)
    assert [(w.code, w.field) for w in reading.warnings] == [("low_confidence", "name")]


def test_missing_field_is_incomplete_card():
    sheet = front()
    sheet.remove("张三")
    reading = read(sheet)
    assert reading.fields["name"] is None
    assert "name" not in reading.confidence
    assert [(w.code, w.field) for w in reading.warnings] == [("incomplete_card", "name")]


# --- junk -------------------------------------------------------------------------------------------------------


def test_copy_stamp_lines_and_merged_stamp_text_are_ignored():
    sheet = front()
    sheet.box("复印无效", 200, 240, width=300, height=60)  # across the address row
    sheet.replace("张三", "张三复印无效")
    sheet.box("仅供办理银行开户使用", 100, 300, width=500, height=40)
    reading = read(sheet)
    assert reading.fields["name"] == "张三"
    assert reading.fields["address"] == "北京市朝阳区建国路88号"
    assert reading.warnings == []


def test_background_text_outside_the_card():
    sheet = front(Sheet(dx=500, dy=400))
    sheet.lines.append(sheet.lines[0].from_rect("出生证明", 0.99, 20, 20, 150, 46))  # far above-left
    sheet.lines.append(sheet.lines[0].from_rect("姓名：李四", 0.99, 1500, 1200, 1700, 1226))  # far below-right
    sheet.lines.append(sheet.lines[0].from_rect("民族团结", 0.99, 20, 700, 150, 726))
    sheet.lines.append(sheet.lines[0].from_rect("1234567890", 0.99, 20, 1300, 300, 1326))
    reading = read(sheet)
    assert reading.fields["name"] == "张三"
    assert reading.fields["dateOfBirth"] == "1949-12-31"
    assert reading.fields["idNumber"] == "110105194912310038"
    assert reading.warnings == []


def test_text_on_the_portrait_is_not_part_of_a_value():
    sheet = front()
    sheet.box("样本", 640, 60, width=80)  # on the photo, name row
    sheet.box("SPECIMEN", 620, 260, width=150)  # on the photo, address row
    reading = read(sheet)
    assert reading.fields["name"] == "张三"
    assert reading.fields["address"] == "北京市朝阳区建国路88号"


def test_address_starting_with_min_is_not_a_label():
    reading = read(front(address=("广西壮族自治区南宁市青秀区", "民主路100号")))
    assert reading.fields["address"] == "广西壮族自治区南宁市青秀区民主路100号"
    assert reading.fields["ethnicity"] == "汉"


def test_values_found_when_their_labels_were_not_read():
    # Faint blue labels can vanish on greyscale copies; the values still sit on their rows.
    sheet = front(address=("湖南省长沙市岳麓区", "麓山南路2号"))
    for label in ("姓名", "出生"):
        sheet.remove(label)
    reading = read(sheet)
    assert reading.fields["name"] == "张三"
    assert reading.fields["dateOfBirth"] == "1949-12-31"
    assert reading.fields["address"] == "湖南省长沙市岳麓区麓山南路2号"
    assert reading.warnings == []


def test_number_with_a_future_birth_date():
    number = id_number("110105", "20300101", "003")
    reading = read(front(number=number, birth=("2030", "1", "1")))
    assert reading.fields["idNumber"] == number
    assert ("invalid_date", "idNumber") in [(w.code, w.field) for w in reading.warnings]
    assert ("invalid_date", "dateOfBirth") in [(w.code, w.field) for w in reading.warnings]
    assert reading.fields["dateOfBirth"] == "2030-01-01"  # printed values are never changed by a warning


def test_gender_not_found_at_all_taken_from_a_valid_number():
    sheet = front(gender="女", number=id_number("110105", "19491231", "002"))
    sheet.remove("女")
    reading = read(sheet)
    assert reading.fields["gender"] == "女"
    assert codes(reading) == ["gender_from_id_number"]
    assert reading.confidence["gender"] < reading.confidence["idNumber"]


@pytest.mark.parametrize(
    ("pieces", "expected"),
    [
        (["年", "12", "月", "31", "日"], "1949-12-31"),  # the year lost (merged into another box)
        (["1949", "年"], "1949-12-31"),  # only the year readable
        ([], "1949-12-31"),  # nothing on the row
        (["年", "11", "月", "31", "日"], None),  # contradicts the number: no fill
    ],
)
def test_unreadable_birth_line_taken_from_a_valid_number(pieces, expected):
    sheet = front()
    for text in ("1949", "年", "12", "月", "31", "日"):
        sheet.remove(text)
    x = 165
    for text in pieces:
        sheet.box(text, x, 190)
        x += len(text) * 26 + 20
    reading = read(sheet)
    assert reading.fields["dateOfBirth"] == expected
    if expected:
        assert codes(reading, "dateOfBirth") == ["birth_date_from_id_number"]
        assert reading.confidence["dateOfBirth"] < reading.confidence["idNumber"]
    else:
        assert "birth_date_from_id_number" not in codes(reading)


def test_readable_birth_line_is_never_replaced_by_the_number():
    reading = read(front(birth=("1948", "12", "3")))
    assert reading.fields["dateOfBirth"] == "1948-12-03"
    assert codes(reading) == ["birth_date_mismatch"]


@pytest.mark.parametrize("lost", [{"住址"}, {"住址", "出生"}, {"住址", "姓名", "出生"}])
def test_address_found_when_its_label_was_not_read(lost):
    address = ("云南省西双版纳傣族自治州", "景洪市河西街道柳树村", "2组27号")
    sheet = front(address=address)
    for label in lost:
        sheet.remove(label)
    reading = read(sheet)
    assert reading.fields["address"] == "".join(address)
    assert reading.fields["dateOfBirth"] == "1949-12-31"
    assert reading.fields["name"] == "张三"


@pytest.mark.parametrize("merged", [False, True])
def test_ethnicity_found_when_the_minzu_label_was_lost(merged):
    sheet = front(ethnicity="鄂伦春", merge={"性别"} if merged else set())
    sheet.remove("民族")
    sheet.box("样本", 640, 125, width=80)  # text on the portrait, same row: not a group, never taken
    reading = read(sheet)
    assert (reading.fields["gender"], reading.fields["ethnicity"]) == ("男", "鄂伦春")


def test_autonomous_area_name_in_the_address_is_mended_with_a_warning():
    sheet = front(address=("云南省德宏傣族景颜族自治", "州芒市大河镇2组"))
    sheet.replace("云南省德宏傣族景颜族自治", "云南省德宏傣族景颜族自治", alternatives={8: {"颜": 0.6, "颇": 0.3}})
    reading = read(sheet)
    assert reading.fields["address"] == "云南省德宏傣族景颇族自治州芒市大河镇2组"
    assert "place_name_repaired" in codes(reading, "address")


def test_a_place_name_the_recogniser_did_not_support_is_left_as_read():
    reading = read(front(address=("云南省德宏傣族景颜族自治", "州芒市大河镇2组")))
    assert reading.fields["address"] == "云南省德宏傣族景颜族自治州芒市大河镇2组"
    assert "place_name_repaired" not in codes(reading, "address")


def test_gender_misread_as_another_glyph_is_decoded_from_the_alternatives():
    sheet = front()
    sheet.replace("男", "另", alternatives={0: {"另": 0.5, "男": 0.45}})
    reading = read(sheet)
    assert reading.fields["gender"] == "男"
    assert "gender_repaired" in codes(reading, "gender")


def test_a_dropped_middle_dot_is_restored_from_the_alternatives():
    sheet = front(name="买买提吐尔逊")
    line = sheet.find("买买提吐尔逊")
    steps = [{"买": 1.0}, {"": 1.0}, {"买": 1.0}, {"": 1.0}, {"提": 1.0}, {"": 0.7, "·": 0.3}]
    steps += [{"吐": 1.0}, {"": 1.0}, {"尔": 1.0}, {"": 1.0}, {"逊": 1.0}]
    spans = ((0, 1), (2, 3), (4, 5), (6, 7), (8, 9), (10, 11))
    sheet.lines[sheet.lines.index(line)] = dataclasses.replace(line, lattice=Lattice(tuple(steps)), spans=spans)
    reading = read(sheet)
    assert reading.fields["name"] == "买买提·吐尔逊"
    assert "name_repaired" in codes(reading, "name")


def test_a_name_in_latin_letters_is_kept():
    assert read(front(name="DAVID")).fields["name"] == "DAVID"


def test_a_label_missing_its_first_character():
    sheet = front(merge={"姓名"})
    sheet.replace("姓名张三", "名张三")
    assert read(sheet).fields["name"] == "张三"


def test_a_label_read_as_its_second_character_alone_stays_out_of_the_value():
    # A generated photo's boxes (seed 1234, #165): 姓名 lost, 住址 read as 址 in its own box, its centre a pixel below
    # the address's first line: taken for an address piece, it came out inside the address ("…白沙址镇…").
    boxes = [
        ("白玲雪", 1130, 601, 1200, 634),
        ("民族汉", 1222, 651, 1325, 681),
        ("性别", 1065, 652, 1126, 679),
        ("女", 1133, 651, 1162, 679),
        ("1998年5月28日", 1134, 695, 1339, 727),
        ("出生", 1065, 698, 1121, 727),
        ("陕西省西安市碑林区白沙", 1138, 745, 1354, 770),
        ("址", 1097, 746, 1128, 770),
        ("镇双龙村6组108号", 1142, 772, 1305, 798),
        ("公民身份号码", 1083, 863, 1199, 891),
        ("610103199805284549", 1230, 861, 1571, 891),
    ]
    lines = [TextLine.from_rect(text, 0.99, *rect) for text, *rect in boxes]
    fields = extract_card(lines, today=TODAY).fields
    assert fields["address"] == "陕西省西安市碑林区白沙镇双龙村6组108号"
    assert (fields["name"], fields["gender"], fields["dateOfBirth"]) == ("白玲雪", "女", "1998-05-28")


def test_a_front_whose_labels_were_lost_is_read_by_its_rows():
    # A copy that dropped the blue print: only the values and the number are left.
    sheet = front(address=("北京市朝阳区建国路", "88号院3号楼"))
    for label in ("姓名", "性别", "民族", "出生", "住址", "公民身份号码"):
        sheet.remove(label)
    fields = read(sheet).fields
    assert fields["name"] == "张三"
    assert fields["gender"] == "男"
    assert fields["ethnicity"] == "汉"
    assert fields["dateOfBirth"] == "1949-12-31"
    assert fields["address"] == "北京市朝阳区建国路88号院3号楼"
    assert fields["idNumber"] == "110105194912310038"


@pytest.mark.parametrize("date_row", ["lost", "garbled"])
@pytest.mark.parametrize("gender_read", [True, False])
def test_labels_lost_and_the_date_unread_rows_anchored_on_the_gender_row(date_row, gender_read):
    # A stamp over the date as well: no row reads as a date, the lone 男 (or the ethnic group's name) anchors them.
    sheet = front(ethnicity="柯尔克孜", address=("新疆维吾尔自治区阿图什市", "光明路6号"))
    for label in ("姓名", "性别", "民族", "出生", "住址", "公民身份号码"):
        sheet.remove(label)
    for part in ("1949", "年", "12", "月", "31", "日"):
        sheet.remove(part)
    if date_row == "garbled":
        sheet.box("1949印止", 165, 190)  # what was read agrees with the number
    if not gender_read:
        sheet.remove("男")
    reading = read(sheet)
    assert reading.fields["name"] == "张三"
    assert reading.fields["ethnicity"] == "柯尔克孜"
    assert reading.fields["address"] == "新疆维吾尔自治区阿图什市光明路6号"
    assert reading.fields["gender"] == "男"  # read, or from the valid number (with its warning)
    assert ("gender_from_id_number" in codes(reading)) == (not gender_read)
    assert reading.fields["dateOfBirth"] == "1949-12-31"  # from the number, announced
    assert "birth_date_from_id_number" in codes(reading)


def test_a_name_that_is_an_ethnic_groups_name_is_not_taken_for_the_gender_row():
    sheet = front(name="高山", birth=("1949", "12", "31"))
    for label in ("姓名", "性别", "民族", "出生", "住址", "公民身份号码"):
        sheet.remove(label)
    for part in ("1949", "年", "12", "月", "31", "日", "男"):
        sheet.remove(part)
    fields = read(sheet).fields
    assert fields["name"] == "高山"
    assert fields["ethnicity"] == "汉"


def test_a_region_read_again_replaces_the_boxes_that_failed_there():
    # The detector stopped at a stamp: part of the number, then stamp debris; the pipeline read the number's whole
    # region again. Joined, the row would say the number twice over.
    sheet = front(split_number=True)
    first, rest = sheet.find("1101051949"), sheet.find("12310038")
    sheet.replace("12310038", "數3印")
    again = TextLine.from_rect("110105194912310038", 0.97, first.left - 8, first.top + 1, rest.right + 20, rest.bottom)
    sheet.lines.append(dataclasses.replace(again, reread=True))
    reading = read(sheet)
    assert reading.fields["idNumber"] == "110105194912310038"
    assert "id_number_invalid" not in codes(reading)


@pytest.mark.parametrize(
    ("read_as", "dropped"), [("石河北省石家庄市桥西区滨江大街169号", "石"), ("·湖北省恩施市东门镇51号", "·")]
)
def test_a_fragment_read_before_the_addresss_province_is_dropped_with_a_warning(read_as, dropped):
    reading = read(front(address=(read_as,)))
    assert reading.fields["address"] == read_as[len(dropped) :]
    assert "stray_text_dropped" in codes(reading, "address")


def test_an_address_that_does_not_begin_with_a_province_is_left_as_read():
    reading = read(front(address=("深圳市南山区东风路49号",)))
    assert reading.fields["address"] == "深圳市南山区东风路49号" and not codes(reading, "address")


@pytest.mark.parametrize(
    ("name", "address"),
    [
        ("张", ("北京市朝阳区建国路88号",)),  # the name's second character lost
        ("张三", ("广西壮族自治区河池市环",)),  # the address's next lines lost under a stamp
        ("张三", ("广西壮族自治区河池市",)),
        ("张三", ("新疆维吾尔自治区伊犁哈萨克自治州察布查尔锡伯自治县大河街道下廊村6",)),  # "6组85号" lost
        ("张三", ("号院5号楼1单元1037",)),  # the first line (重庆市渝中区黄河路382) lost under a thumb
        ("张三", ("贵州省黔南治州都匀市东门镇东风村杨柳社39号",)),  # 布依族苗族自 lost under a highlight
        ("张三", ("青海省海东市循化撒拉族青山镇马鞍村6组62号",)),  # the county's 自治县 lost
    ],
)
def test_a_value_that_cannot_be_the_whole_field_is_kept_with_a_warning(name, address):
    reading = read(front(name=name, address=address))
    assert (reading.fields["name"], reading.fields["address"]) == (name, "".join(address))
    field = "name" if len(name) < 2 else "address"
    assert codes(reading, field) == ["partial_value"]


@pytest.mark.parametrize(
    "address",
    [
        ("北京市朝阳区建国路88号",),
        ("四川省成都市武侯区益州大道中段722号复城国际",),  # ends with neither a number nor 号/室/村
        ("广东省深圳市南山区环城路283号院4号楼4单元391",),  # a flat number after 单元
        ("安徽省宿州市埇桥区", "城东街道办事处"),
        ("贵州省黔南布依族苗族自治州都匀市东门镇东风村杨柳社39号",),
        ("江苏省南京市鼓楼区中山路1号",),  # 中山 begins 中山市, which is not under 南京市
    ],
)
def test_whole_addresses_are_not_taken_for_partial_ones(address):
    reading = read(front(address=address))
    assert reading.fields["address"] == "".join(address) and not codes(reading, "address")


@pytest.mark.parametrize("cut", ["公民身", "公民"])
def test_the_number_label_cut_short_still_places_the_number(cut):
    # A stamp across the number row: the detector cut the label box after 公民身 (or 公民), no box for the digits.
    sheet = front(labels={"公民身份号码": cut})
    sheet.remove("110105194912310038")
    sides = read_sides(sheet.lines, today=TODAY)
    assert "idNumber" in sides[0].regions


def test_a_gender_label_that_lost_its_second_character_keeps_the_value():
    reading = read(front(merge={"性别"}, labels={"性别": "性"}))
    assert reading.fields["gender"] == "男"
    assert codes(reading, "gender") == []  # read, not taken from the number


def test_a_name_label_read_as_its_first_character_alone_still_places_the_name():
    sheet = front(labels={"姓名": "姓"})
    sheet.box("ASJUGS", 165, 92, score=0.56)  # a line of another script between the name and gender rows
    assert read(sheet).fields["name"] == "张三"


def test_an_address_continues_under_its_value_when_the_label_boxes_hold_values_too():
    # 出生 merged with its year and the rest in a box further right, 住址 merged with the first line: the second
    # line starts under the address's value, not under the date's second box.
    sheet = front(merge={"住址", "出生"}, address=("北京市朝阳区建国路", "88号院3号楼"))
    sheet.remove("出生1949年12月31日")
    sheet.box("出生1949", 60, 190)
    sheet.box("年12月31日", 260, 190)
    merged = sheet.find("住址北京市朝阳区建国路")
    sheet.lines[sheet.lines.index(merged)] = spaced_label(merged, 2, 4)
    assert read(sheet).fields["address"] == "北京市朝阳区建国路88号院3号楼"


def spaced_label(line: TextLine, label_length: int, label_steps: int) -> TextLine:
    """``line`` with the recogniser's steps: the label's widely spaced characters ``label_steps`` steps each, the
    value's two (so where the value begins inside the box is known, as from a real reading)."""
    steps: list[dict[str, float]] = []
    spans = []
    for i, ch in enumerate(line.text):
        count = label_steps if i < label_length else 2
        spans.append((len(steps), len(steps) + count - 1))
        steps += [{ch: 1.0}] * (count - 1) + [{"": 1.0}]
    return dataclasses.replace(line, lattice=Lattice(tuple(steps)), spans=tuple(spans))


def test_a_name_label_whose_first_character_was_read_as_a_mark():
    reading = read(front(merge={"姓名"}, labels={"姓名": "1名"}))
    assert reading.fields["name"] == "张三"


@pytest.mark.parametrize("merge", [{"民族"}, {"性别", "民族"}])
def test_an_ethnicity_label_that_lost_its_second_character_keeps_the_whole_group(merge):
    # "民珞巴" is 民(族) + 珞巴, not a misread 民族 + 巴; in the one-box row too ("性别男民基诺" -> 基诺).
    for group in ("珞巴", "基诺", "汉"):
        reading = read(front(merge=merge, labels={"民族": "民"}, ethnicity=group))
        assert reading.fields["ethnicity"] == group


def test_one_label_and_a_number_of_seventeen_characters_make_a_front():
    # A noisy copy: the small grey labels lost but 姓名; the copy prints 17 characters (no check character).
    sheet = front(number="11010519491231003")
    for label in ("性别", "民族", "出生", "住址", "公民身份号码"):
        sheet.remove(label)
    reading = read(sheet)
    assert reading.sides == ["front"]
    assert reading.fields["idNumber"] == "11010519491231003"
    assert reading.fields["name"] == "张三"


def test_a_number_of_seventeen_characters_alone_is_not_a_front():
    sheet = Sheet()
    sheet.box("11010519491231003", 300, 443, height=30)
    with pytest.raises(NoIdCardFound):
        read(sheet)


def test_rows_whose_labels_are_garbled_between_found_ones_are_read_by_the_layout():
    # A noisy copy: 姓名 and 住址 found, 性别 and 出生 read as "线费" and "出2", 民族 lost.
    sheet = front(labels={"性别": "线费", "出生": "出2"})
    sheet.remove("民族")
    reading = read(sheet)
    assert (reading.fields["gender"], reading.fields["ethnicity"]) == ("男", "汉")
    assert reading.fields["dateOfBirth"] == "1949-12-31"
    assert reading.fields["name"] == "张三" and reading.fields["address"] == "北京市朝阳区建国路88号"
    assert codes(reading, "gender") == []  # read, not taken from the number


def test_a_merged_label_that_lost_its_second_character_keeps_the_values_first():
    # "姓张三": 张 starts where the other rows' values start, so it is the name's, not a misread 名.
    sheet = front(merge={"姓名"}, labels={"姓名": "姓"})
    merged = sheet.find("姓张三")
    sheet.lines[sheet.lines.index(merged)] = spaced_label(merged, 1, 8)
    assert read(sheet).fields["name"] == "张三"


def test_a_misread_second_label_character_at_the_labels_place_stays_the_labels():
    # "姓各张三" with 各 inside the label's width: 名 misread, the name is 张三.
    sheet = front(merge={"姓名"}, labels={"姓名": "姓各"})
    merged = sheet.find("姓各张三")
    sheet.lines[sheet.lines.index(merged)] = spaced_label(merged, 2, 4)
    assert read(sheet).fields["name"] == "张三"


def test_the_sides_print_is_the_lines_its_labels_and_values_were_read_from():
    # A receipt's line beside the card is among the side's lines but not among its print (the outline's text).
    sheet = front()
    receipt = sheet.box("收银员568", 700, 60)
    for reading in read_sides(sheet.lines, today=TODAY) + read_sides(back().lines, today=TODAY):
        texts = {line.text for line in reading.print_lines}
        assert receipt.text not in texts
        assert texts and texts <= {line.text for line in reading.lines}
        expected = {"公民身份号码", "110105194912310038"} if reading.side == "front" else {"签发机关", "有效期限"}
        assert expected <= texts
