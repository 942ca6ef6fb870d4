"""The benchmark's year rows: a month's pass on a ledger that already holds whole fiscal
years of the country, against the generated ledger (which holds October–February only).

Playing twelve national months through workbooks would take hours, so a year is FILLED, not
played: through the product's own ledger functions (`ledger.records`, `ledger.workflow`,
`ledger.events`, `ledger.mail`), no SQL of ours, it writes what a played year leaves: for each
month and each office (the districts of the sample and their province offices) a file,
judged and answered (its answer mail sent), an accepted version with its results, one
approval per section, the planner's confirmation, the lock; about 2 % rejected first and
fixed; about 1 % corrected under a memo after the lock (a second version); the calendar's
job runs. Held years are the fiscal years before the benchmark's (2557, 2556, …).
"""

from __future__ import annotations

import random
import shutil
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from bench.national import _checkpoint, _month, activities, provinces, sample

KINDS = ("S1", "S2", "S3", "S4", "S5")  # each province has its five sections: 71-S1 …
JOB_NAMES = (
    "issue-monthly",
    "remind-missing",
    "review-request",
    "review-reminder",
    "province-package",
    "lock",
)
FINDING = {
    "severity": "error",
    "code": "not-a-number",
    "sheet": "ผลการปฏิบัติงาน",
    "cell": "G9",
    "field": "quantity",
    "value": "12,5O0",
    "message_th": "ไม่ใช่ตัวเลข",
    "message_en": "not a number",
}


def years_rows(args, prod, work: Path, out: Path, say) -> list[dict]:
    """The product's pass on the generated ledger (`prod`, already run), then on copies of it
    holding 1, 2, … earlier fiscal years (each filled once from the one before, and reused)."""
    from bench.measure import run_step

    folder = work / f"generated-{args.workbooks}"
    rows = [_row(0, folder, prod.result)]
    for years in range(1, max(args.years_held, default=0) + 1):
        target = work / f"generated-{args.workbooks}-years-{years}"
        folder = with_year(folder, 2558 - years, target, args.workbooks, say)
        if years not in args.years_held:
            continue
        say(f"bench: a month's pass on a ledger holding {years} earlier fiscal year(s) …")
        run = ["--generated", str(folder), "--seed", str(args.seed)]
        run += ["--workbooks", str(args.workbooks), "--run", str(work / f"run-years-{years}")]
        child = run_step("product", run, cwd=work, out=out / f"years-{years}.json")
        rows.append(_row(years, folder, child.result))
    return rows


def _row(years: int, folder: Path, result: dict) -> dict:
    consolidation = result["consolidation"]
    filled = folder / "fill-seconds"
    return {
        "years": years,
        "ledger_mib": sum(p.stat().st_size for p in (folder / "var").glob("*.sqlite3")) / 2**20,
        "fill_seconds": float(filled.read_text(encoding="utf-8")) if filled.exists() else 0.0,
        "workbooks": result["workbooks"],
        "pass_wall": result["pass_wall"],
        "pass_cpu": result.get("pass_cpu", 0.0),
        "consolidation": consolidation.get("seconds") if consolidation.get("available") else None,
    }


def render_years(rows: list[dict]) -> str:
    lines = [
        "",
        "## A month's pass on a ledger holding whole fiscal years",
        "",
        "March's workbooks (the same files) on the generated ledger (0: targets, the issued workbooks and October–February of the sample), then on copies of it that also hold "
        "1, 2, … earlier fiscal years of the sample's offices (12 months each: every file judged, answered "
        "and its mail sent, every version's results, the sections' approvals, confirmations, locks, ~2 % "
        "rejected first, ~1 % corrected under a memo). Wall times move with the machine's other work; CPU s is the pass's own (workers included). The years are FILLED through the product's ledger "
        "functions (ledger.records, ledger.workflow, ledger.events, ledger.mail), not played. SQLite.",
        "",
        "| earlier years held | ledger MiB | fill s (all years) | workbooks | whole pass s | CPU s | ms per workbook | consolidation s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        consolidated = f"{r['consolidation']:.2f}" if r["consolidation"] is not None else "–"
        lines.append(
            f"| {r['years']} | {r['ledger_mib']:.0f} | {r['fill_seconds']:.0f} | {r['workbooks']} | "
            f"{r['pass_wall']:.2f} | {r['pass_cpu']:.1f} | {r['pass_wall'] / r['workbooks'] * 1000:.1f} | "
            f"{consolidated} |"
        )
    return "\n".join(lines) + "\n"


def with_year(source: Path, fiscal_year: int, target: Path, workbooks: int, log=print) -> Path:
    """A copy of `source` whose ledger also holds `fiscal_year` (filled); reused while the
    source is unchanged (its manifest the same)."""
    mark = (source / "manifest.json").read_text(encoding="utf-8")
    if (target / "manifest.json").exists() and (target / "manifest.json").read_text(
        encoding="utf-8"
    ) == mark:
        return target
    if target.exists():
        shutil.rmtree(target)
    ignore = shutil.ignore_patterns("manifest.json", "*-wal", "*-shm", "fill-seconds")
    shutil.copytree(source, target, ignore=ignore)
    before = source / "fill-seconds"
    seconds = fill_years(target, [fiscal_year], workbooks, log)
    seconds += float(before.read_text(encoding="utf-8")) if before.exists() else 0.0
    (target / "fill-seconds").write_text(f"{seconds:.1f}", encoding="utf-8")
    (target / "manifest.json").write_text(mark, encoding="utf-8")
    return target


def fill_years(folder: Path, fiscal_years: list[int], workbooks: int, log=print) -> float:
    """Fill the fiscal years into the folder's ledger; the seconds it took."""
    from eop.clock import BANGKOK, Clock
    from eop.config import load_config
    from jobs.deployment import open_deployment

    deployment = open_deployment(
        load_config(folder / "config.yaml"), Clock(datetime(2015, 3, 25, 10, tzinfo=BANGKOK))
    )
    offices = _offices(workbooks)
    started = time.perf_counter()
    for fiscal_year in fiscal_years:
        log(f"  filling fiscal year {fiscal_year}: 12 months × {len(offices)} offices")
        fill_year(deployment, fiscal_year, offices, random.Random(fiscal_year))
    seconds = time.perf_counter() - started
    deployment.ledger.close()
    if deployment.ledger.path is not None:
        _checkpoint(deployment.ledger.path)
    return seconds


def _offices(workbooks: int) -> list[str]:
    districts = sample(workbooks)
    provinces_ = sorted({p.code for p in provinces() for d in districts if d.startswith(p.code)})
    return provinces_ + districts


def fill_year(deployment, fiscal_year: int, offices: list[str], rng: random.Random) -> None:
    from eop.clock import BANGKOK
    from eop.periods import Period, months_between

    whole = {a.code: a.whole for a in activities()}
    yearly = {a.code: (a.quantity, a.budget) for a in activities()}
    for period in months_between(Period(fiscal_year - 1, 10), Period(fiscal_year, 9)):
        at = datetime(period.year_ce, period.month, 25, 10, tzinfo=BANGKOK)
        with deployment.ledger.atomic() as conn:
            for office in offices:
                _office_month(conn, office, str(period), at, _month(yearly, whole, rng), rng)
            _close_month(conn, offices, str(period), at, rng)


def _office_month(conn, office: str, period: str, at: datetime, figures: dict, rng) -> None:
    from ledger import workflow

    if rng.random() < 0.02:  # rejected first, fixed the next day
        _file(conn, office, period, at, "rejected", figures, tag="rejected")
        at += timedelta(days=1)
    submission = _file(conn, office, period, at, "accepted", figures)
    if len(office) > 2:  # a district: every section of its province approves it
        for section in (f"{office[:2]}-{kind}" for kind in KINDS):
            workflow.add_review(
                conn,
                section=section,
                office=office,
                period=period,
                submission_id=submission.id,
                decision="approved",
                comment="",
                reviewer=section,
                file_id=None,
                late=False,
                at=at + timedelta(days=3),
            )
    workflow.confirm(conn, office, period, at=at + timedelta(days=7), actor="planner")


def _file(conn, office: str, period: str, at: datetime, status: str, figures: dict, tag=""):
    """One file taken, judged and answered (its answer mail sent); an accepted one's version
    and results. Returns the submission (None when rejected)."""
    from ledger import records

    name = f"year-{office}-{period}{tag}.xlsx"
    file_id = records.record_file(
        conn,
        sha256=f"{name}-{at.isoformat()}",
        name=name,
        office=office,
        size=0,
        dropped_mtime=0.0,
        received_at=at,
        archive_path="",
    )
    added = _version(conn, office, period, file_id, at, figures) if status == "accepted" else None
    records.store_judgement(
        conn,
        file_id,
        status=status,
        at=at,
        found=[] if added else [FINDING],
        kind="monthly",
        period=period,
        template_version="2558.1",
        submission_id=added.id if added else None,
        answered_at=at,
    )
    _answer(conn, office, file_id, name, at)
    return added


def _version(conn, office: str, period: str, file_id: int, at: datetime, figures: dict):
    from ledger import records

    added = records.add_submission(
        conn,
        office=office,
        kind="monthly",
        period=period,
        file_id=file_id,
        state="submitted",
        reporter="year",
        late=False,
        at=at,
    )
    rows = [
        {"activity": c, "quantity": q, "spending": s, "remark": ""} for c, (q, s) in figures.items()
    ]
    records.add_results(conn, added.id, rows)
    return added


def _answer(conn, office: str, file_id: int, name: str, at: datetime) -> None:
    """The file's answer, queued, claimed and sent, as the outbox leaves it."""
    from ledger import mail

    row_id = mail.add(
        conn,
        dedupe_key=f"answer:{file_id}",
        message_id=f"<{name}@bench>",
        kind="answer",
        recipients=[f"u{office}@example.go.th"],
        subject=f"ผลการตรวจ {name}",
        spool_path=f"outbox/sent/{name}.eml",
        now=at,
        file_id=file_id,
        office=office,
    )
    mail.claim(conn, mail.get(conn, row_id), at)
    mail.mark_sent(conn, row_id, at)


def _close_month(conn, offices: list[str], period: str, at: datetime, rng) -> None:
    """The lock, the calendar's runs, and ~1 % corrected under a memo (a second version)."""
    from ledger import records, workflow
    from ledger.events import record_event

    locked = at + timedelta(days=10)
    record_event(conn, locked, "locked", kind="monthly", period=period, actor="calendar")
    for job in JOB_NAMES:
        records.mark_job_done(conn, job, period, locked)
    for office in rng.sample(offices, max(1, len(offices) // 100)):
        opened = locked + timedelta(days=5)
        workflow.open_correction(
            conn,
            office=office,
            period=period,
            memo_number=f"กจ {period}/{office}",
            memo_date=date(opened.year, opened.month, opened.day),
            approved_by="ปศุสัตว์จังหวัด",
            to_centre=False,
            reason="bench",
            by="bench",
            at=opened,
        )
        figures = _month(
            {a.code: (a.quantity, a.budget) for a in activities()},
            {a.code: a.whole for a in activities()},
            rng,
        )
        _file(conn, office, period, opened, "accepted", figures, tag="-correction")


def more(args, prod, work: Path, out: Path, say) -> tuple[str, dict]:
    """bench.run's hook: the pass on PostgreSQL beside SQLite's, and the years-held rows;
    their markdown and their figures."""
    from bench import ledgers

    text, figures = "", {}
    if "postgresql" in args.ledgers:
        pg = ledgers.postgresql_pass(args, work, out, say)
        if pg is not None:
            figures["ledgers"] = ledgers.side_by_side(prod, pg)
            text += ledgers.render_ledgers(figures["ledgers"])
    if args.years_held:
        figures["years"] = years_rows(args, prod, work, out, say)
        text += render_years(figures["years"])
    for rows in figures.get("ledgers", {}).get("rows", []):
        rows.pop("totals", None)  # compared above; too long for summary.json
    return text, figures


def options(parser) -> None:
    parser.add_argument(
        "--ledgers",
        default="sqlite,postgresql",
        help="the national pass on these ledgers side by side (postgresql skipped when absent)",
    )
    parser.add_argument(
        "--years-held",
        default="1,2",
        help="also the pass on a ledger holding this many earlier fiscal years ('' for none)",
    )
