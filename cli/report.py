"""`eop report RPTnnn`: one RPT report as XLSX, PDF or HTML (DESIGN §7, §10).

Kept apart from `cli.main`, which registers it with `register(app)`; it uses the shared
options (`--config`, `--now`) through the context object the main callback sets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import LazyConsole
from eop.clock import Clock
from eop.periods import Period

console = LazyConsole(
    soft_wrap=True
)  # a path is printed on one line, whatever the terminal's width


def reported_period(clock: Clock, cutoff_day: int) -> Period:
    """The newest period whose data is cut: this month after the cut-off day, else the
    month before (on 1 April the report is March's)."""
    now = clock.now()
    this = Period.of(now.year, now.month)
    return this if now.day > cutoff_day else this.previous()


CODE = typer.Argument(
    help="RPT111 | RPT112 | RPT113 | RPT211 | RPT212 | RPT311 (the KPI scorecard)"
)
PERIOD = typer.Option(help="2558-03 (BE) or 2015-03; default: the newest period cut off")
OFFICE = typer.Option(
    help="office code, e.g. 71; several as 71,72; 'provinces' for every province; default: the province"
)
FORMAT = typer.Option("--format", help="xlsx | pdf | html")
OUT = typer.Option(
    "--out",
    help="folder to write into (a folder per office in it for several); default var/reports/<period>/<office>/",
)


def report(
    ctx: typer.Context,
    code: Annotated[str, CODE],
    period: Annotated[str | None, PERIOD] = None,
    office: Annotated[str | None, OFFICE] = None,
    fmt: Annotated[str, FORMAT] = "pdf",
    out: Annotated[Path | None, OUT] = None,
) -> None:
    """Render an RPT report (for one office or several, the ledger read once) and print where each is.

    Example: eop --config config.yaml report RPT111 --period 2558-03 --office 71 --format pdf
    """
    from jobs.reports import FORMATS, ReportError, render_reports, report_code
    from kpi.rpt311 import CATALOGUE  # the ledger's reports and RPT311, the KPI scorecard

    try:
        spec = CATALOGUE[report_code(code, CATALOGUE)]
    except ReportError as exc:
        raise typer.BadParameter(str(exc), param_hint="RPTnnn") from None
    if fmt not in FORMATS:
        raise typer.BadParameter(
            f"ใช้ {' | '.join(FORMATS)} — use {' | '.join(FORMATS)}", param_hint="--format"
        )
    deployment = ctx.obj.deployment()
    offices = _offices(deployment, office)
    month = (
        Period.parse(period)
        if period
        else reported_period(deployment.clock, deployment.config.calendar.cutoff_day)
    )
    for path in render_reports(deployment, [spec], month, offices, [fmt], out):
        console.print(str(path), markup=False, highlight=False)


def _offices(deployment, office: str | None) -> list[str]:
    """`71`, `71,72`, `provinces` or the default province, each checked."""
    from jobs.reports import ReportError, check_office, default_office

    if office == "provinces":
        offices = [p.code for p in deployment.config.provinces()]
    else:
        given = office or default_office(deployment)
        offices = [o.strip() for o in given.split(",") if o.strip()]
    try:
        for each in offices or [""]:
            check_office(deployment, each)
    except ReportError as exc:
        raise typer.BadParameter(str(exc), param_hint="--office") from None
    return offices


def register(app: typer.Typer) -> None:
    """Add `report` to the `eop` app."""
    app.command("report")(report)
