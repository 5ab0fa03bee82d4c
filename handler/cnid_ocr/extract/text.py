"""Text helpers shared by the field parsers: normalisation, Han detection, edit distance, copy stamps."""

from __future__ import annotations

import re
import unicodedata

# CJK unified ideographs incl. extension A and B-G (rare name characters live there) and compatibility forms.
HAN_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_RE = re.compile(f"[{HAN_RANGES}]")

# Text printed or stamped over photocopies, never part of a field: copy stamps in any ink ("复印无效", "禁止复印",
# a square 禁止复印 stamp read row by row as "复禁" + "印止"), and watermark lines that limit a copy's use
# ("仅供办理XX使用", "仅限BDCI比赛使用", "仅用于XX", "他用无效"): no field of a card begins with 仅供/仅限/仅用于.
_STAMP_RE = re.compile(r"(再次)?复印无效|禁止复印|复印件?|无效")
_STAMP_LINE_RE = re.compile(r"^仅[供限]|^仅用于|仅[供限].*使用|他用无效|^[复印无效件再次禁止]+$")
_PUNCT_ONLY_RE = re.compile(r"^[\W_]*$")


def is_han(ch: str) -> bool:
    return bool(_HAN_RE.fullmatch(ch))


def clean(text: str) -> str:
    """NFKC (full-width digits/letters/punctuation to ASCII, Kangxi radicals to ideographs), no whitespace.

    Card values never contain spaces; OCR inserts them between widely spaced glyphs.
    """
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def strip_stamps(text: str) -> str:
    """Remove copy-stamp text ("复印无效" ...) merged into a line; "" when the whole line is a stamp."""
    if _STAMP_LINE_RE.search(text):
        return ""
    text = _STAMP_RE.sub("", text)
    return "" if _PUNCT_ONLY_RE.match(text) else text


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insert, delete, substitute: the three ways a CTC recogniser misreads)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]
