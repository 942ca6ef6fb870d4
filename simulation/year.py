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
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from rich.console import Console

from eop.clock import Clock
from eop.config import load_config
from eop.periods import Period, months_between
from jobs.deployment import Deployment, open_deployment
from service.process import PassReport, run_pass
from simulation import checkpoint
from simulation import evidence as evidence_demo
from simulation.country import DEMO_PROVINCE, write_country_config
from simulation.demo import allocate, at, write_demo_config
from simulation.year_month import Events, pick_events, play_month, send

FIRST = Period(2557, 10)
MONTHS = 12
CHECKPOINTS = "checkpoints"  # in the workdir, beside config.yaml and the data root
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


@dataclass(frozen=True)
class Plan:
    """What the year plays: kept in its checkpoints, so that a resumed year plays the same."""

    months: int
    seed: int
    country: int | None


@dataclass
class Year:
    deployment: Deployment
    plan: Plan
    months: list[MonthCost] = field(default_factory=list)
    events: dict[str, Events] = field(default_factory=dict)
    corrections: list[tuple[str, str]] = field(default_factory=list)  # (office, period)
    packets: dict[str, dict | None] = field(default_factory=dict)  # round → summary
    wall: float = 0.0
    checkpoints: float = 0.0  # seconds spent writing them
    resumed: int = 0  # times the year was stopped and went on from a checkpoint


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


def open_year(workdir: Path, country: int | None = None) -> Deployment:
    """Kanchanaburi's deployment, or (`country`: how many provinces, 0 for all 77) the
    country's, Kanchanaburi among them."""
    if country is None:
        written = write_demo_config(workdir)
    else:
        written = write_country_config(workdir, country or None)
    config = load_config(written)
    if config.root.exists():
        shutil.rmtree(config.root)  # the year starts afresh
    shutil.rmtree(workdir / CHECKPOINTS, ignore_errors=True)
    return open_deployment(config, Clock(at(2014, 10, 1, 9)))


def run_year(
    workdir: Path,
    console: Console,
    *,
    months: int = MONTHS,
    seed: int = 2558,
    country: int | None = None,
    resume: bool = False,
) -> Year:
    """Play `months` months from October 2557 (12: the whole fiscal year), writing a
    checkpoint after the setup and after each month. `resume`: go on from the last
    checkpoint in `workdir` instead (its months, seed and provinces)."""
    started = time.perf_counter()
    say = partial(console.print, markup=False, highlight=False)
    if resume:
        year, rng = _resumed(workdir)
        say(_resumed_line(year))
    else:
        year = Year(open_year(workdir, country), Plan(months, seed, country))
        rng = random.Random(seed)
    step, base = Stepper(year, say), year.wall

    def keep() -> None:  # the setup's or a month's end: quiet, nothing half done
        year.wall = base + time.perf_counter() - started
        year.checkpoints += checkpoint.save(
            year.deployment, workdir / CHECKPOINTS, _state(year, rng)
        )

    if not resume:
        _set_up(year, workdir, step)
        keep()
    periods = months_between(FIRST, Period(2558, 9))[: year.plan.months]
    for index in range(len(year.months), len(periods)):
        _play(year, periods, index, rng, step)
        keep()
    year.packets.update(_close(year, periods[-1], step))
    year.wall = base + time.perf_counter() - started
    return year


def _play(year: Year, periods: list[Period], index: int, rng: random.Random, step: Stepper) -> None:
    """Month `index` of the year, its cost added to `year.months`."""
    period = periods[index]
    step.month = MonthCost(str(period))
    begun = time.perf_counter()
    if index % CORRECTION_EVERY == 1:  # the month before locked on the 4th or so
        _correct(year, periods[index - 1], rng, step)
    events = year.events[str(period)] = pick_events(year.deployment, rng)
    play_month(year.deployment, period, events, rng, step)
    if period == Period(2558, 3):
        year.packets["1/2558"] = evidence_demo.evidence_round(
            year.deployment, step, provinces(year.deployment)
        )
    step.month.wall = time.perf_counter() - begun
    year.months.append(step.month)
    step.say(_month_line(step.month))


def _set_up(year: Year, workdir: Path, step: Stepper) -> None:
    step(at(2014, 10, 1, 9), "นำเข้าเป้าหมาย ส่งแบบจัดสรร / targets in, allocation workbook issued")
    for province in year.deployment.config.provinces():  # Kanchanaburi's saved by LibreOffice
        profile = workdir / ".libreoffice-profile" if province.code == DEMO_PROVINCE else None
        allocate(year.deployment, profile, province.code)
    step(at(2014, 10, 2), "จังหวัดจัดสรรเป้าหมาย / the provinces allocate their targets")


# -- stopped and resumed: the simulation's own state beside the deployment's checkpoint --
def _state(year: Year, rng: random.Random) -> dict:
    config = year.deployment.config
    return {
        "plan": asdict(year.plan),
        "config": str(config.source),
        "ledger": _ledger_shown(config.ledger_location),
        "clock": year.deployment.now().isoformat(),
        "random": rng.getstate(),
        "wall": year.wall,
        "checkpoints": year.checkpoints,
        "resumed": year.resumed,
        "months": [asdict(m) for m in year.months],
        "events": {period: asdict(e) for period, e in year.events.items()},
        "corrections": year.corrections,
        "packets": year.packets,
    }


def _resumed(workdir: Path) -> tuple[Year, random.Random]:
    """The deployment put back as the last checkpoint has it, and the year's state with it."""
    folder = workdir / CHECKPOINTS
    state = checkpoint.load(folder)
    config = load_config(Path(state["config"]))
    if _ledger_shown(config.ledger_location) != state["ledger"]:
        raise checkpoint.CheckpointError(
            f"จุดพักนี้เป็นของฐานข้อมูล {state['ledger']} ไม่ใช่ "
            f"{_ledger_shown(config.ledger_location)} — this checkpoint is of the ledger "
            f"{state['ledger']}, not of {_ledger_shown(config.ledger_location)} (check $EOP_LEDGER_URL)"
        )
    sqlite = config.ledger_location.startswith("sqlite")
    checkpoint.restore(folder, config.root, None if sqlite else config.ledger_location)
    clock = Clock(datetime.fromisoformat(state["clock"]))
    year = Year(open_deployment(config, clock), Plan(**state["plan"]))
    year.months = [MonthCost(**m) for m in state["months"]]
    year.events = {
        period: Events(**{k: tuple(v) for k, v in e.items()})
        for period, e in state["events"].items()
    }
    year.corrections = [tuple(c) for c in state["corrections"]]
    year.packets = state["packets"]
    year.wall, year.checkpoints, year.resumed = (
        state["wall"],
        state["checkpoints"],
        state["resumed"] + 1,
    )
    version, internal, gauss = state["random"]
    rng = random.Random()
    rng.setstate((version, tuple(internal), gauss))
    return year, rng


def _ledger_shown(location: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(location).render_as_string(hide_password=True)


def _resumed_line(year: Year) -> str:
    after = year.months[-1].period if year.months else "การตั้งต้น / the setup"
    return (
        f"  ทำต่อจากจุดพักหลัง {after} / resumed from the checkpoint after {after}"
        f" ({year.deployment.now():%Y-%m-%d %H:%M})"
    )


def _correct(year: Year, period: Period, rng: random.Random, step: Stepper) -> None:
    """On the 10th, a district corrects a locked month under a memo (every other one also
    to the centre, which counts against KPI 2)."""
    from jobs.corrections import open_correction

    deployment = year.deployment
    now = deployment.now()
    office = rng.choice(
        [o for o in _districts(deployment) if (o, str(period)) not in year.corrections]
    )
    province = deployment.config.office(deployment.config.office(office).parent or office)
    deployment.clock.set(max(at(now.year, now.month, 10, 9), now))
    memo = f"กจ 0008/{len(year.corrections) + 1:04d}"
    open_correction(
        deployment,
        office=office,
        period=str(period),
        memo_number=memo,
        memo_date=deployment.now().date() - timedelta(days=1),
        approved_by=province.name_th.removeprefix("สำนักงาน"),
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
    return [o.code for o in deployment.config.offices if o.level == "district"]


def provinces(deployment: Deployment) -> list[str]:
    """The provinces played, Kanchanaburi first (its packet is the one shown)."""
    codes = [p.code for p in deployment.config.provinces()]
    return sorted(codes, key=lambda code: code != DEMO_PROVINCE)


def _month_line(m: MonthCost) -> str:
    """As each month ends (a country's year runs for hours): what it cost."""
    return (
        f"  = {m.period}: {m.passes} รอบ / passes {m.pass_seconds:.1f}s ({m.pass_cpu:.1f}s CPU), "
        f"{m.accepted} รับ / accepted, {m.rejected} ตีกลับ / rejected, {m.sent} จดหมาย / mail; "
        f"ทั้งเดือน / month {m.wall:.1f}s"
    )


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
        built = records.job_done(conn, "evidence-packet", f"2/2558|{DEMO_PROVINCE}")
    round_ = year.deployment.config.round("2/2558")
    return {"2/2558": load_summary(year.deployment, round_, DEMO_PROVINCE) if built else None}


def check(year: Year) -> list:
    """The year's invariants (simulation.year_check), the KPI rounds' packets among them."""
    from simulation.year_check import check_year, packets_built, packets_everywhere

    periods = [Period.parse(m.period) for m in year.months]
    return [
        *check_year(year.deployment, periods),
        packets_built(year.packets),
        packets_everywhere(year.deployment, list(year.packets)),
    ]
