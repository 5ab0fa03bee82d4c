"""The card's own redundancy on the portrait side: the ID number's checksum, birth date and sex digit against the
出生 and 性别 lines, ethnicity against the 56 groups. Warnings inform; a value changes only by an evidence-backed
repair, and a value the card does not let us read is taken from a fully valid number, with its own warning.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from . import codes, idnumber
from .ethnic import match_ethnicity
from .grammar import MIN_SUPPORT, choose, lattice_of
from .names import MIDDLE_DOT, dropped_dots, normalize_name
from .places import gazetteer, mend_place_names
from .side import REPAIR_PENALTY, Read, SideResult

GENDERS = ("男", "女")
# A number read at or above this OCR score is taken as printed: a checksum failure then means the card itself is
# inconsistent (specimens, some real cards), which we report rather than "fix". Below it, or when the read also
# contradicts the 出生 / 性别 lines, a unique single-character repair is applied.
REPAIR_MAX_SCORE = 0.99


def number_and_checks(
    out: SideResult, read: Read | None, birth: dt.date | None, gender: str | None, today: dt.date
) -> None:
    if read is None:
        out.set("idNumber", None, None)
        return
    value = idnumber.normalize(read.text)
    info = idnumber.parse(value, today=today)
    confidence = read.score
    lattice = lattice_of(read)
    decoded = idnumber.decode(lattice) if lattice is not None else None
    if lattice is not None and len(value) != 18:
        # Read with a character too many or too few: the 18-character path when it passes the checksum (the 17
        # printed on some copies stay), else the 17/18-character one, when the recogniser supports the change.
        full = idnumber.decode(lattice, (18,))
        valid = full is not None and idnumber.parse(full.value, today=today).valid
        candidate = full if valid else (decoded if len(value) != 17 else None)
        ratio = math.exp(candidate.log_prob - lattice.score(read.text)) if candidate and read.text else 1.0
        if candidate is not None and (ratio >= idnumber.LENGTH_CHANGE_RATIO or not value):
            out.warn(
                codes.ID_NUMBER_REPAIRED,
                f"read {value!r} ({len(value)} characters); decoded as {candidate.value} from the recogniser's "
                "alternatives",
                "idNumber",
            )
            value, info, decoded = candidate.value, idnumber.parse(candidate.value, today=today), candidate
            confidence = read.score * min(REPAIR_PENALTY, 0.5 + ratio / 2)
    if info.well_formed and not info.checksum_ok and decoded is not None and decoded.value == value:
        change = idnumber.lattice_repair(decoded, today=today, birth_date=birth, sex=gender)
        if change is not None:
            out.warn(
                codes.ID_NUMBER_REPAIRED,
                f"read {value}; character {change.position + 1} '{change.old}' read as '{change.new}' instead "
                f"(the recogniser's alternative, {change.support:.0%} as likely, that satisfies the checksum)",
                "idNumber",
            )
            value, info = change.value, idnumber.parse(change.value, today=today)
            confidence = read.score * min(REPAIR_PENALTY, 0.5 + change.support / 2)
    if info.well_formed and not info.checksum_ok:
        contradicted = (birth is not None and info.birth_date != birth) or (gender is not None and info.sex != gender)
        fix = None
        if read.score < REPAIR_MAX_SCORE or contradicted:
            fix = idnumber.repair(value, today=today, birth_date=birth, sex=gender)
        if fix is not None:
            out.warn(
                codes.ID_NUMBER_REPAIRED,
                f"read {value}; character {fix.position + 1} '{fix.old}' corrected to '{fix.new}' "
                "(the only change that satisfies the checksum and the printed birth date / sex)",
                "idNumber",
            )
            value, info, confidence = fix.value, idnumber.parse(fix.value, today=today), read.score * REPAIR_PENALTY
    out.set("idNumber", value, confidence)

    if not info.well_formed or not info.region_ok:
        out.warn(codes.ID_NUMBER_INVALID, f"{value!r} is not a well-formed citizen ID number", "idNumber")
    elif not info.checksum_ok:
        out.warn(
            codes.ID_CHECKSUM_FAILED,
            f"check character '{value[17]}' should be '{idnumber.check_char(value[:17])}'",
            "idNumber",
        )
    if info.residence_permit:
        out.warn(codes.RESIDENCE_PERMIT_NUMBER, "prefix 81/82/83: a HK/Macao/Taiwan residence permit", "idNumber")
    if info.well_formed and info.birth_date is None:
        out.warn(codes.INVALID_DATE, f"the number's birth date {value[6:14]} is not possible", "idNumber")
    if info.birth_date and birth and info.birth_date != birth:
        out.warn(codes.BIRTH_DATE_MISMATCH, f"出生 says {birth}, the number says {info.birth_date}", "dateOfBirth")
    if info.sex and gender and info.sex != gender:
        out.warn(codes.GENDER_MISMATCH, f"性别 says {gender}, the number's sex digit says {info.sex}", "gender")


def confirmed_number(out: SideResult) -> str | None:
    """The number when it passed every check (or was repaired to): only then may it stand in for a printed line."""
    number = out.fields.get("idNumber")
    failed = any(w.code in (codes.ID_CHECKSUM_FAILED, codes.ID_NUMBER_INVALID) for w in out.warnings)
    return number if number and not failed else None


def name(out: SideResult, read: Read | None) -> None:
    """The 姓名 value with the minority names' middle dot, restored where the recogniser saw it but its greedy
    reading dropped it (announced)."""
    if read is None:
        out.set("name", None, None)
        return
    dots = dropped_dots(read)
    text = read.text
    for index in reversed(dots):
        text = text[:index] + MIDDLE_DOT + text[index:]
    value = normalize_name(text)
    out.set("name", value or None, read.score * (REPAIR_PENALTY if dots else 1.0))
    if dots and value:
        out.warn(codes.NAME_REPAIRED, f"姓名 read as {read.text!r}; the middle dot restored ({value})", "name")


def gender(out: SideResult, read: Read | None, printed: str | None) -> None:
    if printed is not None:
        out.set("gender", printed, read.score if read else None)
        return
    lattice = lattice_of(read) if read is not None and len(read.text) <= 2 else None
    choice = choose(lattice, GENDERS, read.text) if lattice is not None and read is not None else None
    if choice is not None and choice.support >= MIN_SUPPORT and read is not None:
        # Misread as another glyph ("另", "文"): 男 or 女, whichever the recogniser's alternatives support.
        out.set("gender", choice.value, choice.confidence)
        out.warn(codes.GENDER_REPAIRED, f"性别 read as {read.text!r}, taken as {choice.value}", "gender")
        return
    # 性别 unreadable or not found: a confirmed number's sex digit decides.
    number = confirmed_number(out)
    seen = f"read as {read.text!r}" if read else "not found"
    if number:
        out.set("gender", idnumber.sex_of(number), out.confidence["idNumber"] * REPAIR_PENALTY)
        out.warn(codes.GENDER_FROM_ID_NUMBER, f"性别 {seen}; taken from the ID number", "gender")
    else:
        out.set("gender", None, None)
        if read is not None:
            out.warn(codes.LOW_CONFIDENCE, f"性别 {seen}, neither 男 nor 女", "gender")


def birth_from_number(out: SideResult, read: Read | None, today: dt.date) -> None:
    """出生 not found or not a date: a confirmed number's birth date, if what was read of the line agrees with it.

    Agreeing means every digit group read (e.g. "1983" alone, or "1月18日" whose year was lost) is the year, month or
    day of the number's date; a contradiction leaves the field empty (the card itself may be inconsistent).
    """
    if out.fields.get("dateOfBirth") is not None:
        return
    number = confirmed_number(out)
    born = idnumber.parse(number, today=today).birth_date if number else None
    if born is None:
        return
    groups = [int(group) for group in re.findall(r"[0-9]+", read.text)] if read else []
    if any(group not in (born.year, born.month, born.day) for group in groups):
        return
    out.warnings = [w for w in out.warnings if not (w.field == "dateOfBirth" and w.code == codes.INVALID_DATE)]
    out.set("dateOfBirth", born.isoformat(), out.confidence["idNumber"] * REPAIR_PENALTY)
    seen = f"read as {read.text!r}" if read else "not found"
    out.warn(codes.BIRTH_DATE_FROM_ID_NUMBER, f"出生 {seen}; taken from the ID number", "dateOfBirth")


def ethnicity(out: SideResult, read: Read | None) -> None:
    found = match_ethnicity(read.text, lattice_of(read)) if read else None
    if read is None or found is None:
        out.set("ethnicity", None, None)
        return
    confidence = (
        found.support
        if found.corrected and found.support < 1.0
        else read.score * (REPAIR_PENALTY if found.corrected else 1.0)
    )
    out.set("ethnicity", found.value, confidence)
    if found.corrected:
        out.warn(codes.ETHNICITY_REPAIRED, f"民族 read as {read.text!r}, taken as {found.value}", "ethnicity")
    elif not found.known:
        if all(line.reread for line in read.lines):  # read where the layout guessed: debris, not a value
            out.set("ethnicity", None, None)
        out.warn(codes.UNKNOWN_ETHNICITY, f"{found.value!r} is not one of the 56 groups of GB 3304", "ethnicity")


# An address begins with its province (or municipality); text before one this close to the start is debris.
MAX_ADDRESS_PREFIX = 2


def address_start(out: SideResult, read: Read | None) -> Read | None:
    """An address printed from its province: one or two characters read before a province name that starts
    the rest (a stamp's fragment, a dot) are dropped, announced."""
    value = out.fields.get("address")
    if not value or read is None or read.text != value:
        return read
    provinces = gazetteer().province_names
    if any(value.startswith(name) for name in provinces):
        return read
    for skip in range(1, MAX_ADDRESS_PREFIX + 1):
        if any(value[skip:].startswith(name) for name in provinces):
            rest = read.slice(skip)
            if rest is None:
                return read
            out.set("address", rest.text, out.confidence.get("address"))
            out.warn(codes.STRAY_TEXT_DROPPED, f"{value[:skip]!r} read before the province dropped", "address")
            return rest
    return read


# Below its county an address always names a street, a village or a building: at least this many characters.
MIN_ADDRESS_DETAIL = 3
# A number after a road, street or village is a house or a group number: 号 or 组 follows it on the card.
_BARE_NUMBER_END = re.compile(r"[村路街道巷镇乡][0-9]+$")
_AUTHORITY_ENDS = ("局", "所")  # 公安局, 分局, 派出所
_AUTHORITY_WITHOUT_PLACE = ("新疆生产建设兵团",)


def partial_values(out: SideResult) -> None:
    """Values that cannot be the whole field (a line lost under a stamp, characters cut at a box's edge) are kept
    as read and announced: a client comparing them with its records must know the reading stopped short."""
    for field_name, why in (
        ("name", _partial_name),
        ("address", _partial_address),
        ("issuingAuthority", _partial_authority),
    ):
        value = out.fields.get(field_name)
        reason = why(value) if value else None
        if reason:
            out.warn(codes.PARTIAL_VALUE, reason, field_name)


def _partial_name(value: str) -> str | None:
    return "one character read: a name has at least two" if len(value) < 2 else None


def _partial_address(value: str) -> str | None:
    places = gazetteer().leading_places(value)
    if not places:
        return "the address does not begin with a place name: its first line may be lost"
    if len(value) - places < MIN_ADDRESS_DETAIL:
        return "the address stops at (or just after) its place names: a line may be lost"
    cut = gazetteer().cut_name(value)
    if cut:
        return f"a place name in the address breaks off (as if {cut} lost characters)"
    if _BARE_NUMBER_END.search(value):
        return "the address ends with a number without its 号 or 组: a line may be lost"
    return None


def _partial_authority(value: str) -> str | None:
    # A public security bureau is named after its place (济南市公安局历下分局, 临泉县公安局; 公安县 is a county):
    # one that begins otherwise lost its start (a highlight or a stamp over it: 下分局). A police station (城关派出所)
    # may be named after a town, which GB/T 2260 (counties and up) does not list; so may the Xinjiang Production and
    # Construction Corps' bureaus.
    named = value.removeprefix("市辖区")  # GB/T 2260's name for a city's districts, before the district's own
    if not gazetteer().leading_places(named) and not value.startswith(_AUTHORITY_WITHOUT_PLACE):
        if value.startswith("公安"):
            return "the issuing authority's place name is missing"
        if not value.endswith("派出所"):
            return "the issuing authority does not begin with a place name: its start may be lost"
    if not value.endswith(_AUTHORITY_ENDS):
        return "the issuing authority does not end with 局 or 所: part of it may be lost"
    return None


def place_names(out: SideResult, field_name: str, read: Read | None, region_code: str | None = None) -> None:
    """A misread character inside a place name (address, issuing authority) mended where the gazetteer and the
    recogniser's alternatives agree (埔桥区 -> 埇桥区 when 埇 was the runner-up), each mend announced."""
    value = out.fields.get(field_name)
    if not value or read is None or read.text != value:
        return
    mended, mends = mend_place_names(read, region_code)
    if not mends:
        return
    support = min(mend.support for mend in mends)
    out.set(field_name, mended, out.confidence.get(field_name, 1.0) * min(REPAIR_PENALTY, 0.5 + support))
    said = ", ".join(f"{mend.old!r} as {mend.new!r} ({mend.name})" for mend in mends)
    out.warn(codes.PLACE_NAME_REPAIRED, f"place name read with {said}", field_name)
