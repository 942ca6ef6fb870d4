"""The setup workbook (offices, sections, people as in EOP017, activities, province targets)
and the people workbook (its people sheet alone, the living EOP017): pre-filled from the
config in use where there is one, every row an input row, dropdowns for levels, roles and
whole numbers, input messages in Thai and English, protected like every workbook of ours.
"""

from __future__ import annotations

from copy import copy
from datetime import datetime
from pathlib import Path

from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from eop.config import Config
from eop.layout import SheetLayout
from eop.setup_layout import (
    ACTIVITIES,
    FISCAL_YEAR_CELL,
    KIND_SHEETS,
    LEVELS,
    OFFICES,
    PEOPLE,
    PROVINCE_TARGETS,
    ROLES,
    SECTIONS,
    SETUP_VERSION,
    SPARE_ROWS,
    WHOLE,
    label,
)
from templates.workbooks.common import (
    BOLD,
    NUMBER,
    SUBTLE,
    header,
    input_cell,
    landscape,
    meta_facts,
    new_workbook,
    number_validation,
    protect,
    save,
    text_validation,
    title_rows,
    write_meta,
)

TITLES = {  # sheet → (Thai, English) what to write on it
    OFFICES.name: (
        "หน่วยงาน: จังหวัด อำเภอ และส่วนกลาง",
        "Offices: the province, its districts, the centre",
    ),
    SECTIONS.name: ("กลุ่ม/ฝ่ายของสำนักงานจังหวัด", "Sections of the provincial office"),
    PEOPLE.name: ("ผู้ใช้งานระบบ (EOP017)", "Users of the system (EOP017)"),
    ACTIVITIES.name: ("แผนงาน ผลผลิต และกิจกรรม", "Plans, outputs and activities"),
    PROVINCE_TARGETS.name: (
        "เป้าหมายจังหวัดตามเอกสารงบประมาณ",
        "Province targets from the budget document",
    ),
}
HINT = (
    "กรอกหรือแก้ไขในช่องสีเหลือง แถวว่างท้ายตารางใช้เพิ่มรายการ ลบรายการโดยล้างทั้งแถว",
    "Fill or change the yellow cells; use the empty rows below to add, clear a whole row to remove",
)


def config_rows(config: Config | None) -> dict[str, list[dict]]:
    """The rows each sheet starts with: the config's, as the sheet shows them."""
    if config is None:
        return {}
    activities = [
        {"plan": p.code, "plan_th": p.name_th, "plan_en": p.name_en}
        | {"output": o.code, "output_th": o.name_th, "output_en": o.name_en}
        | a.model_dump(exclude={"whole"})
        | {"whole": label("yes" if a.whole else "no", WHOLE)}
        for p in config.plans
        for o in p.outputs
        for a in o.activities
    ]
    targets = [
        {"activity": r.activity, "quantity": r.quantity, "budget": r.budget}
        for t in config.targets
        if t.fiscal_year == config.fiscal_year
        for r in t.rows
    ]
    return {
        OFFICES.name: [o.model_dump() | {"level": label(o.level, LEVELS)} for o in config.offices],
        SECTIONS.name: [s.model_dump() for s in config.sections],
        PEOPLE.name: [p.model_dump() | {"role": label(p.role.value, ROLES)} for p in config.people],
        ACTIVITIES.name: activities,
        PROVINCE_TARGETS.name: targets,
    }


def _validations(sheet: Worksheet, layout: SheetLayout) -> dict[str, DataValidation]:
    """One data validation per input column, with its input message."""
    found: dict[str, DataValidation] = {}
    for column in layout.columns:
        if column.field not in layout.inputs:
            continue
        if column.field == "level":
            found[column.field] = _choices(column.th, LEVELS)
        elif column.field == "role":
            found[column.field] = _choices(column.th, ROLES)
        elif column.field == "whole":
            found[column.field] = _choices(column.th, WHOLE)
        elif column.field in ("quantity", "budget"):
            found[column.field] = number_validation(False, column.th)
        else:
            found[column.field] = text_validation(column.th, 200)
        sheet.add_data_validation(found[column.field])
    return found


def _choices(field_th: str, labels: dict[str, str]) -> DataValidation:
    """A dropdown of `Thai (code)` labels; the message says each in Thai and English."""
    choices = [label(value, labels) for value in labels]
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(choices) + '"',
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=True,
        promptTitle=field_th[:32],
        prompt="เลือกจากรายการ — choose from the list",
        errorTitle="เลือกจากรายการ",
        error="ต้องเลือกจากรายการ — choose one of the list",
    )
    return validation


def _fill_sheet(sheet: Worksheet, layout: SheetLayout, rows: list[dict]) -> None:
    """Every input cell styled like the first of its column (a copied style: styling two
    thousand cells one by one takes seconds), each column validated as one range."""
    validations = _validations(sheet, layout)
    last = layout.first_row + len(rows) + SPARE_ROWS - 1
    for column in layout.columns:
        if column.field in layout.inputs:
            first = f"{column.letter}{layout.first_row}"
            input_cell(sheet, first, validations[column.field])
            validations[column.field].add(f"{first}:{column.letter}{last}")
            if column.field in ("quantity", "budget"):
                sheet[first].number_format = NUMBER
    for index in range(len(rows) + SPARE_ROWS):
        row = layout.first_row + index
        values = rows[index] if index < len(rows) else {}
        sheet.cell(row=row, column=1, value=index + 1).font = SUBTLE
        for column in layout.columns:
            if column.field in layout.inputs:
                cell = sheet[f"{column.letter}{row}"]
                cell._style = copy(sheet[f"{column.letter}{layout.first_row}"]._style)
                cell.value = values.get(column.field)
                if isinstance(cell.value, str):  # one line a row: a wrapped cell would not grow
                    cell.data_type = "s"


def build_setup(
    out: Path,
    *,
    kind: str,
    config: Config | None,
    fiscal_year: int,
    issued_at: datetime,
    province: str = "",
) -> Path:
    """kind "setup": every sheet; kind "people": the people sheet alone."""
    workbook = new_workbook()
    rows = config_rows(config)
    for layout in KIND_SHEETS[kind]:
        sheet = workbook.create_sheet(layout.name)
        title_rows(sheet, [TITLES[layout.name]])
        sheet["A2"].value = f"{HINT[0]}  —  {HINT[1]}"
        sheet["A2"].font = SUBTLE
        if layout is PROVINCE_TARGETS:
            _fiscal_year_cell(sheet, fiscal_year)
        header(sheet, layout)
        sheet.row_dimensions[layout.header_row].height = 30  # two-line Thai headings
        _fill_sheet(sheet, layout, rows.get(layout.name, []))
        landscape(sheet)
        sheet.print_title_rows = f"{layout.header_row}:{layout.header_row + 1}"
        protect(sheet)
    facts = meta_facts(kind, SETUP_VERSION, province, issued_at, fiscal_year=str(fiscal_year))
    write_meta(workbook, facts, {"kind": kind, "office": province})
    return save(workbook, out)


def _fiscal_year_cell(sheet: Worksheet, fiscal_year: int) -> None:
    sheet["A3"].value = "ปีงบประมาณ พ.ศ. / fiscal year (BE)"
    sheet["A3"].font = BOLD
    sheet.merge_cells("A3:C3")
    validation = DataValidation(
        type="whole",
        operator="between",
        formula1="2400",
        formula2="2700",
        showInputMessage=True,
        showErrorMessage=True,
        promptTitle="ปีงบประมาณ",
        prompt="ปี พ.ศ. เช่น 2558 — a Buddhist Era year, e.g. 2558",
        errorTitle="ปีไม่ถูกต้อง",
        error="ต้องเป็นปี พ.ศ. 2400–2700 — a BE year 2400–2700",
    )
    sheet.add_data_validation(validation)
    input_cell(sheet, FISCAL_YEAR_CELL, validation, fiscal_year)
