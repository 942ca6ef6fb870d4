"""The annotated return (DESIGN §6): a rejected workbook goes back as the same workbook,
each offending cell coloured and commented, with a first sheet listing every finding.

The office corrects this very file and sends it again, so everything that makes it one
of our workbooks (protection, unlocked inputs, validations, the hidden `_meta`) is left
as it was, and annotating a workbook that was annotated before first undoes the old
marks. Text that came from an office is always written as text, never a formula (§12).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator, Sequence
from pathlib import Path
from xml.etree.ElementTree import fromstring, tostring

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.fills import Fill
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter
from openpyxl.utils.exceptions import CellCoordinatesException
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from eop.findings import Finding, Severity

LISTING_SHEET = "ผลการตรวจ (findings)"
AUTHOR = "e-Operation"
FORMULA_STARTS = ("=", "+", "-", "@")
ERROR_FILL = PatternFill("solid", fgColor="FFFF7C80")
WARNING_FILL = PatternFill("solid", fgColor="FFFFC000")
SEVERITY_LABEL = {Severity.ERROR: "ข้อผิดพลาด error", Severity.WARNING: "คำเตือน warning"}
EARLIER_NOTE = "\n\n— หมายเหตุเดิม / earlier note —\n"  # our comment above it, the cell's own below

# (Thai header, English sub-header, width) of the listing's columns, in order.
# Their widths add up to what the eight columns before the activity's took (202): the same
# scale on A4 landscape.
COLUMNS = [
    ("ลำดับ", "No.", 6),
    ("ระดับ", "Severity", 12),
    ("ชีต", "Sheet", 18),
    ("เซลล์", "Cell", 7),
    ("ช่อง", "Field", 20),
    ("กิจกรรม", "Activity", 22),
    ("ค่าที่พบ", "Value seen", 17),
    ("ข้อความ", "Message (Thai)", 50),
    ("ข้อความภาษาอังกฤษ", "Message", 50),
]
SHEET_COLUMN, CELL_COLUMN = 3, 4
# Hidden: the fill a cell had before we coloured it, so the next round can undo it.
RESTORE_COLUMN = len(COLUMNS) + 1
HEADER_ROW = 5  # Thai; the English sub-header is the row below
FIRST_ROW = HEADER_ROW + 2
MAX_ROW, MAX_COLUMN = 1_048_576, 16_384
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what an .xlsx cannot hold

FONT = "Tahoma"  # carries Thai on every Windows, like the workbooks we issue
TITLE_FONT = Font(name=FONT, size=13, bold=True)
BOLD = Font(name=FONT, size=10, bold=True)
PLAIN = Font(name=FONT, size=10)
SUBTLE = Font(name=FONT, size=9, italic=True, color="FF555555")
LINK = Font(name=FONT, size=10, color="FF0563C1", underline="single")
HEADER_FILL = PatternFill("solid", fgColor="FFDCE6F1")
WRAP = Alignment(wrap_text=True, vertical="top")

Marked = tuple[Cell, str]  # a marked cell and the fill it had before, as XML


class AnnotationFailed(Exception):
    """The original workbook could not be opened or annotated."""

    permanent = True


def write_text(cell: Cell, value: object) -> None:
    """Write `value` as plain text: never a formula, an error code or a number.

    openpyxl turns a str starting with "=" into a formula and "#N/A" into an error, so the
    type is forced back to a string; the quote prefix keeps Excel from reading "=", "+",
    "-", "@" as a formula when someone edits the cell later.
    """
    if value is None:
        cell.value = None
        return
    text = ILLEGAL.sub("\ufffd", str(value))[:32767]
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True


def annotate_workbook(
    original: Path, findings: Sequence[Finding], out: Path, *, title_th: str, title_en: str
) -> Path:
    """Write `out`: `original` with its offending cells marked and a first sheet of findings."""
    workbook = _load(original)
    _undo_previous(workbook)
    marked = _mark_cells(workbook, findings)
    _add_listing(workbook, findings, marked, title_th, title_en)
    return _save(workbook, out)


def _load(original: Path) -> Workbook:
    try:  # from an open file: openpyxl refuses a path whose extension is not .xlsx (a name is only a label)
        with original.open("rb") as handle:
            return load_workbook(handle)
    except Exception as exc:  # openpyxl raises many kinds; the caller needs one
        raise AnnotationFailed(f'"{original.name}" cannot be opened to annotate it: {exc}') from exc


# --- the offending cells ------------------------------------------------------------------


def _mark_cells(workbook: Workbook, findings: Sequence[Finding]) -> list[Marked | None]:
    """Colour and comment each cell a finding names; findings on one cell share a comment.

    Returns, per finding, the marked cell and its fill before (None: listing only).
    """
    targets = [_target(workbook, finding) for finding in findings]
    groups: dict[Cell, list[Finding]] = {}
    for cell, finding in zip(targets, findings):
        if cell is not None:
            groups.setdefault(cell, []).append(finding)
    before = {cell: _mark(cell, group) for cell, group in groups.items()}
    return [(cell, before[cell]) if cell is not None else None for cell in targets]


def _target(workbook: Workbook, finding: Finding) -> Cell | None:
    """The cell a finding names, if its sheet exists and its address is a real cell."""
    if not finding.sheet or not finding.cell or finding.sheet not in workbook.sheetnames:
        return None
    try:
        letters, row = coordinate_from_string(finding.cell.replace("$", "").strip().upper())
        column = column_index_from_string(letters)
    except (CellCoordinatesException, ValueError):  # a range, a name, rubbish: listing only
        return None
    if not (1 <= row <= MAX_ROW and 1 <= column <= MAX_COLUMN):
        return None
    sheet = workbook[finding.sheet]
    cell = sheet.cell(row=row, column=column)
    return _merge_anchor(sheet, cell) if isinstance(cell, MergedCell) else cell


def _merge_anchor(sheet: Worksheet, cell: MergedCell) -> Cell:
    """A merged cell cannot hold a comment: mark the top-left cell of its range."""
    for merged in sheet.merged_cells.ranges:
        if cell.coordinate in merged:
            return sheet.cell(row=merged.min_row, column=merged.min_col)
    raise AssertionError(f"{cell.coordinate} is merged but in no merged range")


def _mark(cell: Cell, group: list[Finding]) -> str:
    """Colour (red if any error, else amber) and comment one cell; return its fill before."""
    before = tostring(cell.fill.to_tree(), encoding="unicode")
    cell.fill = ERROR_FILL if any(f.is_error for f in group) else WARNING_FILL
    text = ILLEGAL.sub("\ufffd", "\n\n".join(_comment_text(f) for f in group))
    if cell.comment is not None and not _is_ours(cell.comment):
        text += EARLIER_NOTE + cell.comment.text
    lines = sum(1 + len(line) // 45 for line in text.splitlines())
    cell.comment = Comment(text, AUTHOR, height=min(14 * lines + 10, 600), width=320)
    return before


def _comment_text(finding: Finding) -> str:
    label = SEVERITY_LABEL[finding.severity]
    lines = [f"{label}: {finding.message_th}", finding.message_en]
    if finding.value is not None:
        lines.append(f'ค่าที่พบ / value seen: "{finding.value}"')
    return "\n".join(lines)


# --- the listing --------------------------------------------------------------------------


def _add_listing(
    workbook: Workbook,
    findings: Sequence[Finding],
    marked: list[Marked | None],
    title_th: str,
    title_en: str,
) -> None:
    """The first, active, protected sheet: one row per finding, linked to its cell."""
    sheet = workbook.create_sheet(LISTING_SHEET, 0)
    _listing_head(sheet, findings, title_th, title_en)
    for number, (finding, mark) in enumerate(zip(findings, marked), start=1):
        _listing_row(sheet, FIRST_ROW + number - 1, number, finding, mark)
    sheet.freeze_panes = sheet.cell(row=FIRST_ROW, column=1)
    sheet.column_dimensions[get_column_letter(RESTORE_COLUMN)].hidden = True
    _protect_and_print(sheet)
    _make_active(workbook, sheet)


def _listing_head(
    sheet: Worksheet, findings: Sequence[Finding], title_th: str, title_en: str
) -> None:
    errors = sum(1 for f in findings if f.is_error)
    warnings = len(findings) - errors
    lines = [
        (title_th, TITLE_FONT),
        (title_en, BOLD),
        (
            f"ข้อผิดพลาด {errors} รายการ คำเตือน {warnings} รายการ — {errors} error(s), {warnings} warning(s)",
            PLAIN,
        ),
        (
            "แก้ไขเซลล์ที่ระบายสีในไฟล์นี้ แล้วส่งไฟล์นี้กลับมาอีกครั้ง — "
            "correct the coloured cells in this file and send this same file again.",
            SUBTLE,
        ),
    ]
    for row, (text, font) in enumerate(lines, start=1):
        write_text(sheet.cell(row=row, column=1), text)
        sheet.cell(row=row, column=1).font = font
    for column, (th, en, width) in enumerate(COLUMNS, start=1):
        for row, text in ((HEADER_ROW, th), (HEADER_ROW + 1, en)):
            cell = sheet.cell(row=row, column=column)
            write_text(cell, text)
            cell.font, cell.fill, cell.alignment = (
                (BOLD if row == HEADER_ROW else SUBTLE),
                HEADER_FILL,
                WRAP,
            )
        sheet.column_dimensions[get_column_letter(column)].width = width


def _listing_row(
    sheet: Worksheet, row: int, number: int, finding: Finding, mark: Marked | None
) -> None:
    values = [
        SEVERITY_LABEL[finding.severity],
        finding.sheet,
        finding.cell,
        finding.field,
        finding.activity,
        finding.value,
        finding.message_th,
        finding.message_en,
    ]
    sheet.cell(row=row, column=1, value=number)
    for column, value in enumerate(values, start=2):
        write_text(sheet.cell(row=row, column=column), value)
    for column in range(1, len(COLUMNS) + 1):
        sheet.cell(row=row, column=column).font = PLAIN
        sheet.cell(row=row, column=column).alignment = WRAP
    sheet.cell(row=row, column=2).fill = ERROR_FILL if finding.is_error else WARNING_FILL
    if mark is not None:
        cell, before = mark
        _link(sheet, row, cell)
        write_text(sheet.cell(row=row, column=RESTORE_COLUMN), before)
    sheet.row_dimensions[row].height = _row_height(values)


def _link(sheet: Worksheet, row: int, target: Cell) -> None:
    """Sheet and cell columns jump to the marked cell (an internal link, no relationship)."""
    if target.parent.sheet_state != "visible":
        return  # a link into a hidden sheet goes nowhere
    location = f"{_quote(target.parent.title)}!{target.coordinate}"
    for column in (SHEET_COLUMN, CELL_COLUMN):
        cell = sheet.cell(row=row, column=column)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=location)
        cell.font = LINK


def _quote(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _row_height(values: list[str | None]) -> float:
    """Wrapped Thai needs taller rows than Excel gives unasked; estimate from the widths."""
    lines = 1
    for (_, _, width), value in zip(COLUMNS[1:], values):
        text = value or ""
        lines = max(
            lines, sum(1 + int(len(part) / (width * 1.1)) for part in text.splitlines() or [""])
        )
    return min(16.5 * lines + 3, 409)


def _protect_and_print(sheet: Worksheet) -> None:
    sheet.protection.sheet = True  # read-only listing; columns may still be widened
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW + 1}"


def _make_active(workbook: Workbook, listing: Worksheet) -> None:
    """Open on the listing, with no other tab also selected (Excel would group them)."""
    for sheet in workbook.worksheets:
        sheet.sheet_view.tabSelected = sheet is listing
    workbook.active = listing
    for view in workbook.views:
        view.firstSheet = 0


# --- undoing an earlier round -------------------------------------------------------------


def _undo_previous(workbook: Workbook) -> None:
    """A resubmitted file rejected again: drop the old listing, its colours and comments."""
    if LISTING_SHEET in workbook.sheetnames:
        listing = workbook[LISTING_SHEET]
        for sheet, address, before in _previous_marks(listing):
            _restore_fill(workbook, sheet, address, before)
        workbook.remove(listing)
    for sheet in workbook.worksheets:
        _drop_our_comments(sheet)


def _previous_marks(listing: Worksheet) -> Iterator[tuple[str, str, str]]:
    """The cells an earlier listing marked, with their fills before; its hidden column is the
    one after its headers (a listing from before the activity column has one column less)."""
    heads = next(listing.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW, values_only=True), ())
    restore = sum(1 for value in heads if value not in (None, "")) + 1
    for row in listing.iter_rows(min_row=FIRST_ROW, max_col=restore, values_only=True):
        sheet, address, before = (
            row[SHEET_COLUMN - 1],
            row[CELL_COLUMN - 1],
            row[restore - 1] if len(row) >= restore else None,
        )
        if sheet and address and before:
            yield str(sheet), str(address), str(before)


def _restore_fill(workbook: Workbook, sheet: str, address: str, before: str) -> None:
    """Put back the fill a cell had, unless the office has recoloured it since."""
    cell = _target(workbook, Finding(Severity.ERROR, "", "", "", sheet=sheet, cell=address))
    if cell is None or cell.fill.fgColor.rgb not in {
        ERROR_FILL.fgColor.rgb,
        WARNING_FILL.fgColor.rgb,
    }:
        return
    try:
        cell.fill = Fill.from_tree(fromstring(before)) or PatternFill()
    except Exception:  # a damaged note must not stop the answer; a plain cell will do
        cell.fill = PatternFill()


def _drop_our_comments(sheet: Worksheet) -> None:
    for row in sheet.iter_rows():
        for cell in row:
            comment = cell.comment
            if comment is None or not _is_ours(comment):
                continue
            _, _, earlier = comment.text.partition(EARLIER_NOTE)
            cell.comment = Comment(earlier, "") if earlier else None


def _is_ours(comment: Comment) -> bool:
    """By author, or by our first line: LibreOffice drops a comment's author on re-save."""
    return comment.author == AUTHOR or comment.text.startswith(
        tuple(f"{label}: " for label in SEVERITY_LABEL.values())
    )


# --- writing ------------------------------------------------------------------------------


def _save(workbook: Workbook, out: Path) -> Path:
    """Write via a temporary file in the same folder, fsync, rename: never half a workbook."""
    out.parent.mkdir(parents=True, exist_ok=True)
    # Created like every other file we give back (0666 less the umask), not mkstemp's 0600:
    # a district opens it on the share.
    partial = out.parent / f".{out.name}.{secrets.token_hex(4)}.part"
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        workbook.save(partial)
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, out)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return out
