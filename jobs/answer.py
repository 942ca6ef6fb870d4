"""Answering every judged file once: a receipt, a rejection with the annotated workbook
(and a fresh one when the old can't be used), or a duplicate notice."""

from __future__ import annotations

import errno
import logging
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection

from eop.faults import checkpoint
from eop.findings import Finding, Severity
from eop.formats import moment_en
from eop.layout import kind_label
from eop.periods import Period
from eop.states import state_en, state_th
from eop.thai import datetime_th
from eop.workers import can_fork, run_forked, shares_by_province, worker_count
from intake.folders import returned_dir
from jobs.corrections import send_opened_by_file
from jobs.deployment import Deployment, worker_deployment
from jobs.issue import build_and_record
from jobs.people import recipients
from jobs.workflow_answers import WORKFLOW_RECEIPTS, notify_returns
from ledger import records
from ledger.db import LedgerUnavailable
from ledger.events import record_event
from ledger.reference import activity_rows
from outbox.compose import make_message
from outbox.spool import QUEUE_DIR, Spoolable, prepare, queue, sync_folder

log = logging.getLogger(__name__)
FRESH_CODES = {"template-outdated", "target-changed", "state-changed"}
AFTER_RECEIPT = {  # who else is told of an accepted workbook, once, with its receipt
    "review": notify_returns,  # each district returned gets the comment
    "correction": send_opened_by_file,  # each office reopened gets its workbook
}

PARALLEL_FROM = 24  # answers waiting: below this a worker pool costs more than it saves


def answer_pending(deployment: Deployment) -> int:
    """Answer every judged file not answered yet; many at once in worker processes (by province)."""
    with deployment.ledger.atomic() as conn:
        waiting = [(row.id, row.office) for row in records.files_to_answer(conn)]
    workers = worker_count()
    shares = shares_by_province(deployment.config, waiting, workers)
    # one province's answers (one share) are answered here: a worker would do the same, alone
    if workers > 1 and len(shares) > 1 and len(waiting) >= PARALLEL_FROM and can_fork():
        deployment.ledger.engine.dispose()  # no open SQLite connection may cross a fork
        run_forked(
            _answer_share,
            [
                (deployment.config, deployment.ledger.url, deployment.clock, share)
                for share in shares
            ],
        )
    else:
        answer_each(deployment, [file_id for file_id, _ in waiting])
    return len(waiting)


def _answer_share(task: tuple) -> int:
    config, url, clock, file_ids = task
    with worker_deployment(config, url, clock) as deployment:
        answer_each(deployment, file_ids)
    return len(file_ids)


DISK_TROUBLE = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO}


ANSWER_EVERY = 32  # answers recorded per transaction, their .eml files made durable at once


def answer_each(deployment: Deployment, file_ids: list[int]) -> None:
    """Answer each file, a chunk at a time; a fault of ours with one answer is logged and that
    file tried again on the next pass, so that it never holds up the others' answers. A full
    or read-only disk or an unavailable ledger stops the lot: every answer would fail the same way."""
    for start in range(0, len(file_ids), ANSWER_EVERY):
        answer_chunk(deployment, file_ids[start : start + ANSWER_EVERY])


def answer_chunk(deployment: Deployment, file_ids: list[int]) -> None:
    """The answers are composed from a snapshot of the ledger (no lock held while the mail and
    any annotated workbook are made), then queued and recorded in one short transaction, each
    in its own savepoint; their .eml files are durable before it commits."""
    now = deployment.now()
    composed = _compose_from_snapshot(deployment, file_ids, now)
    batch = len(file_ids) > 1
    answered = 0
    with deployment.ledger.atomic() as conn:
        for file_id in file_ids:
            try:
                with conn.begin_nested():
                    answered += _record_answer(
                        deployment, conn, file_id, composed.get(file_id), now, sync=not batch
                    )
            except LedgerUnavailable:
                raise
            except OSError as exc:
                if exc.errno in DISK_TROUBLE:
                    raise
                log.exception(
                    "answering file %s failed; it is tried again on the next pass", file_id
                )
            except Exception:  # noqa: BLE001 — whatever arrives gets an answer: the others' go out
                log.exception(
                    "answering file %s failed; it is tried again on the next pass", file_id
                )
        if batch and answered:
            # every .eml the rows name is on disk before they commit
            sync_folder(deployment.root / QUEUE_DIR)
    for _ in range(answered):
        checkpoint("after-answer")


def _compose_from_snapshot(
    deployment: Deployment, file_ids: list[int], now: datetime
) -> dict[int, tuple]:
    """Each answer composed outside the write lock; one that fails is composed again later,
    inside the transaction."""
    composed: dict[int, tuple] = {}
    with deployment.ledger.reading() as conn:
        for file_id in file_ids:
            row = records.file_row(conn, file_id)
            if row.answered_at is not None or _issues_while_answering(conn, row):
                continue
            try:
                composed[file_id] = _compose(deployment, conn, row, now)
            except Exception:  # noqa: BLE001 — composed again below, inside the transaction
                log.debug(
                    "composing the answer to file %s from a snapshot failed", file_id, exc_info=True
                )
    return composed


def _record_answer(
    deployment: Deployment,
    conn: Connection,
    file_id: int,
    composed: tuple | None,
    now: datetime,
    *,
    sync: bool,
) -> bool:
    row = records.file_row(conn, file_id)
    if row.answered_at is not None:
        return False
    kind, to, ready = composed or _compose(deployment, conn, row, now)
    if ready is not None:
        queue(
            conn,
            deployment.config,
            ready,
            now=now,
            dedupe_key=f"answer:{file_id}",
            file_id=file_id,
            office=row.office,
            sync=sync,
        )
    if row.status == "accepted" and row.kind in AFTER_RECEIPT:
        AFTER_RECEIPT[row.kind](deployment, conn, row)
    records.mark_answered(conn, file_id, now)
    record_event(
        conn,
        now,
        "answered",
        office=row.office,
        kind=row.kind,
        period=row.period,
        file_id=file_id,
        mail=kind,
        to=to,
    )
    return True


def _compose(
    deployment: Deployment, conn: Connection, row, now: datetime
) -> tuple[str, list[str], Spoolable | None]:
    """(mail kind, recipients, the message ready to spool — None when nobody is to be told)."""
    kind, context, attachments = {
        "accepted": _receipt,
        "rejected": _rejection,
        "duplicate": _duplicate,
    }[row.status](deployment, conn, row)
    to = recipients(deployment.config, row.office, row.kind)
    return (
        kind,
        to,
        prepare(deployment.config, make_message(kind, to, context, attachments), now)
        if to
        else None,
    )


def _issues_while_answering(conn: Connection, row) -> bool:
    """A rejection answered with a fresh workbook records that workbook: composed in the transaction."""
    return row.status == "rejected" and bool(
        FRESH_CODES & {f["code"] for f in records.findings_of(conn, row.id)}
    )


def _common(deployment: Deployment, row) -> dict:
    office = deployment.config.office_index.get(row.office)
    kind_th, kind_en = kind_label(row.kind or "")
    period_th, period_en = _period_names(row.kind, row.period)
    return {
        "office": {
            "code": row.office,
            "name_th": office.name_th if office else row.office,
            "name_en": office.name_en if office else row.office,
        },
        "file": {
            "name": row.name,
            "received_th": datetime_th(row.received_at),
            "received_en": moment_en(row.received_at),
        },
        "kind_th": kind_th if row.kind else "ไฟล์",
        "kind_en": kind_en if row.kind else "file",
        "period_th": period_th,
        "period_en": period_en,
        "period": row.period or "",
    }


def _period_names(kind: str | None, period: str | None) -> tuple[str, str]:
    if not period:
        return "-", "-"
    if kind in ("monthly", "review", "confirm"):
        try:
            month = Period.parse(period)
            return month.name_th, month.name_en
        except ValueError:
            return period, period
    return f"ปีงบประมาณ {period}", f"fiscal year {period}"


def _receipt(deployment: Deployment, conn: Connection, row) -> tuple[str, dict, list[Path]]:
    if row.kind in WORKFLOW_RECEIPTS:
        return WORKFLOW_RECEIPTS[row.kind](deployment, conn, row, _common(deployment, row))
    submission = records.submission(conn, row.submission_id)
    found = records.findings_of(conn, row.id)
    context = _common(deployment, row) | {
        "version": submission.version,
        "late": bool(row.late),
        "replaces_version": submission.version - 1 if submission.replaces else None,
        "changes": _changes(conn, submission) if submission.replaces else [],
        "summary": _summary(conn, submission) if row.kind == "monthly" else [],
        "warnings": [f for f in found if f["severity"] == Severity.WARNING.value],
        "state_th": state_th(submission.state),
        "state_en": state_en(submission.state),
    }
    return "receipt", context, []


def _names(conn: Connection, period: str | None) -> dict:
    try:
        year = Period.parse(period).fiscal_year if period and "-" in period else int(period or 0)
    except ValueError:
        return {}
    return {a.code: a for a in activity_rows(conn, year)}


def _summary(conn: Connection, submission) -> list[dict]:
    names = _names(conn, submission.period)
    return [
        {
            "activity": code,
            "name_th": names[code].name_th if code in names else "",
            "unit": names[code].unit if code in names else "",
            "quantity": r.quantity,
            "spending": r.spending,
        }
        for code, r in records.results_of(conn, submission.id).items()
    ]


def _changes(conn: Connection, submission) -> list[dict]:
    """What changed from the replaced version, value by value."""
    names = _names(conn, submission.period)
    before, after = (
        records.results_of(conn, submission.replaces),
        records.results_of(conn, submission.id),
    )
    changes = []
    for code in sorted(set(before) | set(after)):
        old, new = before.get(code), after.get(code)
        for field, th, en in (
            ("quantity", "ผลงาน", "quantity"),
            ("spending", "ค่าใช้จ่าย", "spending"),
        ):
            old_value, new_value = getattr(old, field, 0.0), getattr(new, field, 0.0)
            if abs(old_value - new_value) > 1e-9:
                changes.append(
                    {
                        "activity": code,
                        "name_th": names[code].name_th if code in names else "",
                        "field_th": th,
                        "field_en": en,
                        "old": old_value,
                        "new": new_value,
                    }
                )
    return changes


def _rejection(deployment: Deployment, conn: Connection, row) -> tuple[str, dict, list[Path]]:
    found = records.findings_of(conn, row.id)
    attachments: list[Path] = []
    annotated = _annotate(deployment, row, found)
    if annotated:
        attachments.append(annotated)
    fresh = bool(FRESH_CODES & {f["code"] for f in found}) and row.kind and row.period
    if fresh:
        try:  # in this transaction: a second connection would wait for this one's write lock
            attachments.append(
                build_and_record(
                    deployment, conn, row.kind, row.office, row.period, deployment.now()
                ).path
            )
        except (
            ValueError,
            KeyError,
        ):  # a tinkered _meta naming a period that cannot exist: answer without it
            fresh = False
    context = _common(deployment, row) | {
        "findings": found,
        "fresh_workbook": bool(fresh),
        "attachment_name": annotated.name if annotated else "",
    }
    return "rejection", context, attachments


def _annotate(deployment: Deployment, row, found: list[dict]) -> Path | None:
    """The same workbook back, each offending cell marked; None when it isn't a workbook we can open."""
    source = deployment.root / row.archive_path if row.archive_path else None
    if source is None or not source.is_file() or row.kind is None:
        return None
    out = (
        returned_dir(deployment.root, row.office)
        / f"{_returned_stem(row.name)}-ผลการตรวจ-{row.id}.xlsx"
    )
    from templates.annotate import AnnotationFailed, annotate_workbook  # openpyxl: rejected only

    try:
        return annotate_workbook(
            source,
            [
                Finding(
                    Severity(f["severity"]),
                    f["code"],
                    f["message_th"],
                    f["message_en"],
                    f["sheet"],
                    f["cell"],
                    f["field"],
                    f["value"],
                    f.get("activity"),
                )
                for f in found
            ],
            out,
            title_th=f"ผลการตรวจไฟล์ {row.name}",
            title_en=f"Findings for {row.name}",
        )
    except AnnotationFailed:
        return None


def _returned_stem(name: str) -> str:
    """The office's own file name, safe on any share: a Thai character is 3 bytes and a name
    at most 255, so leave room for ours."""
    stem = "".join(ch for ch in Path(name).stem if ch.isprintable() and ch not in '/\\:*?"<>|')
    stem = stem[:80] or "workbook"
    while len(stem.encode()) > 100:
        stem = stem[:-1]
    return stem


def _duplicate(deployment: Deployment, conn: Connection, row) -> tuple[str, dict, list[Path]]:
    original = records.file_row(conn, row.duplicate_of)
    context = _common(deployment, row) | {
        "original": {
            "name": original.name,
            "received_th": datetime_th(original.received_at),
            "received_en": moment_en(original.received_at),
        },
    }
    return "duplicate", context, []
