"""The simulated year's invariants, checked against what is on disk and in the ledger.

- every file recorded once (no drop folder holds a file still, no file taken twice) and
  answered once (one answer each, its mail queued once);
- every calendar job once per key (the ledger's runs; one lock, one issue per office a month);
- the province's totals, month by month and for the year, equal to a recomputation from the
  accepted workbooks in the archive, read back with openpyxl (not by the product's reader);
- no mail twice (every message delivered once, no Message-ID twice among the delivered);
- no job failed (no `…-failed` event: a job that must not stop a pass records one).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from email import policy
from email.parser import BytesHeaderParser
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from eop.layout import BUDGET, PERFORMANCE
from eop.periods import Period
from eop.thai import to_arabic_digits
from eop.workers import can_fork, run_forked, worker_count
from jobs.consolidate import read_inputs, rollup
from jobs.deployment import Deployment
from ledger.schema import events, files, job_runs, outbox, submissions


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def check_year(deployment: Deployment, periods: list[Period]) -> list[Check]:
    return [
        files_once(deployment),
        answered_once(deployment),
        jobs_once(deployment, periods),
        totals_equal(deployment, periods),
        mail_once(deployment),
        no_job_failed(deployment),
    ]


def no_job_failed(deployment: Deployment) -> Check:
    with deployment.ledger.reading() as conn:
        failed = Counter(
            conn.scalars(select(events.c.event).where(events.c.event.like("%-failed")))
        )
    return Check(
        "no job failed / ไม่มีงานใดล้มเหลว",
        not failed,
        ", ".join(f"{name} ×{n}" for name, n in sorted(failed.items())) or "none failed",
    )


def files_once(deployment: Deployment) -> Check:
    share = deployment.root / "share"
    waiting = [
        p for p in share.glob("*/*/*") if p.parent.name in ("drop", "evidence") and p.is_file()
    ]
    with deployment.ledger.reading() as conn:
        total = conn.scalar(select(func.count()).select_from(files))
        twice = conn.execute(
            select(files.c.sha256, files.c.name, files.c.office, files.c.dropped_mtime)
            .group_by(files.c.sha256, files.c.name, files.c.office, files.c.dropped_mtime)
            .having(func.count() > 1)
        ).all()
    ok = not waiting and not twice
    return Check(
        "every file recorded once / ทุกไฟล์บันทึกครั้งเดียว",
        ok,
        f"{total} files recorded; {len(waiting)} left in drop folders; {len(twice)} taken twice",
    )


def answered_once(deployment: Deployment) -> Check:
    """Each file judged and answered (answered_at), and its answer mail queued once."""
    with deployment.ledger.reading() as conn:
        ids = set(conn.scalars(select(files.c.id)))
        answered = set(conn.scalars(select(files.c.id).where(files.c.answered_at.is_not(None))))
        answers = Counter(
            conn.scalars(select(outbox.c.file_id).where(outbox.c.dedupe_key.like("answer:%")))
        )
    twice = [file_id for file_id, n in answers.items() if n > 1]
    return Check(
        "every file answered once / ทุกไฟล์ได้รับคำตอบครั้งเดียว",
        answered == ids == set(answers) and not twice,
        f"{len(answered)} of {len(ids)} answered, {len(answers)} answer mails, {len(twice)} twice",
    )


def jobs_once(deployment: Deployment, periods: list[Period]) -> Check:
    with deployment.ledger.reading() as conn:
        runs = Counter(conn.execute(select(job_runs.c.job, job_runs.c.key)).all())
        locks = Counter(conn.scalars(select(events.c.period).where(events.c.event == "locked")))
        issues = Counter(
            key.rsplit(":", 1)[0]
            for key in conn.scalars(
                select(outbox.c.dedupe_key).where(outbox.c.dedupe_key.like("issue:monthly:%"))
            )
        )
    offices = len([o for o in deployment.config.offices if o.level in ("province", "district")])
    wanted = {str(p) for p in periods}
    bad_runs = [k for k, n in runs.items() if n > 1]
    bad_locks = sorted(p for p in wanted if locks.get(p) != 1)
    bad_issues = [k for k, n in issues.items() if n != 1]
    short = [p for p in wanted if sum(k.endswith(f":{p}") for k in issues) != offices]
    ok = not (bad_runs or bad_locks or bad_issues or short)
    return Check(
        "every job once per key / งานตามปฏิทินครั้งเดียวต่องวด",
        ok,
        f"{len(runs)} job runs, {len(bad_runs)} twice; periods not locked exactly once: "
        f"{bad_locks or 'none'}; monthly workbooks issued {sum(issues.values())} "
        f"({len(bad_issues)} twice, months short: {sorted(short) or 'none'})",
    )


def mail_once(deployment: Deployment) -> Check:
    with deployment.ledger.reading() as conn:
        states = Counter(conn.scalars(select(outbox.c.state)))
        keys = Counter(conn.scalars(select(outbox.c.dedupe_key)))
    folder = deployment.root / "outbox" / "sent"
    heads = BytesHeaderParser(policy=policy.default)  # the headers alone: a year is ~46,000
    ids = Counter(heads.parsebytes(p.read_bytes())["Message-ID"] for p in folder.glob("*.eml"))
    twice = [i for i, n in ids.items() if n > 1] + [k for k, n in keys.items() if k and n > 1]
    ok = not twice and sum(ids.values()) == states.get("sent", 0) == sum(states.values())
    return Check(
        "no mail twice / ไม่มีจดหมายซ้ำ",
        ok,
        f"{sum(ids.values())} messages delivered, outbox {dict(states)}, {len(twice)} twice",
    )


# -- the province's totals against the archive ------------------------------------------
def totals_equal(deployment: Deployment, periods: list[Period]) -> Check:
    """Month by month, each province's figures as consolidated against the sums of the
    accepted (latest) workbooks of its offices, read from the archive; and the year's."""
    wrong, compared, years = [], 0, 0
    year: dict[tuple[str, str], list[float]] = {}
    last: dict[str, dict] = {}
    for period in periods:
        archive = recomputed(deployment, period)
        with deployment.ledger.reading() as conn:
            inputs = read_inputs(conn, period)
        for province in (p.code for p in deployment.config.provinces()):
            lines = last[province] = rollup(inputs, deployment.config, province)
            for activity, f in lines.items():
                mine = archive.get((province, activity), (0.0, 0.0))
                compared += 1
                if not (_close(f.month_qty, mine[0]) and _close(f.month_spent, mine[1])):
                    wrong.append(f"{period} {province} {activity}: {f.month_qty} vs {mine}")
                into = year.setdefault((province, activity), [0.0, 0.0])
                into[0], into[1] = into[0] + mine[0], into[1] + mine[1]
    for province, lines in last.items():
        for activity, f in lines.items():
            years += 1
            if not _close(f.cum_qty, year[(province, activity)][0]):
                wrong.append(
                    f"year {province} {activity}: {f.cum_qty} vs {year[(province, activity)][0]}"
                )
    return Check(
        "province totals = the archive's workbooks / ยอดรวมจังหวัดตรงกับแฟ้มในคลัง",
        not wrong,
        f"{compared} month lines and {years} year lines compared; "
        + ("; ".join(wrong[:3]) if wrong else "all equal"),
    )


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def recomputed(
    deployment: Deployment, period: Period
) -> dict[tuple[str, str], tuple[float, float]]:
    """(province, activity) → (quantity, spending) summed over the latest accepted workbook of
    each of its offices (the province office's own and its districts')."""
    totals: dict[tuple[str, str], tuple[float, float]] = {}
    config = deployment.config
    workbooks = accepted_workbooks(deployment, period)
    for office, figures in zip(workbooks, read_all(deployment, list(workbooks.values()))):
        own = config.office(office)
        province = office if own.level == "province" else own.parent or office
        for activity, (quantity, spending) in figures.items():
            before = totals.get((province, activity), (0.0, 0.0))
            totals[(province, activity)] = (before[0] + quantity, before[1] + spending)
    return totals


def accepted_workbooks(deployment: Deployment, period: Period) -> dict[str, Path]:
    """office → the archived file of its latest accepted version of the month."""
    with deployment.ledger.reading() as conn:
        rows = conn.execute(
            select(submissions.c.office, submissions.c.version, files.c.archive_path)
            .join(files, files.c.id == submissions.c.file_id)
            .where(submissions.c.kind == "monthly", submissions.c.period == str(period))
        ).all()
    latest: dict[str, tuple[int, str]] = {}
    for office, version, path in rows:
        if office not in latest or version > latest[office][0]:
            latest[office] = (version, path)
    return {office: deployment.root / path for office, (_, path) in latest.items()}


def read_all(deployment: Deployment, paths: list[Path]) -> list[dict[str, tuple[float, float]]]:
    """read_back of each path, in order, shared out to forked workers: a country's month is
    about 950 workbooks, and openpyxl reads one in tens of milliseconds."""
    workers = worker_count()
    if workers < 2 or len(paths) < 2 * workers or not can_fork():
        return _read_each(paths)
    deployment.ledger.engine.dispose()  # no open SQLite connection may cross a fork
    size = -(-len(paths) // workers)
    shares = [paths[start : start + size] for start in range(0, len(paths), size)]
    return [figures for share in run_forked(_read_each, shares) for figures in share]


def _read_each(paths: list[Path]) -> list[dict[str, tuple[float, float]]]:
    return [read_back(path) for path in paths]


def read_back(path: Path) -> dict[str, tuple[float, float]]:
    """The workbook's figures as typed: this month's quantity (column G of the performance
    sheet) and spending (column F of the budget sheet), by activity code (column B)."""
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        quantity = _column(book[PERFORMANCE.name], PERFORMANCE.first_row, 6)
        spending = _column(book[BUDGET.name], BUDGET.first_row, 5)
    finally:
        book.close()
    return {
        a: (quantity.get(a, 0.0), spending.get(a, 0.0)) for a in quantity.keys() | spending.keys()
    }


def _column(sheet, first_row: int, index: int) -> dict[str, float]:
    found = {}
    for row in sheet.iter_rows(min_row=first_row, values_only=True):
        if not row or not row[1]:
            break
        found[str(row[1])] = _number(row[index])
    return found


def _number(value: object) -> float:
    """A figure as an officer typed it: a number, or text with Thai digits, commas, spaces."""
    if value is None:
        return 0.0
    if isinstance(value, int | float):
        return float(value)
    text = to_arabic_digits(str(value)).replace(",", "").strip()
    return float(text) if text else 0.0


def packets_built(packets: dict[str, dict | None]) -> Check:
    """Each KPI round the year reached (round 1 in April, round 2 in October): scored, and
    its evidence packet built and mailed by the calendar."""
    built = {code: p for code, p in packets.items() if p and p.get("kpis") and p.get("pages")}
    scores = ", ".join(
        f"{code} {p['total_weighted']:.4f} ({p['pages']} pages)" for code, p in built.items()
    )
    return Check(
        "KPI rounds scored, packets built / คะแนนตัวชี้วัดและแฟ้มหลักฐานครบทุกรอบ",
        built.keys() == packets.keys(),
        f"rounds reached: {', '.join(packets) or 'none'}; scored and built: {scores or 'none'}",
    )


def packets_everywhere(deployment: Deployment, rounds: list[str]) -> Check:
    """Every province's packet of each round reached, built and mailed by the calendar."""
    provinces = [p.code for p in deployment.config.provinces()]
    with deployment.ledger.reading() as conn:
        done = set(conn.scalars(select(job_runs.c.key).where(job_runs.c.job == "evidence-packet")))
    missing = [f"{r}|{p}" for r in rounds for p in provinces if f"{r}|{p}" not in done]
    return Check(
        "every province's packet built / แฟ้มหลักฐานครบทุกจังหวัด",
        not missing,
        f"{len(rounds) * len(provinces) - len(missing)} of {len(rounds) * len(provinces)} built"
        + (f"; missing {', '.join(missing[:5])}" if missing else ""),
    )
