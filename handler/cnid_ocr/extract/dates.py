"""Dates as printed on the card: the 出生 line ("1990年1月1日") and the validity period ("2020.01.01-长期")."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

# OCR letters that can only stand for a digit inside a date.
_LETTER_TO_DIGIT = str.maketrans("OoDQIl|", "0000111")
LONG_TERM_MARKS = ("长期", "长", "期")  # "期" alone: 长 lost to a stamp or glare


class DateParseError(ValueError):
    """The text holds no single existing date."""


def _digits_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", text).translate(_LETTER_TO_DIGIT)


def _make(year: str, month: str, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def date_from_digits(digits: str) -> dt.date | None:
    """ "20200101" (the back's zero-padded YYYYMMDD) as a date, None when it names no existing day."""
    return _make(digits[:4], digits[4:6], digits[6:8]) if len(digits) == 8 else None


def parse_birth(text: str) -> dt.date:
    """Parse the value of the 出生 line: "1990年1月1日" and its OCR variants.

    年/月/日 may be missing or misread; digit groups are then split every way that gives a 1-2 digit month and
    day, and the result must be the only existing date (e.g. "1990112" could be Jan 12 or Nov 2: refused).
    """
    groups = re.findall(r"[0-9]+", _digits_text(text))
    digits = "".join(groups)
    if len(groups[0] if groups else "") < 4:
        raise DateParseError(f"no year in {text!r}")
    rest = digits[4:]
    # Group boundaries inside the month+day digits: a split must respect them (they were separated on the card).
    bounds, pos = set(), 0
    for group in groups:
        pos += len(group)
        if 4 < pos < len(digits):
            bounds.add(pos - 4)
    dates = set()
    for month_len in (1, 2):
        day_len = len(rest) - month_len
        if day_len not in (1, 2) or not bounds <= {month_len}:
            continue
        found = _make(digits[:4], rest[:month_len], rest[month_len:])
        if found:
            dates.add(found)
    if len(dates) != 1:
        raise DateParseError(f"{'ambiguous' if dates else 'no existing'} date in {text!r}")
    return dates.pop()


def parse_validity(text: str) -> tuple[dt.date, dt.date | None]:
    """Parse "YYYY.MM.DD-YYYY.MM.DD" or "YYYY.MM.DD-长期" into (valid_from, valid_to); valid_to None = long-term.

    Dates on the back are zero-padded, so the 16 (or 8) digits fix them whatever the OCR made of the dots and the
    dash ("—", "一", "－", "~", none).
    """
    norm = _digits_text(text)
    digits = re.sub(r"[^0-9]", "", norm)
    long_term = any(mark in norm for mark in LONG_TERM_MARKS)
    if len(digits) == 16 and not long_term:
        start, end = date_from_digits(digits[:8]), date_from_digits(digits[8:])
        if start and end:
            return start, end
    elif len(digits) == 8 and long_term:
        start = date_from_digits(digits)
        if start:
            return start, None
    raise DateParseError(f"no validity period in {text!r}")
