"""The monthly workbook (EOP014 + EOP015): one office, one period, its allocated activities."""

from __future__ import annotations

import functools
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
    number_validation,
    protect,
    save,
    share,
    text_validation,
    title_rows,
    total_row,
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
    header(sheet, layout)
    label(sheet, 4, "ยืนยันการส่ง", "Confirm")
    label(sheet, 5, "ผู้รายงาน", "Reporter")
    note(
        sheet,
        "D4:J4",
        "เลือก ยืนยันส่ง เมื่อข้อมูลครบถ้วน (ร่าง = ยังไม่ส่งจังหวัด)\n"
        "Choose ยืนยันส่ง (send) when complete; ร่าง = draft, not sent to the province",
    )
    note(
        sheet,
        "D5:J5",
        f"ผลงานตั้งแต่ {date_th(covers.first)} ถึง {date_th(covers.last)} · "
        f"ส่งภายใน {date_th(calendar.entry.last)}\n"
        f"Work from {date_en(covers.first)} to {date_en(covers.last)}; "
        f"send by {date_en(calendar.entry.last)}",
    )
    confirm = choice_validation("ยืนยันการส่ง", CONFIRM_CHOICES)
    reporter = text_validation("ชื่อผู้รายงาน", 200)
    sheet.add_data_validation(confirm)
    sheet.add_data_validation(reporter)
    input_cell(sheet, CONFIRM_CELL, confirm, CONFIRM_DRAFT)
    input_cell(sheet, REPORTER_CELL, reporter)
    _performance_rows(sheet, lines, max_chars)
    fit_rows(sheet, layout, range(layout.first_row, layout.first_row + len(lines)))
    landscape(sheet)
    protect(sheet)


def _performance_rows(sheet, lines: list[MonthlyLine], max_chars: int) -> None:
    layout = PERFORMANCE
    remarks = text_validation("หมายเหตุ", max_chars)
    whole, decimal = number_validation(True, "ผลงานเดือนนี้"), number_validation(False, "ผลงานเดือนนี้")
    for validation in (remarks, whole, decimal):
        sheet.add_data_validation(validation)
    for index, line in enumerate(lines):
        row = layout.first_row + index
        at = functools.partial(layout.cell, row=row)
        fmt = WHOLE if line.whole else NUMBER
        fixed_cell(sheet, at("no"), index + 1)
        fixed_cell(sheet, at("code"), line.code)
        fixed_cell(sheet, at("name"), line.name_th)
        fixed_cell(sheet, at("unit"), line.unit)
        fixed_cell(sheet, at("target"), line.target, fmt)
        fixed_cell(sheet, at("cum_prev"), line.cum_prev, fmt)
        input_cell(sheet, at("quantity"), whole if line.whole else decimal)
        sheet[at("quantity")].number_format = fmt
        formula_cell(sheet, at("cumulative"), f"={at('cum_prev')}+N({at('quantity')})", fmt)
        formula_cell(sheet, at("percent"), share(at("cumulative"), at("target")), PERCENT)
        input_cell(sheet, at("remark"), remarks)


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
        at = functools.partial(layout.cell, row=layout.first_row + index)
        fixed_cell(sheet, at("no"), index + 1)
        fixed_cell(sheet, at("code"), line.code)
        fixed_cell(sheet, at("name"), line.name_th)
        fixed_cell(sheet, at("budget"), line.budget, NUMBER)
        fixed_cell(sheet, at("spent_prev"), line.spent_prev, NUMBER)
        input_cell(sheet, at("spending"), money)
        sheet[at("spending")].number_format = NUMBER
        formula_cell(sheet, at("spent"), f"={at('spent_prev')}+N({at('spending')})", NUMBER)
        formula_cell(sheet, at("percent"), share(at("spent"), at("budget")), PERCENT)
        formula_cell(sheet, at("balance"), f"={at('budget')}-{at('spent')}", NUMBER)
    total_row(sheet, layout, len(lines), ("budget", "spent_prev", "spending", "spent", "balance"))
    total = layout.first_row + len(lines)
    formula_cell(
        sheet,
        layout.cell("percent", total),
        share(layout.cell("spent", total), layout.cell("budget", total)),
        PERCENT,
    )
    fit_rows(sheet, layout, range(layout.first_row, total))
    landscape(sheet)
    protect(sheet)
