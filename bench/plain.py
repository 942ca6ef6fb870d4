"""The plain approach, as a careful analyst would write it with the usual tools: for each
workbook `pandas.read_excel(engine="openpyxl")` of its sheets, the numbers cleaned the way
offices type them (Thai digits, thousands separators, spaces), a pandera schema per sheet
validated lazily, then `pd.concat` of the valid frames and a `groupby` to provinces.

It is deliberately reasonable, not a straw man: one `read_excel` call reads the three
sheets it needs (openpyxl opens the file once), and its schema checks the same value rules
that the benchmark's mistakes break (not a number, negative, spending over the budget).
It checks nothing else: no template version, office, period, pre-filled values or rows,
no findings per cell, no ledger, no answers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

PERFORMANCE_SHEET = "ผลการปฏิบัติงาน"
BUDGET_SHEET = "ผลการใช้จ่ายงบประมาณ"
META_SHEET = "_meta"
FIRST_DATA_ROW = 9  # rows 7–8 are the Thai and English headers
PERFORMANCE_COLUMNS = [
    "no",
    "code",
    "name",
    "unit",
    "target",
    "cum_prev",
    "quantity",
    "cumulative",
    "percent",
    "remark",
]
BUDGET_COLUMNS = [
    "no",
    "code",
    "name",
    "budget",
    "spent_prev",
    "spending",
    "spent",
    "percent",
    "balance",
]
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


class Performance(pa.DataFrameModel):
    code: Series[str]
    target: Series[float] = pa.Field(ge=0, coerce=True)
    cum_prev: Series[float] = pa.Field(ge=0, coerce=True)
    quantity: Series[float] = pa.Field(ge=0, nullable=True, coerce=True)


class Budget(pa.DataFrameModel):
    code: Series[str]
    budget: Series[float] = pa.Field(ge=0, coerce=True)
    spent_prev: Series[float] = pa.Field(ge=0, coerce=True)
    spending: Series[float] = pa.Field(ge=0, nullable=True, coerce=True)

    @pa.dataframe_check(error="spending to date over the allocated budget")
    def within_budget(cls, df: pd.DataFrame) -> pd.Series:
        return df["spent_prev"] + df["spending"].fillna(0) <= df["budget"] + 0.005


def clean(value: object) -> object:
    """How people type numbers: Thai digits, `1,234`, spaces; left as text when it isn't one
    (pandera's coercion then reports it)."""
    if isinstance(value, str):
        text = "".join(value.translate(THAI_DIGITS).replace(",", "").split())
        return float("nan") if text == "" else text
    return value


def data_rows(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    frame = frame.iloc[:, : len(columns)].copy()
    frame.columns = columns[: frame.shape[1]]
    blank = frame["code"].isna()
    end = (
        int(blank.to_numpy().argmax()) if blank.any() else len(frame)
    )  # the rows end at the first blank code
    return frame.iloc[:end]


@dataclass
class PlainResult:
    seconds: list[float] = field(default_factory=list)  # per workbook: read + validate
    invalid: dict[str, int] = field(default_factory=dict)  # office → failure cases
    provinces: pd.DataFrame | None = None  # province × activity: quantity, spending
    wall: float = 0.0


def plain_round(files: list[tuple[str, Path]], engine: str = "openpyxl") -> PlainResult:
    """files: (office, path). Reads (with pandas' `engine`), validates, consolidates; returns
    timings and findings."""
    result = PlainResult()
    started = time.perf_counter()
    performance, budget = [], []
    for office, path in files:
        begun = time.perf_counter()
        sheets = pd.read_excel(
            path,
            sheet_name=[PERFORMANCE_SHEET, BUDGET_SHEET, META_SHEET],
            header=None,
            skiprows=0,
            engine=engine,
            dtype=object,
        )
        meta = dict(zip(sheets[META_SHEET][0], sheets[META_SHEET][1]))
        perf = data_rows(sheets[PERFORMANCE_SHEET].iloc[FIRST_DATA_ROW - 1 :], PERFORMANCE_COLUMNS)
        money = data_rows(sheets[BUDGET_SHEET].iloc[FIRST_DATA_ROW - 1 :], BUDGET_COLUMNS)
        for frame, numbers in (
            (perf, ("target", "cum_prev", "quantity")),
            (money, ("budget", "spent_prev", "spending")),
        ):
            for column in numbers:
                frame[column] = frame[column].map(clean)
            frame["code"] = frame["code"].astype(str)
        failures = 0
        try:
            perf = Performance.validate(perf, lazy=True)
        except pa.errors.SchemaErrors as exc:
            failures += len(exc.failure_cases)
        try:
            money = Budget.validate(money, lazy=True)
        except pa.errors.SchemaErrors as exc:
            failures += len(exc.failure_cases)
        if failures:
            result.invalid[office] = failures
        else:
            office_code = str(meta.get("office", office))
            performance.append(
                perf[["code", "quantity"]].assign(office=office_code, province=office_code[:2])
            )
            budget.append(
                money[["code", "spending"]].assign(office=office_code, province=office_code[:2])
            )
        result.seconds.append(time.perf_counter() - begun)
    if performance:
        done = pd.concat(performance, ignore_index=True).fillna({"quantity": 0.0})
        spent = pd.concat(budget, ignore_index=True).fillna({"spending": 0.0})
        result.provinces = (
            done.groupby(["province", "code"])["quantity"]
            .sum()
            .to_frame()
            .join(spent.groupby(["province", "code"])["spending"].sum())
        )
    result.wall = time.perf_counter() - started
    return result


def main(argv: list[str] | None = None) -> int:
    """The plain script as a whole process (bench.sizes): `<files.json> <engine>`, the JSON a
    list of [office, path]; prints how many workbooks, how many invalid, the seconds."""
    import json
    import sys

    listing, engine = (sys.argv[1:] if argv is None else argv)[:2]
    files = [(office, Path(path)) for office, path in json.loads(Path(listing).read_text("utf-8"))]
    result = plain_round(files, engine)
    print(f"{len(files)} workbooks, {len(result.invalid)} invalid, {result.wall:.2f}s ({engine})")
    return 0
