"""Thai digits, month names and Buddhist Era dates."""

from __future__ import annotations

from datetime import date, datetime

BE_OFFSET = 543
THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_ARABIC = str.maketrans(THAI_DIGITS, "0123456789")
_TO_THAI = str.maketrans("0123456789", THAI_DIGITS)

MONTHS_TH = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
MONTHS_TH_SHORT = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def to_arabic_digits(text: str) -> str:
    return text.translate(_TO_ARABIC)


def to_thai_digits(text: str) -> str:
    return text.translate(_TO_THAI)


def be_year(ce_year: int) -> int:
    return ce_year + BE_OFFSET


def date_th(day: date | datetime, *, short: bool = False, thai_digits: bool = False) -> str:
    """`12 มกราคม 2558` (or `12 ม.ค. 2558`)."""
    months = MONTHS_TH_SHORT if short else MONTHS_TH
    text = f"{day.day} {months[day.month - 1]} {be_year(day.year)}"
    return to_thai_digits(text) if thai_digits else text


def datetime_th(moment: datetime) -> str:
    """`12 มกราคม 2558 เวลา 10:05 น.`"""
    return f"{date_th(moment)} เวลา {moment:%H:%M} น."


def date_en(day: date | datetime) -> str:
    """`12 January 2558 BE`: English text, Buddhist Era year, as officers read it."""
    return f"{day.day} {MONTHS_EN[day.month - 1]} {be_year(day.year)} BE"
