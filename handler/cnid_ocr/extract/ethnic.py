"""The 56 ethnic groups of GB 3304-1991, as the card prints them (without 族), and misread matching."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    corrected: bool  # value differs from the read by one edit


def match_ethnicity(raw: str) -> EthnicMatch | None:
    """Map an OCR read to one of the 56 groups; one-edit misreads only when a single group is that close.

    Single-character groups are all one edit from each other, so a misread one-character value stays unknown.
    """
    read = _NON_HAN.sub("", clean(raw))
    text = read.translate(_VARIANTS)
    if len(text) > 1 and text.endswith("族"):  # some reads include the 族 some people expect
        text = text[:-1]
    if not text:
        return None
    if text in _KNOWN:  # a traditional form counts as a repair: the value differs from what was read
        return EthnicMatch(text, known=True, corrected=text != read.removesuffix("族"))
    close = [group for group in ETHNIC_GROUPS if edit_distance(text, group) == 1]
    if len(close) == 1:
        return EthnicMatch(close[0], known=True, corrected=True)
    if not close:  # a group followed by background text the row picked up ("汉工后"): the longest such group
        prefixes = [group for group in ETHNIC_GROUPS if text.startswith(group)]
        if prefixes:
            return EthnicMatch(max(prefixes, key=len), known=True, corrected=True)
    return EthnicMatch(text, known=False, corrected=False)


_GROUP_SUFFIX = re.compile("族(?=自治|[^族]{1,4}族自治)")


def repair_autonomous_area_names(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Mend misread group names inside the names of autonomous areas (罗城仫佬族自治县, 德宏傣族景颇族自治州).

    Before a 族 that opens 自治 (or another group's 族自治), the recogniser's misreads of rare characters
    ('仏佬族', '景颜族') are mapped to the only group of the same length one substitution away. Groups of one
    character are left alone (all of them are one edit from each other), as is text where a group already matches.
    Returns the text and the (read, group) pairs replaced.
    """
    fixes: list[tuple[str, str]] = []
    out = text
    for match in reversed(list(_GROUP_SUFFIX.finditer(text))):
        end = match.start()
        if any(text[max(0, end - n) : end] in _KNOWN for n in range(1, 5)):
            continue
        candidates = {
            (n, group)
            for n in range(2, 5)
            if end - n >= 0
            for group in ETHNIC_GROUPS
            if len(group) == n and edit_distance(text[end - n : end], group) == 1
        }
        if len(candidates) == 1:
            n, group = candidates.pop()
            fixes.append((text[end - n : end], group))
            out = out[: end - n] + group + out[end:]
    return out, fixes[::-1]
