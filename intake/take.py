"""Taking files: archive (fsync) and record before parsing, then judge from the archive.

A crash at any point loses nothing: a file is removed from drop/ only after the ledger
holds it, and a recorded file not yet judged is judged on the next pass.

Many files at once (the 25th, nationally) are taken as a batch — every copy written, one
sync of the archive's filesystem, one transaction recording them all — and judged by a
few worker processes, each judging its provinces' files against a snapshot of the ledger
(no lock held while a workbook is read and checked) and writing its verdicts a chunk at a
time. Files of one office are always judged in order, by one worker, each seeing the last.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from eop.config import Config
from eop.durable import fsync_path, sync_filesystem
from eop.faults import checkpoint
from eop.findings import Finding
from eop.workers import can_fork, run_forked, shares_by_province, worker_count
from intake.folders import Waiting
from intake.judge import Judgement, finish_checks, judge_file
from ledger import Ledger, records
from ledger.db import record_event
from validators.catalogue import finding

log = logging.getLogger(__name__)
CHUNK = 1 << 20
PARALLEL_FROM = 24  # files waiting: below this a worker pool costs more than it saves
WRITE_EVERY = 96  # verdicts written per transaction


class ArchiveUnavailable(Exception):
    """The archive cannot be written (disk full, read-only): files wait in drop/; try again later."""

    permanent = False

    def __init__(self, folder: Path, exc: OSError) -> None:
        why = exc.strerror or str(exc)
        super().__init__(
            f"เขียนที่เก็บไฟล์ {folder} ไม่ได้ ({why}) ไฟล์ที่ส่งมายังอยู่ในโฟลเดอร์ drop และจะรับเข้าเมื่อแก้ไขแล้ว — "
            f"the archive {folder} cannot be written ({why}): the dropped files stay in drop/ "
            "and are taken once it is fixed"
        )


class UnreadableDrop(OSError):
    """A dropped file that cannot be read now (permissions, a share's I/O error): it waits in drop/."""


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
        _sync_archive(archive_dir(config), [stored for *_, stored in archived])
    if archived:
        with ledger.atomic() as conn:
            for i, item, sha256, stored in archived:
                known = records.already_taken(conn, item.office, item.path.name, sha256, item.mtime)
                ids[i] = (
                    known.id
                    if known
                    else records.record_file(
                        conn,
                        sha256=sha256,
                        name=item.path.name,
                        office=item.office,
                        size=item.size,
                        dropped_mtime=item.mtime,
                        received_at=now,
                        archive_path=str(stored.relative_to(config.root)),
                    )
                )
                if not known:
                    record_event(
                        conn,
                        now,
                        "received",
                        office=item.office,
                        file_id=ids[i],
                        file=item.path.name,
                        sha256=sha256,
                    )
        checkpoint("after-record")
    for _, item, *_ in archived:
        item.path.unlink(missing_ok=True)
    if blocked is not None:
        raise blocked
    return [ids.get(i) for i in range(len(items))]


def _sync_archive(folder: Path, stored: list[Path]) -> None:
    """Make a batch of copies durable: one syncfs(2) of the archive's filesystem (files and
    folders alike), or an fsync of each file and folder where syncfs is not available."""
    if sync_filesystem(folder):
        return
    for path in stored:
        fsync_path(path)
    for parent in {path.parent for path in stored}:
        fsync_path(parent)


def archive_copy(source: Path, folder: Path, *, sync: bool = True) -> tuple[str, Path]:
    """Copy into the archive under its content hash; fsync file and folder (or leave that to
    the caller, who syncs a whole batch at once). A symlink put in the file's place since the
    scan is not followed (O_NOFOLLOW): it is answered as a link on the next pass."""
    try:
        reader = os.fdopen(os.open(source, os.O_RDONLY | os.O_NOFOLLOW), "rb")
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise UnreadableDrop(
            exc.errno,
            f"อ่านไฟล์ {source} ไม่ได้ ({exc.strerror}) จะลองใหม่รอบถัดไป — "
            f"cannot read the dropped file {source} ({exc.strerror}); tried again next pass",
        ) from exc
    partial = (
        folder / f".incoming-{os.getpid()}-{source.name[:40].encode('utf-8', 'replace').hex()[:40]}"
    )
    digest = hashlib.sha256()
    try:
        with reader:
            folder.mkdir(parents=True, exist_ok=True)
            with partial.open("wb") as writer:
                while chunk := reader.read(CHUNK):
                    digest.update(chunk)
                    writer.write(chunk)
                writer.flush()
                if sync:
                    os.fsync(writer.fileno())
        sha256 = digest.hexdigest()
        suffix = "".join(ch for ch in source.suffix.lower()[:8] if ch.isalnum() or ch == ".")
        target = folder / sha256[:2] / f"{sha256}{suffix}"
        target.parent.mkdir(exist_ok=True)
        if target.exists():
            partial.unlink()
        else:
            os.replace(partial, target)
    except BaseException:  # a full or read-only archive leaves no half-written copy behind
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise
    if sync:
        fsync_path(target.parent)
    return sha256, target


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


def judge_pending(
    ledger: Ledger, config: Config, now: datetime, clock=None, *, workers: int | None = None
) -> list[Verdict]:
    """Judge every recorded file not judged yet (new ones, and any a crash left behind);
    many at once are shared out to worker processes by province."""
    with ledger.atomic() as conn:
        pending = records.files_to_judge(conn)
    when = clock.now if clock else (lambda: now)
    workers = worker_count() if workers is None else workers
    if workers > 1 and len(pending) >= PARALLEL_FROM and can_fork():
        return _judge_in_workers(ledger, config, pending, when(), workers)
    return judge_rows(ledger, config, pending, when)


def judge_one(ledger: Ledger, config: Config, row, now: datetime) -> Verdict:
    return judge_rows(ledger, config, [row], lambda: now)[0]


@dataclass
class _Judged:
    row: object
    now: datetime
    judgement: Judgement | None  # None: a duplicate of `original`
    original: object
    seconds: float


def judge_rows(
    ledger: Ledger, config: Config, rows: Sequence, now: Callable[[], datetime]
) -> list[Verdict]:
    """Judge `rows` in order: each read and checked against a snapshot of the ledger, the
    verdicts written WRITE_EVERY at a time. A file is judged only after every earlier file
    of its office is written, and a file from a province or section office (whose workbook
    may depend on its districts' state, or change their targets) only with nothing unwritten
    before or after it."""
    verdicts: list[Verdict] = []
    unwritten: list[_Judged] = []
    offices: set[str] = set()
    districts = {o.code for o in config.offices if o.level == "district"}
    snapshot = (
        ExitStack()
    )  # one read snapshot for the files of a chunk, closed before it is written
    reading: list = []

    def write() -> None:
        snapshot.close()
        reading.clear()
        if unwritten:
            _finish_checks([item for item in unwritten if item.judgement is not None])
            with ledger.atomic() as conn:
                verdicts.extend(
                    v for v in (_write(conn, item) for item in unwritten) if v is not None
                )
            checkpoint("after-judge-write")
            unwritten.clear()
            offices.clear()

    try:
        for row in rows:
            alone = row.office not in districts
            if alone or row.office in offices or len(unwritten) >= WRITE_EVERY:
                write()
            if not reading:
                reading.append(snapshot.enter_context(ledger.reading()))
            unwritten.append(_judge_read_only(reading[0], config, row, now()))
            offices.add(row.office)
            if alone:
                write()
        write()
    finally:
        snapshot.close()
    return verdicts


def _judge_read_only(conn, config: Config, row, now: datetime) -> _Judged:
    checkpoint("before-judge")
    started = time.perf_counter()
    original = records.accepted_with_hash(conn, row.office, row.sha256, row.id)
    judgement = None if original is not None else _judge_safely(conn, config, row, now)
    return _Judged(row, now, judgement, original, time.perf_counter() - started)


def _finish_checks(items: list[_Judged]) -> None:
    """The value checks of a chunk, run together; each file's share of the time is its own."""
    started = time.perf_counter()
    try:
        finish_checks([item.judgement for item in items])
    except Exception:  # noqa: BLE001 — a fault of ours: find the file it belongs to
        log.exception("checking %d files together failed; checking them one by one", len(items))
        for item in items:
            try:
                finish_checks([item.judgement])
            except Exception:  # noqa: BLE001
                log.exception("checking file %s (%s) failed", item.row.id, item.row.name)
                item.judgement = Judgement([finding("internal-error")])
    for item in items:
        item.seconds += (time.perf_counter() - started) / len(items)


def _write(conn, item: _Judged) -> Verdict | None:
    """Store one verdict (in the caller's transaction); None when the file was judged
    meanwhile by another pass."""
    started = time.perf_counter()
    row, now = item.row, item.now
    if records.file_row(conn, row.id).status != "received":
        return None
    if item.judgement is None:
        original = item.original
        records.store_judgement(
            conn,
            row.id,
            status="duplicate",
            at=now,
            found=[],
            duplicate_of=original.id,
            kind=original.kind,
            period=original.period,
            template_version=original.template_version,
        )
        record_event(
            conn,
            now,
            "duplicate",
            office=row.office,
            kind=original.kind,
            period=original.period,
            file_id=row.id,
        )
        return Verdict(
            row.id,
            row.office,
            row.name,
            "duplicate",
            original.kind,
            original.period,
            0,
            item.seconds + time.perf_counter() - started,
        )
    judgement = item.judgement
    submission_id = None
    if judgement.accepted:
        try:
            with conn.begin_nested():
                submission_id = judgement.store(conn, row.id, now)
        except Exception:  # noqa: BLE001 — a fault of ours while storing: answered, and logged
            log.exception("storing file %s (%s) failed", row.id, row.name)
            judgement = Judgement(
                [finding("internal-error")],
                kind=judgement.kind,
                period=judgement.period,
                template_version=judgement.template_version,
            )
    status = "accepted" if submission_id is not None else "rejected"
    records.store_judgement(
        conn,
        row.id,
        status=status,
        at=now,
        found=[f.as_dict() for f in judgement.findings],
        kind=judgement.kind,
        period=judgement.period,
        template_version=judgement.template_version,
        submission_id=submission_id,
        late=judgement.late,
    )
    record_event(
        conn,
        now,
        status,
        office=row.office,
        kind=judgement.kind,
        period=judgement.period,
        file_id=row.id,
        codes=sorted({f.code for f in judgement.findings}),
    )
    return Verdict(
        row.id,
        row.office,
        row.name,
        status,
        judgement.kind,
        judgement.period,
        len(judgement.findings),
        item.seconds + time.perf_counter() - started,
    )


# -- worker processes ----------------------------------------------------------------
def _judge_in_workers(
    ledger: Ledger, config: Config, pending: Sequence, now: datetime, workers: int
) -> list[Verdict]:
    """The files shared out by province and judged in forked workers, each with its own
    ledger connection."""
    shares = shares_by_province(config, [(row.id, row.office) for row in pending], workers)
    ledger.engine.dispose()  # no open SQLite connection may cross a fork
    results = run_forked(_judge_share, [(config, ledger.url, share, now) for share in shares])
    return sorted((v for share in results for v in share), key=lambda v: v.file_id)


def _judge_share(task: tuple) -> list[Verdict]:
    config, url, file_ids, now = task
    ledger = Ledger(url, migrations=False)
    try:
        with ledger.atomic() as conn:
            rows = [records.file_row(conn, file_id) for file_id in file_ids]
        return judge_rows(ledger, config, [r for r in rows if r.status == "received"], lambda: now)
    finally:
        ledger.close()


def _judge_safely(conn, config: Config, row, now: datetime) -> Judgement:
    """No file can crash the service: a fault of ours is answered as ours, and logged."""
    try:  # judging only reads (a snapshot): whatever it stores is left for the write
        return judge_file(
            conn,
            config,
            row.office,
            config.root / row.archive_path,
            row.name,
            now,
            defer_checks=True,
        )
    except Exception:  # noqa: BLE001 — whatever arrives gets an answer
        log.exception("judging file %s (%s) failed", row.id, row.name)
        problem: Finding = finding("internal-error")
        return Judgement([problem])
