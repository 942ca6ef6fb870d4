"""What `eop simulate-year` prints at the end: the months (what each month's passes took),
the checks, the packets, and what the year cost (wall time, checkpoints, the ledger's size,
a month's passes in month 1 against the last)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from jobs.deployment import Deployment

if TYPE_CHECKING:
    from simulation.year import Year


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
        f"เวลาทั้งหมด / wall time: {year.wall:.1f}s (จุดพัก / checkpoints {year.checkpoints:.1f}s;"
        f" หยุดแล้วทำต่อ / stopped and resumed {year.resumed}×)",
        f"สมุดบัญชี / ledger: {year.deployment.ledger.name}",
        f"ขนาด / ledger size: {ledger_size(year.deployment) / 1024 / 1024:.1f} MiB",
        f"รอบบริการของเดือน / a month's passes: {first.period} {first.pass_seconds:.1f}s "
        f"({first.pass_cpu:.1f}s CPU) · {last.period} {last.pass_seconds:.1f}s ({last.pass_cpu:.1f}s CPU)",
    ]
    for line in lines:
        console.print(line, markup=False, highlight=False, soft_wrap=True)


def _months_table(year: Year):
    from rich.table import Table

    config = year.deployment.config
    table = Table(
        title=f"ปีงบประมาณ 2558 {config.deployment_th} / fiscal year 2558, {config.deployment_en}"
        f" ({len(config.provinces())} จังหวัด / provinces)"
    )
    for head in HEADS:
        table.add_column(head)
    for m in year.months:
        cells = (m.period, m.passes, m.accepted, m.rejected, m.sent)
        table.add_row(
            *map(str, cells), f"{m.pass_seconds:.1f}", f"{m.pass_cpu:.1f}", f"{m.wall:.1f}"
        )
    return table
