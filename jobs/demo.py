"""`eop demo`: Kanchanaburi's round 1/2558 played through the calendar, on embedded defaults."""

from __future__ import annotations

import random
import shutil
from datetime import datetime
from importlib import resources
from pathlib import Path

from rich.console import Console
from rich.table import Table

from eop.clock import BANGKOK, Clock
from eop.config import load_config
from eop.periods import Period, months_between
from intake.folders import drop_dir, returned_dir
from jobs.deployment import Deployment, open_deployment
from jobs.issue import monthly_offices, workbook_name
from jobs.office_sim import fill_allocation, fill_monthly, resave_with_libreoffice, split_evenly
from jobs.process import PassReport, run_pass
from ledger.reference import targets_of

FIRST, LAST = Period(2557, 10), Period(2558, 3)
MISTAKEN = "7105"  # Tha Maka types a letter O for a zero and over-spends in December, then fixes it
MISTAKE_MONTH = Period(2557, 12)


def write_demo_config(workdir: Path) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / "config.yaml"
    target.write_text(resources.files("eop").joinpath("kanchanaburi.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return target


def at(year_ce: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year_ce, month, day, hour, tzinfo=BANGKOK)


def run_demo(workdir: Path, console: Console) -> Deployment:
    config_path = write_demo_config(workdir)
    config = load_config(config_path)
    if config.root.exists():
        shutil.rmtree(config.root)  # the demo starts its round afresh
    clock = Clock(at(2014, 10, 1, 9))
    deployment = open_deployment(config, clock)
    profile = workdir / ".libreoffice-profile"
    table = Table(title="e-Operation Sheets — สาธิตรอบที่ 1/2558 จังหวัดกาญจนบุรี / demo of round 1/2558, Kanchanaburi")
    for head in ("เมื่อ / when", "เหตุการณ์ / what happened", "รับ / accepted", "ตีกลับ / rejected", "จดหมาย / mail sent"):
        table.add_column(head)

    def step(when: datetime, what: str) -> PassReport:
        clock.set(when)
        report = run_pass(deployment)
        accepted = sum(v.status == "accepted" for v in report.verdicts)
        rejected = sum(v.status == "rejected" for v in report.verdicts)
        table.add_row(f"{when:%Y-%m-%d %H:%M}", what, str(accepted or ""), str(rejected or ""), str(report.sent))
        return report

    step(at(2014, 10, 1, 9), "นำเข้าเป้าหมายจังหวัด ส่งแบบ EOP016 ให้ผู้วางแผน / targets in, allocation workbook issued")
    _allocate(deployment, profile)
    step(at(2014, 10, 2), "จังหวัดจัดสรรเป้าหมายให้ 13 อำเภอ / province allocates targets to 13 districts")
    rng = random.Random(2558)
    for index, period in enumerate(months_between(FIRST, LAST)):
        month_ce, year_ce = period.month, period.year_ce
        step(at(year_ce, month_ce, 25, 8), f"เปิดบันทึกงวด {period} ส่งแบบรายงาน / {period} workbooks issued")
        _fill_month(deployment, period, rng, profile if index % 2 == 0 else None)
        step(at(year_ce, month_ce, 25, 10), f"หน่วยงานส่งรายงานงวด {period} / offices report {period}")
        if period == MISTAKE_MONTH:
            _fix_mistake(deployment, period, rng)
            step(at(year_ce, month_ce, 26, 9), f"อำเภอท่ามะกาแก้ไขแล้วส่งใหม่ / Tha Maka fixes and resends {period}")
    console.print(table)
    _where_to_look(deployment, config_path, console)
    return deployment


def _allocate(deployment: Deployment, profile: Path) -> None:
    config = deployment.config
    offices = ["71"] + [o.code for o in config.children("71") if o.level == "district"]
    whole = {a.code: a.whole for a in config.activities()}
    with deployment.ledger.atomic() as conn:
        province = targets_of(conn, config.fiscal_year, "province", "71")
    shares: dict = {"quantity": {}, "budget": {}}
    for (_, activity), (quantity, budget) in province.items():
        shares["quantity"][activity] = dict(zip(offices, split_evenly(quantity, len(offices), whole[activity])))
        shares["budget"][activity] = dict(zip(offices, split_evenly(budget, len(offices), False)))
    issued = returned_dir(deployment.root, "71") / workbook_name("allocation", "71", str(config.fiscal_year))
    staged = deployment.root / "staging" / "EOP016-จัดสรรเป้าหมาย.xlsx"
    fill_allocation(issued, staged, shares=shares)
    resave_with_libreoffice(staged, profile)
    shutil.move(str(staged), drop_dir(deployment.root, "71") / staged.name)


def _figures(deployment: Deployment, office: str, rng: random.Random) -> tuple[dict, dict]:
    config = deployment.config
    whole = {a.code: a.whole for a in config.activities()}
    with deployment.ledger.atomic() as conn:
        allocated = targets_of(conn, config.fiscal_year, "allocated", office)
    quantities, spending = {}, {}
    for (_, activity), (quantity, budget) in allocated.items():
        month = quantity / 12 * rng.uniform(0.6, 1.3)
        quantities[activity] = round(month) if whole[activity] else round(month, 1)
        spending[activity] = round(budget / 12 * rng.uniform(0.5, 1.2), 2)
    return quantities, spending


def _as_typed(value: float, rng: random.Random) -> object:
    """Offices type numbers many ways: plain, with thousands separators, as text, in Thai digits."""
    from eop.thai import to_thai_digits

    style = rng.random()
    if style < 0.15 and value >= 1000:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
    if style < 0.22:
        return to_thai_digits(str(int(value) if float(value).is_integer() else value))
    if style < 0.3:
        return f" {value} "
    return value


def _fill_month(deployment: Deployment, period: Period, rng: random.Random, profile: Path | None) -> None:
    for position, office in enumerate(monthly_offices(deployment)):
        issued = returned_dir(deployment.root, office) / workbook_name("monthly", office, str(period))
        quantities, spending = _figures(deployment, office, rng)
        if office == MISTAKEN and period == MISTAKE_MONTH:
            first = next(iter(quantities))
            quantities[first], spending[first] = "12,5O0", 10_000_000
        typed = {code: _as_typed(v, rng) if isinstance(v, int | float) else v for code, v in quantities.items()}
        staged = deployment.root / "staging" / f"รายงาน-{office}-{period}.xlsx"
        fill_monthly(issued, staged, quantities=typed, spending=spending, reporter=f"เจ้าหน้าที่ {office}")
        if profile is not None and position == 1:
            resave_with_libreoffice(staged, profile)  # one office a month works in LibreOffice Calc
        shutil.move(str(staged), drop_dir(deployment.root, office) / staged.name)


def _fix_mistake(deployment: Deployment, period: Period, rng: random.Random) -> None:
    issued = returned_dir(deployment.root, MISTAKEN) / workbook_name("monthly", MISTAKEN, str(period))
    quantities, spending = _figures(deployment, MISTAKEN, rng)
    fill_monthly(issued, drop_dir(deployment.root, MISTAKEN) / f"รายงาน-{MISTAKEN}-{period}-แก้ไข.xlsx",
                 quantities=quantities, spending=spending, reporter=f"เจ้าหน้าที่ {MISTAKEN}")


def _where_to_look(deployment: Deployment, config_path: Path, console: Console) -> None:
    root = deployment.root
    rejected = sorted(returned_dir(root, MISTAKEN).glob("*ผลการตรวจ*.xlsx"))
    console.print("\nดูผลได้ที่ / where to look:")
    console.print(f"  config            {config_path}")
    console.print(f"  drop folders      {root / 'share'}/<office>/drop/")
    console.print(f"  workbooks issued  {returned_dir(root, '7101')}/")
    if rejected:
        console.print(f"  annotated return  {rejected[0]}")
    console.print(f"  mail sent (.eml)  {root / 'outbox' / 'sent'}/")
    console.print(f"  archive           {root / 'archive'}/")
    console.print(f"  ledger            {deployment.ledger.path}")
    console.print(f"\n  eop --config {config_path} status --period 2558-03")
    console.print(f"  eop --config {config_path} received --json")
    console.print(f"  eop --config {config_path} --now 2015-04-25T10:00 process   # April's workbooks")
