"""The data model every RPT report is rendered from (XLSX, PDF and HTML alike).

A report is built by `jobs.reports` from the ledger and rendered here; the renderers
query nothing. Cells hold raw values (numbers stay numbers for the XLSX); each
renderer formats them by the column's kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

ColumnKind = Literal["code", "text", "quantity", "money", "percent", "count", "flag", "moment"]
RowStyle = Literal["item", "group", "subtotal", "total"]


@dataclass(frozen=True)
class Text:
    """A value shown in Thai with English beneath (or after it, where there is one line)."""

    th: str
    en: str = ""

    def __str__(self) -> str:
        return f"{self.th} — {self.en}" if self.en else self.th


Cell = str | Text | int | float | bool | datetime | None


@dataclass(frozen=True)
class Column:
    th: str
    en: str
    kind: ColumnKind = "text"
    width: float = 12  # XLSX column width (characters); the PDF measures its text (widths.py)


@dataclass(frozen=True)
class Row:
    """A table row. A `group` row has one cell: its label, spanning the table."""

    cells: tuple[Cell, ...]
    style: RowStyle = "item"


@dataclass(frozen=True)
class Bar:
    label: str  # the activity code
    caption: str  # its Thai name
    value: float | None  # a percentage; None: nothing to measure against


@dataclass(frozen=True)
class Chart:
    title_th: str
    title_en: str
    bars: list[Bar]
    expected: float | None = None  # the percentage expected by this period (a dashed line)
    expected_th: str = ""
    expected_en: str = ""


@dataclass(frozen=True)
class ReportData:
    code: str  # RPT111
    kind: Literal["performance", "budget"]
    title_th: str
    title_en: str
    office: str
    office_th: str
    office_en: str
    period: str  # 2558-03 (BE)
    period_th: str  # มีนาคม 2558
    period_en: str  # March 2558 BE (2015)
    fiscal_year: int  # BE
    generated_at: datetime
    generated_th: str
    generated_en: str
    columns: list[Column]
    rows: list[Row]
    totals: Row | None = None
    chart: Chart | None = None
    notes: list[Text] = field(default_factory=list)
    thai_numerals: bool = False
