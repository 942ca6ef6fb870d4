"""The ledger's connection, one transaction per unit of work: SQLite in WAL mode (one
province on one machine, the default) or PostgreSQL (several hosts, one ledger) by URL.

Both keep one writer at a time: SQLite by BEGIN IMMEDIATE, PostgreSQL by a transaction-level
advisory lock taken as a writing transaction begins (WRITER_LOCK). The units of work were
written for one writer (check, then insert), so they stay correct on either; what takes long
(reading and judging a workbook) runs in a reading snapshot that takes no lock: SQLite's WAL
snapshot, or PostgreSQL's REPEATABLE READ READ ONLY."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import OperationalError

from eop.errors import LedgerUnavailable as LedgerUnavailable  # named there for the CLI

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


# The advisory lock every writing transaction takes on PostgreSQL (any constant: ours alone).
WRITER_LOCK = 0x456F7053  # "EopS"
WAIT_MS = 30000  # as SQLite's busy timeout: a writer waits this long, then the ledger is busy


def _engine(url: str) -> Engine:
    if url.startswith("postgresql"):
        return _postgresql(url)
    engine = create_engine(url, connect_args={"timeout": 30})

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


def _postgresql(url: str) -> Engine:
    given = make_url(url).query.get("options", "")  # the URL's own settings (a search_path) kept
    options = f"-c lock_timeout={WAIT_MS} {given if isinstance(given, str) else ' '.join(given)}"
    engine = create_engine(url, connect_args={"options": options.strip()})

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # psycopg has begun the transaction; its first statement settles what kind it is.
        options = conn.get_execution_options()
        if options.get("eop_claim"):
            return  # Ledger.exclusive: autocommit, no writer lock
        if options.get("eop_reading"):
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        else:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK})")

    return engine


class Ledger:
    """The ledger at `where`: a SQLite file's path, or a URL (sqlite:/// or
    postgresql+psycopg://). `path` is the SQLite file (None on PostgreSQL); `url` opens the
    same ledger again (a worker process); `name` shows it without a password."""

    def __init__(self, where: Path | str, *, migrations: bool = True) -> None:
        url = make_url(f"sqlite:///{where}" if isinstance(where, Path) else where)
        self.url = url.render_as_string(hide_password=False)
        self.name = url.render_as_string(hide_password=True)
        self.sqlite = url.get_backend_name() == "sqlite"
        self.path = Path(url.database) if self.sqlite and url.database else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.name = str(self.path)
        self.engine = _engine(self.url)
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
                f"บันทึกลงฐานข้อมูล {self.name} ไม่ได้ — the ledger {self.name} cannot be written: {exc.orig}"
            ) from exc

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """One consistent snapshot to read from, without the write lock, so that long work
        that only reads (judging a workbook against the ledger) never holds up a writer.
        Writing through it is refused (SQLite's PRAGMA query_only, PostgreSQL's READ ONLY)."""
        try:
            with self.engine.connect() as conn:
                raw = conn.connection.dbapi_connection  # outside SQLAlchemy's transaction
                assert raw is not None  # a connection just checked out of the pool
                if self.sqlite:
                    raw.execute("PRAGMA query_only=ON")
                conn.info[SNAPSHOT_CACHE] = {}
                try:
                    with conn.execution_options(eop_reading=True).begin():
                        yield conn
                finally:
                    conn.info.pop(SNAPSHOT_CACHE, None)
                    if self.sqlite:
                        raw.execute("PRAGMA query_only=OFF")
        except OperationalError as exc:
            raise LedgerUnavailable(
                f"อ่านฐานข้อมูล {self.name} ไม่ได้ — the ledger {self.name} cannot be read: {exc.orig}"
            ) from exc

    @contextmanager
    def exclusive(self, name: str) -> Iterator[bool]:
        """Whether this process alone holds `name` among the hosts sharing the ledger, for as
        long as the block lasts: a PostgreSQL session advisory lock, tried without waiting and
        let go when the block ends or the process dies (its connection closes), so a host
        killed mid-job leaves nothing to expire. On SQLite (one host) always True."""
        if self.sqlite:
            yield True
            return
        with self.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT", eop_claim=True)
            key = conn.scalar(text("SELECT hashtextextended(:name, 0)"), {"name": name})
            held = conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
            try:
                yield bool(held)
            finally:
                if held:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})

    def close(self) -> None:
        self.engine.dispose()
