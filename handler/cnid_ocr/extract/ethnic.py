"""The 56 ethnic groups of GB 3304-1991, as the card prints them (without 族), and misread matching."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..ocr.lattice import Lattice
from .grammar import MIN_SUPPORT, choose
from .text import HAN_RANGES, clean, edit_distance

# GB 3304 order (codes 01..56). 德昂 was 崩龙 before 1985; cards print the current name.
ETHNIC_GROUPS = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜",
    "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳",
    "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土",
    "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米",
    "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
    "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
)  # fmt: skip
_KNOWN = frozenset(ETHNIC_GROUPS)
# What the 民族 value may read as: a group, with the 族 some cards' readers expect.
_CANDIDATES = ETHNIC_GROUPS + tuple(group + "族" for group in ETHNIC_GROUPS)
# Traditional and variant forms of the characters of the group names (the recogniser knows both scripts): the same
# character, so mapping them is no guess.
_VARIANTS = str.maketrans(
    "漢維爾壯鮮滿薩東鄉納頗達錫烏羅溫獨龍倫門諾彜畬佈傜",
    "汉维尔壮鲜满萨东乡纳颇达锡乌罗温独龙伦门诺彝畲布瑶",
)
_NON_HAN = re.compile(f"[^{HAN_RANGES}]")


@dataclass(frozen=True, slots=True)
class EthnicMatch:
    value: str  # the group, or the text as read when unknown
    known: bool
    corrected: bool  # value differs from the read
    support: float = 1.0  # confidence in a corrected value (grammar.Choice.confidence), 1 when as read


def match_ethnicity(raw: str, lattice: Lattice | None = None) -> EthnicMatch | None:
    """Map an OCR read to one of the 56 groups.

    As read (or in a traditional form of the same characters) it is the group; otherwise the group the recogniser's
    alternatives support best (``lattice``: the value's steps), when its support is real; otherwise a group followed
    by background text the row picked up ("汉工后") is cut to that group; otherwise it stays unknown, as read.
    """
    read = _NON_HAN.sub("", clean(raw))
    text = read.translate(_VARIANTS)
    if len(text) > 1 and text.endswith("族"):  # some reads include the 族 some people expect
        text = text[:-1]
    if not text:
        return None
    if text in _KNOWN:  # a traditional form counts as a repair: the value differs from what was read
        return EthnicMatch(text, known=True, corrected=text != read.removesuffix("族"))
    if lattice is not None:
        choice = choose(lattice, _CANDIDATES, clean(raw))
        if choice is not None and choice.support >= MIN_SUPPORT:
            return EthnicMatch(choice.value.removesuffix("族"), True, True, choice.confidence)
    # A group followed by other text: cut to it, unless the text is as close to another group (土嘉: 土 or 土家).
    prefixes = [group for group in ETHNIC_GROUPS if text.startswith(group)]
    if prefixes and not any(edit_distance(text, group) == 1 for group in ETHNIC_GROUPS):
        return EthnicMatch(max(prefixes, key=len), known=True, corrected=True)
    return EthnicMatch(text, known=False, corrected=False)
