"""Every finding the service can report: its code, severity and message, Thai then English.

A message names where (sheet, cell, field), the value seen and what is expected, so that an
officer can act on it without asking anyone.
"""

from __future__ import annotations

from typing import Any

from eop.findings import Finding, Severity

E, W = Severity.ERROR, Severity.WARNING

# code: (severity, Thai, English) — {value}, {expected} and other fields are filled in.
CATALOGUE: dict[str, tuple[Severity, str, str]] = {
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
        "ชีตมี {value} แถว เกินขีดจำกัด {expected} แถว",
        "The sheet has {value} rows, over the limit of {expected} (limits.max_rows)",
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
    # evidence documents (intake.documents, intake.pdf_gate): {value} is the file's name; each
    # refusal past a limit names its key of `limits:`; {send_th}, {send_en}: what to send instead
    "evidence-too-large": (
        E,
        'ไฟล์ "{value}" ใหญ่เกินไป ({size} เกินขีดจำกัด {limit}) กรุณาสแกนด้วยความละเอียดต่ำลง แล้ววางในโฟลเดอร์ evidence อีกครั้ง',
        '"{value}" is too large ({size}, over the limit of {limit}: limits.max_file_bytes); please scan at a lower resolution and drop it into the evidence folder again',
    ),
    "evidence-not-pdf": (
        E,
        'ไฟล์ "{value}" ไม่ใช่ไฟล์ PDF{like_th} — หลักฐานต้องเป็น PDF: สแกนหรือบันทึกเป็น PDF แล้ววางในโฟลเดอร์ evidence อีกครั้ง',
        '"{value}" is not a PDF{like_en}; evidence must be a PDF: scan it or save it as PDF, then drop it into the evidence folder again',
    ),
    "evidence-polyglot": (
        E,
        'ไฟล์ "{value}" เป็นทั้ง PDF และไฟล์ ZIP ในไฟล์เดียว (มีไฟล์อื่นซ่อนอยู่ท้ายไฟล์) — {send_th}',
        '"{value}" is a PDF and a ZIP archive at once (other files are hidden at its end); {send_en}',
    ),
    "evidence-encrypted": (
        E,
        'ไฟล์ PDF "{value}" มีรหัสผ่าน ระบบเปิดอ่านไม่ได้ — กรุณาบันทึกเป็น PDF ที่ไม่มีรหัสผ่าน แล้ววางในโฟลเดอร์ evidence อีกครั้ง',
        '"{value}" is password-protected and cannot be opened; please save it as a PDF without a password and drop it into the evidence folder again',
    ),
    "evidence-unreadable": (
        E,
        'เปิดไฟล์ PDF "{value}" ไม่ได้ (ไฟล์เสียหรือคัดลอกมาไม่ครบ: {why}) — {send_th}',
        '"{value}" cannot be read as a PDF (damaged or not completely copied: {why}); {send_en}',
    ),
    "evidence-no-pages": (
        E,
        'ไฟล์ PDF "{value}" ไม่มีหน้าใดเลย — {send_th}',
        '"{value}" has no pages; {send_en}',
    ),
    "evidence-too-many-pages": (
        E,
        'ไฟล์ PDF "{value}" มี {count:,} หน้า เกินขีดจำกัด {limit:,} หน้า — ส่งเฉพาะหน้าของเอกสารนั้น (คำสั่งหรือหนังสือหนึ่งฉบับมักมี 1–10 หน้า)',
        '"{value}" has {count:,} pages, over the limit of {limit:,} (limits.max_pdf_pages); send the pages of that one document only (an order or a letter is usually 1–10 pages)',
    ),
    "evidence-too-many-objects": (
        E,
        'ไฟล์ PDF "{value}" มีส่วนประกอบภายใน {count:,} ชิ้น เกินขีดจำกัด {limit:,} ชิ้น — {send_th}',
        '"{value}" is made of {count:,} internal objects, over the limit of {limit:,} (limits.max_pdf_objects); {send_en}',
    ),
    "evidence-bomb": (
        E,
        'ไฟล์ PDF "{value}" เมื่อขยายข้อมูลที่บีบอัดไว้จะใหญ่เกิน {limit_size} ซึ่งผิดปกติสำหรับเอกสารสแกน ระบบจึงไม่เปิดไฟล์ — {send_th}',
        '"{value}" would inflate to more than {limit_size} (limits.max_pdf_decompressed_bytes), which no scanned document does, so it was not opened; {send_en}',
    ),
    "evidence-too-deep": (
        E,
        'ไฟล์ PDF "{value}" มีโครงสร้างซ้อนกันลึกเกิน {limit} ชั้น ซึ่งผิดปกติ — {send_th}',
        '"{value}" nests its structure more than {limit} levels deep (limits.max_pdf_nesting), which is not normal; {send_en}',
    ),
    "evidence-loop": (
        E,
        'ไฟล์ PDF "{value}" มีโครงสร้างวนกลับเข้าหาตัวเอง ({where_th}) ไฟล์เสียหาย — {send_th}',
        '"{value}" has a structure that loops back on itself ({where_en}): it is damaged; {send_en}',
    ),
    "evidence-too-slow": (
        E,
        'ตรวจไฟล์ PDF "{value}" ไม่เสร็จภายใน {limit:g} วินาที ซึ่งนานผิดปกติ — {send_th}',
        '"{value}" could not be checked within {limit:g} seconds (limits.max_pdf_seconds), far longer than any scan takes; {send_en}',
    ),
    "evidence-too-much-memory": (
        E,
        'ตรวจไฟล์ PDF "{value}" ต้องใช้หน่วยความจำเกิน {limit_size} ซึ่งผิดปกติ — {send_th}',
        '"{value}" needs more than {limit_size} of memory to check (limits.max_pdf_memory_bytes), which is not normal; {send_en}',
    ),
    "evidence-too-complex": (
        E,
        'ไฟล์ PDF "{value}" ซับซ้อนเกินขีดจำกัดความปลอดภัยของโปรแกรมอ่าน PDF ({why}) — {send_th}',
        '"{value}" goes past a safety limit of the PDF reader ({why}); {send_en}',
    ),
    "evidence-bad-name": (
        E,
        'ชื่อไฟล์ "{value}" ไม่บอกว่าเป็นเอกสารชนิดใด — {rule_th}',
        'The name "{value}" does not say what kind of document it is. {rule_en}',
    ),
    "evidence-number-missing": (
        E,
        "{label_th}ต้องมีเลขที่ในชื่อไฟล์ เช่น {kind}-84-2558.pdf (เลขที่ 84/2558)",
        "An {label_en} needs its number in the file name, e.g. {kind}-84-2558.pdf (no. 84/2558)",
    ),
    "evidence-active-removed": (
        W,
        'ไฟล์ "{value}" มีเนื้อหาที่สั่งงานได้ ({kinds_th}) ระบบตัดออกแล้วในฉบับที่รวมเข้าแฟ้มหลักฐาน หน้าเอกสารยังเหมือนเดิม (ไฟล์ที่ส่งมาเก็บไว้ตามเดิม)',
        '"{value}" carried active content ({kinds_en}); it is removed from the copy merged into the evidence packet, whose pages look the same (the file as sent is kept as it was)',
    ),
    "evidence-document-unreadable": (
        E,
        "{label_th} ({value}) ที่อยู่ในแฟ้มอ่านไม่ได้ จึงไม่ได้รวมไว้ในแฟ้มหลักฐาน: {why_th}",
        "{label_en} ({value}) on file cannot be read, so it is not in the packet: {why_en}",
    ),
}

# setup and people workbooks (validators.setup): offices, sections, people (EOP017), activities
CATALOGUE.update(
    {
        "setup-missing": (E, "ยังไม่ได้กรอก", "This cell is empty; it is required"),
        "setup-duplicate": (
            E,
            '"{value}" ซ้ำกับแถว {expected} รหัสต้องไม่ซ้ำกัน',
            '"{value}" is already used on row {expected}; codes must be unique',
        ),
        "setup-duplicate-account": (
            E,
            'บัญชีผู้ใช้ "{value}" ซ้ำกับแถว {expected} หนึ่งบัญชีเป็นของคนเดียว',
            'Account "{value}" is already given on row {expected}; an account belongs to one person',
        ),
        "setup-duplicate-person": (
            E,
            '"{value}" มีบทบาทเดียวกันในหน่วยงานเดียวกันแล้วที่แถว {expected}',
            '"{value}" already has this role in this office on row {expected}',
        ),
        "setup-bad-code": (
            E,
            'รหัส "{value}" ใช้ได้เฉพาะตัวอักษรอังกฤษและตัวเลข (เช่น 7105 หรือ 71-S2)',
            'Code "{value}" may hold only Latin letters and digits (e.g. 7105 or 71-S2)',
        ),
        "setup-bad-email": (
            E,
            '"{value}" ไม่ใช่อีเมล (ต้องเป็นแบบ ชื่อ@หน่วยงาน.go.th)',
            '"{value}" is not an e-mail address (name@office.go.th expected)',
        ),
        "setup-unknown-parent": (
            E,
            'ไม่มีหน่วยงานรหัส "{value}" ในชีตหน่วยงาน สังกัดต้องเป็นรหัสหน่วยงานที่มีอยู่',
            'There is no office "{value}" on the offices sheet; the parent must be one of them',
        ),
        "setup-unknown-office": (
            E,
            'ไม่มีหน่วยงานหรือกลุ่ม/ฝ่ายรหัส "{value}"',
            'There is no office or section with code "{value}"',
        ),
        "setup-unknown-section": (
            E,
            'ไม่มีกลุ่ม/ฝ่ายรหัส "{value}" ในชีตกลุ่มฝ่าย',
            'There is no section "{value}" on the sections sheet',
        ),
        "setup-section-is-office": (
            E,
            'รหัส "{value}" เป็นรหัสหน่วยงานอยู่แล้ว กลุ่ม/ฝ่ายต้องใช้รหัสอื่น (เช่น 71-S1)',
            'Code "{value}" is an office\'s code; a section needs its own (e.g. 71-S1)',
        ),
        "setup-no-province": (
            E,
            "ไม่มีหน่วยงานระดับจังหวัด ต้องมีอย่างน้อยหนึ่งแถว",
            "No office is at province level; at least one must be",
        ),
        "setup-district-unanswered": (
            E,
            'อำเภอ "{value}" ยังไม่มีผู้บันทึกระดับอำเภอในชีตผู้ใช้งาน แบบฟอร์มของอำเภอนี้จะไม่มีผู้รับ',
            'District "{value}" has no district recorder on the people sheet; its workbooks would reach nobody',
        ),
        "setup-section-idle": (
            E,
            'กลุ่ม/ฝ่าย "{value}" ไม่ได้รับผิดชอบกิจกรรมใดในชีตกิจกรรม',
            'Section "{value}" owns no activity on the activities sheet',
        ),
        "setup-name-differs": (
            E,
            'ชื่อ "{value}" ต่างจากที่กรอกไว้ครั้งแรก ("{expected}") รหัสเดียวกันต้องใช้ชื่อเดียวกัน',
            'The name "{value}" differs from the first one given ("{expected}"); one code, one name',
        ),
        "setup-fiscal-year": (
            E,
            'ปีงบประมาณ "{value}" ไม่ถูกต้อง (ต้องเป็นปี พ.ศ. เช่น 2558)',
            'Fiscal year "{value}" is not valid (a Buddhist Era year such as 2558)',
        ),
        "setup-not-applied": (
            E,
            "ตั้งค่าจากแบบฟอร์มนี้ไม่ได้: {value}",
            "This workbook cannot be applied: {value}",
        ),
    }
)

SEND_AGAIN_TH = "กรุณาสแกนเอกสารฉบับลงนามเป็น PDF ใหม่ (หรือพิมพ์เป็น PDF) แล้ววางในโฟลเดอร์ evidence อีกครั้ง"
SEND_AGAIN_EN = "please scan the signed document to PDF again (or print it to PDF) and drop it into the evidence folder"
# Kinds of active content (intake.pdf_probe), as the receipt names them.
ACTIVE_KINDS: dict[str, tuple[str, str]] = {
    "javascript": ("JavaScript", "JavaScript"),
    "launch": ("คำสั่งเปิดโปรแกรม (Launch)", "program launch (Launch)"),
    "open-action": ("คำสั่งเมื่อเปิดไฟล์ (OpenAction)", "an action on opening (OpenAction)"),
    "additional-actions": ("คำสั่งแฝงในหน้า (AA)", "additional actions (AA)"),
    "embedded-files": ("ไฟล์ที่ฝังไว้", "embedded files"),
    "xfa": ("แบบฟอร์ม XFA", "XFA forms"),
    "rich-media": ("สื่อมัลติมีเดีย", "rich media"),
    "submit-form": ("คำสั่งส่งข้อมูลออก", "form submission"),
    "remote-go-to": ("ลิงก์เปิดไฟล์อื่น", "links opening other files"),
}


def document_finding(code: str, name: str, **facts: Any) -> Finding:
    """A finding about an evidence document `name`, its message filled with `facts`."""
    severity, th, en = CATALOGUE[code]
    values = {"value": name, "send_th": SEND_AGAIN_TH, "send_en": SEND_AGAIN_EN, **facts}
    return Finding(severity, code, th.format_map(values), en.format_map(values), value=name)


def _fill(text: str, values: dict[str, Any]) -> str:
    return text.format_map(
        {k: "" if v is None else v for k, v in values.items()}
        | {"value": values.get("value", ""), "expected": values.get("expected", "")}
    )


def finding(
    code: str,
    *,
    sheet: str | None = None,
    sheet_en: str | None = None,
    cell: str | None = None,
    field_th: str | None = None,
    field_en: str | None = None,
    value: Any = None,
    expected: Any = None,
) -> Finding:
    """A finding from the catalogue, its message prefixed with where it is."""
    severity, th, en = CATALOGUE[code]
    shown = "" if value is None else str(value)
    values = {"value": shown, "expected": "" if expected is None else expected}
    where_th = " ".join(
        p
        for p in (
            f'ชีต "{sheet}"' if sheet else "",
            f"เซลล์ {cell}" if cell else "",
            f"({field_th})" if field_th else "",
        )
        if p
    )
    where_en = " ".join(
        p
        for p in (
            f'Sheet "{sheet_en or sheet}"' if sheet else "",
            f"cell {cell}" if cell else "",
            f"({field_en})" if field_en else "",
        )
        if p
    )
    return Finding(
        severity,
        code,
        f"{where_th}: {_fill(th, values)}" if where_th else _fill(th, values),
        f"{where_en}: {_fill(en, values)}" if where_en else _fill(en, values),
        sheet=sheet,
        cell=cell,
        field=field_en,
        value=shown or None,
    )
