"""Text measurement and wrapping, so that the layout can size lanes before any SVG exists.

SVG has no automatic line breaking, and a renderer without a browser (resvg, for PNG) cannot measure text
for us. The advance widths below are DejaVu Sans' own (units per em: 2048), the font every renderer here
falls back to; other fonts in the stack are narrower, so wrapped text fits wherever the map is opened.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

UNITS_PER_EM = 2048
ELLIPSIS = "\u2026"

# Advance widths of the printable ASCII characters (space .. tilde), regular and bold.
_REGULAR = (
    651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690,
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690, 690, 1716, 1716, 1716, 1087,
    2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767, 1532, 1612,
    1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799, 690, 799, 1716, 1024,
    1024, 1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298, 1253,
    1300, 1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075, 1303, 690, 1303, 1716,
)  # fmt: skip
_BOLD = (
    713, 934, 1067, 1716, 1425, 2052, 1786, 627, 936, 936, 1071, 1716, 778, 850, 778, 748,
    1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 819, 819, 1716, 1716, 1716, 1188,
    2048, 1585, 1561, 1503, 1700, 1399, 1399, 1681, 1714, 762, 762, 1587, 1305, 2038, 1714, 1741,
    1501, 1741, 1577, 1475, 1397, 1663, 1585, 2259, 1579, 1483, 1485, 936, 748, 936, 1716, 1024,
    1024, 1382, 1466, 1214, 1466, 1389, 891, 1466, 1458, 702, 702, 1362, 702, 2134, 1458, 1407,
    1466, 1466, 1010, 1219, 979, 1458, 1335, 1892, 1321, 1335, 1192, 1458, 748, 1458, 1716,
)  # fmt: skip
_WIDE = UNITS_PER_EM  # ellipsis, dashes, CJK: one em
_UNKNOWN = 1303  # a digit's width: a fair guess for letters of other scripts


def _advance(char: str, table: tuple[int, ...]) -> int:
    """Width of one character; accented letters measure as their base letter."""
    code = ord(char)
    if 32 <= code < 127:
        return table[code - 32]
    if unicodedata.east_asian_width(char) in "WF" or char in "\u2026\u2014":
        return _WIDE
    if unicodedata.combining(char):
        return 0
    base = unicodedata.normalize("NFD", char)[0]
    if base != char and 32 <= ord(base) < 127:
        return table[ord(base) - 32]
    return _UNKNOWN


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Width in pixels of ``text`` set in DejaVu Sans at ``size`` pixels."""
    table = _BOLD if bold else _REGULAR
    return sum(_advance(c, table) for c in text) * size / UNITS_PER_EM


@dataclass(frozen=True)
class TextBlock:
    """Text wrapped to a width: the lines to draw, and the full text for a tooltip when it was cut."""

    lines: tuple[str, ...]
    full: str
    size: float
    bold: bool = False
    line_height: float = 0.0
    truncated: bool = False

    @property
    def height(self) -> float:
        return len(self.lines) * self.line_height

    @property
    def width(self) -> float:
        return max((text_width(line, self.size, bold=self.bold) for line in self.lines), default=0.0)


def _fit(text: str, width: float, size: float, bold: bool) -> str:
    """The longest prefix of ``text`` that fits ``width`` with an ellipsis after it."""
    room = width - text_width(ELLIPSIS, size, bold=bold)
    cut = text
    while cut and text_width(cut, size, bold=bold) > room:
        cut = cut[:-1]
    return cut.rstrip() + ELLIPSIS


def _split_long(word: str, width: float, size: float, bold: bool) -> list[str]:
    """Break a word wider than the line (an id, a URL) into pieces that fit."""
    pieces: list[str] = []
    current = ""
    for char in word:
        if current and text_width(current + char, size, bold=bold) > width:
            pieces.append(current)
            current = ""
        current += char
    return [*pieces, current] if current else pieces


def wrap(
    text: str, width: float, size: float, *, bold: bool = False, max_lines: int = 3, leading: float = 1.32
) -> TextBlock:
    """Wrap ``text`` greedily to ``width`` pixels; beyond ``max_lines`` the last line ends in an ellipsis."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size, bold=bold) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        pieces = _split_long(word, width, size, bold) if text_width(word, size, bold=bold) > width else [word]
        lines.extend(pieces[:-1])
        current = pieces[-1]
    if current:
        lines.append(current)
    truncated = len(lines) > max_lines
    if truncated:
        lines = [*lines[: max_lines - 1], _fit(" ".join(lines[max_lines - 1 :]), width, size, bold)]
    return TextBlock(tuple(lines), text, size, bold, round(size * leading, 2), truncated)
