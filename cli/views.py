"""What the ledger holds, as tables or the stable JSON shapes: status, received."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cli.common import console, moment, period_or_now
from cli.common import table as views_table
from eop.clock import parse_moment
from eop.layout import short_office_name
from eop.states import state_th


def status(
    ctx: typer.Context,
    period: Annotated[str | None, typer.Option(help="2558-03 (BE) or 2015-03")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="the stable JSON shape (README)")] = False,
) -> None:
    """Each office's state for a period.  Example: eop status --period 2558-03 --json"""
    from jobs.issue import monthly_offices
    from ledger.views import period_status

    deployment = ctx.obj.deployment()
    month = period_or_now(period, deployment.clock)
    offices = [
        (code, deployment.config.office(code).name_th) for code in monthly_offices(deployment)
    ]
    with deployment.ledger.atomic() as conn:
        rows = period_status(conn, offices, "monthly", str(month))
    if as_json:
        print(json.dumps({"period": str(month), "offices": rows}, ensure_ascii=False, indent=2))
        return
    table = _status_table(month, rows)
    console.print(table)


def _status_table(month, rows: list[dict]):
    table = views_table(
        f"สถานะงวด {month} ({month.name_th}) — status of {month.name_en}",
        [
            ("รหัส", "office"),
            ("หน่วยงาน", "name"),
            ("สถานะ", "state"),
            ("ฉบับ", "ver."),
            ("ได้รับเมื่อ", "received"),
            ("หมายเหตุ", "notes"),
        ],
        wrap={"state": 15, "notes": 9},
    )
    for row in rows:
        notes = ["ส่งช้า late"] if row["late"] else []
        if row["rejected_attempts"]:
            notes.append(f"ไม่ผ่าน {row['rejected_attempts']}\nrejected")
        table.add_row(
            row["office"],
            short_office_name(row["name"]),
            f"{state_th(row['state'])}\n{row['state']}",
            str(row["version"]),
            moment(row["received_at"]),
            "\n".join(notes),
        )
    return table


def received(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(help="only files received since (ISO)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="the stable JSON shape (README)")] = False,
) -> None:
    """Every file received and what became of it.  Example: eop received --json --since 2015-03-25"""
    from ledger.views import received_files

    deployment = ctx.obj.deployment()
    with deployment.ledger.atomic() as conn:
        rows = received_files(conn, parse_moment(since) if since else None)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = views_table(
        "ไฟล์ที่ได้รับ — files received",
        [
            ("ได้รับเมื่อ", "received"),
            ("รหัส", "office"),
            ("ไฟล์", "file"),
            ("งาน", "work"),
            ("ผล", "result"),
            ("สิ่งที่พบ", "findings"),
        ],
        wrap={"received": 12, "file": 14, "work": 10, "findings": 14},
    )
    for row in rows:
        table.add_row(
            moment(row["received_at"]),
            row["office"],
            row["file"],
            f"{row['kind'] or ''}\n{row['period'] or ''}".strip(),
            row["result"],
            ", ".join(sorted({f["code"] for f in row["findings"]})),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(status)
    app.command()(received)
