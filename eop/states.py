"""The workflow states of DESIGN §4 and the choices that move an office between them.

Per office × period × kind: missing → recorded (valid, a draft) → submitted (confirmed by
the district) → approved | returned (by the sections) → confirmed (the province confirmed
to the centre) → locked (after the strategy window; changes only through a correction).
"""

from __future__ import annotations

MISSING, RECORDED, SUBMITTED = "missing", "recorded", "submitted"
APPROVED, RETURNED, CONFIRMED, LOCKED = "approved", "returned", "confirmed", "locked"
STATES = (MISSING, RECORDED, SUBMITTED, APPROVED, RETURNED, CONFIRMED, LOCKED)

# The one table of state names (every mail, report and workbook asks it): Thai first, then
# English; words an officer also sees in the workbooks (ร่าง, ยืนยันส่ง, ส่งกลับ).
STATE_NAMES = {  # state → (Thai, English)
    MISSING: ("ยังไม่ส่ง", "missing"),
    RECORDED: ("บันทึกแล้ว (ร่าง ยังไม่ยืนยันส่ง)", "recorded (a draft, not yet submitted)"),
    SUBMITTED: ("ยืนยันส่งแล้ว", "submitted"),
    APPROVED: ("กลุ่ม/ฝ่ายอนุมัติแล้ว", "approved by the sections"),
    RETURNED: ("ส่งกลับให้แก้ไข", "returned for correction"),
    CONFIRMED: ("จังหวัดยืนยันส่งส่วนกลางแล้ว", "confirmed to the centre"),
    LOCKED: ("ปิดงวดแล้ว", "locked"),
}

# The section reviewer's choice per district (review workbook).
APPROVE, RETURN = "อนุมัติ", "ส่งกลับ"
REVIEW_CHOICES = (APPROVE, RETURN)
DECISIONS = {APPROVE: APPROVED, RETURN: RETURNED}

# The province planner's choices (confirm workbook, EOP018 + EOP019).
YES, NO = "ยืนยัน", "ไม่ยืนยัน"
PROVINCE_CONFIRM_CHOICES = (YES, NO)
EVEN_IF_INCOMPLETE, ONLY_IF_COMPLETE = "ยืนยันแม้ไม่ครบ", "ไม่"
INCOMPLETE_CHOICES = (EVEN_IF_INCOMPLETE, ONLY_IF_COMPLETE)

REVIEWABLE = (SUBMITTED, APPROVED, RETURNED)  # a district's version a section may decide on
CONFIRMABLE = (APPROVED,)  # a district's version the province confirms to the centre
OWN_CONFIRMABLE = (SUBMITTED, APPROVED)  # the province office's own results (not reviewed)


def state_th(state: str) -> str:
    return STATE_NAMES.get(state, (state, state))[0]


def state_en(state: str) -> str:
    return STATE_NAMES.get(state, (state, state))[1]


def state_label(state: str) -> str:
    """`ยืนยันส่งแล้ว / submitted`: as a workbook shows it."""
    th, en = STATE_NAMES.get(state, (state, state))
    return f"{th} / {en}"
