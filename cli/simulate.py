"""`eop simulate-year`: a fiscal year in fast time, checked at the end."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import Failure


def simulate_year(
    workdir: Annotated[Path, typer.Option(help="where the simulated deployment lives")] = Path(
        "year"
    ),
    months: Annotated[
        int, typer.Option(min=1, max=12, help="months from October 2557 (12: the fiscal year)")
    ] = 12,
    seed: Annotated[int, typer.Option(help="who errs, who is late, and the figures")] = 2558,
    country: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=77,
            help="play the country instead: this many provinces spread over it, Kanchanaburi"
            " among them (0: all 77, 878 districts)",
        ),
    ] = None,
    resume: Annotated[
        bool, typer.Option(help="go on from the last checkpoint in --workdir")
    ] = False,
) -> None:
    """Kanchanaburi's fiscal year 2558 (or the country's, --country) played month by month with
    a moving clock, then its invariants checked (exit 1 if one fails). A year stopped (even by
    SIGKILL) goes on from its last month's checkpoint with --resume (its months, seed and
    provinces). The ledger: config's, or $EOP_LEDGER_URL. Example: eop simulate-year --country 0"""
    from rich.console import Console

    from simulation.checkpoint import CheckpointError
    from simulation.year import check, run_year
    from simulation.year_show import show

    console = Console(width=160)
    try:
        year = run_year(workdir, console, months=months, seed=seed, country=country, resume=resume)
    except CheckpointError as exc:
        raise Failure(str(exc)) from None
    checks = check(year)
    show(year, checks, console)
    if not all(c.ok for c in checks):
        raise Failure("ข้อตรวจสอบไม่ผ่าน — an invariant of the year does not hold (see above)")


def register(app: typer.Typer) -> None:
    app.command("simulate-year")(simulate_year)
