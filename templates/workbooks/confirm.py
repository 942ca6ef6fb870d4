"""The confirm workbook (EOP018 performance + EOP019 budget): the consolidated province for
one period, the state of every reporting office, and the province planner's confirmation
to the centre (confirm performance, confirm budget, confirm even though incomplete, name)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from openpyxl.utils.cell import coordinate_from_string

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
    NUMBER,
    PERCENT,
    WHOLE,
    choice_validation,
    fit_rows,
    fixed_cell,
    formula_cell,
    header,
    input_cell,
    label,
    landscape,
    meta_facts,
    new_workbook,
    note,
    protect,
    save,
    share,
    text_validation,
    title_rows,
    total_row,
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
    layout = CONFIRM_PERFORMANCE
    title_rows(
        sheet,
        _titles(
            province,
            period,
            "ยืนยันผลการปฏิบัติงานระดับจังหวัด (EOP018)",
            "Confirm the province's performance (EOP018)",
        ),
    )
    header(sheet, layout)
    for address, th, en in (
        (CONFIRM_PERFORMANCE_CELL, "ยืนยันผลการปฏิบัติงาน", "Confirm performance"),
        (CONFIRM_BUDGET_CELL, "ยืนยันผลการใช้จ่าย", "Confirm budget"),
        (CONFIRM_INCOMPLETE_CELL, "ยืนยันแม้ไม่ครบ", "Confirm if incomplete"),
        (CONFIRMER_CELL, "ผู้ยืนยัน", "Confirmed by"),
    ):
        label(sheet, coordinate_from_string(address)[1], th, en)
    last = calendar.strategy.last
    note(sheet, "D4:H4", f"ยืนยันภายใน {date_th(last)}\nConfirm by {date_en(last)}")
    note(sheet, "D6:H6", _incomplete_note(incomplete))
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
    _performance_rows(sheet, lines)
    landscape(sheet)
    protect(sheet)


def _performance_rows(sheet, lines: list[ConfirmLine]) -> None:
    layout = CONFIRM_PERFORMANCE
    for index, line in enumerate(lines):
        at = functools.partial(layout.cell, row=layout.first_row + index)
        fmt = WHOLE if line.whole else NUMBER
        for field, value in (("no", index + 1), ("code", line.code), ("name", line.name_th)):
            fixed_cell(sheet, at(field), value)
        fixed_cell(sheet, at("unit"), line.unit)
        for field in ("target", "quantity", "cumulative"):
            fixed_cell(sheet, at(field), getattr(line, field), fmt)
        formula_cell(sheet, at("percent"), share(at("cumulative"), at("target")), PERCENT)
    fit_rows(sheet, layout, range(layout.first_row, layout.first_row + len(lines)))


def _incomplete_note(incomplete: list[ConfirmOffice]) -> str:
    if not incomplete:
        return "ทุกหน่วยงานผ่านการอนุมัติแล้ว\nEvery office is approved"
    codes = ", ".join(o.code for o in incomplete)
    return (
        f"ยังไม่ครบ {len(incomplete)} หน่วยงาน ({codes}): เลือก ยืนยันแม้ไม่ครบ หากต้องการยืนยัน\n"
        f"{len(incomplete)} office(s) not approved yet ({codes}): choose ยืนยันแม้ไม่ครบ to confirm anyway"
    )


def _budget_sheet(sheet, province, period, lines) -> None:
    layout = CONFIRM_BUDGET
    title_rows(
        sheet,
        _titles(
            province,
            period,
            "ยืนยันผลการใช้จ่ายงบประมาณระดับจังหวัด (EOP019)",
            "Confirm the province's budget spending (EOP019)",
        ),
    )
    header(sheet, layout)
    for index, line in enumerate(lines):
        at = functools.partial(layout.cell, row=layout.first_row + index)
        for field, value in (("no", index + 1), ("code", line.code), ("name", line.name_th)):
            fixed_cell(sheet, at(field), value)
        for field in ("budget", "spending", "spent"):
            fixed_cell(sheet, at(field), getattr(line, field), NUMBER)
        formula_cell(sheet, at("percent"), share(at("spent"), at("budget")), PERCENT)
        formula_cell(sheet, at("balance"), f"={at('budget')}-{at('spent')}", NUMBER)
    total = total_row(sheet, layout, len(lines), ("budget", "spending", "spent", "balance"))
    at = functools.partial(layout.cell, row=total)
    formula_cell(sheet, at("percent"), share(at("spent"), at("budget")), PERCENT)
    fit_rows(sheet, layout, range(layout.first_row, total))
    landscape(sheet)
    protect(sheet)


def _offices_sheet(sheet, province, period, offices: list[ConfirmOffice]) -> None:
    layout = CONFIRM_OFFICES
    title_rows(
        sheet,
        _titles(province, period, "สถานะการรายงานของหน่วยงาน", "Where each reporting office stands"),
    )
    header(sheet, layout)
    for index, office in enumerate(offices):
        at = functools.partial(layout.cell, row=layout.first_row + index)
        for field, value in (
            ("no", index + 1),
            ("code", office.code),
            ("name", office.name_th),
            ("version", office.version),
            ("state", office.state),
            ("late", "ช้า / late" if office.late else ""),
        ):
            fixed_cell(sheet, at(field), value)
    fit_rows(sheet, layout, range(layout.first_row, layout.first_row + len(offices)))
    landscape(sheet)
    protect(sheet)
