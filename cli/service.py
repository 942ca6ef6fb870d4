"""The service's commands: init, one pass, serve, and the demo."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from cli.common import Failure, console, errors, line, plain_line, verdict_line


def init(ctx: typer.Context) -> None:
    """Create the folders and the ledger for the config.  Example: eop --config config.yaml init"""
    deployment = ctx.obj.deployment()
    console.print(f"พร้อมใช้งาน / ready: {deployment.root}")
    console.print(f"  ledger  {deployment.ledger.name}")
    console.print(f"  drop    {deployment.root / 'share' / '<office>' / 'drop'}")


def process(ctx: typer.Context) -> None:
    """One pass: every waiting file, every due job, the outbox.  Example: eop --now 2015-03-25T10:00 process"""
    from service.quiet import is_quiet

    options = ctx.obj
    if is_quiet(options.config_path, options.clock().now()):
        plain_line("answered 0, mail sent 0")  # as the last pass found: nothing to do
        return
    from service.process import run_pass
    from service.quiet import note, watched

    deployment = options.deployment()
    before = watched(deployment)
    report = run_pass(deployment)
    note(deployment, before, report)
    for name, key, count in report.jobs:
        console.print(f"job {name} {key}: {count}")
    for v in report.verdicts:
        line(verdict_line(v))
    console.print(
        f"answered {report.answered}, mail sent {report.sent}"
        + (f", {report.waiting} file(s) still being copied" if report.waiting else "")
    )
    if report.failed:  # the rest of the pass is done; cron sees the exit code
        raise Failure("\n".join(report.failed))


def serve(
    ctx: typer.Context,
    tick: Annotated[float, typer.Option(help="seconds between calendar checks")] = 30.0,
) -> None:
    """Watch the drop folders, run the calendar's jobs and send mail until stopped (SIGTERM).
    Example: eop --config config.yaml serve"""
    from intake.watch import DropWatcher, install_stop_signals, serve_loop
    from service.health import beating, log_events_to

    log_events_to(sys.stderr)  # one line per event, for journald
    # before the slow start: a SIGTERM while opening still stops cleanly
    should_stop = install_stop_signals()
    deployment = ctx.obj.deployment()
    deployment.clock = deployment.clock.running()  # --now is where the service's time starts
    dirs = _drop_dirs(deployment)
    watch = deployment.config.watch
    line(
        f"กำลังเฝ้าโฟลเดอร์ / watching {len(dirs)} drop folders under {deployment.root / 'share'} ({watch.mode})"
    )
    with DropWatcher(dirs, watch.mode, watch.poll_seconds) as watcher:
        serve_loop(
            beating(
                deployment.root, tick, _passes(deployment, watcher, tick), lambda: watcher.alive
            ),
            watcher,
            tick_seconds=tick,
            should_stop=should_stop,
            settle_seconds=max(watch.stable_seconds / 2, 0.2),
        )
    line("หยุดแล้ว / stopped")


def _drop_dirs(deployment) -> list[Path]:
    from intake.folders import drop_dir
    from jobs.deployment import submitting_offices

    return [drop_dir(deployment.root, code) for code in submitting_offices(deployment.config)]


def _passes(deployment, watcher, tick: float) -> Callable[[], int]:
    """The service's passes, each verdict printed. Once a setup workbook is applied (a new
    config), the drop folder of an office it added is watched too."""
    from service.process import paced_passes, scanner_for

    next_pass = paced_passes(deployment, scanner_for(deployment), tick, watcher.hinted)
    watched = deployment.config

    def one_pass() -> int:
        nonlocal watched
        report = next_pass()
        if deployment.config is not watched:
            watched = deployment.config
            watcher.watch(_drop_dirs(deployment))
        for v in report.verdicts:
            line(verdict_line(v))
        for what in report.failed:
            errors.print(what, soft_wrap=True, markup=False, highlight=False)
        return report.waiting

    return one_pass


def demo(
    ctx: typer.Context,
    workdir: Annotated[Path, typer.Option(help="where the demo deployment lives")] = Path("demo"),
) -> None:
    """The whole of round 1/2558 for Kanchanaburi on embedded defaults.  Example: eop demo --workdir demo"""
    from rich.console import Console

    from simulation.demo import run_demo

    wide = Console() if console.is_terminal and console.width >= 140 else Console(width=160)
    run_demo(workdir, wide)


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(process)
    app.command()(serve)
    app.command()(demo)
