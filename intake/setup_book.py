"""Reading a setup or people workbook (python-calamine, through intake.read) into the rows
validators.setup checks: each sheet's input rows with their row numbers, blank rows left out."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from eop.config import Limits
from eop.findings import Finding
from eop.layout import SheetLayout
from eop.setup_layout import FISCAL_YEAR_CELL, KIND_SHEETS, PROVINCE_TARGETS, SETUP_VERSION
from intake.read import RawWorkbook, UnreadableWorkbook, read_workbook
from intake.sniff import UnreadableFile, check_file_parts
from validators.catalogue import finding
from validators.setup import Row, SetupRows
from validators.values import read_text


@dataclass
class SetupBook:
    """A setup/people workbook as read: its rows, or the findings that stop reading it."""

    name: str
    meta: dict[str, str]
    rows: SetupRows | None
    findings: list[Finding] = field(default_factory=list)


def read_setup(path: Path, limits: Limits | None = None) -> SetupBook:
    """Through the file gate first (size, zip bombs, entities: the deployment's limits)."""
    name = path.name
    limits = limits or Limits()
    try:
        parts = check_file_parts(path, limits, display_name=name)
        raw = read_workbook(path, display_name=name, max_rows=limits.max_rows, parts=parts)
    except UnreadableFile as exc:
        return SetupBook(name, {}, None, [exc.finding()])
    except UnreadableWorkbook as exc:
        return SetupBook(name, {}, None, [finding("unreadable", value=exc.message_en)])
    return setup_rows(raw)


def setup_rows(raw: RawWorkbook) -> SetupBook:
    """The rows of a workbook already read; findings when it is not a setup/people workbook."""
    meta = raw.meta or {}
    kind = meta.get("kind", "")
    if raw.meta is None:
        return SetupBook(raw.name, meta, None, [finding("not-our-workbook")])
    if kind not in KIND_SHEETS:
        return SetupBook(raw.name, meta, None, [finding("unknown-kind", value=kind)])
    version = meta.get("template_version", "")
    if version != SETUP_VERSION:
        stop = finding("template-unknown-version", value=version, expected=SETUP_VERSION)
        return SetupBook(raw.name, meta, None, [stop])
    missing = [
        finding("sheet-missing", value=layout.name)
        for layout in KIND_SHEETS[kind]
        if layout.name not in raw.sheets
    ]
    if missing:
        return SetupBook(raw.name, meta, None, missing)
    sheets = {
        layout.name: sheet_rows(raw.rows(layout.name), layout) for layout in KIND_SHEETS[kind]
    }
    year = ""
    if kind == "setup":
        year = _cell(raw.rows(PROVINCE_TARGETS.name), FISCAL_YEAR_CELL)
    return SetupBook(raw.name, meta, SetupRows(kind, sheets, year))


def sheet_rows(cells: list[list[object]], layout: SheetLayout) -> list[Row]:
    """(row number, field → text) of every row with something typed in an input column."""
    positions = {c.field: _index(c.letter) for c in layout.columns if c.field in layout.inputs}
    found: list[Row] = []
    for offset, cells_of_row in enumerate(cells[layout.first_row - 1 :]):
        values = {
            name: read_text(cells_of_row[i]) if i < len(cells_of_row) else ""
            for name, i in positions.items()
        }
        if any(values.values()):
            found.append((layout.first_row + offset, values))
    return found


def _index(letter: str) -> int:
    index = 0
    for char in letter:
        index = index * 26 + ord(char) - ord("A") + 1
    return index - 1


def _cell(cells: list[list[object]], address: str) -> str:
    column, row = _index(address[0]), int(address[1:]) - 1
    if row < len(cells) and column < len(cells[row]):
        return read_text(cells[row][column])
    return ""
