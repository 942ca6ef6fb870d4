"""Judging the workflow's workbooks: a section's `review` and the province's `confirm`, in
the order of DESIGN §6 (ours → kind/version → office → the prelude of intake.verdict: period,
issued workbook, lock and window → structure → values)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import Connection

from eop.calendar import MonthCalendar
from eop.findings import Finding
from eop.layout import (
    CONFIRM_BUDGET_CELL,
    CONFIRM_INCOMPLETE_CELL,
    CONFIRM_OFFICES,
    CONFIRM_PERFORMANCE,
    CONFIRM_PERFORMANCE_CELL,
    CONFIRMER_CELL,
    REVIEW_DECISIONS,
    REVIEWER_CELL,
    SheetLayout,
)
from eop.states import CONFIRMED, REVIEWABLE, state_label
from intake.located import located
from intake.read import RawWorkbook, cell_value, codes_below, sheet_frame
from intake.verdict import Context, Verdict, prelude
from ledger import records, submissions
from ledger.submissions import Confirm, Review
from validators.catalogue import at, finding
from validators.confirm import check_confirm
from validators.review import Decision, check_review
from validators.structure import check_rows


def _structure(
    raw: RawWorkbook, layout: SheetLayout, expected: list[list], fields: tuple[str, ...]
):
    """The sheet's frame (exactly the issued rows) and what is wrong with its rows."""
    if layout.name not in raw.sheets:
        return None, [finding("sheet-missing", value=layout.name)]
    frame = sheet_frame(raw.rows(layout.name), layout, count=len(expected))
    found = check_rows(frame, layout, expected, fields)
    found += [
        finding("rows-added", value=value, **at(layout, "code", row))
        for row, value in codes_below(
            raw.rows(layout.name), layout, layout.first_row + len(expected) - 1
        )
    ]
    return frame, found


# -- review --------------------------------------------------------------------------
def judge_review(raw: RawWorkbook, ctx: Context) -> Verdict:
    opened = prelude(ctx, raw, "review", due=_review_due)
    if isinstance(opened, Verdict):
        return opened
    verdict, issued = opened.verdict, opened.snapshot["prefilled"]
    fields = ("code", "name", "version", "state", "warnings")
    frame, structure = _structure(raw, REVIEW_DECISIONS, issued["districts"], fields)
    if structure:
        return verdict.rejected(*located(structure, raw.sheet_names, {}))
    check = check_review(
        frame,
        reviewable=issued["reviewable"],
        max_cell_chars=ctx.config.limits.max_cell_chars,
        reviewer=cell_value(raw.rows(REVIEW_DECISIONS.name), REVIEWER_CELL),
    )
    applicable, skipped = _applicable(ctx.conn, check.decisions, opened.period)
    payload = Review(ctx.office, opened.period, check.reviewer, verdict.late, tuple(applicable))
    found = located((*check.findings, *skipped), raw.sheet_names, {})
    return replace(verdict.adding(found), payload=payload)


def _review_due(ctx: Context, month: MonthCalendar) -> date | None:
    """A section's review is late once the review window has closed."""
    return month.review.last if ctx.now >= month.review.closes else None


def _applicable(
    conn: Connection, decisions: list[Decision], period: str
) -> tuple[list[submissions.Decision], list[Finding]]:
    """Decisions on the version each district still has; the others are named and left out."""
    applicable, skipped = [], []
    for decision in decisions:
        latest = records.latest_submission(conn, decision.office, "monthly", period)
        where = {
            "sheet": REVIEW_DECISIONS.name,
            "sheet_en": REVIEW_DECISIONS.name_en,
            "cell": f"G{decision.row}",
            "field_th": "ผลการพิจารณา",
            "field_en": "Decision",
        }
        if latest is None or latest.state not in (*REVIEWABLE, CONFIRMED):
            skipped.append(finding("review-nothing", value=decision.office, **where))
        elif latest.version != decision.version:
            skipped.append(
                finding("review-stale", value=decision.office, expected=latest.version, **where)
            )
        elif latest.state == CONFIRMED:
            skipped.append(finding("review-confirmed", value=decision.office, **where))
        else:
            applicable.append(
                submissions.Decision(
                    decision.office, decision.decision, decision.comment, latest.id
                )
            )
    return applicable, skipped


# -- confirm (EOP018 + EOP019) -----------------------------------------------------------
CONFIRM_FIELDS = (
    (
        CONFIRM_PERFORMANCE,
        "performance",
        ("code", "name", "unit", "target", "quantity", "cumulative"),
    ),
    (CONFIRM_OFFICES, "offices", ("code", "name", "version", "state")),
)
CONFIRM_CELLS = (
    CONFIRM_PERFORMANCE_CELL,
    CONFIRM_BUDGET_CELL,
    CONFIRM_INCOMPLETE_CELL,
    CONFIRMER_CELL,
)


def judge_confirm(raw: RawWorkbook, ctx: Context) -> Verdict:
    opened = prelude(ctx, raw, "confirm")
    if isinstance(opened, Verdict):
        return opened
    verdict, issued = opened.verdict, opened.snapshot["prefilled"]
    changed = _states_changed(ctx.conn, issued, opened.period)
    if changed:
        return verdict.rejected(finding("state-changed", value=", ".join(changed)), fresh=True)
    activities = {}
    if CONFIRM_PERFORMANCE.name in raw.sheets:
        activities[CONFIRM_PERFORMANCE.name] = (
            CONFIRM_PERFORMANCE,
            raw.rows(CONFIRM_PERFORMANCE.name),
        )
    structure = [
        f
        for layout, key, fields in CONFIRM_FIELDS
        for f in _structure(raw, layout, issued[key], fields)[1]
    ]
    if structure:
        return verdict.rejected(*located(structure, raw.sheet_names, activities))
    rows = raw.rows(CONFIRM_PERFORMANCE.name)
    check = check_confirm(
        {cell: cell_value(rows, cell) for cell in CONFIRM_CELLS}, incomplete=issued["incomplete"]
    )
    payload = Confirm(
        ctx.office,
        opened.period,
        check.confirmed,
        check.name,
        tuple(check.incomplete),
        tuple(_ready(issued)),
    )
    found = located(check.findings, raw.sheet_names, activities)
    return replace(verdict.adding(found), payload=payload)


def _ready(issued: dict) -> list[str]:
    return [row[0] for row in issued["offices"] if row[0] not in issued["incomplete"] and row[2]]


def _states_changed(conn: Connection, issued: dict, period: str) -> list[str]:
    """Offices whose version or state moved since the workbook was issued."""
    changed = []
    for code, _, version, state, *_ in issued["offices"]:
        latest = records.latest_submission(conn, code, "monthly", period)
        now_version, now_state = (
            (latest.version, state_label(latest.state)) if latest else (0, state_label("missing"))
        )
        if (now_version, now_state) != (version, state):
            changed.append(code)
    return changed
