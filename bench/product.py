"""The product's side of the benchmark, through the code `eop process` and `eop serve` run:
`service.process.run_pass` (scheduled jobs → drop folders → take → judge → ledger → answer →
outbox), then consolidation (`jobs.consolidate`) and the RPT reports (`jobs.reports`).
Only timers are added around the stages; nothing is replaced."""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from bench.national import PERIOD, Workbook, copy_deployment, drop_time

PDF_PROVINCES = 5  # the PDFs' batch: a warm report's time, beside the first one's
STAGES = ("run_due", "take", "take_all", "judge_pending", "answer_pending", "send_due")


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (pool workers)."""
    import resource

    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def _timed_stages(timings: dict[str, float], cpu: dict[str, float] | None = None):
    """Wrap the stages `run_pass` calls (looked up in service.process) with timers (wall, and
    CPU of this process and its finished worker processes)."""
    import service.process as process

    def wrap(name, function):
        def timed(*args, **kwargs):
            started, used = time.perf_counter(), cpu_seconds()
            try:
                return function(*args, **kwargs)
            finally:
                timings[name] = timings.get(name, 0.0) + time.perf_counter() - started
                if cpu is not None:
                    cpu[name] = cpu.get(name, 0.0) + cpu_seconds() - used

        return timed

    for name in STAGES:
        if hasattr(process, name):
            setattr(process, name, wrap(name, getattr(process, name)))
    from intake.folders import DropScanner

    DropScanner.waiting = wrap(
        "scan", DropScanner.waiting
    )  # finding the dropped files is intake too


def open_run(generated: Path, run: Path):
    from eop.clock import Clock
    from eop.config import load_config
    from jobs.deployment import open_deployment

    config_path = copy_deployment(generated, run)
    return open_deployment(load_config(config_path), Clock(drop_time()))


def product_round(generated: Path, run: Path, workbooks: list[Workbook]) -> dict:
    """Drop the workbooks, run one pass as `eop process` does, then consolidate."""
    from intake.folders import drop_dir
    from service.process import run_pass, scanner_for

    deployment = open_run(generated, run)
    for w in workbooks:
        shutil.copy(generated / w.file, drop_dir(deployment.root, w.office) / w.drop_name)
    stages: dict[str, float] = {}
    stages_cpu: dict[str, float] = {}
    _timed_stages(stages, stages_cpu)
    started, cpu = time.perf_counter(), cpu_seconds()
    report = run_pass(deployment, scanner_for(deployment, stable_seconds=0))
    pass_wall, pass_cpu = time.perf_counter() - started, cpu_seconds() - cpu
    consolidation = consolidate_all(deployment)
    statuses = Counter(v.status for v in report.verdicts)
    office_status = {v.office: v.status for v in report.verdicts}
    result = {
        "workbooks": len(workbooks),
        "pass_wall": pass_wall,
        "pass_cpu": pass_cpu,
        "stages": stages,
        "stages_cpu": stages_cpu,
        "verdict_seconds": [v.seconds for v in report.verdicts],
        "statuses": dict(statuses),
        "invalid": sorted(o for o, s in office_status.items() if s == "rejected"),
        "answered": report.answered,
        "sent": report.sent,
        "jobs": report.jobs,
        "consolidation": consolidation,
    }
    deployment.ledger.close()
    return result


def consolidate_all(deployment) -> dict:
    """Every province and the centre, for the period, by jobs.consolidate (when it exists);
    returns the time and the provinces' month totals per activity (to compare with plain)."""
    if not available("jobs.consolidate"):
        return {"available": False}
    from eop.periods import Period
    from jobs.consolidate import consolidate, read_inputs, rollup

    started = time.perf_counter()
    centre = consolidate(
        deployment, "DLD", PERIOD
    )  # the whole country: every province, then the centre
    seconds = time.perf_counter() - started
    with (
        deployment.ledger.atomic() as conn
    ):  # the provinces' lines, to compare with plain (not timed)
        inputs = read_inputs(conn, Period.parse(PERIOD))
    provinces = {
        p.code: rollup(inputs, deployment.config, p.code) for p in deployment.config.provinces()
    }
    totals = {
        f"{province}/{activity}": [round(f.month_qty, 6), round(f.month_spent, 6)]
        for province, lines in provinces.items()
        for activity, f in lines.items()
        if f.month_qty or f.month_spent
    }
    return {
        "available": True,
        "seconds": seconds,
        "totals": totals,
        "centre_month_qty": sum(f.month_qty for f in centre),
    }


def reports_round(run: Path, *, provinces: int | None, pdf_province: str) -> dict:
    """RPT111 and RPT211 as XLSX for every province, and the PDFs of one province."""
    if not available("jobs.reports"):
        return {"available": False}
    from pypdf import PdfReader

    from eop.clock import Clock
    from eop.config import load_config
    from jobs.deployment import open_deployment
    from jobs.reports import build_report, read_source, report_path, write

    deployment = open_deployment(load_config(run / "config.yaml"), Clock(drop_time()))
    codes = [p.code for p in deployment.config.provinces()][: provinces or None]
    per_report: list[float] = []
    started = time.perf_counter()
    source = read_source(
        deployment, PERIOD
    )  # as `eop report RPT111 --office provinces` does (jobs.reports.render_reports)
    read_seconds = time.perf_counter() - started
    for province in codes:
        for code in ("RPT111", "RPT211"):
            begun = time.perf_counter()
            write(
                build_report(deployment, code, PERIOD, province, source),
                "xlsx",
                report_path(deployment, code, PERIOD, province, "xlsx"),
            )
            per_report.append(time.perf_counter() - begun)
    xlsx_wall = time.perf_counter() - started
    pdf_times: list[float] = []
    started = time.perf_counter()
    # the asked province first (its first report loads WeasyPrint and parses the fonts), then
    # a batch of others, as `eop report … --format pdf --office provinces` writes them
    batch = [pdf_province, *[c for c in codes if c != pdf_province][: PDF_PROVINCES - 1]]
    batch += [pdf_province] * (PDF_PROVINCES - len(batch))  # one province alone: drawn again
    for province in batch:
        for code in ("RPT111", "RPT211"):
            begun = time.perf_counter()
            write(
                build_report(deployment, code, PERIOD, province, source),
                "pdf",
                report_path(deployment, code, PERIOD, province, "pdf"),
            )
            pdf_times.append(time.perf_counter() - begun)
    pdf_wall = time.perf_counter() - started
    pages = len(PdfReader(report_path(deployment, "RPT111", PERIOD, pdf_province, "pdf")).pages)
    deployment.ledger.close()
    return {
        "available": True,
        "provinces": len(codes),
        "xlsx_wall": xlsx_wall,
        "xlsx_seconds": per_report,
        "read_seconds": read_seconds,
        "pdf_wall": pdf_wall,
        "pdf_seconds": pdf_times,
        "pdf_province": pdf_province,
        "pdf_provinces": len(set(batch)),
        "pdf_pages": pages,
    }


# -- one workbook, idle service ------------------------------------------------------
def latency_round(generated: Path, run: Path, workbooks: list[Workbook], samples: int) -> dict:
    """`eop serve` on the deployment after the round; one corrected workbook at a time is
    moved into a drop folder, and the time until its answer is in outbox/sent is taken."""
    from eop.clock import BANGKOK
    from intake.folders import drop_dir
    from simulation.offices import fill_monthly

    valid = [w for w in workbooks if w.mistake is None][:samples]
    staging = run / "staging"
    staging.mkdir(exist_ok=True)
    root = run / "var"
    staged = []
    for index, w in enumerate(valid):  # a second version (a remark added), so not a duplicate
        target = staging / f"แก้ไข-{w.office}.xlsx"
        fill_monthly(
            generated / w.file,
            target,
            quantities={},
            remarks={"A101": f"แก้ไขครั้งที่ {index + 1}"},
            reporter=f"เจ้าหน้าที่ {w.office}",
        )
        staged.append((w.office, target))
    now = drop_time().replace(minute=30).astimezone(BANGKOK).strftime("%Y-%m-%dT%H:%M")
    code = "import sys; from cli.main import main; sys.argv[0] = 'eop'; main()"
    log = (run / "serve.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            code,
            "--config",
            str(run / "config.yaml"),
            "--now",
            now,
            "serve",
            "--tick",
            "3600",
        ],
        cwd=run,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    sent_dir = root / "outbox" / "sent"
    try:
        _wait_for(
            lambda: "watching" in (run / "serve.log").read_text(encoding="utf-8", errors="replace"),
            120,
            server,
        )
        time.sleep(1.0)  # the first pass (nothing to do) has finished: the service is idle
        seconds = []
        for office, source in staged:
            before = len(os.listdir(sent_dir))
            target = drop_dir(root, office) / source.name
            os.rename(source, target)  # a move from the same filesystem: one event, the file whole
            started = time.perf_counter()
            _wait_for(
                lambda before=before: len(os.listdir(sent_dir)) > before, 30, server, poll=0.001
            )
            seconds.append(time.perf_counter() - started)
            time.sleep(0.3)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    return {"samples": len(seconds), "seconds": seconds}


def _wait_for(condition, timeout: float, server: subprocess.Popen, poll: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if server.poll() is not None:
            raise RuntimeError(f"eop serve stopped (exit code {server.returncode})")
        if time.monotonic() > deadline:
            raise TimeoutError("no answer from eop serve in time")
        time.sleep(poll)
