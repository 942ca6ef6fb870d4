"""The demo's KPI evidence for round 1/2558 (appended to `eop demo` after the workflow's part).

5 April 2558: the strategy group drops stand-in orders 84/2558 (``order-84-2558.pdf``) and
85/2558 (``คำสั่ง-85-2558.pdf``, the Thai naming) and a "signed" stand-in of the drafted target
memo (``หนังสือแจ้งเป้าหมาย-2557-10-03-ลงนามแล้ว.pdf``: dated the working day after the
allocation was accepted, as a memo signed then and scanned now would be, its date in its name)
into ``share/71/evidence/``: each is registered and answered. 6 April, the day before the
deadline: the last checklist and, March being confirmed, the packet, built and mailed by the
calendar's jobs (built and mailed here if March is not).
Every stand-in says on its pages that it is one.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from eop.clock import BANGKOK
from eop.rounds import Round
from intake.folders import evidence_dir
from jobs.deployment import Deployment
from kpi.letter import draft_letter, stand_in_order
from kpi.packet import load_summary, page_list, summary
from ledger import evidence as ledger_evidence
from ledger import records

ROUND = "1/2558"
NAMES = {
    "84/2558": "order-84-2558.pdf",
    "85/2558": "คำสั่ง-85-2558.pdf",
}  # English and Thai kind words
SIGNED_LETTER = "หนังสือแจ้งเป้าหมาย-{date}-ลงนามแล้ว.pdf"  # its date (BE) in the name: registered


def next_working_day(day: date) -> date:
    """The day after `day`, Saturday and Sunday skipped (2 Oct 2557, a Thursday → 3 Oct)."""
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _at(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime(year, month, day, hour, tzinfo=BANGKOK)


def evidence_round(
    deployment: Deployment,
    step: Callable[[datetime, str], object],
    provinces: list[str] | None = None,
) -> dict[str, Any] | None:
    """Every province in `provinces` (default: the first) drops its stand-ins; the packet of
    the first is returned."""
    config = deployment.config
    if not config.rounds or not config.provinces():
        return None
    round_ = (
        config.round(ROUND) if any(r.code == ROUND for r in config.rounds) else config.rounds[0]
    )
    provinces = provinces or [config.provinces()[0].code]
    province = provinces[0]

    def later(moment: datetime) -> datetime:  # never back in time, whatever ran before
        return max(moment, deployment.now())

    deployment.clock.set(later(_at(2015, 4, 5, 10)))
    for each in provinces:
        for path in stand_ins(deployment, round_, each):
            shutil.move(str(path), evidence_dir(deployment.root, each) / path.name)
    step(
        later(_at(2015, 4, 5, 10)),
        "วางคำสั่ง 84/2558, 85/2558 และหนังสือแจ้งเป้าหมายที่ลงนาม (เอกสารจำลอง) ในโฟลเดอร์ evidence "
        "/ stand-in orders and the signed target letter registered",
    )
    step(
        later(_at(2015, 4, 6, 8)),
        f"วันก่อนกำหนดส่ง: รายการที่ยังขาดและแฟ้มหลักฐานรอบ {round_.code} "
        f"/ the day before the deadline: checklist and evidence packet {round_.code}",
    )
    with deployment.ledger.atomic() as conn:
        sent = records.job_done(conn, "evidence-packet", f"{round_.code}|{province}")
    if not sent:  # March not confirmed in this run: the packet is built and mailed all the same
        from kpi.evidence import build_and_send

        return summary(build_and_send(deployment, round_, province, reason="demo"))
    return load_summary(deployment, round_, province)  # as the calendar's job built and mailed it


def stand_ins(deployment: Deployment, round_: Round, province: str) -> list[Path]:
    """The round's orders and the signed target memo as stand-ins, made in a staging folder."""
    staging = deployment.root / "staging" / "evidence" / province
    staging.mkdir(parents=True, exist_ok=True)
    made = [
        stand_in_order(
            deployment,
            province,
            ref,
            staging / NAMES.get(ref.number or "", f"order-{ref.number}.pdf"),
        )
        for ref in round_.documents
        if ref.kind == "order" and ref.number
    ]
    with deployment.ledger.atomic() as conn:
        allocation = ledger_evidence.latest_fact(
            conn, province, "allocation", str(round_.fiscal_year)
        )
    if allocation is not None:  # signed the next working day after the allocation, not today
        day = next_working_day(allocation.accepted_at.date())
        signed = draft_letter(
            deployment,
            province,
            round_.fiscal_year,
            allocation.version,
            stand_in=True,
            signed_on=day,
        )
        name = SIGNED_LETTER.format(date=f"{day.year + 543}-{day.month:02}-{day.day:02}")
        made.append(Path(shutil.copy(signed, staging / name)))
    return made


KPI_HEADS = (
    "KPI",
    "น้ำหนัก weight",
    "ผลสำเร็จ achievement",
    "ระดับ level",
    "คะแนน score",
    "ถ่วงน้ำหนัก weighted",
)


def show(packet: dict[str, Any] | None, console: Console) -> None:
    """The round's KPI results and the packet's page list (its summary), as the demo ends."""
    if packet is None:
        return
    console.print(_kpi_table(packet))
    console.print(
        f"\nแฟ้มหลักฐาน / evidence packet ({packet['pages']} หน้า / pages): {packet['pdf']}",
        markup=False,
        highlight=False,
    )
    console.print(f"ไฟล์ต้นฉบับ / XLSX sources: {packet['zip']}", markup=False, highlight=False)
    for line in page_list(packet):
        console.print(f"  {line}", markup=False, highlight=False)
    for item in packet["checklist"][:6]:
        level = f" L{item['level']}" if item["level"] else ""
        console.print(
            f"  ยังขาด / missing [{item['kpi']}{level}] {item['en']}", markup=False, highlight=False
        )


def _kpi_table(packet: dict[str, Any]) -> Table:
    table = Table(
        title=f"ตัวชี้วัด รอบที่ {packet['round']} — KPI results, {packet['office_th']} ({packet['office']})"
    )
    for head in KPI_HEADS:
        table.add_column(head)
    for k in packet["kpis"]:
        table.add_row(
            k["code"],
            f"{k['weight']:g}%",
            f"{k['achievement']:,.2f}%" if k["achievement"] is not None else "–",
            f"{k['level']}/{k['levels']}",
            f"{k['score']:.4f}",
            f"{k['weighted']:.4f}",
        )
    table.add_row(
        "รวม total", f"{packet['total_weight']:g}%", "", "", "", f"{packet['total_weighted']:.4f}"
    )
    return table
