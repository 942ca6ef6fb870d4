"""The correction request workbook: the province's strategy group asks, one row per request,
to reopen a locked period of one of its offices for one new version, citing the approving
memo (number, date, approver), whether it goes to the centre, and why. Dropped in the
province's folder it is judged like any workbook; each valid row opens a correction."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from eop.layout import (
    CORRECTION_OFFICES,
    CORRECTION_REQUESTS,
    CORRECTION_ROWS,
    REQUESTER_CELL,
    TEMPLATE_VERSIONS,
    TO_CENTRE_CHOICES,
    short_office_name,
)
from templates.workbooks.common import (
    SUBTLE,
    choice_validation,
    fit_rows,
    fixed_cell,
    header,
    input_cell,
    label,
    landscape,
    meta_facts,
    new_workbook,
    note,
    protect,
    save,
    text_validation,
    title_rows,
    write_meta,
)
from templates.workbooks.monthly import Built, OfficeLabel

TEXT = "@"  # typed as text: Excel turns "2558-03" or "9/4/2558" into dates of its own otherwise
HINT = (
    "หนึ่งแถวต่อหนึ่งคำขอ: เลือกหน่วยงาน กรอกงวดที่ปิดแล้ว และบันทึกข้อความที่อนุมัติ (เลขที่ ลงวันที่ ผู้อนุมัติ) "
    "แล้ววางไฟล์ในโฟลเดอร์ส่งงานของจังหวัด หน่วยงานจะได้รับอีเมลพร้อมแบบฟอร์มเพื่อส่งฉบับแก้ไขได้หนึ่งฉบับ\n"
    "One row per request: choose the office, type the locked period and the approving memo (number, "
    "date, approver), then drop this file in the province's folder; the office is mailed its workbook "
    "and may send one corrected version."
)
PROMPTS = {  # field → (title, message) of the input message
    "period": ("งวดที่ปิดแล้ว", "ปี พ.ศ.-เดือน เช่น 2558-02 — BE year-month, e.g. 2558-02"),
    "memo_number": ("เลขที่บันทึกข้อความ", "เช่น กษ 0609/123 — e.g. กษ 0609/123"),
    "memo_date": ("วันที่ของบันทึก", "วัน/เดือน/ปี พ.ศ. เช่น 9/4/2558 — day/month/BE year, e.g. 9/4/2558"),
    "approved_by": ("ผู้อนุมัติ", "ชื่อหรือตำแหน่งผู้ลงนามอนุมัติ — who approved the memo"),
    "reason": ("เหตุผล", "สิ่งที่แก้ไขและเหตุผล (ไม่บังคับ) — what is corrected and why (optional)"),
}


def correction_prefilled(province: str, fiscal_year: int, offices: list[OfficeLabel]) -> dict:
    return {
        "kind": "correction",
        "office": province,
        "period": str(fiscal_year),
        "offices": [[o.code, office_choice(o), o.name_th] for o in offices],
    }


def office_choice(office: OfficeLabel) -> str:
    """`7105 อ.ท่ามะกา`: the dropdown's text (the code first: what the reader needs)."""
    return f"{office.code} {short_office_name(office.name_th)}"


def build_correction(
    out: Path,
    *,
    province: OfficeLabel,
    offices: list[OfficeLabel],
    fiscal_year: int,
    issued_at: datetime,
) -> Built:
    workbook = new_workbook()
    requests = workbook.create_sheet(CORRECTION_REQUESTS.name)
    listing = workbook.create_sheet(CORRECTION_OFFICES.name)
    _requests_sheet(requests, province, len(offices))
    _offices_sheet(listing, offices)
    prefilled = correction_prefilled(province.code, fiscal_year, offices)
    facts = meta_facts(
        "correction",
        TEMPLATE_VERSIONS["correction"],
        province.code,
        issued_at,
        period=str(fiscal_year),
    )
    digest = write_meta(workbook, facts, prefilled)
    return Built(save(workbook, out), digest, prefilled)


def _requests_sheet(sheet: Worksheet, province: OfficeLabel, count: int) -> None:
    layout = CORRECTION_REQUESTS
    title_rows(
        sheet,
        [
            ("ขอเปิดแก้ไขข้อมูลงวดที่ปิดแล้ว", "Reopen locked periods for a correction"),
            (f"{province.name_th} ({province.code})", f"{province.name_en} ({province.code})"),
        ],
    )
    header(sheet, layout)
    note(sheet, "A3:H3", HINT)
    label(sheet, 4, "ผู้กรอกคำขอ", "Requested by")
    sheet.merge_cells("C4:E4")
    requester = text_validation("ชื่อผู้กรอกคำขอ", 200)
    sheet.add_data_validation(requester)
    input_cell(sheet, REQUESTER_CELL, requester)
    validations = _validations(sheet, count)
    for index in range(CORRECTION_ROWS):
        row = layout.first_row + index
        fixed_cell(sheet, layout.cell("no", row), index + 1)
        sheet[layout.cell("no", row)].font = SUBTLE
        for field in layout.inputs:
            input_cell(sheet, layout.cell(field, row), validations[field])
            if field in ("period", "memo_date", "memo_number"):
                sheet[layout.cell(field, row)].number_format = TEXT
    landscape(sheet)
    sheet.print_title_rows = f"{layout.header_row}:{layout.header_row + 1}"
    protect(sheet)


def _validations(sheet: Worksheet, count: int) -> dict[str, DataValidation]:
    """One validation per input column, each with its Thai and English input message."""
    first = CORRECTION_OFFICES.first_row
    offices = DataValidation(
        type="list",
        formula1=f"'{CORRECTION_OFFICES.name}'!$A${first}:$A${first + max(count, 1) - 1}",
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=True,
        promptTitle="หน่วยงาน",
        prompt="เลือกหน่วยงานที่ขอแก้ไข — choose the office to correct",
        errorTitle="เลือกจากรายการ",
        error="เลือกหน่วยงานจากรายการ — choose an office from the list",
    )
    found = {"office": offices, "to_centre": choice_validation("แจ้งส่วนกลาง", TO_CENTRE_CHOICES)}
    found[
        "to_centre"
    ].prompt = "ใช่ เมื่อการแก้ไขต้องแจ้งกองแผนงาน (นับในตัวชี้วัดที่ 2) — yes when it goes to the centre (counted for KPI 2)"
    for field, (title, message) in PROMPTS.items():
        found[field] = text_validation(title, 200)
        found[field].prompt = message
    for validation in found.values():
        sheet.add_data_validation(validation)
    return found


def _offices_sheet(sheet: Worksheet, offices: list[OfficeLabel]) -> None:
    layout = CORRECTION_OFFICES
    title_rows(sheet, [("หน่วยงานที่ขอแก้ไขได้", "Offices a correction may be asked for")])
    header(sheet, layout)
    for index, office in enumerate(offices):
        row = layout.first_row + index
        fixed_cell(sheet, layout.cell("choice", row), office_choice(office))
        fixed_cell(sheet, layout.cell("name", row), office.name_th)
    fit_rows(sheet, layout, range(layout.first_row, layout.first_row + len(offices)))
    landscape(sheet)
    protect(sheet)
