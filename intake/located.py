"""Findings as an officer reads them (DESIGN §6): in the workbook's order — sheet, then row,
then column — each on a data row naming its activity ("A102 ฉีดวัคซีน…"), and the value
seen exactly as the office typed it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from eop.findings import Finding
from eop.layout import SheetLayout
from intake.read import cell_value
from validators.catalogue import naming_activity
from validators.values import read_text, shown

SHORT_NAME = 40  # characters of an activity's name kept in a finding
_CELL = re.compile(r"([A-Z]+)(\d+)$")

Sheets = Mapping[str, tuple[SheetLayout, list[list[object]]]]  # sheet → (layout, its cells)


def located(
    findings: Iterable[Finding], order: Sequence[str], activities: Sheets
) -> tuple[Finding, ...]:
    """`order`: the workbook's sheet names; `activities`: the sheets whose rows are activities."""
    return in_workbook_order([_as_typed(f, activities) for f in findings], order)


def in_workbook_order(findings: Iterable[Finding], order: Sequence[str]) -> tuple[Finding, ...]:
    """Findings of the whole file first (as found), then by sheet, row and column."""
    rank = {sheet: i for i, sheet in enumerate(order)}

    def key(found: Finding) -> tuple[int, int, int, int, str]:
        if not found.sheet:
            return (0, 0, 0, 0, "")
        cell = _CELL.match(found.cell or "")
        row, letters = (int(cell.group(2)), cell.group(1)) if cell else (0, "")
        return (1, rank.get(found.sheet, len(rank)), row, len(letters), letters)

    return tuple(sorted(findings, key=key))


def _as_typed(found: Finding, activities: Sheets) -> Finding:
    if not found.sheet or not found.cell or found.sheet not in activities:
        return found
    layout, rows = activities[found.sheet]
    if found.value is not None:  # the value the validator saw, exactly as typed
        found = replace(found, value=shown(cell_value(rows, found.cell)) or found.value)
    cell = _CELL.match(found.cell or "")
    if cell is None or int(cell.group(2)) < layout.first_row:
        return found
    row = int(cell.group(2))
    code = read_text(cell_value(rows, layout.cell("code", row)))
    name = read_text(cell_value(rows, layout.cell("name", row)))
    if not code:
        return found
    short = name if len(name) <= SHORT_NAME else name[: SHORT_NAME - 1] + "…"
    return naming_activity(found, f"{code} {short}".strip())
