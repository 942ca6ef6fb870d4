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
from ledger.reference import targets_of
from simulation.demo_month import as_typed
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


def figures(deployment: Deployment, office: str, rng: random.Random) -> tuple[dict, dict]:
    """A month's figures: quantities around a twelfth of the target, and spending under a
    twelfth of the budget (the demo's may pass it: over twelve months the budget would be
    exceeded and the workbook rejected)."""
    config = deployment.config
    whole = {a.code: a.whole for a in config.activities()}
    with deployment.ledger.atomic() as conn:
        allocated = targets_of(conn, config.fiscal_year, "allocated", office)
    quantities, spending = {}, {}
    for (_, activity), (quantity, budget) in allocated.items():
        month = quantity / 12 * rng.uniform(0.6, 1.3)
        quantities[activity] = round(month) if whole[activity] else round(month, 1)
        spending[activity] = round(budget / 12 * rng.uniform(0.5, 0.98), 2)
    return quantities, spending


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
    quantities, spending = figures(deployment, office, rng)
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
        quantities, spending = figures(deployment, office, rng)
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
