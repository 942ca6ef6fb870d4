"""What the offices do in one month of the simulated year: who gets something wrong, who is
late, who is returned (different districts each month, drawn from the seed), and the filling."""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from eop.periods import Period
from intake.folders import drop_dir, returned_dir
from jobs.deployment import Deployment
from jobs.issue import monthly_offices, workbook_name
from simulation.demo_month import as_typed, figures
from simulation.offices import fill_monthly


@dataclass(frozen=True)
class Events:
    typo: str  # types a letter O for a zero and over-spends: rejected, fixed the next day
    late: str  # sends on the 28th, after the entry window: accepted, flagged late
    returned: str  # animal health returns it on the 28th; fixed and approved on the 29th


def pick_events(deployment: Deployment, rng: random.Random) -> Events:
    districts = [o.code for o in deployment.config.children("71") if o.level == "district"]
    typo, late, returned = rng.sample(districts, 3)
    return Events(typo, late, returned)


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
    """Every office but the late one fills and drops its workbook on the 25th."""
    for office in monthly_offices(deployment):
        if office == events.late:
            continue
        quantities, spending = figures(deployment, office, rng, spent_up_to=0.98)
        if office == events.typo:
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


def fix_typo(deployment: Deployment, period: Period, rng: random.Random, office: str) -> None:
    send(deployment, office, period, rng, name=f"รายงาน-{office}-{period}-แก้ไข.xlsx")


def _issued(deployment: Deployment, office: str, period: Period) -> Path:
    return returned_dir(deployment.root, office) / workbook_name("monthly", office, str(period))
