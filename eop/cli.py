"""`eop`: the command line, a thin face over intake and jobs.

Errors become exit codes only here: 0 ok, 1 failure, 2 usage or config error. Tracebacks
only with --debug.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from eop.clock import BadMoment, Clock, parse_moment
from eop.config import Config, ConfigError, load_config
from eop.periods import BadPeriod, Period

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="e-Operation Sheets: monthly reporting of livestock offices through Excel workbooks.",
)
mail_app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="The outbox: list, send, retry."
)
app.add_typer(mail_app, name="mail")
console = Console()
errors = Console(stderr=True, soft_wrap=True)  # messages keep their lines: a path is never folded


@dataclass
class Options:
    config_path: Path
    now: str | None
    debug: bool

    def config(self) -> Config:
        return load_config(self.config_path)

    def clock(self) -> Clock:
        return Clock.from_option(self.now)

    def deployment(self):
        from jobs.deployment import open_deployment

        return open_deployment(self.config(), self.clock())


class Failure(Exception):
    """A command could not do its work; exit code 1."""


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


def _period(text: str | None, clock: Clock) -> Period:
    if text:
        return Period.parse(text)
    moment = clock.now()
    return Period.of(moment.year, moment.month)


def verdict_line(v) -> str:
    """One line per file: `7105 2558-03 monthly accepted in 0.08s  (name as dropped)`."""
    tail = f": {v.findings} findings" if v.findings else ""
    return f"{v.office} {v.period or '-'} {v.kind or '-'} {v.status} in {v.seconds:.2f}s{tail}  ({v.name})"


def _line(text: str) -> None:
    """A line of progress as it is: never folded at the terminal's width, and a file name
    with brackets is not taken for rich markup."""
    console.print(text, soft_wrap=True, markup=False, highlight=False)


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the folders and the ledger for the config.  Example: eop --config config.yaml init"""
    deployment = ctx.obj.deployment()
    console.print(f"พร้อมใช้งาน / ready: {deployment.root}")
    console.print(f"  ledger  {deployment.ledger.path}")
    console.print(f"  drop    {deployment.root / 'share' / '<office>' / 'drop'}")


@app.command()
def process(ctx: typer.Context) -> None:
    """One pass: every waiting file, every due job, the outbox.  Example: eop --now 2015-03-25T10:00 process"""
    from jobs.process import run_pass

    report = run_pass(ctx.obj.deployment())
    for name, key, count in report.jobs:
        console.print(f"job {name} {key}: {count}")
    for v in report.verdicts:
        _line(verdict_line(v))
    console.print(
        f"answered {report.answered}, mail sent {report.sent}"
        + (f", {report.waiting} file(s) still being copied" if report.waiting else "")
    )


@app.command()
def serve(
    ctx: typer.Context,
    tick: Annotated[float, typer.Option(help="seconds between calendar checks")] = 30.0,
) -> None:
    """Watch the drop folders, run the calendar's jobs and send mail until stopped (SIGTERM).
    Example: eop --config config.yaml serve"""
    from intake.folders import drop_dir
    from intake.watch import DropWatcher, install_stop_signals, serve_loop
    from jobs.deployment import submitting_offices
    from jobs.process import run_pass, scanner_for

    should_stop = (
        install_stop_signals()
    )  # before the slow start: a SIGTERM while opening still stops cleanly
    deployment = ctx.obj.deployment()
    deployment.clock = deployment.clock.running()  # --now is where the service's time starts
    scanner = scanner_for(deployment)
    dirs = [drop_dir(deployment.root, code) for code in submitting_offices(deployment.config)]
    watch = deployment.config.watch

    def one_pass() -> int:
        report = run_pass(deployment, scanner)
        for v in report.verdicts:
            _line(verdict_line(v))
        return report.waiting

    _line(
        f"กำลังเฝ้าโฟลเดอร์ / watching {len(dirs)} drop folders under {deployment.root / 'share'} ({watch.mode})"
    )
    with DropWatcher(dirs, watch.mode, watch.poll_seconds) as watcher:
        serve_loop(
            one_pass,
            watcher,
            tick_seconds=tick,
            should_stop=should_stop,
            settle_seconds=max(watch.stable_seconds / 2, 0.2),
        )
    _line("หยุดแล้ว / stopped")


@app.command()
def status(
    ctx: typer.Context,
    period: Annotated[str | None, typer.Option(help="2558-03 (BE) or 2015-03")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="the stable JSON shape (README)")] = False,
) -> None:
    """Each office's state for a period.  Example: eop status --period 2558-03 --json"""
    from jobs.issue import monthly_offices
    from ledger.views import period_status

    deployment = ctx.obj.deployment()
    month = _period(period, deployment.clock)
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


@app.command()
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


@app.command("issue")
def issue_command(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="monthly | allocation | targets")],
    office: Annotated[str, typer.Option(help="office code, e.g. 7105")],
    period: Annotated[
        str | None, typer.Option(help="2558-03 for monthly; the fiscal year 2558 otherwise")
    ] = None,
    no_mail: Annotated[
        bool, typer.Option("--no-mail", help="only write it to share/<office>/returned/")
    ] = False,
) -> None:
    """Issue (again) a workbook to an office.  Example: eop issue monthly --office 7105 --period 2558-03"""
    from jobs.issue import issue

    deployment = ctx.obj.deployment()
    if kind not in ("monthly", "allocation", "targets"):
        raise typer.BadParameter(
            f"{kind!r}: ใช้ monthly, allocation หรือ targets — use monthly, allocation or targets"
        )
    key = (
        str(_period(period, deployment.clock))
        if kind == "monthly"
        else str(period or deployment.config.fiscal_year)
    )
    built = issue(deployment, kind, office, key, mail=not no_mail)
    console.print(f"{built.path}")


@app.command("targets-import")
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


@mail_app.command("list")
def mail_list(
    ctx: typer.Context,
    state: Annotated[str | None, typer.Option(help="queued | sending | sent | failed")] = None,
) -> None:
    """Messages in the outbox.  Example: eop mail list --state failed"""
    from ledger.mail import by_state

    deployment = ctx.obj.deployment()
    with deployment.ledger.atomic() as conn:
        rows = by_state(conn, *([state] if state else []))
    table = Table(title="outbox")
    for head in ("id", "state", "kind", "to", "subject", "attempts", "error"):
        table.add_column(head)
    for row in rows:
        table.add_row(
            str(row.id),
            row.state,
            row.kind,
            ", ".join(json.loads(row.recipients)),
            row.subject,
            str(row.attempts),
            row.last_error or "",
        )
    console.print(table)


@mail_app.command("send")
def mail_send(ctx: typer.Context) -> None:
    """Send what is due now.  Example: eop mail send"""
    from outbox.deliver import send_due

    deployment = ctx.obj.deployment()
    console.print(f"sent {send_due(deployment.ledger, deployment.config, deployment.now())}")


@mail_app.command("retry")
def mail_retry(ctx: typer.Context) -> None:
    """Queue failed messages again, then send.  Example: eop mail retry"""
    from outbox.deliver import retry_failed, send_due

    deployment = ctx.obj.deployment()
    again = retry_failed(deployment.ledger, deployment.now())
    console.print(
        f"requeued {again}, sent {send_due(deployment.ledger, deployment.config, deployment.now())}"
    )


@app.command()
def demo(
    ctx: typer.Context,
    workdir: Annotated[Path, typer.Option(help="where the demo deployment lives")] = Path("demo"),
) -> None:
    """The whole of round 1/2558 for Kanchanaburi on embedded defaults.  Example: eop demo --workdir demo"""
    from jobs.demo import run_demo

    wide = console if console.is_terminal and console.width >= 140 else Console(width=160)
    run_demo(workdir, wide)


from eop.cli_jobs import register as register_jobs  # noqa: E402 — sub-apps after the shared options
from eop.cli_kpi import register as register_kpi  # noqa: E402
from eop.cli_report import register as register_report  # noqa: E402
from eop.cli_workflow import register as register_workflow  # noqa: E402

register_jobs(app)
register_kpi(app)
register_report(app)
register_workflow(app)


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
        if callable(getattr(exc, "show", None)) and isinstance(
            getattr(exc, "exit_code", None), int
        ):
            exc.show()
            sys.exit(exc.exit_code)
        if os.environ.get("EOP_DEBUG") or "--debug" in sys.argv:
            raise
        errors.print(
            f"ข้อผิดพลาดภายใน / internal error: {exc!r} (run with --debug for details)", markup=False
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
