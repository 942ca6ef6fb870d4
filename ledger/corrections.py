"""Corrections read by the file they came in: the province's correction workbook opens one
correction per row (ledger.workflow.open_correction records the file with each event)."""

from __future__ import annotations

import json

from sqlalchemy import Connection, Row, select

from ledger.schema import corrections, events


def opened_by_file(conn: Connection, file_id: int) -> list[Row]:
    """The corrections a correction workbook opened, in its rows' order."""
    query = select(events.c.detail).where(
        (events.c.event == "correction-opened") & (events.c.file_id == file_id)
    )
    ids = [json.loads(detail)["correction"] for detail in conn.scalars(query.order_by(events.c.id))]
    if not ids:
        return []
    rows = conn.execute(select(corrections).where(corrections.c.id.in_(ids)))
    return sorted(rows, key=lambda row: ids.index(row.id))
