"""Storing an accepted workbook: one small function per kind, run in the taking code's
transaction. Each takes a payload (plain, frozen data the judge returned) and returns the
new submission's id; a locked period's one version closes the correction it came under."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from eop.states import CONFIRMED
from ledger import records, reference, workflow


@dataclass(frozen=True)
class Monthly:
    """EOP014 + EOP015: the results of one office's month."""

    office: str
    period: str
    confirmed: bool  # sent to the province (ยืนยันส่ง), else recorded as a draft
    reporter: str
    late: bool
    rows: Sequence[tuple[str, float, float, str]]  # (activity, quantity, spending, remark)


@dataclass(frozen=True)
class Allocation:
    """EOP016: the province's targets shared out to its districts."""

    office: str
    year: int
    shares: dict[tuple[str, str], tuple[float, float]]  # (district, activity) → (qty, budget)


@dataclass(frozen=True)
class Targets:
    """The province's own targets for the fiscal year."""

    office: str
    year: int
    targets: dict[str, tuple[float, float]]  # activity → (quantity, budget)


@dataclass(frozen=True)
class Decision:
    """A section's decision on the version a district still has (`submission_id`)."""

    office: str
    decision: str  # approved | returned
    comment: str
    submission_id: int


@dataclass(frozen=True)
class Review:
    section: str
    period: str
    reviewer: str
    late: bool
    decisions: tuple[Decision, ...]


@dataclass(frozen=True)
class Confirm:
    """EOP018 + EOP019: the province confirms its districts' month to the centre."""

    office: str
    period: str
    confirmed: bool
    name: str
    incomplete: tuple[str, ...]
    ready: tuple[str, ...]  # the offices confirmed when `confirmed`


@dataclass(frozen=True)
class CorrectionRequest:
    """One row of the correction workbook: reopen `office`'s locked `period`, citing the memo."""

    office: str
    period: str
    memo_number: str
    memo_date: date
    approved_by: str
    to_centre: bool
    reason: str | None


@dataclass(frozen=True)
class Corrections:
    """The province's correction requests: each opens a correction, as `eop correction open`."""

    office: str
    requester: str
    requests: tuple[CorrectionRequest, ...]
    period: str = ""  # the fiscal year the workbook was issued in


Payload = Monthly | Allocation | Targets | Review | Confirm | Corrections


def store(
    conn: Connection, payload: Payload, *, file_id: int, at: datetime, correction_id: int | None
) -> int:
    """Store an accepted payload; returns the submission id."""
    submission_id = STORES[type(payload)](conn, payload, file_id, at)
    if correction_id is not None:  # the one version a correction allows: taking it closes it
        workflow.use_correction(conn, correction_id, file_id, submission_id, at)
    return submission_id


def _actor(office: str, person: str) -> str:
    return f"{office} ({person})" if person else office


def _add(conn: Connection, kind: str, office: str, period: str, **facts: Any):
    return records.add_submission(conn, office=office, kind=kind, period=period, **facts)


def store_monthly(conn: Connection, p: Monthly, file_id: int, at: datetime) -> int:
    state = "submitted" if p.confirmed else "recorded"
    added = _add(
        conn, "monthly", p.office, p.period, file_id=file_id, state=state,
        reporter=p.reporter, late=p.late, at=at,
    )  # fmt: skip
    records.add_results(
        conn,
        added.id,
        [{"activity": a, "quantity": q, "spending": s, "remark": r} for a, q, s, r in p.rows],
    )
    workflow.record_version(conn, added, at=at, actor=_actor(p.office, p.reporter))
    return added.id


def store_allocation(conn: Connection, p: Allocation, file_id: int, at: datetime) -> int:
    return _year_targets(conn, p.office, p.year, "allocation", p.shares, file_id, at)


def store_targets(conn: Connection, p: Targets, file_id: int, at: datetime) -> int:
    rows = {(p.office, code): v for code, v in p.targets.items()}
    return _year_targets(conn, p.office, p.year, "targets", rows, file_id, at)


YEAR_KINDS = {  # kind → (the targets' scope it sets, the source named with its version)
    "allocation": ("allocated", "allocation"),
    "targets": ("province", "targets workbook"),
}


def _year_targets(
    conn: Connection,
    office: str,
    year: int,
    kind: str,
    rows: dict[tuple[str, str], tuple[float, float]],
    file_id: int,
    at: datetime,
) -> int:
    """A fiscal year's workbook: a new version, whose figures replace the targets of its scope."""
    added = _add(
        conn, kind, office, str(year), file_id=file_id, state="submitted", reporter=None,
        late=False, at=at,
    )  # fmt: skip
    scope, source = YEAR_KINDS[kind]
    reference.set_targets(conn, year, scope, rows, source=f"{source} v{added.version}", at=at)
    return added.id


def store_review(conn: Connection, p: Review, file_id: int, at: datetime) -> int:
    added = _add(
        conn, "review", p.section, p.period, file_id=file_id, state="submitted",
        reporter=p.reviewer, late=p.late, at=at,
    )  # fmt: skip
    actor = _actor(p.section, p.reviewer)
    workflow.record_version(conn, added, at=at, actor=actor)
    for d in p.decisions:
        workflow.add_review(
            conn, section=p.section, office=d.office, period=p.period,
            submission_id=d.submission_id, decision=d.decision, comment=d.comment,
            reviewer=p.reviewer, file_id=file_id, late=p.late, at=at,
        )  # fmt: skip
        workflow.refresh_state(conn, d.office, p.period, at=at, actor=actor, section=p.section)
    return added.id


def store_confirm(conn: Connection, p: Confirm, file_id: int, at: datetime) -> int:
    added = _add(
        conn, "confirm", p.office, p.period, file_id=file_id,
        state=CONFIRMED if p.confirmed else "recorded", reporter=p.name, late=False, at=at,
    )  # fmt: skip
    actor = _actor(p.office, p.name)
    workflow.record_version(conn, added, at=at, actor=actor)
    if p.confirmed:
        for code in p.ready:
            workflow.confirm(
                conn, code, p.period, at=at, actor=actor, incomplete=list(p.incomplete)
            )
    return added.id


def store_corrections(conn: Connection, p: Corrections, file_id: int, at: datetime) -> int:
    """A version of the province's requests; each row opens a correction (the same ledger
    event as `eop correction open`, naming this file)."""
    added = _add(
        conn, "correction", p.office, p.period, file_id=file_id, state="submitted",
        reporter=p.requester, late=False, at=at,
    )  # fmt: skip
    for r in p.requests:
        workflow.open_correction(
            conn, office=r.office, period=r.period, memo_number=r.memo_number,
            memo_date=r.memo_date, approved_by=r.approved_by, to_centre=r.to_centre,
            reason=r.reason, by=_actor(p.office, p.requester), at=at, file_id=file_id,
        )  # fmt: skip
    return added.id


STORES: dict[type, Callable[[Connection, Any, int, datetime], int]] = {
    Monthly: store_monthly,
    Allocation: store_allocation,
    Targets: store_targets,
    Review: store_review,
    Confirm: store_confirm,
    Corrections: store_corrections,
}
