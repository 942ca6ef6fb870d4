"""The correction request workbook: each filled row checked (the office from the list, a
locked period, the memo's number, date and approver, to the centre or not); every mistake is
a finding on its cell. Pure: the calendar's lock moments come in as a function."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from eop.findings import Finding
from eop.layout import CORRECTION_REQUESTS, REQUESTER_CELL, TO_CENTRE_CHOICES
from eop.periods import BadPeriod, Period
from eop.thai import BE_OFFSET, MONTHS_EN, MONTHS_TH, MONTHS_TH_SHORT, date_en, date_th
from eop.thai import to_arabic_digits as arabic
from validators.catalogue import at, finding
from validators.values import read_text

LAYOUT = CORRECTION_REQUESTS
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{2}|\d{4})$")
_NAMED = re.compile(r"^(\d{1,2})?\s*([^\d\s][^\d]*?)\s*(\d{2}|\d{4})$")
_MY = re.compile(r"^(\d{1,2})\s*[/.-]\s*(\d{4})$")


@dataclass(frozen=True)
class Request:
    """One row asking to reopen `office`'s `period` for one version."""

    row: int
    office: str
    period: str
    memo_number: str
    memo_date: date
    approved_by: str
    to_centre: bool
    reason: str


@dataclass
class CorrectionCheck:
    findings: list[Finding] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    requester: str = ""


def _year(text: str) -> int:
    """A CE year from a BE or CE one; two digits are BE (58 → 2558)."""
    year = int(text)
    year = 2500 + year if year < 100 else year
    return year - BE_OFFSET if year >= 2400 else year


def _month_named(text: str) -> int | None:
    words = text.strip().rstrip(".").lower()
    for names in (MONTHS_TH, MONTHS_TH_SHORT, MONTHS_EN):
        for index, name in enumerate(names):
            if words in (name.lower(), name.lower().rstrip(".")) or (
                names is MONTHS_EN and len(words) >= 3 and name.lower().startswith(words)
            ):
                return index + 1
    return None


def parse_day(raw: object) -> date | None:
    """A memo's date as typed: 9/4/2558, 09-04-58, 2558-04-09, 9 เม.ย. 2558, 9 April 2015,
    or a date cell (a BE year in a date cell is read as BE). None when it is none of these."""
    if isinstance(raw, datetime | date):
        day = raw.date() if isinstance(raw, datetime) else raw
        return day.replace(year=day.year - BE_OFFSET) if day.year >= 2400 else day
    text = " ".join(arabic(read_text(raw)).split())
    parts: tuple[int, int, int] | None = None
    if match := _ISO.match(text):
        parts = (_year(match[1]), int(match[2]), int(match[3]))
    elif match := _DMY.match(text):
        parts = (_year(match[3]), int(match[2]), int(match[1]))
    elif (match := _NAMED.match(text)) and match[1] and (month := _month_named(match[2])):
        parts = (_year(match[3]), month, int(match[1]))
    try:
        return date(*parts) if parts else None
    except ValueError:
        return None


def parse_period(raw: object) -> Period | None:
    """2558-03, 2015-03, 3/2558, มี.ค. 2558, มีนาคม 2558, or a date cell Excel made of it."""
    if isinstance(raw, datetime | date):
        year = raw.year - BE_OFFSET if raw.year >= 2400 else raw.year
        return _sensible(Period.of(year, raw.month))
    text = " ".join(arabic(read_text(raw)).split())
    try:
        return _sensible(Period.parse(text))
    except BadPeriod:
        pass
    if match := _MY.match(text):
        month, year = int(match[1]), _year(match[2])
    elif (match := _NAMED.match(text)) and not match[1] and (named := _month_named(match[2])):
        month, year = named, _year(match[3])
    else:
        return None
    return _sensible(Period.of(year, month)) if 1 <= month <= 12 else None


def _sensible(period: Period) -> Period | None:
    """A period of this system's years (BE 2400–2700), else none: "0000-01" is a typo."""
    return period if 2400 <= period.year_be <= 2700 else None


def office_of(raw: object, choices: Mapping[str, str]) -> str | None:
    """The office a cell names: its dropdown text, its code, or its full name."""
    text = " ".join(read_text(raw).split())
    for code, choice in choices.items():
        if text in (code, choice) or text.split(" ")[0] == code:
            return code
    return None


@dataclass(frozen=True)
class Rules:
    """What a row is checked against: the offices (code → dropdown text), when each period
    locks, and today."""

    choices: Mapping[str, str]
    locks_at: Callable[[Period], datetime]
    now: datetime


def check_requests(columns: Mapping[str, list], requester: object, rules: Rules) -> CorrectionCheck:
    """`columns`: the requests sheet's raw cells by field plus `row`, exactly its input rows."""
    check = CorrectionCheck(requester=read_text(requester))
    seen: dict[tuple[str, str], int] = {}
    for index, row in enumerate(columns["row"]):
        record = {f: columns[f][index] for f in LAYOUT.inputs}
        if not any(read_text(v) for v in record.values()):
            continue
        request = _one_row(check, int(row), record, rules)
        if request is None:
            continue
        key = (request.office, request.period)
        if key in seen:
            check.findings.append(
                _at("correction-row-repeated", "office", request.row, request.office, seen[key])
            )
            continue
        seen[key] = request.row
        check.requests.append(request)
    if not check.requests and not any(f.is_error for f in check.findings):
        check.findings.append(_at("correction-none", "office", LAYOUT.first_row))
    if not check.requester:
        check.findings.append(_requester_missing())
    return check


def _at(
    code: str, field_: str, row: int, value: object = None, expected: object = None, **facts: str
) -> Finding:
    return finding(code, value=value, expected=expected, **at(LAYOUT, field_, row), **facts)


def _one_row(check: CorrectionCheck, row: int, record: dict, rules: Rules) -> Request | None:
    """The row's request, or None with each of its mistakes found on its cell."""
    found: list[Finding] = []
    office = _office(found, row, record["office"], rules)
    period = _period(found, row, record["period"], rules)
    memo_date = _memo_date(found, row, record["memo_date"], rules.now)
    memo, approver = read_text(record["memo_number"]), read_text(record["approved_by"])
    if not memo:
        found.append(_at("correction-memo-missing", "memo_number", row))
    if not approver:
        found.append(_at("correction-approver-missing", "approved_by", row))
    to_centre = read_text(record["to_centre"])
    centre = to_centre.lower() in ("ใช่", "yes", "y", TO_CENTRE_CHOICES[0].lower())
    if (
        to_centre
        and not centre
        and to_centre.lower() not in ("ไม่ใช่", "ไม่", "no", "n", TO_CENTRE_CHOICES[1].lower())
    ):
        found.append(_at("bad-choice", "to_centre", row, to_centre, " / ".join(TO_CENTRE_CHOICES)))
    check.findings += found
    if found or office is None or period is None or memo_date is None:
        return None
    return Request(
        row, office, str(period), memo, memo_date, approver, centre, read_text(record["reason"])
    )


def _office(found: list[Finding], row: int, raw: object, rules: Rules) -> str | None:
    if not read_text(raw):
        found.append(_at("correction-office-missing", "office", row))
        return None
    office = office_of(raw, rules.choices)
    if office is None:
        listed = ", ".join(rules.choices)
        found.append(_at("correction-office-unknown", "office", row, read_text(raw), listed))
    return office


def _period(found: list[Finding], row: int, raw: object, rules: Rules) -> Period | None:
    period = parse_period(raw)
    if period is None:
        found.append(_at("correction-period-bad", "period", row, read_text(raw)))
        return None
    locks = rules.locks_at(period)
    if rules.now < locks:
        found.append(
            _at(
                "correction-not-locked",
                "period",
                row,
                str(period),
                locks_th=date_th(locks),
                locks_en=date_en(locks),
            )  # fmt: skip
        )
        return None
    return period


def _memo_date(found: list[Finding], row: int, raw: object, now: datetime) -> date | None:
    if not read_text(raw):
        found.append(_at("correction-date-missing", "memo_date", row))
        return None
    day = parse_day(raw)
    if day is None:
        found.append(_at("correction-date-bad", "memo_date", row, read_text(raw)))
    elif day > now.date():
        found.append(
            _at(
                "correction-date-future",
                "memo_date",
                row,
                read_text(raw),
                day_th=date_th(day),
                day_en=date_en(day),
                today_th=date_th(now),
                today_en=date_en(now),
            )  # fmt: skip
        )
        return None
    return day


def _requester_missing() -> Finding:
    return finding(
        "name-missing",
        sheet=LAYOUT.name,
        sheet_en=LAYOUT.name_en,
        cell=REQUESTER_CELL,
        value="ผู้กรอกคำขอ",
        expected="requester",
    )
