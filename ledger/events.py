"""The audit log: every transition the ledger records is an event (never updated, never deleted).

Its own module, beneath the connection (ledger.db) and the workflow: both use it, neither
through the other.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from ledger import schema


def record_event(
    conn: Connection,
    at: datetime,
    name: str,
    *,
    office: str | None = None,
    kind: str | None = None,
    period: str | None = None,
    actor: str | None = None,
    file_id: int | None = None,
    **detail: Any,
) -> None:
    """Append to the audit log (never updated, never deleted)."""
    conn.execute(
        _ADD_EVENT,
        {
            "at": at,
            "event": name,
            "office": office,
            "kind": kind,
            "period": period,
            "actor": actor,
            "file_id": file_id,
            "detail": json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
        },
    )


_ADD_EVENT = insert(schema.events)  # built once: every file judged and answered writes events


def jobs_failing(conn: Connection) -> list[dict[str, Any]]:
    """The jobs whose last run for a key failed inside (a `job-failed` event with no
    `job-ran-again` after it for the same job and key), oldest first."""
    log = schema.events
    rows = conn.execute(
        select(log.c.event, log.c.at, log.c.detail)
        .where(log.c.event.in_(("job-failed", "job-ran-again")))
        .order_by(log.c.id)
    )
    last: dict[tuple[str, str], tuple[str, Any, dict]] = {}
    for event, at, detail in rows:
        facts = json.loads(detail or "{}")
        last[(facts.get("job", ""), facts.get("key", ""))] = (event, at, facts)
    return [
        {"job": job, "key": key, "at": at, "error": facts.get("error", "")}
        for (job, key), (event, at, facts) in last.items()
        if event == "job-failed"
    ]
