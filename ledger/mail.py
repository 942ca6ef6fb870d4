"""The outbox table: what is waiting, who claimed it, what was sent. Knows no e-mail format.

States: queued → sending → sent | failed; a transient failure puts `sending` back to `queued`.
While a row is `sending`, `next_attempt_at` holds the end of the sender's lease: a sender that
crashed leaves a `sending` row whose lease runs out, and the row becomes due again.
Times are compared in Python, not in SQL: `Moment` is ISO text, and text order is not time
order across offsets.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, Row, insert, select, update

from ledger.records import inserted_id
from ledger.schema import outbox

DUE_STATES = ("queued", "sending")


def exists(conn: Connection, dedupe_key: str) -> bool:
    return conn.scalar(select(outbox.c.id).where(outbox.c.dedupe_key == dedupe_key)) is not None


def add(
    conn: Connection,
    *,
    dedupe_key: str,
    message_id: str,
    kind: str,
    recipients: Sequence[str],
    subject: str,
    spool_path: str,
    now: datetime,
    file_id: int | None = None,
    office: str | None = None,
) -> int:
    """A queued row, due at once; returns its id."""
    result = conn.execute(
        insert(outbox).values(
            dedupe_key=dedupe_key,
            message_id=message_id,
            kind=kind,
            recipients=json.dumps(list(recipients), ensure_ascii=False),
            subject=subject,
            spool_path=spool_path,
            state="queued",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            file_id=file_id,
            office=office,
        )
    )
    return inserted_id(result)


def get(conn: Connection, row_id: int) -> Row | None:
    return conn.execute(select(outbox).where(outbox.c.id == row_id)).first()


def by_state(conn: Connection, *states: str) -> list[Row]:
    """Rows in any of `states` (all rows when none given), oldest first."""
    query = select(outbox).order_by(outbox.c.id)
    if states:
        query = query.where(outbox.c.state.in_(states))
    return list(conn.execute(query))


def due(conn: Connection, now: datetime) -> list[Row]:
    """Queued rows whose time has come and `sending` rows whose lease ran out, earliest first."""
    rows = [r for r in by_state(conn, *DUE_STATES) if r.next_attempt_at <= now]
    return sorted(rows, key=lambda r: (r.next_attempt_at, r.id))


def next_attempt(conn: Connection) -> datetime | None:
    """When the earliest message not yet sent (queued, or a sender's lease) falls due; None
    when none waits."""
    query = select(outbox.c.next_attempt_at).where(outbox.c.state.in_(DUE_STATES))
    return min(conn.scalars(query), default=None)


def claim(conn: Connection, row: Row, lease_until: datetime) -> bool:
    """Take `row` for sending if nobody changed it since it was read (state and attempts as seen)."""
    result = conn.execute(
        update(outbox)
        .where(
            outbox.c.id == row.id, outbox.c.state == row.state, outbox.c.attempts == row.attempts
        )
        .values(state="sending", attempts=outbox.c.attempts + 1, next_attempt_at=lease_until)
    )
    return result.rowcount == 1


def mark_sent(
    conn: Connection,
    row_id: int,
    now: datetime,
    note: str | None = None,
    spool_path: str | None = None,
) -> bool:
    """Sent; `spool_path`: where the sent copy now lies (the queue keeps only what is to send)."""
    moved = {"spool_path": spool_path} if spool_path else {}
    result = conn.execute(
        update(outbox)
        .where(outbox.c.id == row_id, outbox.c.state == "sending")
        .values(state="sent", sent_at=now, last_error=note, **moved)
    )
    return result.rowcount == 1


def mark_retry(conn: Connection, row_id: int, error: str, next_attempt_at: datetime) -> bool:
    result = conn.execute(
        update(outbox)
        .where(outbox.c.id == row_id, outbox.c.state == "sending")
        .values(state="queued", last_error=error, next_attempt_at=next_attempt_at)
    )
    return result.rowcount == 1


def mark_failed(conn: Connection, row_id: int, error: str, now: datetime) -> bool:
    result = conn.execute(
        update(outbox)
        .where(outbox.c.id == row_id, outbox.c.state == "sending")
        .values(state="failed", last_error=error, next_attempt_at=now)
    )
    return result.rowcount == 1


def release_orphans(conn: Connection, now: datetime) -> int:
    """Rows left `sending` by a sender that is known to be dead are due again now (attempts
    kept, the interruption noted); returns how many. Only a sender that holds the senders'
    lock exclusively may call this (see outbox.deliver.sending)."""
    result = conn.execute(
        update(outbox)
        .where(outbox.c.state == "sending")
        .values(
            state="queued",
            next_attempt_at=now,
            last_error="การส่งถูกขัดจังหวะ ส่งใหม่ — interrupted while sending (the sender stopped); sent again",
        )
    )
    return result.rowcount


def requeue_failed(conn: Connection, now: datetime) -> int:
    """Failed rows get a fresh set of attempts (after the cause was fixed); returns how many."""
    result = conn.execute(
        update(outbox)
        .where(outbox.c.state == "failed")
        .values(state="queued", attempts=0, next_attempt_at=now)
    )
    return result.rowcount
