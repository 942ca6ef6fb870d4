"""The messages of the evidence documents (intake.documents, intake.pdf_gate) and of the
setup and people workbooks (validators.setup): flat tables (hence their length), merged
into the one catalogue by validators.messages."""

from __future__ import annotations

from eop.findings import Severity

E, W = Severity.ERROR, Severity.WARNING

DOCUMENTS: dict[str, tuple[Severity, str, str]] = {
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
SETUP: dict[str, tuple[Severity, str, str]] = {
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
