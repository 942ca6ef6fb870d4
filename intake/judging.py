"""Judging the files taken: each read and checked against a snapshot of the ledger (no lock
held while a workbook is read and checked), the monthly value checks of a chunk run together,
and the verdicts written a chunk at a time, each stored by ledger.submissions in the write's
transaction. Many files at once are shared out to forked worker processes by province; files
of one office are always judged in order, by one worker, each seeing the last.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Row

from eop.config import Config
from eop.faults import checkpoint
from eop.workers import can_fork, run_forked, shares_by_province, worker_count
from ledger import Ledger, records, submissions
from ledger.db import record_event
from validators.catalogue import finding

if TYPE_CHECKING:
    from intake.verdict import Verdict

log = logging.getLogger(__name__)
PARALLEL_FROM = 24  # files waiting: below this a worker pool costs more than it saves
WRITE_EVERY = 96  # verdicts written per transaction


@dataclass(frozen=True)
class Outcome:
    """One line of progress: what happened to one file."""

    file_id: int
    office: str
    name: str
    status: str  # accepted | rejected | duplicate
    kind: str | None
    period: str | None
    findings: int
    seconds: float


def judge_pending(
    ledger: Ledger, config: Config, now: datetime, clock=None, *, workers: int | None = None
) -> list[Outcome]:
    """Judge every recorded file not judged yet (new ones, and any a crash left behind);
    many at once are shared out to worker processes by province."""
    with ledger.atomic() as conn:
        pending = records.files_to_judge(conn)
    when = clock.now if clock else (lambda: now)
    workers = worker_count() if workers is None else workers
    if workers > 1 and len(pending) >= PARALLEL_FROM and can_fork():
        return _judge_in_workers(ledger, config, pending, when(), workers)
    return judge_rows(ledger, config, pending, when)


@dataclass
class _Judged:
    row: Row
    now: datetime
    verdict: Verdict | None  # None: a duplicate of `original`
    original: Row | None
    seconds: float


def judge_rows(
    ledger: Ledger, config: Config, rows: Sequence, now: Callable[[], datetime]
) -> list[Outcome]:
    """Judge `rows` in order: each read and checked against a snapshot of the ledger, the
    verdicts written WRITE_EVERY at a time. A file is judged only after every earlier file
    of its office is written, and a file from a province or section office (whose workbook
    may depend on its districts' state, or change their targets) only with nothing unwritten
    before or after it."""
    chunk = _Chunk(ledger, config)
    districts = {o.code for o in config.offices if o.level == "district"}
    try:
        for row in rows:
            alone = row.office not in districts
            if alone or row.office in chunk.offices or len(chunk.unwritten) >= WRITE_EVERY:
                chunk.write()
            chunk.judge(row, now())
            if alone:
                chunk.write()
        chunk.write()
    finally:
        chunk.snapshot.close()
    return chunk.outcomes


class _Chunk:
    """The files judged against one read snapshot and not written yet; the snapshot is closed
    before they are written."""

    def __init__(self, ledger: Ledger, config: Config) -> None:
        self.ledger, self.config = ledger, config
        self.snapshot = ExitStack()
        self.reading: Connection | None = None
        self.unwritten: list[_Judged] = []
        self.offices: set[str] = set()
        self.outcomes: list[Outcome] = []

    def judge(self, row, now: datetime) -> None:
        if self.reading is None:
            self.reading = self.snapshot.enter_context(self.ledger.reading())
        self.unwritten.append(_judge_read_only(self.reading, self.config, row, now))
        self.offices.add(row.office)

    def write(self) -> None:
        self.snapshot.close()
        self.reading = None
        if not self.unwritten:
            return
        _complete([item for item in self.unwritten if item.verdict is not None])
        with self.ledger.atomic() as conn:
            written = (_write(conn, item) for item in self.unwritten)
            self.outcomes.extend(v for v in written if v is not None)
        checkpoint("after-judge-write")
        self.unwritten.clear()
        self.offices.clear()


def _judge_read_only(conn, config: Config, row, now: datetime) -> _Judged:
    checkpoint("before-judge")
    started = time.perf_counter()
    original = records.accepted_with_hash(conn, row.office, row.sha256, row.id)
    verdict = None if original is not None else _judge_safely(conn, config, row, now)
    return _Judged(row, now, verdict, original, time.perf_counter() - started)


def _complete(items: list[_Judged]) -> None:
    from intake.judge import complete  # the judging stack (see _judge_safely)

    """The value checks of a chunk, run together; each file's share of the time is its own."""
    started = time.perf_counter()
    try:
        done = complete([item.verdict for item in items if item.verdict is not None])
    except Exception:  # noqa: BLE001 — a fault of ours: find the file it belongs to
        log.exception("checking %d files together failed; checking them one by one", len(items))
        done = [_complete_one(item) for item in items]
    for item, verdict in zip(items, done, strict=True):
        item.verdict = verdict
        item.seconds += (time.perf_counter() - started) / len(items)


def _complete_one(item: _Judged) -> Verdict:
    from intake.judge import complete
    from intake.verdict import Verdict

    try:
        return complete([item.verdict])[0] if item.verdict is not None else Verdict()
    except Exception:  # noqa: BLE001
        log.exception("checking file %s (%s) failed", item.row.id, item.row.name)
        return Verdict((finding("internal-error"),))


def _write(conn, item: _Judged) -> Outcome | None:
    """Store one verdict (in the caller's transaction); None when the file was judged
    meanwhile by another pass."""
    started = time.perf_counter()
    row, now = item.row, item.now
    if records.file_row(conn, row.id).status != "received":
        return None
    if item.verdict is None:
        return _write_duplicate(conn, item, started)
    verdict, submission_id = _store(conn, item)
    status = "accepted" if submission_id is not None else "rejected"
    records.store_judgement(
        conn,
        row.id,
        status=status,
        at=now,
        found=[f.as_dict() for f in verdict.findings],
        kind=verdict.kind,
        period=verdict.period,
        template_version=verdict.template_version,
        submission_id=submission_id,
        late=verdict.late,
    )
    codes = sorted({f.code for f in verdict.findings})
    record_event(
        conn, now, status, office=row.office, kind=verdict.kind, period=verdict.period,
        file_id=row.id, codes=codes,
    )  # fmt: skip
    seconds = item.seconds + time.perf_counter() - started
    return Outcome(
        row.id, row.office, row.name, status, verdict.kind, verdict.period,
        len(verdict.findings), seconds,
    )  # fmt: skip


def _write_duplicate(conn, item: _Judged, started: float) -> Outcome:
    """The same content as a file this office sent and had accepted: recorded as its duplicate."""
    row, now, original = item.row, item.now, item.original
    assert original is not None
    records.store_judgement(
        conn, row.id, status="duplicate", at=now, found=[], duplicate_of=original.id,
        kind=original.kind, period=original.period, template_version=original.template_version,
    )  # fmt: skip
    record_event(
        conn, now, "duplicate", office=row.office, kind=original.kind, period=original.period,
        file_id=row.id,
    )  # fmt: skip
    seconds = item.seconds + time.perf_counter() - started
    return Outcome(
        row.id, row.office, row.name, "duplicate", original.kind, original.period, 0, seconds
    )


# -- worker processes ----------------------------------------------------------------
def _judge_in_workers(
    ledger: Ledger, config: Config, pending: Sequence, now: datetime, workers: int
) -> list[Outcome]:
    """The files shared out by province and judged in forked workers, each with its own
    ledger connection."""
    shares = shares_by_province(config, [(row.id, row.office) for row in pending], workers)
    if len(shares) == 1:  # one province: a worker would judge them in the same order, alone
        return judge_rows(ledger, config, pending, lambda: now)
    ledger.engine.dispose()  # no open SQLite connection may cross a fork
    results = run_forked(_judge_share, [(config, ledger.url, share, now) for share in shares])
    return sorted((v for share in results for v in share), key=lambda v: v.file_id)


def _judge_share(task: tuple) -> list[Outcome]:
    config, url, file_ids, now = task
    ledger = Ledger(url, migrations=False)
    try:
        with ledger.atomic() as conn:
            rows = [records.file_row(conn, file_id) for file_id in file_ids]
        return judge_rows(ledger, config, [r for r in rows if r.status == "received"], lambda: now)
    finally:
        ledger.close()


def _judge_safely(conn, config: Config, row, now: datetime) -> Verdict:
    """No file can crash the service: a fault of ours is answered as ours, and logged."""
    # Imported here, once a file is to be judged: the judging stack (pandas, pandera, the
    # readers) is most of a start's imports, and a pass with nothing to judge needs none of it.
    from intake.judge import judge_file
    from intake.verdict import Context, Verdict

    try:  # judging only reads (a snapshot): what it would store is left for the write
        context = Context(conn, config, row.office, now)
        return judge_file(context, config.root / row.archive_path, row.name, batched=True)
    except Exception:  # noqa: BLE001 — whatever arrives gets an answer
        log.exception("judging file %s (%s) failed", row.id, row.name)
        return Verdict((finding("internal-error"),))


def _store(conn, item: _Judged) -> tuple[Verdict, int | None]:
    """An accepted verdict's payload stored (a savepoint: a fault of ours while storing is
    answered as ours, and logged); the verdict as it stands, and the submission id."""
    from intake.verdict import Verdict

    verdict = item.verdict
    assert verdict is not None
    if not verdict.accepted or verdict.payload is None:
        return verdict, None
    try:
        with conn.begin_nested():
            return verdict, submissions.store(
                conn,
                verdict.payload,
                file_id=item.row.id,
                at=item.now,
                correction_id=verdict.correction_id,
            )
    except Exception:  # noqa: BLE001
        log.exception("storing file %s (%s) failed", item.row.id, item.row.name)
        fault = Verdict(
            (finding("internal-error"),),
            kind=verdict.kind,
            period=verdict.period,
            template_version=verdict.template_version,
        )
        return fault, None
