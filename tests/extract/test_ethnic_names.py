import pytest
from cnid_ocr.extract.ethnic import ETHNIC_GROUPS, match_ethnicity
from cnid_ocr.extract.names import normalize_name


def test_56_distinct_groups_without_zu():
    assert len(ETHNIC_GROUPS) == len(set(ETHNIC_GROUPS)) == 56
    assert not any(group.endswith("族") for group in ETHNIC_GROUPS)
    for group in ("汉", "仫佬", "鄂伦春", "柯尔克孜", "达斡尔", "傈僳", "德昂", "基诺", "珞巴", "乌孜别克"):
        assert group in ETHNIC_GROUPS


@pytest.mark.parametrize("group", ETHNIC_GROUPS)
def test_every_group_matches_itself(group):
    found = match_ethnicity(group)
    assert found is not None and (found.value, found.known, found.corrected) == (group, True, False)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("维吾儿", "维吾尔"), ("柯尔克兹", "柯尔克孜"), ("仫老", "仫佬"), ("鄂伦", "鄂伦春"), ("达斡尔尔", "达斡尔")],
)
def test_one_edit_misread_maps_to_the_only_close_group(raw, expected):
    found = match_ethnicity(raw)
    assert found is not None and (found.value, found.known, found.corrected) == (expected, True, True)


def test_trailing_zu_and_spaces_are_ignored():
    assert match_ethnicity("土家族").value == "土家"
    assert match_ethnicity("土 族").value == "土"
    assert match_ethnicity("汉族").corrected is False


@pytest.mark.parametrize("raw", ["汊", "四", "穿青人", "布"])
def test_ambiguous_or_far_reads_stay_unknown(raw):
    # 汊 is one edit from every one-character group; 布 from 布依 and 布朗.
    found = match_ethnicity(raw)
    assert found is not None and (found.value, found.known) == (raw, False)


def test_empty_is_none():
    assert match_ethnicity(" ") is None


@pytest.mark.parametrize("dot", ["·", "•", "・", ".", "-", "一", "‧", "—"])
def test_minority_name_dot_is_normalised(dot):
    assert normalize_name(f"阿依古丽{dot}买买提") == "阿依古丽·买买提"


@pytest.mark.parametrize("name", ["王一博", "欧阳一鸣", "李一"])
def test_yi_in_han_names_is_kept(name):
    assert normalize_name(name) == name


def test_name_spaces_and_edge_dots_removed():
    assert normalize_name(" 欧阳 赟 ") == "欧阳赟"
    assert normalize_name("·买买提.") == "买买提"
    assert normalize_name("☑韦德春") == "韦德春"
    assert normalize_name("|李娜」") == "李娜"
    assert normalize_name("买买提·艾力·热合曼") == "买买提·艾力·热合曼"


@pytest.mark.parametrize(
    ("read", "group"), [("漢", "汉"), ("維吾爾", "维吾尔"), ("滿族", "满"), ("鄂倫春", "鄂伦春"), ("朝鮮", "朝鲜")]
)
def test_traditional_forms_are_mapped(read, group):
    found = match_ethnicity(read)
    assert (found.value, found.known, found.corrected) == (group, True, True)


@pytest.mark.parametrize(("read", "group"), [("汉工后", "汉"), ("土家工后", "土家"), ("蒙古12", "蒙古")])
def test_group_followed_by_background_text(read, group):
    found = match_ethnicity(read)
    assert (found.value, found.known) == (group, True)


def test_one_character_group_plus_one_glyph_stays_ambiguous():
    # One edit from both 土 and 土家: not cut down to the prefix 土.
    assert match_ethnicity("土嘉").known is False


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        ("云南省德宏傣族景颜族自治州芒市", "云南省德宏傣族景颇族自治州芒市"),  # one group fits: mended
        ("广西壮族自治区河池市罗城仏佬族自治县", "广西壮族自治区河池市罗城仏佬族自治县"),  # 仫佬 or 仡佬: left
        ("四川省阿坝藏族羌族自治州", "四川省阿坝藏族羌族自治州"),  # already right
        ("北京市民族路8号", "北京市民族路8号"),  # not an autonomous-area name
        ("青海省海东市民和回族土族自治县", "青海省海东市民和回族土族自治县"),  # one-character groups
    ],
)
def test_autonomous_area_names(read, expected):
    from cnid_ocr.extract.ethnic import repair_autonomous_area_names

    assert repair_autonomous_area_names(read)[0] == expected
