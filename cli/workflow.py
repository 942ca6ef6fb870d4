"""`eop correction`: reopening a locked period for one office's ONE new version, citing the
approving memo; and the list of corrections (KPI 2 counts those sent to the centre)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cli.common import Failure, LazyConsole, moment
from cli.common import table as workflow_table

console = LazyConsole()
correction_app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Corrections of locked periods, each with its approving memo.",
)


@correction_app.command("open")
def correction_open(
    ctx: typer.Context,
    office: Annotated[
        str, typer.Option(help="the office (or section) whose period reopens, e.g. 7105")
    ],
    period: Annotated[str, typer.Option(help="the locked period, 2558-03 (BE) or 2015-03")],
    memo: Annotated[str, typer.Option(help="the approving memo's number, e.g. กษ 0609/123")],
    approved_by: Annotated[str, typer.Option("--approved-by", help="who approved the memo")],
    memo_date: Annotated[
        str, typer.Option("--memo-date", help="the memo's date, YYYY-MM-DD (BE or CE)")
    ],
    to_centre: Annotated[
        bool,
        typer.Option("--to-centre", help="the correction goes to the centre (counted for KPI 2)"),
    ] = False,
    reason: Annotated[str | None, typer.Option(help="what is corrected and why")] = None,
    by: Annotated[str | None, typer.Option(help="who opens it (for the audit log)")] = None,
) -> None:
    """Reopen one office's locked period for one new version.
    Example: eop correction open --office 7105 --period 2558-03 --memo "กษ 0609/123" --approved-by "ปศุสัตว์จังหวัดกาญจนบุรี" --memo-date 2558-04-10"""
    from eop.clock import parse_moment
    from jobs.corrections import open_correction
    from ledger.workflow import CorrectionRefused

    deployment = ctx.obj.deployment()
    try:
        opened = open_correction(
            deployment,
            office=office,
            period=period,
            memo_number=memo,
            approved_by=approved_by,
            memo_date=parse_moment(memo_date).date(),
            to_centre=to_centre,
            reason=reason,
            by=by or "eop correction open",
        )
    except CorrectionRefused as exc:
        raise Failure(str(exc)) from None
    console.print(_opened_line(opened, to_centre))


def _opened_line(opened: dict, to_centre: bool) -> str:
    return (
        f"เปิดการแก้ไขที่ {opened['id']}: {opened['office']} งวด {opened['period']} บันทึกที่ {opened['memo_number']} "
        f"({opened['memo_date']}, {opened['approved_by']}){' แจ้งส่วนกลาง' if to_centre else ''} — "
        f"correction {opened['id']} open: one new version of {opened['office']} {opened['period']} will be accepted"
    )


@correction_app.command("list")
def correction_list(
    ctx: typer.Context,
    period: Annotated[str | None, typer.Option(help="only this period")] = None,
    office: Annotated[str | None, typer.Option(help="only this office")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="as JSON (a list of corrections)")
    ] = False,
) -> None:
    """Every correction with its memo and whether it was used.  Example: eop correction list --json"""
    from eop.periods import Period
    from ledger.workflow import list_corrections

    deployment = ctx.obj.deployment()
    with deployment.ledger.atomic() as conn:
        rows = list_corrections(
            conn, period=str(Period.parse(period)) if period else None, office=office
        )
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = _corrections_table(rows)
    console.print(table)


CORRECTION_STATES = {"open": "เปิดอยู่ open", "used": "ใช้แล้ว used"}


def _corrections_table(rows: list[dict]):
    table = workflow_table(
        "การแก้ไขข้อมูลงวดที่ปิดแล้ว — corrections of locked periods",
        [
            ("ที่", "id"),
            ("รหัส", "office"),
            ("งวด", "period"),
            ("บันทึกที่", "memo"),
            ("ลงวันที่", "memo date"),
            ("ผู้อนุมัติ", "approved by"),
            ("ส่วนกลาง", "to centre"),
            ("สถานะ", "state"),
            ("เปิดเมื่อ", "opened"),
        ],
        wrap={"memo": 8, "memo date": 8, "approved by": 10, "opened": 10},
    )
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["office"],
            row["period"],
            row["memo_number"],
            moment(row["memo_date"]),
            row["approved_by"],
            "ใช่ yes" if row["to_centre"] else "",
            CORRECTION_STATES.get(row["state"], row["state"]),
            moment(row["opened_at"]),
        )
    return table


def register(app: typer.Typer) -> None:
    app.add_typer(correction_app, name="correction")
