"""What every workbook of ours shares: styles, protection, typed input cells, the `_meta` sheet."""

from __future__ import annotations

import math
import os
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from eop.layout import META_SHEET, SheetLayout, prefilled_digest

FONT = "Tahoma"
TITLE = Font(name=FONT, size=13, bold=True)
BOLD = Font(name=FONT, size=10, bold=True)
PLAIN = Font(name=FONT, size=10)
SUBTLE = Font(name=FONT, size=9, italic=True, color="555555")
NOTE = Font(name=FONT, size=9, color="444444")  # upright: Thai in italics reads poorly
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # the cells an office fills
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
UNLOCKED = Protection(locked=False)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")  # numbers level with the first line of a wrapped name
NUMBER = "#,##0.00"  # money and decimal quantities: "52,500.00", never Excel's "52,500."
WHOLE = "#,##0"
PERCENT = "0.00%"


def new_workbook() -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = "e-Operation Sheets"
    return workbook


def title_rows(sheet: Worksheet, lines: Iterable[tuple[str, str]]) -> None:
    """Title lines at the top: Thai, then English in the same cell's next line."""
    for row, (th, en) in enumerate(lines, start=1):
        cell = sheet.cell(row=row, column=1, value=f"{th}  —  {en}" if en else th)
        cell.font = TITLE if row == 1 else BOLD


LINE = 13.5  # points per line of 10-pt Tahoma (Excel's default row is 15 for one line)


def lines_height(lines: int) -> float:
    return max(15.0, LINE * lines + 3)


def merged_width(sheet: Worksheet, cells: str) -> float:
    """The width, in characters, of the columns `cells` (e.g. "D4:J4") spans, as set so far."""
    first, last = (coordinate_from_string(end)[0] for end in cells.split(":"))
    return sum(
        sheet.column_dimensions[get_column_letter(index)].width or 8.43
        for index in range(column_index_from_string(first), column_index_from_string(last) + 1)
    )


def label(sheet: Worksheet, row: int, th: str, en: str, through: str = "B") -> None:
    """A label left of an input cell: Thai over English in A..`through`, wrapped, its row as
    tall as its lines, so that it never runs over into the (yellow) input beside it.
    Call after header(): the height follows the column widths."""
    cells = f"A{row}:{through}{row}"
    sheet.merge_cells(cells)
    cell = sheet[f"A{row}"]
    cell.value, cell.font = f"{th}\n{en}", BOLD
    cell.alignment = Alignment(wrap_text=True, vertical="center")
    lines = estimated_lines(cell.value, merged_width(sheet, cells))
    sheet.row_dimensions[row].height = max(
        sheet.row_dimensions[row].height or 0, lines_height(lines)
    )


def note(sheet: Worksheet, cells: str, text: str) -> None:
    """A note in the sheet's font, wrapped inside `cells` (merged): it stays within the form,
    so fit-to-page prints the form itself at a readable scale. Call after header()."""
    sheet.merge_cells(cells)
    cell = sheet[cells.split(":")[0]]
    cell.value, cell.font = text, NOTE
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    lines = estimated_lines(text, merged_width(sheet, cells))
    sheet.row_dimensions[cell.row].height = max(
        sheet.row_dimensions[cell.row].height or 0, lines_height(lines)
    )


def estimated_lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column `width` characters wide: Thai vowels and tone
    marks above or below a letter take no width of their own (Unicode category Mn)."""
    total = 0
    for line in str(text).split("\n"):
        visible = sum(1 for ch in line if unicodedata.category(ch) != "Mn")
        total += max(1, math.ceil(visible * 1.1 / max(width - 1.5, 1)))  # Tahoma: wide
    return total


def fit_rows(sheet: Worksheet, layout: SheetLayout, rows: range) -> None:
    """Each data row as tall as its longest wrapped text (no text over the row below)."""
    for row in rows:
        texts = [(sheet[layout.cell(c.field, row)].value, c.width) for c in layout.columns]
        lines = max(
            (
                estimated_lines(value, width)
                for value, width in texts
                if isinstance(value, str) and not value.startswith("=")
            ),
            default=1,
        )
        sheet.row_dimensions[row].height = lines_height(lines)


def header(sheet: Worksheet, layout: SheetLayout, lines: int = 2) -> None:
    """The Thai header over the English one, each row tall enough for `lines` wrapped lines."""
    for row in (layout.header_row, layout.header_row + 1):
        sheet.row_dimensions[row].height = lines_height(lines)
    for column in layout.columns:
        th = sheet[f"{column.letter}{layout.header_row}"]
        en = sheet[f"{column.letter}{layout.header_row + 1}"]
        th.value, en.value = column.th, column.en
        for cell in (th, en):
            cell.fill, cell.border, cell.alignment = (
                HEADER_FILL,
                BOX,
                Alignment(wrap_text=True, horizontal="center", vertical="center"),
            )
        th.font, en.font = BOLD, SUBTLE
        sheet.column_dimensions[column.letter].width = column.width
    sheet.freeze_panes = f"A{layout.first_row}"


def input_cell(
    sheet: Worksheet, address: str, validation: DataValidation, value: object = None
) -> None:
    cell = sheet[address]
    cell.value = value
    cell.protection, cell.fill, cell.border, cell.font = UNLOCKED, INPUT_FILL, BOX, PLAIN
    cell.alignment = TOP
    validation.add(address)


def number_validation(whole: bool, field_th: str, unit: str = "") -> DataValidation:
    kind_th = "จำนวนเต็ม" if whole else "ตัวเลข"
    unit_th = f" ({unit})" if unit else ""
    validation = DataValidation(
        type="whole" if whole else "decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=True,
        promptTitle=field_th[:32],
        prompt=f"กรอก{kind_th}ตั้งแต่ 0 ขึ้นไป{unit_th} — enter a {'whole ' if whole else ''}number ≥ 0",
        errorTitle="ค่าไม่ถูกต้อง",
        error=f"ต้องเป็น{kind_th}ตั้งแต่ 0 ขึ้นไป — must be a {'whole ' if whole else ''}number ≥ 0",
    )
    return validation


def text_validation(field_th: str, max_chars: int) -> DataValidation:
    return DataValidation(
        type="textLength",
        operator="lessThanOrEqual",
        formula1=str(max_chars),
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=True,
        promptTitle=field_th[:32],
        prompt=f"พิมพ์ข้อความได้ไม่เกิน {max_chars} ตัวอักษร — text, at most {max_chars} characters",
        errorTitle="ข้อความยาวเกินไป",
        error=f"ไม่เกิน {max_chars} ตัวอักษร — at most {max_chars} characters",
    )


def choice_validation(field_th: str, choices: Iterable[str]) -> DataValidation:
    joined = ",".join(choices)
    return DataValidation(
        type="list",
        formula1=f'"{joined}"',
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=True,
        promptTitle=field_th[:32],
        prompt=f"เลือก: {joined.replace(',', ' / ')} — choose one",
        errorTitle="เลือกจากรายการ",
        error=f"เลือก {joined.replace(',', ' หรือ ')} — choose from the list",
    )


FORMULA_STARTS = ("=", "+", "-", "@")


def fixed_cell(
    sheet: Worksheet, address: str, value: object, number_format: str | None = None
) -> None:
    """A value the office sees but must not change. Text is always text, never a formula
    (names and remarks may come from offices), with Excel's quote prefix when it starts
    like one, so that editing the cell later does not turn it into a formula either."""
    cell = sheet[address]
    cell.value = value
    cell.border, cell.font, cell.alignment = BOX, PLAIN, TOP
    if number_format:
        cell.number_format = number_format
    if isinstance(value, str):
        cell.data_type = "s"
        cell.alignment = WRAP
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True


def formula_cell(
    sheet: Worksheet, address: str, formula: str, number_format: str | None = None
) -> None:
    """A total or a percentage: our own formula (the only way a formula gets into a workbook)."""
    assert formula.startswith("="), formula
    cell = sheet[address]
    cell.value = formula
    cell.data_type = "f"
    cell.border, cell.font, cell.alignment = BOX, PLAIN, TOP
    if number_format:
        cell.number_format = number_format


def total_row(sheet: Worksheet, layout: SheetLayout, count: int, fields: Iterable[str]) -> int:
    """The "รวม / Total" row under `count` data rows: a SUM of each of `fields`; its row."""
    first, total = layout.first_row, layout.first_row + count
    fixed_cell(sheet, layout.cell("name", total), "รวม / Total")
    sheet[layout.cell("name", total)].font = BOLD
    for field in fields:
        span = f"{layout.cell(field, first)}:{layout.cell(field, total - 1)}"
        formula_cell(sheet, layout.cell(field, total), f"=SUM({span})", NUMBER)
    return total


def share(part: str, whole: str) -> str:
    """A percentage cell's formula: blank where there is nothing to divide by."""
    return f'=IF({whole}>0,{part}/{whole},"")'


def protect(sheet: Worksheet) -> None:
    """Lock every cell but the unlocked inputs; keep formatting of columns allowed."""
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.selectLockedCells = False
    sheet.protection.selectUnlockedCells = False


def landscape(sheet: Worksheet) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def write_meta(workbook: Workbook, facts: dict[str, str], prefilled: dict) -> str:
    """The hidden `_meta` sheet: key/value rows and the digest of the pre-filled values."""
    digest = prefilled_digest(prefilled)
    sheet = workbook.create_sheet(META_SHEET)
    for row, (key, value) in enumerate({**facts, "digest": digest}.items(), start=1):
        sheet.cell(row=row, column=1, value=key).data_type = "s"
        sheet.cell(row=row, column=2, value=str(value)).data_type = "s"
    sheet.sheet_state = "veryHidden"
    protect(sheet)
    return digest


def meta_facts(
    kind: str, version: str, office: str, issued_at: datetime, **when: str
) -> dict[str, str]:
    return {
        "kind": kind,
        "template_version": version,
        "office": office,
        **when,
        "issued_at": issued_at.isoformat(timespec="seconds"),
    }


def save(workbook: Workbook, out: Path) -> Path:
    """Write via a temporary name and rename, so nobody ever sees half a workbook."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.part")
    workbook.save(partial)
    os.replace(partial, out)
    return out
