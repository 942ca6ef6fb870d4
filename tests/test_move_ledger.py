"""`eop move-ledger`: a province's SQLite ledger moved into an empty PostgreSQL ledger (README
"One ledger for several hosts"). The source is the ledger an earlier release wrote
(tests/fixtures/upgrade: files, findings, submissions, results, mail, issued workbooks, jobs,
events); after the move the product on PostgreSQL shows what it showed on SQLite, and goes on
from there. Every refusal says why in Thai and English, exits 1 and writes nothing."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO
from live_service import Service, wait_until
from sqlalchemy import update

from ledger.db import Ledger
from ledger.move import MoveRefused, changed_since, compare, copy_all, held_rows, move
from ledger.schema import files
from service.health import read_beat

EOP = Path(sys.executable).parent / "eop"
FIXTURE = REPO / "tests" / "fixtures" / "upgrade"
NOW = "2015-03-26T10:00"  # March's entry window, as tests/test_upgrade.py
THAI = re.compile(r"[\u0E00-\u0E7F]")
CORRECTION = (
    *("correction", "open", "--office", "7101", "--period", "2558-02", "--memo", "12/2558"),
    *("--approved-by", "นายสมชาย ใจดี", "--memo-date", "2015-03-20", "--to-centre"),
)


def eop(config: Path, *args: str, url: str | None = None) -> subprocess.CompletedProcess:
    """The installed command on `config`'s deployment; its ledger is `url` when given."""
    env = {k: v for k, v in os.environ.items() if k != "EOP_LEDGER_URL"}
    if url is not None:
        env["EOP_LEDGER_URL"] = url
    return subprocess.run(
        [str(EOP), "--config", str(config), "--now", NOW, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def seen(config: Path, url: str | None = None) -> dict:
    """What an operator reads of the ledger: every file received, and March's status."""
    shown = {}
    for name, args in (("received", ["received", "--json"]), ("status", ["status", "--json"])):
        done = eop(config, *args, url=url)
        assert done.returncode == 0, done.stderr
        shown[name] = json.loads(done.stdout)
    return shown


def refused(done: subprocess.CompletedProcess, *words: str) -> None:
    """Exit 1, a message in Thai and English naming `words`, no traceback."""
    assert done.returncode == 1, done.stdout + done.stderr
    assert THAI.search(done.stderr) and all(w in done.stderr for w in words), done.stderr
    assert "Traceback" not in done.stderr and "moved" not in done.stdout


@pytest.fixture
def target(postgres_server) -> Iterator[tuple[str, str]]:
    """A fresh, empty PostgreSQL ledger: its schema's name and its URL."""
    name, url = postgres_server.ledger()
    yield name, url
    postgres_server.drop(name)


def tables_in(server, schema: str) -> dict[str, int]:
    with server.admin() as conn:
        names = [
            n
            for (n,) in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (schema,),
            )
        ]
        return {n: conn.execute(f"SELECT count(*) FROM {schema}.{n}").fetchone()[0] for n in names}


def old_deployment(tmp_path: Path, name: str = "old") -> tuple[Path, Path]:
    """The earlier release's deployment, copied: its config and its SQLite ledger."""
    shutil.copytree(FIXTURE, tmp_path / name)
    return tmp_path / name / "config.yaml", tmp_path / name / "var" / "eop.sqlite3"


def test_the_moved_ledger_shows_the_same_records_and_goes_on(
    tmp_path: Path, postgres_server, target
) -> None:
    schema, url = target
    config, database = old_deployment(tmp_path)
    untouched = hashlib.sha256(database.read_bytes()).hexdigest()

    # a password given (the test server trusts its socket) is never printed: config.yaml
    # gets the URL without it, and the operator is told where it belongs
    done = eop(config, "move-ledger", "--to", url.replace("eop@", "eop:s3cret@"))
    assert done.returncode == 0, done.stderr
    assert "verified" in done.stdout and THAI.search(done.stdout)
    assert "s3cret" not in done.stdout + done.stderr and "~/.pgpass" in done.stdout
    said = re.findall(r"^    ledger_url: (\S+)$|EOP_LEDGER_URL=(\S+)$", done.stdout, re.MULTILINE)
    assert len(said) == 2 and said[0][0] == said[1][1]
    url = said[0][0]  # the line as printed is the one used from here on
    counted = dict(re.findall(r"^(\w+) +(\d+)$", done.stdout, re.MULTILINE))
    in_postgresql = tables_in(postgres_server, schema)
    for table, rows in counted.items():
        assert in_postgresql[table] == int(rows), table
    old = sqlite3.connect(database)
    assert int(counted["files"]) == old.execute("SELECT count(*) FROM files").fetchone()[0] > 0
    assert int(counted["results"]) == old.execute("SELECT count(*) FROM results").fetchone()[0] > 0
    old.close()
    # the earlier release's ledger was brought to this release's level on a copy, not in place
    assert "findings: the activity of the row" in done.stdout
    assert hashlib.sha256(database.read_bytes()).hexdigest() == untouched

    # the product reads the same on both; then a pass on each goes on the same way
    twin = tmp_path / "twin"
    shutil.copytree(tmp_path / "old", twin)  # the same folders, for the PostgreSQL side
    assert seen(twin / "config.yaml", url) == seen(config)
    for side, ledger in ((config, None), (twin / "config.yaml", url)):
        went = eop(side, "process", url=ledger)
        assert went.returncode == 0 and "Error" not in went.stderr, went.stderr
    assert seen(twin / "config.yaml", url) == seen(config)
    grown = tables_in(postgres_server, schema)
    assert grown["events"] > in_postgresql["events"]  # new ids past the copied ones

    again = eop(config, "move-ledger", "--to", url)
    refused(again, "already holds rows", "never overwritten")
    assert tables_in(postgres_server, schema) == grown


def test_a_row_postgresql_cannot_take_writes_nothing(
    tmp_path: Path, postgres_server, target
) -> None:
    """The migrations and the rows are one transaction: a row that does not fit (a size past
    PostgreSQL's 32-bit INTEGER) leaves the target as it was, without even its tables."""
    schema, url = target
    config, database = old_deployment(tmp_path)
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE files SET size = ? WHERE id = (SELECT max(id) FROM files)", (2**40,))
    done = eop(config, "move-ledger", "--to", url)
    refused(done, "nothing was written", "out of range")
    assert tables_in(postgres_server, schema) == {}
    assert not list((tmp_path / "old" / "var").glob(".move-ledger-*"))  # the snapshot is gone


def test_every_refusal_says_why_and_writes_nothing(tmp_path: Path, postgres_server, target) -> None:
    schema, url = target
    config, database = old_deployment(tmp_path)
    before = hashlib.sha256(database.read_bytes()).hexdigest()

    refused(eop(config, "move-ledger", "--to", f"sqlite:///{tmp_path}/x.db"), "must be PostgreSQL")
    refused(eop(config, "move-ledger", "--to", "mysql://db/eop"), "must be PostgreSQL")
    assert not (tmp_path / "x.db").exists()
    away = f"postgresql+psycopg://eop:s3cret@/eop?host={tmp_path / 'no-server'}"
    done = eop(config, "move-ledger", "--to", away)
    refused(done, "cannot reach PostgreSQL", "eop:***@")
    assert "s3cret" not in done.stdout + done.stderr

    not_sqlite = tmp_path / "notes.sqlite3"
    not_sqlite.write_text("not a database", encoding="utf-8")
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE things (id INTEGER)")
    newer = tmp_path / "newer" / "eop.sqlite3"
    newer.parent.mkdir()
    shutil.copy(database, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute(
            "INSERT INTO schema_migrations VALUES (99, 'later', '2030-01-01T00:00:00+00:00')"
        )
    for source, words in (
        (tmp_path / "none.sqlite3", ["no SQLite ledger at"]),
        (not_sqlite, ["is not an SQLite database"]),
        (other, ["not an eop ledger"]),
        (newer, ["newer release", "migration 99"]),
    ):
        refused(eop(config, "move-ledger", "--from", str(source), "--to", url), *words)
    refused(eop(config, "move-ledger", "--to", url, url=url), "on PostgreSQL already")

    assert tables_in(postgres_server, schema) == {}
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before


def _idle(root: Path) -> bool:
    """serve's first pass has ended, and no other has begun."""
    beat = read_beat(root) or {}
    return "pass_ended" in beat and beat["pass_ended"] >= beat.get("pass_started", "")


def test_a_move_while_serve_runs_is_a_rehearsal(tmp_path: Path, postgres_server, target) -> None:
    """The snapshot is taken while `eop serve` runs (SQLite's online backup API); the move is
    verified as any other, and the operator is told it is a rehearsal: what serve records from
    now on stays in SQLite. A correction opened before (a boolean, a memo's date, a moment)
    lists the same from either ledger."""
    schema, url = target
    config, database = old_deployment(tmp_path)
    opened = eop(config, *CORRECTION)  # a kind of record the earlier release had not written
    assert opened.returncode == 0, opened.stderr
    service = Service(config, "--tick", "1", now=NOW)
    try:
        service.wait_for_line("watching")
        wait_until(lambda: _idle(database.parent), 60, "serve's first pass", service)
        done = eop(config, "move-ledger", "--to", url)
        assert done.returncode == 0, done.stderr
        assert "verified" in done.stdout and "rehearsal" in done.stdout
        assert service.alive()
    finally:
        assert service.stop() == 0
    assert tables_in(postgres_server, schema)["events"] > 0
    listed = [eop(config, "correction", "list", "--json", url=u) for u in (None, url)]
    assert all(done.returncode == 0 for done in listed), [done.stderr for done in listed]
    corrections = json.loads(listed[0].stdout)
    assert corrections[0]["to_centre"] is True and corrections[0]["memo_number"] == "12/2558"
    assert json.loads(listed[1].stdout) == corrections


def test_what_serve_writes_after_the_snapshot_is_found(tmp_path: Path, target) -> None:
    """After the move the live SQLite ledger is counted again: a table that grew meanwhile is
    named (the command then says not to switch)."""
    _, url = target
    _, database = old_deployment(tmp_path)
    moved = move(database, url, database.parent)
    assert changed_since(database, moved.counts) == []
    with sqlite3.connect(database) as conn:
        conn.execute("INSERT INTO events (at, event) VALUES ('2015-03-26T10:00:00+07:00', 'x')")
    assert changed_since(database, moved.counts) == ["events"]


def test_the_comparison_finds_a_changed_row(tmp_path: Path, target) -> None:
    """The read-back compares content, not only counts: one boolean turned on PostgreSQL's side
    inside the move's transaction, and the move is refused (and rolled back) on that table."""
    _, url = target
    _, database = old_deployment(tmp_path)
    source, ledger = Ledger(database), Ledger(url, migrations=False)
    try:
        with pytest.raises(MoveRefused, match="differs from the source in files"):
            with source.reading() as src, ledger.atomic() as dst:
                copy_all(src, dst)
                dst.execute(update(files).where(files.c.id == 1).values(late=True))
                compare(src, dst)
        with ledger.engine.connect() as conn:
            assert held_rows(conn) == {}
    finally:
        source.close()
        ledger.close()
