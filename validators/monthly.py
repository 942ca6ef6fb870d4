"""The monthly workbook (EOP014 performance + EOP015 budget): values and rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple, TypeAlias

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
from validators.frames import read_numbers
from validators.monthly_rules import outlier_threshold, plainly_within_rules
from validators.values import read_text, shown

if TYPE_CHECKING:
    import pandas as pd


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


Columns: TypeAlias = "pd.DataFrame | Mapping[str, Sequence[object]]"


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
    rules = _rule_findings([c.performance for c in columns], [c.budget for c in columns])
    return [
        _check_one(item, mine, rules.get(i, []))
        for i, (item, mine) in enumerate(zip(inputs, columns))
    ]


def _rule_findings(
    performance: list[dict[str, list]], budget: list[dict[str, list]]
) -> dict[object, list[Finding]]:
    """The rules' findings by workbook: none for a batch that plainly passes (most of them),
    else pandera's (loaded now, the first time a rule fails in this process)."""
    if plainly_within_rules(performance, budget):
        return {}
    from validators.monthly_schemas import rule_findings

    return rule_findings(performance, budget)


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
