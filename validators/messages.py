"""Every finding's message, in one table (a flat table, hence its length): code → severity,
Thai, English. Placeholders: {value} (what was seen), {expected}, and named facts ({name}:
the file as the office called it; {why}, {member} …). `validators.catalogue.finding` fills
them and leads the message with where it is.
"""

from __future__ import annotations

from eop.findings import Severity
from validators.messages_corrections import CORRECTIONS
from validators.messages_documents import DOCUMENTS, SETUP

E, W = Severity.ERROR, Severity.WARNING

# The first gate (intake.sniff): a file that cannot be opened safely, named by {name}.
_SAVE_TH = 'กรุณาเปิดใน Excel แล้ว "บันทึกเป็น" ชนิด "สมุดงาน Excel (*.xlsx)" แล้วส่งใหม่'
_SAVE_EN = 'open it in Excel, "Save As" type "Excel Workbook (*.xlsx)", and send it again.'
_RESAVE_TH = "กรุณาเปิดแบบฟอร์มใน Excel ตรวจว่าเปิดได้ปกติ บันทึกใหม่ แล้วส่งอีกครั้ง"
_RESAVE_EN = "open the workbook in Excel, check that it opens, save it again and resend it."

FILE_GATE: dict[str, tuple[Severity, str, str]] = {
    "empty-file": (
        E,
        'ไฟล์ "{name}" ว่างเปล่า (0 ไบต์) อาจส่งก่อนบันทึกเสร็จ — กรุณาบันทึกแบบฟอร์มใน Excel ให้เรียบร้อยแล้วส่งใหม่',
        '"{name}" is empty (0 bytes), perhaps sent before it was saved — save the workbook in Excel and send it again.',
    ),
    "too-large": (
        E,
        'ไฟล์ "{name}" มีขนาด {size} เกินขีดจำกัด {limit} — กรุณาใช้แบบฟอร์มที่ได้รับ ไม่แทรกรูปภาพหรือชีตเพิ่ม แล้วส่งใหม่',
        '"{name}" is {size}, over the limit of {limit} (limits.max_file_bytes) — use the workbook you were '
        "given, without added pictures or sheets, and send it again.",
    ),
    "not-xlsx-xls": (
        E,
        'ไฟล์ "{name}" เป็นไฟล์ Excel รุ่นเก่า (.xls, Excel 97-2003) — ' + _SAVE_TH,
        '"{name}" is an old Excel 97-2003 file (.xls) — ' + _SAVE_EN,
    ),
    "encrypted": (
        E,
        'ไฟล์ "{name}" ถูกตั้งรหัสผ่านไว้ ระบบเปิดอ่านไม่ได้ — กรุณาเอารหัสผ่านออก (ไฟล์ > ข้อมูล > ป้องกันเวิร์กบุ๊ก > '
        "เข้ารหัสด้วยรหัสผ่าน แล้วลบรหัสผ่านให้ว่าง) บันทึก แล้วส่งใหม่ (การป้องกันชีตไม่เป็นปัญหา)",
        '"{name}" is password-protected and cannot be opened — remove the password (File > Info > Protect '
        "Workbook > Encrypt with Password, clear it), save, and send it again (sheet protection is fine).",
    ),
    "not-xlsx-pdf": (
        E,
        'ไฟล์ "{name}" เป็นไฟล์ PDF ไม่ใช่แบบฟอร์ม Excel — กรุณาส่งไฟล์แบบฟอร์ม Excel (.xlsx) ที่กรอกข้อมูลแล้ว '
        "ไม่ใช่ไฟล์ที่พิมพ์หรือแปลงเป็น PDF",
        '"{name}" is a PDF, not an Excel workbook — send the filled-in Excel workbook (.xlsx) itself, '
        "not a printout or a PDF export.",
    ),
    "not-xlsx-ods": (
        E,
        'ไฟล์ "{name}" เป็นไฟล์ OpenDocument (.ods) — กรุณาเปิดแล้ว "บันทึกเป็น" ชนิด "Excel 2007-365 (.xlsx)" แล้วส่งใหม่',
        '"{name}" is an OpenDocument spreadsheet (.ods) — open it, "Save As" type "Excel 2007-365 (.xlsx)", '
        "and send it again.",
    ),
    "not-xlsx-csv": (
        E,
        'ไฟล์ "{name}" เป็นไฟล์ข้อความแบบ CSV ไม่ใช่แบบฟอร์ม Excel — กรุณากรอกข้อมูลในแบบฟอร์ม Excel ที่ได้รับ '
        'แล้วบันทึกเป็น "สมุดงาน Excel (*.xlsx)"',
        '"{name}" is a CSV text file, not an Excel workbook — fill in the Excel workbook you were given '
        'and save it as "Excel Workbook (*.xlsx)".',
    ),
    "not-xlsx-text": (
        E,
        'ไฟล์ "{name}" เป็นไฟล์ข้อความธรรมดา ไม่ใช่แบบฟอร์ม Excel — กรุณากรอกข้อมูลในแบบฟอร์ม Excel ที่ได้รับ '
        'แล้วบันทึกเป็น "สมุดงาน Excel (*.xlsx)"',
        '"{name}" is a plain text file, not an Excel workbook — fill in the Excel workbook you were given '
        'and save it as "Excel Workbook (*.xlsx)".',
    ),
    "not-xlsx": (
        E,
        'ไฟล์ "{name}" ไม่ใช่ไฟล์ Excel (.xlsx) — กรุณาส่งแบบฟอร์ม Excel ที่ได้รับ โดยบันทึกเป็น "สมุดงาน Excel (*.xlsx)"',
        '"{name}" is not an Excel workbook (.xlsx) — send the workbook you were given, saved as '
        '"Excel Workbook (*.xlsx)".',
    ),
    "corrupt-zip": (
        E,
        'ไฟล์ "{name}" เสียหายหรือส่งมาไม่ครบ — ' + _RESAVE_TH,
        '"{name}" is damaged or incomplete ({why}) — ' + _RESAVE_EN,
    ),
    "macro-enabled": (
        E,
        'ไฟล์ "{name}" เป็นสมุดงานที่มีแมโคร (.xlsm) ซึ่งระบบไม่รับ — กรุณา "บันทึกเป็น" ชนิด "สมุดงาน Excel (*.xlsx)" '
        "(แมโครจะถูกตัดออก) แล้วส่งใหม่",
        '"{name}" is a macro-enabled workbook (.xlsm), which is not accepted — "Save As" type '
        '"Excel Workbook (*.xlsx)" (this removes the macros) and send it again.',
    ),
    "not-a-workbook": (
        E,
        'ไฟล์ "{name}" เป็นไฟล์บีบอัด (zip) หรือเอกสาร Office อื่น เช่น Word ไม่ใช่สมุดงาน Excel — '
        "กรุณาส่งแบบฟอร์ม Excel (.xlsx) ที่ได้รับ",
        '"{name}" is a zip or another Office document (such as Word), not an Excel workbook ({why}) — '
        "send the Excel workbook (.xlsx) you were given.",
    ),
    "zip-bomb": (
        E,
        'ไฟล์ "{name}" {why_th} ระบบจึงไม่เปิดไฟล์ — กรุณาใช้แบบฟอร์มที่ได้รับ ไม่ฝังไฟล์อื่น แล้วส่งใหม่',
        '"{name}" {why_en}, so it was not opened — use the workbook you were given, without embedded '
        "files, and send it again.",
    ),
    "unsafe-path": (
        E,
        'ไฟล์ "{name}" มีส่วนภายในชื่อ "{member}" ที่ชี้ออกนอกไฟล์ ซึ่งไม่ปลอดภัย — ' + _RESAVE_TH,
        '"{name}" contains a part with an unsafe path ("{member}") — ' + _RESAVE_EN,
    ),
    "xml-entities": (
        E,
        'ไฟล์ "{name}" มีส่วน XML "{member}" ที่ประกาศ DOCTYPE/ENTITY ซึ่ง Excel ไม่ได้สร้างและอาจเป็นอันตราย — '
        + _RESAVE_TH,
        '"{name}" has an XML part "{member}" declaring a DOCTYPE or entities, which Excel never writes and '
        "which can be an attack — " + _RESAVE_EN,
    ),
    "too-many-sheets": (
        E,
        'ไฟล์ "{name}" มี {count} ชีต เกินขีดจำกัด {limit} ชีต — กรุณาลบชีตที่เพิ่มเข้าไปเอง หรือใช้แบบฟอร์มที่ได้รับ แล้วส่งใหม่',
        '"{name}" has {count} sheets, over the limit of {limit} (limits.max_sheets) — delete the sheets you '
        "added, or use the workbook you were given, and send it again.",
    ),
}


# code: (severity, Thai, English) — {value}, {expected} and other fields are filled in.
CATALOGUE: dict[str, tuple[Severity, str, str]] = FILE_GATE | {
    # is it one of our workbooks
    "not-our-workbook": (
        E,
        "ไฟล์นี้ไม่ใช่แบบฟอร์มของระบบ e-Operation Sheets (ไม่มีชีต _meta) กรุณาใช้แบบฟอร์มที่ระบบส่งให้",
        "This file is not an e-Operation Sheets workbook (no _meta sheet); please use the workbook the service sent you",
    ),
    "unknown-kind": (E, 'ไม่รู้จักแบบฟอร์มชนิด "{value}"', 'Unknown workbook kind "{value}"'),
    "template-outdated": (
        E,
        "แบบฟอร์มรุ่น {value} เก่าแล้ว รุ่นปัจจุบันคือ {expected} กรุณากรอกข้อมูลในแบบฟอร์มใหม่ที่แนบมา แล้วส่งอีกครั้ง",
        "Template version {value} is out of date; the current version is {expected}. Please fill in the fresh workbook attached and send it again",
    ),
    "template-unknown-version": (
        E,
        "แบบฟอร์มรุ่น {value} ไม่มีในระบบ (รุ่นปัจจุบัน {expected})",
        "Template version {value} is unknown (current: {expected})",
    ),
    "wrong-office": (
        E,
        "แบบฟอร์มนี้เป็นของหน่วยงาน {value} แต่ส่งเข้าโฟลเดอร์ของหน่วยงาน {expected} — แต่ละหน่วยงานส่งได้เฉพาะของตนเอง",
        "This workbook belongs to office {value} but was dropped in the folder of office {expected}; an office can only submit its own",
    ),
    "kind-not-for-office": (
        E,
        'หน่วยงาน {expected} ไม่มีหน้าที่ส่งแบบฟอร์ม "{value}"',
        'Office {expected} does not submit "{value}" workbooks',
    ),
    "bad-period": (
        E,
        'งวดข้อมูล "{value}" ในแบบฟอร์มไม่ถูกต้อง (ต้องเป็น ปปปป-ดด)',
        'The workbook\'s period "{value}" is not valid (YYYY-MM expected)',
    ),
    "wrong-fiscal-year": (
        E,
        "ปีงบประมาณ {value} ไม่ใช่ปีงบประมาณปัจจุบัน ({expected})",
        "Fiscal year {value} is not the current one ({expected})",
    ),
    "period-not-open": (
        E,
        "งวด {value} ยังไม่เปิดให้ส่งข้อมูล (เปิดวันที่ {expected})",
        "Period {value} is not open yet (it opens on {expected})",
    ),
    "period-locked": (
        E,
        "งวด {value} ปิดรับข้อมูลแล้ว ({expected}) หากต้องการแก้ไข ให้ทำบันทึกข้อความขออนุมัติปศุสัตว์จังหวัด แล้วแจ้งกลุ่มยุทธศาสตร์ฯ เปิดการแก้ไข เมื่อเปิดแล้วจะมีอีเมลแจ้ง จึงวางไฟล์อีกครั้ง",
        "Period {value} is locked ({expected}). To change it, send a memo asking the Provincial Livestock Officer to approve the correction; the strategy group then opens it and you are told by mail; drop the file again then",
    ),
    "late-rejected": (
        E,
        "ส่งเกินกำหนด: งวด {value} ต้องส่งภายใน {expected}",
        "Too late: period {value} had to be sent by {expected}",
    ),
    "late": (
        W,
        "ส่งเกินกำหนด: งวด {value} ควรส่งภายใน {expected} ระบบรับไว้และบันทึกว่าส่งช้า",
        "Late: period {value} was due by {expected}; accepted and flagged late",
    ),
    "unknown-issue": (
        E,
        "ระบบไม่พบแบบฟอร์มที่ตรงกับรหัสตรวจสอบ {value} ในแบบฟอร์มนี้ (อาจถูกแก้ไข) กรุณาใช้แบบฟอร์มที่ระบบส่งให้",
        "No workbook the service issued matches this workbook's check digest {value} (it may have been altered); please use the workbook the service sent",
    ),
    "target-changed": (
        E,
        "เป้าหมายหรือข้อมูลตั้งต้นเปลี่ยนไปหลังจากออกแบบฟอร์มนี้ กรุณากรอกในแบบฟอร์มใหม่ที่แนบมา",
        "Targets or pre-filled figures changed after this workbook was issued; please fill in the fresh workbook attached",
    ),
    "formula-without-value": (
        E,
        'มีสูตรที่ไม่มีค่าคำนวณ "{value}" กรุณาเปิดไฟล์ใน Excel แล้วบันทึก (Save) อีกครั้ง',
        'A formula has no calculated value "{value}"; open the file in Excel and save it again',
    ),
    "unreadable": (
        E,
        "อ่านไฟล์ไม่ได้ (ไฟล์อาจเสียหาย) กรุณาบันทึกใหม่ใน Excel เป็น .xlsx แล้วส่งอีกครั้ง",
        "The file cannot be read (it may be damaged); save it again from Excel as .xlsx and send it again",
    ),
    "not-a-file": (
        E,
        '"{value}" ไม่ใช่ไฟล์ ({expected}) กรุณาวางไฟล์ .xlsx ลงในโฟลเดอร์ drop โดยตรง',
        '"{value}" is not a file ({expected}); put the .xlsx file itself into the drop folder',
    ),
    "truncated": (
        E,
        'ไฟล์ "{value}" ไม่ครบ (คัดลอกไม่เสร็จ) กรุณาคัดลอกใหม่อีกครั้ง',
        '"{value}" is incomplete (the copy did not finish); please copy it again',
    ),
    "internal-error": (
        E,
        "ระบบตรวจไฟล์นี้ไม่สำเร็จเนื่องจากข้อผิดพลาดของระบบเอง (ไม่ใช่ความผิดของหน่วยงาน) ไฟล์ของท่านถูกเก็บไว้แล้ว ผู้ดูแลระบบได้รับแจ้งแล้ว",
        "The service could not check this file because of a fault of its own (not yours); your file is kept and the administrators have been told",
    ),
    # structure
    "sheet-missing": (E, 'ไม่พบชีต "{value}"', 'Sheet "{value}" is missing'),
    "rows-added": (
        E,
        "มีการเพิ่มแถว ({value}) ห้ามเพิ่ม ลบ หรือสลับแถว",
        "A row was added ({value}); rows must not be added, removed or reordered",
    ),
    "rows-removed": (
        E,
        "แถวของกิจกรรม {expected} หายไป ห้ามเพิ่ม ลบ หรือสลับแถว",
        "The row of activity {expected} is missing; rows must not be added, removed or reordered",
    ),
    "rows-reordered": (
        E,
        "พบกิจกรรม {value} แทนที่ {expected} ห้ามสลับแถว",
        "Found activity {value} where {expected} belongs; rows must not be reordered",
    ),
    "prefilled-changed": (
        E,
        'ค่าที่ระบบกรอกไว้ถูกแก้ไข: พบ "{value}" ต้องเป็น "{expected}"',
        'A pre-filled value was changed: "{value}" found, "{expected}" expected',
    ),
    "too-many-rows": (
        E,
        "ชีตใช้ถึงแถวที่ {value} เกินขีดจำกัด {expected} แถว — กรุณาลบแถวที่เพิ่มเข้าไปเอง หรือใช้แบบฟอร์มที่ได้รับ แล้วส่งใหม่",
        "A sheet reaches row {value}, over the limit of {expected} rows (limits.max_rows) — delete the rows you added, or use the workbook you were given, and send it again",
    ),
    "too-many-columns": (
        E,
        "ชีตใช้ถึงคอลัมน์ที่ {value} เกินขีดจำกัด {expected} คอลัมน์ — กรุณาลบคอลัมน์ที่เพิ่มเข้าไปเอง หรือใช้แบบฟอร์มที่ได้รับ แล้วส่งใหม่",
        "A sheet reaches column {value}, over the limit of {expected} columns (limits.max_columns) — delete the columns you added, or use the workbook you were given, and send it again",
    ),
    "cell-too-long": (
        E,
        "ข้อความยาว {value} ตัวอักษร เกินขีดจำกัด {expected} ตัวอักษร",
        "The text is {value} characters long, over the limit of {expected} (limits.max_cell_chars)",
    ),
    # values
    "not-a-number": (E, '"{value}" ไม่ใช่ตัวเลข', '"{value}" is not a number'),
    "dash-as-zero": (W, '"{value}" ถือว่าเป็น 0', '"{value}" was read as 0'),
    "negative": (E, '"{value}" ติดลบ ต้องเป็น 0 ขึ้นไป', '"{value}" is negative; it must be 0 or more'),
    "not-whole": (
        E,
        '"{value}" ต้องเป็นจำนวนเต็ม (หน่วยนับ {expected})',
        '"{value}" must be a whole number (unit: {expected})',
    ),
    "bad-choice": (
        E,
        '"{value}" ไม่อยู่ในรายการ ต้องเลือก {expected}',
        '"{value}" is not one of the choices: {expected}',
    ),
    "confirm-missing": (
        W,
        "ไม่ได้เลือกการยืนยัน ระบบบันทึกเป็นร่าง (ยังไม่ส่งจังหวัด)",
        "No confirm choice; recorded as a draft (not yet sent to the province)",
    ),
    "reporter-missing": (W, "ไม่ได้กรอกชื่อผู้รายงาน", "The reporter's name is empty"),
    # rules
    "over-budget": (
        E,
        "เบิกจ่ายสะสม {value} บาท เกินงบประมาณที่ได้รับ {expected} บาท",
        "Spending to date {value} baht exceeds the allocated budget of {expected} baht",
    ),
    "over-target": (
        W,
        "ผลสะสม {value} เกิน 150% ของเป้าหมาย {expected} กรุณาตรวจสอบ",
        "Cumulative {value} is over 150% of the target {expected}; please check",
    ),
    "outlier": (
        W,
        "ผลงานเดือนนี้ {value} สูงผิดปกติเมื่อเทียบกับเดือนก่อน ๆ (มัธยฐาน {expected}) กรุณาตรวจสอบ",
        "This month's {value} is unusually high against earlier months (median {expected}); please check",
    ),
    "no-target": (
        W,
        "มีผลงาน {value} ในกิจกรรมที่ไม่มีเป้าหมาย",
        "Results of {value} reported on an activity with no target",
    ),
    "allocation-sum": (
        E,
        "ผลรวมที่จัดสรร {value} ไม่เท่ากับเป้าหมายจังหวัด {expected}",
        "The shares add up to {value}, not to the province target of {expected}",
    ),
    "target-missing": (E, "ยังไม่ได้กรอกเป้าหมาย", "The target is empty"),
    "unknown-activity": (
        E,
        'ไม่มีกิจกรรมรหัส "{value}" ในแผนปีงบประมาณนี้',
        'There is no activity "{value}" in this fiscal year\'s plan',
    ),
    "missing-columns": (
        E,
        "ไม่พบคอลัมน์ {expected} (พบ {value})",
        "Columns {expected} are missing (found {value})",
    ),
    "no-targets-yet": (
        E,
        "ยังไม่มีเป้าหมายจังหวัดของปีงบประมาณ {value} กรุณานำเข้าเป้าหมายก่อน",
        "There are no province targets for fiscal year {value} yet; import them first",
    ),
    # workflow: reviews, the province's confirmation, corrections
    "name-missing": (W, "ไม่ได้กรอกชื่อ{value}", "The name of the {expected} is empty"),
    "no-decisions": (
        W,
        "ยังไม่ได้เลือกผลการพิจารณา (อนุมัติ / ส่งกลับ) ของหน่วยงานใดเลย ไม่มีการเปลี่ยนแปลง",
        "No decision (approve / return) was chosen for any office; nothing changes",
    ),
    "return-without-comment": (
        E,
        "ส่งกลับหน่วยงาน {value} ต้องกรอกความเห็นว่าต้องแก้ไขอะไร",
        "Returning office {value} needs a comment saying what to correct",
    ),
    "review-stale": (
        W,
        "หน่วยงาน {value} ส่งฉบับใหม่ (ฉบับที่ {expected}) หลังจากออกแบบฟอร์มนี้ การพิจารณานี้จึงไม่ถูกนำไปใช้ กรุณาตรวจในแบบฟอร์มฉบับใหม่",
        "Office {value} sent a newer version ({expected}) after this workbook was issued, so this decision was not applied; please review it in the newer workbook",
    ),
    "review-nothing": (
        W,
        "หน่วยงาน {value} ไม่มีข้อมูลที่ยืนยันส่งให้ตรวจ การพิจารณานี้ไม่ถูกนำไปใช้",
        "Office {value} has nothing submitted to review; this decision was not applied",
    ),
    "review-confirmed": (
        W,
        "จังหวัดยืนยันผลงวดนี้ของหน่วยงาน {value} ส่งส่วนกลางแล้ว การพิจารณานี้ไม่ถูกนำไปใช้",
        "The province already confirmed office {value} to the centre for this period; this decision was not applied",
    ),
    "state-changed": (
        E,
        "สถานะของหน่วยงานเปลี่ยนไปหลังจากออกแบบฟอร์มนี้ ({value}) กรุณายืนยันในแบบฟอร์มฉบับใหม่ที่แนบมา",
        "Offices' states changed after this workbook was issued ({value}); please confirm in the fresh workbook attached",
    ),
    "confirm-incomplete": (
        E,
        'ยังมีหน่วยงานที่ยังไม่ส่งหรือยังไม่ได้รับอนุมัติ ({value}) หากต้องการยืนยันส่งส่วนกลาง ให้เลือก "ยืนยันแม้ไม่ครบ"',
        'Some offices are missing or not approved ({value}); to confirm to the centre anyway, choose "ยืนยันแม้ไม่ครบ" (confirm even though incomplete)',
    ),
    "confirmed-incomplete": (
        W,
        "ยืนยันส่งส่วนกลางทั้งที่ยังไม่ครบ: {value} รายชื่อนี้จะแจ้งไว้ในรายงานถึงส่วนกลาง",
        "Confirmed to the centre although incomplete: {value}; the list goes to the centre with the reports",
    ),
    "not-confirmed": (
        W,
        "ยังไม่ได้ยืนยันส่งส่วนกลาง (ต้องเลือก ยืนยัน ทั้งผลการปฏิบัติงานและผลการใช้จ่าย) บันทึกไว้เป็นร่าง",
        "Not confirmed to the centre (choose ยืนยัน for both performance and budget); kept as a draft",
    ),
    "correction-applied": (
        W,
        "งวด {value} ปิดแล้ว รับฉบับนี้ตามคำขอแก้ไข {expected} (รับได้หนึ่งฉบับ คำขอนี้ปิดแล้ว)",
        "Period {value} is locked; this version was accepted under correction {expected} (one version only; the correction is now closed)",
    ),
}
CATALOGUE |= DOCUMENTS | SETUP | CORRECTIONS  # evidence documents, setup and correction workbooks
