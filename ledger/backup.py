"""Backup and restore of a deployment's record while `eop serve` runs: the ledger through
SQLite's online backup API (one consistent snapshot; writers are not held up in WAL mode),
then the folders the ledger points into (archive, outbox spool, reports, evidence).

The ledger first, the files after: the service writes a file before the row naming it, so
every file the snapshot names is already there when the folders are copied. The archive is
content-addressed and never rewritten, so a second backup into the same place copies only
what is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

LEDGER = "eop.sqlite3"
FOLDERS = ("archive", "outbox", "reports", "evidence")
MANIFEST = "backup.json"


@dataclass
class Copied:
    ledger: Path
    files: int  # copied this time
    kept: int  # already there
    at: str


def copy_ledger(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database, written beside `target` then renamed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)  # all pages in one step: one snapshot, whatever writers do meanwhile
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
    finally:
        dst.close()
        src.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(partial, target)


def copy_missing(source: Path, target: Path) -> tuple[int, int]:
    """Copy every file under `source` that `target` lacks (or holds at another size);
    names starting with a dot (half-written) are left out. Returns (copied, kept)."""
    copied = kept = 0
    if not source.is_dir():
        return 0, 0
    for folder, dirs, names in os.walk(source):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if name.startswith("."):
                continue
            path = Path(folder) / name
            to = target / path.relative_to(source)
            try:
                size = path.stat().st_size
            except FileNotFoundError:  # sent and removed meanwhile
                continue
            if to.exists() and to.stat().st_size == size:
                kept += 1
                continue
            to.parent.mkdir(parents=True, exist_ok=True)
            partial = to.with_name(f".{to.name}.part")
            try:
                shutil.copy2(path, partial)
            except FileNotFoundError:
                continue
            os.replace(partial, to)
            copied += 1
    return copied, kept


def backup(root: Path, dest: Path, config_path: Path | None = None) -> Copied:
    """The ledger, then the folders, then the config, into `dest`; a manifest says when."""
    dest.mkdir(parents=True, exist_ok=True)
    copy_ledger(root / LEDGER, dest / LEDGER)
    copied = kept = 0
    for name in FOLDERS:
        done, there = copy_missing(root / name, dest / name)
        copied, kept = copied + done, kept + there
    if config_path and config_path.exists():
        shutil.copy2(config_path, dest / "config.yaml")
    report = Copied(dest / LEDGER, copied, kept, datetime.now(UTC).isoformat(timespec="seconds"))
    (dest / MANIFEST).write_text(json.dumps(asdict(report), default=str), encoding="utf-8")
    return report


def restore(source: Path, root: Path) -> Copied:
    """A backup back into a deployment's data root (the service stopped)."""
    if not (source / LEDGER).is_file():
        raise FileNotFoundError(source / LEDGER)
    root.mkdir(parents=True, exist_ok=True)
    copy_ledger(source / LEDGER, root / LEDGER)
    copied = kept = 0
    for name in FOLDERS:
        done, there = copy_missing(source / name, root / name)
        copied, kept = copied + done, kept + there
    return Copied(root / LEDGER, copied, kept, datetime.now(UTC).isoformat(timespec="seconds"))
