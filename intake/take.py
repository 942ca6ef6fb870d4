"""Taking files: archive (fsync) and record before parsing; intake.judging then judges them
from the archive.

A crash at any point loses nothing: a file is removed from drop/ only after the ledger
holds it, and a recorded file not yet judged is judged on the next pass.

Many files at once (the 25th, nationally) are taken as a batch — every copy written, one
sync of the archive's filesystem, one transaction recording them all.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from eop.config import Config
from eop.faults import checkpoint
from intake.archive import (
    ArchiveUnavailable,
    UnreadableDrop,
    archive_copy,
    archive_dir,
    sync_archive,
)
from intake.folders import Waiting
from ledger import Ledger, records
from ledger.db import record_event
from validators.catalogue import finding

__all__ = [
    "ArchiveUnavailable",
    "UnreadableDrop",
    "archive_copy",
    "archive_dir",
    "take",
    "take_all",
]

log = logging.getLogger(__name__)


def take(ledger: Ledger, config: Config, item: Waiting, now: datetime) -> int | None:
    """Archive and record one waiting item, then clear it from drop/. Returns the file id."""
    return take_all(ledger, config, [item], now)[0]


def take_all(
    ledger: Ledger, config: Config, items: Sequence[Waiting], now: datetime
) -> list[int | None]:
    """Archive and record waiting items, then clear them from drop/; returns their file ids.
    Every copy is on disk (synced) before the one transaction that records them all, and a
    file leaves drop/ only once that transaction is committed."""
    ids: dict[int, int | None] = {}
    whole = [(i, item) for i, item in enumerate(items) if item.kind == "file" and item.complete]
    for i, item in enumerate(items):
        if item.kind != "file" or not item.complete:
            try:
                ids[i] = _take_odd(ledger, config, item, now)
            except OSError as exc:
                raise ArchiveUnavailable(archive_dir(config), exc) from exc
    archived, blocked = _archive_all(config, whole, ids)
    if archived:
        with ledger.atomic() as conn:
            for i, item, sha256, stored in archived:
                ids[i] = _record(conn, config, item, sha256, stored, now)
        checkpoint("after-record")
    for _, item, *_ in archived:
        item.path.unlink(missing_ok=True)
    if blocked is not None:
        raise blocked
    return [ids.get(i) for i in range(len(items))]


def _archive_all(
    config: Config, whole: list[tuple[int, Waiting]], ids: dict[int, int | None]
) -> tuple[list[tuple[int, Waiting, str, Path]], ArchiveUnavailable | None]:
    """Each file copied into the archive (one sync for a batch); a file gone meanwhile gets no
    id, one unreadable now waits in drop/, and a full or read-only archive stops them all."""
    archived, blocked = [], None
    for i, item in whole:
        try:
            archived.append(
                (i, item, *archive_copy(item.path, archive_dir(config), sync=len(whole) == 1))
            )
        except FileNotFoundError:  # gone between the scan and now (taken by another pass)
            ids[i] = None
        except UnreadableDrop as exc:  # this file waits in drop/; the others go on
            log.warning("%s", exc)
        except OSError as exc:  # the archive's disk is full or read-only: every file waits in drop/
            blocked = ArchiveUnavailable(archive_dir(config), exc)
            break
        checkpoint("after-archive")
    if len(archived) > 1:
        sync_archive(archive_dir(config), [stored for *_, stored in archived])
    return archived, blocked


def _record(conn, config: Config, item: Waiting, sha256: str, stored: Path, now: datetime) -> int:
    """The archived file in the ledger (once: a removal from drop/ cut short finds it there)."""
    known = records.already_taken(conn, item.office, item.path.name, sha256, item.mtime)
    if known:
        return known.id
    file_id = records.record_file(
        conn,
        sha256=sha256,
        name=item.path.name,
        office=item.office,
        size=item.size,
        dropped_mtime=item.mtime,
        received_at=now,
        archive_path=str(stored.relative_to(config.root)),
    )
    record_event(
        conn,
        now,
        "received",
        office=item.office,
        file_id=file_id,
        file=item.path.name,
        sha256=sha256,
    )
    return file_id


def _take_odd(ledger: Ledger, config: Config, item: Waiting, now: datetime) -> int:
    """A directory, a symlink or a truncated copy: kept aside (never followed) and answered."""
    aside = archive_dir(config) / "aside"
    aside.mkdir(parents=True, exist_ok=True)
    what = {"directory": "โฟลเดอร์ / a folder", "symlink": "ลิงก์ / a link"}.get(item.kind)
    problem = (
        finding("not-a-file", value=item.path.name, expected=what)
        if what
        else finding("truncated", value=item.path.name)
    )
    with ledger.atomic() as conn:
        file_id = records.record_file(
            conn,
            sha256="",
            name=item.path.name,
            office=item.office,
            size=item.size,
            dropped_mtime=item.mtime,
            received_at=now,
            archive_path="",
        )
        target = aside / f"{file_id}-{item.kind}"
        shutil.move(str(item.path), target)
        records.store_judgement(
            conn,
            file_id,
            status="rejected",
            at=now,
            found=[problem.as_dict()],
            archive_path=str(target.relative_to(config.root)),
        )
        record_event(
            conn, now, "rejected", office=item.office, file_id=file_id, codes=[problem.code]
        )
    return file_id
