"""The monthly workbook (EOP014 performance + EOP015 budget): values and rules."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, TypeAlias

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from eop.findings import Finding
from eop.layout import (
    BUDGET,
    CONFIRM_CELL,
    CONFIRM_CHOICES,
    CONFIRM_SEND,
    PERFORMANCE,
    REPORTER_CELL,
)
from validators.catalogue import at, finding
from validators.frames import Rule, amount, failures_by_group, read_numbers
from validators.values import read_text, shown

OVER_TARGET = 1.5  # cumulative above 150% of the annual target is worth a second look
OUTLIER_FACTOR = 5.0  # a month above 5× the office's median month …
MIN_HISTORY = 3  # … once there are enough months to know what is usual


class PerformanceRules(pa.DataFrameModel):
    quantity: Series[float] = pa.Field(ge=0, nullable=True)

    @pa.dataframe_check(name="not-whole")
    def whole_where_countable(cls, df: pd.DataFrame) -> pd.Series:
        return ~df["whole"] | df["quantity"].isna() | (df["quantity"] % 1 == 0)

    class Config:
        strict = False


class PerformanceWarnings(pa.DataFrameModel):
    @pa.dataframe_check(name="over-target")
    def cumulative_within_reason(cls, df: pd.DataFrame) -> pd.Series:
        return (df["target"] <= 0) | (
            df["cum_prev"] + df["quantity"].fillna(0) <= OVER_TARGET * df["target"]
        )

    @pa.dataframe_check(name="no-target")
    def results_need_a_target(cls, df: pd.DataFrame) -> pd.Series:
        return (df["target"] > 0) | (df["quantity"].fillna(0) == 0)

    @pa.dataframe_check(name="outlier")
    def usual_month(cls, df: pd.DataFrame) -> pd.Series:
        return df["outlier_above"].isna() | (df["quantity"].fillna(0) <= df["outlier_above"])

    class Config:
        strict = False


class BudgetRules(pa.DataFrameModel):
    spending: Series[float] = pa.Field(ge=0, nullable=True)

    @pa.dataframe_check(name="over-budget")
    def within_allocation(cls, df: pd.DataFrame) -> pd.Series:
        return df["spent_prev"] + df["spending"].fillna(0) <= df["budget"] + 0.005

    class Config:
        strict = False


PERFORMANCE_RULES = {
    "greater_than_or_equal_to(0)": Rule("negative", "quantity", lambda r: amount(r["quantity"])),
    "not-whole": Rule(
        "not-whole", "quantity", lambda r: amount(r["quantity"]), lambda r: r["unit"]
    ),
    "over-target": Rule(
        "over-target",
        "quantity",
        lambda r: amount(r["cum_prev"] + r["quantity"]),
        lambda r: amount(r["target"]),
    ),
    "no-target": Rule("no-target", "quantity", lambda r: amount(r["quantity"])),
    "outlier": Rule(
        "outlier", "quantity", lambda r: amount(r["quantity"]), lambda r: amount(r["median"])
    ),
}
BUDGET_RULES = {
    "greater_than_or_equal_to(0)": Rule("negative", "spending", lambda r: amount(r["spending"])),
    "over-budget": Rule(
        "over-budget",
        "spending",
        lambda r: amount(r["spent_prev"] + r["spending"]),
        lambda r: amount(r["budget"]),
    ),
}


class ResultRow(NamedTuple):  # a tuple: a national round records 52,680 of them
    activity: str
    quantity: float
    spending: float
    remark: str


@dataclass
class MonthlyCheck:
    findings: list[Finding] = field(default_factory=list)
    rows: list[ResultRow] = field(default_factory=list)
    confirmed: bool = False
    reporter: str = ""


def outlier_threshold(history: list[float]) -> tuple[float, float] | tuple[None, None]:
    """(median, the value above which a month is an outlier), from the office's own months.
    Robust: 5× the median, and never inside the usual spread (Q3 + 3·IQR)."""
    months = [m for m in history if m is not None]
    if len(months) < MIN_HISTORY or statistics.median(months) <= 0:
        return None, None
    q1, median, q3 = statistics.quantiles(months, n=4, method="inclusive")
    return median, max(OUTLIER_FACTOR * median, q3 + 3 * (q3 - q1))


Columns: TypeAlias = pd.DataFrame | Mapping[str, Sequence[object]]


@dataclass(frozen=True)
class MonthlyInput:
    """What the value and rule checks need of one monthly workbook (structure already checked):
    `performance`/`budget` hold the raw cells by layout field plus `row` (plain columns, or a frame)."""

    performance: Columns
    budget: Columns
    confirm: object
    reporter: object
    whole: dict[str, bool]
    history: dict[str, list[float]]
    max_cell_chars: int


def check_monthly(
    performance: Columns,
    budget: Columns,
    *,
    confirm: object,
    reporter: object,
    whole: dict[str, bool],
    history: dict[str, list[float]],
    max_cell_chars: int,
) -> MonthlyCheck:
    """`performance`/`budget`: raw cells by layout field plus `row`; structure already checked."""
    return check_monthly_batch(
        [MonthlyInput(performance, budget, confirm, reporter, whole, history, max_cell_chars)]
    )[0]


def check_monthly_batch(inputs: list[MonthlyInput]) -> list[MonthlyCheck]:
    """The checks of many workbooks with one pandera run per schema: their rows stacked in one
    frame (column `file`), the findings handed back to each workbook, in the order and with
    the cells that checking it alone gives."""
    if not inputs:
        return []
    columns = [_columns(i, item) for i, item in enumerate(inputs)]
    perf = _stacked([c.performance for c in columns], ("target", "cum_prev"))
    perf["whole"] = perf["whole"].astype(bool)
    perf["quantity"] = perf["quantity"].astype("float64")
    perf["outlier_above"] = perf["outlier_above"].astype("float64")
    money = _stacked([c.budget for c in columns], ("budget", "spent_prev"))
    money["spending"] = money["spending"].astype("float64")
    groups = [
        failures_by_group(PerformanceRules, perf, PERFORMANCE, PERFORMANCE_RULES, "file"),
        failures_by_group(BudgetRules, money, BUDGET, BUDGET_RULES, "file"),
        failures_by_group(PerformanceWarnings, perf, PERFORMANCE, PERFORMANCE_RULES, "file"),
    ]
    return [
        _check_one(item, mine, [f for group in groups for f in group.get(i, [])])
        for i, (item, mine) in enumerate(zip(inputs, columns))
    ]


@dataclass(frozen=True)
class _Columns:
    """One workbook's columns, as they go into the stacked frames, and its reading problems."""

    performance: dict[str, list]
    budget: dict[str, list]
    found: list[Finding]


def _columns(i: int, item: MonthlyInput) -> _Columns:
    perf, money = item.performance, item.budget
    quantity, quantity_found = read_numbers(perf, PERFORMANCE, "quantity")
    spending, spending_found = read_numbers(money, BUDGET, "spending")
    codes = list(perf["code"])
    thresholds = [outlier_threshold(item.history.get(str(c), [])) for c in codes]
    performance = {
        "file": [i] * len(codes),
        "row": list(perf["row"]),
        "code": codes,
        "unit": list(perf["unit"]),
        "remark": list(perf["remark"]),
        "whole": [bool(item.whole.get(str(c), True)) for c in codes],
        "target": list(perf["target"]),
        "cum_prev": list(perf["cum_prev"]),
        "quantity": quantity,
        "median": [t[0] for t in thresholds],
        "outlier_above": [t[1] for t in thresholds],
    }
    budget = {
        "file": [i] * len(spending),
        "row": list(money["row"]),
        "code": list(money["code"]),
        "budget": list(money["budget"]),
        "spent_prev": list(money["spent_prev"]),
        "spending": spending,
    }
    return _Columns(performance, budget, quantity_found + spending_found)


def _check_one(item: MonthlyInput, columns: _Columns, rules: list[Finding]) -> MonthlyCheck:
    """One workbook's findings (reading, rules, remarks, confirm, reporter) and result rows."""
    perf, money = columns.performance, columns.budget
    found = columns.found + rules + _remark_lengths(perf, item.max_cell_chars)
    confirmed, confirm_found = _confirm(item.confirm)
    reporter = read_text(item.reporter)
    found += confirm_found + _reporter(reporter, item.max_cell_chars)
    spending = dict(zip(map(read_text, money["code"]), map(_zero_if_blank, money["spending"])))
    rows = [
        ResultRow(
            read_text(code),
            _zero_if_blank(q),
            float(spending.get(read_text(code), 0.0)),
            read_text(remark),
        )
        for code, q, remark in zip(perf["code"], perf["quantity"], perf["remark"])
    ]
    return MonthlyCheck(found, rows, confirmed, reporter)


def _reporter(text: str, limit: int) -> list[Finding]:
    """The reporter's name: wanted, and short enough for the ledger, reports and mail."""
    where = {
        "sheet": PERFORMANCE.name,
        "sheet_en": PERFORMANCE.name_en,
        "cell": REPORTER_CELL,
        "field_th": "ผู้รายงาน",
        "field_en": "reporter",
    }
    if not text:
        return [finding("reporter-missing", **where)]
    if len(text) > limit:
        return [finding("cell-too-long", value=len(text), expected=limit, **where)]
    return []


def _zero_if_blank(number: float) -> float:
    return 0.0 if number != number else float(number)  # NaN (blank or unreadable) counts as nothing


def _stacked(parts: list[dict[str, list]], numbers: tuple[str, ...]) -> pd.DataFrame:
    """One frame from per-workbook column lists; `numbers` read as numbers, blank or text as 0."""
    columns = {name: [v for part in parts for v in part[name]] for name in parts[0]}
    frame = pd.DataFrame(columns)
    for name in numbers:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").fillna(0.0).astype("float64")
    return frame


def _confirm(raw: object) -> tuple[bool, list[Finding]]:
    text = read_text(raw)
    where = {
        "sheet": PERFORMANCE.name,
        "sheet_en": PERFORMANCE.name_en,
        "cell": CONFIRM_CELL,
        "field_th": "ยืนยันการส่ง",
        "field_en": "confirm",
    }
    if not text:
        return False, [finding("confirm-missing", **where)]
    if text not in CONFIRM_CHOICES:
        return False, [
            finding("bad-choice", value=shown(raw), expected=" / ".join(CONFIRM_CHOICES), **where)
        ]
    return text == CONFIRM_SEND, []


def _remark_lengths(perf: dict[str, list], limit: int) -> list[Finding]:
    return [
        finding(
            "cell-too-long",
            value=len(read_text(raw)),
            expected=limit,
            **at(PERFORMANCE, "remark", row),
        )
        for row, raw in zip(perf["row"], perf["remark"])
        if len(read_text(raw)) > limit
    ]
