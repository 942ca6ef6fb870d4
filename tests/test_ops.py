"""Running as a service: the systemd unit, `eop health`, one log line per event, and
`eop backup` / `eop restore` while `eop serve` takes files."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO
from live_service import (
    Service,
    all_answered_and_sent,
    batch_files,
    build_march,
    drop_batch,
    set_config,
    wait_until,
)

EOP = Path(sys.executable).parent / "eop"
UNIT = REPO / "deploy" / "eop.service"


def eop(config: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(EOP), "--config", str(config), "--now", "2015-03-25T10:00", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def records(database: Path) -> dict[str, list[tuple]]:
    """Every row of every table, in order: what 'record for record' compares."""
    conn = sqlite3.connect(database)
    try:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: conn.execute(f'SELECT * FROM "{n}" ORDER BY rowid').fetchall() for n in names}
    finally:
        conn.close()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_the_unit_file_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    """The unit as shipped, pointed at this machine's eop and user (verify checks both)."""
    import grp
    import os
    import pwd

    user, group = pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
    text = UNIT.read_text(encoding="utf-8")
    assert "ExecStart=/srv/eop/.venv/bin/eop serve" in text and "EOP_CONFIG=" in text
    local = (
        text.replace("/srv/eop/.venv/bin/eop", str(EOP))
        .replace("/srv/eop", str(tmp_path))
        .replace("User=eop", f"User={user}")
        .replace("Group=eop", f"Group={group}")
    )
    unit = tmp_path / "eop.service"
    unit.write_text(local, encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    unit.write_text(local.replace("ExecStart=", "ExecStrat="), encoding="utf-8")
    broken = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True
    )
    assert broken.returncode != 0 and "ExecStrat" in broken.stderr  # verify does read it


def test_a_job_run_is_one_line_of_the_event_log(allocated, caplog) -> None:
    from conftest import at, process

    with caplog.at_level(logging.INFO, logger="eop.events"):
        process(allocated, at(2015, 3, 25, 8))
    assert "job issue-monthly key=2558-03 count=14" in caplog.messages


def test_health_without_a_service_says_so(demo_config_path: Path) -> None:
    assert eop(demo_config_path, "init").returncode == 0
    done = eop(demo_config_path, "health")
    assert done.returncode == 1
    assert "eop serve is not running" in done.stderr and "ไม่ได้ทำงาน" in done.stderr


def test_backup_while_serving_restores_record_for_record(tmp_path: Path) -> None:
    base = tmp_path / "live"
    base.mkdir()
    config = build_march(base)
    files = batch_files(base)
    set_config(config, watch={"mode": "inotify", "stable_seconds": 0.2})
    root = base / "var"
    service = Service(config, "--tick", "1")
    try:
        service.wait_for_line("watching")
        names = drop_batch(type("T", (), {"files": files})(), root)
        during = tmp_path / "backup-during"
        taken = eop(config, "backup", str(during))  # while the files are being taken
        assert taken.returncode == 0, taken.stderr
        assert "backed up" in taken.stdout
        wait_until(lambda: all_answered_and_sent(root, names), 120, "every file answered", service)
        wait_until(lambda: eop(config, "health").returncode == 0, 20, "healthy", service)
        assert "ok" in eop(config, "health").stdout
        log = "\n".join(service.err)
        for event in ("taken office=", "verdict office=", "mail sent id="):
            assert event in log, (event, log[-2000:])
        assert all(" eop.events: " in line for line in service.err if "office=" in line)
    finally:
        assert service.stop() == 0
    stopped = eop(config, "health")
    assert stopped.returncode == 1 and "has stopped" in stopped.stderr

    final = tmp_path / "backup-final"
    assert eop(config, "backup", str(final)).returncode == 0
    again = eop(config, "backup", str(final))  # the same place again: nothing new to copy
    assert " 0 file(s) copied" in again.stdout, again.stdout
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    fresh_config = fresh / "config.yaml"
    shutil.copy(final / "config.yaml", fresh_config)
    restored = eop(fresh_config, "restore", str(final))
    assert restored.returncode == 0, restored.stderr
    live, back = records(root / "eop.sqlite3"), records(fresh / "var" / "eop.sqlite3")
    assert back == live and sum(map(len, live.values())) > 100
    for archived, _ in _paths(root / "eop.sqlite3"):
        assert (fresh / "var" / archived).read_bytes() == (root / archived).read_bytes()
    refused = eop(fresh_config, "restore", str(final))
    assert refused.returncode == 1 and "--force" in refused.stderr

    mid = tmp_path / "mid"
    mid.mkdir()
    shutil.copy(final / "config.yaml", mid / "config.yaml")
    assert eop(mid / "config.yaml", "restore", str(during)).returncode == 0
    snapshot = records(mid / "var" / "eop.sqlite3")
    assert snapshot["events"] == live["events"][: len(snapshot["events"])]  # a true prefix
    for archived, spool in _paths(mid / "var" / "eop.sqlite3"):
        assert (mid / "var" / archived).is_file() and (
            spool is None or (mid / "var" / spool).is_file()
        )


def _paths(database: Path) -> list[tuple[str, str | None]]:
    conn = sqlite3.connect(database)
    try:
        files = [(a, None) for (a,) in conn.execute("SELECT archive_path FROM files")]
        spools = [
            (a, s)
            for (a, s) in conn.execute(
                "SELECT f.archive_path, o.spool_path FROM outbox o JOIN files f ON f.id = o.file_id"
            )
        ]
        return files + spools
    finally:
        conn.close()
