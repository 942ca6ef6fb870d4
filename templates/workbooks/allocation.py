"""The allocation workbook (EOP016): the province planner shares each province target out."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from openpyxl.comments import Comment
from openpyxl.styles import Alignment
from openpyxl.utils import column_index_from_string, get_column_letter

from eop.layout import (
    ALLOCATION_HEADER_ROW,
    ALLOCATION_SHEETS,
    TEMPLATE_VERSIONS,
    SheetLayout,
    allocation_layout,
    short_office_name,
)
from templates.workbooks.common import (
    BOLD,
    BOX,
    HEADER_FILL,
    NUMBER,
    SUBTLE,
    WHOLE,
    estimated_lines,
    fit_rows,
    fixed_cell,
    formula_cell,
    input_cell,
    landscape,
    lines_height,
    meta_facts,
    new_workbook,
    number_validation,
    protect,
    save,
    title_rows,
    write_meta,
)
from templates.workbooks.monthly import Built, OfficeLabel

CENTRED = Alignment(wrap_text=True, horizontal="center", vertical="center")


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
        title_rows(sheet, _titles(name_th, name_en, province, fiscal_year))
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


def _titles(
    name_th: str, name_en: str, province: OfficeLabel, fiscal_year: int
) -> list[tuple[str, str]]:
    return [
        (f"กำหนดเป้าหมายระดับอำเภอ (EOP016) — {name_th}", f"District targets (EOP016) — {name_en}"),
        (
            f"{province.name_th} ({province.code}) ปีงบประมาณ {fiscal_year}",
            f"{province.name_en}, fiscal year {fiscal_year}",
        ),
        (
            "ผลรวมของทุกหน่วยงานต้องเท่ากับเป้าหมายจังหวัดพอดี",
            "The shares must add up exactly to the province target",
        ),
    ]


OFFICE_WIDTH = 13  # an office's share column


def _headers(sheet, layout: SheetLayout, offices: list[OfficeLabel], diff: str) -> None:
    """Row 5: Thai (short office names, the full one in a comment); row 6: English or the
    office code (read back: a moved column shows)."""
    top = ALLOCATION_HEADER_ROW
    names = {o.code: o.name_th for o in offices}
    heads = [
        (
            c.letter,
            short_office_name(names[c.field]) if c.field in names else c.th,
            c.field if c.field in names else c.en,
            c.width if c.field not in names else OFFICE_WIDTH,
        )
        for c in layout.columns
    ] + [(diff, "ส่วนต่าง", "Difference", 12)]
    for letter, th, en, width in heads:
        for row, text, font in ((top, th, BOLD), (top + 1, en, SUBTLE)):
            cell = sheet[f"{letter}{row}"]
            cell.value, cell.font, cell.fill, cell.border = text, font, HEADER_FILL, BOX
            cell.alignment = CENTRED
            cell.data_type = "s"
        sheet.column_dimensions[letter].width = width
    for column in layout.columns:
        if column.field in names:
            sheet[f"{column.letter}{top}"].comment = Comment(names[column.field], "e-Operation")
    lines = max(estimated_lines(th, width) for _, th, _, width in heads)
    sheet.row_dimensions[top].height = lines_height(lines)
    sheet.row_dimensions[top + 1].height = lines_height(2)


def _fill(sheet, measure: str, offices: list[OfficeLabel], lines: list[AllocationLine]) -> None:
    layout = allocation_layout(measure, [o.code for o in offices])
    total = layout.column("allocated")
    diff = get_column_letter(column_index_from_string(total.letter) + 1)
    _headers(sheet, layout, offices, diff)
    whole_check = number_validation(True, "เป้าหมายที่จัดสรร")
    decimal_check = number_validation(False, "เป้าหมายที่จัดสรร")
    sheet.add_data_validation(whole_check)
    sheet.add_data_validation(decimal_check)
    for index, line in enumerate(lines):
        row = layout.first_row + index
        at = functools.partial(layout.cell, row=row)
        whole = measure == "quantity" and line.whole
        fmt = WHOLE if whole else NUMBER
        for field, value in (
            ("no", index + 1),
            ("code", line.code),
            ("name", line.name_th),
            ("unit", line.unit if measure == "quantity" else "บาท"),
        ):
            fixed_cell(sheet, at(field), value)
        fixed_cell(
            sheet,
            at("province_target"),
            line.quantity if measure == "quantity" else line.budget,
            fmt,
        )
        for office in layout.inputs:
            input_cell(sheet, at(office), whole_check if whole else decimal_check)
            sheet[at(office)].number_format = fmt
        shares = f"{at(layout.inputs[0])}:{at(layout.inputs[-1])}"
        formula_cell(sheet, at("allocated"), f"=SUM({shares})", fmt)
        formula_cell(sheet, f"{diff}{row}", f"={at('province_target')}-{at('allocated')}", fmt)
    fit_rows(sheet, layout, range(layout.first_row, layout.first_row + len(lines)))
    sheet.freeze_panes = layout.cell(layout.inputs[0], layout.first_row)
    landscape(sheet)
    protect(sheet)
