"""The province `targets` workbook: the budget document's targets, one row per activity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from eop.layout import TARGETS, TEMPLATE_VERSIONS
from templates.workbooks.common import (
    NUMBER,
    fixed_cell,
    header,
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
class TargetLine:
    code: str
    name_th: str
    unit: str
    whole: bool


def targets_prefilled(province: str, fiscal_year: int, lines: list[TargetLine]) -> dict:
    return {
        "kind": "targets",
        "office": province,
        "fiscal_year": str(fiscal_year),
        "rows": [[ln.code, ln.name_th, ln.unit] for ln in lines],
    }


def build_targets(
    out: Path,
    *,
    province: OfficeLabel,
    fiscal_year: int,
    lines: list[TargetLine],
    issued_at: datetime,
) -> Built:
    workbook = new_workbook()
    sheet = workbook.create_sheet(TARGETS.name)
    title_rows(
        sheet,
        [
            ("เป้าหมายจังหวัดตามเอกสารงบประมาณรายจ่าย", "Province targets from the budget document"),
            (
                f"{province.name_th} ({province.code}) ปีงบประมาณ {fiscal_year}",
                f"{province.name_en}, fiscal year {fiscal_year}",
            ),
        ],
    )
    header(sheet, TARGETS)
    whole, decimal, money = (
        number_validation(True, "เป้าหมายผลผลิต"),
        number_validation(False, "เป้าหมายผลผลิต"),
        number_validation(False, "งบประมาณ", "บาท"),
    )
    for validation in (whole, decimal, money):
        sheet.add_data_validation(validation)
    for index, line in enumerate(lines):
        row = TARGETS.first_row + index
        for letter, value in (
            ("A", index + 1),
            ("B", line.code),
            ("C", line.name_th),
            ("D", line.unit),
        ):
            fixed_cell(sheet, f"{letter}{row}", value)
        input_cell(sheet, f"E{row}", whole if line.whole else decimal)
        input_cell(sheet, f"F{row}", money)
        sheet[f"F{row}"].number_format = NUMBER
    landscape(sheet)
    protect(sheet)
    prefilled = targets_prefilled(province.code, fiscal_year, lines)
    facts = meta_facts(
        "targets",
        TEMPLATE_VERSIONS["targets"],
        province.code,
        issued_at,
        fiscal_year=str(fiscal_year),
    )
    digest = write_meta(workbook, facts, prefilled)
    return Built(save(workbook, out), digest, prefilled)
