"""The review workbook: one section, one period. Each district's results on the section's
activities (month, cumulative, % of target, warnings) and, per district, the section's
decision (อนุมัติ approve / ส่งกลับ return) with a comment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from eop.calendar import MonthCalendar
from eop.layout import (
    REVIEW_DECISIONS,
    REVIEW_RESULTS,
    REVIEWER_CELL,
    TEMPLATE_VERSIONS,
)
from eop.periods import Period
from eop.states import REVIEW_CHOICES
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
class ReviewDistrict:
    code: str
    name_th: str
    version: int  # 0: nothing received
    state: str  # as shown: "ยืนยันส่งแล้ว … / submitted …"
    warnings: int
    reviewable: bool  # a confirmed version the section decides on


@dataclass(frozen=True)
class ReviewLine:
    office: str
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
    warnings: str
    remark: str


def review_prefilled(
    section: str, period: Period, districts: list[ReviewDistrict], lines: list[ReviewLine]
) -> dict:
    return {
        "kind": "review",
        "office": section,
        "period": str(period),
        "districts": [[d.code, d.name_th, d.version, d.state, d.warnings] for d in districts],
        "reviewable": {d.code: d.version for d in districts if d.reviewable},
        "results": [
            [
                ln.office,
                ln.code,
                ln.name_th,
                ln.unit,
                ln.target,
                ln.quantity,
                ln.cumulative,
                ln.budget,
                ln.spending,
                ln.spent,
                ln.warnings,
                ln.remark,
            ]
            for ln in lines
        ],
    }


def build_review(
    out: Path,
    *,
    section: OfficeLabel,
    period: Period,
    districts: list[ReviewDistrict],
    lines: list[ReviewLine],
    issued_at: datetime,
    calendar: MonthCalendar,
    max_cell_chars: int = 500,
) -> Built:
    workbook = new_workbook()
    _decisions_sheet(
        workbook.create_sheet(REVIEW_DECISIONS.name),
        section,
        period,
        districts,
        calendar,
        max_cell_chars,
    )
    _results_sheet(workbook.create_sheet(REVIEW_RESULTS.name), section, period, lines)
    prefilled = review_prefilled(section.code, period, districts, lines)
    facts = meta_facts(
        "review", TEMPLATE_VERSIONS["review"], section.code, issued_at, period=str(period)
    )
    digest = write_meta(workbook, facts, prefilled)
    return Built(save(workbook, out), digest, prefilled)


def _titles(section: OfficeLabel, period: Period, th: str, en: str) -> list[tuple[str, str]]:
    return [
        (th, en),
        (f"{section.name_th} ({section.code})", f"{section.name_en} ({section.code})"),
        (f"ประจำเดือน {period.name_th} (งวด {period})", f"Period {period} — {period.name_en}"),
    ]


def _decisions_sheet(
    sheet,
    section: OfficeLabel,
    period: Period,
    districts: list[ReviewDistrict],
    calendar: MonthCalendar,
    max_chars: int,
) -> None:
    title_rows(
        sheet,
        _titles(
            section,
            period,
            "ตรวจสอบและอนุมัติผลการปฏิบัติงานของอำเภอ",
            "Review and approve the districts' results",
        ),
    )
    window = calendar.review
    sheet["E3"] = (
        f"ตรวจและอนุมัติภายใน {date_th(window.last)} — review by {date_en(window.last)} · "
        f'ดูตัวเลขในชีต "{REVIEW_RESULTS.name}" — figures on sheet "{REVIEW_RESULTS.name_en}"'
    )
    sheet["A4"] = "ผู้ตรวจสอบ / Reviewer"
    sheet["A4"].font = BOLD
    sheet["D4"] = (
        "อนุมัติ = ถูกต้อง · ส่งกลับ = ให้อำเภอแก้ไข (ต้องกรอกความเห็น) — approve, or return with a comment"
    )
    decision = choice_validation("ผลการพิจารณา", REVIEW_CHOICES)
    reviewer, comment = text_validation("ชื่อผู้ตรวจสอบ", 200), text_validation("ความเห็น", max_chars)
    for validation in (decision, reviewer, comment):
        sheet.add_data_validation(validation)
    input_cell(sheet, REVIEWER_CELL, reviewer)
    header(sheet, REVIEW_DECISIONS)
    for index, district in enumerate(districts):
        row = REVIEW_DECISIONS.first_row + index
        for letter, value in (
            ("A", index + 1),
            ("B", district.code),
            ("C", district.name_th),
            ("D", district.version),
            ("E", district.state),
            ("F", district.warnings),
        ):
            fixed_cell(sheet, f"{letter}{row}", value)
        if district.reviewable:
            input_cell(sheet, f"G{row}", decision)
            input_cell(sheet, f"H{row}", comment)
        else:
            fixed_cell(sheet, f"G{row}", "–")
            fixed_cell(sheet, f"H{row}", "ไม่มีข้อมูลที่ยืนยันส่งให้ตรวจ — nothing submitted to review")
    landscape(sheet)
    protect(sheet)


def _results_sheet(sheet, section: OfficeLabel, period: Period, lines: list[ReviewLine]) -> None:
    title_rows(
        sheet,
        _titles(
            section,
            period,
            "ผลการปฏิบัติงานและการใช้จ่ายของอำเภอ (กิจกรรมของกลุ่ม/ฝ่าย)",
            "The districts' results on the section's activities",
        ),
    )
    header(sheet, REVIEW_RESULTS)
    for index, line in enumerate(lines):
        row = REVIEW_RESULTS.first_row + index
        fmt = WHOLE if line.whole else NUMBER
        for letter, value in (
            ("A", line.office),
            ("B", line.code),
            ("C", line.name_th),
            ("D", line.unit),
        ):
            fixed_cell(sheet, f"{letter}{row}", value)
        for letter, value, number_format in (
            ("E", line.target, fmt),
            ("F", line.quantity, fmt),
            ("G", line.cumulative, fmt),
            ("I", line.budget, NUMBER),
            ("J", line.spending, NUMBER),
            ("K", line.spent, NUMBER),
        ):
            fixed_cell(sheet, f"{letter}{row}", value, number_format)
        formula_cell(sheet, f"H{row}", f'=IF(E{row}>0,G{row}/E{row},"")', PERCENT)
        formula_cell(sheet, f"L{row}", f'=IF(I{row}>0,K{row}/I{row},"")', PERCENT)
        fixed_cell(sheet, f"M{row}", line.warnings)
        fixed_cell(sheet, f"N{row}", line.remark)
    landscape(sheet)
    protect(sheet)
