"""The emblem side, both sides on one sheet, and images with no card."""

import random

import pytest
from cnid_ocr.errors import NoIdCardFound
from cnid_ocr.extract import CardLines, combine_cards, extract_card
from cnid_ocr.extract.result import ALL_FIELDS, LONG_TERM
from cnid_ocr.ocr.types import TextLine

from .cardlines import TODAY, Sheet, back, front, with_alternatives


def read(sheet: Sheet):
    return extract_card(sheet.lines, today=TODAY)


def codes(reading):
    return [(w.code, w.field) for w in reading.warnings]


def test_plain_back():
    reading = read(back())
    assert reading.sides == ["back"]
    assert reading.fields["issuingAuthority"] == "北京市公安局朝阳分局"
    assert (reading.fields["validFrom"], reading.fields["validTo"]) == ("2015-03-01", "2035-03-01")
    assert all(reading.fields[name] is None for name in ("name", "gender", "idNumber"))
    assert reading.warnings == []


def test_long_term_validity():
    reading = read(back(validity="2010.07.15-长期"))
    assert (reading.fields["validFrom"], reading.fields["validTo"]) == ("2010-07-15", LONG_TERM)
    assert reading.warnings == []


@pytest.mark.parametrize("validity", ["2015.03.01—2035.03.01", "2015.03.01一2035.03.01", "20150301-20350301"])
def test_validity_ocr_variants(validity):
    reading = read(back(validity=validity))
    assert (reading.fields["validFrom"], reading.fields["validTo"]) == ("2015-03-01", "2035-03-01")


def test_labels_merged_and_misread():
    reading = read(
        back(
            merge={"签发机关", "有效期限"},
            labels={"签发机关": "签发机美", "有效期限": "有效朋限"},
            validity="2020.01.01-长期",
        )
    )
    assert reading.fields["issuingAuthority"] == "北京市公安局朝阳分局"
    assert (reading.fields["validFrom"], reading.fields["validTo"]) == ("2020-01-01", LONG_TERM)


def test_expired_card():
    reading = read(back(validity="2005.03.01-2025.03.01"))
    assert reading.fields["validTo"] == "2025-03-01"  # still returned as printed
    assert codes(reading) == [("card_expired", "validTo")]


def test_card_valid_until_today_is_not_expired():
    assert read(back(validity="2005.06.01-2025.06.01")).warnings == []


def test_nonexistent_validity_dates():
    reading = read(back(validity="2015.02.29-2035.02.29"))  # 2015 is not a leap year
    assert reading.fields["validFrom"] is None and reading.fields["validTo"] is None
    assert codes(reading) == [("invalid_date", "validFrom"), ("invalid_date", "validTo")]


def test_validity_end_before_start():
    reading = read(back(validity="2035.03.01-2015.03.01"))
    assert ("invalid_date", "validFrom") in codes(reading) or ("invalid_date", "validTo") in codes(reading)
    assert reading.fields["validTo"] == "2015-03-01"


def test_wrapped_authority():
    sheet = back(authority="新疆维吾尔自治区伊犁哈萨克")
    sheet.box("自治州公安局", 300, 420)
    assert read(sheet).fields["issuingAuthority"] == "新疆维吾尔自治区伊犁哈萨克自治州公安局"


def test_back_without_titles_and_authority_label():
    sheet = back()
    sheet.remove("中华人民共和国")
    sheet.remove("居民身份证")
    sheet.remove("签发机关")
    reading = read(sheet)
    assert reading.sides == ["back"]
    assert reading.fields["issuingAuthority"] == "北京市公安局朝阳分局"
    assert reading.fields["validTo"] == "2035-03-01"


def test_missing_back_field_is_incomplete():
    sheet = back()
    sheet.remove("北京市公安局朝阳分局")
    reading = read(sheet)
    assert reading.fields["issuingAuthority"] is None
    assert codes(reading) == [("incomplete_card", "issuingAuthority")]


# --- both sides on one sheet ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "place",
    [
        {"front": (0, 0), "back": (0, 650)},  # photocopy: front above back
        {"front": (0, 650), "back": (0, 0)},  # back above front
        {"front": (0, 0), "back": (950, 0)},  # side by side
        {"front": (120, 40), "back": (0, 610)},  # not aligned
    ],
)
def test_both_sides_on_one_sheet(place):
    sheet = Sheet(scale=1.6, dx=80, dy=50)
    front(sheet, x0=place["front"][0], y0=place["front"][1], address=("湖南省长沙市岳麓区", "麓山南路2号"))
    back(
        sheet,
        x0=place["back"][0],
        y0=place["back"][1],
        authority="长沙市公安局岳麓分局",
        validity="2018.05.20-2038.05.20",
    )
    sheet.box("复印无效", 300, 600, width=400, height=80)
    random.Random(7).shuffle(sheet.lines)
    reading = read(sheet)
    assert reading.sides == ["front", "back"]
    assert reading.fields["name"] == "张三"
    assert reading.fields["address"] == "湖南省长沙市岳麓区麓山南路2号"
    assert reading.fields["idNumber"] == "110105194912310038"
    assert reading.fields["issuingAuthority"] == "长沙市公安局岳麓分局"
    assert reading.fields["validTo"] == "2038-05-20"
    assert reading.warnings == []


# --- no card ----------------------------------------------------------------------------------------------------


def _line(text, top):
    return TextLine.from_rect(text, 0.99, 10, top, 10 + 26 * len(text), top + 26)


@pytest.mark.parametrize(
    "lines",
    [
        [],
        [_line("今天天气很好", 10), _line("会议纪要2024年3月5日", 60)],
        [_line("姓名", 10)],  # one label alone is not a card
        [_line("出生证明", 10), _line("1990年1月1日", 50)],
        [_line("110105194912310037", 10)],  # a number with a bad checksum and nothing else
        [_line("有效期内使用", 10)],
    ],
)
def test_no_card_raises(lines):
    with pytest.raises(NoIdCardFound):
        extract_card(lines, today=TODAY)


def test_a_valid_number_alone_is_a_front():
    reading = extract_card([_line("110105194912310038", 10)], today=TODAY)
    assert reading.sides == ["front"]
    assert reading.fields["idNumber"] == "110105194912310038"
    assert {w.field for w in reading.warnings if w.code == "incomplete_card"} == {"name", "ethnicity", "address"}
    # What the valid number itself encodes stands in for the unread lines, each with its own warning.
    assert (reading.fields["gender"], reading.fields["dateOfBirth"]) == ("男", "1949-12-31")
    assert {(w.code, w.field) for w in reading.warnings} >= {
        ("gender_from_id_number", "gender"),
        ("birth_date_from_id_number", "dateOfBirth"),
    }


def test_body_keys_are_stable():
    body = read(front(back(), y0=700)).to_body()
    assert set(body) == set(ALL_FIELDS) | {"sides", "confidence", "warnings"}
    assert body["sides"] == ["front", "back"]
    assert set(body["confidence"]) == set(ALL_FIELDS)


@pytest.mark.parametrize("lost_validity_box", [False, True])
def test_authority_merged_with_the_validity_period(lost_validity_box):
    sheet = back(authority="银川市公安局兴庆分局", validity="2013.05.04-2033.05.04")
    sheet.replace("银川市公安局兴庆分局", "银川市公安局兴庆分局2013.05.04-2033.05.04")
    if lost_validity_box:
        sheet.remove("2013.05.04-2033.05.04")
    reading = extract_card(sheet.lines, today=TODAY)
    assert reading.fields["issuingAuthority"] == "银川市公安局兴庆分局"
    assert (reading.fields["validFrom"], reading.fields["validTo"]) == ("2013-05-04", "2033-05-04")


def test_wrapped_authority_whose_first_line_is_merged_with_its_label():
    sheet = back(authority="新疆维吾尔自治区克孜勒苏", merge={"签发机关"})
    sheet.box("柯尔克孜自治州公安局", 300, 420)  # under the value, above 有效期限
    reading = extract_card(sheet.lines, today=TODAY)
    assert reading.fields["issuingAuthority"] == "新疆维吾尔自治区克孜勒苏柯尔克孜自治州公安局"


def test_grey_stamp_and_watermark_lines_are_not_fields():
    sheet = front(address=("广东省梅州市兴宁市新陂镇", "新元村"))
    sheet.box("复禁", 330, 250, width=90, height=60)  # a square 禁止复印 stamp read row by row
    sheet.box("印止", 330, 300, width=90, height=60)
    sheet.box("仅限BDCI比赛使用", 0, 5)
    reading = extract_card(sheet.lines, today=TODAY)
    assert reading.fields["address"] == "广东省梅州市兴宁市新陂镇新元村"
    assert reading.fields["name"] == "张三"


def _period(sheet: Sheet) -> tuple[str | None, str | None]:
    reading = read(sheet)
    return reading.fields["validFrom"], reading.fields["validTo"]


def test_a_period_under_a_stamp_is_decoded_from_the_alternatives_with_a_warning():
    sheet = back(validity="2015.03.01-2035.03.01")
    sheet.replace("2015.03.01-2035.03.01", "2015.03.0案-2035.03.01", alternatives={9: {"案": 0.6, "1": 0.3}})
    reading = read(sheet)
    assert (reading.fields["validFrom"], reading.fields["validTo"]) == ("2015-03-01", "2035-03-01")
    assert ("validity_decoded", "validFrom") in codes(reading) and ("validity_decoded", "validTo") in codes(reading)
    assert reading.confidence["validFrom"] < 0.995


def test_the_runner_up_digit_that_makes_the_term_lawful_is_preferred():
    sheet = back(validity="2015.03.01-2035.03.01")
    alternatives = {9: {"案": 0.5, "7": 0.3, "1": 0.2}}  # best digit path: 2015.03.07, not 20 years to the day
    sheet.replace("2015.03.01-2035.03.01", "2015.03.0案-2035.03.01", alternatives=alternatives)
    assert _period(sheet) == ("2015-03-01", "2035-03-01")


def test_a_start_in_the_future_is_decoded_from_the_alternatives():
    sheet = back(validity="2015.03.01-2035.03.01")
    sheet.replace("2015.03.01-2035.03.01", "2915.03.01-2035.03.01", alternatives={1: {"9": 0.7, "0": 0.3}})
    assert _period(sheet) == ("2015-03-01", "2035-03-01")


def test_a_long_term_period_under_a_stamp():
    sheet = back(validity="2019.05.01-长期")
    sheet.replace("2019.05.01-长期", "2019.0止.01-长期", alternatives={6: {"止": 0.7, "5": 0.2}})
    assert _period(sheet) == ("2019-05-01", LONG_TERM)


def test_a_period_that_parses_is_kept_as_read_even_when_not_lawful():
    # Other generators' specimens print any pair of dates: the law is evidence for decoding, never a correction.
    reading = read(back(validity="2020.01.01-2030.12.12"))
    assert (reading.fields["validFrom"], reading.fields["validTo"]) == ("2020-01-01", "2030-12-12")
    assert reading.warnings == []


def test_a_period_the_alternatives_do_not_support_stays_unread():
    sheet = back(validity="2015.03.01-2035.03.01")
    sheet.replace("2015.03.01-2035.03.01", "2015.03.0案-2035.03.01", alternatives={9: {"案": 0.99, "1": 0.01}})
    reading = read(sheet)
    assert (reading.fields["validFrom"], reading.fields["validTo"]) == (None, None)
    assert ("invalid_date", "validFrom") in codes(reading)


def test_stamp_debris_after_the_authoritys_final_ju_is_dropped_with_a_warning():
    sheet = back(authority="湖南省湘西土家族苗族自治州吉首市公安局")
    sheet.replace("湖南省湘西土家族苗族自治州吉首市公安局", "湖南省湘西土家族苗族自治州吉首市公安局之禁")
    reading = read(sheet)
    assert reading.fields["issuingAuthority"] == "湖南省湘西土家族苗族自治州吉首市公安局"
    assert ("stray_text_dropped", "issuingAuthority") in codes(reading)


def test_gongan_followed_by_a_misread_ju_is_mended_when_the_alternatives_support_it():
    sheet = back(authority="北京市公安局丰台分局")
    sheet.replace("北京市公安局丰台分局", "北京市公安员丰台分局", alternatives={5: {"员": 0.6, "局": 0.3}})
    reading = read(sheet)
    assert reading.fields["issuingAuthority"] == "北京市公安局丰台分局"
    assert ("authority_repaired", "issuingAuthority") in codes(reading)


def test_an_authority_is_not_mended_without_support_nor_in_gongan_county():
    sheet = back(authority="北京市公安局丰台分局")
    sheet.replace("北京市公安局丰台分局", "北京市公安员丰台分局")
    assert read(sheet).fields["issuingAuthority"] == "北京市公安员丰台分局"
    reading = read(back(authority="公安县公安局"))
    assert reading.fields["issuingAuthority"] == "公安县公安局" and reading.warnings == []


@pytest.mark.parametrize(
    "line", ["仅用于酒店入住登记,复印无效", "仅用于资格审核,", "仅限BDCI比赛使用", "仅供办理社保使用"]
)
def test_watermark_lines_limiting_a_copys_use_are_dropped(line):
    from cnid_ocr.extract.text import strip_stamps

    assert strip_stamps(line) == ""


@pytest.mark.parametrize("authority", ["公安局南岗分局", "大理", "下分局", "孟祜族佤族自治县公安局"])
def test_an_authority_without_its_place_or_its_final_ju_is_kept_with_a_warning(authority):
    reading = read(back(authority=authority))
    assert reading.fields["issuingAuthority"] == authority
    assert codes(reading) == [("partial_value", "issuingAuthority")]


@pytest.mark.parametrize(
    "authority",
    ["大理市公安局", "哈尔滨市公安局南岗分局", "市辖区闵行区公安局", "城关派出所", "新疆生产建设兵团第一师公安局"],
)
def test_whole_authorities_are_not_taken_for_partial_ones(authority):
    reading = read(back(authority=authority))
    assert reading.fields["issuingAuthority"] == authority and reading.warnings == []


def test_the_front_on_the_page_is_evidence_for_the_backs_place_names():
    # Both sides on one page, each its own card (turned opposite ways): the back's 埔桥区 has 埇 as a weak
    # runner-up, too weak alone, enough with the front's number naming 埇桥区 (341302).
    number = "341302196509149963"
    front_card = CardLines(front(address=("安徽省宿州市埇桥区栏杆镇大旺村",), number=number).lines)
    sheet = back(authority="宿州市埔桥区公安局")
    sheet.lines[sheet.lines.index(sheet.find("宿州市埔桥区公安局"))] = with_alternatives(
        sheet.find("宿州市埔桥区公安局"), {3: {"埔": 0.9, "埇": 0.01}}
    )
    alone = combine_cards([CardLines(sheet.lines)], today=TODAY)
    assert alone.fields["issuingAuthority"] == "宿州市埔桥区公安局"
    page = combine_cards([front_card, CardLines(sheet.lines)], today=TODAY)
    assert page.fields["issuingAuthority"] == "宿州市埇桥区公安局"
    assert ("place_name_repaired", "issuingAuthority") in codes(page)
