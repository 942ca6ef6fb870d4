"""Where things are in our workbooks: the one description builders and readers share.

Changing a layout means a new template version: a workbook of an older version is
answered with what to do and a fresh workbook, never a cryptic "field missing".
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

META_SHEET = "_meta"

TEMPLATE_VERSIONS = {
    "targets": "2558.1",
    "allocation": "2558.1",
    "monthly": "2558.1",
    "review": "2558.1",
    "confirm": "2558.1",
    "correction": "2558.1",
}

KIND_NAMES = {  # (Thai, English, menu)
    "targets": ("เป้าหมายจังหวัดตามเอกสารงบประมาณ", "province targets", "—"),
    "allocation": ("การกำหนดเป้าหมายระดับอำเภอ", "district target allocation", "EOP016"),
    "monthly": (
        "รายงานผลการปฏิบัติงานและผลการใช้จ่ายงบประมาณ",
        "monthly performance and budget report",
        "EOP014+EOP015",
    ),
    "review": ("การตรวจสอบและอนุมัติผลของอำเภอ", "section review of the districts' results", "—"),
    "confirm": (
        "การยืนยันผลระดับจังหวัดส่งส่วนกลาง",
        "province confirmation to the centre",
        "EOP018+EOP019",
    ),
    "correction": (
        "คำขอแก้ไขข้อมูลงวดที่ปิดแล้ว",
        "correction requests for locked periods",
        "—",
    ),
}

CONFIRM_SEND = "ยืนยันส่ง"
CONFIRM_DRAFT = "ร่าง"
CONFIRM_CHOICES = (CONFIRM_SEND, CONFIRM_DRAFT)


@dataclass(frozen=True)
class Column:
    letter: str
    field: str
    th: str
    en: str
    width: float = 14


@dataclass(frozen=True)
class SheetLayout:
    name: str  # the Thai sheet name the officer sees
    name_en: str
    header_row: int  # Thai header; English sub-header on the next row
    columns: tuple[Column, ...]
    inputs: tuple[str, ...]  # fields an office fills

    @property
    def first_row(self) -> int:
        return self.header_row + 2

    def column(self, field: str) -> Column:
        return next(c for c in self.columns if c.field == field)

    def cell(self, field: str, row: int) -> str:
        return f"{self.column(field).letter}{row}"


PERFORMANCE = SheetLayout(
    name="ผลการปฏิบัติงาน",
    name_en="performance",
    header_row=7,
    columns=(
        Column("A", "no", "ลำดับ", "No.", 6),
        Column("B", "code", "รหัสกิจกรรม", "Activity code", 11),
        Column("C", "name", "กิจกรรม", "Activity", 46),
        Column("D", "unit", "หน่วยนับ", "Unit", 10),
        Column("E", "target", "เป้าหมายทั้งปี", "Annual target", 13),
        Column("F", "cum_prev", "ผลสะสมถึงเดือนก่อน", "Cumulative to last month", 16),
        Column("G", "quantity", "ผลงานเดือนนี้", "This month", 14),
        Column("H", "cumulative", "ผลสะสม", "Cumulative", 13),
        Column("I", "percent", "ร้อยละของเป้าหมาย", "% of target", 12),
        Column("J", "remark", "หมายเหตุ", "Remark", 30),
    ),
    inputs=("quantity", "remark"),
)
CONFIRM_CELL = "C4"  # ยืนยันส่ง / ร่าง, on the performance sheet
REPORTER_CELL = "C5"

BUDGET = SheetLayout(
    name="ผลการใช้จ่ายงบประมาณ",
    name_en="budget",
    header_row=7,
    columns=(
        Column("A", "no", "ลำดับ", "No.", 6),
        Column("B", "code", "รหัสกิจกรรม", "Activity code", 11),
        Column("C", "name", "กิจกรรม", "Activity", 46),
        Column("D", "budget", "งบประมาณที่ได้รับ (บาท)", "Allocated budget (baht)", 16),
        Column("E", "spent_prev", "เบิกจ่ายสะสมถึงเดือนก่อน", "Spent to last month", 16),
        Column("F", "spending", "เบิกจ่ายเดือนนี้", "Spent this month", 15),
        Column("G", "spent", "เบิกจ่ายสะสม", "Spent to date", 15),
        Column("H", "percent", "ร้อยละการเบิกจ่าย", "% disbursed", 12),
        Column("I", "balance", "คงเหลือ", "Balance", 15),
    ),
    inputs=("spending",),
)

TARGETS = SheetLayout(
    name="เป้าหมายจังหวัด",
    name_en="province targets",
    header_row=5,
    columns=(
        Column("A", "no", "ลำดับ", "No.", 6),
        Column("B", "code", "รหัสกิจกรรม", "Activity code", 11),
        Column("C", "name", "กิจกรรม", "Activity", 46),
        Column("D", "unit", "หน่วยนับ", "Unit", 10),
        Column("E", "quantity", "เป้าหมายผลผลิต", "Output target", 15),
        Column("F", "budget", "งบประมาณ (บาท)", "Budget (baht)", 16),
    ),
    inputs=("quantity", "budget"),
)

# The allocation sheets have one input column per office after the fixed columns.
ALLOCATION_FIXED = (
    Column("A", "no", "ลำดับ", "No.", 6),
    Column("B", "code", "รหัสกิจกรรม", "Activity code", 11),
    Column("C", "name", "กิจกรรม", "Activity", 40),
    Column("D", "unit", "หน่วยนับ", "Unit", 9),
    Column("E", "province_target", "เป้าหมายจังหวัด", "Province target", 14),
)
ALLOCATION_HEADER_ROW = 5  # Thai office names; row 6: office codes; data from row 7
ALLOCATION_SHEETS = {
    "quantity": ("จัดสรรเป้าหมายผลงาน", "quantity allocation"),
    "budget": ("จัดสรรงบประมาณ", "budget allocation"),
}
ALLOCATION_FIRST_OFFICE_COLUMN = 6  # F


OFFICE_PREFIXES = (  # what every office's name starts with; the rest tells them apart
    ("สำนักงานปศุสัตว์อำเภอ", "อ."),
    ("สำนักงานปศุสัตว์จังหวัด", "จ."),
    ("สำนักงานปศุสัตว์", ""),
)


def short_office_name(name_th: str) -> str:
    """ "สำนักงานปศุสัตว์อำเภอไทรโยค" → "อ.ไทรโยค": where columns are narrow (the allocation
    workbook's headers, the terminal), thirteen names that all begin alike were all cut to
    the same "สำนักงานปศุสัตว์อำเ…"."""
    for prefix, abbreviation in OFFICE_PREFIXES:
        if name_th.startswith(prefix) and len(name_th) > len(prefix):
            return abbreviation + name_th[len(prefix) :]
    return name_th


def kind_label(kind: str) -> tuple[str, str]:
    th, en, menu = KIND_NAMES.get(kind, (kind, kind, ""))
    return (f"{th} ({menu})" if menu and menu != "—" else th), en


def prefilled_digest(prefilled: dict) -> str:
    """A digest of what the service wrote into a workbook, so any change to it shows."""
    canonical = json.dumps(prefilled, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def allocation_layout(measure: str, offices: list[str]) -> SheetLayout:
    """One allocation sheet: the fixed columns, one input column per office, then the sum."""
    from openpyxl.utils import get_column_letter  # lazy: the ground loads no openpyxl at start-up

    name_th, name_en = ALLOCATION_SHEETS[measure]
    office_columns = tuple(
        Column(
            get_column_letter(ALLOCATION_FIRST_OFFICE_COLUMN + i),
            code,
            f"หน่วยงาน {code}",
            f"office {code}",
        )
        for i, code in enumerate(offices)
    )
    after = ALLOCATION_FIRST_OFFICE_COLUMN + len(offices)
    total = Column(get_column_letter(after), "allocated", "รวมที่จัดสรร", "Allocated")
    return SheetLayout(
        name_th,
        name_en,
        ALLOCATION_HEADER_ROW,
        ALLOCATION_FIXED + office_columns + (total,),
        tuple(offices),
    )


# -- review (a section approves or returns each district's results) ----------------------
REVIEWER_CELL = "C4"  # the reviewer's name, on the decisions sheet
REVIEW_DECISIONS = SheetLayout(
    name="ผลการพิจารณา",
    name_en="decisions",
    header_row=6,
    columns=(
        Column("A", "no", "ลำดับ", "No.", 6),
        Column("B", "code", "รหัสหน่วยงาน", "Office code", 10),
        Column("C", "name", "หน่วยงาน", "Office", 40),
        Column("D", "version", "ฉบับที่", "Version", 8),
        Column("E", "state", "สถานะเมื่อออกแบบฟอร์ม", "State when issued", 28),
        Column("F", "warnings", "ข้อสังเกต (รายการ)", "Warnings", 10),
        Column("G", "decision", "ผลการพิจารณา", "Decision", 14),
        Column("H", "comment", "ความเห็น (ต้องกรอกเมื่อส่งกลับ)", "Comment (required to return)", 50),
    ),
    inputs=("decision", "comment"),
)
REVIEW_RESULTS = SheetLayout(
    name="ผลงานอำเภอ",
    name_en="district results",
    header_row=5,
    columns=(
        Column("A", "office", "รหัสหน่วยงาน", "Office", 9),
        Column("B", "code", "รหัสกิจกรรม", "Activity code", 10),
        Column("C", "name", "กิจกรรม", "Activity", 40),
        Column("D", "unit", "หน่วยนับ", "Unit", 9),
        Column("E", "target", "เป้าหมายทั้งปี", "Annual target", 12),
        Column("F", "quantity", "ผลงานเดือนนี้", "This month", 12),
        Column("G", "cumulative", "ผลสะสม", "Cumulative", 12),
        Column("H", "percent", "ร้อยละของเป้าหมาย", "% of target", 10),
        Column("I", "budget", "งบประมาณ (บาท)", "Budget (baht)", 13),
        Column("J", "spending", "เบิกจ่ายเดือนนี้", "Spent this month", 13),
        Column("K", "spent", "เบิกจ่ายสะสม", "Spent to date", 13),
        Column("L", "disbursed", "ร้อยละการเบิกจ่าย", "% disbursed", 10),
        Column("M", "warnings", "ข้อสังเกต", "Warnings", 44),
        Column("N", "remark", "หมายเหตุของหน่วยงาน", "Office's remark", 30),
    ),
    inputs=(),
)

# -- confirm (EOP018 + EOP019: the province planner confirms the province to the centre) --
CONFIRM_PERFORMANCE_CELL = "C4"  # ยืนยัน / ไม่ยืนยัน, on the performance sheet
CONFIRM_BUDGET_CELL = "C5"
CONFIRM_INCOMPLETE_CELL = "C6"  # ยืนยันแม้ไม่ครบ / ไม่
CONFIRMER_CELL = "C7"
CONFIRM_PERFORMANCE = SheetLayout(
    name="ยืนยันผลการปฏิบัติงาน",
    name_en="confirm performance",
    header_row=9,
    columns=(
        Column("A", "no", "ลำดับ", "No.", 6),
        Column("B", "code", "รหัสกิจกรรม", "Activity code", 11),
        Column("C", "name", "กิจกรรม", "Activity", 46),
        Column("D", "unit", "หน่วยนับ", "Unit", 10),
        Column("E", "target", "เป้าหมายจังหวัด", "Province target", 14),
        Column("F", "quantity", "ผลงานเดือนนี้", "This month", 14),
        Column("G", "cumulative", "ผลสะสม", "Cumulative", 14),
        Column("H", "percent", "ร้อยละของเป้าหมาย", "% of target", 12),
    ),
    inputs=(),
)
CONFIRM_BUDGET = SheetLayout(
    name="ยืนยันผลการใช้จ่าย",
    name_en="confirm budget",
    header_row=5,
    columns=(
        Column("A", "no", "ลำดับ", "No.", 6),
        Column("B", "code", "รหัสกิจกรรม", "Activity code", 11),
        Column("C", "name", "กิจกรรม", "Activity", 46),
        Column("D", "budget", "งบประมาณ (บาท)", "Budget (baht)", 16),
        Column("E", "spending", "เบิกจ่ายเดือนนี้", "Spent this month", 15),
        Column("F", "spent", "เบิกจ่ายสะสม", "Spent to date", 15),
        Column("G", "percent", "ร้อยละการเบิกจ่าย", "% disbursed", 12),
        Column("H", "balance", "คงเหลือ", "Balance", 15),
    ),
    inputs=(),
)
CONFIRM_OFFICES = SheetLayout(
    name="สถานะหน่วยงาน",
    name_en="offices",
    header_row=5,
    columns=(
        Column("A", "no", "ลำดับ", "No.", 6),
        Column("B", "code", "รหัสหน่วยงาน", "Office code", 11),
        Column("C", "name", "หน่วยงาน", "Office", 44),
        Column("D", "version", "ฉบับที่", "Version", 8),
        Column("E", "state", "สถานะ", "State", 34),
        Column("F", "late", "ส่งช้า", "Late", 8),
    ),
    inputs=(),
)


# -- correction requests (the strategy group reopens a locked period, citing the memo) -----
REQUESTER_CELL = "C4"  # who fills the requests in, on the requests sheet
CORRECTION_ROWS = 20  # input rows: one requested correction each
CORRECTION_REQUESTS = SheetLayout(
    name="คำขอแก้ไขข้อมูล",
    name_en="correction requests",
    header_row=6,
    columns=(
        Column("A", "no", "ลำดับ", "No.", 6),
        Column("B", "office", "หน่วยงาน (เลือก)", "Office (choose)", 30),
        Column("C", "period", "งวด (ปี พ.ศ.-เดือน)", "Period (BE year-month)", 13),
        Column("D", "memo_number", "เลขที่บันทึกข้อความ", "Memo number", 18),
        Column("E", "memo_date", "ลงวันที่ (วัน/เดือน/ปี พ.ศ.)", "Memo date (d/m/BE year)", 15),
        Column("F", "approved_by", "ผู้อนุมัติ", "Approved by", 24),
        Column("G", "to_centre", "แจ้งส่วนกลาง", "To the centre", 12),
        Column("H", "reason", "เหตุผล / สิ่งที่แก้ไข", "Reason / what is corrected", 34),
    ),
    inputs=("office", "period", "memo_number", "memo_date", "approved_by", "to_centre", "reason"),
)
CORRECTION_OFFICES = SheetLayout(  # the offices the dropdown offers, for reading too
    name="รายชื่อหน่วยงาน",
    name_en="offices",
    header_row=3,
    columns=(
        Column("A", "choice", "ตัวเลือก", "Choice", 30),
        Column("B", "name", "ชื่อเต็ม", "Full name", 44),
    ),
    inputs=(),
)
TO_CENTRE_CHOICES = ("ใช่ (yes)", "ไม่ใช่ (no)")
