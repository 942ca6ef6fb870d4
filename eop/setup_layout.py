"""Where things are in the setup workbook (offices, sections, people as in EOP017, the
activity catalogue, the province targets) and in the people workbook (its people sheet
alone): the one description the builder, the reader and the checks share.

Every sheet is a table of input rows; the dropdown choices show Thai first with the code the
service keeps in brackets, and the reader accepts the label, its Thai part or the code.
"""

from __future__ import annotations

from eop.layout import Column, SheetLayout

SETUP_VERSION = "2558.1"  # kinds "setup" and "people"
FISCAL_YEAR_CELL = "D3"  # on the targets sheet
SPARE_ROWS = 40  # empty input rows after the pre-filled ones (a protected sheet cannot grow)

LEVELS = {  # config value → Thai label
    "department": "กรม/ส่วนกลาง",
    "region": "เขต",
    "province": "จังหวัด",
    "district": "อำเภอ",
}
ROLES = {  # config value → Thai label (the EOP017 user table's roles)
    "district": "ผู้บันทึกระดับอำเภอ",
    "province_recorder": "ผู้บันทึกระดับจังหวัด",
    "province_planner": "ผู้วางแผนระดับจังหวัด",
    "section_reviewer": "ผู้ตรวจสอบของกลุ่ม/ฝ่าย",
    "coordinator": "ผู้ประสานกลุ่มยุทธศาสตร์",
    "centre": "ส่วนกลาง (กองแผนงาน)",
}
WHOLE = {"yes": "ใช่", "no": "ไม่ใช่"}


def label(value: str, labels: dict[str, str]) -> str:
    """The dropdown text of a value: `อำเภอ (district)`."""
    return f"{labels[value]} ({value})"


def choice_of(text: str, labels: dict[str, str]) -> str | None:
    """The value a typed or chosen text stands for; None when it is none of them."""
    text = " ".join(str(text).split())
    for value, thai in labels.items():
        if text.lower() in (value, label(value, labels).lower()) or text == thai:
            return value
    return None


OFFICES = SheetLayout(
    name="หน่วยงาน",
    name_en="offices",
    header_row=4,
    columns=(
        Column("A", "no", "ลำดับ", "No.", 6),
        Column("B", "code", "รหัสหน่วยงาน", "Office code", 12),
        Column("C", "level", "ระดับ", "Level", 18),
        Column("D", "parent", "สังกัด (รหัส)", "Parent (code)", 12),
        Column("E", "name_th", "ชื่อหน่วยงาน (ไทย)", "Name (Thai)", 40),
        Column("F", "name_en", "ชื่อหน่วยงาน (อังกฤษ)", "Name (English)", 40),
    ),
    inputs=("code", "level", "parent", "name_th", "name_en"),
)
SECTIONS = SheetLayout(
    name="กลุ่มฝ่าย",
    name_en="sections",
    header_row=4,
    columns=(
        Column("A", "no", "ลำดับ", "No.", 6),
        Column("B", "code", "รหัสกลุ่ม/ฝ่าย", "Section code", 12),
        Column("C", "office", "สังกัดหน่วยงาน (รหัส)", "Office (code)", 14),
        Column("D", "name_th", "ชื่อกลุ่ม/ฝ่าย (ไทย)", "Name (Thai)", 40),
        Column("E", "name_en", "ชื่อกลุ่ม/ฝ่าย (อังกฤษ)", "Name (English)", 40),
    ),
    inputs=("code", "office", "name_th", "name_en"),
)
PEOPLE = SheetLayout(
    name="ผู้ใช้งาน",
    name_en="people (EOP017)",
    header_row=4,
    columns=(
        Column("A", "no", "ลำดับ", "No.", 6),
        Column("B", "account", "บัญชีผู้ใช้", "Account", 11),
        Column("C", "name", "ชื่อ-สกุล", "Name", 30),
        Column("D", "email", "อีเมล", "E-mail", 34),
        Column("E", "office", "หน่วยงาน/กลุ่ม (รหัส)", "Office or section (code)", 14),
        Column("F", "role", "บทบาท", "Role", 28),
        Column("G", "section", "กลุ่ม/ฝ่ายที่รับผิดชอบ (รหัส)", "Section (code)", 14),
    ),
    inputs=("account", "name", "email", "office", "role", "section"),
)
ACTIVITIES = SheetLayout(
    name="กิจกรรม",
    name_en="activities",
    header_row=4,
    columns=(
        Column("A", "no", "ลำดับ", "No.", 6),
        Column("B", "plan", "แผนงาน (รหัส)", "Plan (code)", 9),
        Column("C", "plan_th", "แผนงาน (ไทย)", "Plan (Thai)", 18),
        Column("D", "plan_en", "แผนงาน (อังกฤษ)", "Plan (English)", 14),
        Column("E", "output", "ผลผลิต (รหัส)", "Output (code)", 9),
        Column("F", "output_th", "ผลผลิต (ไทย)", "Output (Thai)", 18),
        Column("G", "output_en", "ผลผลิต (อังกฤษ)", "Output (English)", 14),
        Column("H", "code", "รหัสกิจกรรม", "Activity code", 10),
        Column("I", "name_th", "กิจกรรม (ไทย)", "Activity (Thai)", 28),
        Column("J", "name_en", "กิจกรรม (อังกฤษ)", "Activity (English)", 20),
        Column("K", "unit", "หน่วยนับ", "Unit", 9),
        Column("L", "unit_en", "หน่วยนับ (อังกฤษ)", "Unit (English)", 9),
        Column("M", "whole", "จำนวนเต็ม", "Whole numbers", 10),
        Column("N", "section", "กลุ่ม/ฝ่ายที่รับผิดชอบ", "Section (code)", 12),
    ),
    inputs=(
        "plan",
        "plan_th",
        "plan_en",
        "output",
        "output_th",
        "output_en",
        "code",
        "name_th",
        "name_en",
        "unit",
        "unit_en",
        "whole",
        "section",
    ),
)
PROVINCE_TARGETS = SheetLayout(
    name="เป้าหมาย",
    name_en="targets",
    header_row=5,
    columns=(
        Column("A", "no", "ลำดับ", "No.", 6),
        Column("B", "activity", "รหัสกิจกรรม", "Activity code", 12),
        Column("C", "quantity", "เป้าหมายผลผลิต", "Output target", 16),
        Column("D", "budget", "งบประมาณ (บาท)", "Budget (baht)", 18),
    ),
    inputs=("activity", "quantity", "budget"),
)
SETUP_SHEETS = (OFFICES, SECTIONS, PEOPLE, ACTIVITIES, PROVINCE_TARGETS)
KIND_SHEETS = {"setup": SETUP_SHEETS, "people": (PEOPLE,)}
