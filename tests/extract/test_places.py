"""The GB/T 2260 gazetteer (python-stdnum's table) as evidence for place names."""

from cnid_ocr.extract.places import gazetteer, mend_place_names
from cnid_ocr.extract.side import Read
from cnid_ocr.ocr.types import TextLine

from .cardlines import with_alternatives


def read_of(text: str, alternatives: dict[int, dict[str, float]]) -> Read:
    line = with_alternatives(TextLine.from_rect(text, 0.99, 0, 0, 400, 30), alternatives)
    read = Read.join([(text, line)])
    assert read is not None
    return read


def test_region_code_names_its_county_prefecture_and_province():
    places = gazetteer()
    assert places.region_names("341302196509149963") >= {"埇桥区", "宿州市", "安徽省"}
    assert "横县" in places.by_code["450127"]  # a name valid 2002-2021 is still known
    assert places.region_names("99") == frozenset()


def test_near_names_differ_in_one_character():
    assert ("埇桥区", (0,)) in gazetteer().near("埔桥区")
    assert ("怒江傈僳族自治州", (2, 3)) in gazetteer().near("怒江便儒族自治州")  # two changes in a long name
    assert gazetteer().near("埇桥区") == [] or all(name != "埇桥区" for name, _ in gazetteer().near("埇桥区"))


def test_a_misread_county_is_mended_when_the_recogniser_had_the_right_character():
    text = "安徽省宿州市埔桥区栏杆镇大旺村"
    mended, mends = mend_place_names(read_of(text, {6: {"埔": 0.72, "埇": 0.08, "桶": 0.07}}), "341302196509149963")
    assert mended == "安徽省宿州市埇桥区栏杆镇大旺村"
    assert [(m.old, m.new, m.name) for m in mends] == [("埔", "埇", "埇桥区")]


def test_no_mend_without_the_recognisers_support():
    text = "安徽省宿州市埔桥区栏杆镇大旺村"
    assert mend_place_names(read_of(text, {}), "341302196509149963") == (text, [])


def test_a_real_name_is_never_turned_into_another():
    # 西城区 and 东城区 are both places: a reading that already is one stays, whatever the runner-up.
    text = "北京市西城区金融街1号"
    assert mend_place_names(read_of(text, {3: {"西": 0.6, "东": 0.4}}))[0] == text


def test_a_group_name_inside_an_autonomous_area():
    text = "广西壮族自治区河池市罗城仏佬族自治县"
    mended, _ = mend_place_names(read_of(text, {12: {"仏": 0.8, "仫": 0.1, "仡": 0.06}}))
    assert mended == "广西壮族自治区河池市罗城仫佬族自治县"


def test_two_misread_characters_of_a_long_name():
    text = "云南省怒江便儒族自治州泸水市"
    alternatives = {5: {"便": 0.6, "傈": 0.3}, 6: {"儒": 0.5, "僳": 0.4}}
    assert mend_place_names(read_of(text, alternatives))[0] == "云南省怒江傈僳族自治州泸水市"


def test_the_place_names_an_address_begins_with():
    places = gazetteer()
    assert places.leading_places("广西壮族自治区河池市环江毛南族自治县") == len("广西壮族自治区河池市环江毛南族自治县")
    assert places.leading_places("北京市西城区建国路164号") == len("北京市西城区")
    assert places.leading_places("建国路164号") == 0
