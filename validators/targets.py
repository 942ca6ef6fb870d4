"""The province targets (workbook or CSV): a number ≥ 0 for every activity's quantity and budget."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from eop.findings import Finding
from eop.layout import TARGETS, SheetLayout
from validators.catalogue import at, finding
from validators.frames import amount, parse_numbers

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class TargetsCheck:
    findings: list[Finding] = field(default_factory=list)
    targets: dict[str, tuple[float, float]] = field(
        default_factory=dict
    )  # activity → (quantity, budget)


def check_targets(
    frame: pd.DataFrame, *, whole: dict[str, bool], layout: SheetLayout = TARGETS
) -> TargetsCheck:
    import pandas as pd

    result = TargetsCheck()
    parsed = {}
    for measure in ("quantity", "budget"):
        parsed[measure], found = parse_numbers(frame, layout, measure)
        result.findings += found
    for index, code in zip(frame.index, frame["code"]):
        row = int(frame.loc[index, "row"])
        for measure in ("quantity", "budget"):
            value, where = parsed[measure][index], at(layout, measure, row)
            if (
                pd.isna(value)
                and pd.isna(frame.loc[index, measure])
                or frame.loc[index, measure] in ("", None)
            ):
                result.findings.append(finding("target-missing", **where))
            elif value < 0:
                result.findings.append(finding("negative", value=amount(value), **where))
            elif measure == "quantity" and whole.get(str(code)) and value % 1:
                result.findings.append(
                    finding(
                        "not-whole", value=amount(value), expected=frame.loc[index, "unit"], **where
                    )
                )
        result.targets[str(code)] = (
            float(parsed["quantity"][index] if not pd.isna(parsed["quantity"][index]) else 0),
            float(parsed["budget"][index] if not pd.isna(parsed["budget"][index]) else 0),
        )
    return result
