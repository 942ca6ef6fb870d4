"""The confirm workbook (EOP018 performance + EOP019 budget): the consolidated province for
one period, the state of every reporting office, and the province planner's confirmation
to the centre (confirm performance, confirm budget, confirm even though incomplete, name)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from eop.calendar import MonthCalendar
from eop.layout import (
    CONFIRM_BUDGET,
    CONFIRM_BUDGET_CELL,
    CONFIRM_INCOMPLETE_CELL,
    CONFIRM_OFFICES,
    CONFIRM_PERFORMANCE,
    CONFIRM_PERFORMANCE_CELL,
    CONFIRMER_CELL,
    TEMPLATE_VERSIONS,
)
from eop.periods import Period
from eop.states import INCOMPLETE_CHOICES, PROVINCE_CONFIRM_CHOICES
from eop.thai import date_en, date_th
from templates.workbooks.common import (
    BOLD,
    NUMBER,
    PERCENT,
    WHOLE,
    choice_validation,
    fixed_cell,
    formula_cell,
    header,
    input_cell,
    landscape,
    meta_facts,
    new_workbook,
    protect,
    save,
    text_validation,
    title_rows,
    write_meta,
)
from templates.workbooks.monthly import Built, OfficeLabel


@dataclass(frozen=True)
class ConfirmLine:
    code: str
    name_th: str
    unit: str
    whole: bool
    target: float
    quantity: float
    cumulative: float
    budget: float
    spending: float
    spent: float


@dataclass(frozen=True)
class ConfirmOffice:
    code: str
    name_th: str
    version: int
    state: str  # as shown
    late: bool
    ready: bool  # approved (a district) or submitted (the province office's own)


def confirm_prefilled(
    province: str, period: Period, lines: list[ConfirmLine], offices: list[ConfirmOffice]
) -> dict:
    return {
        "kind": "confirm",
        "office": province,
        "period": str(period),
        "performance": [
            [ln.code, ln.name_th, ln.unit, ln.target, ln.quantity, ln.cumulative] for ln in lines
        ],
        "budget": [[ln.code, ln.name_th, ln.budget, ln.spending, ln.spent] for ln in lines],
        "offices": [
            [o.code, o.name_th, o.version, o.state, "ช้า / late" if o.late else ""] for o in offices
        ],
        "incomplete": [o.code for o in offices if not o.ready],
    }


def build_confirm(
    out: Path,
    *,
    province: OfficeLabel,
    period: Period,
    lines: list[ConfirmLine],
    offices: list[ConfirmOffice],
    issued_at: datetime,
    calendar: MonthCalendar,
) -> Built:
    workbook = new_workbook()
    incomplete = [o for o in offices if not o.ready]
    _performance_sheet(
        workbook.create_sheet(CONFIRM_PERFORMANCE.name),
        province,
        period,
        lines,
        calendar,
        incomplete,
    )
    _budget_sheet(workbook.create_sheet(CONFIRM_BUDGET.name), province, period, lines)
    _offices_sheet(workbook.create_sheet(CONFIRM_OFFICES.name), province, period, offices)
    prefilled = confirm_prefilled(province.code, period, lines, offices)
    facts = meta_facts(
        "confirm", TEMPLATE_VERSIONS["confirm"], province.code, issued_at, period=str(period)
    )
    digest = write_meta(workbook, facts, prefilled)
    return Built(save(workbook, out), digest, prefilled)


def _titles(province: OfficeLabel, period: Period, th: str, en: str) -> list[tuple[str, str]]:
    return [
        (th, en),
        (f"{province.name_th} ({province.code})", f"{province.name_en} ({province.code})"),
        (f"ประจำเดือน {period.name_th} (งวด {period})", f"Period {period} — {period.name_en}"),
    ]


def _performance_sheet(
    sheet, province, period, lines, calendar: MonthCalendar, incomplete: list[ConfirmOffice]
) -> None:
    title_rows(
        sheet,
        _titles(
            province,
            period,
            "ยืนยันผลการปฏิบัติงานระดับจังหวัด (EOP018)",
            "Confirm the province's performance (EOP018)",
        ),
    )
    sheet["E3"] = (
        f"ยืนยันภายใน {date_th(calendar.strategy.last)} — confirm by {date_en(calendar.strategy.last)}"
    )
    labels = {
        CONFIRM_PERFORMANCE_CELL: "ยืนยันผลการปฏิบัติงาน / Confirm performance",
        CONFIRM_BUDGET_CELL: "ยืนยันผลการใช้จ่ายงบประมาณ / Confirm budget",
        CONFIRM_INCOMPLETE_CELL: "ยืนยันแม้ยังไม่ครบทุกหน่วยงาน / Confirm even though incomplete",
        CONFIRMER_CELL: "ผู้ยืนยัน / Confirmed by",
    }
    for address, text in labels.items():
        cell = sheet[f"A{address[1:]}"]
        cell.value, cell.font = text, BOLD
    choice, incomplete_choice = (
        choice_validation("ยืนยันส่งส่วนกลาง", PROVINCE_CONFIRM_CHOICES),
        choice_validation("ยืนยันแม้ไม่ครบ", INCOMPLETE_CHOICES),
    )
    name = text_validation("ชื่อผู้ยืนยัน", 200)
    for validation in (choice, incomplete_choice, name):
        sheet.add_data_validation(validation)
    input_cell(sheet, CONFIRM_PERFORMANCE_CELL, choice)
    input_cell(sheet, CONFIRM_BUDGET_CELL, choice)
    input_cell(sheet, CONFIRM_INCOMPLETE_CELL, incomplete_choice)
    input_cell(sheet, CONFIRMER_CELL, name)
    sheet["D6"] = _incomplete_note(incomplete)
    header(sheet, CONFIRM_PERFORMANCE)
    for index, line in enumerate(lines):
        row = CONFIRM_PERFORMANCE.first_row + index
        fmt = WHOLE if line.whole else NUMBER
        for letter, value in (
            ("A", index + 1),
            ("B", line.code),
            ("C", line.name_th),
            ("D", line.unit),
        ):
            fixed_cell(sheet, f"{letter}{row}", value)
        for letter, value in (("E", line.target), ("F", line.quantity), ("G", line.cumulative)):
            fixed_cell(sheet, f"{letter}{row}", value, fmt)
        formula_cell(sheet, f"H{row}", f'=IF(E{row}>0,G{row}/E{row},"")', PERCENT)
    landscape(sheet)
    protect(sheet)


def _incomplete_note(incomplete: list[ConfirmOffice]) -> str:
    if not incomplete:
        return "ทุกหน่วยงานผ่านการอนุมัติแล้ว — every office is approved"
    codes = ", ".join(o.code for o in incomplete)
    return (
        f"ยังไม่ครบ {len(incomplete)} หน่วยงาน ({codes}): เลือก ยืนยันแม้ไม่ครบ หากต้องการยืนยัน — "
        f"{len(incomplete)} office(s) not approved yet ({codes}): choose ยืนยันแม้ไม่ครบ to confirm anyway"
    )


def _budget_sheet(sheet, province, period, lines) -> None:
    title_rows(
        sheet,
        _titles(
            province,
            period,
            "ยืนยันผลการใช้จ่ายงบประมาณระดับจังหวัด (EOP019)",
            "Confirm the province's budget spending (EOP019)",
        ),
    )
    header(sheet, CONFIRM_BUDGET)
    for index, line in enumerate(lines):
        row = CONFIRM_BUDGET.first_row + index
        for letter, value in (("A", index + 1), ("B", line.code), ("C", line.name_th)):
            fixed_cell(sheet, f"{letter}{row}", value)
        for letter, value in (("D", line.budget), ("E", line.spending), ("F", line.spent)):
            fixed_cell(sheet, f"{letter}{row}", value, NUMBER)
        formula_cell(sheet, f"G{row}", f'=IF(D{row}>0,F{row}/D{row},"")', PERCENT)
        formula_cell(sheet, f"H{row}", f"=D{row}-F{row}", NUMBER)
    total = CONFIRM_BUDGET.first_row + len(lines)
    fixed_cell(sheet, f"C{total}", "รวม / Total")
    for letter in "DEFH":
        formula_cell(
            sheet,
            f"{letter}{total}",
            f"=SUM({letter}{CONFIRM_BUDGET.first_row}:{letter}{total - 1})",
            NUMBER,
        )
    landscape(sheet)
    protect(sheet)


def _offices_sheet(sheet, province, period, offices: list[ConfirmOffice]) -> None:
    title_rows(
        sheet,
        _titles(province, period, "สถานะการรายงานของหน่วยงาน", "Where each reporting office stands"),
    )
    header(sheet, CONFIRM_OFFICES)
    for index, office in enumerate(offices):
        row = CONFIRM_OFFICES.first_row + index
        for letter, value in (
            ("A", index + 1),
            ("B", office.code),
            ("C", office.name_th),
            ("D", office.version),
            ("E", office.state),
            ("F", "ช้า / late" if office.late else ""),
        ):
            fixed_cell(sheet, f"{letter}{row}", value)
    landscape(sheet)
    protect(sheet)
