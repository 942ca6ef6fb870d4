"""Files received, their findings, submissions with versions, results, issued workbooks, job runs."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    CursorResult,
    Row,
    Select,
    and_,
    bindparam,
    func,
    insert,
    select,
    update,
)

from ledger.schema import files, findings, issued, job_runs, results, submissions

# -- files -----------------------------------------------------------------------
# The statements taking and judging run for every file are built once, with bound
# parameters: building one costs more than SQLite takes to answer it, 878 times in a round.
ADD_FILE = insert(files)
ALREADY_TAKEN = select(files).where(
    (files.c.office == bindparam("office"))
    & (files.c.name == bindparam("name"))
    & (files.c.sha256 == bindparam("sha256"))
    & (files.c.dropped_mtime == bindparam("mtime"))
)


def inserted_id(result: CursorResult[Any]) -> int:
    """The id the ledger gave the one row just inserted."""
    key = result.inserted_primary_key
    assert key is not None  # an INSERT of one row always has its key
    return int(key[0])


def record_file(conn: Connection, **values: Any) -> int:
    return inserted_id(conn.execute(ADD_FILE, {"status": "received", **values}))


def already_taken(
    conn: Connection, office: str, name: str, sha256: str, mtime: float
) -> Row | None:
    """The same file (name, content, mtime) recorded before: its removal from drop/ was cut short."""
    return conn.execute(
        ALREADY_TAKEN, {"office": office, "name": name, "sha256": sha256, "mtime": mtime}
    ).first()


ACCEPTED_WITH_HASH = (
    select(files)
    .where(
        (files.c.office == bindparam("office"))
        & (files.c.sha256 == bindparam("sha256"))
        & (files.c.status == "accepted")
        & (files.c.id < bindparam("before_id"))
    )
    .order_by(files.c.id)
    .limit(1)
)
FILE_ROW = select(files).where(files.c.id == bindparam("file_id"))


def accepted_with_hash(conn: Connection, office: str, sha256: str, before_id: int) -> Row | None:
    return conn.execute(
        ACCEPTED_WITH_HASH, {"office": office, "sha256": sha256, "before_id": before_id}
    ).first()


def file_row(conn: Connection, file_id: int) -> Row:
    return conn.execute(FILE_ROW, {"file_id": file_id}).one()


def files_to_judge(conn: Connection) -> list[Row]:
    return list(
        conn.execute(select(files).where(files.c.status == "received").order_by(files.c.id))
    )


def files_to_answer(conn: Connection) -> list[Row]:
    return list(
        conn.execute(
            select(files)
            .where((files.c.status != "received") & files.c.answered_at.is_(None))
            .order_by(files.c.id)
        )
    )


def mark_answered(conn: Connection, file_id: int, at: datetime) -> None:
    conn.execute(update(files).where(files.c.id == file_id).values(answered_at=at))


STORE_JUDGEMENT = update(files).where(
    files.c.id == bindparam("judged_file")
)  # the columns set come with the values


def store_judgement(
    conn: Connection, file_id: int, *, status: str, at: datetime, found: list[dict], **facts: Any
) -> None:
    conn.execute(
        STORE_JUDGEMENT, {"judged_file": file_id, "status": status, "judged_at": at, **facts}
    )
    if found:
        conn.execute(insert(findings), [{"file_id": file_id, **f} for f in found])


def findings_of(conn: Connection, file_id: int) -> list[dict]:
    query = select(findings).where(findings.c.file_id == file_id).order_by(findings.c.id)
    return [
        {k: v for k, v in row._mapping.items() if k not in ("id", "file_id")}
        for row in conn.execute(query)
    ]


def received_since(conn: Connection, since: datetime | None) -> list[Row]:
    query = select(files).order_by(files.c.id)
    if since is not None:
        query = query.where(files.c.received_at >= since)
    return list(conn.execute(query))


def rejected_attempts(conn: Connection, kind: str, period: str) -> dict[str, int]:
    query = (
        select(files.c.office, func.count())
        .where((files.c.status == "rejected") & (files.c.kind == kind) & (files.c.period == period))
        .group_by(files.c.office)
    )
    return dict(conn.execute(query).all())


# -- submissions -----------------------------------------------------------------
LATEST_SUBMISSION = (
    select(submissions)
    .where(
        (submissions.c.office == bindparam("office"))
        & (submissions.c.kind == bindparam("kind"))
        & (submissions.c.period == bindparam("period"))
    )
    .order_by(submissions.c.version.desc())
    .limit(1)
)
SUBMISSION = select(submissions).where(submissions.c.id == bindparam("submission_id"))
ADD_SUBMISSION = insert(submissions).returning(*submissions.c)  # the new row at once


def latest_submission(conn: Connection, office: str, kind: str, period: str) -> Row | None:
    return conn.execute(
        LATEST_SUBMISSION, {"office": office, "kind": kind, "period": period}
    ).first()


def add_submission(
    conn: Connection,
    *,
    office: str,
    kind: str,
    period: str,
    file_id: int,
    state: str,
    reporter: str | None,
    late: bool,
    at: datetime,
) -> Row:
    previous = latest_submission(conn, office, kind, period)
    version = previous.version + 1 if previous else 1
    return conn.execute(
        ADD_SUBMISSION,
        {
            "office": office,
            "kind": kind,
            "period": period,
            "version": version,
            "file_id": file_id,
            "state": state,
            "reporter": reporter,
            "late": late,
            "accepted_at": at,
            "replaces": previous.id if previous else None,
        },
    ).one()


def submission(conn: Connection, submission_id: int) -> Row:
    return conn.execute(SUBMISSION, {"submission_id": submission_id}).one()


def submission_version(conn: Connection, office: str, kind: str, period: str, version: int) -> Row:
    """One version of an office's workbook of a kind for a period."""
    query = select(submissions).where(
        (submissions.c.office == office)
        & (submissions.c.kind == kind)
        & (submissions.c.period == period)
        & (submissions.c.version == version)
    )
    return conn.execute(query).one()


def in_state(conn: Connection, kind: str, state: str) -> list[Row]:
    """Every version of a kind in a state, oldest first."""
    query = select(submissions).where((submissions.c.kind == kind) & (submissions.c.state == state))
    return list(conn.execute(query.order_by(submissions.c.id)))


def latest_by_office(
    conn: Connection, kind: str, period: str, offices: Collection[str] | None = None
) -> dict[str, Row]:
    """office → its newest version of `kind` for `period`; `offices`: those alone (a province's,
    not the whole country's)."""
    chosen = (submissions.c.kind == kind) & (submissions.c.period == period)
    if offices is not None:
        chosen &= submissions.c.office.in_(sorted(offices))
    newest = (
        select(submissions.c.office, func.max(submissions.c.version).label("version"))
        .where(chosen)
        .group_by(submissions.c.office)
        .subquery()
    )
    query = (
        select(submissions)
        .join(
            newest,
            and_(
                submissions.c.office == newest.c.office,
                submissions.c.version == newest.c.version,
            ),
        )
        .where((submissions.c.kind == kind) & (submissions.c.period == period))
    )
    return {row.office: row for row in conn.execute(query)}


def add_results(conn: Connection, submission_id: int, rows: list[dict]) -> None:
    if rows:
        conn.execute(insert(results), [{"submission_id": submission_id, **r} for r in rows])


def results_of(conn: Connection, submission_id: int) -> dict[str, Row]:
    return {
        r.activity: r
        for r in conn.execute(select(results).where(results.c.submission_id == submission_id))
    }


def latest_results_query(mine: ColumnElement[bool], by: str) -> Select:
    """(by, activity, quantity, spending) of the latest version among the submissions `mine`
    selects, one version per value of the column `by` (an office, or a period)."""
    key = submissions.c[by]
    newest = (
        select(key, func.max(submissions.c.version).label("version"))
        .where(mine)
        .group_by(key)
        .subquery()
    )
    return (
        select(key, results.c.activity, results.c.quantity, results.c.spending)
        .join_from(results, submissions, results.c.submission_id == submissions.c.id)
        .join(newest, and_(key == newest.c[by], submissions.c.version == newest.c.version))
        .where(mine)
    )


# An office's latest monthly versions for some periods (built once: judging a national round asks it 878 times).
LATEST_MONTHLY_RESULTS = latest_results_query(
    (submissions.c.office == bindparam("office"))
    & (submissions.c.kind == "monthly")
    & submissions.c.period.in_(bindparam("periods", expanding=True)),
    "period",
)


def monthly_results(conn: Connection, office: str, periods: list[str]) -> dict[str, dict[str, Row]]:
    """period → activity → (quantity, spending), from the latest version of each period's
    monthly workbook (one query, whatever the number of periods)."""
    if not periods:
        return {}
    found: dict[str, dict[str, Row]] = defaultdict(dict)
    for row in conn.execute(LATEST_MONTHLY_RESULTS, {"office": office, "periods": periods}).all():
        found[row[0]][row[1]] = row
    return {period: found[period] for period in periods if period in found}


# -- issued workbooks ------------------------------------------------------------
def record_issued(
    conn: Connection,
    *,
    digest: str,
    kind: str,
    office: str,
    period: str,
    version: str,
    path: str,
    at: datetime,
    prefilled: dict,
) -> None:
    exists = conn.scalar(select(issued.c.digest).where(issued.c.digest == digest))
    if not exists:
        conn.execute(
            insert(issued).values(
                digest=digest,
                kind=kind,
                office=office,
                period=period,
                template_version=version,
                path=path,
                issued_at=at,
                prefilled=json.dumps(prefilled, ensure_ascii=False),
            )
        )


ISSUED = select(issued).where(issued.c.digest == bindparam("digest"))


def issued_snapshot(conn: Connection, digest: str) -> dict | None:
    row = conn.execute(ISSUED, {"digest": digest}).first()
    return {**row._mapping, "prefilled": json.loads(row.prefilled)} if row else None


def issued_prefilled(conn: Connection, kind: str, office: str, period: str) -> list[dict]:
    """What each workbook of a kind issued to an office for a period was prefilled with."""
    query = select(issued.c.prefilled).where(
        (issued.c.kind == kind) & (issued.c.office == office) & (issued.c.period == period)
    )
    return [json.loads(text) for text in conn.scalars(query)]


# -- scheduled jobs --------------------------------------------------------------
def job_done(conn: Connection, job: str, key: str) -> bool:
    query = select(func.count()).where((job_runs.c.job == job) & (job_runs.c.key == key))
    return bool(conn.scalar(query.select_from(job_runs)))


def job_keys_done(conn: Connection, job: str, keys: list[str]) -> set[str]:
    """Which of `keys` the job already ran for: one query (a few hundred keys a time)."""
    done: set[str] = set()
    for start in range(0, len(keys), 500):
        query = select(job_runs.c.key).where(
            (job_runs.c.job == job) & job_runs.c.key.in_(keys[start : start + 500])
        )
        done.update(conn.scalars(query))
    return done


def mark_job_done(conn: Connection, job: str, key: str, at: datetime) -> None:
    conn.execute(insert(job_runs).values(job=job, key=key, ran_at=at))


def job_runs_of(conn: Connection, job: str) -> list[tuple[str, datetime]]:
    """(key, ran_at) of every run of a job, oldest first."""
    query = (
        select(job_runs.c.key, job_runs.c.ran_at)
        .where(job_runs.c.job == job)
        .order_by(job_runs.c.ran_at)
    )
    return [(row.key, row.ran_at) for row in conn.execute(query)]
