"""`eop demo`: Kanchanaburi's round 1/2558 played through the calendar, on embedded defaults."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from datetime import datetime
from importlib import resources
from pathlib import Path

from rich.console import Console
from rich.table import Table

from eop.clock import BANGKOK, Clock
from eop.config import Role, load_config
from eop.periods import Period, months_between
from intake.folders import drop_dir, returned_dir
from jobs.deployment import Deployment, open_deployment
from jobs.issue import workbook_name
from ledger.reference import targets_of
from service.process import PassReport, run_pass
from simulation import evidence as evidence_demo
from simulation.demo_month import (
    FIRST,
    LAST,
    LATE,
    MISTAKE_MONTH,
    MISTAKEN,
    RETURNED,
    fill_month,
    fix_mistake,
    send_monthly,
)
from simulation.offices import (
    fill_allocation,
    fill_confirm,
    fill_review,
    resave_with_libreoffice,
    split_evenly,
)

Step = Callable[[datetime, str], PassReport]  # one pass of the service at a moment, logged
RETURNING_SECTION = "71-S3"
CORRECTED, CORRECTED_MONTH = (
    "7102",
    Period(2558, 2),
)  # Sai Yok corrects locked February under a memo
MEMO = {
    "memo_number": "กจ 0008/1234",
    "approved_by": "ปศุสัตว์จังหวัดกาญจนบุรี",
    "reason": "แก้ไขผลการผสมเทียม (A203) ตามทะเบียน — A203 corrected from the register",
}


def write_demo_config(workdir: Path) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / "config.yaml"
    target.write_text(
        resources.files("eop").joinpath("kanchanaburi.yaml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    return target


def at(year_ce: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year_ce, month, day, hour, tzinfo=BANGKOK)


HEADS = (
    "เมื่อ / when",
    "เหตุการณ์ / what happened",
    "รับ / accepted",
    "ตีกลับ / rejected",
    "จดหมาย / mail sent",
)


def run_demo(workdir: Path, console: Console) -> Deployment:
    config_path = write_demo_config(workdir)
    config = load_config(config_path)
    if config.root.exists():
        shutil.rmtree(config.root)  # the demo starts its round afresh
    deployment = open_deployment(config, Clock(at(2014, 10, 1, 9)))
    table = Table(
        title="e-Operation Sheets — สาธิตรอบที่ 1/2558 จังหวัดกาญจนบุรี / demo of round 1/2558, Kanchanaburi"
    )
    for head in HEADS:
        table.add_column(head)
    step = _stepper(deployment, table)
    _play_round(deployment, workdir / ".libreoffice-profile", step)
    # KPI evidence: stand-in documents, the deadline's checklist and packet
    packet = evidence_demo.evidence_round(deployment, step)
    console.print(table)
    _where_to_look(deployment, config_path, console)
    evidence_demo.show(packet, console)
    return deployment


def _stepper(deployment: Deployment, table: Table) -> Callable[[datetime, str], PassReport]:
    """Move the clock to `when`, run one pass of the service, and log what it did as a row."""

    def step(when: datetime, what: str) -> PassReport:
        deployment.clock.set(when)
        report = run_pass(deployment)
        accepted = sum(v.status == "accepted" for v in report.verdicts)
        rejected = sum(v.status == "rejected" for v in report.verdicts)
        row = (f"{when:%Y-%m-%d %H:%M}", what, str(accepted or ""), str(rejected or ""))
        table.add_row(*row, str(report.sent))
        return report

    return step


def _play_round(deployment: Deployment, profile: Path, step: Step) -> None:
    """October to March: targets allocated, then each month filled, fixed, reviewed, confirmed."""
    step(
        at(2014, 10, 1, 9),
        "นำเข้าเป้าหมายจังหวัด ส่งแบบ EOP016 ให้ผู้วางแผน / targets in, allocation workbook issued",
    )
    allocate(deployment, profile)
    step(
        at(2014, 10, 2), "จังหวัดจัดสรรเป้าหมายให้ 13 อำเภอ / province allocates targets to 13 districts"
    )
    rng = random.Random(2558)
    for index, period in enumerate(months_between(FIRST, LAST)):
        _play_month(deployment, period, rng, profile if index % 2 == 0 else None, step)
    step(at(2015, 4, 4, 9), "ปิดงวด 2558-03 / March 2558 locks")


def _play_month(
    deployment: Deployment, period: Period, rng: random.Random, profile: Path | None, step: Step
) -> None:
    month_ce, year_ce = period.month, period.year_ce
    step(
        at(year_ce, month_ce, 25, 8), f"เปิดบันทึกงวด {period} ส่งแบบรายงาน / {period} workbooks issued"
    )
    fill_month(deployment, period, rng, profile)
    step(at(year_ce, month_ce, 25, 10), f"หน่วยงานส่งรายงานงวด {period} / offices report {period}")
    if period == MISTAKE_MONTH:
        fix_mistake(deployment, period, rng)
        step(
            at(year_ce, month_ce, 26, 9),
            f"อำเภอท่ามะกาแก้ไขแล้วส่งใหม่ / Tha Maka fixes and resends {period}",
        )
    _review_and_confirm(deployment, period, rng, step)
    if period == CORRECTED_MONTH:
        _correct(deployment, rng, step)


def allocate(deployment: Deployment, profile: Path | None, province: str = "71") -> None:
    """The province planner splits the province's targets evenly over its office and districts
    (the workbook saved again by LibreOffice Calc, as Excel would, when `profile` is given)."""
    config = deployment.config
    offices = [province] + [o.code for o in config.children(province) if o.level == "district"]
    whole = {a.code: a.whole for a in config.activities()}
    with deployment.ledger.atomic() as conn:
        targets = targets_of(conn, config.fiscal_year, "province", province)
    shares: dict = {"quantity": {}, "budget": {}}
    for (_, activity), (quantity, budget) in targets.items():
        shares["quantity"][activity] = dict(
            zip(offices, split_evenly(quantity, len(offices), whole[activity]))
        )
        shares["budget"][activity] = dict(zip(offices, split_evenly(budget, len(offices), False)))
    issued = returned_dir(deployment.root, province) / workbook_name(
        "allocation", province, str(config.fiscal_year)
    )
    staged = deployment.root / "staging" / f"EOP016-จัดสรรเป้าหมาย-{province}.xlsx"
    fill_allocation(issued, staged, shares=shares)
    if profile is not None:
        resave_with_libreoffice(staged, profile)
    shutil.move(str(staged), drop_dir(deployment.root, province) / staged.name)


def _review_and_confirm(
    deployment: Deployment, period: Period, rng: random.Random, step: Step
) -> None:
    """The 28th: the sections review (in March animal health returns Tha Maka, which fixes it);
    the 1st: the province package; the 2nd: the planner confirms the province to the centre."""
    year, month = period.year_ce, period.month
    step(
        at(year, month, 27, 9), f"เตือนหน่วยงานที่ยังไม่ส่ง {period} / reminders to offices still missing"
    )
    if period == LAST:
        send_monthly(deployment, LATE, period, rng)
    step(
        at(year, month, 28, 9),
        f"ส่งแบบตรวจสอบให้กลุ่ม/ฝ่าย {period} / review workbooks to the sections"
        + (" · อำเภอห้วยกระเจาส่งช้า / Huai Krachao late" if period == LAST else ""),
    )
    sections_decide(deployment, period, RETURNING if period == LAST else {})
    step(
        at(year, month, 28, 11),
        f"กลุ่ม/ฝ่ายอนุมัติ {period} / sections approve"
        + (" · ส่งกลับท่ามะกา / Tha Maka returned" if period == LAST else ""),
    )
    if period == LAST:
        _fix_the_return(deployment, period, rng, step)
    confirm_province(deployment, period, step)


RETURNING = {
    RETURNING_SECTION: {
        RETURNED: (
            "ส่งกลับ",
            "ผลการฉีดวัคซีน A101 ไม่ตรงกับทะเบียน กรุณาตรวจสอบ — A101 does not match the register",
        )
    }
}


def _fix_the_return(deployment: Deployment, period: Period, rng: random.Random, step: Step) -> None:
    """Tha Maka fixes A101 as the section asked and resends; the section approves it."""
    year, month = period.year_ce, period.month
    fixed = max(returned_dir(deployment.root, RETURNED).glob(f"*{period}-ส่งกลับ*"))
    send_monthly(
        deployment,
        RETURNED,
        period,
        rng,
        source=fixed,
        name=f"รายงาน-{RETURNED}-{period}-แก้ไขตามที่ส่งกลับ.xlsx",
        only="A101",
    )
    step(at(year, month, 29, 9), "ท่ามะกาแก้ไขตามความเห็นแล้วส่งใหม่ / Tha Maka fixes and resends")
    sections_decide(deployment, period, {}, only=[RETURNING_SECTION])
    step(
        at(year, month, 29, 11),
        "กลุ่มพัฒนาสุขภาพสัตว์อนุมัติฉบับใหม่ / animal health approves the new version",
    )


def confirm_province(
    deployment: Deployment, period: Period, step: Step, provinces: tuple[str, ...] = ("71",)
) -> None:
    """The 1st: the province package; the 2nd: each planner confirms its province to the centre."""
    after = period.next()
    step(
        at(after.year_ce, after.month, 1, 9),
        f"ส่งรายงานภาพรวมและแบบยืนยันให้กลุ่มยุทธศาสตร์ฯ {period} / province package",
    )
    for province in provinces:
        confirm = returned_dir(deployment.root, province) / workbook_name(
            "confirm", province, str(period)
        )
        drop = drop_dir(deployment.root, province) / f"ยืนยัน-{period}.xlsx"
        fill_confirm(confirm, drop, name=planner(deployment, province))
    step(
        at(after.year_ce, after.month, 2, 9),
        f"จังหวัดยืนยันส่งส่วนกลาง {period} / province confirms to the centre",
    )


def planner(deployment: Deployment, province: str) -> str:
    return next(p.name for p in deployment.config.people_of(province, Role.PROVINCE_PLANNER))


def sections_decide(
    deployment: Deployment, period: Period, returning: dict, only: list[str] | None = None
) -> None:
    from eop.states import APPROVE

    for section in deployment.config.sections:
        if only and section.code not in only:
            continue
        issued = returned_dir(deployment.root, section.code) / workbook_name(
            "review", section.code, str(period)
        )
        districts = [
            o.code for o in deployment.config.children(section.office) if o.level == "district"
        ]
        decisions = dict.fromkeys(districts, APPROVE) | returning.get(section.code, {})
        reviewer = next(
            (p.name for p in deployment.config.people if p.office == section.code), section.code
        )
        fill_review(
            issued,
            drop_dir(deployment.root, section.code) / f"ตรวจสอบ-{section.code}-{period}.xlsx",
            decisions=decisions,
            reviewer=reviewer,
        )


def _correct(deployment: Deployment, rng: random.Random, step) -> None:
    """After February locks: the strategy group asks, with the correction workbook that came
    with the province package, to reopen Sai Yok's month under a memo; then its one version."""
    from eop.layout import TO_CENTRE_CHOICES
    from simulation.offices import fill_correction

    blank = returned_dir(deployment.root, "71") / workbook_name("correction", "71", "2558")
    row = {"office": CORRECTED, "period": str(CORRECTED_MONTH), "memo_date": "9/3/2558"}
    fill_correction(
        blank,
        drop_dir(deployment.root, "71") / f"ขอแก้ไข-{CORRECTED}-{CORRECTED_MONTH}.xlsx",
        [{**row, **MEMO, "to_centre": TO_CENTRE_CHOICES[1]}],
    )
    step(
        at(2015, 3, 10, 9),
        f"จังหวัดขอเปิดแก้ไขงวด {CORRECTED_MONTH} ของไทรโยค ตามบันทึก {MEMO['memo_number']} / "
        "the province reopens Sai Yok's February with the correction workbook",
    )
    send_monthly(
        deployment,
        CORRECTED,
        CORRECTED_MONTH,
        rng,
        name=f"รายงาน-{CORRECTED}-{CORRECTED_MONTH}-แก้ไขตามบันทึก.xlsx",
        only="A203",
    )
    step(
        at(2015, 3, 10, 10),
        f"ไทรโยคแก้ไขงวด {CORRECTED_MONTH} ตามบันทึก {MEMO['memo_number']} / Sai Yok corrects under a memo",
    )


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
    console.print(f"  ledger            {deployment.ledger.name}")
    console.print(f"\n  eop --config {config_path} status --period 2558-03")
    console.print(
        f"  eop --config {config_path} status --period 2558-03 --json   # approved_at, returned, confirmed_at, corrections"
    )
    console.print(f"  eop --config {config_path} correction list")
    console.print(f"  eop --config {config_path} --now 2015-04-28T09:00 jobs list")
    console.print(f"  eop --config {config_path} received --json")
    console.print(
        f"  eop --config {config_path} --now 2015-04-25T10:00 process   # April's workbooks"
    )
