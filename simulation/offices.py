"""A simulated office filling the workbooks it received, the way people do (the demo and
the tests use it): openpyxl opens the workbook as issued and types into the input cells."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from openpyxl import load_workbook

from eop.layout import (
    ALLOCATION_FIRST_OFFICE_COLUMN,
    ALLOCATION_HEADER_ROW,
    ALLOCATION_SHEETS,
    BUDGET,
    CONFIRM_CELL,
    CONFIRM_SEND,
    PERFORMANCE,
    REPORTER_CELL,
)


def _rows_by_code(sheet, first_row: int, code_column: str = "B") -> dict[str, int]:
    rows = {}
    row = first_row
    while sheet[f"{code_column}{row}"].value:
        rows[str(sheet[f"{code_column}{row}"].value)] = row
        row += 1
    return rows


def fill_monthly(
    issued: Path,
    out: Path,
    *,
    quantities: Mapping[str, object],
    spending: Mapping[str, object] | None = None,
    remarks: Mapping[str, str] | None = None,
    confirm: str = CONFIRM_SEND,
    reporter: str = "นายทดสอบ ระบบ",
) -> Path:
    """Type this month's figures (numbers or text, as people type them) and save as `out`."""
    book = load_workbook(issued)
    perf, money = book[PERFORMANCE.name], book[BUDGET.name]
    for code, row in _rows_by_code(perf, PERFORMANCE.first_row).items():
        if code in quantities:
            perf[f"G{row}"] = quantities[code]
        if remarks and code in remarks:
            perf[f"J{row}"] = remarks[code]
    for code, row in _rows_by_code(money, BUDGET.first_row).items():
        if spending and code in spending:
            money[f"F{row}"] = spending[code]
    perf[CONFIRM_CELL] = confirm
    perf[REPORTER_CELL] = reporter
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def fill_allocation(
    issued: Path, out: Path, *, shares: Mapping[str, Mapping[str, Mapping[str, object]]]
) -> Path:
    """shares[measure][activity][office] → value, measure "quantity" or "budget"."""
    book = load_workbook(issued)
    for measure, (sheet_name, _) in ALLOCATION_SHEETS.items():
        sheet = book[sheet_name]
        columns = {}
        column = ALLOCATION_FIRST_OFFICE_COLUMN
        while (
            code := sheet.cell(row=ALLOCATION_HEADER_ROW + 1, column=column).value
        ) and column < 200:
            columns[str(code)] = column
            column += 1
        for activity, row in _rows_by_code(sheet, ALLOCATION_HEADER_ROW + 2).items():
            for office, value in shares.get(measure, {}).get(activity, {}).items():
                if office in columns:
                    sheet.cell(row=row, column=columns[office], value=value)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def split_evenly(total: float, parts: int, whole: bool) -> list[float]:
    """Shares that add up exactly to the total: whole units (or satang) spread evenly."""
    unit = 1 if whole else 0.01
    units = round(total / unit)
    base, extra = divmod(units, parts)
    return [round((base + (1 if i < extra else 0)) * unit, 2) for i in range(parts)]


def resave_with_libreoffice(path: Path, profile: Path) -> Path | None:
    """Open and save the workbook in LibreOffice Calc (headless), as an office application
    would; None when LibreOffice is not installed. The file is replaced in place."""
    import shutil
    import subprocess
    import tempfile

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    with tempfile.TemporaryDirectory() as outdir:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile.resolve().as_uri()}",
                "--headless",
                "--convert-to",
                "xlsx",
                "--outdir",
                outdir,
                str(path),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        converted = Path(outdir) / f"{path.stem}.xlsx"
        shutil.move(str(converted), path)
    return path


def fill_review(
    issued: Path,
    out: Path,
    *,
    decisions: Mapping[str, tuple[str, str] | str],
    reviewer: str = "ผู้ตรวจ ทดสอบ",
) -> Path:
    """A section reviewer's choices: decisions[district] → "อนุมัติ", or ("ส่งกลับ", "comment")."""
    from eop.layout import REVIEW_DECISIONS, REVIEWER_CELL

    book = load_workbook(issued)
    sheet = book[REVIEW_DECISIONS.name]
    for office, row in _rows_by_code(sheet, REVIEW_DECISIONS.first_row).items():
        if office in decisions:
            choice = decisions[office]
            choice, comment = (choice, "") if isinstance(choice, str) else choice
            sheet[f"G{row}"] = choice
            sheet[f"H{row}"] = comment or None
    sheet[REVIEWER_CELL] = reviewer
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def fill_confirm(
    issued: Path,
    out: Path,
    *,
    performance: str = "ยืนยัน",
    budget: str = "ยืนยัน",
    even_if_incomplete: str | None = None,
    name: str = "นางสาววิไล รักงาน",
) -> Path:
    """The province planner's confirmation (EOP018 + EOP019) to the centre."""
    from eop.layout import (
        CONFIRM_BUDGET_CELL,
        CONFIRM_INCOMPLETE_CELL,
        CONFIRM_PERFORMANCE,
        CONFIRM_PERFORMANCE_CELL,
        CONFIRMER_CELL,
    )

    book = load_workbook(issued)
    sheet = book[CONFIRM_PERFORMANCE.name]
    sheet[CONFIRM_PERFORMANCE_CELL], sheet[CONFIRM_BUDGET_CELL] = performance, budget
    sheet[CONFIRM_INCOMPLETE_CELL], sheet[CONFIRMER_CELL] = even_if_incomplete, name
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def fill_correction(
    issued: Path, out: Path, rows: list[Mapping[str, object]], *, name: str = "นางสาววิไล รักงาน"
) -> Path:
    """The strategy group's correction requests: one row per correction (fields of the
    layout: office, period, memo_number, memo_date, approved_by, to_centre, reason)."""
    from eop.layout import CORRECTION_REQUESTS, REQUESTER_CELL

    book = load_workbook(issued)
    sheet = book[CORRECTION_REQUESTS.name]
    sheet[REQUESTER_CELL] = name
    for index, values in enumerate(rows):
        for field, value in values.items():
            sheet[CORRECTION_REQUESTS.cell(field, CORRECTION_REQUESTS.first_row + index)] = value
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out
