"""Judging the province's fiscal-year workbooks: the allocation of its targets to its
districts (EOP016) and its own targets. Both after the prelude (the current fiscal year, the
issued workbook), then the rows and pre-filled values, then the values."""

from __future__ import annotations

from dataclasses import replace

from eop.findings import Finding
from eop.layout import (
    ALLOCATION_HEADER_ROW,
    ALLOCATION_SHEETS,
    TARGETS,
    SheetLayout,
    allocation_layout,
)
from intake.located import located
from intake.read import RawWorkbook, cell_value, data_frame
from intake.verdict import Context, Verdict, prelude
from ledger import reference
from ledger.submissions import Allocation, Targets
from validators.allocation import check_allocation
from validators.catalogue import finding
from validators.structure import check_rows
from validators.targets import check_targets
from validators.values import read_text, same_value


def judge_allocation(raw: RawWorkbook, ctx: Context) -> Verdict:
    opened = prelude(ctx, raw, "allocation")
    if isinstance(opened, Verdict):
        return opened
    verdict, issued, year = opened.verdict, opened.snapshot["prefilled"], opened.year
    assert year is not None
    if _targets_moved(
        reference.targets_of(ctx.conn, year, "province", ctx.office), issued, ctx.office
    ):
        return verdict.rejected(finding("target-changed"), fresh=True)
    frames, layouts, found = {}, {}, []
    for measure, (sheet, _) in ALLOCATION_SHEETS.items():
        layouts[measure] = layout = allocation_layout(measure, issued["offices"])
        if sheet not in raw.sheets:
            found.append(finding("sheet-missing", value=sheet))
            continue
        frames[measure] = frame = data_frame(raw.rows(sheet), layout)
        found += check_rows(
            frame, layout, _expected(issued, measure), ("code", "name", "unit", "province_target")
        )
        found += _office_headers(raw.rows(sheet), layout)
    activities = {
        layout.name: (layout, raw.rows(layout.name))
        for layout in layouts.values()
        if layout.name in raw.sheets
    }
    if found:
        return verdict.rejected(*located(found, raw.sheet_names, activities))
    whole = {a.code: a.whole for a in reference.activity_rows(ctx.conn, year)}
    check = check_allocation(frames, layouts, whole=whole)
    shares = {
        key: (v.get("quantity", 0.0), v.get("budget", 0.0)) for key, v in check.shares.items()
    }
    return replace(
        verdict.adding(located(check.findings, raw.sheet_names, activities)),
        payload=Allocation(ctx.office, year, shares),
    )


def _targets_moved(province: dict, issued: dict, office: str) -> bool:
    """The province's targets changed since the workbook was issued."""
    return len(province) != len(issued["rows"]) or any(
        not same_value(q, province.get((office, c), (None, None))[0])
        or not same_value(b, province.get((office, c), (None, None))[1])
        for c, _, _, q, b in issued["rows"]
    )


def _expected(issued: dict, measure: str) -> list[list]:
    """The pre-filled cells of a measure's sheet: code, name, unit, the province's target."""
    value_index = 3 if measure == "quantity" else 4
    return [
        [r[0], r[1], r[2] if measure == "quantity" else "บาท", r[value_index]]
        for r in issued["rows"]
    ]


def _office_headers(rows: list[list[object]], layout: SheetLayout) -> list[Finding]:
    """The office codes above the share columns are pre-filled too: a moved column shows here."""
    header_row = ALLOCATION_HEADER_ROW + 1
    found = []
    for column in layout.columns[len(layout.columns) - len(layout.inputs) - 1 : -1]:
        seen = cell_value(rows, f"{column.letter}{header_row}")
        if read_text(seen) != column.field:
            found.append(
                finding(
                    "prefilled-changed",
                    sheet=layout.name,
                    sheet_en=layout.name_en,
                    cell=f"{column.letter}{header_row}",
                    field_th="รหัสหน่วยงาน",
                    field_en="office code",
                    value=read_text(seen),
                    expected=column.field,
                )
            )
    return found


def judge_targets(raw: RawWorkbook, ctx: Context) -> Verdict:
    opened = prelude(ctx, raw, "targets")
    if isinstance(opened, Verdict):
        return opened
    verdict, year = opened.verdict, opened.year
    assert year is not None
    if TARGETS.name not in raw.sheets:
        return verdict.rejected(finding("sheet-missing", value=TARGETS.name))
    frame = data_frame(raw.rows(TARGETS.name), TARGETS)
    activities = {TARGETS.name: (TARGETS, raw.rows(TARGETS.name))}
    found = check_rows(
        frame, TARGETS, opened.snapshot["prefilled"]["rows"], ("code", "name", "unit")
    )
    if found:
        return verdict.rejected(*located(found, raw.sheet_names, activities))
    whole = {a.code: a.whole for a in reference.activity_rows(ctx.conn, year)}
    check = check_targets(frame, whole=whole)
    return replace(
        verdict.adding(located(check.findings, raw.sheet_names, activities)),
        payload=Targets(ctx.office, year, dict(check.targets)),
    )
