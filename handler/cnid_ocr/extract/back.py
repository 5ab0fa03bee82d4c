"""The emblem side (国徽面): 中华人民共和国 / 居民身份证 titles, 签发机关 and 有效期限."""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections.abc import Sequence

from ..ocr.types import TextLine
from . import checks, codes
from .dates import DateParseError, parse_validity
from .grammar import MIN_SUPPORT, substitution_support
from .labels import LabelHit, find_candidates
from .layout import chain_right, text_height
from .period import decode_period, plausible
from .result import LONG_TERM
from .side import REPAIR_PENALTY, Read, SideResult
from .skew import is_card_text

TITLES = ("中华人民共和国", "居民身份证")
AUTHORITY, VALIDITY = "签发机关", "有效期限"
LABELS = TITLES + (AUTHORITY, VALIDITY)
_AUTHORITY_ENDINGS = ("局", "分局", "公安")


def locate_labels(lines: Sequence[TextLine]) -> dict[str, LabelHit]:
    """One hit per label: exact first, then the one nearest the others (background text is farther away)."""
    candidates = find_candidates(lines, LABELS)
    every = [hit.line for hits in candidates.values() for hit in hits]
    if not every:
        return {}
    cx = statistics.median(line.center_x for line in every)
    cy = statistics.median(line.center_y for line in every)
    return {
        label: min(hits, key=lambda hit: (not hit.exact, abs(hit.line.center_x - cx) + abs(hit.line.center_y - cy)))
        for label, hits in candidates.items()
        if hits
    }


def validity_lines(lines: Sequence[TextLine]) -> list[TextLine]:
    """Boxes that parse as a validity period on their own (a back side even when the label was lost)."""
    found = []
    for line in lines:
        try:
            parse_validity(line.text)
        except DateParseError:
            continue
        found.append(line)
    return found


def anchors(lines: Sequence[TextLine]) -> list[TextLine]:
    """Evidence of a back side: title and label boxes, a validity period, a box naming a police authority.

    Two distinct boxes are needed to call it a back side (one could be background text).
    """
    found = [hit.line for hit in locate_labels(lines).values()]
    found += validity_lines(lines)[:1]
    found += [line for line in lines if line.text.endswith(_AUTHORITY_ENDINGS)][:1]
    return list({id(line): line for line in found}.values())


def read_back(lines: Sequence[TextLine], *, today: dt.date, region_code: str | None = None) -> SideResult:
    """``region_code``: the ID number of the front on the same page (the same person's card, as a rule), whose
    county is evidence for the issuing authority's place name."""
    labels = locate_labels(lines)
    label_ids = {id(hit.line) for hit in labels.values()}
    h = text_height([hit.line for hit in labels.values()] or lines)
    others = [line for line in lines if id(line) not in label_ids and is_card_text(line, h)]
    out = SideResult()

    validity_read = Read.join(_label_parts(labels[VALIDITY], others, h)) if VALIDITY in labels else None
    if validity_read is None:
        bare = validity_lines(others)
        validity_read = Read.join([(bare[0].text, bare[0])]) if bare else None

    authority_read = None
    if AUTHORITY in labels:
        parts = _label_parts(labels[AUTHORITY], others, h)
        authority_read = Read.join(parts + _continuation(parts, labels[AUTHORITY], others, h, labels.get(VALIDITY)))
    if authority_read is None:  # label lost: the box that reads like a police authority
        guesses = [
            line
            for line in others
            if line.text.endswith(_AUTHORITY_ENDINGS) and not (validity_read and line in validity_read.lines)
        ]
        authority_read = Read.join([(guesses[0].text, guesses[0])]) if guesses else None
    authority_read, tail = _split_validity(authority_read)
    if tail is not None and not _parses(validity_read):  # the 有效期限 value was merged into the authority's box
        validity_read = tail
    out.set(
        "issuingAuthority",
        authority_read.text if authority_read else None,
        authority_read.score if authority_read else None,
    )
    authority_read = _authority_words(out, authority_read)
    checks.place_names(out, "issuingAuthority", authority_read, region_code)
    checks.partial_values(out)
    _validity(out, validity_read, today)
    out.regions = _unread_regions(out, labels, h)
    out.read_from((hit.line for hit in labels.values()), (authority_read, validity_read))
    return out


# Where a value lies right of its label, in text heights (start after the label's right edge, width): the period
# "2010.01.01-2030.01.01" is about 12 heights long, an authority up to ~14.
_VALUE_SPANS = {"validFrom": (VALIDITY, 0.3, 13.0), "issuingAuthority": (AUTHORITY, 0.3, 14.0)}


def _unread_regions(
    out: SideResult, labels: dict[str, LabelHit], h: float
) -> dict[str, tuple[float, float, float, float]]:
    """For each value not read whose label was: the rectangle (lines' frame) where the card prints it, to be read
    again without the detector (a stamp across it)."""
    regions: dict[str, tuple[float, float, float, float]] = {}
    for name, (label, start, width) in _VALUE_SPANS.items():
        if out.fields.get(name) is None and label in labels:
            line = labels[label].line
            left = line.right + start * h
            regions[name] = (left, line.top - 0.15 * h, left + width * h, line.bottom + 0.15 * h)
    return regions


def _authority_words(out: SideResult, read: Read | None) -> Read | None:
    """An issuing authority is a police bureau: 公安 followed by another character (not 县: 公安县 is a county)
    where the recogniser's alternatives support 局 is 公安局, and its name ends at the last 局 (公安局, 分局), so
    what follows is a stamp's or watermark's debris, dropped. Each change announced."""
    if read is None:
        return None
    text, mended = read.text, []
    for found in re.finditer("公安", text):
        at = found.end()
        if at < len(text) and text[at] not in "局县" and substitution_support(read, at, "局") >= MIN_SUPPORT:
            text = text[:at] + "局" + text[at + 1 :]
            mended.append(f"'{read.text[at]}' after 公安 as '局'")
    confidence = out.confidence.get("issuingAuthority", read.score)
    if mended:
        confidence *= REPAIR_PENALTY
        out.set("issuingAuthority", text, confidence)
        out.warn(codes.AUTHORITY_REPAIRED, f"签发机关 read {read.text!r}: " + "; ".join(mended), "issuingAuthority")
    end = text.rfind("局") + 1
    if 0 < end < len(text) and "公安" in text:
        out.set("issuingAuthority", text[:end], confidence)
        out.warn(codes.STRAY_TEXT_DROPPED, f"{text[end:]!r} read after the final 局 dropped", "issuingAuthority")
        text = text[:end]
    if not mended:
        return read.slice(0, len(text))
    return None  # mended: no longer the recogniser's characters (place names are not mended again)


def _split_validity(read: Read | None) -> tuple[Read | None, Read | None]:
    """Cut "银川市公安局兴庆分局2013.05.04-2033.05.04" (authority and period in one box) at the period.

    Authority names hold no digits, so the value ends where a run of four digits (the period's start year) begins.
    """
    found = re.search(r"[0-9]{4}", read.text) if read else None
    if read is None or found is None or found.start() == 0:
        return read, None
    return read.slice(0, found.start()), read.slice(found.start())


def _parses(read: Read | None) -> bool:
    if read is None:
        return False
    try:
        parse_validity(read.text)
    except DateParseError:
        return False
    return True


def _label_parts(hit: LabelHit, others: Sequence[TextLine], h: float) -> list[tuple[str, TextLine]]:
    return [(hit.remainder, hit.line)] + [(line.text, line) for line in chain_right(hit.line, others, h)]


def _continuation(
    parts: list[tuple[str, TextLine]], hit: LabelHit, others: Sequence[TextLine], h: float, validity: LabelHit | None
) -> list[tuple[str, TextLine]]:
    """Long authority names wrap: the line aligned under the value and above the 有效期限 row."""
    if len(parts) >= 2:
        value_left = parts[1][1].left
    elif hit.remainder:  # value merged into the label's box: where its first character starts
        value_left = hit.line.char_left(hit.end)
    else:
        return []
    last_bottom = max(line.bottom for _, line in parts)
    below = [
        line
        for line in others
        if all(line is not used for _, used in parts)
        # Padded detector boxes of consecutive rows overlap: rows are told apart by their centres.
        and hit.line.center_y + 0.5 * h < line.center_y <= last_bottom + 1.5 * h
        and abs(line.left - value_left) <= 1.5 * h
        and (validity is None or line.center_y < validity.line.center_y - 0.5 * h)
    ]
    if not below:
        return []
    start = min(below, key=lambda line: line.top)
    return [(start.text, start)] + [(line.text, line) for line in chain_right(start, others, h, max_gap=3.0)]


def _validity(out: SideResult, read: Read | None, today: dt.date) -> None:
    if read is None:
        out.set("validFrom", None, None)
        out.set("validTo", None, None)
        return
    period, confidence = _plausible_period(read.text, today), read.score
    if period is None and (decoded := decode_period(read, today=today)) is not None:
        period = decoded.start, decoded.end
        shown = f"{decoded.start:%Y.%m.%d}-{f'{decoded.end:%Y.%m.%d}' if decoded.end else LONG_TERM}"
        for name in ("validFrom", "validTo"):
            out.warn(
                codes.VALIDITY_DECODED,
                f"有效期限 read {read.text!r}; decoded as {shown} from the recogniser's alternatives",
                name,
            )
        confidence = read.score * REPAIR_PENALTY * min(1.0, 0.5 + decoded.support)
    if period is None:
        _unread_validity(out, read, today)
        return
    start, end = period
    out.set("validFrom", start.isoformat(), confidence)
    out.set("validTo", end.isoformat() if end else LONG_TERM, confidence)
    if end is not None and end < today:
        out.warn(codes.CARD_EXPIRED, f"the card expired on {end}", "validTo")


def _plausible_period(text: str, today: dt.date) -> tuple[dt.date, dt.date | None] | None:
    """The period as read when it parses, starts no later than today and ends after it starts."""
    try:
        start, end = parse_validity(text)
    except DateParseError:
        return None
    return (start, end) if plausible(start, end, today) else None


def _unread_validity(out: SideResult, read: Read, today: dt.date) -> None:
    """No valid period in the reading nor in its alternatives: both dates null, or as read with a warning when
    the reading is two existing dates in the wrong order or in the future."""
    try:
        start, end = parse_validity(read.text)
    except DateParseError:
        out.set("validFrom", None, None)
        out.set("validTo", None, None)
        for name in ("validFrom", "validTo"):
            out.warn(codes.INVALID_DATE, f"有效期限 {read.text!r} is not a valid period", name)
        return
    out.set("validFrom", start.isoformat(), read.score)
    out.set("validTo", end.isoformat() if end else LONG_TERM, read.score)
    if start > today:
        out.warn(codes.INVALID_DATE, f"validFrom {start} is in the future", "validFrom")
    if end is not None and end <= start:
        out.warn(codes.INVALID_DATE, f"validTo {end} is not after validFrom {start}", "validTo")
