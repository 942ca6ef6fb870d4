"""Questions the jobs and intake ask of the ledger, answered as plain data."""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from sqlalchemy import Connection, func, select

from eop.periods import Period, months_between
from eop.states import APPROVED, CONFIRMED, RETURNED
from ledger import workflow
from ledger.records import (
    findings_of,
    latest_by_office,
    monthly_results,
    received_since,
    rejected_attempts,
)
from ledger.reference import activity_rows, targets_of
from ledger.schema import events, files
from ledger.sections import is_district


class PlanLine(NamedTuple):  # a tuple: a national round builds 52,680 of them
    """One activity of one office's month: its targets and what was done before the month."""

    code: str
    name_th: str
    unit: str
    whole: bool
    target: float
    cum_prev: float
    budget: float
    spent_prev: float


def earlier_months(period: Period) -> list[Period]:
    first = Period(period.fiscal_year - 1, 10)
    return months_between(first, period.previous()) if period > first else []


def months_done(conn: Connection, office: str, period: Period) -> dict[str, dict]:
    """period → activity → result of the office's months before `period` in its fiscal year
    (read once, for office_month_plan and office_history both)."""
    return monthly_results(conn, office, [str(p) for p in earlier_months(period)])


def office_month_plan(
    conn: Connection, office: str, period: Period, done: dict[str, dict] | None = None
) -> list[PlanLine]:
    """The activities allocated to the office (all activities if none is yet), with its
    targets and its cumulative results up to the month before."""
    fiscal_year = period.fiscal_year
    allocated = targets_of(conn, fiscal_year, "allocated", office)
    done = months_done(conn, office, period) if done is None else done
    done_qty: dict[str, float] = defaultdict(float)
    spent: dict[str, float] = defaultdict(float)
    for month in done.values():
        for code, result in month.items():
            done_qty[code] += result.quantity
            spent[code] += result.spending
    lines = []
    for activity in activity_rows(conn, fiscal_year):
        quantity, budget = allocated.get((office, activity.code), (0.0, 0.0))
        if allocated and quantity == 0 and budget == 0:
            continue
        code = activity.code
        lines.append(
            PlanLine(
                code,
                activity.name_th,
                activity.unit,
                activity.whole,
                quantity,
                done_qty[code],
                budget,
                spent[code],
            )
        )
    return lines


def office_history(
    conn: Connection, office: str, period: Period, done: dict[str, dict] | None = None
) -> dict[str, list[float]]:
    """activity → the office's quantities in earlier months of the fiscal year (for outliers)."""
    done = months_done(conn, office, period) if done is None else done
    history: dict[str, list[float]] = {}
    for month in done.values():
        for code, result in month.items():
            history.setdefault(code, []).append(result.quantity)
    return history


def period_status(
    conn: Connection,
    offices: list[tuple[str, str]],
    kind: str,
    period: str,
    *,
    locked: bool | None = None,
) -> list[dict]:
    """Each office's state for a period: the stable shape of `eop status --json`.

    Past the lock (`locked`, or by default the period's `locked` event) an office that sent
    something shows `locked`; `approved_at` and `confirmed_at` still say how far it got.
    """
    latest = latest_by_office(conn, kind, period)
    rejected = rejected_attempts(conn, kind, period)
    is_locked = period_locked(conn, period) if locked is None else locked
    received = _received_at(conn, [row.file_id for row in latest.values()])
    rows = []
    for code, name in offices:
        row = latest.get(code)
        rows.append(
            {
                "office": code,
                "name": name,
                "kind": kind,
                "state": "locked" if row and is_locked else (row.state if row else "missing"),
                "version": row.version if row else 0,
                "late": bool(row.late) if row else False,
                "rejected_attempts": rejected.get(code, 0),
                "received_at": received[row.file_id].isoformat() if row else None,
                **workflow_status(conn, code, period, row),
            }
        )
    return rows


def _received_at(conn: Connection, file_ids: list[int]) -> dict:
    """file id → when it was received."""
    if not file_ids:
        return {}
    query = select(files.c.id, files.c.received_at).where(files.c.id.in_(file_ids))
    return dict(conn.execute(query).all())


def period_locked(conn: Connection, period: str) -> bool:
    query = (
        select(func.count())
        .select_from(events)
        .where((events.c.event == "locked") & (events.c.period == period))
    )
    return bool(conn.scalar(query))


def workflow_status(conn: Connection, office: str, period: str, row) -> dict:
    """The workflow's part of an office's status: sections' decisions, approval, confirmation, corrections."""
    district = row is not None and row.kind == "monthly" and is_district(conn, office)
    standing = workflow.verdicts(conn, row) if district else {}
    state = row.state if row else "missing"
    reached = {
        s: workflow.state_reached_at(conn, row, s) if row and state_in(state, s) else None
        for s in (APPROVED, CONFIRMED)
    }
    if (
        district and reached[APPROVED] is None
    ):  # a version taken under a correction: its memo approved it
        reached[APPROVED] = reached[CONFIRMED]
    return {
        "sections": {section: verdict.state for section, verdict in standing.items()},
        "approved_at": _iso(reached[APPROVED]),
        "returned": [
            {
                "section": v.section,
                "comment": v.review.comment,
                "reviewer": v.review.reviewer,
                "at": v.review.decided_at.isoformat(),
            }
            for v in standing.values()
            if v.state == RETURNED and v.review is not None
        ],
        "confirmed_at": _iso(reached[CONFIRMED]),
        "corrections": workflow.list_corrections(conn, period=period, office=office),
    }


def state_in(state: str, wanted: str) -> bool:
    """Approval stays true once the province confirmed an approved version."""
    return state == wanted or (wanted == "approved" and state == "confirmed")


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def received_files(conn: Connection, since=None) -> list[dict]:
    """Every file received: the stable shape of `eop received --json`."""
    result_of = {"received": "pending"}
    return [
        {
            "file": row.name,
            "office": row.office,
            "sha256": row.sha256,
            "received_at": row.received_at.isoformat(),
            "result": result_of.get(row.status, row.status),
            "kind": row.kind,
            "period": row.period,
            "findings": findings_of(conn, row.id),
        }
        for row in received_since(conn, since)
    ]
