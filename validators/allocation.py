"""The allocation workbook (EOP016): every share a number, and the shares sum to the target."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from eop.findings import Finding
from eop.layout import SheetLayout
from validators.catalogue import at, finding
from validators.frames import amount, parse_numbers

if TYPE_CHECKING:
    import pandas as pd

TOLERANCE = {"quantity": 1e-6, "budget": 0.005}  # "exactly", up to floating point (and satang)


@dataclass
class AllocationCheck:
    findings: list[Finding] = field(default_factory=list)
    shares: dict[tuple[str, str], dict[str, float]] = field(
        default_factory=dict
    )  # (office, activity) → {quantity, budget}


def check_allocation(
    frames: dict[str, pd.DataFrame], layouts: dict[str, SheetLayout], *, whole: dict[str, bool]
) -> AllocationCheck:
    """`frames[measure]`: raw cells by layout field (the office codes for the shares) plus `row`."""
    import pandas as pd

    result = AllocationCheck()
    for measure, frame in frames.items():
        layout = layouts[measure]
        numbers = {}
        for office in layout.inputs:
            numbers[office], found = parse_numbers(frame, layout, office)
            result.findings += found
            result.findings += _negative_or_fractional(
                frame, layout, office, numbers[office], whole if measure == "quantity" else {}
            )
        shares = pd.DataFrame(numbers).fillna(0.0)
        target = pd.to_numeric(frame["province_target"], errors="coerce").fillna(0.0)
        total = shares.sum(axis=1)
        column = layout.column("allocated")
        for index in frame.index[(total - target).abs() > TOLERANCE[measure]]:
            result.findings.append(
                finding(
                    "allocation-sum",
                    sheet=layout.name,
                    sheet_en=layout.name_en,
                    cell=f"{column.letter}{frame.loc[index, 'row']}",
                    field_th=f"{column.th} {frame.loc[index, 'code']}",
                    field_en=f"{column.en} {frame.loc[index, 'code']}",
                    value=amount(total[index]),
                    expected=amount(target[index]),
                )
            )
        for index, code in zip(frame.index, frame["code"]):
            for office in layout.inputs:
                result.shares.setdefault((office, str(code)), {})[measure] = float(
                    shares.loc[index, office]
                )
    return result


def _negative_or_fractional(
    frame, layout: SheetLayout, office: str, numbers: pd.Series, whole: dict[str, bool]
) -> list[Finding]:
    found = []
    for index, value in numbers.items():
        code = str(frame.loc[index, "code"])
        problem = (
            "negative" if value < 0 else "not-whole" if whole.get(code) and value % 1 else None
        )
        if problem:
            found.append(
                finding(
                    problem,
                    value=amount(value),
                    expected=frame.loc[index, "unit"],
                    **at(layout, office, int(frame.loc[index, "row"])),
                )
            )
    return found
