"""Judging the monthly workbook (EOP014 performance + EOP015 budget): the prelude, the
targets it was issued with, its rows and pre-filled values; then its values and rules, run
for a batch of workbooks at once (`complete`)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace

from eop.calendar import MonthCalendar
from eop.findings import Finding
from eop.layout import BUDGET, CONFIRM_CELL, PERFORMANCE, REPORTER_CELL
from intake.located import Sheets, located
from intake.read import Columns, RawWorkbook, cell_value, data_columns
from intake.verdict import Context, Pending, Verdict, prelude
from ledger import records, reference, views
from ledger.submissions import Monthly
from validators.catalogue import finding
from validators.monthly import MonthlyCheck, MonthlyInput, check_monthly_batch
from validators.structure import check_rows
from validators.values import same_value

FIELDS = {
    PERFORMANCE.name: ("performance", ("code", "name", "unit", "target", "cum_prev")),
    BUDGET.name: ("budget", ("code", "name", "budget", "spent_prev")),
}


def judge_monthly(raw: RawWorkbook, ctx: Context) -> Verdict:
    opened = prelude(ctx, raw, "monthly", due=_entry_due)
    if isinstance(opened, Verdict):
        return opened
    verdict, issued, month = opened.verdict, opened.snapshot["prefilled"], opened.month
    assert month is not None  # a monthly workbook's period is a month
    period = month.period
    done = views.months_done(ctx.conn, ctx.office, period)
    plan = {line.code: line for line in views.office_month_plan(ctx.conn, ctx.office, period, done)}
    if _targets_moved(issued, plan):
        return verdict.rejected(finding("target-changed"), fresh=True)
    (performance, budget), structure = _frames(raw, issued)
    if structure:
        return verdict.rejected(
            *located(structure, raw.sheet_names, _activities(raw.rows, raw.sheets))
        )
    rows = raw.rows(PERFORMANCE.name)
    checking = MonthlyInput(
        performance,
        budget,
        confirm=cell_value(rows, CONFIRM_CELL),
        reporter=cell_value(rows, REPORTER_CELL),
        whole={a.code: a.whole for a in reference.activity_rows(ctx.conn, period.fiscal_year)},
        history=views.office_history(ctx.conn, ctx.office, period, done),
        max_cell_chars=ctx.config.limits.max_cell_chars,
    )
    sheets = {name: raw.rows(name) for name in raw.sheet_names}
    return replace(verdict, pending=Pending(checking, sheets, ctx.office))


def complete(verdicts: list[Verdict]) -> list[Verdict]:
    """The verdicts with their pending value checks done (all in one batch), each with its
    findings in the workbook's order and a payload to store."""
    waiting = [v.pending.checking for v in verdicts if v.pending is not None]
    checks = iter(check_monthly_batch(waiting))
    return [_completed(v, next(checks)) if v.pending is not None else v for v in verdicts]


def _completed(verdict: Verdict, check: MonthlyCheck) -> Verdict:
    pending = verdict.pending
    assert pending is not None
    order = list(pending.sheets)
    activities = _activities(pending.sheets.__getitem__, pending.sheets)
    payload = Monthly(
        office=pending.office,
        period=verdict.period or "",
        confirmed=check.confirmed,
        reporter=check.reporter,
        late=verdict.late,
        rows=check.rows,
    )
    return replace(
        verdict,
        findings=located((*verdict.findings, *check.findings), order, activities),
        payload=payload,
        pending=None,
    )


def _activities(rows: Callable[[str], list[list[object]]], present: Collection[str]) -> Sheets:
    """The sheets whose rows are activities, with their cells: their findings name them."""
    return {
        layout.name: (layout, rows(layout.name))
        for layout in (PERFORMANCE, BUDGET)
        if layout.name in present
    }


def _entry_due(ctx: Context, month: MonthCalendar):
    """A district's month after its entry window is late, unless it answers a section's
    return; the province office records its own until the strategy group's window ends."""
    if ctx.config.office(ctx.office).level != "district" or not month.is_late_for_entry(ctx.now):
        return None
    latest = records.latest_submission(ctx.conn, ctx.office, "monthly", str(month.period))
    return None if latest is not None and latest.state == "returned" else month.entry.last


def _targets_moved(issued: dict, plan: dict[str, views.PlanLine]) -> bool:
    """A target or budget changed since the workbook was issued (a cumulative may: it is ours)."""
    targets = {row[0]: row[3] for row in issued["performance"]}
    budgets = {row[0]: row[2] for row in issued["budget"]}
    current = {code: (line.target, line.budget) for code, line in plan.items()}
    if set(targets) != set(current):
        return True
    return any(
        not same_value(targets[c], current[c][0]) or not same_value(budgets[c], current[c][1])
        for c in targets
    )


def _frames(raw: RawWorkbook, issued: dict) -> tuple[list[Columns | None], list[Finding]]:
    """Each data sheet's cells by field (None when the sheet is missing) and what is wrong
    with its rows."""
    found: list[Finding] = []
    frames: list[Columns | None] = []
    for layout in (PERFORMANCE, BUDGET):
        key, fields = FIELDS[layout.name]
        if layout.name not in raw.sheets:
            found.append(finding("sheet-missing", value=layout.name))
            frames.append(None)
            continue
        frame = data_columns(raw.rows(layout.name), layout)
        found += check_rows(frame, layout, issued[key], fields)
        frames.append(frame)
    return frames, found
