import pytest
from cnid_ocr.extract.ethnic import ETHNIC_GROUPS, match_ethnicity
from cnid_ocr.extract.names import normalize_name
from cnid_ocr.ocr.lattice import Lattice
from cnid_ocr.ocr.types import TextLine

from .cardlines import with_alternatives


def test_56_distinct_groups_without_zu():
    assert len(ETHNIC_GROUPS) == len(set(ETHNIC_GROUPS)) == 56
    assert not any(group.endswith("族") for group in ETHNIC_GROUPS)
    for group in ("汉", "仫佬", "鄂伦春", "柯尔克孜", "达斡尔", "傈僳", "德昂", "基诺", "珞巴", "乌孜别克"):
        assert group in ETHNIC_GROUPS


@pytest.mark.parametrize("group", ETHNIC_GROUPS)
def test_every_group_matches_itself(group):
    found = match_ethnicity(group)
    assert found is not None and (found.value, found.known, found.corrected) == (group, True, False)


def lattice(text: str, alternatives: dict[int, dict[str, float]]) -> Lattice:
    line = with_alternatives(TextLine.from_rect(text, 1.0, 0, 0, 10, 10), alternatives)
    return line.window(0, len(text))


@pytest.mark.parametrize(
    ("raw", "alternatives", "expected"),
    [
        ("维吾儿", {2: {"儿": 0.6, "尔": 0.35}}, "维吾尔"),
        ("柯尔克兹", {3: {"兹": 0.7, "孜": 0.2}}, "柯尔克孜"),
        ("仏佬", {0: {"仏": 0.8, "仫": 0.1, "仡": 0.05}}, "仫佬"),  # both groups fit by edit distance: 仫 is likelier
        ("保儒", {0: {"保": 0.5, "傈": 0.4}, 1: {"儒": 0.6, "僳": 0.3}}, "傈僳"),  # not 保安: 安 was never read
    ],
)
def test_misread_group_is_the_best_scoring_group_of_the_lattice(raw, alternatives, expected):
    found = match_ethnicity(raw, lattice(raw, alternatives))
    assert found is not None and (found.value, found.known, found.corrected) == (expected, True, True)
    assert 0 < found.support < 1


@pytest.mark.parametrize("raw", ["维吾儿", "保儒", "内巴"])
def test_no_repair_without_the_recognisers_support(raw):
    # The recogniser was sure of what it read: a group one edit away is a guess, not a reading.
    found = match_ethnicity(raw, lattice(raw, {}))
    assert found is not None and (found.value, found.known, found.corrected) == (raw, False, False)


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
