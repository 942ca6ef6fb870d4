"""What the ledger holds, as tables or the stable JSON shapes: status, received."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from cli.common import console, period_or_now
from eop.clock import parse_moment


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
    table = Table(title=f"สถานะงวด {month} ({month.name_th}) — status of {month.name_en}")
    for head in ("office", "name", "state", "version", "late", "rejected", "received"):
        table.add_column(head)
    for row in rows:
        table.add_row(
            row["office"],
            row["name"],
            row["state"],
            str(row["version"]),
            "late" if row["late"] else "",
            str(row["rejected_attempts"] or ""),
            (row["received_at"] or "")[:16],
        )
    console.print(table)


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
    table = Table(title="ไฟล์ที่ได้รับ — files received")
    for head in ("received", "office", "file", "kind", "period", "result", "findings"):
        table.add_column(head)
    for row in rows:
        table.add_row(
            row["received_at"][:16],
            row["office"],
            row["file"],
            row["kind"] or "",
            row["period"] or "",
            row["result"],
            ", ".join(sorted({f["code"] for f in row["findings"]})),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(status)
    app.command()(received)
