"""The messages of the correction request workbook (validators.correction): a flat table,
merged into the one catalogue by validators.messages. {value} is what the row holds."""

from __future__ import annotations

from eop.findings import Severity

E, W = Severity.ERROR, Severity.WARNING

CORRECTIONS: dict[str, tuple[Severity, str, str]] = {
    "correction-office-unknown": (
        E,
        'ไม่รู้จักหน่วยงาน "{value}" — เลือกหน่วยงานจากรายการ ({expected})',
        'Unknown office "{value}" — choose an office from the list ({expected})',
    ),
    "correction-office-missing": (
        E,
        "ไม่ได้เลือกหน่วยงาน — เลือกหน่วยงานที่ขอแก้ไขจากรายการ",
        "No office chosen — choose the office to correct from the list",
    ),
    "correction-period-bad": (
        E,
        '"{value}" ไม่ใช่งวด — กรอกปี พ.ศ.-เดือน เช่น 2558-02',
        '"{value}" is not a period — type the BE year and month, e.g. 2558-02',
    ),
    "correction-not-locked": (
        E,
        "งวด {value} ยังไม่ปิด (ปิดเมื่อ {locks_th}) หน่วยงานส่งฉบับใหม่ได้ตามปกติ ไม่ต้องขอแก้ไข",
        "Period {value} is not locked (it locks on {locks_en}): the office sends a new version as usual, no correction is needed",
    ),
    "correction-memo-missing": (
        E,
        "ไม่ได้กรอกเลขที่บันทึกข้อความที่อนุมัติให้แก้ไข",
        "The number of the memo approving the correction is empty",
    ),
    "correction-date-missing": (
        E,
        "ไม่ได้กรอกวันที่ของบันทึกข้อความ — วัน/เดือน/ปี พ.ศ. เช่น 9/4/2558",
        "The memo's date is empty — day/month/BE year, e.g. 9/4/2558",
    ),
    "correction-date-bad": (
        E,
        '"{value}" ไม่ใช่วันที่ — กรอก วัน/เดือน/ปี พ.ศ. เช่น 9/4/2558',
        '"{value}" is not a date — type day/month/BE year, e.g. 9/4/2558',
    ),
    "correction-date-future": (
        E,
        "บันทึกข้อความลงวันที่ {day_th} ซึ่งยังมาไม่ถึง (วันนี้ {today_th})",
        "The memo is dated {day_en}, which has not come yet (today is {today_en})",
    ),
    "correction-approver-missing": (
        E,
        "ไม่ได้กรอกผู้อนุมัติบันทึกข้อความ",
        "Who approved the memo is empty",
    ),
    "correction-already-open": (
        E,
        "งวด {value} ของหน่วยงานนี้มีการแก้ไขที่เปิดอยู่แล้ว (บันทึกที่ {expected}) รอให้หน่วยงานส่งฉบับแก้ไขก่อน",
        "A correction of period {value} of this office is already open (memo {expected}); wait for the office's corrected version",
    ),
    "correction-row-repeated": (
        E,
        "ขอแก้ไขหน่วยงานและงวดเดียวกันซ้ำกับแถว {expected}",
        "The same office and period as row {expected}",
    ),
    "correction-none": (
        E,
        "ยังไม่มีคำขอแก้ไข — กรอกอย่างน้อยหนึ่งแถว",
        "No correction is requested — fill in at least one row",
    ),
}
