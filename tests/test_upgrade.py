"""The upgrade path: a ledger, archive and mail spool written by an earlier release
(tests/fixtures/upgrade, made by tests/fixtures/make_upgrade.py; its RELEASE says which)
open under this code with every record kept and the missing migrations applied."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import REPO

from ledger.migrations import MIGRATIONS

EOP = Path(sys.executable).parent / "eop"
FIXTURE = REPO / "tests" / "fixtures" / "upgrade"


def records(database: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(database)
    try:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: conn.execute(f'SELECT * FROM "{n}" ORDER BY rowid').fetchall() for n in names}
    finally:
        conn.close()


def process(config: Path) -> None:
    """`eop process` in March's entry window: the new release opens the old ledger."""
    done = subprocess.run(
        [str(EOP), "--config", str(config), "--now", "2015-03-26T10:00", "process"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


def test_the_previous_release_opens_with_every_record_kept(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path / "old")
    config = tmp_path / "old" / "config.yaml"
    database = tmp_path / "old" / "var" / "eop.sqlite3"
    before = records(database)
    assert before["files"] and before["submissions"] and before["events"]

    process(config)
    after = records(database)
    for table, rows in before.items():
        width = len(rows[0]) if rows else 0  # a column a migration adds comes last
        kept = {r[:width] for r in after[table]}
        assert [r for r in rows if r not in kept] == [], f"{table}: records lost or changed"
    assert after["events"][: len(before["events"])] == before["events"]
    versions = {row[0] for row in after["schema_migrations"]}
    assert versions == {version for version, _, _ in MIGRATIONS}

    root = tmp_path / "old" / "var"
    for _, sha256, archived in sqlite3.connect(database).execute(
        "SELECT id, sha256, archive_path FROM files"
    ):
        assert hashlib.sha256((root / archived).read_bytes()).hexdigest() == sha256

    spools = sqlite3.connect(database).execute(
        "SELECT spool_path FROM outbox WHERE file_id IS NOT NULL"
    )
    assert all((root / spool).is_file() for (spool,) in spools)

    status = subprocess.run(
        [
            str(EOP),
            "--config",
            str(config),
            "--now",
            "2015-03-26T10:00",
            "status",
            "--period",
            "2558-03",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert status.returncode == 0, status.stderr
    assert "7101" in status.stdout and "7105" in status.stdout


def test_an_upgraded_ledger_asks_its_lookups_through_indexes(tmp_path: Path) -> None:
    """A ledger holding years answers a file's questions as a new one does: the previous
    release's ledger gains the lookups' and the events' indexes, and SQLite's planner uses them (and still
    the sha256 index for a file's accepted twin, not the status of nearly every file)."""
    shutil.copytree(FIXTURE, tmp_path / "old")
    config = tmp_path / "old" / "config.yaml"
    database = tmp_path / "old" / "var" / "eop.sqlite3"
    process(config)
    conn = sqlite3.connect(database)

    def plan(query: str, *values: object) -> str:
        return " ".join(row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {query}", values))

    assert "ix_reviews_office_period" in plan(
        "SELECT * FROM reviews WHERE office = ? AND period = ? ORDER BY id", "7101", "2558-03"
    )
    assert "ix_files_answered_at" in plan(
        "SELECT * FROM files WHERE status != ? AND answered_at IS NULL ORDER BY id", "received"
    )
    assert "ix_files_sha256" in plan(
        "SELECT * FROM files WHERE office = ? AND sha256 = ? AND status = 'accepted' AND id < ?",
        "7101",
        "0" * 64,
        10,
    )
    # when a submission reached a state (ledger.workflow.state_reached_at: every KPI progress
    # asks it of each confirmed month), and a period's lock: through an index, not a read of
    # every event (SQLite, without statistics, may take either of the two for the first)
    assert "USING INDEX ix_events_" in plan(
        "SELECT at FROM events WHERE event = ? AND office = ? AND kind = ? AND period = ?"
        " AND file_id = ? ORDER BY id DESC LIMIT 1",
        *("confirmed", "71", "confirm", "2558-03", 7),
    )
    assert "USING COVERING INDEX ix_events_period_event" in plan(
        "SELECT count(*) FROM events WHERE event = ? AND period = ?", "locked", "2558-03"
    )
