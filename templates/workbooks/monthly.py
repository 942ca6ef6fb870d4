"""The monthly workbook (EOP014 + EOP015): one office, one period, its allocated activities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from eop.calendar import MonthCalendar
from eop.layout import (
    BUDGET,
    CONFIRM_CELL,
    CONFIRM_CHOICES,
    CONFIRM_DRAFT,
    PERFORMANCE,
    REPORTER_CELL,
    TEMPLATE_VERSIONS,
)
from eop.periods import Period
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
    number_validation,
    protect,
    save,
    text_validation,
    title_rows,
    write_meta,
)


@dataclass(frozen=True)
class OfficeLabel:
    code: str
    name_th: str
    name_en: str


@dataclass(frozen=True)
class MonthlyLine:
    code: str
    name_th: str
    unit: str
    whole: bool
    target: float
    cum_prev: float
    budget: float
    spent_prev: float


@dataclass(frozen=True)
class Built:
    path: Path
    digest: str
    prefilled: dict


def monthly_prefilled(office: str, period: Period, lines: list[MonthlyLine]) -> dict:
    return {
        "kind": "monthly",
        "office": office,
        "period": str(period),
        "performance": [[ln.code, ln.name_th, ln.unit, ln.target, ln.cum_prev] for ln in lines],
        "budget": [[ln.code, ln.name_th, ln.budget, ln.spent_prev] for ln in lines],
    }


def build_monthly(
    out: Path,
    *,
    office: OfficeLabel,
    period: Period,
    lines: list[MonthlyLine],
    issued_at: datetime,
    calendar: MonthCalendar,
    max_cell_chars: int = 500,
) -> Built:
    workbook = new_workbook()
    _performance_sheet(
        workbook.create_sheet(PERFORMANCE.name), office, period, lines, calendar, max_cell_chars
    )
    _budget_sheet(workbook.create_sheet(BUDGET.name), office, period, lines)
    prefilled = monthly_prefilled(office.code, period, lines)
    facts = meta_facts(
        "monthly", TEMPLATE_VERSIONS["monthly"], office.code, issued_at, period=str(period)
    )
    digest = write_meta(workbook, facts, prefilled)
    return Built(save(workbook, out), digest, prefilled)


def _titles(
    office: OfficeLabel, period: Period, menu_th: str, menu_en: str
) -> list[tuple[str, str]]:
    return [
        (menu_th, menu_en),
        (f"หน่วยงาน: {office.name_th} ({office.code})", f"Office: {office.name_en} ({office.code})"),
        (f"ประจำเดือน {period.name_th} (งวด {period})", f"Period {period} — {period.name_en}"),
    ]


def _performance_sheet(
    sheet, office, period, lines, calendar: MonthCalendar, max_chars: int
) -> None:
    layout = PERFORMANCE
    title_rows(
        sheet,
        _titles(office, period, "แบบรายงานผลการปฏิบัติงาน (EOP014)", "Performance report (EOP014)"),
    )
    covers = calendar.covers
    sheet["E3"] = (
        f"ข้อมูลตั้งแต่ {date_th(covers.first)} ถึง {date_th(covers.last)} · ส่งภายใน {date_th(calendar.entry.last)} — "
        f"work from {date_en(covers.first)} to {date_en(covers.last)}; send by {date_en(calendar.entry.last)}"
    )
    sheet["A4"], sheet["A5"] = "ยืนยันการส่ง / Confirm", "ผู้รายงาน / Reporter"
    sheet["A4"].font = sheet["A5"].font = BOLD
    confirm = choice_validation("ยืนยันการส่ง", CONFIRM_CHOICES)
    reporter = text_validation("ชื่อผู้รายงาน", 200)
    remarks = text_validation("หมายเหตุ", max_chars)
    whole, decimal = number_validation(True, "ผลงานเดือนนี้"), number_validation(False, "ผลงานเดือนนี้")
    for validation in (confirm, reporter, remarks, whole, decimal):
        sheet.add_data_validation(validation)
    input_cell(sheet, CONFIRM_CELL, confirm, CONFIRM_DRAFT)
    input_cell(sheet, REPORTER_CELL, reporter)
    sheet["D4"] = (
        "เลือก ยืนยันส่ง เมื่อข้อมูลครบถ้วน (ร่าง = ยังไม่ส่งจังหวัด) — choose ยืนยันส่ง (send) when complete; ร่าง = draft"
    )
    header(sheet, layout)
    for index, line in enumerate(lines):
        row = layout.first_row + index
        fmt = WHOLE if line.whole else NUMBER
        fixed_cell(sheet, f"A{row}", index + 1)
        fixed_cell(sheet, f"B{row}", line.code)
        fixed_cell(sheet, f"C{row}", line.name_th)
        fixed_cell(sheet, f"D{row}", line.unit)
        fixed_cell(sheet, f"E{row}", line.target, fmt)
        fixed_cell(sheet, f"F{row}", line.cum_prev, fmt)
        input_cell(sheet, f"G{row}", whole if line.whole else decimal)
        sheet[f"G{row}"].number_format = fmt
        formula_cell(sheet, f"H{row}", f"=F{row}+N(G{row})", fmt)
        formula_cell(sheet, f"I{row}", f'=IF(E{row}>0,H{row}/E{row},"")', PERCENT)
        input_cell(sheet, f"J{row}", remarks)
    landscape(sheet)
    protect(sheet)


def _budget_sheet(sheet, office, period, lines) -> None:
    layout = BUDGET
    title_rows(
        sheet,
        _titles(
            office,
            period,
            "แบบรายงานผลการใช้จ่ายงบประมาณ (EOP015)",
            "Budget spending report (EOP015)",
        ),
    )
    header(sheet, layout)
    money = number_validation(False, "เบิกจ่ายเดือนนี้", "บาท")
    sheet.add_data_validation(money)
    for index, line in enumerate(lines):
        row = layout.first_row + index
        fixed_cell(sheet, f"A{row}", index + 1)
        fixed_cell(sheet, f"B{row}", line.code)
        fixed_cell(sheet, f"C{row}", line.name_th)
        fixed_cell(sheet, f"D{row}", line.budget, NUMBER)
        fixed_cell(sheet, f"E{row}", line.spent_prev, NUMBER)
        input_cell(sheet, f"F{row}", money)
        sheet[f"F{row}"].number_format = NUMBER
        formula_cell(sheet, f"G{row}", f"=E{row}+N(F{row})", NUMBER)
        formula_cell(sheet, f"H{row}", f'=IF(D{row}>0,G{row}/D{row},"")', PERCENT)
        formula_cell(sheet, f"I{row}", f"=D{row}-G{row}", NUMBER)
    total = layout.first_row + len(lines)
    fixed_cell(sheet, f"C{total}", "รวม / Total")
    for letter in "DEFGI":
        formula_cell(
            sheet,
            f"{letter}{total}",
            f"=SUM({letter}{layout.first_row}:{letter}{total - 1})",
            NUMBER,
        )
    landscape(sheet)
    protect(sheet)
