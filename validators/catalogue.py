"""Every finding the service can report, made from one table (validators.messages: code,
severity, Thai then English). A message names where (the file, or the sheet, cell, field and
the activity of the row), the value seen and what is expected, so that an officer can act on
it without asking anyone.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from eop.findings import Finding
from eop.layout import SheetLayout
from validators.messages import CATALOGUE
from validators.messages_documents import ACTIVE_KINDS, SEND_AGAIN_EN, SEND_AGAIN_TH

__all__ = [
    "ACTIVE_KINDS",
    "CATALOGUE",
    "SEND_AGAIN_EN",
    "SEND_AGAIN_TH",
    "at",
    "document_finding",
    "field_label",
    "finding",
    "naming_activity",
]


def _where(
    file: str | None,
    sheet: str | None,
    sheet_en: str | None,
    cell: str | None,
    field_th: str | None,
    field_en: str | None,
    activity: str | None,
) -> tuple[str, str]:
    """Where a finding is, Thai and English: the file, or the sheet, cell, field, activity."""
    th = (
        ('ไฟล์ "{}"', file),
        ('ชีต "{}"', sheet),
        ("เซลล์ {}", cell),
        ("({})", field_th),
        ("กิจกรรม {}", activity),
    )
    en = (
        ('"{}"', file),
        ('Sheet "{}"', sheet_en or sheet),
        ("cell {}", cell),
        ("({})", field_en),
        ("activity {}", activity),
    )
    return tuple(
        " ".join(label.format(part) for label, part in parts if part) for parts in (th, en)
    )  # type: ignore[return-value]


def finding(
    code: str,
    *,
    file: str | None = None,
    sheet: str | None = None,
    sheet_en: str | None = None,
    cell: str | None = None,
    field_th: str | None = None,
    field_en: str | None = None,
    activity: str | None = None,
    value: Any = None,
    expected: Any = None,
    **facts: Any,
) -> Finding:
    """A finding from the catalogue, its message led by where it is (the file, or the sheet,
    cell, field and the activity of the row). `value`, `expected` and any other `facts` fill
    the message's placeholders."""
    severity, th, en = CATALOGUE[code]
    shown = "" if value is None else str(value)
    filled = {**facts, "value": shown, "expected": "" if expected is None else expected}
    where_th, where_en = _where(file, sheet, sheet_en, cell, field_th, field_en, activity)
    th, en = th.format_map(filled), en.format_map(filled)
    return Finding(
        severity,
        code,
        f"{where_th}: {th}" if where_th else th,
        f"{where_en}: {en}" if where_en else en,
        sheet=sheet,
        cell=cell,
        field=field_label(field_th, field_en),
        value=shown or None,
        activity=activity,
    )


def at(layout: SheetLayout, field: str, row: int) -> dict[str, str]:
    """Where a layout's field is in one row, as `finding` takes it: sheet, cell, field."""
    column = layout.column(field)
    return {
        "sheet": layout.name,
        "sheet_en": layout.name_en,
        "cell": f"{column.letter}{row}",
        "field_th": column.th,
        "field_en": column.en,
    }


def field_label(field_th: str | None, field_en: str | None) -> str | None:
    """A field as an officer reads it: Thai first, English after ("ผลงานเดือนนี้ / quantity")."""
    if field_th and field_en:
        return f"{field_th} / {field_en}"
    return field_th or field_en


def naming_activity(found: Finding, activity: str) -> Finding:
    """The finding with the activity of its row named in its where ("… (ผลงานเดือนนี้)
    กิจกรรม A102 ฉีดวัคซีน…: message")."""
    th_where, _, th_text = found.message_th.partition(": ")
    en_where, _, en_text = found.message_en.partition(": ")
    return replace(
        found,
        activity=activity,
        message_th=f"{th_where} กิจกรรม {activity}: {th_text}",
        message_en=f"{en_where} activity {activity}: {en_text}",
    )


def document_finding(code: str, name: str, **facts: Any) -> Finding:
    """A finding about an evidence document `name`, its message filled with `facts`."""
    severity, th, en = CATALOGUE[code]
    values = {"value": name, "send_th": SEND_AGAIN_TH, "send_en": SEND_AGAIN_EN, **facts}
    return Finding(severity, code, th.format_map(values), en.format_map(values), value=name)
