"""KPI evidence in the ledger: the documents registered for each province (migration 3,
table `schema.evidence_documents`) and the plain facts KPI scoring asks for, each with the
moment that proves it.

A document's identity is its kind and number (order 84/2558) or, without a number, its kind
and file name: registering the same identity again keeps both rows, and the newest counts.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, Row, func, insert, select

from ledger.records import inserted_id, latest_by_office, latest_submission
from ledger.schema import evidence_documents, files, submissions, targets
from ledger.workflow import state_reached_at


@dataclass(frozen=True)
class Document:
    id: int
    office: str
    fiscal_year: int
    kind: str
    number: str | None
    day: date | None
    title_th: str
    title_en: str
    name: str
    file_id: int
    sha256: str
    pages: int
    source: str
    stand_in: bool
    registered_at: datetime
    archive_path: str

    @property
    def identity(self) -> tuple[str, str]:
        return self.kind, self.number or self.name.lower()


def add_document(
    conn: Connection,
    *,
    office: str,
    fiscal_year: int,
    kind: str,
    number: str | None,
    day: date | None,
    title_th: str,
    title_en: str,
    name: str,
    file_id: int,
    sha256: str,
    pages: int,
    source: str,
    at: datetime,
    stand_in: bool = False,
) -> int:
    return inserted_id(
        conn.execute(
            insert(evidence_documents).values(
                office=office,
                fiscal_year=fiscal_year,
                kind=kind,
                number=number,
                doc_date=day.isoformat() if day else None,
                title_th=title_th,
                title_en=title_en,
                name=name,
                file_id=file_id,
                sha256=sha256,
                pages=pages,
                source=source,
                stand_in=stand_in,
                registered_at=at,
            )
        )
    )


def documents(conn: Connection, office: str, fiscal_year: int) -> list[Document]:
    """The documents on file for a province and fiscal year: the newest of each identity,
    in the order they were first registered."""
    query = (
        select(evidence_documents, files.c.archive_path)
        .join(files, files.c.id == evidence_documents.c.file_id)
        .where(
            (evidence_documents.c.office == office)
            & (evidence_documents.c.fiscal_year == fiscal_year)
        )
        .order_by(evidence_documents.c.id)
    )
    newest: dict[tuple[str, str], Document] = {}
    for row in conn.execute(query):
        found = _document(row)
        newest.pop(found.identity, None)
        newest[found.identity] = found
    return sorted(newest.values(), key=lambda d: (d.kind, d.number or "", d.id))


def registered_with_hash(conn: Connection, office: str, sha256: str) -> Document | None:
    query = (
        select(evidence_documents, files.c.archive_path)
        .join(files, files.c.id == evidence_documents.c.file_id)
        .where((evidence_documents.c.office == office) & (evidence_documents.c.sha256 == sha256))
        .order_by(evidence_documents.c.id)
        .limit(1)
    )
    row = conn.execute(query).first()
    return _document(row) if row else None


def _document(row: Row) -> Document:
    return Document(
        row.id,
        row.office,
        row.fiscal_year,
        row.kind,
        row.number,
        date.fromisoformat(row.doc_date) if row.doc_date else None,
        row.title_th or "",
        row.title_en or "",
        row.name,
        row.file_id,
        row.sha256,
        row.pages,
        row.source,
        bool(row.stand_in),
        row.registered_at,
        row.archive_path,
    )


# -- facts for KPI 2 -------------------------------------------------------------------


@dataclass(frozen=True)
class TargetsFact:
    activities: int
    quantity: float
    budget: float
    source: str | None
    set_at: datetime | None


def province_targets(conn: Connection, fiscal_year: int, office: str) -> TargetsFact:
    """The province's targets from the budget document (scope `province`)."""
    query = select(
        func.count(),
        func.sum(targets.c.quantity),
        func.sum(targets.c.budget),
        func.max(targets.c.source),
        func.max(targets.c.set_at),
    ).where(
        (targets.c.fiscal_year == fiscal_year)
        & (targets.c.scope == "province")
        & (targets.c.office == office)
    )
    count, quantity, budget, source, set_at = conn.execute(query).one()
    if isinstance(set_at, str):  # an aggregate may come back untyped
        set_at = datetime.fromisoformat(set_at)
    return TargetsFact(count or 0, quantity or 0.0, budget or 0.0, source, set_at)


def allocated_offices(conn: Connection, fiscal_year: int) -> dict[str, tuple[int, float]]:
    """office → (activities with a share, budget allocated), from the accepted allocation."""
    query = (
        select(targets.c.office, func.count(), func.sum(targets.c.budget))
        .where((targets.c.fiscal_year == fiscal_year) & (targets.c.scope == "allocated"))
        .group_by(targets.c.office)
    )
    return {office: (count, budget or 0.0) for office, count, budget in conn.execute(query)}


@dataclass(frozen=True)
class SubmissionFact:
    office: str
    kind: str
    period: str
    version: int
    state: str
    late: bool
    accepted_at: datetime
    file_name: str
    submission_id: int
    file_id: int


def latest_fact(conn: Connection, office: str, kind: str, period: str) -> SubmissionFact | None:
    row = latest_submission(conn, office, kind, period)
    return _named_fact(conn, row) if row else None


def monthly_facts(
    conn: Connection, period: str, offices: Collection[str]
) -> dict[str, SubmissionFact]:
    """office → its latest accepted monthly version for the period, of `offices` (a province's:
    the country's 955 offices would be read for each province); their files' names in one query."""
    latest = latest_by_office(conn, "monthly", period, offices)
    ids = [row.file_id for row in latest.values()]
    names = dict(conn.execute(select(files.c.id, files.c.name).where(files.c.id.in_(ids))).all())
    return {office: _fact(row, names.get(row.file_id) or "") for office, row in latest.items()}


def _named_fact(conn: Connection, row: Row) -> SubmissionFact:
    return _fact(row, conn.scalar(select(files.c.name).where(files.c.id == row.file_id)) or "")


def _fact(row: Row, name: str) -> SubmissionFact:
    return SubmissionFact(
        row.office,
        row.kind,
        row.period,
        row.version,
        row.state,
        bool(row.late),
        row.accepted_at,
        name,
        row.id,
        row.file_id,
    )


def confirmed_at(
    conn: Connection, office: str, period: str
) -> tuple[SubmissionFact | None, datetime | None]:
    """The province's confirmation to the centre of a period (its confirm workbook, EOP018 +
    EOP019): the latest confirmed version and when it was confirmed; (None, None) if none."""
    query = (
        select(submissions)
        .where(
            (submissions.c.office == office)
            & (submissions.c.kind == "confirm")
            & (submissions.c.period == period)
            & (submissions.c.state == "confirmed")
        )
        .order_by(submissions.c.version.desc())
        .limit(1)
    )
    row = conn.execute(query).first()
    if row is None:
        return None, None
    return _named_fact(conn, row), state_reached_at(conn, row, "confirmed") or row.accepted_at


def monthly_versions(conn: Connection, office: str, period: str) -> list[Row]:
    """Every accepted version of an office's monthly workbook for a period, newest first."""
    query = (
        select(submissions)
        .where(
            (submissions.c.office == office)
            & (submissions.c.kind == "monthly")
            & (submissions.c.period == period)
        )
        .order_by(submissions.c.version.desc())
    )
    return list(conn.execute(query))
