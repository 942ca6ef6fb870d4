"""Reporting periods (months) and fiscal years, written in the Buddhist Era.

A period is written `2558-03` everywhere a person reads it; `2015-03` (CE) is accepted
on input: a year of 2400 or more is BE. The fiscal year runs 1 October – 30 September,
so FY2558 is October 2557 – September 2558 (BE).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from eop.thai import BE_OFFSET, MONTHS_EN, MONTHS_TH, MONTHS_TH_SHORT, to_arabic_digits

_PERIOD = re.compile(r"^\s*(\d{4})\s*[-/.]\s*(\d{1,2})\s*$")


class BadPeriod(ValueError):
    """A period that is not `YYYY-MM`."""


@dataclass(frozen=True, order=True)
class Period:
    year_be: int
    month: int

    @classmethod
    def parse(cls, text: str | Period) -> Period:
        if isinstance(text, Period):
            return text
        match = _PERIOD.match(to_arabic_digits(str(text)))
        if not match:
            raise BadPeriod(
                f"ช่วงเวลา {text!r} ต้องเป็น ปปปป-ดด เช่น 2558-03 — period {text!r} must be YYYY-MM, e.g. 2558-03"
            )
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise BadPeriod(f"เดือน {month} ไม่มีอยู่จริง — month {month} does not exist in {text!r}")
        if year < 2400:
            year += BE_OFFSET
        return cls(year, month)

    @classmethod
    def of(cls, ce_year: int, month: int) -> Period:
        return cls(ce_year + BE_OFFSET, month)

    def __str__(self) -> str:
        return f"{self.year_be}-{self.month:02d}"

    @property
    def year_ce(self) -> int:
        return self.year_be - BE_OFFSET

    @property
    def fiscal_year(self) -> int:
        """FY (BE) the month belongs to: October starts the next fiscal year."""
        return self.year_be + 1 if self.month >= 10 else self.year_be

    def shift(self, months: int) -> Period:
        index = self.year_be * 12 + self.month - 1 + months
        return Period(index // 12, index % 12 + 1)

    def previous(self) -> Period:
        return self.shift(-1)

    def next(self) -> Period:
        return self.shift(1)

    @property
    def name_th(self) -> str:
        return f"{MONTHS_TH[self.month - 1]} {self.year_be}"

    @property
    def short_th(self) -> str:
        return f"{MONTHS_TH_SHORT[self.month - 1]}{str(self.year_be)[2:]}"

    @property
    def name_en(self) -> str:
        return f"{MONTHS_EN[self.month - 1]} {self.year_be} BE ({self.year_ce})"


def fiscal_year_months(fiscal_year_be: int) -> list[Period]:
    """The twelve periods of a fiscal year, October to September."""
    first = Period(fiscal_year_be - 1, 10)
    return [first.shift(i) for i in range(12)]


def months_between(first: Period, last: Period) -> list[Period]:
    months, current = [], first
    while current <= last:
        months.append(current)
        current = current.next()
    return months


def parse_fiscal_year(text: str | int) -> int:
    """`2558`, `FY2558` or `2015` → 2558 (BE)."""
    digits = re.sub(r"\D", "", to_arabic_digits(str(text)))
    if len(digits) != 4:
        raise BadPeriod(
            f"ปีงบประมาณ {text!r} ไม่ถูกต้อง — fiscal year {text!r} must be a year such as 2558"
        )
    year = int(digits)
    return year if year >= 2400 else year + BE_OFFSET
