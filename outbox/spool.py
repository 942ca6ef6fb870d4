"""Spooling: a Draft becomes a complete RFC 5322 message on disk, then a ledger row.

The .eml is written and fsynced BEFORE the row is inserted, so a row never points at a file
that is not there. A crash between the two leaves an orphan .eml that no row names: harmless,
and the caller's transaction (rolled back) will queue the answer again.
"""

from __future__ import annotations

import mimetypes
import os
import random
import re
import sys
from base64 import encodebytes
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, make_msgid
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection

from eop.config import Config
from eop.durable import fsync_path, sync_filesystem
from eop.faults import checkpoint
from ledger import mail
from outbox.compose import Draft

QUEUE_DIR = Path("outbox") / "queue"  # under config.root
SENT_DIR = Path("outbox") / "sent"
# Fixed here: `mimetypes` depends on /etc/mime.types, absent on slim machines.
TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
    ".zip": "application/zip",
    ".html": "text/html",
}


@dataclass(frozen=True)
class Spoolable:
    """A draft made into the exact bytes to spool, before any lock is taken (see prepare)."""

    draft: Draft
    message_id: str
    data: bytes


def prepare(config: Config, draft: Draft, now: datetime) -> Spoolable:
    """The costly part of queueing (MIME, headers, attachments read), done ahead of the
    transaction that records it: writers are held up only by the durable write and the row."""
    if not draft.attachments and not draft.text.isascii() and not draft.html.isascii():
        return Spoolable(draft, *alternatives_bytes(config, draft, now))  # most answers
    message = build_message(config, draft, now)
    return Spoolable(draft, str(message["Message-ID"]), as_bytes(message))


def queue(
    conn: Connection,
    config: Config,
    draft: Draft | Spoolable,
    *,
    now: datetime,
    dedupe_key: str,
    file_id: int | None = None,
    office: str | None = None,
    sync: bool = True,
) -> int | None:
    """Spool `draft` and record it; None when `dedupe_key` was queued before (nothing written).
    sync=False leaves the .eml to be made durable with its batch (sync_folder) before the
    transaction recording it commits."""
    if mail.exists(conn, dedupe_key):
        return None
    ready = draft if isinstance(draft, Spoolable) else prepare(config, draft, now)
    relative = QUEUE_DIR / f"{safe_name(ready.message_id)}.eml"
    write_durably(config.root / relative, ready.data, sync=sync)
    checkpoint("after-spool")
    return mail.add(
        conn,
        dedupe_key=dedupe_key,
        message_id=ready.message_id,
        kind=ready.draft.kind,
        recipients=ready.draft.to,
        subject=ready.draft.subject,
        spool_path=relative.as_posix(),
        now=now,
        file_id=file_id,
        office=office,
    )


class RememberingPolicy(EmailPolicy):
    """policy.default, each header's folding remembered: a Thai header (the sender's name, a
    subject) folds into encoded words slowly, a character at a time, and the same sender heads
    every answer of a batch. A header folds the same way whenever its kind, name and text are
    the same (its fold is made from the tree parsed from that text), so the bytes are those of
    policy.default (tests/test_fast_paths.py)."""

    def fold_binary(self, name: str, value: str) -> bytes:
        tree = getattr(value, "_parse_tree", None)
        if tree is None:  # not a parsed header (compat): folded as ever
            return super().fold_binary(name, value)
        key = (type(value).__name__, name, str(tree))  # the class is made afresh per header
        folded = _FOLDED.get(key)
        if folded is None:
            if len(_FOLDED) >= FOLDED_KEPT:
                _FOLDED.clear()
            folded = _FOLDED[key] = super().fold_binary(name, value)
        return folded


FOLDED_KEPT = 4096
_FOLDED: dict[tuple, bytes] = {}
SPOOL_POLICY = RememberingPolicy()  # as policy.default (EmailPolicy() with its defaults)


def build_message(config: Config, draft: Draft, now: datetime) -> EmailMessage:
    """Text and HTML as alternatives, attachments read now so that the .eml stands alone."""
    sender = config.mail.sender
    message = EmailMessage(policy=SPOOL_POLICY)
    message["Subject"] = draft.subject
    message["From"] = Address(display_name=config.mail.sender_name, addr_spec=sender)
    message["To"] = ", ".join(draft.to)
    message["Date"] = format_datetime(now)
    # Stored in the ledger and sent unchanged on every attempt: how "sent once" is proven.
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies back to us
    message.set_content(draft.text, cte=_transfer_encoding(draft.text))
    message.add_alternative(draft.html, subtype="html", cte=_transfer_encoding(draft.html))
    for path in draft.attachments:
        attach(message, path)
    return message


def alternatives_bytes(config: Config, draft: Draft, now: datetime) -> tuple[str, bytes]:
    """(Message-ID, bytes) of a draft with Thai text and HTML and nothing attached, written
    straight: the bytes build_message and as_bytes make (tests/test_fast_paths.py), in a
    tenth of their time (the email package rebuilds every header of every part). Each
    header is folded by policy.default itself, and each text only once."""
    sender = config.mail.sender
    message_id = make_msgid(domain=sender.rpartition("@")[2])
    boundary = f"{'=' * 15}{random.randrange(sys.maxsize):019d}=="  # as email.generator's
    head = (
        _folded("Subject", draft.subject)
        + _folded("From", (config.mail.sender_name, sender))
        + _folded("To", ", ".join(draft.to))
        + f"Date: {format_datetime(now)}\nMessage-ID: {message_id}\n"
        f"Auto-Submitted: auto-generated\nMIME-Version: 1.0\n"
        f'Content-Type: multipart/alternative;\n boundary="{boundary}"\n\n'
    )
    mark = f"--{boundary}"
    return message_id, b"".join(
        (
            f"{head}{mark}\n{TEXT_PART}".encode(),
            _base64_body(draft.text),
            f"\n{mark}\n{HTML_PART}".encode(),
            _base64_body(draft.html),
            f"\n{mark}--\n".encode(),
        )
    )


TEXT_PART = 'Content-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: base64\n\n'
# add_alternative gives the HTML part a MIME-Version of its own: kept, for the same bytes
HTML_PART = (
    'Content-Type: text/html; charset="utf-8"\nContent-Transfer-Encoding: base64\n'
    "MIME-Version: 1.0\n\n"
)


@lru_cache(maxsize=FOLDED_KEPT)
def _folded(name: str, value: str | tuple[str, str]) -> str:
    """`name: value` and its line end as policy.default writes it; value: the text, or a
    (display name, address) pair."""
    message = EmailMessage(policy=SPOOL_POLICY)
    message[name] = (
        Address(display_name=value[0], addr_spec=value[1]) if isinstance(value, tuple) else value
    )
    return message.as_bytes().partition(b"\n\n")[0].decode("ascii") + "\n"


def _base64_body(text: str) -> bytes:
    """The body as set_content writes it with cte="base64": its lines ended by newlines (the
    last one too), 57 bytes to a base64 line."""
    return encodebytes(b"\n".join(text.encode("utf-8").splitlines()) + b"\n")


def _transfer_encoding(text: str) -> str | None:
    """Thai text goes base64: the library would otherwise encode it both ways to compare (and
    pick quoted-printable for HTML, three bytes per Thai byte); plain ASCII is left to it."""
    return None if text.isascii() else "base64"


def as_bytes(message: EmailMessage) -> bytes:
    """The message as spooled and sent: policy.default, with the Message-ID kept on one line.

    policy.default folds a Message-ID longer than 78 columns onto a continuation line, and
    parsers then read it back with a leading space; a one-line header (RFC 5322 allows 998)
    reads back exactly as the ledger holds it.
    """
    return re.sub(rb"(?im)^(Message-ID:)[ \t]*\r?\n[ \t]+", rb"\1 ", message.as_bytes(), count=1)


def attach(message: EmailMessage, path: Path) -> None:
    """The file under its own name; a Thai name is RFC 2231 encoded by policy.default."""
    content_type = TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    maintype, subtype = (content_type or "application/octet-stream").split("/", 1)
    message.add_attachment(
        path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name
    )


def safe_name(message_id: str) -> str:
    """A file name from a Message-ID: `<1.2.3@example.go.th>` → `1.2.3@example.go.th`."""
    return re.sub(r"[^A-Za-z0-9.@_-]", "_", message_id.strip().strip("<>")) or "message"


def write_durably(path: Path, data: bytes, *, sync: bool = True) -> None:
    """Write, fsync, then rename into place: the file is whole or absent, even after a crash.
    With sync=False the caller makes a batch durable at once (sync_folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.part")
    with open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        if sync:
            os.fsync(handle.fileno())
    os.replace(partial, path)
    if sync:
        fsync_path(path.parent)  # the rename itself must survive a power cut


def keep_sent(root: Path, spool_path: str, *, sync: bool = True) -> str:
    """The sent copy of a queued message, under outbox/sent/ (the file transport has written
    it already; over SMTP it is linked there): where the ledger points once it is sent, so
    that the queue holds only what is still to send. Returns the new relative path."""
    queued = root / spool_path
    kept = SENT_DIR / queued.name
    if not (root / kept).exists():
        (root / kept).parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(queued, root / kept)
        except FileNotFoundError:
            return spool_path  # already moved by an earlier attempt: leave the row as it was
        if sync:
            fsync_path((root / kept).parent)
    return kept.as_posix()


def leave_queue(root: Path, spool_path: str, sent_path: str) -> None:
    """After the ledger recorded the message sent (at `sent_path`), its queued copy goes."""
    if sent_path != spool_path:
        (root / spool_path).unlink(missing_ok=True)


def sync_folder(folder: Path) -> None:
    """Every file written (and renamed) in `folder` made durable: one syncfs(2) of its
    filesystem, or an fsync of each file and of the folder where syncfs is missing."""
    if sync_filesystem(folder):
        return
    for path in folder.iterdir():
        if path.is_file():
            fsync_path(path)
    fsync_path(folder)
