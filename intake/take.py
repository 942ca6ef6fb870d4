"""Taking files: archive (fsync) and record before parsing, then judge from the archive.

A crash at any point loses nothing: a file is removed from drop/ only after the ledger
holds it, and a recorded file not yet judged is judged on the next pass.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from eop.config import Config
from eop.findings import Finding
from intake.folders import Waiting
from intake.judge import Judgement, judge_file
from ledger import Ledger, records
from ledger.db import record_event
from validators.catalogue import finding

log = logging.getLogger(__name__)
CHUNK = 1 << 20


@dataclass(frozen=True)
class Verdict:
    """One line of progress: what happened to one file."""

    file_id: int
    office: str
    name: str
    status: str  # accepted | rejected | duplicate
    kind: str | None
    period: str | None
    findings: int
    seconds: float


def archive_dir(config: Config) -> Path:
    return config.root / "archive"


def take(ledger: Ledger, config: Config, item: Waiting, now: datetime) -> int | None:
    """Archive and record one waiting item, then clear it from drop/. Returns the file id."""
    if item.kind != "file" or not item.complete:
        return _take_odd(ledger, config, item, now)
    sha256, stored = _archive(item.path, archive_dir(config))
    with ledger.atomic() as conn:
        known = records.already_taken(conn, item.office, item.path.name, sha256, item.mtime)
        file_id = known.id if known else records.record_file(
            conn, sha256=sha256, name=item.path.name, office=item.office, size=item.size,
            dropped_mtime=item.mtime, received_at=now, archive_path=str(stored.relative_to(config.root)),
        )
        if not known:
            record_event(conn, now, "received", office=item.office, file_id=file_id, file=item.path.name, sha256=sha256)
    item.path.unlink(missing_ok=True)
    return file_id


def _archive(source: Path, folder: Path) -> tuple[str, Path]:
    """Copy into the archive under its content hash; fsync file and folder."""
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".incoming-{os.getpid()}-{source.name[:40].encode('utf-8', 'replace').hex()[:40]}"
    digest = hashlib.sha256()
    with source.open("rb") as reader, partial.open("wb") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            writer.write(chunk)
        writer.flush()
        os.fsync(writer.fileno())
    sha256 = digest.hexdigest()
    suffix = "".join(ch for ch in source.suffix.lower()[:8] if ch.isalnum() or ch == ".")
    target = folder / sha256[:2] / f"{sha256}{suffix}"
    target.parent.mkdir(exist_ok=True)
    if target.exists():
        partial.unlink()
    else:
        os.replace(partial, target)
    _fsync_dir(target.parent)
    return sha256, target


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _take_odd(ledger: Ledger, config: Config, item: Waiting, now: datetime) -> int:
    """A directory, a symlink or a truncated copy: kept aside (never followed) and answered."""
    aside = archive_dir(config) / "aside"
    aside.mkdir(parents=True, exist_ok=True)
    what = {"directory": "โฟลเดอร์ / a folder", "symlink": "ลิงก์ / a link"}.get(item.kind)
    problem = finding("not-a-file", value=item.path.name, expected=what) if what else finding("truncated", value=item.path.name)
    with ledger.atomic() as conn:
        file_id = records.record_file(conn, sha256="", name=item.path.name, office=item.office, size=item.size,
                                      dropped_mtime=item.mtime, received_at=now, archive_path="")
        target = aside / f"{file_id}-{item.kind}"
        shutil.move(str(item.path), target)
        records.store_judgement(conn, file_id, status="rejected", at=now, found=[problem.as_dict()], archive_path=str(target.relative_to(config.root)))
        record_event(conn, now, "rejected", office=item.office, file_id=file_id, codes=[problem.code])
    return file_id


def judge_pending(ledger: Ledger, config: Config, now: datetime, clock=None) -> list[Verdict]:
    """Judge every recorded file not judged yet (new ones, and any a crash left behind)."""
    with ledger.atomic() as conn:
        pending = records.files_to_judge(conn)
    return [judge_one(ledger, config, row, clock.now() if clock else now) for row in pending]


def judge_one(ledger: Ledger, config: Config, row, now: datetime) -> Verdict:
    import time

    started = time.perf_counter()
    with ledger.atomic() as conn:
        original = records.accepted_with_hash(conn, row.office, row.sha256, row.id)
        if original is not None:
            records.store_judgement(conn, row.id, status="duplicate", at=now, found=[], duplicate_of=original.id,
                                    kind=original.kind, period=original.period, template_version=original.template_version)
            record_event(conn, now, "duplicate", office=row.office, kind=original.kind, period=original.period, file_id=row.id)
            return Verdict(row.id, row.office, row.name, "duplicate", original.kind, original.period, 0, time.perf_counter() - started)
        judgement = _judge_safely(conn, config, row, now)
        status = "accepted" if judgement.accepted else "rejected"
        submission_id = judgement.store(conn, row.id, now) if judgement.accepted else None
        records.store_judgement(
            conn, row.id, status=status, at=now, found=[f.as_dict() for f in judgement.findings],
            kind=judgement.kind, period=judgement.period, template_version=judgement.template_version,
            submission_id=submission_id, late=judgement.late,
        )
        record_event(conn, now, status, office=row.office, kind=judgement.kind, period=judgement.period, file_id=row.id,
                     codes=sorted({f.code for f in judgement.findings}))
    return Verdict(row.id, row.office, row.name, status, judgement.kind, judgement.period, len(judgement.findings),
                   time.perf_counter() - started)


def _judge_safely(conn, config: Config, row, now: datetime) -> Judgement:
    """No file can crash the service: a fault of ours is answered as ours, and logged."""
    try:
        with conn.begin_nested():
            return judge_file(conn, config, row.office, config.root / row.archive_path, row.name, now)
    except Exception:  # noqa: BLE001 — whatever arrives gets an answer
        log.exception("judging file %s (%s) failed", row.id, row.name)
        problem: Finding = finding("internal-error")
        return Judgement([problem])
