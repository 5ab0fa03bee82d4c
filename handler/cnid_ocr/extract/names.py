"""Personal names: spaces out, the middle dot of minority names (阿依古丽·买买提) restored."""

from __future__ import annotations

import re

from .text import HAN_RANGES, clean

MIDDLE_DOT = "·"
_HAN = f"[{HAN_RANGES}]"
# What OCR makes of the printed middle dot when it is not a Han character.
_DOT_LIKE = "·•・‧∙⋅.\\-‐‑–—ー°"
_DOT_RE = re.compile(f"(?<={_HAN})[{_DOT_LIKE}]+(?={_HAN})")
# '一' is also a common Han given-name character (王一博): read it as a dot only between two runs of at least two
# characters, which Han names of up to four characters cannot produce.
_YI_RE = re.compile(f"(?<={_HAN}{{2}})一(?={_HAN}{{2}})")
# A name begins and ends with a Han character: anything else at its edges is a mark or a gap read as a symbol
# (☑, |, a dot) between the label and the value.
_EDGE_RE = re.compile(f"^[^{HAN_RANGES}]+|[^{HAN_RANGES}]+$")


def normalize_name(raw: str) -> str:
    name = _EDGE_RE.sub("", clean(raw))
    name = _DOT_RE.sub(MIDDLE_DOT, name)
    return _YI_RE.sub(MIDDLE_DOT, name)
