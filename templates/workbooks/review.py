"""The review workbook: one section, one period. Each district's results on the section's
activities (month, cumulative, % of target, warnings) and, per district, the section's
decision (อนุมัติ approve / ส่งกลับ return) with a comment."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from openpyxl.utils.cell import coordinate_from_string

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
    layout = REVIEW_DECISIONS
    title_rows(
        sheet,
        _titles(
            section,
            period,
            "ตรวจสอบและอนุมัติผลการปฏิบัติงานของอำเภอ",
            "Review and approve the districts' results",
        ),
    )
    header(sheet, layout)
    label(sheet, coordinate_from_string(REVIEWER_CELL)[1], "ผู้ตรวจสอบ", "Reviewer")
    note(
        sheet,
        "D4:H4",
        f"อนุมัติ = ถูกต้อง · ส่งกลับ = ให้อำเภอแก้ไข (ต้องกรอกความเห็น) · ตรวจภายใน "
        f'{date_th(calendar.review.last)} · ตัวเลขอยู่ในชีต "{REVIEW_RESULTS.name}"\n'
        f"Approve, or return with a comment · review by {date_en(calendar.review.last)} · "
        f'figures on sheet "{REVIEW_RESULTS.name_en}"',
    )
    decision = choice_validation("ผลการพิจารณา", REVIEW_CHOICES)
    reviewer, comment = text_validation("ชื่อผู้ตรวจสอบ", 200), text_validation("ความเห็น", max_chars)
    for validation in (decision, reviewer, comment):
        sheet.add_data_validation(validation)
    input_cell(sheet, REVIEWER_CELL, reviewer)
    _decision_rows(sheet, districts, decision, comment)
    landscape(sheet)
    protect(sheet)


def _decision_rows(sheet, districts: list[ReviewDistrict], decision, comment) -> None:
    layout = REVIEW_DECISIONS
    for index, district in enumerate(districts):
        at = functools.partial(layout.cell, row=layout.first_row + index)
        for field, value in (
            ("no", index + 1),
            ("code", district.code),
            ("name", district.name_th),
            ("version", district.version),
            ("state", district.state),
            ("warnings", district.warnings),
        ):
            fixed_cell(sheet, at(field), value)
        if district.reviewable:
            input_cell(sheet, at("decision"), decision)
            input_cell(sheet, at("comment"), comment)
        else:
            fixed_cell(sheet, at("decision"), "–")
            fixed_cell(sheet, at("comment"), "ไม่มีข้อมูลที่ยืนยันส่งให้ตรวจ — nothing submitted to review")
    fit_rows(sheet, layout, range(layout.first_row, layout.first_row + len(districts)))


def _results_sheet(sheet, section: OfficeLabel, period: Period, lines: list[ReviewLine]) -> None:
    layout = REVIEW_RESULTS
    title_rows(
        sheet,
        _titles(
            section,
            period,
            "ผลการปฏิบัติงานและการใช้จ่ายของอำเภอ (กิจกรรมของกลุ่ม/ฝ่าย)",
            "The districts' results on the section's activities",
        ),
    )
    header(sheet, layout)
    for index, line in enumerate(lines):
        at = functools.partial(layout.cell, row=layout.first_row + index)
        fmt = WHOLE if line.whole else NUMBER
        for field, value in (
            ("office", line.office),
            ("code", line.code),
            ("name", line.name_th),
            ("unit", line.unit),
            ("warnings", line.warnings),
            ("remark", line.remark),
        ):
            fixed_cell(sheet, at(field), value)
        for field in ("target", "quantity", "cumulative"):
            fixed_cell(sheet, at(field), getattr(line, field), fmt)
        for field in ("budget", "spending", "spent"):
            fixed_cell(sheet, at(field), getattr(line, field), NUMBER)
        formula_cell(sheet, at("percent"), share(at("cumulative"), at("target")), PERCENT)
        formula_cell(sheet, at("disbursed"), share(at("spent"), at("budget")), PERCENT)
    fit_rows(sheet, layout, range(layout.first_row, layout.first_row + len(lines)))
    landscape(sheet)
    protect(sheet)
