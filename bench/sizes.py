"""Whole processes side by side, per size (issue 11): `eop process` as a user runs it (a new
process: start, imports, due jobs, the files judged, answers composed, spooled and sent)
against the plain script as a whole process too (bench.plain: pandas' read_excel + a pandera
schema + concat().sum(); with the openpyxl engine and with the calamine engine), on the same
files, one after the other in the same run:

- 13 and 104 workbooks in the Kanchanaburi demo deployment (`eop demo`, then 25 April 2558:
  April's workbooks issued), 104 being 8 versions from each of the 13 districts, dropped in
  the order they were made, each replacing the one before as offices resubmit;
- 878, every district of the country, in the national deployment (bench.national).

The demo deployment is built once (about 4 minutes) and kept in the work folder."""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.measure import REPO, load_average

DEMO_NOW = "2015-04-25T10:00"  # April's entry window, its workbooks issued at 08:00
PACKET_NOW = "2015-04-06T10:00"  # the day before round 1/2558's deadline
DEMO_PERIOD = "2558-04"
VERSIONS = 8
PROVINCE_SIZES = (13, 104)  # one version a district, and 8
PLAIN = "import sys; sys.path.append({repo!r}); from bench.plain import main; sys.exit(main())"
Drop = tuple[str, Path, str]  # office, the file, the name it is dropped under


def eop() -> str:
    return str(Path(sys.executable).parent / "eop")


def _quiet_run(command: list[str], cwd: Path | None = None) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


# -- the province: the demo deployment in April, and 8 versions per district ---------------------
def province(work: Path, say: Callable[[str], None]) -> Path:
    """work/province: `deployment` (the demo on 25 April 2558, April's workbooks issued) and
    `files/<version>/<office>.xlsx`, made once."""
    base = work / "province"
    if (base / "ready").exists():
        return base
    demo = work / "demo"
    if not (demo / "done").exists():
        shutil.rmtree(demo, ignore_errors=True)
        say("bench: building the demo deployment once (eop demo, about 4 minutes) …")
        _quiet_run([eop(), "demo", "--workdir", str(demo)])
        (demo / "done").touch()
    shutil.rmtree(base, ignore_errors=True)
    deployment = base / "deployment"
    copy(demo, deployment)
    config = deployment / "config.yaml"
    _quiet_run([eop(), "--config", str(config), "--now", DEMO_NOW, "process"])  # April issued
    _stage_versions(config, base / "files")
    (base / "ready").touch()
    return base


def copy(source: Path, target: Path) -> None:
    """A deployment copied as a closed one (a reader's WAL files are left behind: they hold
    nothing, and may vanish mid-copy)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(
        source,
        target,
        ignore=shutil.ignore_patterns("*.sqlite3-wal", "*.sqlite3-shm", ".*.idle.json", "done"),
    )


def _stage_versions(config: Path, files: Path) -> None:
    """8 filled versions of April's workbook per district, figures typed as officers type them."""
    from eop.clock import Clock, parse_moment
    from eop.config import load_config
    from intake.folders import returned_dir
    from jobs.deployment import open_deployment
    from jobs.issue import workbook_name
    from simulation.demo_month import as_typed, figures
    from simulation.offices import fill_monthly

    deployment = open_deployment(load_config(config), Clock(parse_moment(DEMO_NOW)))
    rng = random.Random(2558)
    for office in (o.code for o in deployment.config.offices if o.level == "district"):
        issued = returned_dir(deployment.root, office) / workbook_name(
            "monthly", office, DEMO_PERIOD
        )
        for version in range(1, VERSIONS + 1):
            quantities, spending = figures(deployment, office, rng)
            fill_monthly(
                issued,
                files / str(version) / f"{office}.xlsx",
                quantities={k: as_typed(v, rng) for k, v in quantities.items()},
                spending=spending,
                reporter=f"เจ้าหน้าที่ {office}",
            )
    deployment.ledger.close()


def province_drops(base: Path, size: int) -> list[Drop]:
    """13: the first version of each district; 104: all 8, version by version."""
    versions = max(1, size // 13)
    return [
        (path.stem, path, f"รายงาน-{path.stem}-{DEMO_PERIOD}-ฉบับที่{version}.xlsx")
        for version in range(1, versions + 1)
        for path in sorted((base / "files" / str(version)).glob("*.xlsx"))
    ]


# -- one size: three whole processes on the same files ---------------------------------------
def _timed(command: list[str], cwd: Path, keep_stdout: bool = False) -> dict:
    before, load = resource.getrusage(resource.RUSAGE_CHILDREN), load_average()
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    kept = done.stdout if keep_stdout else done.stdout.strip().splitlines()[-1:]
    return {"wall": wall, "cpu": cpu, "load": load, "out": kept}


def whole_processes(run: Path, drops: list[Drop], now: str) -> dict:
    """On the deployment copied to `run`: plain (openpyxl), the product's `eop process`, plain
    (calamine), each a new process."""
    config = run / "config.yaml"
    base = time.time() - 3600
    for index, (office, source, name) in enumerate(drops):
        target = run / "var" / "share" / office / "drop" / name
        shutil.copy(source, target)
        os.utime(target, (base + index, base + index))  # dropped in the order made
    listing = run / "plain-files.json"
    listing.write_text(
        json.dumps([[office, str(source)] for office, source, _ in drops]), encoding="utf-8"
    )
    plain = [sys.executable, "-c", PLAIN.format(repo=str(REPO)), str(listing)]
    result = {"workbooks": len(drops)}
    result["plain_openpyxl"] = _timed([*plain, "openpyxl"], run)
    result["product"] = _timed([eop(), "--config", str(config), "--now", now, "process"], run)
    result["plain_calamine"] = _timed([*plain, "calamine"], run)
    return result


# -- the round's evidence packet, rebuilt as a coordinator would ------------------------------
def packet(work: Path, say: Callable[[str], None]) -> dict:
    """`eop evidence --round 1/2558` as a new process on a copy of the demo deployment (its
    documents on file, its reports, the front matter, the merge): wall, CPU and pages."""
    province(work, say)  # the demo deployment, built once
    say("bench: the evidence packet of round 1/2558 …")
    run = work / "packet"
    copy(work / "demo", run)
    command = [eop(), "--config", str(run / "config.yaml"), "--now", PACKET_NOW, "evidence"]
    timed = _timed([*command, "--round", "1/2558", "--office", "71", "--json"], run, True)
    return {**timed, "out": [], "pages": json.loads(timed["out"])["pages"]}


def province_pdfs(work: Path, generated: Path, say: Callable[[str], None]) -> dict:
    """A province's own RPT111 and RPT211 as PDFs, in the demo's catalogue (Kanchanaburi),
    five times each in one process (the bench's `reports` step), on a copy of the demo."""
    from bench.measure import run_step

    province(work, say)  # the demo deployment, built once
    say("bench: a province's PDFs (the demo's catalogue) …")
    run = work / "province-pdfs"
    copy(work / "demo", run)
    args = ["--generated", str(generated), "--run", str(run), "--provinces", "1"]
    return run_step("reports", args, cwd=work, out=work / "out" / "province-pdfs.json").result


def render_province_pdfs(r: dict) -> list[str]:
    warm = sorted(r["pdf_seconds"][1:])
    return [
        "",
        "## A province's reports as PDFs",
        "",
        f"RPT111 + RPT211 of Kanchanaburi in the demo's own catalogue (RPT111: {r['pdf_pages']} "
        f"pages), drawn {len(r['pdf_seconds'])} times in one process: the first "
        f"{r['pdf_seconds'][0]:.2f} s (WeasyPrint loaded, fonts parsed), then "
        f"{warm[len(warm) // 2]:.2f} s median warm ({warm[0]:.2f}–{warm[-1]:.2f} s).",
    ]


def render_packet(built: dict) -> list[str]:
    return [
        "",
        "## The round's evidence packet",
        "",
        f"`eop evidence --round 1/2558` on the demo deployment, a new process: {built['pages']} "
        f"pages built in {built['wall']:.2f} s ({built['cpu']:.2f} s CPU; load {built['load']:.1f}).",
    ]


def render(rows: list[dict]) -> list[str]:
    lines = [
        "",
        "## The whole process, per size",
        "",
        "Each a new process, one after the other on the same files: the plain script "
        "(read_excel + pandera + concat().sum()) with pandas' openpyxl engine and with its calamine "
        "engine, and the product's `eop process` (start and imports, due jobs, judging, answers "
        "composed, spooled and sent). Load: the 1-minute load average as each began.",
        "",
        "| workbooks | where | plain openpyxl s | plain calamine s | `eop process` s | openpyxl ÷ product "
        "| calamine ÷ product | CPU s (openpyxl / calamine / product) | load |",
        "|---:|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        a, b, p = r["plain_openpyxl"], r["plain_calamine"], r["product"]
        lines.append(
            f"| {r['workbooks']} | {r['where']} | {a['wall']:.2f} | {b['wall']:.2f} | {p['wall']:.2f} | "
            f"{a['wall'] / p['wall']:.1f}× | {b['wall'] / p['wall']:.1f}× | "
            f"{a['cpu']:.2f} / {b['cpu']:.2f} / {p['cpu']:.2f} | "
            f"{a['load']:.1f} / {b['load']:.1f} / {p['load']:.1f} |"
        )
    return lines
