"""The monthly workbook (EOP014 performance + EOP015 budget): values and rules."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from eop.findings import Finding
from eop.layout import BUDGET, CONFIRM_CELL, CONFIRM_CHOICES, CONFIRM_SEND, PERFORMANCE, REPORTER_CELL
from validators.catalogue import finding
from validators.frames import Rule, amount, failures_to_findings, parse_numbers
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
        return (df["target"] <= 0) | (df["cum_prev"] + df["quantity"].fillna(0) <= OVER_TARGET * df["target"])

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
    "not-whole": Rule("not-whole", "quantity", lambda r: amount(r["quantity"]), lambda r: r["unit"]),
    "over-target": Rule("over-target", "quantity", lambda r: amount(r["cum_prev"] + r["quantity"]), lambda r: amount(r["target"])),
    "no-target": Rule("no-target", "quantity", lambda r: amount(r["quantity"])),
    "outlier": Rule("outlier", "quantity", lambda r: amount(r["quantity"]), lambda r: amount(r["median"])),
}
BUDGET_RULES = {
    "greater_than_or_equal_to(0)": Rule("negative", "spending", lambda r: amount(r["spending"])),
    "over-budget": Rule("over-budget", "spending", lambda r: amount(r["spent_prev"] + r["spending"]), lambda r: amount(r["budget"])),
}


@dataclass(frozen=True)
class ResultRow:
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


def check_monthly(
    performance: pd.DataFrame, budget: pd.DataFrame, *, confirm: object, reporter: object,
    whole: dict[str, bool], history: dict[str, list[float]], max_cell_chars: int,
) -> MonthlyCheck:
    """`performance`/`budget`: raw cells by layout field plus `row`; structure already checked."""
    perf = performance.copy()
    perf["whole"] = perf["code"].map(lambda c: whole.get(str(c), True)).astype(bool)
    perf["target"] = pd.to_numeric(perf["target"], errors="coerce").fillna(0.0)
    perf["cum_prev"] = pd.to_numeric(perf["cum_prev"], errors="coerce").fillna(0.0)
    perf["quantity"], found = parse_numbers(perf, PERFORMANCE, "quantity")
    thresholds = [outlier_threshold(history.get(str(c), [])) for c in perf["code"]]
    perf["median"] = [t[0] for t in thresholds]
    perf["outlier_above"] = pd.Series([t[1] for t in thresholds], index=perf.index, dtype="float64")

    money = budget.copy()
    money["budget"] = pd.to_numeric(money["budget"], errors="coerce").fillna(0.0)
    money["spent_prev"] = pd.to_numeric(money["spent_prev"], errors="coerce").fillna(0.0)
    money["spending"], money_found = parse_numbers(money, BUDGET, "spending")

    found += money_found
    found += failures_to_findings(PerformanceRules, perf, PERFORMANCE, PERFORMANCE_RULES)
    found += failures_to_findings(BudgetRules, money, BUDGET, BUDGET_RULES)
    found += failures_to_findings(PerformanceWarnings, perf, PERFORMANCE, PERFORMANCE_RULES)
    found += _remark_lengths(perf, max_cell_chars)
    confirmed, confirm_found = _confirm(confirm)
    reporter_text = read_text(reporter)
    found += confirm_found
    if not reporter_text:
        found.append(finding("reporter-missing", sheet=PERFORMANCE.name, sheet_en=PERFORMANCE.name_en, cell=REPORTER_CELL,
                             field_th="ผู้รายงาน", field_en="reporter"))
    spending = dict(zip(money["code"].map(read_text), money["spending"].fillna(0.0)))
    rows = [
        ResultRow(read_text(code), float(0 if pd.isna(q) else q), float(spending.get(read_text(code), 0.0)), read_text(remark))
        for code, q, remark in zip(perf["code"], perf["quantity"], perf["remark"])
    ]
    return MonthlyCheck(found, rows, confirmed, reporter_text)


def _confirm(raw: object) -> tuple[bool, list[Finding]]:
    text = read_text(raw)
    where = {"sheet": PERFORMANCE.name, "sheet_en": PERFORMANCE.name_en, "cell": CONFIRM_CELL,
             "field_th": "ยืนยันการส่ง", "field_en": "confirm"}
    if not text:
        return False, [finding("confirm-missing", **where)]
    if text not in CONFIRM_CHOICES:
        return False, [finding("bad-choice", value=shown(raw), expected=" / ".join(CONFIRM_CHOICES), **where)]
    return text == CONFIRM_SEND, []


def _remark_lengths(perf: pd.DataFrame, limit: int) -> list[Finding]:
    column = PERFORMANCE.column("remark")
    return [
        finding("cell-too-long", sheet=PERFORMANCE.name, sheet_en=PERFORMANCE.name_en, cell=f"{column.letter}{row}",
                field_th=column.th, field_en=column.en, value=len(read_text(raw)), expected=limit)
        for row, raw in zip(perf["row"], perf["remark"]) if len(read_text(raw)) > limit
    ]
