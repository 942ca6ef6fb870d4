"""The workflow in the ledger (DESIGN §4): section reviews, the states they lead to, the
province's confirmation and corrections of locked periods. Every transition is an event.

A district's monthly version is `approved` when every section owning an activity of its
results has approved it, `returned` as soon as one section returned it, `submitted` while
any is still to decide. Each section's latest decision counts. An approval carries over to
a newer version whose figures on that section's activities are unchanged; a return never
does: the returning section reviews the new version again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select, update

from eop.states import APPROVED, CONFIRMED, RECORDED, RETURNED, SUBMITTED
from ledger.events import record_event
from ledger.records import inserted_id, latest_submission
from ledger.schema import corrections, events, reviews, submissions
from ledger.sections import figures_of, fiscal_year_of, is_district, of_section, owning, section_of

PENDING = "pending"


@dataclass(frozen=True)
class Verdict:
    """One section's standing on a district's latest version."""

    section: str
    state: str  # approved | returned | pending
    review: Row | None = None
    carried: bool = False  # an approval of an earlier version with the same figures


# -- reviews ---------------------------------------------------------------------------
def add_review(
    conn: Connection,
    *,
    section: str,
    office: str,
    period: str,
    submission_id: int,
    decision: str,
    comment: str,
    reviewer: str,
    file_id: int | None,
    late: bool,
    at: datetime,
) -> None:
    """A section's decision on a district's version (its review workbook), and the event."""
    decided = {
        "section": section,
        "office": office,
        "period": period,
        "submission_id": submission_id,
        "decision": decision,
        "comment": comment or None,
        "reviewer": reviewer or None,
        "file_id": file_id,
        "late": late,
    }
    conn.execute(insert(reviews).values(**decided, decided_at=at))
    _review_event(conn, decided, at)


def _review_event(conn: Connection, decided: dict[str, Any], at: datetime) -> None:
    version = conn.scalar(
        select(submissions.c.version).where(submissions.c.id == decided["submission_id"])
    )
    record_event(
        conn,
        at,
        f"section-{decided['decision']}",
        office=decided["office"],
        kind="monthly",
        period=decided["period"],
        actor=_actor(decided["section"], decided["reviewer"]),
        file_id=decided["file_id"],
        section=decided["section"],
        version=version,
        comment=decided["comment"],
        late=decided["late"],
    )


_REVIEWS = (
    select(reviews)
    .where((reviews.c.office == bindparam("office")) & (reviews.c.period == bindparam("period")))
    .order_by(reviews.c.id)
)


def latest_reviews(conn: Connection, office: str, period: str) -> dict[str, Row]:
    """section → its latest decision on any version of the office's period."""
    return {
        row.section: row for row in conn.execute(_REVIEWS, {"office": office, "period": period})
    }


def reviews_of_file(conn: Connection, file_id: int) -> list[Row]:
    return list(
        conn.execute(select(reviews).where(reviews.c.file_id == file_id).order_by(reviews.c.id))
    )


def verdicts(conn: Connection, latest: Row) -> dict[str, Verdict]:
    """section → its standing on `latest`, for every section that must approve it."""
    owner = section_of(conn, fiscal_year_of(latest.period), latest.office)
    figures = {latest.id: figures_of(conn, latest.id)}  # and of each version reviewed before
    decided = latest_reviews(conn, latest.office, latest.period)
    found = {}
    for section in sorted(owning(owner, figures[latest.id])):
        review = decided.get(section)
        if review is not None and review.submission_id not in figures:
            figures[review.submission_id] = figures_of(conn, review.submission_id)
        found[section] = _standing(section, review, latest, owner, figures)
    return found


def _standing(
    section: str,
    review: Row | None,
    latest: Row,
    owner: dict[str, str],
    figures: dict[int, dict[str, tuple[float, float]]],
) -> Verdict:
    if review is None:
        return Verdict(section, PENDING)
    if review.submission_id == latest.id:
        return Verdict(section, review.decision, review)
    same = of_section(figures[review.submission_id], owner, section) == of_section(
        figures[latest.id], owner, section
    )
    if review.decision == APPROVED and same:
        return Verdict(section, APPROVED, review, carried=True)
    return Verdict(section, PENDING, review)


def derive_state(conn: Connection, latest: Row) -> str:
    """The state the latest version should be in, from the sections' decisions."""
    if latest.state in (RECORDED, CONFIRMED) or latest.kind != "monthly":
        return latest.state
    if latest.state == SUBMITTED and not latest_reviews(conn, latest.office, latest.period):
        return SUBMITTED  # no section has decided on the period yet: nothing to carry over (a new district file)
    if not is_district(conn, latest.office):
        return latest.state
    standing = [v.state for v in verdicts(conn, latest).values()]
    if RETURNED in standing:
        return RETURNED
    if standing and all(state == APPROVED for state in standing):
        return APPROVED
    return SUBMITTED


def refresh_state(
    conn: Connection, office: str, period: str, *, at: datetime, actor: str, **detail: Any
) -> str | None:
    """Bring the latest monthly version's state in line with the decisions; an event when it moves."""
    latest = latest_submission(conn, office, "monthly", period)
    return None if latest is None else _settle(conn, latest, at=at, actor=actor, **detail)


def _settle(conn: Connection, latest: Row, *, at: datetime, actor: str, **detail: Any) -> str:
    state = derive_state(conn, latest)
    if state != latest.state:
        set_state(conn, latest, state, at=at, actor=actor, **detail)
    return state


def set_state(
    conn: Connection, submission: Row, state: str, *, at: datetime, actor: str, **detail: Any
) -> None:
    conn.execute(update(submissions).where(submissions.c.id == submission.id).values(state=state))
    record_event(
        conn,
        at,
        state,
        office=submission.office,
        kind=submission.kind,
        period=submission.period,
        actor=actor,
        file_id=submission.file_id,
        version=submission.version,
        previous=submission.state,
        **detail,
    )


def record_version(conn: Connection, submission: Row, *, at: datetime, actor: str) -> str | None:
    """A new version arrived (the latest now): its own state is an event; then the decisions
    that carry over apply."""
    record_event(
        conn,
        at,
        submission.state,
        office=submission.office,
        kind=submission.kind,
        period=submission.period,
        actor=actor,
        file_id=submission.file_id,
        version=submission.version,
        previous=None,
    )
    if submission.kind != "monthly":
        return submission.state
    return _settle(conn, submission, at=at, actor=actor)


def state_reached_at(conn: Connection, submission: Row, state: str) -> datetime | None:
    """When the submission last entered `state` (from the events)."""
    query = (
        select(events.c.at)
        .where(
            (events.c.event == state)
            & (events.c.office == submission.office)
            & (events.c.kind == submission.kind)
            & (events.c.period == submission.period)
            & (events.c.file_id == submission.file_id)
        )
        .order_by(events.c.id.desc())
    )
    return conn.scalar(query.limit(1))


def _actor(office: str, name: str | None) -> str:
    return f"{office} ({name})" if name else office


# -- the province's confirmation -------------------------------------------------------
def confirm(
    conn: Connection, office: str, period: str, *, at: datetime, actor: str, **detail: Any
) -> bool:
    """The office's latest monthly version becomes `confirmed`; False when there is none."""
    latest = latest_submission(conn, office, "monthly", period)
    if latest is None or latest.state == CONFIRMED:
        return False
    set_state(conn, latest, CONFIRMED, at=at, actor=actor, **detail)
    return True


# -- corrections: a locked period reopened for one new version, citing the approving memo
# -----------------------------------------------------------------------
class CorrectionRefused(Exception):
    """A correction cannot be opened (unknown office, period not locked, one already open)."""


def open_correction(
    conn: Connection,
    *,
    office: str,
    period: str,
    memo_number: str,
    memo_date: date,
    approved_by: str,
    to_centre: bool,
    reason: str | None,
    by: str | None,
    at: datetime,
    file_id: int | None = None,  # the correction workbook it came in, if any
) -> int:
    _refuse_correction(conn, office, period, memo_number, approved_by)
    opened = insert(corrections).values(
        office=office, period=period, memo_number=memo_number.strip(),
        memo_date=memo_date.isoformat(), approved_by=approved_by.strip(), to_centre=to_centre,
        reason=reason, opened_at=at, opened_by=by,
    )  # fmt: skip
    new_id = inserted_id(conn.execute(opened))
    record_event(
        conn, at, "correction-opened", office=office, period=period, actor=by or approved_by,
        file_id=file_id, correction=new_id, memo=memo_number, memo_date=memo_date.isoformat(),
        approved_by=approved_by, to_centre=to_centre,
    )  # fmt: skip
    return new_id


def _refuse_correction(
    conn: Connection, office: str, period: str, memo_number: str, approved_by: str
) -> None:
    if not memo_number.strip() or not approved_by.strip():
        raise CorrectionRefused(
            "ต้องระบุเลขที่บันทึกและผู้อนุมัติ — the memo number and the approver are required"
        )
    if open_correction_for(conn, office, period) is not None:
        raise CorrectionRefused(
            f"งวด {period} ของ {office} มีคำขอแก้ไขที่เปิดอยู่แล้ว — a correction of {office} {period} is already open"
        )


def open_correction_for(conn: Connection, office: str, period: str) -> Row | None:
    query = (
        select(corrections)
        .where(
            (corrections.c.office == office)
            & (corrections.c.period == period)
            & corrections.c.closed_at.is_(None)
        )
        .order_by(corrections.c.id)
    )
    return conn.execute(query.limit(1)).first()


def corrections_taken_to_centre(conn: Connection) -> list[Row]:
    """Corrections to the centre whose one new version was taken, oldest first."""
    query = select(corrections).where(
        corrections.c.to_centre.is_(True) & corrections.c.used_by_file_id.is_not(None)
    )
    return list(conn.execute(query.order_by(corrections.c.id)))


def correction(conn: Connection, correction_id: int) -> Row:
    return conn.execute(select(corrections).where(corrections.c.id == correction_id)).one()


def use_correction(
    conn: Connection, correction_id: int, file_id: int, submission_id: int, at: datetime
) -> None:
    """The one new version arrived: the correction closes. The memo's approval stands for the
    approvals the replaced version had: the new version keeps its `approved` or `confirmed`."""
    conn.execute(
        update(corrections)
        .where(corrections.c.id == correction_id)
        .values(used_by_file_id=file_id, closed_at=at)
    )
    memo, new = correction(conn, correction_id), _submission(conn, submission_id)
    record_event(
        conn,
        at,
        "corrected",
        office=new.office,
        kind=new.kind,
        period=new.period,
        actor=new.office,
        file_id=file_id,
        correction=correction_id,
        memo=memo.memo_number,
        version=new.version,
    )
    previous = _submission(conn, new.replaces) if new.replaces else None
    if previous is not None and previous.state in (APPROVED, CONFIRMED) and new.state != RECORDED:
        set_state(
            conn,
            new,
            previous.state,
            at=at,
            actor=f"{memo.approved_by} ({memo.memo_number})",
            correction=correction_id,
        )


def _submission(conn: Connection, submission_id: int) -> Row:
    return conn.execute(select(submissions).where(submissions.c.id == submission_id)).one()


def list_corrections(
    conn: Connection, *, period: str | None = None, office: str | None = None
) -> list[dict]:
    query = select(corrections).order_by(corrections.c.id)
    if period is not None:
        query = query.where(corrections.c.period == period)
    if office is not None:
        query = query.where(corrections.c.office == office)
    return [correction_dict(row) for row in conn.execute(query)]


def correction_dict(row: Row) -> dict:
    return {
        "id": row.id,
        "office": row.office,
        "period": row.period,
        "memo_number": row.memo_number,
        "memo_date": row.memo_date,
        "approved_by": row.approved_by,
        "to_centre": bool(row.to_centre),
        "reason": row.reason,
        "opened_at": row.opened_at.isoformat(),
        "opened_by": row.opened_by,
        "state": "used" if row.used_by_file_id else ("closed" if row.closed_at else "open"),
        "used_by_file_id": row.used_by_file_id,
        "closed_at": row.closed_at.isoformat() if row.closed_at else None,
    }


def corrections_to_centre(conn: Connection, fiscal_year: int, office: str | None = None) -> int:
    """Corrections sent to the centre (Planning Division) in a fiscal year: KPI 2 level 5 needs none."""
    query = select(corrections.c.period).where(corrections.c.to_centre.is_(True))
    if office is not None:
        query = query.where(corrections.c.office == office)
    return sum(1 for period in conn.scalars(query) if fiscal_year_of(period) == fiscal_year)
