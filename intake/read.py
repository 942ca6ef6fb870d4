"""Reading a workbook that passed the file gate: its `_meta` and its sheets' raw cells (calamine)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook

from eop.layout import META_SHEET, SheetLayout
from validators.values import read_text


class UnreadableWorkbook(Exception):
    """The reader gave up on a file that looked like a workbook."""

    permanent = True

    def __init__(self, name: str, detail: str) -> None:
        super().__init__(f"{name}: {detail}")
        self.message_th = f'อ่านไฟล์ "{name}" ไม่ได้ (ไฟล์อาจเสียหาย) กรุณาบันทึกใหม่ใน Excel เป็น .xlsx แล้วส่งอีกครั้ง'
        self.message_en = f'"{name}" cannot be read (it may be damaged); save it again from Excel as .xlsx and send it again ({detail})'


@dataclass
class RawWorkbook:
    """Cells as stored: numbers as float, text as text, blanks as "", formulas by cached value."""

    name: str
    sheet_names: list[str]
    meta: dict[str, str] | None
    sheets: dict[str, list[list[object]]] = field(default_factory=dict)

    def rows(self, sheet: str) -> list[list[object]]:
        return self.sheets.get(sheet, [])


def read_workbook(path: Path, *, display_name: str, max_rows: int) -> RawWorkbook:
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
        sheets = {name: _cells(book, name, max_rows) for name in names}
    except (CalamineError, ValueError, OSError) as exc:
        raise UnreadableWorkbook(display_name, str(exc)) from exc
    finally:
        if "book" in locals():
            book.close()
    meta = _meta(sheets.pop(META_SHEET)) if META_SHEET in sheets else None
    return RawWorkbook(display_name, [n for n in names if n != META_SHEET], meta, sheets)


def _cells(book: CalamineWorkbook, name: str, max_rows: int) -> list[list[object]]:
    sheet = book.get_sheet_by_name(name)
    # A sheet past the row limit is read only up to it (plus one row, so the limit shows).
    return sheet.to_python(skip_empty_area=False, nrows=max_rows + 1)


def _meta(rows: list[list[object]]) -> dict[str, str]:
    return {read_text(r[0]): read_text(r[1]) for r in rows if len(r) >= 2 and read_text(r[0])}


def sheet_frame(rows: list[list[object]], layout: SheetLayout, count: int | None = None) -> pd.DataFrame:
    """The data rows of a sheet as raw cells by field, plus `row` (the Excel row number).
    Data rows run from the layout's first row while the activity code is filled
    (or exactly `count` rows when given)."""
    start = layout.first_row - 1
    letters = [(c.field, _index(c.letter)) for c in layout.columns]
    records = []
    for offset, cells in enumerate(rows[start:]):
        if count is None and not read_text(_at(cells, _index(layout.column("code").letter))):
            break
        if count is not None and offset >= count:
            break
        records.append({"row": start + offset + 1, **{name: _at(cells, i) for name, i in letters}})
    return pd.DataFrame.from_records(records, columns=["row", *(name for name, _ in letters)])


def codes_below(rows: list[list[object]], layout: SheetLayout, after_row: int) -> list[tuple[int, str]]:
    """Activity codes in rows after the expected ones: rows someone added."""
    column = _index(layout.column("code").letter)
    return [(i + 1, read_text(r[column])) for i, r in enumerate(rows) if i + 1 > after_row and read_text(_at(r, column))]


def cell_value(rows: list[list[object]], address: str) -> object:
    letters = "".join(ch for ch in address if ch.isalpha())
    number = int("".join(ch for ch in address if ch.isdigit()))
    return _at(rows[number - 1], _index(letters)) if number <= len(rows) else ""


def _index(letters: str) -> int:
    value = 0
    for ch in letters:
        value = value * 26 + ord(ch) - 64
    return value - 1


def _at(cells: list[object], index: int) -> object:
    return cells[index] if index < len(cells) else ""
