"""A real SMTP server on loopback (aiosmtpd) that records what it accepted and can refuse on cue."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


class Recorder:
    """Answers DATA with `reply`; keeps the envelopes it accepted (2xx) and counts every try."""

    def __init__(self) -> None:
        self.reply = "250 OK"
        self.accepted: list[Any] = []
        self.tries = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.tries += 1
        if self.reply.startswith("2"):
            self.accepted.append(envelope)
        return self.reply

    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(e.content, policy=policy.default) for e in self.accepted]  # type: ignore[misc]

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages()]


def free_port() -> int:
    """A port nothing listens on (yet): the OS picks it, we release it."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server(port: int, recorder: Recorder | None = None) -> Iterator[Recorder]:
    recorder = recorder or Recorder()
    controller = Controller(recorder, hostname=HOST, port=port)
    controller.start()
    try:
        yield recorder
    finally:
        controller.stop()
