"""What the demo's offices do each month: figures typed as officers type them (thousands
separators, Thai digits, text), workbooks filled and dropped, Tha Maka's December mistake
and its fix, Huai Krachao's late March."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from eop.periods import Period
from eop.thai import to_thai_digits
from intake.folders import drop_dir, returned_dir
from jobs.deployment import Deployment
from jobs.issue import monthly_offices, workbook_name
from ledger.reference import targets_of
from simulation.offices import fill_monthly, resave_with_libreoffice

FIRST, LAST = Period(2557, 10), Period(2558, 3)  # round 1/2558
MISTAKEN = "7105"  # Tha Maka types a letter O for a zero and over-spends in December, then fixes it
MISTAKE_MONTH = Period(2557, 12)
LATE = (
    "7113"  # Huai Krachao sends March on the 28th, after the entry window: accepted, flagged late
)
RETURNED = (
    "7105"  # animal health returns Tha Maka's March with a comment; Tha Maka fixes it the next day
)


def figures(
    deployment: Deployment, office: str, rng: random.Random, spent_up_to: float = 1.2
) -> tuple[dict, dict]:
    """A month's figures: quantities around a twelfth of the target, spending around a twelfth
    of the budget, up to `spent_up_to` of it (the demo's six months may overspend a month; a
    whole year at more than 1 would pass the budget and be rejected)."""
    config = deployment.config
    whole = {a.code: a.whole for a in config.activities()}
    with deployment.ledger.atomic() as conn:
        allocated = targets_of(conn, config.fiscal_year, "allocated", office)
    quantities, spending = {}, {}
    for (_, activity), (quantity, budget) in allocated.items():
        month = quantity / 12 * rng.uniform(0.6, 1.3)
        quantities[activity] = round(month) if whole[activity] else round(month, 1)
        spending[activity] = round(budget / 12 * rng.uniform(0.5, spent_up_to), 2)
    return quantities, spending


def as_typed(value: float, rng: random.Random) -> object:
    """Offices type numbers many ways: plain, with thousands separators, as text, in Thai digits."""
    style = rng.random()
    if style < 0.15 and value >= 1000:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
    if style < 0.22:
        return to_thai_digits(str(int(value) if float(value).is_integer() else value))
    if style < 0.3:
        return f" {value} "
    return value


def fill_month(
    deployment: Deployment, period: Period, rng: random.Random, profile: Path | None
) -> None:
    for position, office in enumerate(monthly_offices(deployment)):
        if office == LATE and period == LAST:
            continue  # sent on the 28th (see the demo's review step)
        issued = returned_dir(deployment.root, office) / workbook_name(
            "monthly", office, str(period)
        )
        quantities, spending = figures(deployment, office, rng)
        if office == MISTAKEN and period == MISTAKE_MONTH:
            first = next(iter(quantities))
            quantities[first], spending[first] = "12,5O0", 10_000_000
        typed = {
            code: as_typed(v, rng) if isinstance(v, int | float) else v
            for code, v in quantities.items()
        }
        staged = deployment.root / "staging" / f"รายงาน-{office}-{period}.xlsx"
        fill_monthly(
            issued, staged, quantities=typed, spending=spending, reporter=f"เจ้าหน้าที่ {office}"
        )
        if profile is not None and position == 1:
            resave_with_libreoffice(staged, profile)  # one office a month works in LibreOffice Calc
        shutil.move(str(staged), drop_dir(deployment.root, office) / staged.name)


def send_monthly(
    deployment: Deployment,
    office: str,
    period: Period,
    rng: random.Random,
    source: Path | None = None,
    name: str = "",
    only: str | None = None,
) -> None:
    """Fill and drop a monthly workbook (the issued one, or `source`); `only` changes that activity alone."""
    issued = source or returned_dir(deployment.root, office) / workbook_name(
        "monthly", office, str(period)
    )
    quantities, spending = figures(deployment, office, rng)
    if only:
        quantities, spending = {only: quantities[only]}, {}
    fill_monthly(
        issued,
        drop_dir(deployment.root, office) / (name or f"รายงาน-{office}-{period}.xlsx"),
        quantities=quantities,
        spending=spending,
        reporter=f"เจ้าหน้าที่ {office}",
    )


def fix_mistake(deployment: Deployment, period: Period, rng: random.Random) -> None:
    issued = returned_dir(deployment.root, MISTAKEN) / workbook_name(
        "monthly", MISTAKEN, str(period)
    )
    quantities, spending = figures(deployment, MISTAKEN, rng)
    fill_monthly(
        issued,
        drop_dir(deployment.root, MISTAKEN) / f"รายงาน-{MISTAKEN}-{period}-แก้ไข.xlsx",
        quantities=quantities,
        spending=spending,
        reporter=f"เจ้าหน้าที่ {MISTAKEN}",
    )
