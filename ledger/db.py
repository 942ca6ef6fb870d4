"""The ledger's connection: SQLite in WAL mode, one transaction per unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import OperationalError

# record_event is named here too: kpi/ and intake/ import it from ledger.db
from ledger.events import record_event as record_event
from ledger.migrations import migrate

# Answers that cannot change while a read snapshot lasts (the activity catalogue), kept
# for its length in conn.info[SNAPSHOT_CACHE]; see snapshot_cache.
SNAPSHOT_CACHE = "eop.snapshot-cache"


def snapshot_cache(conn: Connection) -> dict | None:
    """A dict that lives as long as the connection's read snapshot (Ledger.reading); None in
    a writing transaction, where what was read may change."""
    return conn.info.get(SNAPSHOT_CACHE)


class LedgerUnavailable(Exception):
    """The ledger cannot be written (disk full, read-only, locked); try again later."""

    permanent = False


def _engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see `_begin`)
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # IMMEDIATE takes the write lock up front: two workers never interleave a claim.
        # A reading transaction (Ledger.reading) takes no lock: WAL gives it a snapshot.
        conn.exec_driver_sql(
            "BEGIN" if conn.get_execution_options().get("eop_reading") else "BEGIN IMMEDIATE"
        )

    return engine


class Ledger:
    def __init__(self, path: Path, *, migrations: bool = True) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.engine = _engine(path)
        if migrations:  # a worker process opening a ledger its parent migrated skips this
            with self.atomic() as conn:
                migrate(conn)

    @contextmanager
    def atomic(self) -> Iterator[Connection]:
        """One transaction: everything inside is written, or nothing."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except OperationalError as exc:
            raise LedgerUnavailable(
                f"บันทึกลงฐานข้อมูล {self.path} ไม่ได้ — the ledger {self.path} cannot be written: {exc.orig}"
            ) from exc

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """One consistent snapshot to read from, without the write lock, so that long work
        that only reads (judging a workbook against the ledger) never holds up a writer.
        Writing through it is refused (PRAGMA query_only)."""
        try:
            with self.engine.connect() as conn:
                raw = conn.connection.dbapi_connection  # outside SQLAlchemy's transaction
                assert raw is not None  # a connection just checked out of the pool
                raw.execute("PRAGMA query_only=ON")
                conn.info[SNAPSHOT_CACHE] = {}
                try:
                    with conn.execution_options(eop_reading=True).begin():
                        yield conn
                finally:
                    conn.info.pop(SNAPSHOT_CACHE, None)
                    raw.execute("PRAGMA query_only=OFF")
        except OperationalError as exc:
            raise LedgerUnavailable(
                f"อ่านฐานข้อมูล {self.path} ไม่ได้ — the ledger {self.path} cannot be read: {exc.orig}"
            ) from exc

    def close(self) -> None:
        self.engine.dispose()
