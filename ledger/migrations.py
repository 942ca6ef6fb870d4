"""Named, numbered migrations, recorded in `schema_migrations`; each runs once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, inspect, select, text

from ledger import schema

Migration = tuple[int, str, Callable[[Connection], None]]


def _initial(conn: Connection) -> None:
    schema.metadata.create_all(
        conn, tables=[t for t in schema.metadata.sorted_tables if t.name != "schema_migrations"]
    )


def _workflow(conn: Connection) -> None:
    """Section reviews and corrections (a fresh ledger may have them from migration 1)."""
    schema.metadata.create_all(conn, tables=[schema.reviews, schema.corrections], checkfirst=True)


def _evidence(conn: Connection) -> None:
    """KPI evidence: the documents registered for each province (ledger.evidence)."""
    schema.evidence_documents.create(conn, checkfirst=True)


def _finding_activity(conn: Connection) -> None:
    """Findings name the activity of their row in a column of its own (a fresh ledger has it)."""
    if "activity" not in {c["name"] for c in inspect(conn).get_columns("findings")}:
        conn.execute(text("ALTER TABLE findings ADD COLUMN activity TEXT"))


def _lookups(conn: Connection) -> None:
    """The lookups' indexes (a fresh ledger has them from migration 1)."""
    for index in schema.LOOKUPS:
        index.create(conn, checkfirst=True)


def _event_lookups(conn: Connection) -> None:
    """The events' indexes (a fresh ledger has them from migration 1)."""
    for index in schema.EVENT_LOOKUPS:
        index.create(conn, checkfirst=True)


def _section_kind(conn: Connection) -> None:
    """Sections name their kind, so that one catalogue serves every province (a fresh ledger
    has the column from migration 1)."""
    if "kind" not in {c["name"] for c in inspect(conn).get_columns("offices")}:
        conn.execute(text("ALTER TABLE offices ADD COLUMN kind TEXT"))


MIGRATIONS: list[Migration] = [
    (1, "initial schema", _initial),
    (2, "workflow: reviews and corrections", _workflow),
    (3, "evidence: documents registered for KPI evidence", _evidence),
    (4, "findings: the activity of the row", _finding_activity),
    (5, "indexes: what every pass and every file asks", _lookups),
    (6, "offices: a section's kind (one catalogue for every province)", _section_kind),
    (7, "indexes: the events of a file and of a period", _event_lookups),
]


def migrate(conn: Connection) -> list[str]:
    """Apply what is missing; return the names applied."""
    schema.schema_migrations.create(conn, checkfirst=True)
    done = set(conn.scalars(select(schema.schema_migrations.c.version)))
    applied = []
    for version, name, step in MIGRATIONS:
        if version in done:
            continue
        step(conn)
        conn.execute(
            insert(schema.schema_migrations).values(
                version=version, name=name, applied_at=datetime.now(UTC)
            )
        )
        applied.append(name)
    return applied


def tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())
