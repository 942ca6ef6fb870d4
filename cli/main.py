"""`eop`: the command line, a thin face over intake and jobs.

Errors become exit codes only here: 0 ok, 1 failure, 2 usage or config error. Tracebacks
only with --debug.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from cli import issue, jobs, kpi, mail, ops, report, service, setup, simulate, views, workflow
from cli.common import Failure, Options, errors
from eop.clock import BadMoment
from eop.config import ConfigError
from eop.periods import BadPeriod

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


def main() -> None:
    """Entry point: turn known errors into exit codes and clear messages."""
    from ledger import LedgerUnavailable

    try:
        app(standalone_mode=False)
    except ConfigError as exc:
        errors.print(str(exc), markup=False)
        sys.exit(2)
    except (BadPeriod, BadMoment, typer.BadParameter) as exc:
        errors.print(str(exc), markup=False)
        sys.exit(2)
    except (Failure, LedgerUnavailable) as exc:
        errors.print(str(exc), markup=False)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(1)
    except Exception as exc:  # click usage errors and anything unexpected
        # Click's own errors (no such command, a missing option) know how to show themselves
        # and carry their exit code (2 for usage). Recognised by that, not by class: typer
        # has depended on click and, since 0.2x, vendors it, so `import click` may fail.
        show, code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
        if callable(show) and isinstance(code, int):
            show()
            sys.exit(code)
        if os.environ.get("EOP_DEBUG") or "--debug" in sys.argv:
            raise
        errors.print(
            f"ข้อผิดพลาดภายใน / internal error: {exc!r} (run with --debug for details)", markup=False
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
