"""Judging the workflow's workbooks: a section's `review` and the province's `confirm`,
in the order of DESIGN §6 (ours → kind/version → office → period and window → structure →
values), and the lock shared by every kind: a locked period takes a file only while a
correction is open, and then exactly one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from eop.calendar import MonthCalendar
from eop.config import Config
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
from eop.periods import BadPeriod, Period
from eop.states import CONFIRMED, REVIEWABLE
from eop.thai import date_en, date_th
from intake.read import RawWorkbook, cell_value, codes_below, sheet_frame
from ledger import records, workflow
from validators.catalogue import finding
from validators.confirm import check_confirm
from validators.review import Decision, check_review
from validators.structure import check_rows


def month_of(config: Config, raw: RawWorkbook, judgement) -> MonthCalendar | None:
    try:
        period = Period.parse(raw.meta["period"])
    except (BadPeriod, KeyError):
        judgement.findings = [finding("bad-period", value=raw.meta.get("period", ""))]
        return None
    judgement.period = str(period)
    return MonthCalendar(period, config.calendar.rules)


def locked(
    conn: Connection, office: str, month: MonthCalendar, now: datetime, judgement
) -> list[Finding]:
    """After the lock: rejected with the correction procedure, unless a correction is open."""
    if not month.is_locked(now):
        return []
    period = str(month.period)
    opened = workflow.open_correction_for(conn, office, period)
    if opened is None:
        last = month.strategy.last
        return [
            finding("period-locked", value=period, expected=f"{date_th(last)} / {date_en(last)}")
        ]
    judgement.correction_id = opened.id
    memo = f"{opened.memo_number} ({opened.memo_date}, {opened.approved_by})"
    judgement.findings.append(finding("correction-applied", value=period, expected=memo))
    return []


def late(config: Config, last_day, judgement, period: str) -> list[Finding]:
    """Outside its window but before the lock: flagged late, or rejected, by the config's policy."""
    due = f"{date_th(last_day)} / {date_en(last_day)}"
    if config.calendar.late_policy == "reject":
        return [finding("late-rejected", value=period, expected=due)]
    judgement.late = True
    judgement.findings.append(finding("late", value=period, expected=due))
    return []


def _snapshot(
    conn: Connection, raw: RawWorkbook, kind: str, office: str, period: str
) -> dict | None:
    snapshot = records.issued_snapshot(conn, raw.meta.get("digest", ""))
    if snapshot and (snapshot["kind"], snapshot["office"], snapshot["period"]) == (
        kind,
        office,
        period,
    ):
        return snapshot
    return None


def _structure(
    raw: RawWorkbook, layout: SheetLayout, expected: list[list], fields: tuple[str, ...]
):
    """The sheet's frame (exactly the issued rows) and what is wrong with its rows."""
    if layout.name not in raw.sheets:
        return None, [finding("sheet-missing", value=layout.name)]
    frame = sheet_frame(raw.rows(layout.name), layout, count=len(expected))
    found = check_rows(frame, layout, expected, fields)
    code = layout.column("code")
    found += [
        finding(
            "rows-added",
            sheet=layout.name,
            sheet_en=layout.name_en,
            cell=f"{code.letter}{row}",
            field_th=code.th,
            field_en=code.en,
            value=value,
        )
        for row, value in codes_below(
            raw.rows(layout.name), layout, layout.first_row + len(expected) - 1
        )
    ]
    return frame, found


# -- review --------------------------------------------------------------------------
def judge_review(
    conn: Connection, config: Config, raw: RawWorkbook, office: str, now: datetime, judgement
) -> None:
    month = month_of(config, raw, judgement)
    if month is None:
        return
    period = str(month.period)
    snapshot = _snapshot(conn, raw, "review", office, period)
    if snapshot is None:
        judgement.findings = [finding("unknown-issue", value=raw.meta.get("digest", "?"))]
        return
    window = locked(conn, office, month, now, judgement)
    if not window and not judgement.correction_id and now >= month.review.closes:
        window = late(config, month.review.last, judgement, period)
    if window:
        judgement.findings = window
        return
    issued = snapshot["prefilled"]
    frame, structure = _structure(
        raw, REVIEW_DECISIONS, issued["districts"], ("code", "name", "version", "state", "warnings")
    )
    if structure:
        judgement.findings = structure
        return
    check = check_review(
        frame,
        reviewable=issued["reviewable"],
        max_cell_chars=config.limits.max_cell_chars,
        reviewer=cell_value(raw.rows(REVIEW_DECISIONS.name), REVIEWER_CELL),
    )
    judgement.findings += check.findings
    applicable = _applicable(conn, check.decisions, period, judgement)

    def store(conn: Connection, file_id: int, at: datetime) -> int:
        added = records.add_submission(
            conn,
            office=office,
            kind="review",
            period=period,
            file_id=file_id,
            state="submitted",
            reporter=check.reviewer,
            late=judgement.late,
            at=at,
        )
        actor = f"{office} ({check.reviewer})" if check.reviewer else office
        workflow.record_version(conn, added, at=at, actor=actor)
        for decision, submission_id in applicable:
            workflow.add_review(
                conn,
                section=office,
                office=decision.office,
                period=period,
                submission_id=submission_id,
                decision=decision.decision,
                comment=decision.comment,
                reviewer=check.reviewer,
                file_id=file_id,
                late=judgement.late,
                at=at,
            )
            workflow.refresh_state(
                conn, decision.office, period, at=at, actor=actor, section=office
            )
        return added.id

    judgement.store = store


def _applicable(
    conn: Connection, decisions: list[Decision], period: str, judgement
) -> list[tuple[Decision, int]]:
    """Decisions on the version each district still has; the others are named and left out."""
    applicable = []
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
            judgement.findings.append(finding("review-nothing", value=decision.office, **where))
        elif latest.version != decision.version:
            judgement.findings.append(
                finding("review-stale", value=decision.office, expected=latest.version, **where)
            )
        elif latest.state == CONFIRMED:
            judgement.findings.append(finding("review-confirmed", value=decision.office, **where))
        else:
            applicable.append((decision, latest.id))
    return applicable


# -- confirm (EOP018 + EOP019) -----------------------------------------------------------
def judge_confirm(
    conn: Connection, config: Config, raw: RawWorkbook, office: str, now: datetime, judgement
) -> None:
    month = month_of(config, raw, judgement)
    if month is None:
        return
    period = str(month.period)
    snapshot = _snapshot(conn, raw, "confirm", office, period)
    if snapshot is None:
        judgement.findings = [finding("unknown-issue", value=raw.meta.get("digest", "?"))]
        return
    window = locked(conn, office, month, now, judgement)
    if window:
        judgement.findings = window
        return
    issued = snapshot["prefilled"]
    changed = _states_changed(conn, issued, period)
    if changed:
        judgement.findings, judgement.fresh = (
            [finding("state-changed", value=", ".join(changed))],
            True,
        )
        return
    structure = []
    for layout, rows, fields in (
        (
            CONFIRM_PERFORMANCE,
            issued["performance"],
            ("code", "name", "unit", "target", "quantity", "cumulative"),
        ),
        (CONFIRM_OFFICES, issued["offices"], ("code", "name", "version", "state")),
    ):
        structure += _structure(raw, layout, rows, fields)[1]
    if structure:
        judgement.findings = structure
        return
    rows = raw.rows(CONFIRM_PERFORMANCE.name)
    cells = {
        cell: cell_value(rows, cell)
        for cell in (
            CONFIRM_PERFORMANCE_CELL,
            CONFIRM_BUDGET_CELL,
            CONFIRM_INCOMPLETE_CELL,
            CONFIRMER_CELL,
        )
    }
    check = check_confirm(cells, incomplete=issued["incomplete"])
    judgement.findings += check.findings

    def store(conn: Connection, file_id: int, at: datetime) -> int:
        added = records.add_submission(
            conn,
            office=office,
            kind="confirm",
            period=period,
            file_id=file_id,
            state=CONFIRMED if check.confirmed else "recorded",
            reporter=check.name,
            late=False,
            at=at,
        )
        actor = f"{office} ({check.name})" if check.name else office
        workflow.record_version(conn, added, at=at, actor=actor)
        if check.confirmed:
            for code in _ready(issued):
                workflow.confirm(
                    conn, code, period, at=at, actor=actor, incomplete=check.incomplete
                )
        return added.id

    judgement.store = store


def _ready(issued: dict) -> list[str]:
    return [row[0] for row in issued["offices"] if row[0] not in issued["incomplete"] and row[2]]


def _states_changed(conn: Connection, issued: dict, period: str) -> list[str]:
    """Offices whose version or state moved since the workbook was issued."""
    from eop.states import state_label

    changed = []
    for code, _, version, state, *_ in issued["offices"]:
        latest = records.latest_submission(conn, code, "monthly", period)
        now_version, now_state = (
            (latest.version, state_label(latest.state)) if latest else (0, state_label("missing"))
        )
        if (now_version, now_state) != (version, state):
            changed.append(code)
    return changed
