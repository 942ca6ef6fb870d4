"""The allocation workbook (EOP016): the province planner shares each province target out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from openpyxl.utils import get_column_letter

from eop.layout import (
    ALLOCATION_FIRST_OFFICE_COLUMN,
    ALLOCATION_FIXED,
    ALLOCATION_HEADER_ROW,
    ALLOCATION_SHEETS,
    TEMPLATE_VERSIONS,
)
from templates.workbooks.common import (
    BOLD,
    BOX,
    HEADER_FILL,
    NUMBER,
    SUBTLE,
    WHOLE,
    fixed_cell,
    formula_cell,
    input_cell,
    landscape,
    meta_facts,
    new_workbook,
    number_validation,
    protect,
    save,
    title_rows,
    write_meta,
)
from templates.workbooks.monthly import Built, OfficeLabel


@dataclass(frozen=True)
class AllocationLine:
    code: str
    name_th: str
    unit: str
    whole: bool
    quantity: float
    budget: float


def allocation_prefilled(
    province: str, fiscal_year: int, offices: list[OfficeLabel], lines: list[AllocationLine]
) -> dict:
    return {
        "kind": "allocation",
        "office": province,
        "fiscal_year": str(fiscal_year),
        "offices": [o.code for o in offices],
        "rows": [[ln.code, ln.name_th, ln.unit, ln.quantity, ln.budget] for ln in lines],
    }


def build_allocation(
    out: Path,
    *,
    province: OfficeLabel,
    fiscal_year: int,
    offices: list[OfficeLabel],
    lines: list[AllocationLine],
    issued_at: datetime,
) -> Built:
    """`offices`: the province office itself first (its own share), then its districts."""
    workbook = new_workbook()
    for measure, (name_th, name_en) in ALLOCATION_SHEETS.items():
        sheet = workbook.create_sheet(name_th)
        title_rows(
            sheet,
            [
                (
                    f"กำหนดเป้าหมายระดับอำเภอ (EOP016) — {name_th}",
                    f"District targets (EOP016) — {name_en}",
                ),
                (
                    f"{province.name_th} ({province.code}) ปีงบประมาณ {fiscal_year}",
                    f"{province.name_en}, fiscal year {fiscal_year}",
                ),
                (
                    "ผลรวมของทุกหน่วยงานต้องเท่ากับเป้าหมายจังหวัดพอดี",
                    "The shares must add up exactly to the province target",
                ),
            ],
        )
        _fill(sheet, measure, offices, lines)
    prefilled = allocation_prefilled(province.code, fiscal_year, offices, lines)
    facts = meta_facts(
        "allocation",
        TEMPLATE_VERSIONS["allocation"],
        province.code,
        issued_at,
        fiscal_year=str(fiscal_year),
    )
    digest = write_meta(workbook, facts, prefilled)
    return Built(save(workbook, out), digest, prefilled)


def _fill(sheet, measure: str, offices: list[OfficeLabel], lines: list[AllocationLine]) -> None:
    top, first_row = ALLOCATION_HEADER_ROW, ALLOCATION_HEADER_ROW + 2
    heads = [(c.letter, c.th, c.en, c.width) for c in ALLOCATION_FIXED]
    for offset, office in enumerate(offices):
        heads.append(
            (
                get_column_letter(ALLOCATION_FIRST_OFFICE_COLUMN + offset),
                office.name_th,
                office.code,
                13,
            )
        )
    after = ALLOCATION_FIRST_OFFICE_COLUMN + len(offices)
    sum_col, diff_col = get_column_letter(after), get_column_letter(after + 1)
    heads += [(sum_col, "รวมที่จัดสรร", "Allocated", 13), (diff_col, "ส่วนต่าง", "Difference", 12)]
    for letter, th, en, width in heads:
        for row, text, font in ((top, th, BOLD), (top + 1, en, SUBTLE)):
            cell = sheet[f"{letter}{row}"]
            cell.value, cell.font, cell.fill, cell.border = text, font, HEADER_FILL, BOX
            cell.data_type = "s"
        sheet.column_dimensions[letter].width = width
    whole_check = number_validation(True, "เป้าหมายที่จัดสรร")
    decimal_check = number_validation(False, "เป้าหมายที่จัดสรร")
    sheet.add_data_validation(whole_check)
    sheet.add_data_validation(decimal_check)
    first_office, last_office = (
        get_column_letter(ALLOCATION_FIRST_OFFICE_COLUMN),
        get_column_letter(after - 1),
    )
    for index, line in enumerate(lines):
        row = first_row + index
        whole = measure == "quantity" and line.whole
        fmt = WHOLE if whole else NUMBER
        target = line.quantity if measure == "quantity" else line.budget
        for letter, value in (
            ("A", index + 1),
            ("B", line.code),
            ("C", line.name_th),
            ("D", line.unit if measure == "quantity" else "บาท"),
        ):
            fixed_cell(sheet, f"{letter}{row}", value)
        fixed_cell(sheet, f"E{row}", target, fmt)
        for offset in range(len(offices)):
            address = f"{get_column_letter(ALLOCATION_FIRST_OFFICE_COLUMN + offset)}{row}"
            input_cell(sheet, address, whole_check if whole else decimal_check)
            sheet[address].number_format = fmt
        formula_cell(sheet, f"{sum_col}{row}", f"=SUM({first_office}{row}:{last_office}{row})", fmt)
        formula_cell(sheet, f"{diff_col}{row}", f"=E{row}-{sum_col}{row}", fmt)
    sheet.freeze_panes = f"{first_office}{first_row}"
    landscape(sheet)
    protect(sheet)
