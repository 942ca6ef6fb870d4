"""The audit log: every transition the ledger records is an event (never updated, never deleted).

Its own module, beneath the connection (ledger.db) and the workflow: both use it, neither
through the other.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert

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
