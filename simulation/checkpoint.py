"""Checkpoints of a simulated year: after the setup and after each month, what the year
has made so far (the ledger and every file under the data root) and where the simulation
stands (simulation.year's state: its clock, its random draws, the months played). A year
stopped at any moment (a SIGKILL, a reboot, a session's end) goes on with
`eop simulate-year --resume`: the deployment is put back as it was at the last month's end,
and the month that was cut short is played again from its start.

Two slots are written in turn and the state file, written last and atomically, names the
whole one: a year stopped while a checkpoint is being written keeps the one before it.
A country's checkpoint copies only what changed since that slot was last written.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from jobs.deployment import Deployment
from ledger.backup import copy_ledger

STATE = "state.json"
LEDGER = "eop.sqlite3"
DUMP = "ledger.dump"  # a PostgreSQL ledger's schema, pg_dump's custom format
SQLITE_FILES = frozenset({LEDGER, f"{LEDGER}-wal", f"{LEDGER}-shm"})


class CheckpointError(Exception):
    """No checkpoint to go on from, or one that could not be written or put back."""


def save(deployment: Deployment, folder: Path, state: dict[str, Any]) -> float:
    """The deployment (quiet: between passes) and `state` into the slot not named by the
    current state file; then the state file. Returns the seconds it took."""
    started = time.perf_counter()
    current = load(folder).get("slot") if (folder / STATE).is_file() else None
    slot = "b" if current == "a" else "a"
    place = folder / slot
    place.mkdir(parents=True, exist_ok=True)
    ledger = deployment.ledger
    if ledger.path is not None:
        copy_ledger(ledger.path, place / LEDGER)
    else:
        _pg(
            "pg_dump",
            "--format=custom",
            f"--schema={_schema(deployment)}",
            "--file",
            place / DUMP,
            url=ledger.url,
        )
    mirror(deployment.root, place / "files")
    partial = folder / f".{STATE}.part"
    partial.write_text(json.dumps({**state, "slot": slot}, ensure_ascii=False), encoding="utf-8")
    os.sync()  # the slot on disk before the state names it: a reboot, not only a kill
    os.replace(partial, folder / STATE)
    return time.perf_counter() - started


def load(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / STATE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CheckpointError(
            f"ไม่มีจุดพักใน {folder} ให้ทำต่อ (เริ่มปีใหม่โดยไม่ใส่ --resume) — no checkpoint in "
            f"{folder} to go on from; start the year without --resume"
        ) from None


def restore(folder: Path, root: Path, ledger_url: str | None) -> None:
    """The last checkpoint's ledger and files back into `root`; before the deployment is
    opened, with nothing else using the ledger. `ledger_url`: None for the SQLite file under
    `root`."""
    place = folder / load(folder)["slot"]
    if ledger_url is None:
        copy_ledger(place / LEDGER, root / LEDGER)
    else:  # its tables dropped and made again as they were
        _pg(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            _libpq(ledger_url),
            place / DUMP,
        )
    mirror(place / "files", root)


def mirror(source: Path, target: Path) -> int:
    """Make `target` hold exactly the folders and files under `source`, the SQLite ledger's
    files at the top left out on both sides (the ledger is copied on its own): new or changed
    files copied (size and modification time compared), others removed. Returns the files
    copied."""
    copied, wanted = 0, set()
    for folder, _, names in os.walk(source):
        here = Path(folder)
        (target / here.relative_to(source)).mkdir(parents=True, exist_ok=True)
        for name in names:
            relative = (here / name).relative_to(source)
            if _is_ledger(relative):
                continue
            wanted.add(relative)
            copied += _copy_if_changed(source / relative, target / relative)
    for folder, dirs, names in os.walk(target, topdown=False):
        here = Path(folder)
        for name in names:
            relative = (here / name).relative_to(target)
            if relative not in wanted and not _is_ledger(relative):
                (here / name).unlink()
        for name in dirs:
            if not (source / (here / name).relative_to(target)).is_dir():
                (here / name).rmdir()
    return copied


def _is_ledger(relative: Path) -> bool:
    return len(relative.parts) == 1 and relative.name in SQLITE_FILES


def _copy_if_changed(path: Path, to: Path) -> int:
    have, there = path.stat(), to.stat() if to.exists() else None
    if there and (there.st_size, there.st_mtime_ns) == (have.st_size, have.st_mtime_ns):
        return 0
    shutil.copy2(path, to)  # the modification time kept: the next comparison holds
    return 1


# -- PostgreSQL: the ledger's schema through pg_dump and pg_restore --------------------
def _schema(deployment: Deployment) -> str:
    from sqlalchemy import text

    with deployment.ledger.reading() as conn:
        return str(conn.scalar(text("SELECT current_schema()")))


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as libpq takes it (its host, socket and options kept)."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg(program: str, *args: object, url: str | None = None) -> None:
    found = shutil.which(program) or max(
        glob.glob(f"/usr/lib/postgresql/*/bin/{program}"), default=None
    )
    if found is None:
        raise CheckpointError(
            f"ไม่พบโปรแกรม {program} ของ PostgreSQL (แพ็กเกจ postgresql-client) — PostgreSQL's "
            f"{program} is not installed (the postgresql-client package)"
        )
    command = [found, *map(str, args)] + (["--dbname", _libpq(url)] if url else [])
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise CheckpointError(
            f"{program} ทำงานไม่สำเร็จ — {program} failed: {done.stderr.strip()[-500:]}"
        )
