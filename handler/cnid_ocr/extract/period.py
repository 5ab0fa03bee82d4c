"""The validity period decoded under its grammar when the free reading gives no valid period (a stamp over the
dates, a digit lost or misread): the recogniser's most probable path of 16 digits (8 before 长期), then its own
runner-up digits where they make the period what the law prints.

By the Resident Identity Card Law (art. 5) a card is valid 5, 10 or 20 years from its issue (长期 from 46), to the
same month and day. That is evidence, never a rule: other generators' specimens print any pair of dates, so a
period that parses is never changed for disagreeing with it, and an inconsistent reading is still taken when
nothing the recogniser supports is consistent.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from .dates import LONG_TERM_MARKS, date_from_digits
from .grammar import MIN_SUPPORT, PatternReading, best_pattern, lattice_of
from .idnumber import DIGITS, number_char
from .side import Read

TERMS_YEARS = (5, 10, 20)
# A consistent period weighs this much more than an inconsistent one when choosing among the alternatives.
CONSISTENT_WEIGHT = 4.0


@dataclass(frozen=True, slots=True)
class PeriodReading:
    start: dt.date
    end: dt.date | None  # None: 长期
    digits: str  # the decoded digits (16, or 8 before 长期)
    support: float  # its probability relative to the free reading's (0..1)


def plausible(start: dt.date, end: dt.date | None, today: dt.date) -> bool:
    """A period a card can show: started by today, and ending after it starts (or 长期)."""
    return start <= today and (end is None or end > start)


def consistent(start: dt.date, end: dt.date | None) -> bool:
    """The period the law prints: ``end`` 5, 10 or 20 years after ``start`` to the day (28 Feb for 29 Feb)."""
    if end is None:
        return True
    if end.year - start.year not in TERMS_YEARS:
        return False
    return (end.month, end.day) == (start.month, start.day) or (start.month, start.day, end.day) == (2, 29, 28)


def decode_period(read: Read, *, today: dt.date) -> PeriodReading | None:
    """The best period the read's lattice supports: the best digit path, or that path with one digit changed to
    the recogniser's runner-up where that makes the period consistent; each at least ``MIN_SUPPORT`` as probable
    as the free reading. None when no such path gives existing dates, the start not after today and the end
    after the start."""
    lattice = lattice_of(read)
    if lattice is None:
        return None
    long_term = any(mark in read.text for mark in LONG_TERM_MARKS)
    path = best_pattern(lattice, lambda _: DIGITS, (8 if long_term else 16,), number_char)
    if path is None:
        return None
    free = lattice.score(read.text)
    best: tuple[float, PeriodReading] | None = None
    for digits, log_prob in _candidates(path):
        support = min(1.0, math.exp(log_prob - free))
        period = _period(digits, long_term, today)
        if period is None or support < MIN_SUPPORT:
            continue
        weight = support * (CONSISTENT_WEIGHT if consistent(*period) else 1.0)
        if best is None or weight > best[0]:
            best = (weight, PeriodReading(period[0], period[1], digits, support))
    return best[1] if best else None


def _candidates(path: PatternReading) -> list[tuple[str, float]]:
    """The path and its one-digit variants, each with its log probability."""
    out = [(path.value, path.log_prob)]
    for position, options in enumerate(path.options):
        old = path.value[position]
        p_old = options.get(old, 0.0)
        for new, p_new in options.items():
            if new != old and p_old > 0 and p_new > 0:
                variant = path.value[:position] + new + path.value[position + 1 :]
                out.append((variant, path.log_prob + math.log(p_new / p_old)))
    return out


def _period(digits: str, long_term: bool, today: dt.date) -> tuple[dt.date, dt.date | None] | None:
    start = date_from_digits(digits[:8])
    end = None if long_term else date_from_digits(digits[8:])
    if start is None or (not long_term and end is None) or not plausible(start, end, today):
        return None
    return start, end
