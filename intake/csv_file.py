"""Reading a targets CSV (activity,quantity,budget) into the frame the validators expect."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from eop.layout import Column, SheetLayout

TARGET_COLUMNS = ("activity", "quantity", "budget")


def targets_csv_layout(name: str) -> SheetLayout:
    """Cells named as a spreadsheet shows the CSV: header on row 1, data from row 2."""
    return SheetLayout(
        name,
        name,
        0,
        (
            Column("A", "code", "รหัสกิจกรรม", "activity"),
            Column("B", "quantity", "เป้าหมายผลผลิต", "quantity"),
            Column("C", "budget", "งบประมาณ (บาท)", "budget"),
            Column("D", "unit", "หน่วยนับ", "unit"),
        ),
        ("quantity", "budget"),
    )


def read_targets_csv(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """The rows as raw text, and the header as found (UTF-8, with or without BOM; cp874 accepted)."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp874"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    records = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        values = dict(zip(header, cells))
        records.append(
            {
                "row": number,
                "code": values.get("activity", "").strip(),
                "quantity": values.get("quantity", ""),
                "budget": values.get("budget", ""),
                "unit": "",
            }
        )
    return pd.DataFrame.from_records(
        records, columns=["row", "code", "quantity", "budget", "unit"]
    ), header
