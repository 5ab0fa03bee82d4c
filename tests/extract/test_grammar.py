"""Fields decoded under their grammar from the recogniser's alternatives (synthetic lattices, no model)."""

import datetime as dt

from cnid_ocr.extract import checks
from cnid_ocr.extract.grammar import best_pattern, choose
from cnid_ocr.extract.idnumber import decode, lattice_repair, number_char
from cnid_ocr.extract.side import Read, SideResult
from cnid_ocr.ocr.lattice import Lattice
from cnid_ocr.ocr.types import TextLine

from .cardlines import TODAY, id_number, with_alternatives

NUMBER = id_number("341302", "19650914", "996")  # 埇桥区


def number_line(text: str, alternatives: dict[int, dict[str, float]] | None = None) -> TextLine:
    line = TextLine.from_rect(text, 0.99, 0, 0, 400, 30)
    return with_alternatives(line, alternatives or {})


def number_read(line: TextLine) -> Read:
    read = Read.join([(line.text, line)])
    assert read is not None
    return read


def test_choose_prefers_the_candidate_the_lattice_supports():
    lattice = number_line("男", {0: {"男": 0.6, "女": 0.4}}).window(0, 1)
    found = choose(lattice, ["男", "女"], "男")
    assert found is not None and found.value == "男" and 0.5 < found.posterior < 1


def test_pattern_finds_the_digit_the_greedy_reading_dropped():
    # 17 characters read, the 18th was a near-tie with a blank: the 18-character path exists in the lattice.
    steps = list(number_line(NUMBER[:17]).alternatives()[0].steps)
    steps += [{"": 0.55, NUMBER[17]: 0.45}]
    assert decode(Lattice(tuple(steps))).value == NUMBER[:17]  # the single best path stops at 17
    found = decode(Lattice(tuple(steps)), (18,))
    assert found is not None and found.value == NUMBER


def test_pattern_reads_look_alike_letters_as_digits():
    text = NUMBER.replace("0", "O")
    found = decode(number_line(text).window(0, len(text)))
    assert found is not None and found.value == NUMBER
    assert number_char("O") == "0" and number_char("x") == "X" and number_char("年") is None


def test_pattern_respects_lengths_and_classes():
    lattice = Lattice(({"a": 0.9, "1": 0.1}, {"": 1.0}, {"2": 1.0}))
    found = best_pattern(lattice, lambda i: "0123456789", (2,))
    assert found is not None and found.value == "12"
    assert best_pattern(lattice, lambda i: "0123456789", (3,)) is None


def test_checksum_repair_takes_the_recognisers_runner_up():
    wrong = NUMBER[:10] + "6" + NUMBER[11:]  # position 11 (month digit) misread
    assert NUMBER[10] != "6"
    line = number_line(wrong, {10: {"6": 0.6, NUMBER[10]: 0.35}})
    reading = decode(line.window(0, 18))
    assert reading is not None and reading.value == wrong
    fix = lattice_repair(reading, today=TODAY, birth_date=None, sex=None)
    assert fix is not None and fix.value == NUMBER and fix.position == 10


def test_no_checksum_repair_when_the_recogniser_was_sure():
    wrong = NUMBER[:10] + "6" + NUMBER[11:]
    reading = decode(number_line(wrong).window(0, 18))
    assert lattice_repair(reading, today=TODAY, birth_date=None, sex=None) is None


def test_number_check_announces_a_restored_character():
    steps = list(number_line("公民身份号码" + NUMBER[:17]).alternatives()[0].steps)
    steps += [{"": 0.6, NUMBER[17]: 0.4}]
    line = TextLine(
        "公民身份号码" + NUMBER[:17],
        0.99,
        ((0, 0), (400, 0), (400, 30), (0, 30)),
        Lattice(tuple(steps)),
        tuple((3 * i, 3 * i + 2) for i in range(23)),
    )
    read = Read.join([(NUMBER[:17], line)])
    out = SideResult()
    checks.number_and_checks(out, read, dt.date(1965, 9, 14), "女", TODAY)
    assert out.fields["idNumber"] == NUMBER
    assert [w.code for w in out.warnings] == ["id_number_repaired"]
