"""Place names as evidence: the GB/T 2260 region codes and names that python-stdnum ships (``stdnum/cn/loc.dat``:
provinces, prefectures and counties with the years each code was valid), used to mend a misread character inside
a place name of an address or an issuing authority.

A mend is taken only when the recogniser itself supports it: the name's character must be among its alternatives
at that place with a real share of the probability (``grammar.substitution_support``). The number's region code
adds weight to its own county, prefecture and province (people move: it is never forced). Autonomous areas carry
their groups' names (罗城仫佬族自治县, 德宏傣族景颇族自治州), so misread group names inside them are mended the same
way.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .grammar import MIN_SUPPORT, char_options, substitution_support
from .side import Read

# Names shorter than this are left alone: with one character changed, a two-character name (萧县, 和县) matches too
# much ordinary text.
MIN_NAME_LENGTH = 3
# Names at least this long may have two characters misread (怒江便儒族自治州 for 怒江傈僳族自治州): so long a name
# with six of eight characters right is still that name.
TWO_CHANGES_LENGTH = 6
# A place name cut inside an address: at least this many of its first characters were read (one is too common:
# 南 begins 南京市 and many a street).
MIN_CUT_PREFIX = 2
# The number's own places need less support: the region code is independent evidence of the same name.
REGION_SUPPORT = MIN_SUPPORT / 10
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖行政单位"})
_YEARS = re.compile(r"^\[[0-9-]*\]")


@dataclass(frozen=True, slots=True)
class Mend:
    position: int
    old: str
    new: str
    name: str
    support: float


class Gazetteer:
    def __init__(self, entries: dict[str, set[str]]) -> None:
        self.by_code = entries  # 6-digit code -> names it had
        names = {name for found in entries.values() for name in found if len(name) >= MIN_NAME_LENGTH}
        self.names = frozenset(names)
        self._wildcards: dict[str, list[tuple[str, tuple[int, ...]]]] = {}
        for name in names:
            for k in range(len(name)):
                self._wildcards.setdefault(_masked(name, (k,)), []).append((name, (k,)))
            if len(name) >= TWO_CHANGES_LENGTH:
                for j in range(len(name)):
                    for k in range(j + 1, len(name)):
                        self._wildcards.setdefault(_masked(name, (j, k)), []).append((name, (j, k)))
        self.lengths = sorted({len(name) for name in names})
        self._all_names = frozenset(name for found in entries.values() for name in found)
        self._longest = max(map(len, self._all_names), default=0)
        # Each province's and prefecture's code -> the names under it; each name -> its codes (for cut_name).
        self._under: dict[str, set[str]] = {}
        self._codes: dict[str, set[str]] = {}
        for code, found in entries.items():
            for parent in {code[:2] + "0000", code[:4] + "00"} - {code}:
                self._under.setdefault(parent, set()).update(name for name in found if len(name) >= MIN_NAME_LENGTH)
            for name in found:
                self._codes.setdefault(name, set()).add(code)

    @property
    def province_names(self) -> frozenset[str]:
        """Province-level names (河北省, 北京市, 广西壮族自治区...): where a card's address begins."""
        return frozenset(name for code, found in self.by_code.items() if code.endswith("0000") for name in found)

    def leading_places(self, text: str) -> int:
        """How many characters of ``text`` the place names it begins with take (广西壮族自治区河池市 in
        广西壮族自治区河池市环江…: 10), each the longest name that fits."""
        return sum(map(len, self.leading_names(text)))

    def leading_names(self, text: str) -> list[str]:
        """The place names ``text`` begins with, each the longest name that fits."""
        names: list[str] = []
        end = 0
        while True:
            lengths = range(min(self._longest, len(text) - end), 1, -1)
            found = next((k for k in lengths if text[end : end + k] in self._all_names), None)
            if found is None:
                return names
            names.append(text[end : end + found])
            end += found

    def cut_name(self, text: str) -> str | None:
        """The place name that ``text`` goes on to begin after its leading place names but breaks off: a name
        under the last of them whose first two or more characters follow it, and then not the rest (黔南治州 for
        贵州省 + 黔南布依族苗族自治州: characters lost under a highlight). None when there is none."""
        names = self.leading_names(text)
        if not names:
            return None
        rest = text[sum(map(len, names)) :]
        below = {name for code in self._codes.get(names[-1], ()) for name in self._under.get(code, ())}
        if any(rest.startswith(name) for name in below):
            return None
        for name in sorted(below, key=len, reverse=True):
            if MIN_CUT_PREFIX <= len(os.path.commonprefix([rest, name])) < len(name):
                return name
        return None

    def region_names(self, code: str | None) -> frozenset[str]:
        """The county, prefecture and province names of a region code (any of the years they were valid)."""
        if not code or len(code) < 6 or not code[:6].isdigit():
            return frozenset()
        found: set[str] = set()
        for key in (code[:6], code[:4] + "00", code[:2] + "0000"):
            found |= self.by_code.get(key, set())
        return frozenset(found)

    def near(self, window: str) -> list[tuple[str, tuple[int, ...]]]:
        """Names that differ from ``window`` in one character, or two for long names: (name, the indexes)."""
        out = []
        masks: list[tuple[int, ...]] = [(k,) for k in range(len(window))]
        if len(window) >= TWO_CHANGES_LENGTH:
            masks += [(j, k) for j in range(len(window)) for k in range(j + 1, len(window))]
        for mask in masks:
            for name, indexes in self._wildcards.get(_masked(window, mask), ()):
                if indexes == mask and all(name[i] != window[i] for i in mask):
                    out.append((name, mask))
        return out


def _masked(text: str, indexes: tuple[int, ...]) -> str:
    return "".join("?" if i in indexes else ch for i, ch in enumerate(text))


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Loaded once per process from python-stdnum's data file."""
    text = resources.files("stdnum").joinpath("cn/loc.dat").read_text(encoding="utf-8")
    entries: dict[str, set[str]] = {}
    province = ""
    for raw in text.splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        code, _, props = raw.strip().partition(" ")
        value = props.split("=", 1)[1].strip('"') if "=" in props else ""
        if not raw.startswith(" "):
            province = code
            full = province + "0000"
        else:
            full = province + code
        for name in value.split(","):
            name = _YEARS.sub("", name.strip())
            if name and name not in _PLACEHOLDERS:
                entries.setdefault(full, set()).add(name)
    return Gazetteer(entries)


def mend_place_names(read: Read, region_code: str | None = None) -> tuple[str, list[Mend]]:
    """The read's text with misread characters inside place names mended, and the mends (none when the
    recogniser's alternatives do not support any)."""
    places = gazetteer()
    text = read.text
    # Only a character the recogniser hesitated over can be mended: skip windows without one.
    unsure = [i for i in range(len(text)) if len(char_options(read, i)) > 1]
    if not unsure:
        return text, []
    own = places.region_names(region_code)
    best: dict[int, Mend] = {}
    for start in range(len(text)):
        for length in places.lengths:
            window = text[start : start + length]
            if len(window) < length:
                break
            if window in places.names or not any(start <= i < start + length for i in unsure):
                continue
            for name, indexes in places.near(window):
                supports = [substitution_support(read, start + k, name[k]) for k in indexes]
                needed = REGION_SUPPORT if name in own else MIN_SUPPORT
                if min(supports) < needed:
                    continue
                for k, support in zip(indexes, supports, strict=True):
                    position = start + k
                    found = best.get(position)
                    rank = (name in own, support, len(name))
                    if found is None or rank > (found.name in own, found.support, len(found.name)):
                        best[position] = Mend(position, text[position], name[k], name, support)
    mended = list(text)
    for mend in best.values():
        mended[mend.position] = mend.new
    return "".join(mended), sorted(best.values(), key=lambda mend: mend.position)
