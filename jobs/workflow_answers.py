"""Answers to the workflow's workbooks: a section's review receipt (and the returned
districts' notices), the province's confirmation receipt. `jobs.answer` calls these."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Row

from eop.states import CONFIRMED
from jobs.corrections import opened_lines
from jobs.deployment import Deployment
from jobs.notices import office_names, state_row
from jobs.review import notify_returns, review_rows
from jobs.workflow_books import reporting_offices
from ledger import records

__all__ = ["WORKFLOW_RECEIPTS", "notify_returns"]


def _warnings(conn: Connection, file_id: int) -> list[dict]:
    return [f for f in records.findings_of(conn, file_id) if f["severity"] == "warning"]


def review_receipt(
    deployment: Deployment, conn: Connection, row: Row, common: dict
) -> tuple[str, dict, list[Path]]:
    approved, returned = review_rows(conn, deployment, row.id)
    context = common | {
        "office": office_names(deployment, row.office),
        "approved": approved,
        "returned": returned,
        "late": bool(row.late),
        "warnings": _warnings(conn, row.id),
    }
    return "review_receipt", context, []


def confirm_receipt(
    deployment: Deployment, conn: Connection, row: Row, common: dict
) -> tuple[str, dict, list[Path]]:
    submission = records.submission(conn, row.submission_id)
    confirmed = submission.state == CONFIRMED
    offices: list[dict] = []
    incomplete: list[dict] = []
    for code in reporting_offices(deployment.config, row.office):
        latest = records.latest_submission(conn, code, "monthly", row.period)
        entry = state_row(code, deployment.config.office(code).name_th, latest)
        (offices if latest is not None and latest.state == CONFIRMED else incomplete).append(entry)
    context = common | {
        "version": submission.version,
        "confirmed": confirmed,
        "name": submission.reporter or "",
        "confirmed_offices": offices,
        "incomplete": incomplete if confirmed else [],
        "warnings": _warnings(conn, row.id),
    }
    return "confirm_receipt", context, []


def correction_receipt(
    deployment: Deployment, conn: Connection, row: Row, common: dict
) -> tuple[str, dict, list[Path]]:
    """The corrections the province's workbook opened; each office is told on its own."""
    submission = records.submission(conn, row.submission_id)
    context = common | {
        "name": submission.reporter or "",
        "opened": opened_lines(deployment, conn, row.id),
        "warnings": _warnings(conn, row.id),
    }
    return "correction_receipt", context, []


WORKFLOW_RECEIPTS = {
    "review": review_receipt,
    "confirm": confirm_receipt,
    "correction": correction_receipt,
}
