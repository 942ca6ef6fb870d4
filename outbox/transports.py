"""Transports deliver one spooled .eml: to a folder (the embedded default) or over SMTP.

Both send the stored bytes unchanged, so what an office receives is exactly what was spooled
and the Message-ID the server sees is the one in the ledger.
"""

from __future__ import annotations

import os
import re
import smtplib
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from eop.config import Config
from eop.settings import SmtpConfig
from outbox.spool import SENT_DIR, safe_name, sync_folder, write_durably

if TYPE_CHECKING:
    import yagmail  # loaded by the SMTP transport when it connects: the file transport never needs it


class TransportError(Exception):
    """A message could not be delivered; `permanent` says whether trying again can help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Transport(Protocol):
    def send(self, eml: Path, recipients: list[str], message_id: str) -> str | None:
        """Deliver or raise TransportError; may return a note (e.g. recipients refused)."""


def read_spool(eml: Path) -> bytes:
    try:
        return eml.read_bytes()
    except FileNotFoundError:
        raise TransportError(
            f"ไม่พบไฟล์ข้อความ {eml} — spooled message {eml} is missing", permanent=True
        ) from None


class FileTransport:
    """Delivery is a file `<sent_dir>/<message id>.eml`; the same message always lands on the same name."""

    def __init__(self, sent_dir: Path) -> None:
        self.sent_dir = sent_dir

    def send(
        self, eml: Path, recipients: list[str], message_id: str, *, sync: bool = True
    ) -> str | None:
        """Deliver; with sync=False the file is whole (renamed into place) but only durable
        after sync(), which a caller sending a batch calls once before recording it sent."""
        try:
            write_durably(
                self.sent_dir / f"{safe_name(message_id)}.eml", read_spool(eml), sync=sync
            )
        except OSError as exc:  # disk full, permissions: may clear up
            raise TransportError(
                f"เขียน {self.sent_dir} ไม่ได้ — cannot write to {self.sent_dir}: {exc}"
            ) from exc
        return None

    def sync(self) -> None:
        """Make every message delivered with sync=False durable: one syncfs(2) of the folder's
        filesystem (where there is none, each file and the folder are fsynced)."""
        sync_folder(self.sent_dir)


class SmtpTransport:
    """SMTP through yagmail's connection (TLS mode, login, timeout); one connection per message.

    We hand yagmail's smtplib connection the stored message instead of calling `yagmail.send`:
    yagmail's composer merges text and HTML into one part and would build a second message
    whose bytes differ from the spool. Retries and back-off live in the outbox, not here.
    """

    def __init__(self, smtp: SmtpConfig, sender: str) -> None:
        self.smtp = smtp
        self.sender = sender

    def send(self, eml: Path, recipients: list[str], message_id: str) -> str | None:
        data = crlf(read_spool(eml))
        try:
            client = self.connect()
            try:
                refused = client.smtp.sendmail(self.sender, recipients, data)
            except BaseException:
                client.close()
                raise
            hang_up(client)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            permanent = not codes or any(code // 100 == 5 for code in codes)
            raise TransportError(
                f"ผู้รับถูกปฏิเสธ — recipients refused: {exc.recipients}", permanent=permanent
            ) from exc
        except (
            smtplib.SMTPAuthenticationError
        ) as exc:  # the account is wrong, not the message: retry after the fix
            raise TransportError(
                f"เข้าระบบ SMTP ไม่ได้ — SMTP login refused: {exc.smtp_code}"
            ) from exc
        except smtplib.SMTPResponseException as exc:  # 4xx try later, 5xx never
            reply = (
                exc.smtp_error.decode(errors="replace")
                if isinstance(exc.smtp_error, bytes)
                else exc.smtp_error
            )
            raise TransportError(
                f"SMTP {exc.smtp_code} {reply}", permanent=exc.smtp_code // 100 == 5
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:  # refused, timed out, disconnected, TLS
            raise TransportError(
                f"ส่งผ่าน SMTP {self.smtp.host}:{self.smtp.port} ไม่ได้ — SMTP unavailable: {exc!r}"
            ) from exc
        return f"refused: {refused}" if refused else None

    def connect(self) -> yagmail.SMTP:
        import yagmail

        user = self.smtp.user
        password = os.environ.get(self.smtp.password_env, "") if self.smtp.password_env else ""
        if user and not password:
            # yagmail would otherwise ask the keyring, then getpass: never block a service.
            raise TransportError(
                f"ไม่มีรหัสผ่าน SMTP ในตัวแปร {self.smtp.password_env} — no SMTP password in ${self.smtp.password_env}"
            )
        client = yagmail.SMTP(
            # {user: alias} keeps a bare login name as is (a plain string gets "@gmail.com").
            user={user or self.sender: user or self.sender},
            password=password or None,
            host=self.smtp.host,
            port=self.smtp.port,
            smtp_ssl=self.smtp.tls == "ssl",
            smtp_starttls=self.smtp.tls == "starttls",
            smtp_skip_login=not user,
            soft_email_validation=False,
            timeout=self.smtp.timeout_seconds,
        )
        client.login()
        return client


def hang_up(client: yagmail.SMTP) -> None:
    """QUIT without waiting for its reply. After the server's 250 the message is delivered:
    nothing that happens on the way out (a slow or reset QUIT) may turn it into a failure that
    would send it again, and the sooner the outbox records it, the shorter the window in
    which a crash would."""
    client.is_closed = True
    try:
        client.smtp.send("QUIT\r\n")
    except (OSError, smtplib.SMTPException):
        pass
    client.smtp.close()


def crlf(data: bytes) -> bytes:
    """SMTP wants CRLF; smtplib leaves bytes alone, and servers refuse bare LF (SMTP smuggling fixes)."""
    return re.sub(rb"\r?\n", b"\r\n", data)


def transport_for(config: Config) -> Transport:
    if config.mail.transport == "smtp":
        return SmtpTransport(config.mail.smtp, config.mail.sender)
    return FileTransport(config.root / SENT_DIR)
