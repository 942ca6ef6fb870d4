"""`eop simulate-year`: Kanchanaburi's fiscal year 2558 (October 2557 to September 2558) played
through the calendar with a moving clock, then checked (simulation.year_check).

Every month: the workbooks issued on the 25th and filled by the offices (figures typed as
officers type them); one district types a letter for a digit and over-spends, is rejected
and fixes it the next day; one sends after the entry window (accepted, flagged late); the
sections review on the 28th and animal health returns one district, which fixes it the next
day; the province package on the 1st, the planner's confirmation on the 2nd; the month locks.
In November, February, May and August the month before, locked by then, is corrected
under a memo, and the last month after it locks. Round 1's evidence is registered
and its packet built in April; round 2's packet the day before its deadline in October.
"""

from __future__ import annotations

import random
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from rich.console import Console

from eop.clock import Clock
from eop.config import load_config
from eop.periods import Period, months_between
from intake.folders import returned_dir
from jobs.deployment import Deployment, open_deployment
from service.process import PassReport, run_pass
from simulation import evidence as evidence_demo
from simulation.demo import (
    RETURNING_SECTION,
    allocate,
    at,
    confirm_province,
    sections_decide,
    write_demo_config,
)
from simulation.year_month import Events, fill_offices, fix_typo, pick_events, send

FIRST = Period(2557, 10)
MONTHS = 12
CORRECTION_EVERY = 3  # in November, February, May and August, the month before is corrected


@dataclass
class MonthCost:
    """One month of the simulation: the service's passes (their time) and the whole month."""

    period: str
    passes: int = 0
    pass_seconds: float = 0.0
    pass_cpu: float = 0.0  # this process and its workers: steadier than wall on a busy machine
    wall: float = 0.0
    accepted: int = 0
    rejected: int = 0
    sent: int = 0


@dataclass
class Year:
    deployment: Deployment
    months: list[MonthCost] = field(default_factory=list)
    events: dict[str, Events] = field(default_factory=dict)
    corrections: list[tuple[str, str]] = field(default_factory=list)  # (office, period)
    packets: dict[str, dict | None] = field(default_factory=dict)  # round → summary
    wall: float = 0.0


class Stepper:
    """Moves the clock, runs one pass, and charges its time to the month being played."""

    def __init__(self, year: Year, say) -> None:
        self.year, self.say = year, say
        self.month = MonthCost("setup")

    def __call__(self, when: datetime, what: str) -> PassReport:
        self.year.deployment.clock.set(max(when, self.year.deployment.now()))
        started, cpu = time.perf_counter(), cpu_seconds()
        report = run_pass(self.year.deployment)
        self.month.pass_seconds += time.perf_counter() - started
        self.month.pass_cpu += cpu_seconds() - cpu
        self.month.passes += 1
        self.month.accepted += sum(v.status == "accepted" for v in report.verdicts)
        self.month.rejected += sum(v.status == "rejected" for v in report.verdicts)
        self.month.sent += report.sent
        self.say(f"  {when:%Y-%m-%d %H:%M}  {what}")
        return report


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (pool workers, LibreOffice)."""
    import resource

    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def open_year(workdir: Path) -> Deployment:
    config = load_config(write_demo_config(workdir))
    if config.root.exists():
        shutil.rmtree(config.root)  # the year starts afresh
    return open_deployment(config, Clock(at(2014, 10, 1, 9)))


def run_year(workdir: Path, console: Console, *, months: int = MONTHS, seed: int = 2558) -> Year:
    """Play `months` months from October 2557 (12: the whole fiscal year)."""
    started = time.perf_counter()
    year = Year(open_year(workdir))
    step = Stepper(year, lambda line: console.print(line, markup=False, highlight=False))
    step(at(2014, 10, 1, 9), "นำเข้าเป้าหมาย ส่งแบบจัดสรร / targets in, allocation workbook issued")
    allocate(year.deployment, workdir / ".libreoffice-profile")
    step(at(2014, 10, 2), "จังหวัดจัดสรรเป้าหมาย / the province allocates its targets")
    rng = random.Random(seed)
    periods = months_between(FIRST, Period(2558, 9))[:months]
    for index, period in enumerate(periods):
        step.month = MonthCost(str(period))
        begun = time.perf_counter()
        if index % CORRECTION_EVERY == 1:  # the month before locked on the 4th or so
            _correct(year, periods[index - 1], rng, step)
        _play_month(year, period, rng, step)
        if period == Period(2558, 3):
            year.packets["1/2558"] = evidence_demo.evidence_round(year.deployment, step)
        step.month.wall = time.perf_counter() - begun
        year.months.append(step.month)
    year.packets.update(_close(year, periods[-1], step))
    year.wall = time.perf_counter() - started
    return year


def _play_month(year: Year, period: Period, rng: random.Random, step: Stepper) -> None:
    deployment, y, m = year.deployment, period.year_ce, period.month
    events = year.events[str(period)] = pick_events(deployment, rng)
    step(at(y, m, 25, 8), f"{period}: ส่งแบบรายงาน / workbooks issued")
    fill_offices(deployment, period, rng, events)
    step(at(y, m, 25, 10), f"{period}: หน่วยงานส่งรายงาน / offices report ({events.typo}: O for 0)")
    fix_typo(deployment, period, rng, events.typo)
    step(at(y, m, 26, 9), f"{period}: {events.typo} แก้ไขส่งใหม่ / fixes and resends")
    step(at(y, m, 27, 9), f"{period}: เตือนผู้ยังไม่ส่ง / reminders to offices missing")
    send(deployment, events.late, period, rng)
    step(
        at(y, m, 28, 9), f"{period}: ส่งแบบตรวจสอบ / review workbooks out; {events.late} ส่งช้า / late"
    )
    returning = {RETURNING_SECTION: {events.returned: ("ส่งกลับ", RETURN_COMMENT)}}
    sections_decide(deployment, period, returning)
    step(
        at(y, m, 28, 11),
        f"{period}: กลุ่ม/ฝ่ายพิจารณา / sections decide; {events.returned} ส่งกลับ / returned",
    )
    fixed = max(returned_dir(deployment.root, events.returned).glob(f"*{period}-ส่งกลับ*"))
    name = f"รายงาน-{events.returned}-{period}-แก้ไขตามที่ส่งกลับ.xlsx"
    send(deployment, events.returned, period, rng, source=fixed, name=name, only="A101")
    fix = _fix_moment(deployment, period)  # the next day; in February the 28th's afternoon
    step(fix, f"{period}: {events.returned} แก้ไขตามที่ส่งกลับ / fixes what was returned")
    sections_decide(deployment, period, {}, only=[RETURNING_SECTION])
    step(fix + timedelta(hours=2), f"{period}: อนุมัติฉบับใหม่ / animal health approves the new version")
    confirm_province(deployment, period, step)


def _fix_moment(deployment: Deployment, period: Period) -> datetime:
    """Within the review window: the 29th, or the 28th at 14:00 when the window ends then."""
    from jobs.notices import calendar

    last = calendar(deployment, str(period)).review.last
    return at(last.year, last.month, 29, 9) if last.day >= 29 else at(last.year, last.month, 28, 14)


RETURN_COMMENT = "ผลการฉีดวัคซีน A101 ไม่ตรงกับทะเบียน กรุณาตรวจสอบ — A101 does not match the register"


def _correct(year: Year, period: Period, rng: random.Random, step: Stepper) -> None:
    """On the 10th, a district corrects a locked month under a memo (every other one also
    to the centre, which counts against KPI 2)."""
    from jobs.corrections import open_correction

    deployment = year.deployment
    now = deployment.now()
    office = rng.choice(
        [o for o in _districts(deployment) if (o, str(period)) not in year.corrections]
    )
    deployment.clock.set(max(at(now.year, now.month, 10, 9), now))
    memo = f"กจ 0008/{len(year.corrections) + 1:04d}"
    open_correction(
        deployment,
        office=office,
        period=str(period),
        memo_number=memo,
        memo_date=deployment.now().date() - timedelta(days=1),
        approved_by="ปศุสัตว์จังหวัดกาญจนบุรี",
        to_centre=len(year.corrections) % 2 == 1,
        reason="แก้ไขผลการผสมเทียม (A203) ตามทะเบียน — A203 corrected from the register",
        by="กลุ่มยุทธศาสตร์ฯ",
    )
    year.corrections.append((office, str(period)))
    name = f"รายงาน-{office}-{period}-แก้ไขตามบันทึก.xlsx"
    send(deployment, office, period, rng, name=name, only="A203")
    step(
        deployment.now().replace(hour=10),
        f"{office} แก้ไขงวด {period} ตามบันทึก / corrects under memo {memo}",
    )


def _districts(deployment: Deployment) -> list[str]:
    return [o.code for o in deployment.config.children("71") if o.level == "district"]


def _close(year: Year, last: Period, step: Stepper) -> dict[str, dict | None]:
    """The 6th of the month after the last: the last month locks. After September it is
    the day before round 2's deadline: the calendar builds and mails round 2's packet."""
    from kpi.packet import load_summary
    from ledger import records

    step.month = MonthCost("close")
    after = last.next()
    step(
        at(after.year_ce, after.month, 6, 8),
        f"ปิดงวด {last} / {last} locks (กันยายน: แฟ้มหลักฐานรอบ 2 / September: round 2's packet)",
    )
    _correct(year, last, random.Random(len(year.months)), step)  # the last month corrected too
    if last != Period(2558, 9):
        return {}
    with year.deployment.ledger.atomic() as conn:
        built = records.job_done(conn, "evidence-packet", "2/2558|71")
    round_ = year.deployment.config.round("2/2558")
    return {"2/2558": load_summary(year.deployment, round_, "71") if built else None}


def check(year: Year) -> list:
    """The year's invariants (simulation.year_check), the KPI rounds' packets among them."""
    from simulation.year_check import check_year, packets_built

    periods = [Period.parse(m.period) for m in year.months]
    return [*check_year(year.deployment, periods), packets_built(year.packets)]


# -- what the year cost, and what it left ------------------------------------------------
def ledger_size(deployment: Deployment) -> int:
    """Bytes the ledger takes: the SQLite file and its WAL, or the PostgreSQL schema's tables
    (with their indexes and TOAST)."""
    from sqlalchemy import text

    ledger = deployment.ledger
    if ledger.path is not None:
        parts = [ledger.path, Path(f"{ledger.path}-wal"), Path(f"{ledger.path}-shm")]
        return sum(p.stat().st_size for p in parts if p.exists())
    with ledger.reading() as conn:
        return int(
            conn.scalar(
                text(
                    "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
                    " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE n.nspname = current_schema() AND c.relkind = 'r'"
                )
            )
        )


HEADS = (
    "งวด / month",
    "รอบ / passes",
    "รับ / accepted",
    "ตีกลับ / rejected",
    "จดหมาย / mail",
    "บริการ s / service s",
    "CPU s",
    "ทั้งเดือน s / month s",
)


def show(year: Year, checks: list, console: Console) -> None:
    """The months (what each pass took), the checks, the packets, and what the year cost."""
    console.print(_months_table(year))
    lines = [f"{'✓' if c.ok else '✗'} {c.name}: {c.detail}" for c in checks]
    for code, packet in year.packets.items():
        built = f"{packet['pages']} หน้า / pages, {packet['pdf']}" if packet else "NOT built"
        lines.append(f"แฟ้มหลักฐานรอบ / evidence packet {code}: {built}")
    first, last = year.months[0], year.months[-1]
    lines += [
        f"เวลาทั้งหมด / wall time: {year.wall:.1f}s",
        f"สมุดบัญชี / ledger: {year.deployment.ledger.name}",
        f"ขนาด / ledger size: {ledger_size(year.deployment) / 1024 / 1024:.1f} MiB",
        f"รอบบริการของเดือน / a month's passes: {first.period} {first.pass_seconds:.1f}s "
        f"({first.pass_cpu:.1f}s CPU) · {last.period} {last.pass_seconds:.1f}s ({last.pass_cpu:.1f}s CPU)",
    ]
    for line in lines:
        console.print(line, markup=False, highlight=False, soft_wrap=True)


def _months_table(year: Year):
    from rich.table import Table

    table = Table(title="ปีงบประมาณ 2558 จังหวัดกาญจนบุรี / fiscal year 2558, Kanchanaburi")
    for head in HEADS:
        table.add_column(head)
    for m in year.months:
        cells = (m.period, m.passes, m.accepted, m.rejected, m.sent)
        table.add_row(
            *map(str, cells), f"{m.pass_seconds:.1f}", f"{m.pass_cpu:.1f}", f"{m.wall:.1f}"
        )
    return table
