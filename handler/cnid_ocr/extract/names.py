"""Personal names: spaces out, the middle dot of minority names (阿依古丽·买买提) restored."""

from __future__ import annotations

import re

from .side import Read
from .text import HAN_RANGES, clean

MIDDLE_DOT = "·"
_HAN = f"[{HAN_RANGES}]"
_HAN_CHAR = re.compile(_HAN)
# What OCR makes of the printed middle dot when it is not a Han character.
_DOT_LIKE = "·•・‧∙⋅.\\-‐‑–—ー°"
_DOT_RE = re.compile(f"(?<={_HAN})[{_DOT_LIKE}]+(?={_HAN})")
# '一' is also a common Han given-name character (王一博): read it as a dot only between two runs of at least two
# characters, which Han names of up to four characters cannot produce.
_YI_RE = re.compile(f"(?<={_HAN}{{2}})一(?={_HAN}{{2}})")
# A name begins and ends with a Han character or a Latin word (a naturalised citizen's name): anything else at its
# edges is a mark or a gap read as a symbol (☑, |, a dot, a lone letter) between the label and the value.
_NOT_NAME = f"[^{HAN_RANGES}A-Za-z]"
_EDGE_RE = re.compile(f"^(?:{_NOT_NAME}|[A-Za-z](?![A-Za-z]))+|(?:{_NOT_NAME}|(?<![A-Za-z])[A-Za-z])+$")
# The recogniser saw a dot between two characters (a share of a step between them) but the greedy reading dropped it.
MIN_DOT_SHARE = 0.1


def normalize_name(raw: str) -> str:
    name = _EDGE_RE.sub("", clean(raw))
    name = _DOT_RE.sub(MIDDLE_DOT, name)
    return _YI_RE.sub(MIDDLE_DOT, name)


def dropped_dots(read: Read) -> list[int]:
    """Indexes of the read's text before which the recogniser saw a middle dot that its greedy reading dropped
    (between two Han characters of one box, some step between them gives a dot-like character ``MIN_DOT_SHARE``)."""
    found = []
    offset = 0
    for piece in read.pieces if read.exact else ():
        lattice, spans = piece.line.alternatives()
        for i in range(piece.start + 1, piece.end):
            before, after = piece.line.text[i - 1], piece.line.text[i]
            if not (_HAN_CHAR.match(before) and _HAN_CHAR.match(after)):
                continue
            gap = range(spans[i - 1][1], spans[i][0])
            if any(_dot_share(lattice.steps[t]) >= MIN_DOT_SHARE for t in gap):
                found.append(offset + i - piece.start)
        offset += piece.end - piece.start
    return found


def _dot_share(step: dict[str, float]) -> float:
    return sum(p for ch, p in step.items() if ch and ch in _DOT_LIKE)
