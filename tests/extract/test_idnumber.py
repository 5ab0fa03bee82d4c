import datetime as dt

import pytest
from cnid_ocr.extract import idnumber

from .cardlines import TODAY, id_number


@pytest.mark.parametrize(
    ("number", "check"),
    [
        ("11010519491231002X", "X"),  # the example of GB 11643-1999
        ("440524188001010014", "4"),  # the other example of the standard
        ("110105194912310038", "8"),
    ],
)
def test_check_char_matches_the_standard(number, check):
    assert idnumber.check_char(number[:17]) == check


def test_check_char_agrees_with_an_independent_implementation():
    for body in ("65010219690806516", "44010619800316125", "51010720051231999", "00000000000000000"):
        assert idnumber.check_char(body) == id_number(body[:6], body[6:14], body[14:])[-1]


def test_check_char_needs_17_digits():
    with pytest.raises(ValueError):
        idnumber.check_char("1101051949123100")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),  # full-width
        ("11010519491231002x", "11010519491231002X"),
        ("11010519491231002×", "11010519491231002X"),
        ("110 105 1949 1231 002X", "11010519491231002X"),
        ("11O1O5I9491231002X", "11010519491231002X"),  # letters O / I in digit positions
        ("11010519491231002X", "11010519491231002X"),
        ("l10105194912310038", "110105194912310038"),
        ("公民身份号码110105194912310038", "110105194912310038"),  # a merged label is dropped
    ],
)
def test_normalize_undoes_unambiguous_confusions(raw, expected):
    assert idnumber.normalize(raw) == expected


def test_normalize_keeps_an_x_in_a_digit_position():
    # X in the middle has no single digit reading: keep it and let validation fail.
    assert idnumber.normalize("1101X5194912310038") == "1101X5194912310038"
    assert not idnumber.parse("1101X5194912310038", today=TODAY).well_formed


def test_parse_valid_number():
    info = idnumber.parse("11010519491231002X", today=TODAY)
    assert info.valid and info.checksum_ok and info.region_ok and not info.residence_permit
    assert info.birth_date == dt.date(1949, 12, 31)
    assert info.sex == "女"  # sequence 002: even


def test_sex_digit_parity():
    assert idnumber.parse(id_number("110105", "19900101", "001"), today=TODAY).sex == "男"
    assert idnumber.parse(id_number("110105", "19900101", "010"), today=TODAY).sex == "女"


def test_checksum_failure_is_reported_not_hidden():
    info = idnumber.parse("110105194912310039", today=TODAY)
    assert info.well_formed and not info.checksum_ok and not info.valid


@pytest.mark.parametrize("prefix", ["81", "82", "83"])
def test_residence_permit_prefixes_are_well_formed_but_flagged(prefix):
    info = idnumber.parse(id_number(prefix + "0000", "19900101", "001"), today=TODAY)
    assert info.valid and info.residence_permit


@pytest.mark.parametrize("prefix", ["00", "10", "71", "72", "80", "84", "91", "99"])
def test_unknown_province_prefix_is_invalid(prefix):
    info = idnumber.parse(id_number(prefix + "0105", "19900101", "001"), today=TODAY)
    assert info.checksum_ok and not info.region_ok and not info.valid


@pytest.mark.parametrize("born", ["19900230", "19901301", "20990101", "20250602", "18991231"])
def test_birth_date_must_exist_and_not_be_in_the_future(born):
    info = idnumber.parse(id_number("110105", born, "001"), today=TODAY)
    assert info.checksum_ok and info.birth_date is None and not info.valid


def test_birth_date_today_is_allowed():
    assert idnumber.parse(id_number("110105", "20250601", "001"), today=TODAY).valid


@pytest.mark.parametrize("raw", ["11010519491231002", "11010519491231002X1", "", "ABCDEFGHIJKLMNOPQR"])
def test_malformed_numbers(raw):
    assert not idnumber.parse(raw, today=TODAY).well_formed


# --- repair -----------------------------------------------------------------------------------------------------


def test_repair_x_read_as_8():
    fix = idnumber.repair("110105194912310028", today=TODAY, birth_date=dt.date(1949, 12, 31), sex="女")
    assert fix is not None
    assert (fix.value, fix.position, fix.old, fix.new) == ("11010519491231002X", 17, "8", "X")


def test_repair_8_read_as_x():
    true = "513555197302229888"
    assert idnumber.parse(true, today=TODAY).valid
    fix = idnumber.repair(true[:17] + "X", today=TODAY, birth_date=dt.date(1973, 2, 22), sex="女")
    assert fix is not None and fix.value == true


def test_repair_date_digit_guided_by_the_birth_line():
    true = id_number("440106", "19800316", "125")
    misread = true[:13] + "8" + true[14:]  # 6 read as 8: 1980-03-18, a date that exists
    fix = idnumber.repair(misread, today=TODAY, birth_date=dt.date(1980, 3, 16), sex=None)
    assert fix is not None and fix.value == true and fix.position == 13


def test_repair_refused_when_several_substitutions_fit():
    true = "65010219690806516X"
    misread = true[:17] + "8"
    candidates = idnumber.repair_candidates(misread, today=TODAY, birth_date=dt.date(1969, 8, 6), sex="女")
    assert len(candidates) == 2 and true in {c.value for c in candidates}
    assert idnumber.repair(misread, today=TODAY, birth_date=dt.date(1969, 8, 6), sex="女") is None


def test_repair_needs_printed_evidence():
    assert idnumber.repair("110105194912310028", today=TODAY, birth_date=None, sex=None) is None


def test_repair_must_agree_with_the_birth_line_and_sex():
    # With a 出生 line that says otherwise, the X repair is no longer consistent.
    assert idnumber.repair("110105194912310028", today=TODAY, birth_date=dt.date(1949, 12, 30), sex=None) is None
    assert idnumber.repair("110105194912310028", today=TODAY, birth_date=None, sex="男") is None


def test_repair_only_uses_listed_confusions():
    true = id_number("110105", "19900101", "004")
    misread = true[:15] + "2" + true[16:]  # 0 read as 2: not a listed confusion
    assert not idnumber.parse(misread, today=TODAY).checksum_ok
    candidates = idnumber.repair_candidates(misread, today=TODAY, birth_date=dt.date(1990, 1, 1), sex="女")
    assert true not in {c.value for c in candidates}
    assert all(c.position != 15 for c in candidates)
