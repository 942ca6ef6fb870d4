"""A file refused at the first gate: a permanent answer for the office, in the catalogue's
words (validators.messages), naming the file as the office called it."""

from __future__ import annotations

from typing import Any

from eop.findings import Finding
from validators.catalogue import finding

MiB = 1024 * 1024


class UnreadableFile(Exception):
    """The file cannot be opened safely as an .xlsx workbook: the office must send another."""

    permanent = True  # a broken file stays broken: answer the office, do not retry

    def __init__(self, found: Finding) -> None:
        super().__init__(f"{found.code}: {found.message_en}")
        self.code = found.code
        self.message_th = found.message_th
        self.message_en = found.message_en
        self._finding = found

    def finding(self) -> Finding:
        return self._finding


def refuse(code: str, name: str, **facts: Any) -> UnreadableFile:
    """The catalogue's message for `code`, naming the file as the office called it."""
    return UnreadableFile(finding(code, name=name, **facts))


def size_text(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    value, unit = (n / MiB, "MB") if n >= MiB else (n / 1024, "KB")
    return f"{value:,.0f} {unit}" if value.is_integer() else f"{value:,.1f} {unit}"
