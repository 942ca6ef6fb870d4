"""The province `targets` workbook: the budget document's targets, one row per activity."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from eop.layout import TARGETS, TEMPLATE_VERSIONS
from templates.workbooks.common import (
    NUMBER,
    fit_rows,
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
    _target_rows(sheet, lines)
    fit_rows(sheet, TARGETS, range(TARGETS.first_row, TARGETS.first_row + len(lines)))
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


def _target_rows(sheet, lines: list[TargetLine]) -> None:
    """One row an activity: its code, name and unit fixed, quantity and budget to fill."""
    whole, decimal, money = (
        number_validation(True, "เป้าหมายผลผลิต"),
        number_validation(False, "เป้าหมายผลผลิต"),
        number_validation(False, "งบประมาณ", "บาท"),
    )
    for validation in (whole, decimal, money):
        sheet.add_data_validation(validation)
    for index, line in enumerate(lines):
        at = functools.partial(TARGETS.cell, row=TARGETS.first_row + index)
        for field, value in (
            ("no", index + 1),
            ("code", line.code),
            ("name", line.name_th),
            ("unit", line.unit),
        ):
            fixed_cell(sheet, at(field), value)
        input_cell(sheet, at("quantity"), whole if line.whole else decimal)
        input_cell(sheet, at("budget"), money)
        sheet[at("budget")].number_format = NUMBER
