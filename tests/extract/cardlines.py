"""Synthetic OCR output of ID cards: boxes placed where a real card prints its labels and values.

Units are tenths of a millimetre on the 85.6 x 54 mm card (text about 2.6 mm high); ``scale`` and ``dx``/``dy``
move the card anywhere in an image, as a photo would.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass, field

from cnid_ocr.ocr.lattice import Lattice
from cnid_ocr.ocr.types import TextLine

TODAY = dt.date(2025, 6, 1)
H = 26  # text height
CW = 26  # width of a Han character
DW = 15  # width of a digit


def check_char(body17: str) -> str:
    """ISO 7064 MOD 11-2 written independently of the code under test (weights 2^(17-i) mod 11)."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(body17))
    return "0123456789X"[(12 - total % 11) % 11]


def id_number(region: str, born: str, seq: str) -> str:
    body = region + born + seq
    return body + check_char(body)


@dataclass
class Sheet:
    """Places boxes; ``lines`` is what the OCR engine would return."""

    scale: float = 1.0
    dx: float = 0.0
    dy: float = 0.0
    score: float = 0.995
    lines: list[TextLine] = field(default_factory=list)

    def box(self, text: str, x: float, y: float, width: float | None = None, height: float = H, score=None):
        width = width if width is not None else _width(text)
        s = self.scale
        line = TextLine.from_rect(
            text,
            self.score if score is None else score,
            self.dx + x * s,
            self.dy + y * s,
            self.dx + (x + width) * s,
            self.dy + (y + height) * s,
        )
        self.lines.append(line)
        return line

    def find(self, text: str) -> TextLine:
        return next(line for line in self.lines if line.text == text)

    def replace(self, text: str, new_text: str, score: float | None = None, alternatives: dict | None = None) -> None:
        """Read ``text`` as ``new_text``; ``alternatives`` gives the recogniser's runners-up (see with_alternatives)."""
        old = self.find(text)
        line = TextLine(new_text, old.score if score is None else score, old.box)
        self.lines[self.lines.index(old)] = with_alternatives(line, alternatives) if alternatives else line

    def remove(self, text: str) -> None:
        self.lines.remove(self.find(text))


def _width(text: str) -> float:
    return sum(DW if ch.isascii() else CW for ch in text)


def front(
    sheet: Sheet | None = None,
    *,
    name: str = "张三",
    gender: str = "男",
    ethnicity: str = "汉",
    birth: tuple[str, str, str] = ("1949", "12", "31"),
    address: tuple[str, ...] = ("北京市朝阳区建国路88号",),
    number: str = "110105194912310038",
    merge: frozenset[str] | set[str] = frozenset(),
    split_number: bool = False,
    labels: dict[str, str] | None = None,
    y0: float = 0.0,
    x0: float = 0.0,
) -> Sheet:
    """The portrait side. ``merge`` names labels whose value OCR returns in the same box; ``labels`` overrides
    how a label was read (e.g. {'姓名': '娃名'})."""
    sheet = sheet or Sheet()
    read = {label: label for label in ("姓名", "性别", "民族", "出生", "住址", "公民身份号码")}
    read.update(labels or {})
    lx, vx = x0 + 60, x0 + 165

    def row(label: str, value: str, y: float, x: float = lx, value_x: float = vx, height: float = H) -> None:
        if label in merge:
            sheet.box(read[label] + value, x, y, width=value_x - x + _width(value), height=height)
        else:
            sheet.box(read[label], x, y, width=70 if len(label) == 2 else None)
            if value:
                sheet.box(value, value_x, y + (H - height) / 2, height=height)

    row("姓名", name, y0 + 60)
    if {"性别", "民族"} <= set(merge):  # the whole row in one box
        sheet.box(read["性别"] + gender + read["民族"] + ethnicity, lx, y0 + 125, width=430 - lx + _width(ethnicity))
    else:
        row("性别", gender, y0 + 125)
        row("民族", ethnicity, y0 + 125, x=x0 + 330, value_x=x0 + 430)
    year, month, day = birth
    if "出生" in merge:
        sheet.box(f"{read['出生']}{year}年{month}月{day}日", lx, y0 + 190, width=vx - lx + 300)
    else:
        sheet.box(read["出生"], lx, y0 + 190, width=70)
        x = vx
        for text in (year, "年", month, "月", day, "日"):
            sheet.box(text, x, y0 + 190)
            x += _width(text) + 20
    for i, text in enumerate(address):
        if i == 0:
            row("住址", text, y0 + 255)
        else:
            sheet.box(text, vx, y0 + 255 + 40 * i)
    nx = x0 + 300
    if "公民身份号码" in merge:
        sheet.box(read["公民身份号码"] + number, lx, y0 + 445, width=nx - lx + 18 * 24, height=30)
    else:
        sheet.box(read["公民身份号码"], lx, y0 + 445)
        if split_number:
            sheet.box(number[:10], nx, y0 + 443, width=10 * 24, height=30)
            sheet.box(number[10:], nx + 10 * 24 + 12, y0 + 443, width=8 * 24, height=30)
        else:
            sheet.box(number, nx, y0 + 443, width=18 * 24, height=30)
    return sheet


def back(
    sheet: Sheet | None = None,
    *,
    authority: str = "北京市公安局朝阳分局",
    validity: str = "2015.03.01-2035.03.01",
    merge: frozenset[str] | set[str] = frozenset(),
    labels: dict[str, str] | None = None,
    y0: float = 0.0,
    x0: float = 0.0,
) -> Sheet:
    """The emblem side."""
    sheet = sheet or Sheet()
    read = {"签发机关": "签发机关", "有效期限": "有效期限"}
    read.update(labels or {})
    sheet.box("中华人民共和国", x0 + 330, y0 + 70, width=7 * 50, height=45)
    sheet.box("居民身份证", x0 + 300, y0 + 150, width=5 * 70, height=60)
    for label, value, y in (("签发机关", authority, 390), ("有效期限", validity, 450)):
        if label in merge:
            sheet.box(read[label] + value, x0 + 170, y0 + y, width=130 + _width(value))
        else:
            sheet.box(read[label], x0 + 170, y0 + y, width=110)
            sheet.box(value, x0 + 300, y0 + y)
    return sheet


def turned(lines: list[TextLine], degrees: float, cx: float = 0.0, cy: float = 0.0) -> list[TextLine]:
    """The lines as a photo turned by ``degrees`` (y down) about (cx, cy) would give them: tilted quads."""
    rad = math.radians(degrees)
    cos, sin = math.cos(rad), math.sin(rad)

    def turn(point: tuple[float, float]) -> tuple[float, float]:
        x, y = point[0] - cx, point[1] - cy
        return (cx + x * cos - y * sin, cy + x * sin + y * cos)

    return [TextLine(line.text, line.score, tuple(turn(p) for p in line.box)) for line in lines]  # type: ignore[arg-type]


def with_alternatives(line: TextLine, alternatives: dict[int, dict[str, float]]) -> TextLine:
    """``line`` as the recogniser would hand it over with a lattice: each character two steps (a blank between),
    character i with the probabilities ``alternatives[i]`` (its own character first), the others certain."""
    steps: list[dict[str, float]] = []
    spans = []
    for i, ch in enumerate(line.text):
        step = alternatives.get(i, {ch: 1.0})
        assert max(step, key=step.__getitem__) == ch, "the read character must be the most probable"
        spans.append((len(steps), len(steps) + 2))
        steps += [step, step, {"": 1.0}]
    return dataclasses.replace(line, lattice=Lattice(tuple(steps)), spans=tuple(spans))
