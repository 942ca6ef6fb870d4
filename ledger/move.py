"""Moving a province's SQLite ledger into an empty PostgreSQL one (`eop move-ledger`).

The order keeps the system of record safe: the target's address is checked, the source is
checked (a SQLite file, a ledger, not from a newer release), the server is reached and
found empty, all before anything is written. Then a consistent snapshot of the SQLite file
is taken through the online backup API (ledger.backup.copy_ledger: `eop serve` may keep
running) into a private folder, and brought to this release's migration level there, never
in place: the rows must fit the tables this release makes on PostgreSQL, and the SQLite
file the operator falls back on stays as it was. The copy is ONE PostgreSQL transaction:
the migrations make the tables, every row goes in, the id sequences are moved past the
copied ids, and both sides are read back and compared (rows per table, and a digest of
every row as the product reads it) before the commit. Anything wrong rolls it all back.

Types: the schema (ledger.schema) reads SQLite's 0/1 as booleans and writes PostgreSQL's
own; the moments (Moment) are ISO text on both engines and travel as the very text stored,
so a comparison of moments in SQL answers the same; JSON is text on both; there are no
blobs. PostgreSQL's INTEGER is 32 bits and its text holds no NUL: a row that does not fit
stops the move with PostgreSQL's reason, and nothing is written.
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import (
    Connection,
    String,
    Table,
    bindparam,
    func,
    insert,
    inspect,
    make_url,
    select,
    text,
    type_coerce,
)
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, DBAPIError

from eop.errors import LedgerUnavailable
from ledger.backup import copy_ledger
from ledger.db import Ledger
from ledger.migrations import MIGRATIONS, migrate
from ledger.schema import Moment, evidence_metadata, metadata

# Every table of the ledger but the migrations' own record (the target's migrations write it)
TABLES: tuple[Table, ...] = tuple(
    t
    for t in (*metadata.sorted_tables, *evidence_metadata.sorted_tables)
    if t.name != "schema_migrations"
)
LEVEL = max(version for version, _, _ in MIGRATIONS)  # this release's migration level
CHUNK = 5000  # rows read and inserted at a time
# rows read as they come (a server-side cursor on PostgreSQL), not a whole table in memory
STREAM = {"stream_results": True, "max_row_buffer": CHUNK}
SQLITE_HEADER = b"SQLite format 3\x00"


class MoveRefused(Exception):
    """The move cannot be done, and nothing was written; the message says why (Thai, English)."""


@dataclass
class Moved:
    counts: dict[str, int]  # rows per table, the same on both sides
    digests: dict[str, str]  # each table's digest, the same on both sides
    upgraded: list[str]  # migrations applied to the snapshot before the copy
    seconds: float


def target_url(given: str) -> URL:
    """The target's URL, refused unless it is PostgreSQL through psycopg."""
    try:
        url = make_url(given)
    except ArgumentError:
        url = None
    if url is None or url.drivername != "postgresql+psycopg":
        raise MoveRefused(
            f"ปลายทางต้องเป็น PostgreSQL (postgresql+psycopg://…) ไม่ใช่ {_shown(given)} — "
            f"the target must be PostgreSQL (postgresql+psycopg://…), not {_shown(given)}"
        )
    return url


def _shown(given: str) -> str:
    """A URL as it may be printed: without its password."""
    try:
        return make_url(given).render_as_string(hide_password=True)
    except ArgumentError:
        return repr(given)


def source_level(path: Path) -> int:
    """The migration level of the SQLite ledger at `path`; refused when there is none, when it
    is not SQLite or not a ledger, or when a newer release wrote it."""
    if not path.is_file():
        raise MoveRefused(f"ไม่พบฐานข้อมูล SQLite ที่ {path} — no SQLite ledger at {path}")
    with path.open("rb") as f:
        if f.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise MoveRefused(f"{path} ไม่ใช่ไฟล์ SQLite — {path} is not an SQLite database")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"schema_migrations", "files", "events"} <= names:
            raise MoveRefused(
                f"{path} เป็น SQLite แต่ไม่ใช่ฐานข้อมูลของ eop — "
                f"{path} is an SQLite database but not an eop ledger"
            )
        level = conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] or 0
    finally:
        conn.close()
    if level > LEVEL:
        raise MoveRefused(
            f"ฐานข้อมูล {path} มาจากรุ่นที่ใหม่กว่า (migration {level}) ติดตั้งรุ่นนั้นก่อน — "
            f"the ledger {path} was written by a newer release (migration {level}, this one "
            f"knows {LEVEL}): move it with that release"
        )
    return int(level)


def held_rows(conn: Connection) -> dict[str, int]:
    """The ledger's tables in the target's schema that hold rows, with their counts."""
    there = set(inspect(conn).get_table_names())
    held = {}
    for table in TABLES:
        if table.name in there and (n := conn.scalar(select(func.count()).select_from(table))):
            held[table.name] = n
    return held


def _refuse_held(conn: Connection, name: str) -> None:
    if held := held_rows(conn):
        listed = ", ".join(f"{t} {n}" for t, n in sorted(held.items()))
        raise MoveRefused(
            f"ฐานข้อมูลปลายทาง {name} มีข้อมูลอยู่แล้ว ({listed}) ไม่เขียนทับ — "
            f"the target {name} already holds rows ({listed}); a system of record is never "
            "overwritten: give an empty database (or schema)"
        )


def check_target(ledger: Ledger) -> None:
    """The server reached, and the target found empty; nothing written."""
    try:
        with ledger.engine.connect() as conn:
            _refuse_held(conn, ledger.name)
    except DBAPIError as exc:
        raise MoveRefused(
            f"ติดต่อ PostgreSQL ที่ {ledger.name} ไม่ได้ — cannot reach PostgreSQL at "
            f"{ledger.name}: {exc.orig}"
        ) from None


@contextmanager
def snapshot(source: Path, folder: Path) -> Iterator[tuple[Ledger, list[str]]]:
    """A consistent copy of the live SQLite ledger in a private folder under `folder`, at this
    release's migration level (the migrations it needed named); removed afterwards."""
    done = _versions(source)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        private = tempfile.TemporaryDirectory(dir=folder, prefix=".move-ledger-")
    except OSError as exc:
        raise _no_snapshot(source, folder, exc) from None
    with private:
        ledger = _snapshot_ledger(source, Path(private.name) / "eop.sqlite3", folder)
        try:
            yield ledger, [name for version, name, _ in MIGRATIONS if version not in done]
        finally:
            ledger.close()


def _snapshot_ledger(source: Path, copy: Path, folder: Path) -> Ledger:
    try:
        copy_ledger(source, copy)
        return Ledger(copy)  # the migrations run on the copy
    except (OSError, sqlite3.Error, LedgerUnavailable) as exc:
        raise _no_snapshot(source, folder, exc) from None


def _no_snapshot(source: Path, folder: Path, exc: Exception) -> MoveRefused:
    return MoveRefused(
        f"ถ่ายสำเนา {source} ไว้ใน {folder} ไม่ได้ ไม่มีสิ่งใดถูกเขียน — the snapshot of {source} "
        f"could not be taken in {folder} (disk full, no permission?): {exc}; nothing was written"
    )


def _versions(path: Path) -> set[int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        return {v for (v,) in conn.execute("SELECT version FROM schema_migrations")}
    finally:
        conn.close()


def _columns(table: Table) -> list:
    """The columns as read for copying and comparing: moments as the text stored."""
    return [
        type_coerce(c, String).label(c.name) if isinstance(c.type, Moment) else c for c in table.c
    ]


def _insert(table: Table):
    """An INSERT of every column, moments bound as the text read."""
    return insert(table).values(
        {
            c.name: bindparam(c.name, type_=String() if isinstance(c.type, Moment) else c.type)
            for c in table.c
        }
    )


def copy_table(src: Connection, dst: Connection, table: Table) -> int:
    """Every row of `table`, in chunks; the rows copied."""
    copied = 0
    result = src.execute(select(*_columns(table)), execution_options=STREAM)
    statement = _insert(table)
    while chunk := [dict(row._mapping) for row in result.fetchmany(CHUNK)]:
        dst.execute(statement, chunk)
        copied += len(chunk)
    return copied


def move_sequence(dst: Connection, table: Table) -> None:
    """The table's id sequence past the copied ids, so that the next row gets a new one."""
    if "id" in table.c and (top := dst.scalar(select(func.max(table.c.id)))):
        dst.execute(
            text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"),
            {"t": table.name, "v": top},
        )


def digest(conn: Connection, table: Table) -> tuple[int, str]:
    """The rows of `table` and a digest of them, the same on either engine: each row hashed as
    read (booleans as booleans, moments as their text), the hashes summed, so the order the
    rows come in (each engine's collation of text keys) does not matter."""
    rows = total = 0
    result = conn.execute(select(*_columns(table)), execution_options=STREAM)
    while chunk := result.fetchmany(CHUNK):
        for row in chunk:
            rows += 1
            total += int.from_bytes(hashlib.sha256(repr(tuple(row)).encode()).digest(), "big")
    return rows, f"{total % 2**256:064x}"


def compare(src: Connection, dst: Connection) -> tuple[dict[str, int], dict[str, str]]:
    """Both sides read back table by table; refused at the first that differs."""
    counts, digests = {}, {}
    for table in TABLES:
        (n, mine), (m, theirs) = digest(src, table), digest(dst, table)
        if (n, mine) != (m, theirs):
            raise MoveRefused(
                f"สำเนาใน PostgreSQL ไม่ตรงกับต้นฉบับที่ตาราง {table.name} ({n} / {m} แถว) "
                f"ยกเลิกทั้งหมด — the copy differs from the source in {table.name} ({n} rows "
                f"in SQLite, {m} in PostgreSQL, or their content): nothing was written"
            )
        counts[table.name], digests[table.name] = n, mine
    return counts, digests


def copy_all(src: Connection, dst: Connection) -> None:
    migrate(dst)  # the tables, in the same transaction as the rows
    for table in TABLES:
        copy_table(src, dst, table)
        move_sequence(dst, table)


def move(source: Path, url: str, folder: Path) -> Moved:
    """The SQLite ledger at `source` into the empty PostgreSQL ledger at `url`, verified, in
    one transaction; the snapshot is kept under `folder` while it lasts."""
    started = time.monotonic()
    target_url(url)
    source_level(source)
    target = Ledger(url, migrations=False)
    try:
        check_target(target)
        with snapshot(source, folder) as (copy, upgraded):
            counts, digests = _transfer(copy, target)
    finally:
        target.close()
    return Moved(counts, digests, upgraded, time.monotonic() - started)


def _transfer(copy: Ledger, target: Ledger) -> tuple[dict[str, int], dict[str, str]]:
    try:
        with copy.reading() as src, target.atomic() as dst:
            _refuse_held(dst, target.name)  # again, under the writer lock
            copy_all(src, dst)
            return compare(src, dst)
    except (DBAPIError, LedgerUnavailable) as exc:
        reason = getattr(exc, "orig", None) or exc
        raise MoveRefused(
            f"คัดลอกไม่สำเร็จ ไม่มีสิ่งใดถูกเขียน — the copy failed and nothing was written: {reason}"
        ) from None


def changed_since(source: Path, counts: dict[str, int]) -> list[str]:
    """The tables of the live SQLite ledger whose rows are no longer those counted in the
    snapshot (`eop serve` wrote meanwhile): what was written after it is not in PostgreSQL."""
    conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return [
            table
            for table, n in counts.items()
            if (
                conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                if table in names
                else 0
            )
            != n
        ]
    finally:
        conn.close()


def config_url(url: str) -> tuple[str, bool]:
    """The URL to put in config.yaml: without its password (kept in ~/.pgpass or
    PGPASSWORD); and whether there was one."""
    parsed = make_url(url)
    bare = parsed._replace(password=None)  # URL.set(password=None) would keep it
    return bare.render_as_string(hide_password=False), bool(parsed.password)
