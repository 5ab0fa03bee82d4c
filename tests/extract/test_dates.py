import datetime as dt

import pytest
from cnid_ocr.extract.dates import DateParseError, parse_birth, parse_validity


@pytest.mark.parametrize(
    "text",
    [
        "1990年1月1日",
        "1990 年 1 月 1 日",
        "1990年01月01日",
        "1990年1月1",  # 日 lost
        "19901月1日",  # 年 lost
        "1990年1 1日",  # 月 lost, a gap remains
        "１９９０年１月１日",  # full-width
        "199O年l月1日",  # letters for digits
        "1990年1月1曰",  # 日 misread
    ],
)
def test_birth_line_variants(text):
    assert parse_birth(text) == dt.date(1990, 1, 1)


def test_birth_two_digit_month_and_day():
    assert parse_birth("1985年12月31日") == dt.date(1985, 12, 31)
    assert parse_birth("19851231") == dt.date(1985, 12, 31)


def test_birth_split_resolved_by_existence():
    # "131" can only be January 31 (month 13 does not exist).
    assert parse_birth("1990131") == dt.date(1990, 1, 31)


@pytest.mark.parametrize(
    "text",
    [
        "1990112",  # Jan 12 or Nov 2
        "1990年2月30日",  # does not exist
        "1990年13月1日",
        "年月日",
        "",
        "90年1月1日",  # no 4-digit year
    ],
)
def test_birth_refuses_ambiguous_or_impossible(text):
    with pytest.raises(DateParseError):
        parse_birth(text)


@pytest.mark.parametrize(
    "text",
    [
        "2015.03.01-2035.03.01",
        "2015.03.01—2035.03.01",
        "2015.03.01一2035.03.01",
        "2015.03.01－2035.03.01",
        "2015.03.01~2035.03.01",
        "2015.03.01～2035.03.01",
        "20150301-20350301",
        "2015 03 01 - 2035 03 01",
        "2015.03.012035.03.01",
        "2015,03.01-2035.O3.01",
    ],
)
def test_validity_variants(text):
    assert parse_validity(text) == (dt.date(2015, 3, 1), dt.date(2035, 3, 1))


@pytest.mark.parametrize("text", ["2010.01.01-长期", "2010.01.01 - 长期", "20100101长期", "2010.01.01一长期"])
def test_validity_long_term(text):
    assert parse_validity(text) == (dt.date(2010, 1, 1), None)


@pytest.mark.parametrize(
    "text",
    [
        "2015.02.30-2035.02.30",  # does not exist
        "2015.03.01-2035.03.0",  # digit lost
        "2015.03.01-",  # end lost
        "2015.03.01-2035.03.01-长期",  # both: incoherent
        "有效期限",
    ],
)
def test_validity_refuses_bad_periods(text):
    with pytest.raises(DateParseError):
        parse_validity(text)
