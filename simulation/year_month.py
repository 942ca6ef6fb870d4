"""What the offices do in one month of the simulated year: who gets something wrong, who is
late, who is returned (in each province, different districts each month, drawn from the
seed), the filling, the sections' decisions and the province's confirmation."""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from eop.periods import Period
from intake.folders import drop_dir, returned_dir
from jobs.deployment import Deployment
from jobs.issue import monthly_offices, workbook_name
from simulation.demo import Step, at, confirm_province, sections_decide
from simulation.demo_month import as_typed, figures
from simulation.offices import fill_monthly

RETURNED_ACTIVITY = "A101"  # animal health returns a district's vaccinations each month
RETURN_COMMENT = "ผลการฉีดวัคซีน A101 ไม่ตรงกับทะเบียน กรุณาตรวจสอบ — A101 does not match the register"


@dataclass(frozen=True)
class Events:
    """One district of each province (of three or more districts) for each."""

    typo: tuple[str, ...]  # types a letter O for a zero and over-spends: rejected, fixed next day
    late: tuple[str, ...]  # sends on the 28th, after the entry window: accepted, flagged late
    returned: tuple[str, ...]  # animal health returns it on the 28th; fixed, approved the 29th


def pick_events(deployment: Deployment, rng: random.Random) -> Events:
    config, picks = deployment.config, []
    for province in config.provinces():
        districts = [o.code for o in config.children(province.code) if o.level == "district"]
        if len(districts) >= 3:
            picks.append(rng.sample(districts, 3))
    return Events(*(tuple(p[i] for p in picks) for i in range(3)))


def who(offices: tuple[str, ...]) -> str:
    return " ".join(offices) if len(offices) <= 3 else f"{len(offices)} อำเภอ / districts"


def play_month(deployment: Deployment, period: Period, events: Events, rng, step: Step) -> None:
    """The 25th to the 2nd of the next month, as every office and section plays it."""
    y, m = period.year_ce, period.month
    step(at(y, m, 25, 8), f"{period}: ส่งแบบรายงาน / workbooks issued")
    fill_offices(deployment, period, rng, events)
    step(
        at(y, m, 25, 10),
        f"{period}: หน่วยงานส่งรายงาน / offices report ({who(events.typo)}: O for 0)",
    )
    for office in events.typo:
        send(deployment, office, period, rng, name=f"รายงาน-{office}-{period}-แก้ไข.xlsx")
    step(at(y, m, 26, 9), f"{period}: {who(events.typo)} แก้ไขส่งใหม่ / fix and resend")
    step(at(y, m, 27, 9), f"{period}: เตือนผู้ยังไม่ส่ง / reminders to offices missing")
    for office in events.late:
        send(deployment, office, period, rng)
    step(
        at(y, m, 28, 9),
        f"{period}: ส่งแบบตรวจสอบ / review workbooks out; {who(events.late)} ส่งช้า / late",
    )
    returning = _returning(deployment, events.returned)
    sections_decide(deployment, period, returning)
    step(
        at(y, m, 28, 11), f"{period}: กลุ่ม/ฝ่ายพิจารณา / sections decide; {who(events.returned)} ส่งกลับ"
    )
    for office in events.returned:
        _fix_return(deployment, office, period, rng)
    fix = _fix_moment(deployment, period)  # the next day; in February the 28th's afternoon
    step(fix, f"{period}: {who(events.returned)} แก้ไขตามที่ส่งกลับ / fix what was returned")
    sections_decide(deployment, period, {}, only=list(returning))
    step(
        fix + timedelta(hours=2), f"{period}: อนุมัติฉบับใหม่ / animal health approves the new versions"
    )
    provinces = tuple(p.code for p in deployment.config.provinces())
    confirm_province(deployment, period, step, provinces)


def _returning(deployment: Deployment, offices: tuple[str, ...]) -> dict:
    """Each returned district under the section that reviews its A101 (its province's animal
    health group), as the ledger says."""
    from ledger.sections import section_of

    year = deployment.config.fiscal_year
    with deployment.ledger.reading() as conn:
        owners = {office: section_of(conn, year, office)[RETURNED_ACTIVITY] for office in offices}
    return {section: {office: ("ส่งกลับ", RETURN_COMMENT)} for office, section in owners.items()}


def _fix_return(deployment: Deployment, office: str, period: Period, rng) -> None:
    fixed = max(returned_dir(deployment.root, office).glob(f"*{period}-ส่งกลับ*"))
    name = f"รายงาน-{office}-{period}-แก้ไขตามที่ส่งกลับ.xlsx"
    send(deployment, office, period, rng, source=fixed, name=name, only=RETURNED_ACTIVITY)


def _fix_moment(deployment: Deployment, period: Period) -> datetime:
    """Within the review window: the 29th, or the 28th at 14:00 when the window ends then."""
    from jobs.notices import calendar

    last = calendar(deployment, str(period)).review.last
    return at(last.year, last.month, 29, 9) if last.day >= 29 else at(last.year, last.month, 28, 14)


def send(
    deployment: Deployment,
    office: str,
    period: Period,
    rng: random.Random,
    *,
    source: Path | None = None,
    name: str = "",
    only: str | None = None,
) -> None:
    """Fill and drop a workbook (the issued one, or `source`); `only`: that activity alone."""
    quantities, spending = figures(deployment, office, rng, spent_up_to=0.98)
    if only:
        quantities, spending = {only: quantities[only]}, {}
    fill_monthly(
        source or _issued(deployment, office, period),
        drop_dir(deployment.root, office) / (name or f"รายงาน-{office}-{period}.xlsx"),
        quantities=quantities,
        spending=spending,
        reporter=f"เจ้าหน้าที่ {office}",
    )


def fill_offices(
    deployment: Deployment, period: Period, rng: random.Random, events: Events
) -> None:
    """Every office but the late ones fills and drops its workbook on the 25th."""
    for office in monthly_offices(deployment):
        if office in events.late:
            continue
        quantities, spending = figures(deployment, office, rng, spent_up_to=0.98)
        if office in events.typo:
            first = next(iter(quantities))
            quantities[first], spending[first] = "12,5O0", 10_000_000
        typed = {
            code: as_typed(v, rng) if isinstance(v, int | float) else v
            for code, v in quantities.items()
        }
        staged = deployment.root / "staging" / f"รายงาน-{office}-{period}.xlsx"
        fill_monthly(
            _issued(deployment, office, period),
            staged,
            quantities=typed,
            spending=spending,
            reporter=f"เจ้าหน้าที่ {office}",
        )
        shutil.move(str(staged), drop_dir(deployment.root, office) / staged.name)


def _issued(deployment: Deployment, office: str, period: Period) -> Path:
    return returned_dir(deployment.root, office) / workbook_name("monthly", office, str(period))
