"""Delivery: claim one due message, send it, record the outcome. Drain with `while send_one(...)`.

A claim is a conditional UPDATE (see ledger.mail.claim), so two workers never send the same
row. A worker that dies mid-send leaves the row `sending`. Every sender holds a shared lock
on `outbox/.senders.lock` from its claims to their outcome; a sender that can take that lock
exclusively is alone, so any row still `sending` belongs to a sender that died (a crash, a
SIGKILL, a power cut) and is due again at once (`mail.release_orphans`); otherwise, beside a
live sender, a claim is taken over only when its LEASE runs out. Either way it is re-sent
with the same Message-ID. With the file transport that rewrites the same file; over SMTP,
if the sender died after the server's "250" and before the ledger recorded it, the office
gets it twice — the identical Message-ID lets mail clients fold the copies. That window is
kept as short as we can (the ledger is written as soon as the server has said 250, before
QUIT); closing it would need the server's help. That is the price of never losing a message.
"""

from __future__ import annotations

import fcntl
import functools
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from sqlalchemy import Row

from eop.config import Config
from eop.faults import checkpoint
from ledger import mail
from ledger.db import Ledger
from ledger.events import record_event
from outbox.spool import SENT_DIR, keep_sent, leave_queue, sync_folder
from outbox.transports import FileTransport, Transport, TransportError, transport_for

LEASE = timedelta(minutes=5)  # longer than any SMTP attempt (timeout × a few round trips)
BATCH = 64  # messages claimed at once for a quick (file) transport
SENDERS_LOCK = Path("outbox") / ".senders.lock"  # under config.root

log = logging.getLogger(__name__)
events = logging.getLogger("eop.events")  # one line per mail sent (service.health)
Outcome = Literal["sent", "retry", "failed"]


def send_one(ledger: Ledger, config: Config, transport: Transport, now: datetime) -> bool:
    """Handle one due message (sent, rescheduled or failed); False when none is due."""
    return deliver_next(ledger, config, transport, now) is not None


def send_due(
    ledger: Ledger, config: Config, now: datetime, transport: Transport | None = None
) -> int:
    """Send everything due now; returns how many were delivered.

    Into a folder (a quick transport) messages are claimed, and recorded as sent, BATCH at a
    time; over SMTP one at a time, so that a slow server never outlives a claim's lease."""
    transport = transport or transport_for(config)
    to_folder = isinstance(transport, FileTransport)
    delivered = 0
    with sending(ledger, config, now):
        while claimed := claim_due(ledger, now, BATCH if to_folder else 1):
            sent = _send_claimed(ledger, config, transport, claimed, now)
            if sent:
                sync_folder(config.root / SENT_DIR)  # durable at once, before recorded as sent
                _record_sent(ledger, config, sent, now)
            delivered += len(sent)
    return delivered


Sent = tuple[Row, str | None, str]  # a row, the transport's note, where its sent copy lies


def _send_claimed(
    ledger: Ledger, config: Config, transport: Transport, claimed: list[Row], now: datetime
) -> list[Sent]:
    """Each claimed message sent, with its copy under outbox/sent/; each failure recorded."""
    send = (
        functools.partial(transport.send, sync=False)
        if isinstance(transport, FileTransport)
        else transport.send
    )
    sent = []
    for row in claimed:
        try:
            note = send(config.root / row.spool_path, json.loads(row.recipients), row.message_id)
            sent.append((row, note, keep_sent(config.root, row.spool_path, sync=False)))
        except TransportError as exc:
            record_failure(ledger, config, row, str(exc), exc.permanent, now)
        except (
            Exception
        ) as exc:  # an unforeseen bug must not stop the queue: retried like a transient error
            log.exception("sending outbox message %s", row.id)
            record_failure(ledger, config, row, repr(exc), False, now)
        checkpoint("after-send")
    return sent


def _record_sent(ledger: Ledger, config: Config, sent: list[Sent], now: datetime) -> None:
    """Recorded sent, pointing at the sent copy; then the queue lets go of them."""
    with ledger.atomic() as conn:
        for row, note, kept in sent:
            mail.mark_sent(conn, row.id, now, note, kept)
            record_event(
                conn,
                now,
                "mailed",
                office=row.office,
                file_id=row.file_id,
                mail=row.kind,
                message_id=row.message_id,
                to=json.loads(row.recipients),
            )
    for row, _, kept in sent:  # once committed: one line per mail sent; the queue holds the rest
        leave_queue(config.root, row.spool_path, kept)
        events.info(
            "mail sent id=%s kind=%s office=%s to=%s", row.id, row.kind, row.office, row.recipients
        )
    checkpoint("after-mark-sent")


@contextmanager
def sending(ledger: Ledger, config: Config, now: datetime) -> Iterator[None]:
    """Hold the senders' shared lock; first, when no other sender holds it, make the rows a
    dead sender left `sending` due again at once. The lock goes with the process: a sender
    killed by SIGKILL releases it too."""
    path = config.root / SENDERS_LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pass  # another sender is at work: its claims are alive, their leases apply
        except OSError:  # no locks on this filesystem: leases alone decide
            yield
            return
        else:
            with ledger.atomic() as conn:
                orphans = mail.release_orphans(conn, now)
            if orphans:
                log.warning(
                    "%d message(s) were being sent when the service stopped: sending them again",
                    orphans,
                )
        fcntl.flock(handle, fcntl.LOCK_SH)
        yield


def claim_due(ledger: Ledger, now: datetime, limit: int) -> list[Row]:
    """Up to `limit` due rows this worker managed to claim, as claimed (attempts counted)."""
    claimed: list[Row] = []
    with ledger.atomic() as conn:
        for row in mail.due(conn, now):
            if mail.claim(conn, row, now + LEASE) and (mine := mail.get(conn, row.id)) is not None:
                claimed.append(mine)
                if len(claimed) >= limit:
                    break
    if claimed:
        checkpoint("after-claim")
    return claimed


def retry_failed(ledger: Ledger, now: datetime) -> int:
    """Failed messages are queued again with a fresh set of attempts; returns how many."""
    with ledger.atomic() as conn:
        return mail.requeue_failed(conn, now)


def deliver_next(
    ledger: Ledger, config: Config, transport: Transport, now: datetime
) -> Outcome | None:
    with sending(ledger, config, now):
        row = claim_next(ledger, now)
        if row is None:
            return None
        try:
            note = transport.send(
                config.root / row.spool_path, json.loads(row.recipients), row.message_id
            )
        except TransportError as exc:
            return record_failure(ledger, config, row, str(exc), exc.permanent, now)
        except (
            Exception
        ) as exc:  # an unforeseen bug must not stop the queue: retried like a transient error
            log.exception("sending outbox message %s", row.id)
            return record_failure(ledger, config, row, repr(exc), False, now)
        checkpoint("after-send")
        kept = keep_sent(config.root, row.spool_path)
        _record_sent(ledger, config, [(row, note, kept)], now)
        return "sent"


def claim_next(ledger: Ledger, now: datetime) -> Row | None:
    """The first due row this worker managed to claim, as claimed (attempts counted)."""
    with ledger.atomic() as conn:
        for row in mail.due(conn, now):
            if mail.claim(conn, row, now + LEASE):
                claimed = mail.get(conn, row.id)
                break
        else:
            return None
    checkpoint("after-claim")
    return claimed


def record_failure(
    ledger: Ledger, config: Config, row: Row, error: str, permanent: bool, now: datetime
) -> Outcome:
    # row.attempts already counts this attempt (claim increments it).
    with ledger.atomic() as conn:
        if permanent or row.attempts >= config.mail.max_attempts:
            mail.mark_failed(conn, row.id, error, now)
            record_event(
                conn,
                now,
                "mail-failed",
                office=row.office,
                file_id=row.file_id,
                mail=row.kind,
                message_id=row.message_id,
                error=error,
                attempts=row.attempts,
            )
            return "failed"
        mail.mark_retry(conn, row.id, error, now + backoff(config, row.attempts))
    return "retry"


def backoff(config: Config, attempts: int) -> timedelta:
    """The wait after the n-th failed attempt; the last step repeats."""
    steps = config.mail.backoff_seconds or [60.0]
    return timedelta(seconds=steps[min(attempts - 1, len(steps) - 1)])
