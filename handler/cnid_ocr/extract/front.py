"""The portrait side (人像面): 姓名, 性别, 民族, 出生, 住址, 公民身份号码, located by the labels' geometry.

Layout: the labels form a left column (民族 sits mid-row, right of the 性别 value), each value starts to the right
of its label on the same row, the address wraps onto lines aligned under its first line, and the number row is
last. OCR may merge a label with its value ("姓名张三", "性别男民族汉") or split any of them into several boxes.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from ..ocr.types import TextLine
from . import checks, codes, idnumber
from .dates import DateParseError, parse_birth
from .ethnic import ETHNIC_GROUPS, match_ethnicity
from .labels import LabelHit, find_candidates, merge_spaced_labels
from .layout import chain_right, same_row, text_height
from .side import Read, SideResult
from .skew import is_card_text
from .text import is_han

LABELS = ("姓名", "性别", "民族", "出生", "住址", "公民身份号码")
COLUMN_LABELS = ("姓名", "性别", "出生", "住址", "公民身份号码")
ROW_ORDER = {"姓名": 0, "性别": 1, "民族": 1, "出生": 2, "住址": 3, "公民身份号码": 4}
GENDERS = ("男", "女")

MAX_ADDRESS_LINES = 5
# Address lines follow each other at about 1.5 text heights (centre to centre); padded detector boxes make the
# measured height larger, so the step can look as small as 0.6 h. A step beyond the maximum is a paragraph gap.
ROW_STEP_MIN, ROW_STEP_MAX = 0.45, 2.6
# A label missing its first character starts at most this far (text heights) from the label column's edge: its
# lost character's width.
HALF_LABEL_REACH = 1.6
# The 民族 value is about 9 text heights right of the 性别 value; the portrait begins a few heights further.
LONE_GROUP_REACH = 12.0


@dataclass(slots=True)
class FrontLayout:
    labels: dict[str, LabelHit]
    h: float  # text height, the unit of every distance
    column_x: float | None  # left edge of the label column


def locate_labels(lines: Sequence[TextLine]) -> FrontLayout:
    """Pick, for each label, the candidate that fits the card's layout; drop the ones that contradict it."""
    candidates = find_candidates(lines, LABELS)
    every = [hit for hits in candidates.values() for hit in hits]
    if not every:
        return FrontLayout({}, text_height(lines), None)
    h = text_height(hit.line for hit in every)
    in_column = [hit for label in COLUMN_LABELS for hit in candidates[label]]
    anchors = [hit for hit in in_column if hit.exact] or in_column
    column_x = statistics.median(hit.line.left for hit in anchors) if anchors else None

    chosen: dict[str, LabelHit] = {}
    for label in COLUMN_LABELS:
        options = [hit for hit in candidates[label] if column_x is None or abs(hit.line.left - column_x) <= 2.5 * h]
        if options:
            chosen[label] = min(options, key=lambda hit: (not hit.exact, _column_offset(hit, column_x)))
    _enforce_row_order(chosen, column_x)
    if column_x is not None and len(chosen) >= 2:
        _half_labels(chosen, lines, column_x, h)

    ethnic = [hit for hit in candidates["民族"] if column_x is None or hit.line.left > column_x + 2 * h]
    if "性别" in chosen:
        ethnic = [hit for hit in ethnic if same_row(hit.line, chosen["性别"].line)]
    else:  # a lone fuzzy 民族 elsewhere is more likely an address line starting with 民
        above, below = chosen.get("姓名"), chosen.get("出生")
        ethnic = [
            hit
            for hit in ethnic
            if (hit.exact or above or below)
            and (above is None or hit.line.center_y > above.line.bottom)
            and (below is None or hit.line.center_y < below.line.top)
        ]
    if ethnic:
        chosen["民族"] = min(ethnic, key=lambda hit: not hit.exact)
    return FrontLayout(chosen, h, column_x)


def _half_labels(chosen: dict[str, LabelHit], lines: Sequence[TextLine], column_x: float, h: float) -> None:
    """Column labels with a character lost (faint blue print: "名刘小合", "址" alone, "姓" alone, "1名"): a box at the
    label column, between the rows of the labels before and after it, that reads as such a label (``_label_end``)."""
    for label in COLUMN_LABELS:
        if label in chosen or len(label) != 2:
            continue
        above = [hit.line.bottom for other, hit in chosen.items() if ROW_ORDER[other] < ROW_ORDER[label]]
        below = [hit.line.top for other, hit in chosen.items() if ROW_ORDER[other] > ROW_ORDER[label]]
        if not above and not below:
            continue
        fits = [
            line
            for line in lines
            if _label_end(line.text, label)
            and abs(line.left - column_x) <= HALF_LABEL_REACH * h
            and (not above or line.center_y > max(above))
            and (not below or line.center_y < min(below))
        ]
        if len(fits) == 1:
            chosen[label] = LabelHit(label, fits[0], _label_end(fits[0].text, label), exact=False)


def _label_end(text: str, label: str) -> int:
    """Where a two-character label with a character lost or garbled ends in ``text`` (0: not such a label): its
    second character first ("名刘小合"), its first alone ("姓"), or its second after a stray non-Han mark ("1名")."""
    if text.startswith(label[1]) or text == label[0]:
        return 1
    if len(text) >= 2 and not is_han(text[0]) and text[1] == label[1]:
        return 2
    return 0


def _column_offset(hit: LabelHit, column_x: float | None) -> float:
    return abs(hit.line.left - column_x) if column_x is not None else 0.0


def _enforce_row_order(chosen: dict[str, LabelHit], column_x: float | None) -> None:
    """Labels must appear top to bottom in card order; on a conflict drop the fuzzier / further-off one."""
    while True:
        conflict = next(
            (
                (a, b)
                for a in chosen
                for b in chosen
                if ROW_ORDER[a] < ROW_ORDER[b] and chosen[a].line.center_y >= chosen[b].line.center_y
            ),
            None,
        )
        if conflict is None:
            return
        worst = max(conflict, key=lambda label: (not chosen[label].exact, _column_offset(chosen[label], column_x)))
        del chosen[worst]


def _row_read(
    hit: LabelHit, others: Sequence[TextLine], h: float, *, max_gap: float = 4.0, stop_x: float | None = None
) -> Read | None:
    """The value on a label's row: what follows the label in its own box, then the boxes chained to its right."""
    parts = [(hit.remainder, hit.line)]
    parts += [(line.text, line) for line in chain_right(hit.line, others, h, max_gap=max_gap, stop_x=stop_x)]
    return Read.join(parts)


def _unlabelled_row(
    layout: FrontLayout,
    others: Sequence[TextLine],
    top: float | None,
    bottom: float | None,
    *,
    nearest: str,
    digits: bool = False,
) -> Read | None:
    """A value whose label was not read (faint blue print): the row in the value column between two known rows."""
    h, column_x = layout.h, layout.column_x
    if column_x is None or top is None or bottom is None:
        return None
    starts = [
        line
        for line in others
        if top < line.center_y < bottom
        and column_x + 1.5 * h <= line.left <= column_x + 9 * h
        and not _looks_like_number(line.text)
        and (not digits or any(ch.isdigit() for ch in line.text))
    ]
    if not starts:
        return None
    pick = max if nearest == "below" else min
    start = pick(starts, key=lambda line: line.center_y)
    row = sorted([line for line in starts if same_row(line, start)], key=lambda line: line.left)[0]
    chained = [row] + chain_right(row, others, h, max_gap=3.0)
    return Read.join((line.text, line) for line in chained)


def _digits_read(read: Read | None) -> Read | None:
    """A row read whose confidence is its digits' (the blue 年/月/日 glyphs should not lower a date's confidence)."""
    if read is None:
        return None
    if read.exact:
        digits = [
            piece.line.weakest(i, i + 1)
            for piece in read.pieces
            for i in range(piece.start, piece.end)
            if piece.line.text[i].isdigit()
        ]
        return read.with_score(min(digits)) if digits else read
    digit_lines = tuple(line for line in read.lines if any(ch.isdigit() for ch in line.text)) or read.lines
    return read.with_score(min(line.score for line in digit_lines), digit_lines)


# ---------------------------------------------------------------------------------------------------------------
# Values


def _split_gender_ethnic(read: Read) -> tuple[Read | None, Read | None]:
    """Split "男民族汉" (性别 row read as one piece) at the 民族 label, or at what is left of it."""
    text = read.text
    if "民族" in text:
        cut, skip = text.index("民族"), 2
    elif "族" in text:
        cut, skip = text.index("族"), 1
    elif "民" in text:  # 族 misread ("民旅汉"), or lost ("民基诺": then the group follows 民 directly)
        cut = text.index("民")
        skip = 1 if text[cut + 1 :] in ETHNIC_GROUPS and text[cut + 2 :] not in ETHNIC_GROUPS else 2
    else:
        rest = text[1:]
        # The label may be misread beyond recognition: then it is the two characters before the value.
        skip = 2 if len(rest) > 2 and rest[2:] in ETHNIC_GROUPS and rest not in ETHNIC_GROUPS else 0
        return read.slice(0, 1), read.slice(1 + skip)
    return read.slice(0, cut), read.slice(cut + skip)


def _address_read(
    layout: FrontLayout,
    others: Sequence[TextLine],
    value_lefts: list[float],
    stop_y: float | None,
    above: Read | None,
) -> Read | None:
    """The 住址 value: its first line right of the label, then the lines aligned under it, in reading order.

    Without its label (faint print), the lines in the value column below the row ``above`` (出生) are read the
    same way.
    """
    h = layout.h
    hit = layout.labels.get("住址")
    if hit is None:
        if above is None or not value_lefts:
            return None
        anchor_y = statistics.median(line.center_y for line in above.lines)
        return _address_rows([], anchor_y, statistics.median(value_lefts), others, h, stop_y, first_step=3.5)
    first = chain_right(hit.line, others, h)
    parts: list[tuple[str, TextLine]] = [(hit.remainder, hit.line)] + [(line.text, line) for line in first]
    if first:
        value_x = first[0].left
    elif hit.remainder or not value_lefts:  # merged "住址北京市...": where the value begins inside the box
        value_x = hit.line.char_left(hit.end)
    else:
        value_x = statistics.median(value_lefts)
    row_y = statistics.median(line.center_y for line in [hit.line, *first])
    rest = [line for line in others if all(line is not taken for taken in first)]
    return _address_rows(parts, row_y, value_x, rest, h, stop_y, first_step=ROW_STEP_MAX)


def _address_rows(
    parts: list[tuple[str, TextLine]],
    row_y: float,
    value_x: float,
    others: Sequence[TextLine],
    h: float,
    stop_y: float | None,
    *,
    first_step: float,
) -> Read | None:
    """Follow rows starting at ``value_x`` downwards from the row at ``row_y`` until a paragraph gap or ``stop_y``."""
    max_step = first_step
    pool = [
        line
        for line in others
        if line.center_y > row_y + ROW_STEP_MIN * h
        and (stop_y is None or line.center_y < stop_y)
        and not _looks_like_number(line.text)
    ]
    for _ in range(MAX_ADDRESS_LINES - 1):
        starts = [line for line in pool if abs(line.left - value_x) <= 1.5 * h]
        if not starts:
            break
        start = min(starts, key=lambda line: line.center_y)
        if start.center_y - row_y > max_step * h:  # a paragraph gap: no longer the address
            break
        max_step = ROW_STEP_MAX
        row = [start] + chain_right(start, pool, h, max_gap=3.0)
        parts += [(line.text, line) for line in row]
        pool = [line for line in pool if all(line is not taken for taken in row)]
        row_y = start.center_y
    return Read.join(parts)


def _looks_like_number(text: str) -> bool:
    return sum(ch.isdigit() for ch in idnumber.normalize(text)) >= 12


def _number_reads(lines: Sequence[TextLine], h: float) -> list[Read]:
    """Every row of digit boxes that could be an ID number (for when its label was not read)."""
    digitish = [line for line in lines if sum(ch.isdigit() for ch in idnumber.normalize(line.text)) >= 4]
    reads = []
    for line in digitish:
        if any(same_row(line, o) and 0 <= line.left - o.right <= 2 * h for o in digitish if o is not line):
            continue  # not the first box of its row
        row = [line] + chain_right(line, digitish, h, max_gap=2.0)
        read = Read.join((other.text, other) for other in row)
        if read and 15 <= len(idnumber.normalize(read.text)) <= 20:
            reads.append(read)
    return reads


def _best_number(reads: Sequence[Read], today: dt.date) -> Read | None:
    def rank(read: Read) -> tuple[bool, bool, float]:
        info = idnumber.parse(idnumber.normalize(read.text), today=today)
        return (info.valid, len(info.value) == 18, read.lines[0].center_y)

    return max(reads, key=rank) if reads else None


def valid_number_lines(lines: Sequence[TextLine], today: dt.date, *, printed17: bool = False) -> list[TextLine]:
    """Boxes holding a fully valid ID number: on their own enough to say a front side is present. ``printed17``:
    also the 17 characters some copies print (no check character), when their province and birth date exist."""
    h = text_height(lines)
    found: list[TextLine] = []
    for read in _number_reads(lines, h):
        value = idnumber.normalize(read.text)
        info = idnumber.parse(value, today=today)
        short = printed17 and len(value) == 17 and value.isdigit()
        if info.valid or short and info.region_ok and idnumber.birth_date_of(value, today) is not None:
            found.extend(read.lines)
    return found


# ---------------------------------------------------------------------------------------------------------------
# The side


def read_front(lines: Sequence[TextLine], *, today: dt.date) -> SideResult:
    h0 = text_height(lines)
    lines = merge_spaced_labels(lines, LABELS, h0)
    layout = locate_labels(lines)
    labels, h = layout.labels, layout.h
    label_ids = {id(hit.line) for hit in labels.values()}
    others = [line for line in lines if id(line) not in label_ids and is_card_text(line, h)]
    _second_characters_lost(layout, others)
    out = SideResult()

    # 公民身份号码
    number_read = _number_row(labels, others, h, today)
    # Labels lost (faint print, a copy that dropped the blue, noise): the rows above the number, anchored on the
    # date or the gender row; they stand in for the rows whose labels were not found.
    middle_lost = "出生" not in labels or not {"性别", "民族"} & labels.keys()
    unlabelled = (
        _rows_without_labels(_without_label_remnants(others, layout), number_read, h)
        if _labels_lost(labels) or middle_lost
        else _Rows()
    )

    gender_row = labels.get("性别") or labels.get("民族")
    # 姓名 (if its label was lost: the value row right above the 性别 row)
    if "姓名" in labels:
        name_read = _row_read(labels["姓名"], others, h)
    else:
        bottom = gender_row.line.top if gender_row else None
        name_read = _unlabelled_row(layout, others, bottom - 3 * h if bottom else None, bottom, nearest="below")
    checks.name(out, name_read or unlabelled.name)

    # 性别 and 民族 (one row)
    gender_read, ethnic_read = _gender_ethnic_reads(layout, others)
    gender_read, ethnic_read = gender_read or unlabelled.gender, ethnic_read or unlabelled.ethnicity

    # 出生
    if "出生" in labels:
        birth_read = _digits_read(_row_read(labels["出生"], others, h))
    else:  # between the 性别 row and the 住址 row
        top = gender_row.line.bottom if gender_row else None
        bottom = labels["住址"].line.top if "住址" in labels else (top + 3 * h if top else None)
        birth_read = _digits_read(_unlabelled_row(layout, others, top, bottom, nearest="above", digits=True))
    birth_read = birth_read or _digits_read(unlabelled.birth)
    birth: dt.date | None = None
    if birth_read:
        try:
            birth = parse_birth(birth_read.text)
        except DateParseError:
            out.warn(codes.INVALID_DATE, f"出生 {birth_read.text!r} is not an existing date", "dateOfBirth")
        else:
            if not idnumber.EARLIEST_BIRTH <= birth <= today:
                out.warn(codes.INVALID_DATE, f"birth date {birth} is not plausible", "dateOfBirth")
    out.set("dateOfBirth", birth.isoformat() if birth else None, birth_read.score if birth_read else None)

    # 住址: between its label and the number row
    address_read = _address(layout, others, number_read, name_read, birth_read) or unlabelled.address
    out.set("address", address_read.text if address_read else None, address_read.score if address_read else None)
    reads = (name_read or unlabelled.name, gender_read, ethnic_read, birth_read, address_read, number_read)
    out.read_from((hit.line for hit in labels.values()), reads)

    gender_printed = _gender_value(gender_read)
    checks.number_and_checks(out, number_read, birth, gender_printed, today)
    address_read = checks.address_start(out, address_read)
    checks.place_names(out, "address", address_read, out.fields.get("idNumber"))
    birth_read, gender_read = _trusted(out, birth_read, "dateOfBirth"), _trusted(out, gender_read, "gender")
    checks.gender(out, gender_read, _gender_value(gender_read))
    checks.birth_from_number(out, birth_read, today)
    checks.ethnicity(out, ethnic_read)
    checks.partial_values(out)
    out.regions = _unread_regions(out, layout)
    return out


# Where each row value lies relative to its label, in text heights: (start after the label's right edge, width).
# The 民族 value follows its label; with the label lost too, it lies at most ~11 box heights from the label column
# (the development cards and the generated ones).
_VALUE_SPANS = {"name": ("姓名", 0.3, 8.0), "gender": ("性别", 0.3, 3.0), "dateOfBirth": ("出生", 0.3, 12.0)}
_NUMBER_SPAN = (0.3, 16.0)
_ETHNICITY_WIDTH = 6.0
_ETHNICITY_REACH = 12.0


def _unread_regions(out: SideResult, layout: FrontLayout) -> dict[str, tuple[float, float, float, float]]:
    """For each field not read whose row is known from its label: the rectangle (left, top, right, bottom, in the
    lines' frame) where the card prints it, to be read again without the detector (a stamp across it, faint print)."""
    labels, h = layout.labels, layout.h
    regions: dict[str, tuple[float, float, float, float]] = {}
    # A value taken from the number is not a reading of its line: read the line again too.
    stand_ins = {codes.BIRTH_DATE_FROM_ID_NUMBER: "dateOfBirth", codes.GENDER_FROM_ID_NUMBER: "gender"}
    unread = {name for name, value in out.fields.items() if value is None}
    unread |= {stand_ins[w.code] for w in out.warnings if w.code in stand_ins}

    def row(line: TextLine, start: float, end: float) -> tuple[float, float, float, float]:
        return (start, line.top - 0.15 * h, end, line.bottom + 0.15 * h)

    for name, (label, start, width) in _VALUE_SPANS.items():
        if name in unread and label in labels:
            line = labels[label].line
            regions[name] = row(line, line.right + start * h, line.right + (start + width) * h)
    if "idNumber" in unread and "公民身份号码" in labels:
        line = labels["公民身份号码"].line
        regions["idNumber"] = row(line, line.right + _NUMBER_SPAN[0] * h, line.right + _NUMBER_SPAN[1] * h)
    if "ethnicity" in unread and "民族" in labels:
        line = labels["民族"].line
        regions["ethnicity"] = row(line, line.right + 0.2 * h, line.right + _ETHNICITY_WIDTH * h)
    elif "ethnicity" in unread and "性别" in labels and layout.column_x is not None:
        line = labels["性别"].line  # 民族 label lost too: right of the gender value, to the row's end
        regions["ethnicity"] = row(line, line.right + 2.0 * h, layout.column_x + _ETHNICITY_REACH * h)
    regions.update(_lost_rows(layout, unread))
    return regions


# Rows that hold these fields, and how far right of the label column a whole row reaches (text heights).
_ROW_FIELDS = {"姓名": ("name",), "性别": ("gender", "ethnicity"), "出生": ("dateOfBirth",), "住址": ("address",)}
_ROW_REACH = 13.0


def _lost_rows(layout: FrontLayout, unread: set[str]) -> dict[str, tuple[float, float, float, float]]:
    """Whole rows lost, label and values (a stamp across them): when the rows above and below are known, the row
    between them, from the label column across, is read again as one line."""
    labels, h, column_x = layout.labels, layout.h, layout.column_x
    if column_x is None:
        return {}
    centre = {ROW_ORDER[label]: hit.line.center_y for label, hit in labels.items() if label in COLUMN_LABELS}
    regions = {}
    for label, fields in _ROW_FIELDS.items():
        index = ROW_ORDER[label]
        if index in centre or "民族" in labels and label == "性别" or not all(name in unread for name in fields):
            continue
        if index - 1 in centre and index + 1 in centre and label != "住址":  # the address may wrap: not midway
            y = (centre[index - 1] + centre[index + 1]) / 2
        elif index + 1 in centre and index + 2 in centre:
            y = 2 * centre[index + 1] - centre[index + 2]
        elif index - 1 in centre and index - 2 in centre:  # the address's first line, one row below the date
            y = 2 * centre[index - 1] - centre[index - 2]
        else:
            continue
        regions[fields[0]] = (column_x - 0.3 * h, y - 0.65 * h, column_x + _ROW_REACH * h, y + 0.65 * h)
    return regions


def _address(
    layout: FrontLayout,
    others: Sequence[TextLine],
    number: Read | None,
    name: Read | None,
    birth: Read | None,
) -> Read | None:
    """The 住址 value: from its label (or the row below 出生) down to the number row, its lines aligned where the
    values of the rows above start."""
    labels, h = layout.labels, layout.h
    stop_y = None
    if "公民身份号码" in labels:
        stop_y = labels["公民身份号码"].line.top
    elif number:
        stop_y = min(line.top for line in number.lines)
    label_lines = [hit.line for hit in labels.values()]
    # Where values start (a region read again starts where the layout guessed, not where the print does).
    detected = [line for line in others if not line.reread]
    value_lefts = [
        left
        for label in ("姓名", "出生")
        if label in labels and (left := _value_left(labels[label], detected, h)) is not None
    ] or [
        read.lines[0].left
        for read in (name, birth)
        if read and read.lines[0] not in label_lines and not read.lines[0].reread
    ]
    return _address_read(layout, others, value_lefts, stop_y, birth)


def _second_characters_lost(layout: FrontLayout, others: Sequence[TextLine]) -> None:
    """A two-character label merged with its value and taken with a misread second character ("姓张三" as 姓张 + 三)
    whose "misread" character stands where the values of the other rows begin: the label lost its second character
    and that one is the value's first (姓 + 张三). Needs the recogniser's character positions."""
    labels, h = layout.labels, layout.h
    for label, hit in list(labels.items()):
        line = hit.line
        traced = line.spans is not None and len(line.spans) == len(line.text)
        if label not in COLUMN_LABELS or len(label) != 2 or hit.exact or hit.end != 2 or not traced:
            continue
        if line.text[1] == label[1] or len(line.text) < 3:
            continue
        lefts = [
            left
            for other, found in labels.items()
            if other != label and other in COLUMN_LABELS and (left := _value_left(found, others, h)) is not None
        ]
        if lefts and line.char_left(1) >= statistics.median(lefts) - VALUE_COLUMN_SLACK * h:
            labels[label] = LabelHit(label, line, 1, exact=False)


# A value's first character starts at most this many text heights left of where the other rows' values start.
VALUE_COLUMN_SLACK = 0.5


def _value_left(hit: LabelHit, detected: Sequence[TextLine], h: float) -> float | None:
    """Where a row's value begins: inside the label's box when OCR merged them ("出生1995", the next box then holds
    the value's rest), else at the first box right of the label."""
    if hit.remainder:
        return hit.line.char_left(hit.end)
    first = chain_right(hit.line, detected, h)[:1]
    return first[0].left if first else None


def _number_row(labels: dict[str, LabelHit], others: Sequence[TextLine], h: float, today: dt.date) -> Read | None:
    """The 公民身份号码 value: right of its label, else the best row of digit boxes anywhere."""
    if "公民身份号码" in labels:
        read = _row_read(labels["公民身份号码"], others, h, max_gap=5.0)
        if read and len(idnumber.normalize(read.text)) >= 15:
            return read
    return _best_number(_number_reads(others, h), today)


@dataclass(slots=True)
class _Rows:
    name: Read | None = None
    gender: Read | None = None
    ethnicity: Read | None = None
    birth: Read | None = None
    address: Read | None = None


# A misread label's remnant ("线费" for 性别, "出2" for 出生) is at most this many characters.
LABEL_REMNANT_LENGTH = 3


def _without_label_remnants(lines: Sequence[TextLine], layout: FrontLayout) -> list[TextLine]:
    """The lines without short boxes at the label column that have a value right of them on their row: labels too
    garbled to match, which would otherwise start their rows."""
    column_x, h = layout.column_x, layout.h
    if column_x is None:
        return list(lines)

    def remnant(line: TextLine) -> bool:
        return (
            len(line.text) <= LABEL_REMNANT_LENGTH
            and abs(line.left - column_x) <= h
            and any(other is not line and same_row(other, line) and other.left > line.right for other in lines)
        )

    return [line for line in lines if not remnant(line)]


def _labels_lost(labels: dict[str, LabelHit]) -> bool:
    return sum(label in labels for label in COLUMN_LABELS) < 2


def _rows_without_labels(lines: Sequence[TextLine], number: Read | None, h: float) -> _Rows:
    """The value rows above the number when the labels were lost: the row that reads as a birth date anchors them
    (the card's order: name, gender and ethnicity, birth, the address's lines, the number); when no row reads as a
    date (a stamp over it), the row holding a lone 男/女 or, below another row, a lone ethnic group's name does."""
    if number is None:
        return _Rows()
    number_top = min(line.top for line in number.lines)
    above = [
        line
        for line in lines
        if line.center_y < number_top
        and all(line is not used for used in number.lines)
        and not _looks_like_number(line.text)
    ]
    rows: list[list[TextLine]] = []
    for line in sorted(above, key=lambda line: line.center_y):
        if rows and same_row(rows[-1][0], line):
            rows[-1].append(line)
        else:
            rows.append([line])
    rows = [sorted(row, key=lambda line: line.left) for row in rows]
    reads = [Read.join((line.text, line) for line in row) for row in rows]
    birth_at = next((i for i, read in enumerate(reads) if read and _is_birth(read.text)), None)
    if birth_at is not None:
        found = _Rows(birth=reads[birth_at])
        if birth_at >= 1:
            found.gender, found.ethnicity = _gender_row(rows[birth_at - 1])
        if birth_at >= 2:
            found.name = reads[birth_at - 2]
        found.address = Read.join((line.text, line) for row in rows[birth_at + 1 :] for line in row)
        return found
    gender_at = next((i for i, row in enumerate(rows) if _holds_gender_row(row, first=i == 0)), None)
    if gender_at is None:
        return _Rows()
    found = _Rows()
    found.gender, found.ethnicity = _gender_row(rows[gender_at])
    gender_y = statistics.median(line.center_y for line in rows[gender_at])
    # The rows' pitch: from the name row when there is one (the birth row is one pitch below the gender row, the
    # address a little more than two), else the card's usual pitch in text heights.
    pitch = GENDER_ROW_PITCH * h
    if gender_at >= 1:
        found.name = reads[gender_at - 1]
        pitch = gender_y - statistics.median(line.center_y for line in rows[gender_at - 1])
    below = rows[gender_at + 1 :]
    birth_rows = [row for row in below if row[0].center_y - gender_y < ADDRESS_ROW_PITCHES * pitch]
    found.birth = Read.join((line.text, line) for row in birth_rows[:1] for line in row)
    found.address = Read.join((line.text, line) for row in below if row not in birth_rows for line in row)
    return found


# Without labels: the gender row lies this many text heights below the name row (generated and development cards:
# 2.1-2.6); the address's first row more than this many pitches below the gender row (the birth row is at one).
GENDER_ROW_PITCH = 2.3
ADDRESS_ROW_PITCHES = 1.5


def _holds_gender_row(row: list[TextLine], *, first: bool) -> bool:
    """A row whose first box is 男 or 女 alone, or (below another row: a name could be an ethnic group's name)
    whose first box is one of the 56 groups exactly."""
    text = row[0].text.strip()
    if text in GENDERS:
        return True
    return not first and text in ETHNIC_GROUPS


def _gender_row(row: list[TextLine]) -> tuple[Read | None, Read | None]:
    """The gender value (the box holding 男/女) and the ethnicity: the box that is one of the 56 groups exactly, else
    the rest of the row (stamp debris between the two stays out), without a leading 民族 label."""
    gender = [line for line in row if any(ch in GENDERS for ch in line.text)][:1]
    rest = [line for line in row if line not in gender]
    exact = [line for line in rest if line.text.strip().removeprefix("民族") in ETHNIC_GROUPS]
    ethnic = Read.join((line.text, line) for line in (exact[-1:] or rest))
    if ethnic is not None and ethnic.text.startswith(("民族", "族")):
        ethnic = ethnic.slice(ethnic.text.index("族") + 1)
    return Read.join((line.text, line) for line in gender), ethnic


def _is_birth(text: str) -> bool:
    try:
        parse_birth(text)
    except DateParseError:
        return False
    return "年" in text or len(text) >= 8


def _trusted(out: SideResult, read: Read | None, name: str) -> Read | None:
    """A value read only where the layout guessed (no detector box) that contradicts a fully valid number, or that
    does not even parse, is a misreading of stamp debris, not the card disagreeing with itself: dropped, so the
    number stands in."""
    mismatch = {"dateOfBirth": codes.BIRTH_DATE_MISMATCH, "gender": codes.GENDER_MISMATCH}[name]
    if read is None or not all(line.reread for line in read.lines) or checks.confirmed_number(out) is None:
        return read
    unparsed = name == "dateOfBirth" and out.fields.get(name) is None  # 性别 is decided after this
    if not unparsed and not any(w.code == mismatch for w in out.warnings):
        return read
    out.warnings = [w for w in out.warnings if w.field != name]
    out.fields[name] = None
    out.confidence.pop(name, None)
    return None


def _gender_ethnic_reads(layout: FrontLayout, others: Sequence[TextLine]) -> tuple[Read | None, Read | None]:
    labels, h = layout.labels, layout.h
    gender_hit, ethnic_hit = labels.get("性别"), labels.get("民族")
    if ethnic_hit is not None:
        ethnic_read = _row_read(ethnic_hit, others, h, max_gap=6.0)
        if gender_hit is not None:
            gender_read = _row_read(gender_hit, others, h, max_gap=6.0, stop_x=ethnic_hit.line.left)
        else:  # the value left of 民族, right of the label column
            left_edge = (layout.column_x or ethnic_hit.line.left - 8 * h) + 1.5 * h
            row = [
                line
                for line in others
                if same_row(line, ethnic_hit.line) and left_edge <= line.left and line.right <= ethnic_hit.line.left
            ]
            gender_read = Read.join((line.text, line) for line in sorted(row, key=lambda line: line.left))
        return gender_read, ethnic_read
    if gender_hit is not None:
        read = _row_read(gender_hit, others, h, max_gap=6.0)
        gender_read, ethnic_read = _split_gender_ethnic(read) if read else (None, None)
        if ethnic_read is None:  # 民族 label lost: its value sits far right on the row; only an exact group counts
            ethnic_read = _lone_group(gender_hit.line, read, others, h)
        return gender_read, ethnic_read
    return None, None


def _lone_group(label: TextLine, row: Read | None, others: Sequence[TextLine], h: float) -> Read | None:
    edge = max(line.right for line in row.lines) if row else label.right
    candidates = [
        line
        for line in others
        if same_row(line, label)
        and 0 <= line.left - edge <= LONE_GROUP_REACH * h
        and (found := match_ethnicity(line.text)) is not None
        and found.known
        and not found.corrected
    ]
    nearest = min(candidates, key=lambda line: line.left, default=None)
    return Read.join([(nearest.text, nearest)]) if nearest else None


def _gender_value(read: Read | None) -> str | None:
    if read is None:
        return None
    present = {ch for ch in read.text if ch in GENDERS}
    return present.pop() if len(present) == 1 else None
