"""`eop`'s commands: the typer application every command group registers with (cli.main
runs it and turns errors into exit codes)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from cli import issue, jobs, kpi, mail, ops, report, service, setup, simulate, views, workflow
from cli.common import Options

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="e-Operation Sheets: monthly reporting of livestock offices through Excel workbooks.",
)


@app.callback()
def main_options(
    ctx: typer.Context,
    config: Annotated[
        Path, typer.Option("--config", envvar="EOP_CONFIG", help="config.yaml of the deployment")
    ] = Path("config.yaml"),
    now: Annotated[
        str | None,
        typer.Option("--now", help="pretend it is this time (ISO, Asia/Bangkok); env EOP_NOW"),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False,
) -> None:
    ctx.obj = Options(config, now, debug)
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if (
        not debug
    ):  # the PDF library's notes on fonts (HarfBuzz, fontTools) are not the user's business
        for name in QUIET_LIBRARIES:
            logging.getLogger(name).setLevel(logging.ERROR)


QUIET_LIBRARIES = ("weasyprint", "fontTools")


for group in (service, views, issue, mail, jobs, kpi, report, workflow, setup, ops, simulate):
    group.register(app)
