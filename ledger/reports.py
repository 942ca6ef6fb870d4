"""Questions consolidation and the RPT reports ask of the ledger, answered as plain data.

Only the latest accepted version of an office's submission counts (DESIGN §1): earlier
versions are kept for the record but never summed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, select

from ledger.records import latest_by_office, latest_results_query
from ledger.schema import files, results, submissions

# office → activity → (quantity, spending)
OfficeResults = dict[str, dict[str, tuple[float, float]]]


def latest_results(conn: Connection, kind: str, period: str) -> OfficeResults:
    """The results of the latest accepted version of each office's submission for a period.

    An office whose latest version has no result rows still appears, with no activities:
    it reported, and reported nothing.
    """
    latest = latest_by_office(conn, kind, period)
    office_of = {row.id: row.office for row in latest.values()}
    found: OfficeResults = {office: {} for office in latest}
    if office_of:
        query = select(
            results.c.submission_id, results.c.activity, results.c.quantity, results.c.spending
        ).where(results.c.submission_id.in_(list(office_of)))
        for row in conn.execute(query):
            found[office_of[row.submission_id]][row.activity] = (row.quantity, row.spending)
    return found


def latest_result_rows(
    conn: Connection, kind: str, period: str, among: Collection[str] | None = None
) -> tuple[list[str], Iterator[tuple[str, str, float, float]]]:
    """The same as latest_results, flat: (the offices with a latest version, their result
    rows as (office, activity, quantity, spending)) — for reading a whole country at once,
    or the offices `among` (a province's)."""
    offices = list(latest_by_office(conn, kind, period, among))
    if not offices:
        return offices, iter(())
    values = {"kind": kind, "period": period}
    if among is None:
        return offices, iter(conn.execute(_LATEST_RESULT_ROWS, values))
    return offices, iter(conn.execute(_AMONG_RESULT_ROWS, {**values, "among": sorted(among)}))


_THIS_KIND = (submissions.c.kind == bindparam("kind")) & (
    submissions.c.period == bindparam("period")
)
_LATEST_RESULT_ROWS = latest_results_query(_THIS_KIND, "office")
_AMONG_RESULT_ROWS = latest_results_query(
    _THIS_KIND & submissions.c.office.in_(bindparam("among", expanding=True)), "office"
)


@dataclass(frozen=True)
class SubmissionFacts:
    """What the ledger knows of one office's submission for one period and kind (RPT113)."""

    office: str
    received: int  # files judged as this kind and period: accepted, rejected or duplicate
    versions: int  # accepted versions; the latest one counts
    rejected: int  # rejected attempts
    duplicates: int
    state: str  # the latest version's state, or "missing"
    late: bool  # the latest version arrived after the entry window (as `eop status` shows)
    first_received_at: datetime | None
    latest_accepted_at: datetime | None


def submission_facts(conn: Connection, kind: str, period: str) -> dict[str, SubmissionFacts]:
    """office → facts, for every office with at least one file of this kind and period.

    A file rejected before its kind and period could be read (not an .xlsx, not one of
    ours) names no period and so is not counted here.
    """
    query = select(files.c.office, files.c.status, files.c.received_at).where(
        (files.c.kind == kind) & (files.c.period == period)
    )
    by_office: dict[str, list] = {}
    for row in conn.execute(query):
        by_office.setdefault(row.office, []).append(row)
    latest = latest_by_office(conn, kind, period)
    facts = {}
    for office in sorted(set(by_office) | set(latest)):
        rows, newest = by_office.get(office, []), latest.get(office)
        facts[office] = SubmissionFacts(
            office=office,
            received=len(rows),
            versions=newest.version if newest else 0,
            rejected=sum(r.status == "rejected" for r in rows),
            duplicates=sum(r.status == "duplicate" for r in rows),
            state=newest.state if newest else "missing",
            late=bool(newest.late) if newest else False,
            first_received_at=min((r.received_at for r in rows), default=None),
            latest_accepted_at=newest.accepted_at if newest else None,
        )
    return facts
