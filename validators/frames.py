"""Shared steps: typed numbers from raw cells, pandera failures turned into findings.
pandas and pandera are loaded by the steps that use them: a clean monthly batch needs
neither (validators.monthly_rules)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from eop.findings import Finding
from eop.formats import number
from eop.layout import SheetLayout
from validators.catalogue import at, finding
from validators.values import read_number, shown

if TYPE_CHECKING:
    import pandas as pd
    import pandera.pandas as pa


def parse_numbers(
    frame: pd.DataFrame, layout: SheetLayout, field: str
) -> tuple[pd.Series, list[Finding]]:
    """The field's raw cells as floats (NaN when blank or unreadable), with what was wrong."""
    import pandas as pd

    numbers, found = read_numbers(frame, layout, field)
    return pd.Series(numbers, index=frame.index, dtype="float64"), found


def read_numbers(
    columns: pd.DataFrame | Mapping[str, Sequence[object]], layout: SheetLayout, field: str
) -> tuple[list[float], list[Finding]]:
    """parse_numbers on plain columns: a list of floats."""
    numbers, found = [], []
    for row, raw in zip(columns["row"], columns[field]):
        reading = read_number(raw)
        numbers.append(reading.number if reading.number is not None else float("nan"))
        if reading.problem:
            found.append(finding(reading.problem, value=shown(raw), **at(layout, field, row)))
    return numbers, found


@dataclass(frozen=True)
class Rule:
    """How a failed pandera check becomes a finding: its code, the cell's field, the value
    and the expectation to show."""

    code: str
    field: str
    value: Callable[[pd.Series], object]
    expected: Callable[[pd.Series], object] = lambda r: None


def failures_by_group(
    schema: type[pa.DataFrameModel],
    frame: pd.DataFrame,
    layout: SheetLayout,
    rules: dict[str, Rule],
    group: str | None = None,
) -> dict[object, list[Finding]]:
    """Validate a frame holding the rows of many workbooks at once (column `group` names each
    row's workbook): one pandera run for the lot, findings handed back per workbook, each
    workbook's in row order."""
    import pandas as pd
    import pandera.pandas as pa

    try:
        schema.validate(frame, lazy=True)
        return {}
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    found: dict[tuple[int, str], Finding] = {}
    for check, index in zip(cases["check"], cases["index"]):
        rule = rules.get(str(check))
        if rule is None or index is None or pd.isna(index) or (index, rule.code) in found:
            continue
        record = frame.loc[index]
        found[(index, rule.code)] = finding(
            rule.code,
            value=rule.value(record),
            expected=rule.expected(record),
            **at(layout, rule.field, int(record["row"])),
        )
    grouped: dict[object, list[Finding]] = {}
    for key in sorted(found, key=lambda k: (frame.loc[k[0], "row"], k[1])):
        grouped.setdefault(frame.loc[key[0], group] if group else None, []).append(found[key])
    return grouped


def amount(value: float) -> str:
    """1234.5 → "1,234.5"; whole numbers without decimals; blank (None or NaN) as nothing."""
    return "" if value is None or value != value else number(value)


def load_checks() -> None:
    """pandera's built-in checks loaded now (a service warming up): pandera loads them, and
    what they import, at its first validation."""
    import pandera.backends.pandas.builtin_checks  # noqa: F401
