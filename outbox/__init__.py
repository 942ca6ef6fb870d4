"""The outbox: compose (templates), spool (.eml + ledger row), deliver (file or SMTP). Knows no workbook."""

from outbox.compose import Draft, make_message
from outbox.deliver import retry_failed, send_due, send_one
from outbox.spool import queue
from outbox.transports import FileTransport, SmtpTransport, Transport, TransportError, transport_for

__all__ = [
    "Draft",
    "FileTransport",
    "SmtpTransport",
    "Transport",
    "TransportError",
    "make_message",
    "queue",
    "retry_failed",
    "send_due",
    "send_one",
    "transport_for",
]
