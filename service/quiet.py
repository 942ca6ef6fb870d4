"""Nothing to do, known without doing it: an idle `eop process` in a few stat calls.

A pass that found nothing to do leaves a note beside config.yaml (`.config.yaml.idle.json`)
of what it looked at: the config file, the ledger's SQLite files (the WAL's header too, which
changes whenever the WAL starts over), every folder offices drop into (nothing in them but
names intake ignores), the evidence files config declares, and this product's own files. It
also notes until when nothing falls due by time alone: the next midnight in Bangkok (every
calendar job turns due at the start of a day, see service.calendar) or the next mail's
attempt, whichever comes first. The next `eop process` that finds all of it as noted, before
that moment, does what the noted pass did: nothing, without loading the config's models, the
ledger's SQLAlchemy or the judging stack. Anything else (a write to the ledger by any command,
a dropped file, config touched, the clock past the moment, a PostgreSQL ledger, a fault
injected for a test) and the pass runs whole.

Checking needs only the standard library; noting runs after a whole pass (all loaded)."""

from __future__ import annotations

import json
import os
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eop.clock import BANGKOK
from intake.folders import is_ignored_name

if TYPE_CHECKING:
    from jobs.deployment import Deployment
    from service.process import PassReport

WAL_HEADER = 32  # magic, version, page size, checkpoint sequence, salts, checksum
SKIPPED_FOLDERS = ("returned",)  # what the service gives back: never read as input
# Settings under which a pass must run whole: another ledger, or crash points for the fault tests.
WHOLE_PASS_ENV = ("EOP_LEDGER_URL", "EOP_FAULT_AT")


def note_path(config_path: Path) -> Path:
    path = config_path.absolute()
    return path.parent / f".{path.name}.idle.json"


def _stat(path: Path) -> list[int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return [found.st_ino, found.st_size, found.st_mtime_ns]


def _wal_head(ledger: Path) -> str | None:
    try:
        with open(f"{ledger}-wal", "rb") as handle:
            return handle.read(WAL_HEADER).hex()
    except OSError:
        return None


def _listing(folder: str) -> list[str] | None:
    try:
        return sorted(os.listdir(folder))
    except OSError:
        return None


def snapshot(config: Path, ledger: Path, folders: list[str], files: list[str]) -> dict[str, Any]:
    """What a pass reads that can change while time stands still."""
    return {
        "config": [str(config.absolute()), _stat(config)],
        "product": _stat(Path(__file__)),  # a new version installed: its migrations must run
        "ledger": [str(ledger), _stat(ledger), _stat(Path(f"{ledger}-wal")), _wal_head(ledger)],
        "folders": {folder: _listing(folder) for folder in folders},
        "files": {name: _stat(Path(name)) for name in files},
    }


def is_quiet(config_path: Path, now: datetime) -> bool:
    """True when the last pass found nothing to do and nothing it read has changed since."""
    if any(os.environ.get(name) for name in WHOLE_PASS_ENV):
        return False
    try:
        note = json.loads(note_path(config_path).read_text(encoding="utf-8"))
        since, until = (datetime.fromisoformat(note[k]) for k in ("since", "until"))
        if not since <= now < until:
            return False
        seen = note["seen"]
        again = snapshot(
            config_path, Path(seen["ledger"][0]), list(seen["folders"]), list(seen["files"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return again == seen


def forget(config_path: Path) -> None:
    try:
        note_path(config_path).unlink(missing_ok=True)
    except OSError:
        pass


# -- noting, after a whole pass -------------------------------------------------------------
def watched(deployment: Deployment) -> dict[str, Any] | None:
    """The snapshot for this deployment now; None when it cannot be taken (PostgreSQL, or a
    config built in memory). The ledger is closed first (it opens again when next used): the
    last connection's close folds the WAL into the file, as it will be when the next command
    looks."""
    config = deployment.config
    ledger = deployment.ledger.path
    if ledger is None or config.source is None:
        return None
    deployment.ledger.close()
    return snapshot(config.source, ledger, _input_folders(deployment.root), _declared(deployment))


def _input_folders(root: Path) -> list[str]:
    """Every folder under share/<office>/ but what the service gives back."""
    found = []
    for office in sorted(os.scandir(root / "share"), key=lambda e: e.name):
        if office.is_dir(follow_symlinks=False):
            found += sorted(
                entry.path
                for entry in os.scandir(office.path)
                if entry.is_dir(follow_symlinks=False) and entry.name not in SKIPPED_FOLDERS
            )
    return found


def _declared(deployment: Deployment) -> list[str]:
    # Imported here: intake.documents is the PDF side of intake, loaded only by a whole pass.
    from intake.documents import declared_files, declared_path

    config = deployment.config
    return sorted({str(declared_path(config, ref)) for _, ref in declared_files(config)})


def did_nothing(report: PassReport) -> bool:
    return not (report.jobs or report.verdicts or report.answered or report.sent or report.waiting)


def note(deployment: Deployment, before: dict[str, Any] | None, report: PassReport) -> None:
    """After a whole pass: note it when it did nothing and nothing changed while it ran;
    otherwise forget any older note (the next pass runs whole and notes then)."""
    source = deployment.config.source
    if source is None:
        return
    after = watched(deployment)
    idle = after is not None and after == before and did_nothing(report)
    if after is None or not idle or any(os.environ.get(name) for name in WHOLE_PASS_ENV):
        forget(source)
        return
    if any(
        not is_ignored_name(name) for names in after["folders"].values() for name in names or []
    ):
        forget(source)  # a file left waiting (not yet due by its quiet time) needs a whole pass
        return
    now = deployment.now()
    until = min(filter(None, (_next_midnight(now), _next_mail(deployment))))
    deployment.ledger.close()  # as it was when the snapshot was taken
    text = json.dumps({"since": now.isoformat(), "until": until.isoformat(), "seen": after})
    try:
        path = note_path(source)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass  # a read-only config folder: every pass runs whole, as before


def _next_midnight(now: datetime) -> datetime:
    here = now.astimezone(BANGKOK)
    return datetime.combine(here.date() + timedelta(days=1), time(0), BANGKOK)


def _next_mail(deployment: Deployment) -> datetime | None:
    # Imported here: the ledger's queries (SQLAlchemy) are loaded by a whole pass only.
    from ledger.mail import next_attempt

    with deployment.ledger.atomic() as conn:
        return next_attempt(conn)
