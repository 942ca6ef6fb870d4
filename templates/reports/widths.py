"""The PDF's column widths, worked out before WeasyPrint lays the table out.

WeasyPrint's automatic table layout measures every cell's text twice (its widest and its
narrowest) before it lays the rows out: a quarter of a long report's time. The report gives
the widths itself instead (`table-layout: fixed`), found the way the automatic layout
finds them (CSS 2.1 §17.5.2.2) from the same text: each column between its narrowest
(its longest unbreakable run) and its widest (its longest line), measured with
Sarabun's own advance widths (hmtx). Widths are in em of the table's font.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache

from templates.pdf import font_paths
from templates.reports.model import Cell, Column, ColumnKind, Row, RowStyle, Text

PAGE_EM = 86.0  # A4 landscape between the margins (273 mm) in the table's 9 pt
PADDING_EM = 0.75  # a cell's 4 px each side and its border
SMALL = 0.85  # the English line (.en)
INLINE_GAP_EM = 0.75  # the English after the Thai on one line: its 8 px margin
THAI_WORD = 8  # Thai breaks between words, not at spaces: a word is about this many letters
Piece = tuple[str, float, int]  # text, its size in em, its weight
Line = tuple[Piece, ...]
NOWRAP = frozenset({"code", "quantity", "money", "percent", "count", "flag", "moment"})


@cache
def _advances(weight: int) -> dict[int, float]:
    """code point → advance width in em (Sarabun's cmap and hmtx); marks advance nothing."""
    from fontTools.ttLib import TTFont

    font = TTFont(font_paths()[weight], lazy=True)
    metrics, per_em = font["hmtx"].metrics, font["head"].unitsPerEm
    return {code: metrics[glyph][0] / per_em for code, glyph in font.getBestCmap().items()}


def text_width(text: str, weight: int = 400) -> float:
    advances = _advances(weight)
    return sum(advances.get(ord(char), 0.55) for char in text)


def _runs(text: str) -> Iterable[str]:
    """What a line cannot break inside: words between spaces, Thai cut to about a word."""
    for word in text.split():
        thai = sum(1 for char in word if "\u0e00" <= char <= "\u0e7f")
        yield word if thai < len(word) / 2 else word[:THAI_WORD]


def _lines(value: Cell, shown: str, style: RowStyle) -> list[Line]:
    """The lines a cell shows. Subtotals and totals are bold, their English after the Thai."""
    weight = 400 if style == "item" else 700
    if not isinstance(value, Text):
        return [((shown, 1.0, weight),)]
    if style == "item":
        return [((value.th, 1.0, 400),), ((value.en, SMALL, 400),)]
    return [((value.th, 1.0, 700), (value.en, SMALL, 400))]


def _width(line: Line) -> float:
    pieces = sum(text_width(text, weight) * size for text, size, weight in line)
    return pieces + INLINE_GAP_EM * (len(line) - 1)


def _longest_run(line: Line) -> float:
    return max(
        (text_width(run, weight) * size for text, size, weight in line for run in _runs(text)),
        default=0.0,
    )


def column_widths(
    columns: list[Column], rows: Iterable[Row], show: Callable[[Cell, ColumnKind], str]
) -> list[float]:
    """Each column's share of the table in per cent. `show`: the text a cell that is not
    a Text shows in its column."""
    widest = [0.0] * len(columns)
    narrowest = [0.0] * len(columns)

    def measure(index: int, lines: list[Line], wraps: bool) -> None:
        for line in lines:
            full = _width(line)
            widest[index] = max(widest[index], full)
            narrowest[index] = max(narrowest[index], _longest_run(line) if wraps else full)

    for index, column in enumerate(columns):  # headings (bold Thai over small English) wrap
        measure(index, [((column.th, 1.0, 700),), ((column.en, SMALL, 400),)], True)
    for row in rows:
        if row.style == "group":
            continue  # spans the table
        for index, value in enumerate(row.cells):
            shown = "" if isinstance(value, Text) else show(value, columns[index].kind)
            measure(index, _lines(value, shown, row.style), columns[index].kind not in NOWRAP)
    return _shares([w + PADDING_EM for w in widest], [n + PADDING_EM for n in narrowest])


def _shares(widest: list[float], narrowest: list[float]) -> list[float]:
    """Widths as the automatic layout would give them, in per cent of the table."""
    room = PAGE_EM
    if sum(widest) <= room:  # everything fits on one line: the rest shared as the widths are
        widths = widest
    elif sum(narrowest) >= room:
        widths = narrowest
    else:  # each column between its narrowest and its widest, by how much it could use
        spare = (room - sum(narrowest)) / (sum(widest) - sum(narrowest))
        widths = [n + (w - n) * spare for w, n in zip(widest, narrowest)]
    total = sum(widths)
    return [100 * w / total for w in widths]
