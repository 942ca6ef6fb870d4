"""Is the service alive? `eop serve` writes a heartbeat (var/heartbeat.json) before and after
every pass; `eop health` reads it with the ledger and says, in one line, what is wrong:
no service running, a pass stuck or failing, the watcher dead, files not judged, mail not
leaving. The event log: one line per thing that happened (file taken, verdict, mail sent,
job run), on the `eop.events` logger, which `eop serve` sends to stderr (journald).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from ledger import Ledger
from ledger.events import jobs_failing
from ledger.schema import files, outbox

events = logging.getLogger("eop.events")

HEARTBEAT = "heartbeat.json"
STUCK_PASS = timedelta(minutes=15)  # a pass longer than this is stuck
STUCK_FILE = timedelta(minutes=10)  # a file taken but not judged for this long
STUCK_MAIL = timedelta(hours=2)  # mail due but not sent for this long (SMTP down)


def wall() -> datetime:
    """Liveness is measured on the machine's clock, whatever time the deployment pretends."""
    return datetime.now(UTC)


def beat(root: Path, **facts: object) -> None:
    """Write the heartbeat atomically (the health check may read it at any moment)."""
    path = root / HEARTBEAT
    previous = read_beat(root) or {}
    data = previous | facts | {"pid": os.getpid(), "at": wall().isoformat()}
    partial = path.with_name(f".{HEARTBEAT}.part")
    try:
        partial.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:
        # A full or read-only disk must not stop the pass: the pass says what is wrong in
        # its own words, and `eop health` sees the heartbeat grow old.
        logging.getLogger(__name__).debug("heartbeat not written: %s", exc)
        partial.unlink(missing_ok=True)


def beating(
    root: Path, tick: float, run_pass: Callable[[], int], watcher_alive: Callable[[], bool]
) -> Callable[[], int]:
    """`run_pass` with a heartbeat before and after it (and the error, when it fails)."""

    def run() -> int:
        beat(root, pass_started=wall(), tick=tick, watcher=watcher_alive())
        try:
            waiting = run_pass()
        except Exception as exc:
            beat(root, pass_ended=wall(), error=" ".join(str(exc).split())[:300])
            raise
        beat(root, pass_ended=wall(), error=None, waiting=waiting)
        return waiting

    return run


def read_beat(root: Path) -> dict | None:
    try:
        return json.loads((root / HEARTBEAT).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


def serve_running(root: Path) -> int | None:
    """The pid of the eop serve whose heartbeat this is, while it lives."""
    found = read_beat(root)
    pid = int(found.get("pid", 0)) if found else 0
    return pid if pid and _alive(pid) else None


def problems(root: Path, ledger: Ledger, now: datetime) -> list[str]:
    """What is wrong, each in one line (Thai — English); empty when all is well."""
    beat_ = read_beat(root)
    if beat_ is None:
        return [
            "ไม่พบ heartbeat: eop serve ไม่ได้ทำงาน — no heartbeat: eop serve is not running",
            *_queues(ledger, now),
        ]
    found = []
    if not _alive(int(beat_.get("pid", 0))):
        found.append(f"eop serve (pid {beat_.get('pid')}) หยุดแล้ว — eop serve has stopped")
    started = datetime.fromisoformat(beat_["pass_started"]) if "pass_started" in beat_ else None
    finished = datetime.fromisoformat(beat_["pass_ended"]) if "pass_ended" in beat_ else None
    tick = float(beat_.get("tick", 30))
    if started and (finished is None or finished < started) and wall() - started > STUCK_PASS:
        found.append(
            f"รอบทำงานค้างตั้งแต่ {started:%H:%M} — a pass is stuck since {started:%Y-%m-%d %H:%M}"
        )
    elif finished and wall() - finished > timedelta(seconds=3 * tick + 60):
        found.append(
            f"ไม่มีรอบทำงานตั้งแต่ {finished:%H:%M} — no pass finished since {finished:%Y-%m-%d %H:%M}"
        )
    if beat_.get("error"):
        found.append(f"รอบล่าสุดผิดพลาด — the last pass failed: {beat_['error']}")
    if beat_.get("watcher") is False:
        found.append("ตัวเฝ้าโฟลเดอร์หยุดทำงาน — the drop-folder watcher has died")
    return found + _queues(ledger, now)


def _queues(ledger: Ledger, now: datetime) -> list[str]:
    found = []
    with ledger.reading() as conn:
        oldest = conn.scalar(
            select(func.min(files.c.received_at)).where(files.c.status == "received")
        )
        due = conn.scalar(
            select(func.min(outbox.c.next_attempt_at)).where(
                outbox.c.state.in_(("queued", "sending"))
            )
        )
        failed = conn.scalar(select(func.count()).where(outbox.c.state == "failed"))
        failing = jobs_failing(conn)
    oldest, due = _moment(oldest), _moment(due)
    if oldest and now - oldest > STUCK_FILE:
        found.append(
            f"มีไฟล์รอตรวจตั้งแต่ {oldest:%H:%M} — files wait to be judged since {oldest:%Y-%m-%d %H:%M}"
        )
    if due and now - due > STUCK_MAIL:
        found.append(
            f"อีเมลค้างส่งตั้งแต่ {due:%H:%M} — mail is not leaving since {due:%Y-%m-%d %H:%M} (SMTP?)"
        )
    if failed:
        found.append(
            f"อีเมลส่งไม่สำเร็จ {failed} ฉบับ — {failed} message(s) failed: eop mail list --state failed"
        )
    return found + [_failing_job(job) for job in failing]


def _failing_job(job: dict) -> str:
    at = _moment(job["at"])
    return (
        f"งาน {job['job']} ({job['key']}) ไม่สำเร็จเมื่อ {at:%Y-%m-%d %H:%M} — job {job['job']} "
        f"({job['key']}) failed at {at:%Y-%m-%d %H:%M}: {job['error']}; once the cause is fixed: "
        f"eop jobs run {job['job']} --key '{job['key']}' --again"
    )


def _moment(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else value  # type: ignore[return-value]


class OneLine(logging.Formatter):
    """One line per event, whatever the message holds (journald adds the time)."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return " ".join(text.split())


def log_events_to(stream) -> None:
    """Send the event log (and warnings from everywhere) to `stream`, one line each."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(OneLine("%(levelname)s %(name)s: %(message)s"))
    events.setLevel(logging.INFO)
    events.addHandler(handler)
    events.propagate = False
