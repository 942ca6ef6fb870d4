"""Numbers and moments as a person reads them, the same in every mail, report and workbook note.

Buddhist Era dates and Thai month names come from eop.thai; this module puts them together
with the time of day, and writes numbers with thousands separators: whole numbers without
decimals, money always to the satang, nothing shown as "–".
"""

from __future__ import annotations

import numbers
from datetime import datetime

from eop.thai import MONTHS_TH_SHORT, be_year, date_en

NOTHING = "–"


def number(value: object, places: int = 2) -> str:
    """`1,234` for a whole number, `1,234.5` otherwise (at most `places` decimals); `–` for
    nothing; anything not a number as it is."""
    if value is None or value == "":
        return NOTHING
    if not isinstance(value, numbers.Real):
        return str(value)
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{float(value):,.{places}f}".rstrip("0").rstrip(".")


def baht(value: object) -> str:
    """Money always shows its satang: `15,000.00`; `–` for nothing."""
    if value is None or value == "":
        return NOTHING
    return f"{float(value):,.2f}" if isinstance(value, numbers.Real) else str(value)


def percent(value: float, places: int = 2) -> str:
    """`12.50`: the figure of a percentage, its `%` or `ร้อยละ` left to the sentence."""
    return f"{value:,.{places}f}"


def count(value: float) -> str:
    """`1,234`: a count, rounded to a whole."""
    return f"{round(value):,}"


def moment_th(moment: datetime) -> str:
    """`25 มี.ค. 2558 10:00`: Buddhist Era, Bangkok time as recorded."""
    return f"{moment.day} {MONTHS_TH_SHORT[moment.month - 1]} {be_year(moment.year)} {moment:%H:%M}"


def moment_en(moment: datetime) -> str:
    """`25 March 2558 BE 10:00`."""
    return f"{date_en(moment)} {moment:%H:%M}"
