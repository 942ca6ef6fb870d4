"""Mail templates: `<kind>.subject.txt`, `<kind>.txt` and `<kind>.html`, Thai first, English beneath.

Templates render what they are given; they query nothing. Missing context keys fail loudly
(StrictUndefined) so that a caller's typo never mails an office a blank.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from eop.formats import baht, number

HERE = Path(__file__).resolve().parent
KINDS = ("receipt", "rejection", "duplicate", "workbook_issued")
WORKFLOW_KINDS = (
    "reminder",
    "review_request",
    "review_reminder",
    "review_returned",
    "review_receipt",
    "confirm_receipt",
    "province_package",
    "centre_reports",
    "correction_opened",
    "correction_receipt",
)
LISTED = 50  # findings listed in a mail; the rest are marked in the attached workbook


def _part(finding: Any, key: str) -> Any:
    """Findings arrive as dicts (Finding.as_dict()) or as Finding objects."""
    return finding.get(key) if isinstance(finding, dict) else getattr(finding, key, None)


def where_th(finding: Any) -> str:
    """`ชีต "ผลการปฏิบัติงาน" เซลล์ F14 (ผลงานเดือนนี้)`: where the officer looks."""
    sheet, cell, field = (_part(finding, k) for k in ("sheet", "cell", "field"))
    parts = [
        f'ชีต "{sheet}"' if sheet else "",
        f"เซลล์ {cell}" if cell else "",
        f"({field})" if field else "",
    ]
    return " ".join(p for p in parts if p)


def where_en(finding: Any) -> str:
    sheet, cell, field = (_part(finding, k) for k in ("sheet", "cell", "field"))
    parts = [f'sheet "{sheet}"' if sheet else "", f"cell {cell}" if cell else ""]
    text = ", ".join(p for p in parts if p)
    return f"{text} ({field})".strip() if field else text


def seen(finding: Any) -> str:
    """The value seen, unless the message already quotes it."""
    value = _part(finding, "value")
    if value in (None, ""):
        return ""
    text = str(value)
    return "" if text in str(_part(finding, "message_th") or "") else text


def _split(finding: Any, key: str) -> tuple[str, str]:
    """A catalogue message's where and its problem ("ชีต … เซลล์ G9 (…) กิจกรรม A101 …: problem"):
    the mail's table shows them in their own columns, the where in the message's own language."""
    message = str(_part(finding, key) or "")
    cell, sheet = _part(finding, "cell"), _part(finding, "sheet")
    where, sep, problem = message.partition(": ")
    if sep and (sheet or cell) and (not cell or str(cell) in where):
        return where, problem
    return "", message


def place_th(finding: Any) -> str:
    return _split(finding, "message_th")[0] or where_th(finding)


def place_en(finding: Any) -> str:
    return _split(finding, "message_en")[0] or where_en(finding)


def problem_th(finding: Any) -> str:
    return _split(finding, "message_th")[1]


def problem_en(finding: Any) -> str:
    return _split(finding, "message_en")[1]


def _located(finding: Any, key: str, where: str) -> str:
    """The message, led by where it is unless it already says so (catalogue messages do)."""
    message = str(_part(finding, key) or "")
    cell = _part(finding, "cell")
    if not where or (cell and str(cell) in message):
        return message
    return f"{where}: {message}"


def finding_th(finding: Any) -> str:
    """`ชีต "ผลการปฏิบัติงาน" เซลล์ F14 (ผลงานเดือนนี้): ไม่ใช่ตัวเลข (ค่าที่พบ "12,5O0")`."""
    text, value = _located(finding, "message_th", where_th(finding)), seen(finding)
    return f'{text} (ค่าที่พบ "{value}")' if value else text


def finding_en(finding: Any) -> str:
    text, value = _located(finding, "message_en", where_en(finding)), seen(finding)
    return f'{text} (value seen "{value}")' if value else text


def severity(finding: Any) -> str:
    value = _part(finding, "severity")
    return str(getattr(value, "value", value) or "error")


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE),  # package data next to this module, so it ships in the wheel
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = number
    env.filters["baht"] = baht
    env.filters["where_th"] = where_th
    env.filters["where_en"] = where_en
    env.filters["seen"] = seen
    env.filters["finding_th"] = finding_th
    env.filters.update(
        place_th=place_th, place_en=place_en, problem_th=problem_th, problem_en=problem_en
    )
    env.filters["finding_en"] = finding_en
    env.filters["severity"] = severity
    env.tests["error"] = lambda finding: severity(finding) == "error"
    env.globals["LISTED"] = LISTED
    return env


def compile_answers() -> None:
    """The answers' templates compiled ahead (a service warming up): the first answer of the
    day is then no slower than the next."""
    for kind in ("receipt", "rejection", "duplicate"):
        for part in ("subject.txt", "txt", "html"):
            environment().get_template(f"{kind}.{part}")


def render_mail(kind: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, text, html) of one message of `kind`."""
    env = environment()
    subject = env.get_template(f"{kind}.subject.txt").render(context)
    text = env.get_template(f"{kind}.txt").render(context)
    html = env.get_template(f"{kind}.html").render(context)
    # One line, and nothing a mail client would act on: a file name may carry terminal escapes
    # or a right-to-left override (control and format characters are dropped).
    subject = "".join(ch for ch in " ".join(subject.split()) if ch.isprintable())
    return subject, text.strip() + "\n", html
