"""Onboarding: the setup workbook (a province from its own Excel) and the people workbook
(the living EOP017 user table)."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer

from cli.common import Failure, line

FROM = typer.Option("--from", help="a filled-in workbook to apply", exists=True, dir_okay=False)
BY = typer.Option("--by", help="who applies it (recorded with the change); default: your login")


def _report(receipt, actor: str, at) -> None:
    for text in receipt.lines(actor, at):
        line(text)
    if not receipt.applied:
        raise Failure(f"{len(receipt.findings)} ข้อผิดพลาด / mistakes: nothing was changed")


def setup(
    ctx: typer.Context,
    workdir: Annotated[Path, typer.Option(help="the deployment's folder (config.yaml, var/)")],
    source: Annotated[Path | None, FROM] = None,
    like: Annotated[
        Path | None, typer.Option(help="pre-fill from this config.yaml instead of workdir's")
    ] = None,
    fiscal_year: Annotated[
        int | None, typer.Option(help="BE year; default: the current one")
    ] = None,
    by: Annotated[str | None, BY] = None,
) -> None:
    """Issue the setup workbook (offices, sections, people, activities, targets) into
    WORKDIR/setup.xlsx, or apply a filled one: config.yaml written and the ledger initialised.
    Example: eop setup --workdir /srv/eop ; eop setup --workdir /srv/eop --from setup.xlsx"""
    from eop.config import load_config
    from eop.periods import Period
    from jobs.setup import apply_file, issue_setup

    clock = ctx.obj.clock()
    config_path = workdir / "config.yaml"
    workdir.mkdir(parents=True, exist_ok=True)
    actor = by or getpass.getuser()
    if source is not None:
        _report(apply_file(config_path, source, actor=actor, clock=clock), actor, clock.now())
        line(f"ต่อไป / next: eop --config {config_path} serve")
        return
    base = like or (config_path if config_path.exists() else None)
    config = load_config(base) if base else None
    now = clock.now()
    year = fiscal_year or (
        config.fiscal_year if config else Period.of(now.year, now.month).fiscal_year
    )
    out = issue_setup(
        workdir / "setup.xlsx", kind="setup", config=config, fiscal_year=year, now=clock.now()
    )
    line(f"แบบฟอร์มตั้งค่า / setup workbook: {out}")
    line(f"กรอกแล้วสั่ง / fill it in, then: eop setup --workdir {workdir} --from {out}")


def people(
    ctx: typer.Context,
    source: Annotated[Path | None, FROM] = None,
    out: Annotated[Path, typer.Option(help="where to write the people workbook")] = Path(
        "people.xlsx"
    ),
    by: Annotated[str | None, BY] = None,
) -> None:
    """The user table (EOP017) as a workbook: issue it pre-filled, or apply a changed one
    (people who leave keep their past events).  Example: eop people --from people.xlsx"""
    from jobs.setup import apply_file, issue_setup

    clock = ctx.obj.clock()
    actor = by or getpass.getuser()
    if source is not None:
        receipt = apply_file(ctx.obj.config_path, source, actor=actor, clock=clock, expect="people")
        _report(receipt, actor, clock.now())
        return
    config = ctx.obj.config()
    path = issue_setup(
        out, kind="people", config=config, fiscal_year=config.fiscal_year, now=clock.now()
    )
    line(f"แบบฟอร์มผู้ใช้งาน / people workbook (EOP017): {path}")


def register(app: typer.Typer) -> None:
    app.command()(setup)
    app.command()(people)
