"""`eop jobs`: the calendar's jobs, each a small unit that can be listed and run alone."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from cli.common import Failure, LazyConsole

console = LazyConsole()
jobs_app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="The calendar's jobs: list them, run one."
)


@jobs_app.command("list")
def jobs_list(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="as JSON")] = False
) -> None:
    """Every job, what it is due for now and what it already ran for.  Example: eop --now 2015-03-28T09:00 jobs list"""
    from ledger import records
    from service.calendar import JOBS

    deployment = ctx.obj.deployment()
    rows: list[dict[str, Any]] = []
    for job in JOBS:
        due = job.due(deployment)
        with deployment.ledger.atomic() as conn:
            waiting = [key for key in due if not records.job_done(conn, job.name, key)]
            done = records.job_runs_of(conn, job.name)
        rows.append(
            {
                "job": job.name,
                "description": job.description,
                "due": waiting,
                "ran": [{"key": key, "at": at.isoformat()} for key, at in done],
            }
        )
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from rich.table import Table  # rich only when a table is shown (cli.common)

    table = Table(title=f"งานตามปฏิทิน — the calendar's jobs ({deployment.now():%Y-%m-%d %H:%M})")
    for head in ("job", "what", "due now", "ran for"):
        table.add_column(head)
    for row in rows:
        table.add_row(
            row["job"],
            row["description"],
            ", ".join(row["due"]) or "–",
            ", ".join(r["key"] for r in row["ran"][-3:]) or "–",
        )
    console.print(table)


@jobs_app.command("run")
def jobs_run(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="a job's name (eop jobs list)")],
    key: Annotated[
        str | None,
        typer.Option(help="the key to run it for, e.g. a period 2558-03; default: what is due now"),
    ] = None,
    again: Annotated[
        bool,
        typer.Option(
            "--again",
            help="run even if it already ran for the key (mail already queued is not sent twice)",
        ),
    ] = False,
) -> None:
    """Run one job now.  Example: eop --now 2015-03-27T09:00 jobs run remind-missing --key 2558-03"""
    from eop.periods import Period
    from ledger import records
    from service.calendar import JOBS, job_named, run_job

    try:
        job = job_named(name)
    except KeyError:
        raise typer.BadParameter(
            f"ไม่มีงาน {name!r} — no job {name!r}; jobs: {', '.join(j.name for j in JOBS)}"
        ) from None
    deployment = ctx.obj.deployment()
    keys = [_normal(key, Period)] if key else job.due(deployment)
    if not keys:
        console.print(f"{name}: ไม่มีงานที่ถึงกำหนด — nothing due now")
        return
    for each in keys:
        with deployment.ledger.atomic() as conn:
            done = records.job_done(conn, job.name, each)
        if done and not again:
            console.print(f"{name} {each}: ทำไปแล้ว — already ran (use --again to run it again)")
            continue
        console.print(f"{name} {each}: {run_job(deployment, job, each)}")
    if deployment.failures:
        raise Failure("\n".join(deployment.failures))


def _normal(key: str, period_type) -> str:
    """A period key written 2015-03 becomes 2558-03; other keys are kept as given."""
    try:
        return str(period_type.parse(key))
    except ValueError:
        return key


def register(app: typer.Typer) -> None:
    app.add_typer(jobs_app, name="jobs")
