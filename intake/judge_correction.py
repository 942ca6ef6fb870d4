"""Judging the correction request workbook (the province's strategy group reopening locked
periods, citing the memo): ours → kind/version → office (intake.judge) → the issued workbook
→ its rows, each checked on its cells (validators.correction) → no correction of the same
office and period already open. Accepted only when every row holds: then each row opens a
correction (ledger.submissions.store_corrections), exactly as `eop correction open` does."""

from __future__ import annotations

from dataclasses import replace

from eop.calendar import MonthCalendar
from eop.findings import Finding
from eop.layout import CORRECTION_REQUESTS, CORRECTION_ROWS, REQUESTER_CELL
from eop.periods import Period
from intake.located import in_workbook_order
from intake.read import RawWorkbook, cell_value, sheet_columns
from intake.verdict import Context, Verdict
from ledger import records, workflow
from ledger.submissions import CorrectionRequest, Corrections
from validators.catalogue import at, finding
from validators.correction import Request, Rules, check_requests


def judge_correction(raw: RawWorkbook, ctx: Context) -> Verdict:
    meta = raw.meta or {}
    verdict = Verdict(
        kind="correction",
        template_version=meta.get("template_version") or None,
        period=meta.get("period") or None,
    )
    snapshot = records.issued_snapshot(ctx.conn, meta.get("digest", ""))
    if not snapshot or (snapshot["kind"], snapshot["office"]) != ("correction", ctx.office):
        return verdict.rejected(finding("unknown-issue", value=meta.get("digest", "?")))
    if CORRECTION_REQUESTS.name not in raw.sheets:
        return verdict.rejected(finding("sheet-missing", value=CORRECTION_REQUESTS.name))
    rows = raw.rows(CORRECTION_REQUESTS.name)
    rules = Rules(
        choices={  # as issued, of the offices the deployment still has
            code: choice
            for code, choice, _ in snapshot["prefilled"]["offices"]
            if code in ctx.config.office_index
        },
        locks_at=lambda period: MonthCalendar(period, ctx.config.calendar.rules).locks_at,
        now=ctx.now,
    )
    check = check_requests(
        sheet_columns(rows, CORRECTION_REQUESTS, CORRECTION_ROWS),
        cell_value(rows, REQUESTER_CELL),
        rules,
    )
    found = [*check.findings, *_already_open(ctx, check.requests)]
    requests = tuple(_stored(r) for r in check.requests)
    payload = Corrections(ctx.office, check.requester, requests, verdict.period or "")
    ordered = in_workbook_order(found, raw.sheet_names)
    return replace(verdict, findings=ordered, payload=payload)


def _already_open(ctx: Context, requests: list[Request]) -> list[Finding]:
    """A correction of the same office and period still open: one at a time."""
    found = []
    for request in requests:
        opened = workflow.open_correction_for(ctx.conn, request.office, request.period)
        if opened is not None:
            found.append(
                finding(
                    "correction-already-open",
                    value=str(Period.parse(request.period)),
                    expected=opened.memo_number,
                    **at(CORRECTION_REQUESTS, "period", request.row),
                )
            )
    return found


def _stored(request: Request) -> CorrectionRequest:
    return CorrectionRequest(
        request.office,
        request.period,
        request.memo_number,
        request.memo_date,
        request.approved_by,
        request.to_centre,
        request.reason or None,
    )
