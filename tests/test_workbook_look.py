"""What a Thai officer sees in our workbooks, measured: no text runs over into an input cell
or past its row, money shows two decimals, the budget sheet has a total %.

Text width is measured with Pillow in Sarabun (the Thai font the product ships for its PDFs):
the workbooks are set in Tahoma, which this machine does not have. Tahoma is the wider of
the two, so Sarabun's widths are scaled by TAHOMA_SCALE — an approximation, on the safe side.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import fontpkg_sarabun
import pytest
from conftest import DISTRICTS
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from PIL import ImageFont

from eop.layout import BUDGET, META_SHEET, PERFORMANCE
from jobs.deployment import Deployment
from jobs.issue import build

TAHOMA_SCALE = 1.12  # Tahoma's advance widths over Sarabun's, Latin and Thai alike (roughly)
PADDING_PX = 6  # a cell's inner margins, both sides
POINTS_PER_PX = 0.75


@cache
def font(size_pt: float, bold: bool) -> ImageFont.FreeTypeFont:
    folder = Path(fontpkg_sarabun.__file__).parent / "files"
    name = "Sarabun-Bold.ttf" if bold else "Sarabun-Regular.ttf"
    return ImageFont.truetype(str(folder / name), round(size_pt / POINTS_PER_PX))


def text_px(cell: Cell, text: str) -> float:
    size = float(cell.font.sz or 11)
    return font(size, bool(cell.font.b)).getlength(text) * TAHOMA_SCALE


def column_px(sheet: Worksheet, letter: str) -> float:
    """Excel's column width (characters of the default font's digit, 7 px) in pixels."""
    width = sheet.column_dimensions[letter].width or 8.43
    return math.trunc(width * 7 + 5)


def span(sheet: Worksheet, cell: Cell) -> tuple[int, int]:
    """First and last column of the cell, or of the merged range it starts."""
    for merged in sheet.merged_cells.ranges:
        if merged.min_row == cell.row and merged.min_col == cell.column:
            return merged.min_col, merged.max_col
    return cell.column, cell.column


def width_px(sheet: Worksheet, first: int, last: int) -> float:
    return sum(column_px(sheet, get_column_letter(c)) for c in range(first, last + 1))


def lines_needed(sheet: Worksheet, cell: Cell, available: float) -> int:
    return sum(
        max(1, math.ceil(text_px(cell, part) / max(available - PADDING_PX, 1)))
        for part in str(cell.value).split("\n")
    )


def row_points(sheet: Worksheet, row: int) -> float:
    return sheet.row_dimensions[row].height or 15.0


def is_input(cell: Cell) -> bool:
    return cell.protection is not None and cell.protection.locked is False


def overflows(sheet: Worksheet) -> list[str]:
    """Every text that runs out of its cell: over an input or a filled cell beside it (not
    wrapped), or past its row's height (wrapped)."""
    found = []
    for row in sheet.iter_rows():
        for cell in row:
            if not isinstance(cell.value, str) or cell.data_type == "f":
                continue
            first, last = span(sheet, cell)
            available = width_px(sheet, first, last)
            where = f"{sheet.title}!{cell.coordinate} {cell.value[:40]!r}"
            if cell.alignment is not None and cell.alignment.wrap_text:
                line_pt = float(cell.font.sz or 11) * 1.25
                need = lines_needed(sheet, cell, available) * line_pt
                if need > row_points(sheet, cell.row) + 1:
                    found.append(
                        f"{where}: needs {need:.0f} pt, row is {row_points(sheet, cell.row)}"
                    )
                continue
            width = max(text_px(cell, part) for part in cell.value.split("\n")) + PADDING_PX
            column = last
            while width > available:
                column += 1
                neighbour = sheet.cell(cell.row, column)
                if is_input(neighbour) or neighbour.value not in (None, ""):
                    found.append(f"{where}: runs over {neighbour.coordinate}")
                    break
                available += column_px(sheet, get_column_letter(column))
    return found


@pytest.fixture
def books(march: Deployment) -> dict[str, Path]:
    """One workbook of every kind, as the service builds them in March's entry window."""
    now = march.now()
    wanted = {
        "monthly": ("7105", "2558-03"),
        "allocation": ("71", "2558"),
        "targets": ("71", "2558"),
        "review": ("71-S3", "2558-03"),
        "confirm": ("71", "2558-03"),
        "correction": ("71", "2558"),
    }
    with march.ledger.atomic() as conn:
        return {
            kind: build(march, conn, kind, office, period, now).path
            for kind, (office, period) in wanted.items()
        }


def test_no_text_runs_over_an_input_or_past_its_row(books):
    found = []
    for kind, path in books.items():
        for sheet in load_workbook(path).worksheets:
            if sheet.title != META_SHEET:
                found += [f"{kind}: {problem}" for problem in overflows(sheet)]
    assert found == []


@pytest.mark.parametrize("kind, rows", [("confirm", (4, 5, 6, 7)), ("correction", (4,))])
def test_labels_beside_inputs_stay_in_their_cells(books, kind, rows):
    """The confirm workbook's A4–A7 labels looked like filled-in yellow cells."""
    sheet = load_workbook(books[kind]).worksheets[0]
    for row in rows:
        label = sheet[f"A{row}"]
        assert "\n" in label.value, label.value  # Thai over English
        first, last = span(sheet, label)
        assert is_input(sheet.cell(row, last + 1)), row
        assert lines_needed(sheet, label, width_px(sheet, first, last)) * 12.5 <= row_points(
            sheet, row
        )


def test_allocation_headers_tell_the_offices_apart(books, march: Deployment):
    sheet = load_workbook(books["allocation"]).worksheets[0]
    first = column_index_from_string("F")
    heads = [sheet.cell(5, first + i).value for i in range(1 + len(DISTRICTS))]
    assert len(set(heads)) == len(heads)
    assert all(not h.startswith("สำนักงาน") for h in heads), heads
    comments = [sheet.cell(5, first + i).comment.text for i in range(1 + len(DISTRICTS))]
    assert comments == [march.config.office(c).name_th for c in ["71", *DISTRICTS]]


def test_money_has_two_decimals_and_the_budget_a_total_percent(books):
    book = load_workbook(books["monthly"])
    formats = {
        cell.number_format
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if "#" in cell.number_format
    }
    assert "#,##0.##" not in formats
    budget = book[BUDGET.name]
    rows = list(range(BUDGET.first_row, budget.max_row + 1))
    total = next(r for r in rows if budget[BUDGET.cell("name", r)].value == "รวม / Total")
    for field in ("budget", "spent_prev", "spending", "spent", "balance"):
        assert budget[BUDGET.cell(field, BUDGET.first_row)].number_format == "#,##0.00"
        assert budget[BUDGET.cell(field, total)].number_format == "#,##0.00"
    percent = budget[BUDGET.cell("percent", total)]
    assert str(percent.value).startswith("=IF(") and percent.number_format == "0.00%"


def test_notes_are_in_the_sheets_font_and_inside_the_form(books):
    """Notes in Calibri ran past the form, and fit-to-page printed it at ~60 %."""
    sheet = load_workbook(books["monthly"])[PERFORMANCE.name]
    last_column = column_index_from_string(PERFORMANCE.columns[-1].letter)
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is not None:
                assert cell.font.name == "Tahoma", cell.coordinate
                assert cell.column <= last_column, cell.coordinate
    header = sheet[PERFORMANCE.cell("percent", PERFORMANCE.header_row)]
    assert header.value == "ร้อยละของเป้าหมาย"
    assert not overflows(sheet)
