"""Citizen identity number (GB 11643-1999): normalisation, validation, and single-misread repair.

Layout: 6-digit region code (GB/T 2260) + birth date YYYYMMDD + 3-digit sequence (odd = male) + check character
(ISO 7064 MOD 11-2, 0-9 or X).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from ..ocr.lattice import Lattice
from .grammar import MIN_SUPPORT, PatternReading, best_pattern

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # indexed by (weighted sum mod 11)

# Province-level prefixes of GB/T 2260 that issue resident ID cards. 71 (Taiwan) is in the standard but issues none.
PROVINCES = frozenset(
    ("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41")
    + ("42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65")
)
# Residence permits of Hong Kong (81), Macao (82) and Taiwan (83) residents (since 2018) use the same number
# format. We accept them as well-formed numbers (they are real documents, not garbage) but flag them: the card is
# then not a 居民身份证.
RESIDENCE_PERMIT_PREFIXES = frozenset({"81", "82", "83"})

EARLIEST_BIRTH = dt.date(1900, 1, 1)  # nobody alive with an ID card was born earlier

# Letters that OCR returns for a digit and that resemble exactly one digit. Applied to all positions: a number
# holds no letters except a final X, which none of these is.
_LETTER_TO_DIGIT = str.maketrans("OoDQIli|ZzSsB", "0000111122558")
_X_LIKE = "xX×χΧ"
_NUMBER_RE = re.compile(r"[0-9]{17}[0-9X]")

# Common single-glyph confusions of OCR-B digits, both ways. 8<->X only at the check position (handled below).
CONFUSIONS: dict[str, str] = {"0": "8", "8": "036", "1": "7", "7": "1", "6": "85", "3": "8", "5": "6"}


def check_char(body17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits."""
    if not re.fullmatch(r"[0-9]{17}", body17):
        raise ValueError(f"expected 17 digits, got {body17!r}")
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(body17, WEIGHTS, strict=True)) % 11]


def normalize(raw: str) -> str:
    """Undo the OCR confusions that have a single reading; keep everything else as read.

    Full-width to ASCII, spaces and punctuation dropped, x/×→X, letters that look like one digit (O→0, I/l→1...)
    to that digit. Han characters (a merged label, stamp debris) are dropped too.
    """
    text = unicodedata.normalize("NFKC", raw)
    text = "".join("X" if ch in _X_LIKE else ch for ch in text)
    text = text.translate(_LETTER_TO_DIGIT).upper()
    return re.sub(r"[^0-9A-Z]", "", text)


def sex_of(number: str) -> str | None:
    """男 for an odd 17th digit, 女 for an even one."""
    if len(number) < 17 or not number[16].isdigit():
        return None
    return "男" if int(number[16]) % 2 else "女"


def birth_date_of(number: str, today: dt.date) -> dt.date | None:
    """The number's birth date if it exists, is not in the future and not before 1900."""
    if len(number) < 14 or not number[6:14].isdigit():
        return None
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    return born if EARLIEST_BIRTH <= born <= today else None


@dataclass(frozen=True, slots=True)
class IdNumberInfo:
    value: str
    well_formed: bool  # 17 digits + [0-9X]
    checksum_ok: bool
    region_ok: bool  # a province prefix, or a residence-permit prefix
    residence_permit: bool
    birth_date: dt.date | None  # None: the date digits are not a possible birth date
    sex: str | None

    @property
    def valid(self) -> bool:
        return self.well_formed and self.checksum_ok and self.region_ok and self.birth_date is not None


def parse(value: str, *, today: dt.date) -> IdNumberInfo:
    """Validate an already normalised number; never raises."""
    well_formed = bool(_NUMBER_RE.fullmatch(value))
    prefix = value[:2]
    return IdNumberInfo(
        value=value,
        well_formed=well_formed,
        checksum_ok=well_formed and check_char(value[:17]) == value[17],
        region_ok=prefix in PROVINCES or prefix in RESIDENCE_PERMIT_PREFIXES,
        residence_permit=prefix in RESIDENCE_PERMIT_PREFIXES,
        birth_date=birth_date_of(value, today) if well_formed else None,
        sex=sex_of(value) if well_formed else None,
    )


@dataclass(frozen=True, slots=True)
class Repair:
    value: str
    position: int  # 0-based
    old: str
    new: str


def repair_candidates(value: str, *, today: dt.date, birth_date: dt.date | None, sex: str | None) -> list[Repair]:
    """Every single confusable substitution that makes the number fully valid and agree with the evidence.

    Evidence is the date of the 出生 line and the 性别 value (None when unread: then it does not constrain).
    """
    if not _NUMBER_RE.fullmatch(value):
        return []
    found = []
    for pos, old in enumerate(value):
        alternatives = CONFUSIONS.get(old, "")
        if pos == 17:  # the check character: 8<->X is the classic OCR-B confusion
            alternatives += {"8": "X", "X": "8"}.get(old, "")
        for new in alternatives:
            candidate = value[:pos] + new + value[pos + 1 :]
            info = parse(candidate, today=today)
            if not info.valid:
                continue
            if birth_date is not None and info.birth_date != birth_date:
                continue
            if sex is not None and info.sex != sex:
                continue
            found.append(Repair(candidate, pos, old, new))
    return found


def repair(value: str, *, today: dt.date, birth_date: dt.date | None, sex: str | None) -> Repair | None:
    """The only repair consistent with the checksum and the printed evidence, else None.

    Needs at least one piece of evidence: without 出生 or 性别 the checksum alone would accept many numbers.
    """
    if birth_date is None and sex is None:
        return None
    found = repair_candidates(value, today=today, birth_date=birth_date, sex=sex)
    return found[0] if len(found) == 1 else None


# ---------------------------------------------------------------------------------------------------------------
# Under the number's grammar, from the recogniser's alternatives

DIGITS = "0123456789"
_CHECK_ALLOWED = DIGITS + "X"
# A number read with the wrong length is decoded again at 17 or 18 characters; an inserted or dropped character is
# taken when that path is at least this probable relative to the free reading's.
LENGTH_CHANGE_RATIO = 0.2


def number_char(ch: str) -> str | None:
    """What a recognised character stands for inside a number (a look-alike letter for its digit), or None."""
    mapped = normalize(ch)
    return mapped if len(mapped) == 1 and mapped in _CHECK_ALLOWED else None


def decode(lattice: Lattice, lengths: tuple[int, ...] = (17, 18)) -> PatternReading | None:
    """The most probable reading of the number's steps with one of ``lengths`` characters: digits, the 18th a
    digit or X."""
    return best_pattern(lattice, lambda i: DIGITS if i < 17 else _CHECK_ALLOWED, lengths, number_char)


@dataclass(frozen=True, slots=True)
class LatticeRepair:
    value: str
    position: int
    old: str
    new: str
    support: float  # p(new) / p(old) where the recogniser read that character


def lattice_repair(
    reading: PatternReading, *, today: dt.date, birth_date: dt.date | None, sex: str | None
) -> LatticeRepair | None:
    """The one-character change, among the recogniser's own alternatives, that makes an 18-character number fully
    valid, with the most support (agreement with the printed 出生 / 性别 counts as more support); None when no
    alternative reaches ``grammar.MIN_SUPPORT``."""
    value = reading.value
    if len(value) != 18:
        return None
    best: tuple[float, LatticeRepair] | None = None
    for position, options in enumerate(reading.options):
        old = value[position]
        p_old = options.get(old, 0.0)
        if p_old <= 0:
            continue
        for new, p_new in options.items():
            if new == old:
                continue
            candidate = value[:position] + new + value[position + 1 :]
            info = parse(candidate, today=today)
            if not info.valid:
                continue
            support = min(1.0, p_new / p_old)
            weight = support
            if birth_date is not None:
                weight *= 4.0 if info.birth_date == birth_date else 0.25
            if sex is not None:
                weight *= 2.0 if info.sex == sex else 0.5
            if support >= MIN_SUPPORT and (best is None or weight > best[0]):
                best = (weight, LatticeRepair(candidate, position, old, new, support))
    return best[1] if best else None
