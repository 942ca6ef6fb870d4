"""The monthly workbook's rules as pandera schemas: the rules' authority, run on a batch of
workbooks stacked in one frame (column `file`), each failure named as a finding on its cell.
Loaded only for a batch that does not plainly pass (validators.monthly_rules)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from eop.findings import Finding
from eop.layout import BUDGET, PERFORMANCE
from validators.frames import Rule, amount, failures_by_group
from validators.monthly_rules import BUDGET_ROUNDING, OVER_TARGET


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
        return df["spent_prev"] + df["spending"].fillna(0) <= df["budget"] + BUDGET_ROUNDING

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


def rule_findings(
    performance: list[dict[str, list]], budget: list[dict[str, list]]
) -> dict[object, list[Finding]]:
    """Each workbook's rule findings (by its place in the batch), in row order: errors, then
    warnings, as checking it alone gives."""
    perf = _stacked(performance, ("target", "cum_prev"))
    perf["whole"] = perf["whole"].astype(bool)
    perf["quantity"] = perf["quantity"].astype("float64")
    perf["outlier_above"] = perf["outlier_above"].astype("float64")
    money = _stacked(budget, ("budget", "spent_prev"))
    money["spending"] = money["spending"].astype("float64")
    groups = [
        failures_by_group(PerformanceRules, perf, PERFORMANCE, PERFORMANCE_RULES, "file"),
        failures_by_group(BudgetRules, money, BUDGET, BUDGET_RULES, "file"),
        failures_by_group(PerformanceWarnings, perf, PERFORMANCE, PERFORMANCE_RULES, "file"),
    ]
    files = {file for group in groups for file in group}
    return {file: [f for group in groups for f in group.get(file, [])] for file in files}


def _stacked(parts: list[dict[str, list]], numbers: tuple[str, ...]) -> pd.DataFrame:
    """One frame from per-workbook column lists; `numbers` read as numbers, blank or text as 0."""
    columns = {name: [v for part in parts for v in part[name]] for name in parts[0]}
    frame = pd.DataFrame(columns)
    for name in numbers:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").fillna(0.0).astype("float64")
    return frame
