"""Corrections (DESIGN §3): a locked period reopened for one office's ONE new version,
citing the approving memo. The office gets its workbook and the memo's reference by mail."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, Row

from eop.periods import Period
from eop.thai import date_en, date_th
from jobs.deployment import Deployment
from jobs.issue import build_and_record
from jobs.notices import calendar, office_names, period_names
from jobs.people import recipients, reviewers
from ledger import workflow
from ledger.corrections import opened_by_file
from ledger.workflow import CorrectionRefused
from outbox.compose import make_message
from outbox.spool import queue


def kind_for(deployment: Deployment, office: str) -> str:
    """What the office sends: a section its review, any other office its monthly workbook."""
    config = deployment.config
    if office in {s.code for s in config.sections}:
        return "review"
    if office in {o.code for o in config.offices if o.level in ("province", "district")}:
        return "monthly"
    raise CorrectionRefused(
        f"ไม่รู้จักหน่วยงาน {office} — {office} is not an office or section of this deployment"
    )


def open_correction(
    deployment: Deployment,
    *,
    office: str,
    period: str,
    memo_number: str,
    memo_date: date,
    approved_by: str,
    to_centre: bool = False,
    reason: str | None = None,
    by: str | None = None,
) -> dict:
    """Record the correction, issue the office's workbook and mail it; returns the correction."""
    kind, month, now = kind_for(deployment, office), Period.parse(period), deployment.now()
    _refuse_unless_locked(deployment, month, now)
    with deployment.ledger.atomic() as conn:
        correction_id = workflow.open_correction(
            conn,
            office=office,
            period=str(month),
            memo_number=memo_number,
            memo_date=memo_date,
            approved_by=approved_by,
            to_centre=to_centre,
            reason=reason,
            by=by,
            at=now,
        )
        row = workflow.correction(conn, correction_id)
        _send_opened(deployment, conn, row, kind, now)
        return workflow.correction_dict(row)


def _refuse_unless_locked(deployment: Deployment, month: Period, now: datetime) -> None:
    locks_at = calendar(deployment, str(month)).locks_at
    if now < locks_at:
        raise CorrectionRefused(
            f"งวด {month} ยังไม่ปิด (ปิดเมื่อ {date_th(locks_at)}) ส่งฉบับใหม่ได้ตามปกติ ไม่ต้องขอแก้ไข — "
            f"period {month} is not locked yet (it locks on {date_en(locks_at)}): send a new version as usual"
        )


def _send_opened(
    deployment: Deployment, conn: Connection, row: Row, kind: str, now: datetime
) -> None:
    """The office's workbook and the memo's reference, by mail to whoever sends it."""
    built = build_and_record(deployment, conn, kind, row.office, row.period, now)
    context = {**_correction_line(deployment, row), "attachment_name": built.path.name}
    to = (
        reviewers(deployment.config, row.office)
        if kind == "review"
        else recipients(deployment.config, row.office, kind)
    )
    queue(
        conn,
        deployment.config,
        make_message("correction_opened", to, context, [built.path]),
        now=now,
        dedupe_key=f"correction-opened:{row.id}",
        office=row.office,
    )


# -- the correction workbook (the province's requests, one correction a row) ----------------
def send_opened_by_file(deployment: Deployment, conn: Connection, file: Row) -> int:
    """Each office a correction workbook reopened gets its workbook by mail, as after
    `eop correction open` (once: the mail's key is the correction's)."""
    opened = opened_by_file(conn, file.id)
    for row in opened:
        _send_opened(deployment, conn, row, kind_for(deployment, row.office), deployment.now())
    return len(opened)


def opened_lines(deployment: Deployment, conn: Connection, file_id: int) -> list[dict]:
    """The corrections a workbook opened, as the receipt lists them."""
    return [
        {"id": row.id, **_correction_line(deployment, row)} for row in opened_by_file(conn, file_id)
    ]


def _correction_line(deployment: Deployment, row: Row) -> dict:
    """A correction as mails name it: the office, the period, the approving memo."""
    memo_date = date.fromisoformat(row.memo_date)
    return {
        "office": office_names(deployment, row.office),
        **period_names(row.period),
        "memo_number": row.memo_number,
        "memo_date_th": date_th(memo_date),
        "memo_date_en": date_en(memo_date),
        "approved_by": row.approved_by,
        "to_centre": bool(row.to_centre),
        "reason": row.reason or "",
    }
