"""Workbooks issued by hand and province targets from a CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import Failure, console, errors, period_or_now


def issue_command(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="monthly | allocation | targets | correction")],
    office: Annotated[str, typer.Option(help="office code, e.g. 7105")],
    period: Annotated[
        str | None, typer.Option(help="2558-03 for monthly; the fiscal year 2558 otherwise")
    ] = None,
    no_mail: Annotated[
        bool, typer.Option("--no-mail", help="only write it to share/<office>/returned/")
    ] = False,
) -> None:
    """Issue (again) a workbook to an office; `correction`: the blank correction requests of a
    province.  Example: eop issue monthly --office 7105 --period 2558-03"""
    from jobs.issue import issue

    deployment = ctx.obj.deployment()
    if kind not in ("monthly", "allocation", "targets", "correction"):
        raise typer.BadParameter(
            f"{kind!r}: ใช้ monthly, allocation, targets หรือ correction — "
            "use monthly, allocation, targets or correction"
        )
    if kind == "correction" and office not in {p.code for p in deployment.config.provinces()}:
        raise typer.BadParameter(
            f"{office!r}: แบบขอแก้ไขข้อมูลออกให้จังหวัดเท่านั้น — the correction workbook is a province's",
            param_hint="--office",
        )
    key = (
        str(period_or_now(period, deployment.clock))
        if kind == "monthly"
        else str(period or deployment.config.fiscal_year)
    )
    built = issue(deployment, kind, office, key, mail=not no_mail)
    console.print(f"{built.path}")


def targets_import(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="CSV with columns activity,quantity,budget")],
    office: Annotated[str, typer.Option(help="province code")],
    fiscal_year: Annotated[int | None, typer.Option(help="default: the config's")] = None,
) -> None:
    """Import a province's targets from a CSV.  Example: eop targets-import targets.csv --office 71"""
    from jobs.targets import import_targets_csv

    deployment = ctx.obj.deployment()
    found, count = import_targets_csv(
        deployment, path, office, fiscal_year or deployment.config.fiscal_year
    )
    for f in found:
        errors.print(f"{f.message_th}\n  {f.message_en}")
    if any(f.is_error for f in found):
        raise Failure(f"ไม่ได้นำเข้า / nothing imported: {sum(f.is_error for f in found)} error(s)")
    console.print(f"นำเข้าเป้าหมาย {count} กิจกรรม — imported targets of {count} activities")


def register(app: typer.Typer) -> None:
    app.command("issue")(issue_command)
    app.command("targets-import")(targets_import)
