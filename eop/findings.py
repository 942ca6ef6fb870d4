"""A finding: one problem found in a file, as data (severity, where, what, in Thai and English)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str  # a stable slug tests and people can rely on: "not-a-number", "target-changed"
    message_th: str
    message_en: str
    sheet: str | None = None
    cell: str | None = None  # A1 address as the officer sees it
    field: str | None = None
    value: str | None = None  # the value seen: what the office typed, as text
    activity: str | None = None  # the activity of the finding's row: "A102 ฉีดวัคซีน…"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data

    @property
    def where_th(self) -> str:
        parts = [
            f'ชีต "{self.sheet}"' if self.sheet else "",
            f"เซลล์ {self.cell}" if self.cell else "",
        ]
        return " ".join(p for p in parts if p)

    @property
    def where_en(self) -> str:
        parts = [
            f'sheet "{self.sheet}"' if self.sheet else "",
            f"cell {self.cell}" if self.cell else "",
        ]
        return ", ".join(p for p in parts if p)


def error(code: str, th: str, en: str, **where: Any) -> Finding:
    return Finding(Severity.ERROR, code, th, en, **where)


def warning(code: str, th: str, en: str, **where: Any) -> Finding:
    return Finding(Severity.WARNING, code, th, en, **where)


def has_errors(findings: list[Finding]) -> bool:
    return any(f.is_error for f in findings)
